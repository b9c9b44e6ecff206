//! The production store: one sled tree, one writer thread, group commit.
//!
//! Key layout in the single tree (one tree so that `apply_batch` makes a
//! whole group atomic without a multi-tree transaction):
//!
//! | key                               | value                        |
//! |-----------------------------------|------------------------------|
//! | `e` + position (u64 BE)           | encoded [`RecordedEvent`]    |
//! | `s` + stream id (16) + version BE | position (u64 BE)            |
//! | `i` + event id (16)               | position (u64 BE)            |
//! | `k` + idempotency key             | JSON idempotency record      |
//! | `m` + `imported-through`          | last position `import-events` wrote |
//!
//! All appends go through a two-stage pipeline. The writer thread takes every
//! append that is waiting (up to a limit), validates them in order with
//! [`Staging`] and applies the accepted ones to sled in one atomic batch. The
//! flusher thread then makes everything applied so far durable with one
//! `flush` and one `fdatasync` of the data file (unless told otherwise),
//! tells the listeners group by group, and only then acknowledges. While the
//! flusher waits for the disk, the writer prepares the next group, so one
//! flush often covers several groups. Readers never see beyond the
//! acknowledged head; an I/O error in either stage refuses every append not
//! yet acknowledged and every later one until the store is reopened.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Instant;

use chrono::{DateTime, Utc};
use tokio::sync::{oneshot, watch};
use uuid::Uuid;

use super::staging::{decode, IdempotencyRecord, Staging, StoreView};

mod files;
mod import;
use super::{
    AppendOutcome, AppendRequest, CommitListener, EventStore, PendingAppend, RecordedEvent,
    StoreError, StoreResult, StreamOutcome,
};
pub use files::{inline_limit, LEGACY_SEGMENT_SIZE, SEGMENT_SIZE};
pub use import::{import_events, ImportSummary};

const EVENT: u8 = b'e';
const STREAM: u8 = b's';
const EVENT_ID: u8 = b'i';
const IDEM_KEY: u8 = b'k';
/// Facts about the store itself: `m` + name.
const META: u8 = b'm';
/// The last position `import-events` wrote (u64 BE): events up to it were
/// restored from a backup, which carries no idempotency records.
const IMPORTED_THROUGH: &[u8] = b"imported-through";

/// How far an acknowledged append has gone towards the platter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Durability {
    /// sled `flush()` then `fdatasync` of the data file: survives power loss
    /// as far as the disk honours fsync. The default.
    Fsync,
    /// sled `flush()` only (`sync_file_range`): survives a process crash,
    /// not necessarily power loss. For benchmarks that say so.
    Flush,
}

#[derive(Debug, Clone)]
pub struct SledOptions {
    pub durability: Durability,
    /// sled's page cache in bytes (sled's own default, 1 GiB, is too big).
    pub cache_capacity: u64,
    /// Most appends one group commit takes.
    pub max_group: usize,
    /// Segment size for a *new* store (default [`SEGMENT_SIZE`]); an
    /// existing store keeps the one it was created with.
    pub segment_size: Option<usize>,
}

impl Default for SledOptions {
    fn default() -> Self {
        Self {
            durability: Durability::Fsync,
            cache_capacity: 128 * 1024 * 1024,
            max_group: 512,
            segment_size: None,
        }
    }
}

struct Job {
    request: AppendRequest,
    reply: oneshot::Sender<StoreResult<AppendOutcome>>,
}

struct Shared {
    /// `None` once the store is closed.
    db: RwLock<Option<sled::Db>>,
    head: watch::Sender<u64>,
    listeners: super::Listeners,
    /// Set when a write failed; appends are refused until the store is reopened.
    broken: AtomicBool,
    /// Durable commits (flush + fdatasync) done so far.
    syncs: AtomicU64,
    /// What `--durability fsync` fsyncs besides the flush (none with `flush`).
    files: Option<Mutex<files::FileSync>>,
}

