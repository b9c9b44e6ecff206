//! Webhook deliveries (issue 20, `docs/notificaties.md`): every event a
//! subscription's token may read and its filter passes, as a CloudEvent
//! ([`cloudevent`]) signed per Standard Webhooks ([`signing`]), POSTed to
//! its callback URL strictly in log order, at least once. The cursor of
//! each subscription moves only on a 2xx and is flushed to disk
//! ([`opslag`]); failures are retried with exponential backoff and jitter
//! ([`backoff`]), and a subscription that keeps failing is paused with a
//! reason (an event). One task per active subscription with at most one
//! request in flight, a global cap on concurrent requests, timeouts on
//! connect and response, no redirects: a slow or dead endpoint delays only
//! its own subscription, never a write ([`worker`]). Which addresses may be
//! called: [`adres`]. Why reqwest, and how secrets are kept:
//! `docs/adr/0008-webhook-delivery.md`. With several nodes on one
//! PostgreSQL database the store is shared and one elected node delivers
//! ([`leider`], `docs/adr/0009-webhooks-on-several-nodes.md`).

pub mod adres;
pub mod backoff;
pub mod cloudevent;
pub mod cursors;
#[cfg(feature = "postgres")]
mod leider;
pub mod opslag;
pub mod signing;
mod tail;
mod worker;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub use adres::Toegestaan;
pub use opslag::{Aflevering, Opslag, OpslagError};

/// How deliveries behave (the `serve --webhooks-*` options).
#[derive(Debug, Clone)]
pub struct Instellingen {
    pub toegestaan: Toegestaan,
    /// `--public-url`: the CloudEvents `source`.
    pub public_url: Option<String>,
    pub backoff: backoff::Backoff,
    /// Pause a subscription after this many failed attempts in a row ...
    pub pauze_na_pogingen: u32,
    /// ... of which the first is at least this long ago.
    pub pauze_na: Duration,
    /// Most requests in flight over all subscriptions.
    pub gelijktijdig: usize,
    pub connect_timeout: Duration,
    /// For the whole request: connect, send, response head and body.
    pub timeout: Duration,
    /// How long the previous secret keeps signing after a rotation.
    pub rotatie_overlap: Duration,
}

impl Default for Instellingen {
    fn default() -> Self {
        Self {
            toegestaan: Toegestaan::default(),
            public_url: None,
            backoff: backoff::Backoff::default(),
            pauze_na_pogingen: 20,
            pauze_na: Duration::from_secs(3 * 3600),
            gelijktijdig: 32,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            rotatie_overlap: Duration::from_secs(24 * 3600),
        }
    }
}

/// The webhook side of the server: settings, the store beside the log, and
/// whether deliveries run (`serve`; off in the library's default, so API
/// tests never call out).
pub struct Webhooks {
    pub instellingen: Instellingen,
    opslag: OnceLock<Arc<Opslag>>,
    bezorgen: bool,
    gestart: AtomicBool,
}

impl Default for Webhooks {
    fn default() -> Self {
        Self {
            instellingen: Instellingen::default(),
            opslag: OnceLock::new(),
            bezorgen: false,
            gestart: AtomicBool::new(false),
        }
    }
}

impl Webhooks {
    /// With its store where the server keeps its log: in PostgreSQL when
    /// `database` has a URL (shared by every node, [`Opslag::postgres`]),
    /// else in `data_dir`; the key in `key_file` (default
    /// `<data dir>/webhooks.key`). Delivering unless `bezorgen` is false.
    pub fn open(
        data_dir: &Path,
        key_file: Option<&Path>,
        database: &crate::event_store::DatabaseArg,
        instellingen: Instellingen,
        bezorgen: bool,
    ) -> Result<Self, OpslagError> {
        let default_key = data_dir.join("webhooks.key");
        let key_file = key_file.unwrap_or(&default_key);
        let opslag = match database.url() {
            None => Opslag::local(data_dir, key_file)?,
            #[cfg(feature = "postgres")]
            Some(url) => {
                let o = Opslag::postgres(url, database.database_ca_file.as_deref(), key_file)?;
                let (secrets, cursors) = opslag::overzetten::move_local(data_dir, &o)?;
                if secrets + cursors > 0 {
                    tracing::info!(
                        secrets,
                        cursors,
                        "copied this node's local webhook store into PostgreSQL"
                    );
                }
                o
            }
            #[cfg(not(feature = "postgres"))]
            Some(_) => {
                return Err(OpslagError::Database(
                    "this build has no PostgreSQL support".into(),
                ))
            }
        };
        let w = Self {
            instellingen,
            bezorgen,
            ..Self::default()
        };
        let _ = w.opslag.set(Arc::new(opslag));
        Ok(w)
    }

    /// Delivering, with a store in memory (tests).
    pub fn in_memory(instellingen: Instellingen) -> Self {
        Self {
            instellingen,
            bezorgen: true,
            ..Self::default()
        }
    }

    /// The store (a temporary one when none was opened).
    pub fn opslag(&self) -> Result<&Arc<Opslag>, OpslagError> {
        if let Some(o) = self.opslag.get() {
            return Ok(o);
        }
        let o = Arc::new(Opslag::temporary()?);
        Ok(self.opslag.get_or_init(|| o))
    }

    /// Starts the deliveries (once) on the current actix system.
    pub fn start(self: &Arc<Self>, state: crate::http::AppState) {
        if !self.bezorgen || self.gestart.swap(true, Ordering::SeqCst) {
            return;
        }
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.opslag.get().and_then(|o| o.pg()) {
            // Several nodes may share the store: only the elected one delivers.
            let (tx, rx) = tokio::sync::watch::channel(false);
            pg.runtime.spawn(leider::elect(pg.target.clone(), tx));
            return leider::deliver_while_leader(self.clone(), state, rx);
        }
        worker::start(self.clone(), state);
    }
}
