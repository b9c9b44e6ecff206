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
//! - cursors and deliveries are written with `synchronous_commit = off`
//!   (the session's setting): one round trip, and once PostgreSQL answered,
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
use tokio_postgres::Client;
use uuid::Uuid;

use super::{sleutel, Aflevering, Cursor, OpslagError, KEPT_DELIVERIES};
use crate::event_store::{pg_connect, PgTarget};

/// Longest a call waits for PostgreSQL.
pub(crate) const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// Created on first open, under the event store's schema lock.
const SCHEMA: &str = "
BEGIN;
SELECT pg_advisory_xact_lock(727472);
CREATE TABLE IF NOT EXISTS mag_webhook_key (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    key_check bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS mag_webhook_secrets (
    abonnement uuid NOT NULL,
    versie bigint NOT NULL,
    sealed bytea NOT NULL,
    PRIMARY KEY (abonnement, versie)
);
CREATE TABLE IF NOT EXISTS mag_webhook_cursors (
    abonnement uuid PRIMARY KEY,
    herstart bigint NOT NULL,
    positie bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS mag_webhook_deliveries (
    abonnement uuid NOT NULL,
    seq bigint NOT NULL,
    aflevering text NOT NULL,
    PRIMARY KEY (abonnement, seq)
);
COMMIT;
";

type Reply<T> = std_mpsc::SyncSender<Result<T, String>>;

enum Job {
    PutSecret(Uuid, i64, Vec<u8>, Reply<()>),
    Secret(Uuid, i64, Reply<Option<Vec<u8>>>),
    Cursor(Uuid, Reply<Option<Cursor>>),
    SetCursor(Uuid, Cursor, Reply<()>),
    Record(Uuid, String, Reply<()>),
    Deliveries(Uuid, i64, Reply<Vec<String>>),
}

/// The PostgreSQL backend of [`super::Opslag`].
pub(crate) struct PgOpslag {
    jobs: mpsc::UnboundedSender<Job>,
    key: LessSafeKey,
    pub(crate) target: PgTarget,
    /// The store thread's runtime (the leader election runs on it).
    pub(crate) runtime: tokio::runtime::Handle,
}

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

    pub fn record(&self, id: Uuid, a: &Aflevering) -> Result<(), OpslagError> {
        let json = serde_json::to_string(a).map_err(std::io::Error::other)?;
        self.ask(|r| Job::Record(id, json, r))
    }

    pub fn deliveries(&self, id: Uuid, n: usize) -> Vec<Aflevering> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        match self.ask(|r| Job::Deliveries(id, n, r)) {
            Ok(rows) => rows
                .iter()
                .filter_map(|j| serde_json::from_str(j).ok())
                .collect(),
            Err(error) => {
                tracing::warn!(abonnement = %id, %error, "could not read webhook deliveries");
                Vec::new()
            }
        }
    }
}

/// Connects, migrates and checks the key (the first node sets the check).
async fn first_connection(
    target: &PgTarget,
    key: &[u8; 32],
    key_name: &str,
) -> Result<Client, OpslagError> {
    let failed = |e: tokio_postgres::Error| OpslagError::Database(db(e));
    let client = connect(target).await.map_err(OpslagError::Database)?;
    client.batch_execute(SCHEMA).await.map_err(failed)?;
    client
        .execute(
            "INSERT INTO mag_webhook_key (key_check) VALUES ($1) ON CONFLICT DO NOTHING",
            &[&sleutel::check(key)],
        )
        .await
        .map_err(failed)?;
    let stored: Vec<u8> = client
        .query_one("SELECT key_check FROM mag_webhook_key", &[])
        .await
        .map_err(failed)?
        .get(0);
    if !sleutel::matches(key, &stored) {
        return Err(OpslagError::OtherKey(format!(
            "the webhook key {key_name} is not the key the other nodes on this database use \
             (the database keeps a check of the key its webhook secrets are sealed with). Give \
             every node the same key file with --webhooks-key-file (env MAG_WEBHOOKS_KEY_FILE), \
             e.g. a copy of the webhooks.key of the first node that ran on this database"
        )));
    }
    Ok(client)
}

/// A connection whose plain statements commit without waiting for the WAL
/// flush (cursors, deliveries); secrets override it per transaction.
async fn connect(target: &PgTarget) -> Result<Client, String> {
    let (client, _) = pg_connect(target).await.map_err(|e| e.to_string())?;
    client
        .batch_execute("SET synchronous_commit TO off")
        .await
        .map_err(db)?;
    Ok(client)
}