/// The durable, sled-backed event store.
pub struct SledStore {
    shared: Arc<Shared>,
    sender: RwLock<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    path: PathBuf,
}

fn key(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + parts.iter().map(|p| p.len()).sum::<usize>());
    k.push(prefix);
    for p in parts {
        k.extend_from_slice(p);
    }
    k
}

fn event_key(position: u64) -> Vec<u8> {
    key(EVENT, &[&position.to_be_bytes()])
}

fn u64_from(bytes: &[u8]) -> StoreResult<u64> {
    bytes
        .try_into()
        .map(u64::from_be_bytes)
        .map_err(|_| StoreError::Corrupt("malformed index entry".to_owned()))
}

fn io_err(e: sled::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl Shared {
    /// A handle on sled (an `Arc` clone), or `Unavailable` once closed.
    fn db(&self) -> StoreResult<sled::Db> {
        self.db
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| StoreError::Unavailable("the store is closed".into()))
    }
}

impl StoreView for sled::Db {
    fn stored_stream_version(&self, stream_id: Uuid) -> StoreResult<u64> {
        match self
            .scan_prefix(key(STREAM, &[stream_id.as_bytes()]))
            .next_back()
        {
            None => Ok(0),
            Some(Ok((k, _))) => u64_from(&k[17..]),
            Some(Err(e)) => Err(io_err(e)),
        }
    }
    fn stored_event_position(&self, event_id: Uuid) -> StoreResult<Option<u64>> {
        match self
            .get(key(EVENT_ID, &[event_id.as_bytes()]))
            .map_err(io_err)?
        {
            Some(v) => Ok(Some(u64_from(&v)?)),
            None => Ok(None),
        }
    }
    fn stored_idempotency(&self, k: &str) -> StoreResult<Option<IdempotencyRecord>> {
        let Some(v) = self.get(key(IDEM_KEY, &[k.as_bytes()])).map_err(io_err)? else {
            return Ok(None);
        };
        let mut record: IdempotencyRecord = serde_json::from_slice(&v)
            .map_err(|e| StoreError::Corrupt(format!("idempotency record: {e}")))?;
        if record.streams_in_log {
            record.outcome.streams = streams_in_log(self, &record.outcome)?;
            record.streams_in_log = false;
        }
        Ok(Some(record))
    }
    fn stored_event(&self, position: u64) -> StoreResult<Option<RecordedEvent>> {
        match self.get(event_key(position)).map_err(io_err)? {
            Some(v) => decode(&v).map(Some),
            None => Ok(None),
        }
    }
}

/// Idempotency records larger than this are stored without their list of
/// streams (read back from the log), so none exceeds ~1 KiB (a key of at
/// most 512 bytes, a fingerprint, two positions) however many streams an
/// append touched: an import of 10,000 streams would otherwise store a
/// record of ~600 KB, which sled would write to an unsynced blob file.
const IDEMPOTENCY_INLINE_BYTES: usize = 4 * 1024;

/// The bytes stored for an idempotency record.
fn idempotency_value(record: &IdempotencyRecord) -> Vec<u8> {
    let full = serde_json::to_vec(record).expect("idempotency record serializes");
    if full.len() <= IDEMPOTENCY_INLINE_BYTES {
        return full;
    }
    let compact = IdempotencyRecord {
        fingerprint: record.fingerprint.clone(),
        outcome: AppendOutcome {
            streams: Vec::new(),
            ..record.outcome.clone()
        },
        streams_in_log: true,
    };
    serde_json::to_vec(&compact).expect("idempotency record serializes")
}

/// The streams of an append, in order, with the version each reached: what
/// [`AppendOutcome::streams`] said, read back from its events (an append
/// places its streams' events one stream after another).
fn streams_in_log(db: &sled::Db, outcome: &AppendOutcome) -> StoreResult<Vec<StreamOutcome>> {
    let mut streams: Vec<StreamOutcome> = Vec::new();
    for position in outcome.first_position..=outcome.last_position {
        let event = db.stored_event(position)?.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "idempotency record names missing position {position}"
            ))
        })?;
        match streams.last_mut() {
            Some(s) if s.stream_id == event.stream_id => s.version = event.version,
            _ => streams.push(StreamOutcome {
                stream_id: event.stream_id,
                version: event.version,
            }),
        }
    }
    Ok(streams)
}

