//! Wiring: opens the store, rebuilds state, and runs the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::{dev::Server, web, App, HttpServer};
use anyhow::Context;

use std::path::PathBuf;

use crate::event_store::Durability;

use crate::event_store::{
    describe, open_store, Actor, EventStore, Metadata, SledOptions, StoreError,
};
use crate::import::{self, ImportSummary};
use crate::projections::snapshot::{Snapshots, Snapshotter};
use crate::projections::{replay::replay_into, Projection, ReadModel};
use crate::service::{Service, ServiceError, WriteContext};

pub use crate::http::AppState;

/// A running server bound to an address (port 0 in tests).
pub struct Application {
    pub server: Server,
    pub port: u16,
}

impl Application {
    pub fn build(state: AppState, listener: TcpListener) -> std::io::Result<Self> {
        let port = listener.local_addr()?.port();
        state.webhooks.start(state.clone());
        let data = web::Data::new(state);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .wrap(actix_web::middleware::from_fn(
                    crate::http::positie_wacht::wait_for_position,
                ))
                .wrap(actix_web::middleware::from_fn(
                    crate::http::links::public_links,
                ))
                .wrap(actix_web::middleware::from_fn(crate::http::gate))
                .wrap(crate::http::error_bodies())
                .wrap(crate::http::default_headers())
                .wrap(tracing_actix_span())
                .configure(crate::http::configure)
                .configure(crate::bench::configure)
        })
        .listen(listener)?
        // Slow clients cannot hold connections: the request head must arrive
        // within 10 s, idle keep-alive ends after 30 s.
        .client_request_timeout(std::time::Duration::from_secs(10))
        .client_disconnect_timeout(std::time::Duration::from_secs(2))
        .keep_alive(std::time::Duration::from_secs(30))
        .shutdown_timeout(5)
        .run();
        Ok(Self { server, port })
    }
}

fn tracing_actix_span() -> actix_web::middleware::Logger {
    actix_web::middleware::Logger::new("%r %s %Dms").log_target("mag_tracker::http")
}

/// Where `serve` keeps read-model snapshots and how often it writes one.
#[derive(Debug, Clone)]
pub struct SnapshotOptions {
    pub data_dir: std::path::PathBuf,
    /// Fewest new events between two snapshots (see [`Snapshotter`]); 0:
    /// only start from the snapshot, never write one (the command-line
    /// tools that append a few events to a stopped server's directory).
    pub every: u64,
}

/// Replays the log into the projections (checking positions are gap-free
/// and every event decodes), then keeps them current on every commit.
pub fn open_state(store: Arc<dyn EventStore>) -> anyhow::Result<AppState> {
    open_state_with(store, None)
}

/// For the command-line tools that write to a stopped server's directory:
/// [`open_state`], but starting from `serve`'s read-model snapshot when it
/// is usable (a big log is not replayed for a few events); writes none.
pub fn open_state_offline(
    store: Arc<dyn EventStore>,
    data_dir: &std::path::Path,
) -> anyhow::Result<AppState> {
    let snapshots = SnapshotOptions {
        data_dir: data_dir.to_path_buf(),
        every: 0,
    };
    open_state_with(store, Some(snapshots))
}

