//! The node's writer: takes the appends waiting, decides them as one group
//! in one transaction, and acknowledges once PostgreSQL committed (and the
//! node's listeners saw the events).

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::{Client, Config};

use super::super::staging::Staging;
use super::super::{AppendOutcome, AppendRequest, StoreError, StoreResult};
use super::sql::{self, to_i64, unavailable};
use super::{PgOptions, Shared};

pub(super) struct Job {
    pub request: AppendRequest,
    pub reply: oneshot::Sender<StoreResult<AppendOutcome>>,
}

pub(super) struct Writer {
    shared: Arc<Shared>,
    config: Config,
    client: Option<Client>,
    options: PgOptions,
}

const LOCK_HEAD: &str = "SELECT position FROM mag_head FOR UPDATE";
pub(super) const INSERT_EVENTS: &str = "INSERT INTO mag_events (position, id, stream_id, version, envelope) \
     SELECT p, i, s, v, e::json FROM unnest($1::int8[], $2::uuid[], $3::uuid[], $4::int8[], $5::text[]) AS t(p, i, s, v, e)";
const INSERT_KEYS: &str = "INSERT INTO mag_idempotency (key, position, record) \
     SELECT * FROM unnest($1::text[], $2::int8[], $3::text[])";
const SET_HEAD: &str = "UPDATE mag_head SET position = $1 WHERE position = $2";

impl Writer {
    pub fn new(shared: Arc<Shared>, config: Config, client: Client, options: PgOptions) -> Self {
        Self {
            shared,
            config,
            client: Some(client),
            options,
        }
    }

    pub async fn run(mut self, mut receiver: mpsc::UnboundedReceiver<Job>) {
        while let Some(first) = receiver.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < self.options.max_group.max(1) {
                match receiver.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            let (requests, replies): (Vec<_>, Vec<_>) =
                jobs.into_iter().map(|j| (j.request, j.reply)).unzip();
            let results = self.decide(requests).await;
            for (reply, result) in replies.into_iter().zip(results) {
                let _ = reply.send(result);
            }
        }
    }

    /// One result per request. A failure of PostgreSQL (or a commit whose
    /// outcome is unknown) refuses the whole group with `Unavailable`; the
    /// follower later applies whatever did commit.
    async fn decide(&mut self, requests: Vec<AppendRequest>) -> Vec<StoreResult<AppendOutcome>> {
        let n = requests.len();
        if self.client.as_ref().is_none_or(|c| c.is_closed()) {
            self.client = None;
            match sql::connect(&self.config).await {
                Ok((client, _)) => self.client = Some(client),
                Err(e) => return vec![Err(e); n],
            }
        }
        let Some(client) = self.client.as_mut() else {
            return vec![Err(StoreError::Unavailable("no connection".into())); n];
        };
        let timeout = self.options.append_timeout;
        let outcome =
            tokio::time::timeout(timeout, commit_group(client, &self.shared, requests)).await;
        match outcome {
            Ok(Ok(results)) => results,
            Ok(Err(e)) => {
                if matches!(e, StoreError::Unavailable(_)) {
                    tracing::warn!(error = %e, "append refused: PostgreSQL failed");
                    // A broken or unknown-state connection is not reused.
                    self.client = None;
                }
                vec![Err(e); n]
            }
            Err(_) => {
                self.client = None;
                vec![
                    Err(StoreError::Unavailable(format!(
                        "PostgreSQL did not commit within {} s",
                        timeout.as_secs()
                    )));
                    n
                ]
            }
        }
    }
}

async fn commit_group(
    client: &mut Client,
    shared: &Shared,
    requests: Vec<AppendRequest>,
) -> StoreResult<Vec<StoreResult<AppendOutcome>>> {
    let tx = client.transaction().await.map_err(unavailable)?;
    // Every node's appends queue here until this transaction ends.
    let db_head: i64 = tx
        .query_one(LOCK_HEAD, &[])
        .await
        .map_err(unavailable)?
        .get(0);
    let db_head = db_head as u64;
    shared.catch_up(&tx, db_head).await?;
    if shared.cache_head() != db_head {
        return Err(StoreError::Corrupt(format!(
            "the head row says position {db_head}, the events table ends at {}",
            shared.cache_head()
        )));
    }
    let now = Utc::now();
    let (results, staged, keys, new_head) = {
        let cache = shared.cache.read().unwrap_or_else(|e| e.into_inner());
        let mut staging = Staging::new(&*cache, cache.head(), cache.last_recorded_at());
        let results: Vec<_> = requests
            .into_iter()
            .map(|r| staging.stage(r, now))
            .collect();
        let new_head = staging.head();
        (
            results,
            std::mem::take(&mut staging.events),
            std::mem::take(&mut staging.new_keys),
            new_head,
        )
    };
    if staged.is_empty() {
        // Nothing to write (all refused or duplicates): the transaction ends
        // with the drop, releasing the head row.
        return Ok(results);
    }
    let mut positions = Vec::with_capacity(staged.len());
    let mut ids = Vec::with_capacity(staged.len());
    let mut streams = Vec::with_capacity(staged.len());
    let mut versions = Vec::with_capacity(staged.len());
    let mut envelopes: Vec<&str> = Vec::with_capacity(staged.len());
    for e in &staged {
        positions.push(to_i64(e.record.position));
        ids.push(e.record.id);
        streams.push(e.record.stream_id);
        versions.push(to_i64(e.record.version));
        envelopes.push(
            std::str::from_utf8(&e.bytes[1..]).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        );
    }
    tx.execute(
        INSERT_EVENTS,
        &[&positions, &ids, &streams, &versions, &envelopes],
    )
    .await
    .map_err(unavailable)?;
    if !keys.is_empty() {
        let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
        let ends: Vec<i64> = keys
            .iter()
            .map(|(_, r)| to_i64(r.outcome.last_position))
            .collect();
        let records: Vec<String> = keys
            .iter()
            .map(|(_, r)| serde_json::to_string(r).expect("idempotency record serializes"))
            .collect();
        tx.execute(INSERT_KEYS, &[&names, &ends, &records])
            .await
            .map_err(unavailable)?;
    }
    let moved = tx
        .execute(SET_HEAD, &[&to_i64(new_head), &to_i64(db_head)])
        .await
        .map_err(unavailable)?;
    if moved != 1 {
        return Err(StoreError::Corrupt("the head row is missing".into()));
    }
    tx.batch_execute("NOTIFY mag_events")
        .await
        .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    shared.apply(
        staged
            .into_iter()
            .map(|e| (e.record, e.bytes.into_boxed_slice()))
            .collect(),
        keys,
    )?;
    Ok(results)
}
