//! The webhook store in PostgreSQL, for several nodes on one database
//! (`serve --database-url`): secrets, cursors and deliveries in tables of
//! the event store's database, so any node can make a subscription and any
//! node can deliver it (`docs/adr/0009-webhooks-on-several-nodes.md`).
//!
//! Like the PostgreSQL event store, it runs a tokio runtime of its own on a
//! thread; the synchronous methods send it a job and wait for the answer
//! (at most [`ANSWER_WITHIN`]). One connection, jobs one at a time:
//! - a secret is sealed with the node's key before it leaves the process
//!   (never plain text in the database) and written with `synchronous_commit
//!   = on`, so it is durable before the answer that shows it;
//! - cursors (and, every 200 ms in one statement, the deliveries recorded
//!   meanwhile) are written with `synchronous_commit = off` (the session's
//!   setting): one round trip, and once PostgreSQL answered,
//!   the commit is PostgreSQL's, so a kill -9 of this process loses
//!   nothing; a crash of PostgreSQL itself may lose the last ~0.6 s of
//!   cursor moves (three times `wal_writer_delay`), which only repeats
//!   deliveries, never skips one (a cursor moves only after a 2xx).
//!
//! On open the database's key check ([`super::sleutel::check`]) is set (the
//! first node) or compared (every later one): a node with another key
//! refuses to start.

use std::path::Path;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use ring::aead::LessSafeKey;
use tokio::sync::mpsc;
use uuid::Uuid;

mod taken;

use super::{sleutel, Aflevering, Cursor, OpslagError};
use crate::event_store::PgTarget;
use taken::{first_connection, serve};

/// Longest a call waits for PostgreSQL.
pub(crate) const ANSWER_WITHIN: Duration = Duration::from_secs(10);

type Reply<T> = std_mpsc::SyncSender<Result<T, String>>;

enum Job {
    PutSecret(Uuid, i64, Vec<u8>, Reply<()>),
    Secret(Uuid, i64, Reply<Option<Vec<u8>>>),
    Cursor(Uuid, Reply<Option<Cursor>>),
    SetCursor(Uuid, Cursor, Reply<()>),
    /// Deliveries (subscription, JSON), oldest first.
    Record(Vec<Uuid>, Vec<String>, Reply<()>),
    Deliveries(Uuid, i64, Reply<Vec<String>>),
}

/// The PostgreSQL backend of [`super::Opslag`].
pub(crate) struct PgOpslag {
    jobs: mpsc::UnboundedSender<Job>,
    key: LessSafeKey,
    pub(crate) target: PgTarget,
    /// The store thread's runtime (the leader election runs on it).
    pub(crate) runtime: tokio::runtime::Handle,
    /// Deliveries recorded since the last [`PgOpslag::sync`], oldest first
    /// (written in one statement by it: one round trip per delivery, the
    /// cursor's, instead of two).
    pending: std::sync::Mutex<Vec<(Uuid, Aflevering)>>,
}

/// Most deliveries kept in memory while PostgreSQL does not take them.
const PENDING_MAX: usize = 10_000;

fn db(e: impl std::fmt::Display) -> String {
    format!("PostgreSQL: {e}")
}