/// Most stream versions the writer keeps in memory; past this the cache is
/// emptied and refills from sled on demand (correctness never depends on it).
const VERSION_CACHE_LIMIT: usize = 1_000_000;

/// What staging reads while the writer decides a group: sled, with the
/// writer's cache of committed stream versions in front of the stream index
/// (a reverse prefix scan per lookup otherwise). Only the writer thread
/// writes, so a cached version is always the committed one.
struct CachedView<'a> {
    db: &'a sled::Db,
    versions: &'a RefCell<HashMap<Uuid, u64>>,
}

impl StoreView for CachedView<'_> {
    fn stored_stream_version(&self, stream_id: Uuid) -> StoreResult<u64> {
        if let Some(v) = self.versions.borrow().get(&stream_id) {
            return Ok(*v);
        }
        let v = self.db.stored_stream_version(stream_id)?;
        self.versions.borrow_mut().insert(stream_id, v);
        Ok(v)
    }
    fn stored_event_position(&self, event_id: Uuid) -> StoreResult<Option<u64>> {
        self.db.stored_event_position(event_id)
    }
    fn stored_idempotency(&self, key: &str) -> StoreResult<Option<IdempotencyRecord>> {
        self.db.stored_idempotency(key)
    }
    fn stored_event(&self, position: u64) -> StoreResult<Option<RecordedEvent>> {
        self.db.stored_event(position)
    }
}

impl SledStore {
    /// Opens (or creates) the store in `path`. Fails with
    /// [`StoreError::Locked`] when another process holds the directory.
    pub fn open(path: impl AsRef<Path>, options: SledOptions) -> StoreResult<Self> {
        let path = path.as_ref().to_path_buf();
        std::fs::create_dir_all(&path).map_err(|e| {
            StoreError::Unavailable(format!("cannot create {}: {e}", path.display()))
        })?;
        let db = files::open_db(&path, options.cache_capacity, options.segment_size)?;
        let (head, last_at) = match db.scan_prefix([EVENT]).next_back() {
            None => (0, None),
            Some(Ok((k, v))) => (u64_from(&k[1..])?, Some(decode(&v)?.recorded_at)),
            Some(Err(e)) => return Err(io_err(e)),
        };
        let files = match options.durability {
            Durability::Fsync => Some(Mutex::new(files::FileSync::open(&path)?)),
            Durability::Flush => None,
        };
        let shared = Arc::new(Shared {
            db: RwLock::new(Some(db.clone())),
            head: watch::channel(head).0,
            listeners: Default::default(),
            broken: AtomicBool::new(false),
            syncs: AtomicU64::new(0),
            files,
        });
        let (sender, receiver) = mpsc::channel();
        let writer_shared = shared.clone();
        let writer = std::thread::Builder::new()
            .name("event-store-writer".into())
            .spawn(move || {
                Writer {
                    committer: Arc::new(Committer {
                        shared: writer_shared.clone(),
                        db: db.clone(),
                        in_flight: AtomicU64::new(0),
                    }),
                    shared: writer_shared,
                    db,
                    receiver,
                    head,
                    last_at,
                    max_group: options.max_group.max(1),
                    versions: RefCell::new(HashMap::new()),
                }
                .run()
            })
            .map_err(|e| StoreError::Unavailable(format!("cannot start writer: {e}")))?;
        Ok(Self {
            shared,
            sender: RwLock::new(Some(sender)),
            writer: Mutex::new(Some(writer)),
            path,
        })
    }

