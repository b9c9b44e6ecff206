//! The in-memory store: same semantics as the sled store, no disk. Used by
//! tests and by projections that replay into a scratch store.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex, RwLock};

use chrono::Utc;
use tokio::sync::watch;
use uuid::Uuid;

use super::staging::{IdempotencyRecord, Staging, StoreView};
use super::{
    AppendRequest, CommitListener, EventStore, PendingAppend, RecordedEvent, StoreError,
    StoreResult,
};

#[derive(Default)]
struct Log {
    events: Vec<RecordedEvent>,
    streams: HashMap<Uuid, Vec<u64>>,
    ids: HashMap<Uuid, u64>,
    keys: HashMap<String, IdempotencyRecord>,
}

impl StoreView for Log {
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
        Ok(position
            .checked_sub(1)
            .and_then(|i| self.events.get(i as usize))
            .cloned())
    }
}

/// A store that keeps its log in memory.
pub struct MemoryStore {
    log: RwLock<Log>,
    /// Serializes appends so listeners see commits in order.
    writer: Mutex<()>,
    head: watch::Sender<u64>,
    listeners: super::Listeners,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    pub fn new() -> Self {
        Self {
            log: RwLock::new(Log::default()),
            writer: Mutex::new(()),
            head: watch::channel(0).0,
            listeners: Default::default(),
        }
    }

    fn append_now(&self, request: AppendRequest) -> StoreResult<super::AppendOutcome> {
        let _writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let (outcome, committed) = {
            let mut log = self.log.write().unwrap_or_else(|e| e.into_inner());
            let head = log.events.len() as u64;
            let last = log.events.last().map(|e| e.recorded_at);
            let mut staging = Staging::new(&*log, head, last);
            let outcome = staging.stage(request, Utc::now())?;
            let staged = std::mem::take(&mut staging.events);
            let keys = std::mem::take(&mut staging.new_keys);
            drop(staging);
            let mut committed = Vec::with_capacity(staged.len());
            for e in staged {
                let r = e.record;
                log.streams.entry(r.stream_id).or_default().push(r.position);
                log.ids.insert(r.id, r.position);
                committed.push(r.clone());
                log.events.push(r);
            }
            for (k, v) in keys {
                log.keys.insert(k, v);
            }
            (outcome, committed)
        };
        if !committed.is_empty() {
            self.listeners.tell(&committed);
            self.head.send_replace(outcome.last_position);
        }
        Ok(outcome)
    }
}

impl EventStore for MemoryStore {
    fn append(&self, request: AppendRequest) -> PendingAppend {
        PendingAppend::ready(self.append_now(request))
    }

    fn head(&self) -> u64 {
        *self.head.borrow()
    }

    fn watch_head(&self) -> watch::Receiver<u64> {
        self.head.subscribe()
    }

    fn stream_version(&self, stream_id: Uuid) -> StoreResult<u64> {
        self.log
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .stored_stream_version(stream_id)
    }

    fn read_stream(
        &self,
        stream_id: Uuid,
        from_version: u64,
        limit: usize,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let log = self.log.read().unwrap_or_else(|e| e.into_inner());
        let Some(positions) = log.streams.get(&stream_id) else {
            return Ok(Vec::new());
        };
        let skip = from_version.saturating_sub(1) as usize;
        Ok(positions
            .iter()
            .skip(skip)
            .take(limit)
            .map(|p| log.events[(*p - 1) as usize].clone())
            .collect())
    }

    fn scan(
        &self,
        after: u64,
        until: u64,
        f: &mut dyn FnMut(RecordedEvent) -> ControlFlow<()>,
    ) -> StoreResult<()> {
        let mut position = after;
        loop {
            // Copy in chunks so a slow callback never holds the lock for long.
            let chunk: Vec<RecordedEvent> = {
                let log = self.log.read().unwrap_or_else(|e| e.into_inner());
                let end = (until.min(log.events.len() as u64)) as usize;
                let start = (position as usize).min(end);
                log.events[start..end.min(start + 1024)].to_vec()
            };
            if chunk.is_empty() {
                return Ok(());
            }
            for event in chunk {
                if event.position != position + 1 {
                    return Err(StoreError::Corrupt(format!(
                        "expected position {}, found {}",
                        position + 1,
                        event.position
                    )));
                }
                position = event.position;
                if f(event).is_break() {
                    return Ok(());
                }
            }
        }
    }

    fn event_at(&self, position: u64) -> StoreResult<Option<RecordedEvent>> {
        self.log
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .stored_event(position)
    }

    fn idempotency_record(&self, key: &str) -> StoreResult<Option<(String, super::AppendOutcome)>> {
        let log = self.log.read().unwrap_or_else(|e| e.into_inner());
        Ok(log
            .keys
            .get(key)
            .map(|r| (r.fingerprint.clone(), r.outcome.clone())))
    }

    fn add_listener(&self, listener: Arc<dyn CommitListener>) {
        self.listeners.add(listener);
    }
}