/// Answers jobs, one at a time, reconnecting when the connection broke.
async fn serve(target: PgTarget, first: Client, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut client = Some(first);
    while let Some(job) = jobs.recv().await {
        if client.as_ref().is_none_or(|c| c.is_closed()) {
            client = match connect(&target).await {
                Ok(c) => Some(c),
                Err(e) => {
                    job.fail(e);
                    continue;
                }
            };
        }
        let Some(c) = client.as_mut() else { continue };
        job.run(c).await;
        if c.is_closed() {
            client = None;
        }
    }
}

/// `f` within [`ANSWER_WITHIN`], its error in words.
async fn timed<T>(
    f: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, String> {
    match tokio::time::timeout(ANSWER_WITHIN, f).await {
        Ok(r) => r.map_err(db),
        Err(_) => Err(format!(
            "PostgreSQL did not answer within {} s",
            ANSWER_WITHIN.as_secs()
        )),
    }
}

const PUT_SECRET: &str = "INSERT INTO mag_webhook_secrets (abonnement, versie, sealed) \
     VALUES ($1, $2, $3) ON CONFLICT (abonnement, versie) DO UPDATE SET sealed = excluded.sealed";
const SET_CURSOR: &str = "INSERT INTO mag_webhook_cursors (abonnement, herstart, positie) \
     VALUES ($1, $2, $3) ON CONFLICT (abonnement) \
     DO UPDATE SET herstart = excluded.herstart, positie = excluded.positie";
/// Adds a delivery as the next of its subscription and drops the ones
/// before the last `$3`, in one statement.
const RECORD: &str = "WITH added AS ( \
     INSERT INTO mag_webhook_deliveries (abonnement, seq, aflevering) \
     SELECT $1, COALESCE(MAX(seq), 0) + 1, $2 FROM mag_webhook_deliveries WHERE abonnement = $1 \
     RETURNING seq) \
     DELETE FROM mag_webhook_deliveries WHERE abonnement = $1 AND seq <= (SELECT seq FROM added) - $3";

impl Job {
    fn fail(self, e: String) {
        // A caller that gave up waiting is no error.
        let _ = match self {
            Job::PutSecret(.., r) | Job::SetCursor(.., r) | Job::Record(.., r) => {
                r.send(Err(e)).map_err(drop)
            }
            Job::Secret(.., r) => r.send(Err(e)).map_err(drop),
            Job::Cursor(.., r) => r.send(Err(e)).map_err(drop),
            Job::Deliveries(.., r) => r.send(Err(e)).map_err(drop),
        };
    }

    async fn run(self, c: &mut Client) {
        match self {
            Job::PutSecret(id, versie, sealed, r) => {
                let _ = r.send(timed(put_secret(c, id, versie, sealed)).await);
            }
            Job::Secret(id, versie, r) => {
                let q = "SELECT sealed FROM mag_webhook_secrets \
                         WHERE abonnement = $1 AND versie = $2";
                let row = timed(c.query_opt(q, &[&id, &versie])).await;
                let _ = r.send(row.map(|row| row.map(|row| row.get(0))));
            }
            Job::Cursor(id, r) => {
                let q = "SELECT herstart, positie FROM mag_webhook_cursors WHERE abonnement = $1";
                let row = timed(c.query_opt(q, &[&id])).await;
                let _ = r.send(row.map(|row| {
                    row.map(|row| Cursor {
                        herstart: u32::try_from(row.get::<_, i64>(0)).unwrap_or(u32::MAX),
                        positie: u64::try_from(row.get::<_, i64>(1)).unwrap_or(0),
                    })
                }));
            }
            Job::SetCursor(id, cursor, r) => {
                let herstart = i64::from(cursor.herstart);
                let positie = i64::try_from(cursor.positie).unwrap_or(i64::MAX);
                let done = timed(c.execute(SET_CURSOR, &[&id, &herstart, &positie])).await;
                let _ = r.send(done.map(drop));
            }
            Job::Record(id, json, r) => {
                let kept = KEPT_DELIVERIES as i64;
                let done = timed(c.execute(RECORD, &[&id, &json, &kept])).await;
                let _ = r.send(done.map(drop));
            }
            Job::Deliveries(id, n, r) => {
                let q = "SELECT aflevering FROM mag_webhook_deliveries WHERE abonnement = $1 \
                         ORDER BY seq DESC LIMIT $2";
                let rows = timed(c.query(q, &[&id, &n])).await;
                let _ = r.send(rows.map(|rows| rows.iter().map(|row| row.get(0)).collect()));
            }
        }
    }
}

/// A secret, durable before the call returns (`synchronous_commit = on`
/// for this transaction only).
async fn put_secret(
    c: &mut Client,
    id: Uuid,
    versie: i64,
    sealed: Vec<u8>,
) -> Result<(), tokio_postgres::Error> {
    let tx = c.transaction().await?;
    tx.batch_execute("SET LOCAL synchronous_commit TO on")
        .await?;
    tx.execute(PUT_SECRET, &[&id, &versie, &sealed]).await?;
    tx.commit().await
}