    /// Up to `limit` events of a stream from `from_version` on, at
    /// positions up to `until`: the position in the stream index decides
    /// before an event is read and decoded.
    fn stream_events(
        &self,
        stream_id: Uuid,
        from_version: u64,
        limit: usize,
        until: u64,
    ) -> StoreResult<Vec<RecordedEvent>> {
        let start = key(
            STREAM,
            &[stream_id.as_bytes(), &from_version.max(1).to_be_bytes()],
        );
        let end = key(STREAM, &[stream_id.as_bytes(), &u64::MAX.to_be_bytes()]);
        let mut out = Vec::new();
        let db = self.shared.db()?;
        for entry in db.range(start..=end) {
            if out.len() >= limit {
                break;
            }
            let (_, v) = entry.map_err(io_err)?;
            let position = u64_from(&v)?;
            if position > until {
                break;
            }
            let event = db.stored_event(position)?.ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "stream index points at missing position {position}"
                ))
            })?;
            out.push(event);
        }
        Ok(out)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops the writer after the appends already queued (joining the
    /// writer and flusher threads), flushes, drops sled's `Db` and waits
    /// until sled has let go of the directory: when this returns, the
    /// directory can be opened again at once. Reads and appends after it
    /// fail with `Unavailable`. Closing twice is harmless.
    pub fn close(&self) {
        self.sender
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(w) = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = w.join();
        }
        let db = self
            .shared
            .db
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(db) = db {
            let _ = db.flush();
            drop(db);
            files::wait_released(&self.path, std::time::Duration::from_secs(10));
            // sled's last flush (when its `Db` went) may have moved pages,
            // also into new blob files: make that durable too.
            if let Some(files) = &self.shared.files {
                let mut files = files.lock().unwrap_or_else(|e| e.into_inner());
                if let Err(error) = files.sync_blobs().and_then(|()| files.sync_data()) {
                    tracing::error!(%error, "fsync after closing the store failed");
                }
            }
        }
    }

    /// How many durable commits (one flush, plus `fdatasync`, for one or more
    /// groups) the store has made since it was opened.
    pub fn sync_count(&self) -> u64 {
        self.shared.syncs.load(Ordering::Relaxed)
    }

    /// The last position written by `import-events` (0 if none): events up
    /// to it came from a backup, which carries no idempotency records.
    pub fn imported_through(&self) -> StoreResult<u64> {
        match self
            .shared
            .db()?
            .get(key(META, &[IMPORTED_THROUGH]))
            .map_err(io_err)?
        {
            Some(v) => u64_from(&v),
            None => Ok(0),
        }
    }

    /// Bytes sled uses on disk.
    pub fn size_on_disk(&self) -> u64 {
        self.shared
            .db()
            .and_then(|db| db.size_on_disk().map_err(io_err))
            .unwrap_or(0)
    }
}

impl Drop for SledStore {
    fn drop(&mut self) {
        self.close();
    }
}

/// The first stage of the commit pipeline: takes queued appends, validates
/// them as a group and applies the accepted events to sled (not yet durable),
/// then hands the group to the [`Flusher`]. While the flusher waits for the
/// disk, the next group is already being validated and applied.
struct Writer {
    shared: Arc<Shared>,
    db: sled::Db,
    receiver: mpsc::Receiver<Job>,
    committer: Arc<Committer>,
    /// Applied (not necessarily durable) head; staging builds on it.
    head: u64,
    last_at: Option<DateTime<Utc>>,
    max_group: usize,
    /// Version per stream as applied (see [`CachedView`]).
    versions: RefCell<HashMap<Uuid, u64>>,
}

/// A group that went through staging, with what must happen once it is
/// durable.
struct Applied {
    committed: Vec<RecordedEvent>,
    new_head: u64,
    replies: Vec<oneshot::Sender<StoreResult<AppendOutcome>>>,
    results: Vec<StoreResult<AppendOutcome>>,
    appends: usize,
    started: Instant,
}

/// Groups applied but not yet durable that the flusher may hold; the writer
/// waits when this many are queued (back-pressure instead of memory growth).
const PIPELINE_DEPTH: usize = 4;

