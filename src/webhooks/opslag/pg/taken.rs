//! The store thread's side: the schema, the key check, the connection and
//! the statement of each job.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_postgres::Client;
use uuid::Uuid;

use super::super::{sleutel, Cursor, OpslagError, KEPT_DELIVERIES};
use super::{db, Job, ANSWER_WITHIN};
use crate::event_store::{pg_connect, PgTarget};

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

/// Connects, migrates and checks the key (the first node sets the check).
pub(super) async fn first_connection(
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

/// After a failed connect, jobs fail at once for this long (a read of
/// `GET /v1/abonnementen` then does not wait for a connect per item).
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// Answers jobs, one at a time, reconnecting when the connection broke.
pub(super) async fn serve(target: PgTarget, first: Client, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut client = Some(first);
    let mut down: Option<(tokio::time::Instant, String)> = None;
    while let Some(job) = jobs.recv().await {
        if client.as_ref().is_none_or(|c| c.is_closed()) {
            if let Some((_, why)) = down.as_ref().filter(|(t, _)| t.elapsed() < RECONNECT_AFTER) {
                job.fail(why.clone());
                continue;
            }
            client = match connect(&target).await {
                Ok(c) => {
                    down = None;
                    Some(c)
                }
                Err(e) => {
                    down = Some((tokio::time::Instant::now(), e.clone()));
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
/// Adds deliveries (`$1` subscriptions, `$2` their JSON, oldest first) as
/// the next of their subscription and drops all but the last `$3` of each,
/// in one statement (rows older than the last `$3` of the batch are never
/// inserted: the DELETE does not see this statement's own rows).
const RECORD: &str = "WITH new AS ( \
       SELECT abonnement, aflevering, \
              row_number() OVER (PARTITION BY abonnement ORDER BY n) AS k, \
              row_number() OVER (PARTITION BY abonnement ORDER BY n DESC) AS from_end \
       FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS t(abonnement, aflevering, n)), \
     top AS ( \
       SELECT abonnement, MAX(seq) AS seq FROM mag_webhook_deliveries \
       WHERE abonnement IN (SELECT abonnement FROM new) GROUP BY abonnement), \
     added AS ( \
       INSERT INTO mag_webhook_deliveries (abonnement, seq, aflevering) \
       SELECT new.abonnement, COALESCE(top.seq, 0) + new.k, new.aflevering \
       FROM new LEFT JOIN top USING (abonnement) WHERE new.from_end <= $3 \
       RETURNING abonnement, seq) \
     DELETE FROM mag_webhook_deliveries d \
     USING (SELECT abonnement, MAX(seq) AS seq FROM added GROUP BY abonnement) last \
     WHERE d.abonnement = last.abonnement AND d.seq <= last.seq - $3";

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
            Job::Record(ids, json, r) => {
                let kept = KEPT_DELIVERIES as i64;
                let done = timed(c.execute(RECORD, &[&ids, &json, &kept])).await;
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