impl PgOpslag {
    /// Connects, creates the tables if missing, sets or compares the key
    /// check, and starts the store's thread.
    pub fn open(url: &str, ca_file: Option<&Path>, key_path: &Path) -> Result<Self, OpslagError> {
        let key = sleutel::key_file(key_path)?;
        let target =
            PgTarget::new(url, ca_file).map_err(|e| OpslagError::Database(e.to_string()))?;
        let (jobs, receiver) = mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = std_mpsc::channel();
        let thread_target = target.clone();
        let key_name = key_path.display().to_string();
        std::thread::Builder::new()
            .name("pg-webhook-store".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => return drop(ready_tx.send(Err(OpslagError::Io(e)))),
                };
                let handle = runtime.handle().clone();
                runtime.block_on(async move {
                    let client = match first_connection(&thread_target, &key, &key_name).await {
                        Ok(c) => c,
                        Err(e) => return drop(ready_tx.send(Err(e))),
                    };
                    let _ = ready_tx.send(Ok(handle));
                    serve(thread_target, client, receiver).await;
                });
            })?;
        let runtime = ready_rx.recv().unwrap_or_else(|_| {
            Err(OpslagError::Database(
                "the webhook store's thread stopped".into(),
            ))
        })?;
        Ok(Self {
            jobs,
            key: sleutel::aead(&key)?,
            target,
            runtime,
            pending: std::sync::Mutex::default(),
        })
    }

    /// Sends a job and waits for its answer.
    fn ask<T>(&self, job: impl FnOnce(Reply<T>) -> Job) -> Result<T, OpslagError> {
        let (tx, rx) = std_mpsc::sync_channel(1);
        self.jobs
            .send(job(tx))
            .map_err(|_| OpslagError::Database("the webhook store's thread stopped".into()))?;
        match rx.recv_timeout(ANSWER_WITHIN + Duration::from_secs(1)) {
            Ok(answer) => answer.map_err(OpslagError::Database),
            Err(_) => Err(OpslagError::Database(format!(
                "no answer within {} s",
                ANSWER_WITHIN.as_secs()
            ))),
        }
    }

    pub fn put_secret(&self, id: Uuid, versie: u32, secret: &str) -> Result<(), OpslagError> {
        let sealed = sleutel::seal(&self.key, id, secret)?;
        self.ask(|r| Job::PutSecret(id, versie.into(), sealed, r))
    }

    pub fn secret(&self, id: Uuid, versie: u32) -> Option<String> {
        self.try_secret(id, versie)
            .inspect_err(
                |error| tracing::warn!(abonnement = %id, %error, "could not read a webhook secret"),
            )
            .ok()?
    }

    /// [`Self::secret`], telling "absent or unreadable" (`Ok(None)`) from
    /// "PostgreSQL did not answer" (`Err`).
    pub fn try_secret(&self, id: Uuid, versie: u32) -> Result<Option<String>, OpslagError> {
        let sealed = self.ask(|r| Job::Secret(id, versie.into(), r))?;
        Ok(sealed.and_then(|s| sleutel::unseal(&self.key, id, &s)))
    }

    pub fn cursor(&self, id: Uuid) -> Option<Cursor> {
        self.try_cursor(id)
            .inspect_err(
                |error| tracing::warn!(abonnement = %id, %error, "could not read a webhook cursor"),
            )
            .ok()?
    }

    pub fn try_cursor(&self, id: Uuid) -> Result<Option<Cursor>, OpslagError> {
        self.ask(|r| Job::Cursor(id, r))
    }

    pub fn set_cursor(&self, id: Uuid, c: Cursor) -> Result<(), OpslagError> {
        self.ask(|r| Job::SetCursor(id, c, r))
    }

    /// Keeps a delivery attempt for the next [`Self::sync`].
    pub fn record(&self, id: Uuid, a: &Aflevering) -> Result<(), OpslagError> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.len() >= PENDING_MAX {
            pending.remove(0);
        }
        pending.push((id, a.clone()));
        Ok(())
    }

    /// Writes the deliveries recorded since the last call (the worker calls
    /// it every 200 ms, and once more when this node stops delivering); on
    /// failure they stay for the next call.
    pub fn sync(&self) -> Result<(), OpslagError> {
        let batch: Vec<(Uuid, Aflevering)> = {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut *pending)
        };
        if batch.is_empty() {
            return Ok(());
        }
        let mut ids = Vec::with_capacity(batch.len());
        let mut json = Vec::with_capacity(batch.len());
        for (id, a) in &batch {
            ids.push(*id);
            json.push(serde_json::to_string(a).map_err(std::io::Error::other)?);
        }
        let written = self.ask(|r| Job::Record(ids, json, r));
        if written.is_err() {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            let newer = std::mem::replace(&mut *pending, batch);
            pending.extend(newer);
            let over = pending.len().saturating_sub(PENDING_MAX);
            pending.drain(..over);
        }
        written
    }

    /// The last `n` deliveries, newest first (those not yet written
    /// included).
    pub fn deliveries(&self, id: Uuid, n: usize) -> Vec<Aflevering> {
        let mut out: Vec<Aflevering> = {
            let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending
                .iter()
                .rev()
                .filter(|(i, _)| *i == id)
                .map(|(_, a)| a.clone())
                .take(n)
                .collect()
        };
        let rest = i64::try_from(n - out.len()).unwrap_or(i64::MAX);
        if rest == 0 {
            return out;
        }
        match self.ask(|r| Job::Deliveries(id, rest, r)) {
            Ok(rows) => out.extend(rows.iter().filter_map(|j| serde_json::from_str(j).ok())),
            Err(error) => {
                tracing::warn!(abonnement = %id, %error, "could not read webhook deliveries");
            }
        }
        out
    }
}