impl Writer {
    fn run(mut self) {
        let (to_flusher, from_writer) = mpsc::sync_channel::<Applied>(PIPELINE_DEPTH);
        let flusher = Flusher {
            committer: self.committer.clone(),
            receiver: from_writer,
        };
        let flusher = std::thread::Builder::new()
            .name("event-store-flusher".into())
            .spawn(move || flusher.run())
            .expect("the event store's flusher thread starts");
        // A job taken while deciding whether to commit inline (below).
        let mut next: Option<Job> = None;
        loop {
            let first = match next.take() {
                Some(job) => job,
                None => match self.receiver.recv() {
                    Ok(job) => job,
                    Err(_) => break,
                },
            };
            let mut jobs = vec![first];
            while jobs.len() < self.max_group {
                match self.receiver.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            let applied = self.stage_and_apply(jobs);
            // Nothing else is waiting and the flusher is idle: make this
            // group durable here instead of handing it over. This saves a
            // thread hand-off on the latency of a lone appender; under load
            // the pipeline below overlaps applying with syncing.
            if self.committer.in_flight.load(Ordering::Acquire) == 0 {
                match self.receiver.try_recv() {
                    Err(mpsc::TryRecvError::Empty) => {
                        self.committer.commit(vec![applied]);
                        continue;
                    }
                    Ok(job) => next = Some(job),
                    Err(mpsc::TryRecvError::Disconnected) => {}
                }
            }
            self.committer.in_flight.fetch_add(1, Ordering::AcqRel);
            if let Err(mpsc::SendError(applied)) = to_flusher.send(applied) {
                self.committer.in_flight.fetch_sub(1, Ordering::AcqRel);
                fail_all(
                    applied.replies,
                    &StoreError::Unavailable("the store's flusher stopped".into()),
                );
            }
        }
        drop(to_flusher);
        let _ = flusher.join();
    }

    fn stage_and_apply(&mut self, jobs: Vec<Job>) -> Applied {
        let started = Instant::now();
        let appends = jobs.len();
        let mut replies = Vec::with_capacity(jobs.len());
        if self.shared.broken.load(Ordering::Acquire) {
            let error = broken_error();
            return Applied {
                committed: Vec::new(),
                new_head: self.head,
                results: jobs.iter().map(|_| Err(error.clone())).collect(),
                replies: jobs.into_iter().map(|j| j.reply).collect(),
                appends,
                started,
            };
        }
        let now = Utc::now();
        let view = CachedView {
            db: &self.db,
            versions: &self.versions,
        };
        let mut staging = Staging::new(&view, self.head, self.last_at);
        let mut results: Vec<StoreResult<AppendOutcome>> = Vec::with_capacity(jobs.len());
        for job in jobs {
            results.push(staging.stage(job.request, now));
            replies.push(job.reply);
        }
        let new_head = staging.head();
        let new_last = staging.last_recorded_at();
        let staged = std::mem::take(&mut staging.events);
        let keys = std::mem::take(&mut staging.new_keys);
        drop(staging);

        if staged.is_empty() {
            return Applied {
                committed: Vec::new(),
                new_head: self.head,
                replies,
                results,
                appends,
                started,
            };
        }
        let mut batch = sled::Batch::default();
        for e in &staged {
            let r = &e.record;
            let pos = r.position.to_be_bytes();
            batch.insert(event_key(r.position), e.bytes.as_slice());
            batch.insert(
                key(STREAM, &[r.stream_id.as_bytes(), &r.version.to_be_bytes()]),
                &pos,
            );
            batch.insert(key(EVENT_ID, &[r.id.as_bytes()]), &pos);
        }
        for (k, record) in &keys {
            batch.insert(key(IDEM_KEY, &[k.as_bytes()]), idempotency_value(record));
        }
        if let Err(error) = self.db.apply_batch(batch).map_err(io_err) {
            tracing::error!(%error, events = staged.len(), "event store write failed; refusing further writes");
            self.shared.broken.store(true, Ordering::Release);
            return Applied {
                committed: Vec::new(),
                new_head: self.head,
                results: replies.iter().map(|_| Err(error.clone())).collect(),
                replies,
                appends,
                started,
            };
        }
        self.head = new_head;
        self.last_at = new_last;
        {
            let mut versions = self.versions.borrow_mut();
            if versions.len() > VERSION_CACHE_LIMIT {
                versions.clear();
            }
            for e in &staged {
                versions.insert(e.record.stream_id, e.record.version);
            }
        }
        Applied {
            committed: staged.into_iter().map(|e| e.record).collect(),
            new_head,
            replies,
            results,
            appends,
            started,
        }
    }
}

fn broken_error() -> StoreError {
    StoreError::Unavailable(
        "an earlier write failed; restart the server once the disk has room".into(),
    )
}

fn fail_all(replies: Vec<oneshot::Sender<StoreResult<AppendOutcome>>>, error: &StoreError) {
    for reply in replies {
        let _ = reply.send(Err(error.clone()));
    }
}

/// The second stage: makes applied groups durable with one flush (+
/// `fdatasync`) for everything queued, then, group by group in order, tells
/// the listeners, advances the visible head and acknowledges.
struct Flusher {
    committer: Arc<Committer>,
    receiver: mpsc::Receiver<Applied>,
}

impl Flusher {
    fn run(self) {
        while let Ok(first) = self.receiver.recv() {
            let mut groups = vec![first];
            while let Ok(next) = self.receiver.try_recv() {
                groups.push(next);
            }
            let n = groups.len() as u64;
            self.committer.commit(groups);
            self.committer.in_flight.fetch_sub(n, Ordering::AcqRel);
        }
    }
}

/// Makes applied groups durable and acknowledges them, in order. Used by
/// the flusher thread, and by the writer itself when the flusher is idle
/// (`in_flight == 0`), so the two never commit at the same time.
struct Committer {
    shared: Arc<Shared>,
    db: sled::Db,
    /// Groups handed to the flusher and not yet acknowledged.
    in_flight: AtomicU64,
}

impl Committer {
    fn commit(&self, groups: Vec<Applied>) {
        let writes = groups.iter().any(|g| !g.committed.is_empty());
        let failure = if !writes {
            None
        } else if self.shared.broken.load(Ordering::Acquire) {
            Some(broken_error())
        } else {
            self.sync().err()
        };
        if let Some(error) = &failure {
            tracing::error!(%error, "event store flush failed; refusing further writes");
            self.shared.broken.store(true, Ordering::Release);
        }
        for group in groups {
            self.finish(group, failure.as_ref());
        }
    }

