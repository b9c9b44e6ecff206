//! The event store: the only place where mag-tracker's state is kept.
//!
//! Every change to an agenda is an immutable [`RecordedEvent`] in one global,
//! gap-free log. Current state and any past state are projections of that log.
//! This module defines the contract ([`EventStore`]) and two implementations
//! with the same semantics: [`SledStore`] (production, durable, group commit)
//! and [`MemoryStore`] (tests). The validation rules every append goes through
//! (expected versions, idempotency, size limits) live once, in [`staging`], so
//! both implementations decide identically.

mod envelope;
mod memory;
#[cfg(feature = "postgres")]
mod pg;
mod select;
mod sled_store;
mod staging;

use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use chrono::{DateTime, Utc};
use tokio::sync::{oneshot, watch};
use uuid::Uuid;

pub use envelope::{
    Actor, ActorKind, AppendOutcome, AppendRequest, ExpectedVersion, IdempotencyClaim, Metadata,
    NewEvent, RecordedEvent, StreamAppend, StreamOutcome, ENVELOPE_VERSION,
};
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub(crate) use pg::{connect as pg_connect, Target as PgTarget};
#[cfg(feature = "postgres")]
pub use pg::{create_database, drop_database, import_events_pg, PgOptions, PgStore};
pub use select::{describe, open_store, DatabaseArg};

/// Decodes an event record as the sled store keeps it (format byte + JSON).
pub fn decode_stored(bytes: &[u8]) -> StoreResult<RecordedEvent> {
    staging::decode(bytes)
}

/// Encodes an event record as the sled store keeps it.
pub fn encode_stored(event: &RecordedEvent) -> Vec<u8> {
    staging::encode(event)
}
pub use sled_store::{
    import_events, inline_limit, Durability, ImportSummary, SledOptions, SledStore,
    LEGACY_SEGMENT_SIZE, SEGMENT_SIZE,
};

/// Largest serialized event (envelope included) the store accepts.
pub const MAX_EVENT_BYTES: usize = 64 * 1024;
/// Most events one append may carry (an agenda import is a few hundred).
pub const MAX_EVENTS_PER_APPEND: usize = 10_000;