/// [`open_state`], starting from the read-model snapshot when there is a
/// usable one (then only the log after it is replayed and checked), and
/// keeping the snapshot fresh while serving.
pub fn open_state_with(
    store: Arc<dyn EventStore>,
    snapshots: Option<SnapshotOptions>,
) -> anyhow::Result<AppState> {
    let started = Instant::now();
    let head = store.head();
    let mut model = ReadModel::default();
    if let Some(o) = &snapshots {
        let file = Snapshots::in_dir(&o.data_dir);
        match file.load(store.as_ref()) {
            Ok(Some((loaded, info))) => {
                tracing::info!(
                    position = info.position,
                    bytes = info.bytes,
                    millis = info.millis,
                    "loaded the read-model snapshot"
                );
                model = loaded;
            }
            Ok(None) => {}
            Err(reason) => tracing::warn!(
                %reason,
                file = %file.path().display(),
                "not using the read-model snapshot; replaying the whole log"
            ),
        }
    }
    let from = model.position;
    replay_into(&mut model, store.as_ref(), from, head, &mut |_| {})
        .map_err(|f| anyhow::anyhow!("the event log failed its startup check: {f}"))?;
    tracing::info!(
        events = head - from,
        from_snapshot = from,
        millis = started.elapsed().as_millis() as u64,
        "replayed the event log into the projections (positions gap-free)"
    );
    let projection = Projection::new(model);
    store.add_listener(projection.clone());
    let snapshotter = snapshots.filter(|o| o.every > 0).map(|o| {
        let s = Snapshotter::start(
            Snapshots::in_dir(&o.data_dir),
            o.every,
            from,
            projection.clone(),
            store.clone(),
        );
        store.add_listener(s.clone());
        // A long replay is worth saving right away.
        s.poke(head);
        s
    });
    let service = Arc::new(Service::new(store.clone(), projection.clone()));
    let history = Arc::new(crate::history::AsOf::new(
        store.clone(),
        crate::history::AsOfOptions::default(),
    ));
    Ok(AppState {
        store,
        projection,
        service,
        public_url: None,
        history,
        access: Arc::default(),
        pdca_cache: Arc::default(),
        snapshotter,
        actie_cache: Arc::default(),
        webhooks: Arc::default(),
        site_cache: Arc::default(),
    })
}

/// Loads the Twenterand demo agenda through the import path, as actor
/// "system (demo import)", in one atomic append.
pub async fn load_demo(state: &AppState) -> anyhow::Result<ImportSummary> {
    let file = import::parse(import::TWENTERAND_2024)
        .map_err(|e| anyhow::anyhow!("demo agenda does not parse: {:?}", e))?;
    let mut summary = None;
    let ctx = WriteContext {
        metadata: Metadata {
            actor: Actor::system("system (demo import)"),
            correlation_id: Some(uuid::Uuid::now_v7()),
            toelichting: Some("Demo: Maatschappelijke Agenda Twenterand 2024".into()),
            ..Metadata::default()
        },
        ..WriteContext::default()
    };
    state
        .service
        .structural(ctx, |model| {
            let plan = import::plan(&file, model).map_err(|errors| {
                ServiceError::Domain(crate::domain::DomainError::Invalid(errors))
            })?;
            summary = Some(plan.summary);
            Ok(plan.streams)
        })
        .await
        .map_err(|e| anyhow::anyhow!("loading the demo agenda failed: {e:?}"))?;
    summary.ok_or_else(|| anyhow::anyhow!("demo import planned nothing"))
}

/// The `serve` command's arguments (parsed by `crate::cli`).
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Directory holding the event store (created if missing).
    #[arg(long, env = "MAG_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    #[command(flatten)]
    pub database: crate::event_store::DatabaseArg,
    /// Address and port to listen on.
    #[arg(long, env = "MAG_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Do not load the Twenterand demo agenda into an empty store.
    #[arg(long)]
    pub no_demo: bool,
    /// Public base URL put in front of Location and Link headers and the Atom
    /// feed's links behind a proxy, e.g. https://mag.example.nl (default: links
    /// are paths from the server's root; never taken from Host or X-Forwarded-*).
    #[arg(long, env = "MAG_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// When an acknowledged write is considered safe: fsync (survives power
    /// loss, default) or flush (survives a process crash only).
    #[arg(long, default_value = "fsync")]
    pub durability: Durability,
    /// Requests per second allowed per token (per IP address for anonymous
    /// callers); 0 turns the rate limit off.
    #[arg(long, env = "MAG_RATE_LIMIT", default_value_t = 50)]
    pub rate_limit: u32,
    /// Burst allowed on top of --rate-limit.
    #[arg(long, env = "MAG_RATE_BURST", default_value_t = 100)]
    pub rate_burst: u32,
    /// Write a snapshot of the read model to the data directory after at
    /// least this many new events (and at least a tenth of the log), and at
    /// shutdown; a start loads it and replays only the log after it.
    /// 0: no snapshots (every start replays the whole log).
    #[arg(long, env = "MAG_SNAPSHOT_EVERY", default_value_t = 100_000)]
    pub snapshot_every: u64,
    #[command(flatten)]
    pub webhooks: WebhookArgs,
}