    /// Blob files (before the log that points at them, and again after
    /// the flush in case sled wrote one meanwhile), the flush, then
    /// `fdatasync` of the `db` file.
    fn sync(&self) -> StoreResult<()> {
        let fsync_failed =
            |e: std::io::Error| StoreError::Unavailable(format!("fsync failed: {e}"));
        let mut files = self
            .shared
            .files
            .as_ref()
            .map(|f| f.lock().unwrap_or_else(|e| e.into_inner()));
        if let Some(files) = files.as_mut() {
            files.sync_blobs().map_err(fsync_failed)?;
        }
        self.db.flush().map_err(io_err)?;
        if let Some(files) = files.as_mut() {
            files.sync_blobs().map_err(fsync_failed)?;
            files.sync_data().map_err(fsync_failed)?;
        }
        self.shared.syncs.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn finish(&self, group: Applied, failure: Option<&StoreError>) {
        if let Some(error) = failure {
            // Even a group that wrote nothing may refer to an event of this
            // flush (a retried idempotency key): nothing is acknowledged.
            fail_all(group.replies, error);
            return;
        }
        if !group.committed.is_empty() {
            self.shared.listeners.tell(&group.committed);
            self.shared.head.send_replace(group.new_head);
            tracing::trace!(
                events = group.committed.len(),
                appends = group.appends,
                micros = group.started.elapsed().as_micros() as u64,
                "group committed"
            );
        }
        for (reply, result) in group.replies.into_iter().zip(group.results) {
            let _ = reply.send(result);
        }
    }
}

impl EventStore for SledStore {
    fn append(&self, request: AppendRequest) -> PendingAppend {
        let (reply, pending) = PendingAppend::channel();
        let sender = self.sender.read().unwrap_or_else(|e| e.into_inner());
        match sender.as_ref() {
            Some(s) => {
                if let Err(mpsc::SendError(job)) = s.send(Job { request, reply }) {
                    let _ = job.reply.send(Err(StoreError::Unavailable(
                        "the store's writer stopped".into(),
                    )));
                }
            }
            None => {
                let _ = reply.send(Err(StoreError::Unavailable("the store is closed".into())));
            }
        }
        pending
    }

