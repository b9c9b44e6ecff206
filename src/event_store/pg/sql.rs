//! Connections, the schema and the queries that read the log by position.

use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, Client, Config, Connection, GenericClient, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::super::staging::{decode, IdempotencyRecord, FORMAT_JSON};
use super::super::{RecordedEvent, StoreError, StoreResult};

/// Created on first open (under an advisory lock, so two nodes starting on
/// an empty database do not race). `envelope` keeps the event's JSON text
/// exactly as encoded (type `json` stores its input verbatim), so export is
/// byte-identical; `mag_head` is the single row every append locks.
const SCHEMA: &str = "
BEGIN;
SELECT pg_advisory_xact_lock(727472);
CREATE TABLE IF NOT EXISTS mag_events (
    position bigint PRIMARY KEY CHECK (position > 0),
    id uuid NOT NULL UNIQUE,
    stream_id uuid NOT NULL,
    version bigint NOT NULL CHECK (version > 0),
    envelope json NOT NULL,
    UNIQUE (stream_id, version)
);
CREATE TABLE IF NOT EXISTS mag_idempotency (
    key text PRIMARY KEY,
    position bigint NOT NULL,
    record text NOT NULL
);
CREATE INDEX IF NOT EXISTS mag_idempotency_position ON mag_idempotency (position);
CREATE TABLE IF NOT EXISTS mag_head (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    position bigint NOT NULL,
    imported_through bigint NOT NULL DEFAULT 0
);
INSERT INTO mag_head (only_row, position) VALUES (true, 0) ON CONFLICT DO NOTHING;
COMMIT;
";

pub(super) fn unavailable(e: tokio_postgres::Error) -> StoreError {
    StoreError::Unavailable(format!("PostgreSQL: {e}"))
}

/// Parses a connection string (URL or `key=value` form) without echoing it
/// (it may hold a password).
pub(crate) fn config(url: &str) -> StoreResult<Config> {
    let mut config: Config = url.parse().map_err(|e| {
        StoreError::Setup(format!(
            "the database URL is not a valid PostgreSQL connection string: {e}"
        ))
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(5));
    }
    if config.get_application_name().is_none() {
        config.application_name("mag-tracker");
    }
    Ok(config)
}

/// Where and how to connect: the parsed connection string and, unless its
/// `sslmode` is `disable`, the TLS connector (see [`super::tls`]).
#[derive(Clone)]
pub(crate) struct Target {
    pub config: Config,
    tls: Option<MakeRustlsConnect>,
}

impl Target {
    /// Parses `url` and, when it asks for TLS, loads the trusted roots
    /// (`ca_file`, else the system's); a bad CA file is an error naming it.
    pub fn new(url: &str, ca_file: Option<&Path>) -> StoreResult<Self> {
        let config = config(url)?;
        let tls = super::tls::connector(&config, ca_file)?;
        Ok(Self { config, tls })
    }
}

/// A connection whose commits wait for the WAL flush (`synchronous_commit
/// = on`, whatever the server's default), with its driver task spawned.
/// Notifications, if the caller listens, arrive on the returned channel.
pub(crate) async fn connect(target: &Target) -> StoreResult<(Client, mpsc::UnboundedReceiver<()>)> {
    let refused = |e: tokio_postgres::Error| match super::tls::untrusted(&e) {
        Some(message) => StoreError::Unavailable(message),
        None => unavailable(e),
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let client = match &target.tls {
        None => {
            let (client, connection) = target.config.connect(NoTls).await.map_err(refused)?;
            tokio::spawn(drive(connection, tx));
            client
        }
        Some(tls) => {
            let (client, connection) = target.config.connect(tls.clone()).await.map_err(refused)?;
            tokio::spawn(drive(connection, tx));
            client
        }
    };
    client
        .batch_execute("SET synchronous_commit TO on")
        .await
        .map_err(unavailable)?;
    Ok((client, rx))
}

/// Runs a connection until it ends, passing on notifications.
async fn drive<S, T>(mut connection: Connection<S, T>, tx: mpsc::UnboundedSender<()>)
where
    S: AsyncRead + AsyncWrite + Unpin,
    T: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            Some(Ok(AsyncMessage::Notification(_))) => {
                let _ = tx.send(());
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                tracing::debug!(%error, "PostgreSQL connection ended");
                break;
            }
            None => break,
        }
    }
}

/// Creates the tables if missing and checks the database can hold the
/// envelopes verbatim.
pub(super) async fn migrate(client: &Client) -> StoreResult<()> {
    let encoding: String = client
        .query_one("SHOW server_encoding", &[])
        .await
        .map_err(unavailable)?
        .get(0);
    if encoding != "UTF8" {
        return Err(StoreError::Invalid(format!(
            "the database's encoding is {encoding}; mag-tracker needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')"
        )));
    }
    client.batch_execute(SCHEMA).await.map_err(unavailable)
}

pub(super) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Up to `limit` events with `after < position <= until`, in order, decoded
/// and as stored.
pub(super) async fn fetch_events(
    client: &impl GenericClient,
    after: u64,
    until: u64,
    limit: i64,
) -> StoreResult<Vec<(RecordedEvent, Box<[u8]>)>> {
    let rows = client
        .query(
            "SELECT position, envelope::text FROM mag_events \
             WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3",
            &[&to_i64(after), &to_i64(until), &limit],
        )
        .await
        .map_err(unavailable)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let position: i64 = row.get(0);
        let json: &str = row.get(1);
        let mut bytes = Vec::with_capacity(json.len() + 1);
        bytes.push(FORMAT_JSON);
        bytes.extend_from_slice(json.as_bytes());
        let record = decode(&bytes)?;
        if record.position != position as u64 {
            return Err(StoreError::Corrupt(format!(
                "the row at position {position} holds an event that says position {}",
                record.position
            )));
        }
        out.push((record, bytes.into_boxed_slice()));
    }
    Ok(out)
}

/// Idempotency records of appends that ended in `after < position <= until`.
pub(super) async fn fetch_keys(
    client: &impl GenericClient,
    after: u64,
    until: u64,
) -> StoreResult<Vec<(String, IdempotencyRecord)>> {
    let rows = client
        .query(
            "SELECT key, record FROM mag_idempotency WHERE position > $1 AND position <= $2",
            &[&to_i64(after), &to_i64(until)],
        )
        .await
        .map_err(unavailable)?;
    rows.into_iter()
        .map(|row| {
            let record: &str = row.get(1);
            serde_json::from_str(record)
                .map(|r| (row.get(0), r))
                .map_err(|e| StoreError::Corrupt(format!("idempotency record: {e}")))
        })
        .collect()
}
