//! The node's copy of the log: every committed event as stored (a format
//! byte and the JSON, the bytes `encode_stored` gives), with the indexes staging and the
//! trait's synchronous reads need. It is filled only from what PostgreSQL
//! committed, in position order, so it is always a prefix of the log.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::super::staging::{decode, IdempotencyRecord, StoreView};
use super::super::{AppendOutcome, RecordedEvent, StoreError, StoreResult};

#[derive(Default)]
pub(super) struct Cache {
    /// Event at position `i + 1`, encoded.
    events: Vec<Box<[u8]>>,
    /// Positions of each stream's events, by version.
    streams: HashMap<Uuid, Vec<u64>>,
    ids: HashMap<Uuid, u64>,
    keys: HashMap<String, IdempotencyRecord>,
    last_recorded_at: Option<DateTime<Utc>>,
}

impl Cache {
    pub fn head(&self) -> u64 {
        self.events.len() as u64
    }

    pub fn last_recorded_at(&self) -> Option<DateTime<Utc>> {
        self.last_recorded_at
    }

    /// Adds the next event of the log. Refuses anything but `head + 1` and a
    /// stream version that is not the stream's next.
    pub fn push(&mut self, record: &RecordedEvent, bytes: Box<[u8]>) -> StoreResult<()> {
        if record.position != self.head() + 1 {
            return Err(StoreError::Corrupt(format!(
                "expected position {}, found {}",
                self.head() + 1,
                record.position
            )));
        }
        let versions = self.streams.entry(record.stream_id).or_default();
        if record.version != versions.len() as u64 + 1 {
            return Err(StoreError::Corrupt(format!(
                "stream {} jumps from version {} to {}",
                record.stream_id,
                versions.len(),
                record.version
            )));
        }
        versions.push(record.position);
        self.ids.insert(record.id, record.position);
        self.last_recorded_at = Some(record.recorded_at);
        self.events.push(bytes);
        Ok(())
    }

    pub fn insert_key(&mut self, key: String, record: IdempotencyRecord) {
        self.keys.insert(key, record);
    }

    pub fn bytes_at(&self, position: u64) -> Option<&[u8]> {
        position
            .checked_sub(1)
            .and_then(|i| self.events.get(i as usize))
            .map(|b| &b[..])
    }

    /// Positions of a stream's events from `from_version` on, at most `limit`.
    pub fn stream_positions(&self, stream_id: Uuid, from_version: u64, limit: usize) -> Vec<u64> {
        self.streams.get(&stream_id).map_or_else(Vec::new, |v| {
            v.iter()
                .skip(from_version.saturating_sub(1) as usize)
                .take(limit)
                .copied()
                .collect()
        })
    }

    pub fn idempotency(&self, key: &str) -> Option<(String, AppendOutcome)> {
        self.keys
            .get(key)
            .map(|r| (r.fingerprint.clone(), r.outcome.clone()))
    }
}

impl StoreView for Cache {
    fn stored_stream_version(&self, stream_id: Uuid) -> StoreResult<u64> {
        Ok(self.streams.get(&stream_id).map_or(0, |v| v.len() as u64))
    }
    fn stored_event_position(&self, event_id: Uuid) -> StoreResult<Option<u64>> {
        Ok(self.ids.get(&event_id).copied())
    }
    fn stored_idempotency(&self, key: &str) -> StoreResult<Option<IdempotencyRecord>> {
        Ok(self.keys.get(key).cloned())
    }
    fn stored_event(&self, position: u64) -> StoreResult<Option<RecordedEvent>> {
        self.bytes_at(position).map(decode).transpose()
    }
}