    fn head(&self) -> u64 {
        *self.shared.head.borrow()
    }

    fn watch_head(&self) -> watch::Receiver<u64> {
        self.shared.head.subscribe()
    }

    fn stream_version(&self, stream_id: Uuid) -> StoreResult<u64> {
        // Only acknowledged versions: walk back past anything beyond the head.
        let head = self.head();
        for entry in self
            .shared
            .db()?
            .scan_prefix(key(STREAM, &[stream_id.as_bytes()]))
            .rev()
        {
            let (k, v) = entry.map_err(io_err)?;
            if u64_from(&v)? <= head {
                return u64_from(&k[17..]);
            }
        }
        Ok(0)
    }

    fn read_stream(
        &self,
        stream_id: Uuid,
        from_version: u64,
        limit: usize,
    ) -> StoreResult<Vec<RecordedEvent>> {
        self.stream_events(stream_id, from_version, limit, self.head())
    }

    fn read_stream_until(&self, stream_id: Uuid, until: u64) -> StoreResult<Vec<RecordedEvent>> {
        self.stream_events(stream_id, 1, usize::MAX, until.min(self.head()))
    }

    fn scan(
        &self,
        after: u64,
        until: u64,
        f: &mut dyn FnMut(RecordedEvent) -> ControlFlow<()>,
    ) -> StoreResult<()> {
        // The gap checks are `scan_stored`'s; this adds decoding.
        super::staging::scan_decoded(|g| self.scan_stored(after, until, g), f)
    }

    fn scan_stored(
        &self,
        after: u64,
        until: u64,
        f: &mut dyn FnMut(u64, &[u8]) -> ControlFlow<()>,
    ) -> StoreResult<()> {
        let until = until.min(self.head());
        if until <= after {
            return Ok(());
        }
        let mut expected = after + 1;
        for entry in self
            .shared
            .db()?
            .range(event_key(after + 1)..=event_key(until))
        {
            let (k, v) = entry.map_err(io_err)?;
            let position = u64_from(&k[1..])?;
            if position != expected {
                return Err(StoreError::Corrupt(format!(
                    "gap in the log: expected position {expected}, found {position}"
                )));
            }
            expected += 1;
            if f(position, &v).is_break() {
                return Ok(());
            }
        }
        if expected != until + 1 {
            return Err(StoreError::Corrupt(format!(
                "gap in the log: position {expected} is missing"
            )));
        }
        Ok(())
    }

    fn event_at(&self, position: u64) -> StoreResult<Option<RecordedEvent>> {
        if position == 0 || position > self.head() {
            return Ok(None);
        }
        self.shared.db()?.stored_event(position)
    }

    fn idempotency_record(&self, key: &str) -> StoreResult<Option<(String, AppendOutcome)>> {
        let record = self.shared.db()?.stored_idempotency(key)?;
        // Only acknowledged records count (a failed group may have left one in memory).
        Ok(record
            .filter(|r| r.outcome.last_position <= self.head())
            .map(|r| (r.fingerprint, r.outcome)))
    }

    fn close(&self) {
        SledStore::close(self)
    }

    fn imported_through(&self) -> StoreResult<u64> {
        SledStore::imported_through(self)
    }

    fn add_listener(&self, listener: Arc<dyn CommitListener>) {
        self.shared.listeners.add(listener);
    }
}