/// Everything that can go wrong in the store, in terms a caller can act on.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum StoreError {
    /// The stream is not at the version the caller expected.
    #[error("stream {stream_id} is at version {actual}, expected {expected}")]
    Conflict {
        stream_id: Uuid,
        expected: ExpectedVersion,
        actual: u64,
    },
    /// The same idempotency key was used before for a different request.
    #[error("idempotency key {key:?} was already used for a different request")]
    IdempotencyMismatch { key: String },
    /// Some, but not all, event ids of the append were stored before.
    #[error("event {event_id} was already stored as part of another append")]
    PartialDuplicate { event_id: Uuid },
    #[error("event of {size} bytes exceeds the limit of {limit} bytes")]
    EventTooLarge { size: usize, limit: usize },
    #[error("invalid append: {0}")]
    Invalid(String),
    /// The data directory is held by another process.
    #[error("data directory {path} is in use by another process (is another `mag-tracker serve` running on it?)")]
    Locked { path: String },
    /// Storage could not write (disk full, I/O error). Nothing of this append is acknowledged.
    #[error("the store cannot write: {0}")]
    Unavailable(String),
    /// A stored event could not be read back or the log is damaged.
    #[error("the log is damaged: {0}")]
    Corrupt(String),
    /// A setting of the store is unusable (e.g. `--database-ca-file`); the
    /// message names it.
    #[error("{0}")]
    Setup(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Receives every committed event, in position order, before the append is
/// acknowledged. This is how projections stay read-your-writes consistent.
/// Implementations must not fail and must be quick.
pub trait CommitListener: Send + Sync {
    fn committed(&self, events: &[RecordedEvent]);
}

/// The listeners of one store, told of each committed group in turn (the
/// same for every store: sled, PostgreSQL, memory).
#[derive(Default)]
pub struct Listeners(std::sync::RwLock<Vec<Arc<dyn CommitListener>>>);

impl Listeners {
    pub fn add(&self, listener: Arc<dyn CommitListener>) {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(listener);
    }

    /// Tells every listener of `events` (committed, in position order).
    pub fn tell(&self, events: &[RecordedEvent]) {
        for l in self.0.read().unwrap_or_else(|e| e.into_inner()).iter() {
            l.committed(events);
        }
    }
}

/// The store contract. Both implementations pass the same test suite.
pub trait EventStore: Send + Sync {
    /// Appends events to one or more streams atomically. The returned future
    /// resolves once the events are durable (or the append was refused).
    fn append(&self, request: AppendRequest) -> PendingAppend;
    /// Position of the last committed event (0 when empty).
    fn head(&self) -> u64;
    /// A receiver that observes the head position as it advances.
    fn watch_head(&self) -> watch::Receiver<u64>;
    /// Version of a stream (0 when it does not exist).
    fn stream_version(&self, stream_id: Uuid) -> StoreResult<u64>;
    /// Events of one stream with version >= `from_version`, at most `limit`.
    fn read_stream(
        &self,
        stream_id: Uuid,
        from_version: u64,
        limit: usize,
    ) -> StoreResult<Vec<RecordedEvent>>;
    /// Events of one stream at positions up to and including `until`, in
    /// order: the stream as it was after the event at `until`.
    fn read_stream_until(&self, stream_id: Uuid, until: u64) -> StoreResult<Vec<RecordedEvent>> {
        const CHUNK: usize = 512;
        let mut out: Vec<RecordedEvent> = Vec::new();
        loop {
            let chunk = self.read_stream(stream_id, out.len() as u64 + 1, CHUNK)?;
            let full = chunk.len() == CHUNK;
            for e in chunk {
                if e.position > until {
                    return Ok(out);
                }
                out.push(e);
            }
            if !full {
                return Ok(out);
            }
        }
    }
    /// Calls `f` for every event with `after < position <= until`, in order.
    /// Fails with [`StoreError::Corrupt`] when a position is missing.
    fn scan(
        &self,
        after: u64,
        until: u64,
        f: &mut dyn FnMut(RecordedEvent) -> ControlFlow<()>,
    ) -> StoreResult<()>;
    /// Like [`EventStore::scan`], but hands over each event as stored (the
    /// bytes of [`encode_stored`], undecoded) with its position, for readers
    /// that decode it themselves (the projections' replay). Fails with
    /// [`StoreError::Corrupt`] when a position is missing; the caller checks
    /// that the record says the same position.
    fn scan_stored(
        &self,
        after: u64,
        until: u64,
        f: &mut dyn FnMut(u64, &[u8]) -> ControlFlow<()>,
    ) -> StoreResult<()> {
        let mut bytes = Vec::new();
        self.scan(after, until, &mut |e| {
            bytes.clear();
            bytes.push(staging::FORMAT_JSON);
            serde_json::to_writer(&mut bytes, &e).expect("serializing an envelope cannot fail");
            f(e.position, &bytes)
        })
    }
    /// The event at a position, if any.
    fn event_at(&self, position: u64) -> StoreResult<Option<RecordedEvent>>;
    /// Registers a listener for committed events (see [`CommitListener`]).
    fn add_listener(&self, listener: Arc<dyn CommitListener>);
    /// The fingerprint and outcome stored for an idempotency key, if any.
    fn idempotency_record(&self, key: &str) -> StoreResult<Option<(String, AppendOutcome)>>;
    /// Stops accepting appends, waits for those queued, and releases what
    /// the store holds (for the sled store: its threads and the directory,
    /// so the next command can open it at once). Later calls fail with
    /// [`StoreError::Unavailable`]. Nothing to do for the in-memory store.
    fn close(&self) {}

    /// The last position written by `import-events` (0 if none): events up
    /// to it came from a backup, which carries no idempotency records.
    fn imported_through(&self) -> StoreResult<u64> {
        Ok(0)
    }

    /// Up to `limit` events after `after`, in order.
    fn read_all(&self, after: u64, limit: usize) -> StoreResult<Vec<RecordedEvent>> {
        let mut out = Vec::with_capacity(limit.min(1024));
        if limit == 0 {
            return Ok(out);
        }
        self.scan(after, self.head(), &mut |e| {
            out.push(e);
            if out.len() >= limit {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })?;
        Ok(out)
    }

    /// The last position recorded at or before `instant` (0 if none).
    /// Recorded instants never decrease along the log, so this is a binary search.
    fn position_at(&self, instant: DateTime<Utc>) -> StoreResult<u64> {
        let (mut lo, mut hi) = (0u64, self.head());
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            let event = self
                .event_at(mid)?
                .ok_or_else(|| StoreError::Corrupt(format!("position {mid} is missing")))?;
            if event.recorded_at <= instant {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Ok(lo)
    }
}

/// An append on its way to disk. `.await` it in async code, or call
/// [`PendingAppend::wait`] from a plain thread (never inside a runtime).
pub struct PendingAppend {
    rx: oneshot::Receiver<StoreResult<AppendOutcome>>,
}

impl PendingAppend {
    pub(crate) fn channel() -> (oneshot::Sender<StoreResult<AppendOutcome>>, Self) {
        let (tx, rx) = oneshot::channel();
        (tx, Self { rx })
    }

    pub(crate) fn ready(result: StoreResult<AppendOutcome>) -> Self {
        let (tx, pending) = Self::channel();
        let _ = tx.send(result);
        pending
    }

    /// Blocks the current thread until the append is decided.
    pub fn wait(self) -> StoreResult<AppendOutcome> {
        self.rx.blocking_recv().unwrap_or_else(|_| {
            Err(StoreError::Unavailable(
                "the store's writer stopped".to_owned(),
            ))
        })
    }
}

impl Future for PendingAppend {
    type Output = StoreResult<AppendOutcome>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.rx).poll(cx).map(|r| {
            r.unwrap_or_else(|_| {
                Err(StoreError::Unavailable(
                    "the store's writer stopped".to_owned(),
                ))
            })
        })
    }
}
