//! `import-events --database-url`: a log from `export-events` into an empty
//! PostgreSQL database, exactly as given; and the database helpers the
//! tests and scripts use.

use chrono::{DateTime, Utc};

use super::super::staging::encode;
use super::super::{RecordedEvent, StoreError, StoreResult, MAX_EVENT_BYTES};
use super::cache::Cache;
use super::sql::{self, to_i64, unavailable};
use crate::event_store::ImportSummary;

/// Runs `f` to completion on a runtime of its own, on a thread of its own
/// (so callers inside another runtime, such as a test's actix system, work).
fn block_on<T: Send>(
    f: impl std::future::Future<Output = StoreResult<T>> + Send,
) -> StoreResult<T> {
    std::thread::scope(|s| {
        s.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| StoreError::Unavailable(e.to_string()))?
                .block_on(f)
        })
        .join()
        .unwrap_or_else(|_| Err(StoreError::Unavailable("the database task panicked".into())))
    })
}

fn valid_name(name: &str) -> StoreResult<()> {
    if name.is_empty()
        || name.len() > 63
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StoreError::Invalid(format!(
            "database name {name:?}: use 1 to 63 of a-z, 0-9 and _"
        )));
    }
    Ok(())
}

/// Creates an empty UTF-8 database `name` through the server `url` points at.
pub fn create_database(url: &str, name: &str) -> StoreResult<()> {
    valid_name(name)?;
    let config = sql::config(url)?;
    block_on(async {
        let (client, _) = sql::connect(&config).await?;
        client
            .batch_execute(&format!(
                "CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"
            ))
            .await
            .map_err(unavailable)
    })
}

/// Drops database `name` (if it exists) through the server `url` points at.
pub fn drop_database(url: &str, name: &str) -> StoreResult<()> {
    valid_name(name)?;
    let config = sql::config(url)?;
    block_on(async {
        let (client, _) = sql::connect(&config).await?;
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .map_err(unavailable)
    })
}

/// Imports `events` (a whole log, in order) into the empty store in the
/// database `url` names, keeping ids, positions, versions and recorded
/// times. The same checks as the sled import; no `--force` here.
pub fn import_events_pg(
    url: &str,
    events: impl IntoIterator<Item = RecordedEvent>,
) -> StoreResult<ImportSummary> {
    let config = sql::config(url)?;
    // The checks: positions from 1 without gaps, versions consecutive per
    // stream (the cache refuses anything else), times never decreasing.
    let mut check = Cache::default();
    let mut last_at: Option<DateTime<Utc>> = None;
    let mut rows: Vec<(RecordedEvent, String)> = Vec::new();
    for (line, e) in events.into_iter().enumerate() {
        let bytes = encode(&e);
        if bytes.len() > MAX_EVENT_BYTES {
            return Err(StoreError::EventTooLarge {
                size: bytes.len(),
                limit: MAX_EVENT_BYTES,
            });
        }
        if last_at.is_some_and(|last| e.recorded_at < last) {
            return Err(StoreError::Corrupt(format!(
                "line {}: registratieTijdstip {} is earlier than the previous event's",
                line + 1,
                e.recorded_at
            )));
        }
        use super::super::staging::StoreView;
        if check.stored_event_position(e.id)?.is_some() {
            return Err(StoreError::Corrupt(format!(
                "line {}: event {} appears twice",
                line + 1,
                e.id
            )));
        }
        check
            .push(&e, Box::default())
            .map_err(|err| StoreError::Corrupt(format!("line {}: {err}", line + 1)))?;
        last_at = Some(e.recorded_at);
        let json = String::from_utf8(bytes[1..].to_vec())
            .map_err(|err| StoreError::Corrupt(err.to_string()))?;
        rows.push((e, json));
    }
    let head = check.head();
    block_on(async move {
        let (mut client, _) = sql::connect(&config).await?;
        sql::migrate(&client).await?;
        let tx = client.transaction().await.map_err(unavailable)?;
        let stored: i64 = tx
            .query_one("SELECT position FROM mag_head FOR UPDATE", &[])
            .await
            .map_err(unavailable)?
            .get(0);
        if stored > 0 {
            return Err(StoreError::Invalid(format!(
                "the database already holds {stored} events; import into an empty database"
            )));
        }
        for chunk in rows.chunks(5_000) {
            let positions: Vec<i64> = chunk.iter().map(|(e, _)| to_i64(e.position)).collect();
            let ids: Vec<uuid::Uuid> = chunk.iter().map(|(e, _)| e.id).collect();
            let streams: Vec<uuid::Uuid> = chunk.iter().map(|(e, _)| e.stream_id).collect();
            let versions: Vec<i64> = chunk.iter().map(|(e, _)| to_i64(e.version)).collect();
            let envelopes: Vec<&str> = chunk.iter().map(|(_, j)| j.as_str()).collect();
            tx.execute(
                super::writer::INSERT_EVENTS,
                &[&positions, &ids, &streams, &versions, &envelopes],
            )
            .await
            .map_err(unavailable)?;
        }
        tx.execute(
            "UPDATE mag_head SET position = $1, imported_through = $1",
            &[&to_i64(head)],
        )
        .await
        .map_err(unavailable)?;
        tx.batch_execute("NOTIFY mag_events")
            .await
            .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(ImportSummary {
            imported: head,
            skipped: 0,
            head,
        })
    })
}
