//! Writing recorded events as they are (`import-events`): original ids,
//! positions, versions and recorded times, straight into sled with the
//! store's key layout. Only for a store no server holds open (the caller
//! opens the directory itself, so sled's lock guarantees that).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::super::staging::{encode, StoreView};
use super::{event_key, io_err, key, u64_from, EVENT, EVENT_ID, IMPORTED_THROUGH, META, STREAM};
use crate::event_store::{RecordedEvent, StoreError, StoreResult, MAX_EVENT_BYTES};

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub imported: u64,
    /// Events whose id was stored already (only with `force`).
    pub skipped: u64,
    pub head: u64,
}

/// Imports `events` (in log order) into the store in `path`.
///
/// Without `force` the store must be empty and the events must be a valid
/// log: positions 1, 2, 3, ..., each stream's versions consecutive, recorded
/// times never decreasing. They are stored exactly as given, so exporting
/// again gives identical output. With `force` a non-empty store is allowed:
/// the events are appended after its log (positions and versions renumbered,
/// events whose id is stored already skipped, recorded times kept but never
/// before the last stored one).
pub fn import_events(
    path: &Path,
    cache_capacity: u64,
    events: impl IntoIterator<Item = RecordedEvent>,
    force: bool,
) -> StoreResult<ImportSummary> {
    let db = super::files::open_db(path, cache_capacity, None)?;
    let (mut head, mut last_at): (u64, Option<DateTime<Utc>>) =
        match db.scan_prefix([EVENT]).next_back() {
            None => (0, None),
            Some(Ok((k, v))) => (u64_from(&k[1..])?, Some(super::decode(&v)?.recorded_at)),
            Some(Err(e)) => return Err(io_err(e)),
        };
    if head > 0 && !force {
        return Err(StoreError::Invalid(format!(
            "the store already holds {head} events; import into an empty data directory, or pass --force to append after them"
        )));
    }
    let mut versions: HashMap<Uuid, u64> = HashMap::new();
    let mut ids: HashSet<Uuid> = HashSet::new();
    let mut summary = ImportSummary::default();
    let mut batch = sled::Batch::default();
    let mut in_batch = 0usize;
    for (line, mut e) in events.into_iter().enumerate() {
        let line = line + 1;
        if ids.contains(&e.id) || db.stored_event_position(e.id)?.is_some() {
            if force {
                summary.skipped += 1;
                continue;
            }
            return Err(StoreError::Corrupt(format!(
                "line {line}: event {} appears twice",
                e.id
            )));
        }
        let version = match versions.get(&e.stream_id) {
            Some(v) => *v,
            None => db.stored_stream_version(e.stream_id)?,
        };
        if force {
            e.position = head + 1;
            e.version = version + 1;
            if let Some(last) = last_at {
                e.recorded_at = e.recorded_at.max(last);
            }
        } else {
            if e.position != head + 1 {
                return Err(StoreError::Corrupt(format!(
                    "line {line}: position {} where {} was expected (the log must be gap-free and in order)",
                    e.position,
                    head + 1
                )));
            }
            if e.version != version + 1 {
                return Err(StoreError::Corrupt(format!(
                    "line {line}: stream {} jumps from version {version} to {}",
                    e.stream_id, e.version
                )));
            }
            if last_at.is_some_and(|last| e.recorded_at < last) {
                return Err(StoreError::Corrupt(format!(
                    "line {line}: registratieTijdstip {} is earlier than the previous event's",
                    e.recorded_at
                )));
            }
        }
        let bytes = encode(&e);
        if bytes.len() > MAX_EVENT_BYTES {
            return Err(StoreError::EventTooLarge {
                size: bytes.len(),
                limit: MAX_EVENT_BYTES,
            });
        }
        let pos = e.position.to_be_bytes();
        batch.insert(event_key(e.position), bytes);
        batch.insert(
            key(STREAM, &[e.stream_id.as_bytes(), &e.version.to_be_bytes()]),
            &pos,
        );
        batch.insert(key(EVENT_ID, &[e.id.as_bytes()]), &pos);
        head = e.position;
        last_at = Some(e.recorded_at);
        versions.insert(e.stream_id, e.version);
        ids.insert(e.id);
        summary.imported += 1;
        in_batch += 1;
        if in_batch >= 10_000 {
            db.apply_batch(std::mem::take(&mut batch)).map_err(io_err)?;
            in_batch = 0;
        }
    }
    db.apply_batch(batch).map_err(io_err)?;
    if summary.imported > 0 {
        // Events up to here came from a backup, without idempotency records.
        db.insert(key(META, &[IMPORTED_THROUGH]), &head.to_be_bytes())
            .map_err(io_err)?;
    }
    // Durable as an append is: blob files (none with the current segment
    // size), the log, the directory entries sled created.
    let mut files = super::files::FileSync::open(path)?;
    let fsync_failed = |e: std::io::Error| StoreError::Unavailable(format!("fsync failed: {e}"));
    files.sync_blobs().map_err(fsync_failed)?;
    db.flush().map_err(io_err)?;
    files.sync_blobs().map_err(fsync_failed)?;
    files.sync_data().map_err(fsync_failed)?;
    drop(db);
    super::files::wait_released(path, std::time::Duration::from_secs(10));
    summary.head = head;
    Ok(summary)
}