/// How webhook subscriptions are delivered (`docs/notificaties.md`).
#[derive(Debug, clap::Args)]
pub struct WebhookArgs {
    /// Allow plain http callback URLs to a loopback host (127.0.0.1, ::1,
    /// localhost), for local use and tests; otherwise only https.
    #[arg(long, env = "MAG_WEBHOOKS_ALLOW_HTTP_LOOPBACK")]
    pub webhooks_allow_http_loopback: bool,
    /// Allow callback URLs that resolve to private, loopback, link-local or
    /// other internal addresses (off: refused at creation and at delivery).
    #[arg(long, env = "MAG_WEBHOOKS_ALLOW_PRIVATE")]
    pub webhooks_allow_private: bool,
    /// First wait after a failed delivery, in ms; doubles per attempt (±20% jitter).
    #[arg(long, env = "MAG_WEBHOOKS_BACKOFF_MS", default_value_t = 2_000)]
    pub webhooks_backoff_ms: u64,
    /// Longest wait between two attempts, in ms.
    #[arg(long, env = "MAG_WEBHOOKS_BACKOFF_MAX_MS", default_value_t = 600_000)]
    pub webhooks_backoff_max_ms: u64,
    /// Pause a subscription after this many failed attempts in a row ...
    #[arg(long, env = "MAG_WEBHOOKS_PAUSE_FAILURES", default_value_t = 20)]
    pub webhooks_pause_failures: u32,
    /// ... once the first of them is at least this many seconds ago.
    #[arg(long, env = "MAG_WEBHOOKS_PAUSE_AFTER_SECS", default_value_t = 10_800)]
    pub webhooks_pause_after_secs: u64,
    /// Most deliveries in flight at once over all subscriptions.
    #[arg(long, env = "MAG_WEBHOOKS_CONCURRENCY", default_value_t = 32)]
    pub webhooks_concurrency: usize,
    /// Time limit of one delivery (connect: at most 5 s of it), in ms.
    #[arg(long, env = "MAG_WEBHOOKS_TIMEOUT_MS", default_value_t = 15_000)]
    pub webhooks_timeout_ms: u64,
    /// Do not deliver from this node, ever (the API still takes
    /// subscriptions). With several nodes on one PostgreSQL database the
    /// nodes elect the one that delivers; this node then never stands
    /// (docs/notificaties.md, "Several nodes").
    #[arg(long, env = "MAG_NO_WEBHOOK_DELIVERY")]
    pub no_webhook_delivery: bool,
    /// The key that encrypts webhook signing secrets at rest (32 bytes,
    /// created 0600 when missing; default: <data dir>/webhooks.key). Every
    /// node on one PostgreSQL database needs the same key: a node with
    /// another one refuses to start.
    #[arg(long, env = "MAG_WEBHOOKS_KEY_FILE", value_name = "FILE")]
    pub webhooks_key_file: Option<PathBuf>,
}

impl WebhookArgs {
    pub fn instellingen(&self, public_url: Option<String>) -> crate::webhooks::Instellingen {
        use std::time::Duration;
        let timeout = Duration::from_millis(self.webhooks_timeout_ms.max(1));
        crate::webhooks::Instellingen {
            toegestaan: crate::webhooks::Toegestaan {
                http_loopback: self.webhooks_allow_http_loopback,
                private: self.webhooks_allow_private,
            },
            public_url,
            backoff: crate::webhooks::backoff::Backoff {
                basis: Duration::from_millis(self.webhooks_backoff_ms),
                max: Duration::from_millis(self.webhooks_backoff_max_ms),
            },
            pauze_na_pogingen: self.webhooks_pause_failures,
            pauze_na: Duration::from_secs(self.webhooks_pause_after_secs),
            gelijktijdig: self.webhooks_concurrency,
            connect_timeout: timeout.min(Duration::from_secs(5)),
            timeout,
            ..crate::webhooks::Instellingen::default()
        }
    }
}

pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let options = SledOptions {
        durability: args.durability,
        ..SledOptions::default()
    };
    if args.database.url().is_some() {
        // Only node-local files live here then (snapshots, token usage).
        std::fs::create_dir_all(&args.data_dir)
            .with_context(|| format!("cannot create {}", args.data_dir.display()))?;
    }
    let store = match open_store(&args.data_dir, &args.database, options) {
        Ok(s) => s,
        Err(e @ StoreError::Locked { .. }) => anyhow::bail!("{e}"),
        Err(e) => {
            return Err(e).context(match args.database.url() {
                Some(url) => format!("cannot open the store in PostgreSQL ({})", describe(url)),
                None => format!("cannot open the store in {}", args.data_dir.display()),
            })
        }
    };
    tracing::info!(data_dir = %args.data_dir.display(), durability = ?args.durability, "store opened");
    let snapshots = (args.snapshot_every > 0).then(|| SnapshotOptions {
        data_dir: args.data_dir.clone(),
        every: args.snapshot_every,
    });
    let mut state = open_state_with(store, snapshots)?;
    state.public_url = args.public_url.clone();
    state.webhooks = Arc::new(
        crate::webhooks::Webhooks::open(
            &args.data_dir,
            args.webhooks.webhooks_key_file.as_deref(),
            &args.database,
            args.webhooks.instellingen(args.public_url.clone()),
            !args.webhooks.no_webhook_delivery,
        )
        .context("cannot open the webhook store")?,
    );
    let usage_file = crate::access::usage::Usage::file(&args.data_dir);
    state.access = Arc::new(crate::access::AccessState {
        usage: crate::access::usage::Usage::load(&usage_file),
        rate: crate::access::rate::RateLimit::new(args.rate_limit, args.rate_burst),
    });
    let access = state.access.clone();
    let webhooks = state.webhooks.clone();
    let (projection, store, snapshotter) = (
        state.projection.clone(),
        state.store.clone(),
        state.snapshotter.clone(),
    );
    let listener = TcpListener::bind(&args.bind)
        .with_context(|| format!("cannot listen on {} (is the port in use?)", args.bind))?;
    let no_demo = args.no_demo;
    let closing = store.clone();
    let result = actix_web::rt::System::new().block_on(async move {
        if !no_demo && state.store.head() == 0 {
            let s = load_demo(&state).await.map_err(std::io::Error::other)?;
            tracing::info!(
                agenda = %s.agenda_id, opgaven = s.opgaven, doelen = s.doelen, acties = s.acties,
                organisaties = s.organisaties, "loaded the Twenterand demo agenda 2024"
            );
        }
        let app = Application::build(state, listener)?;
        // Token "last used" dates: written at most once a minute, and at shutdown.
        let saver = {
            let (access, file) = (access.clone(), usage_file.clone());
            actix_web::rt::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
                loop {
                    tick.tick().await;
                    if let Err(e) = access.usage.save(&file) {
                        tracing::warn!(error = %e, "could not save token usage");
                    }
                }
            })
        };
        tracing::info!(
            "listening on http://{}/ (public site; the API under /v1, Swagger UI: /v1/docs/)",
            args.bind
        );
        let served = app.server.await;
        saver.abort();
        if let Err(e) = access.usage.save(&usage_file) {
            tracing::warn!(error = %e, "could not save token usage");
        }
        // The webhook cursors written since the last periodic sync.
        if let Err(e) = webhooks.opslag().and_then(|o| o.sync()) {
            tracing::warn!(error = %e, "could not save the webhook cursors");
        }
        if let Some(s) = snapshotter {
            // The next start then replays nothing.
            s.finish(&projection, store.as_ref());
        }
        served
    });
    // Release the directory before the process (or a test) goes on, even if
    // a worker thread still holds the state.
    closing.close();
    result?;
    Ok(())
}
