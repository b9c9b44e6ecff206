//! Read-model snapshots on disk, so `serve` starts by loading the model and
//! replaying only the tail of the log instead of the whole log.
//!
//! A snapshot is a cache, never a source of truth: the log in sled is. It
//! is used only when everything about it checks out, and otherwise ignored
//! (with a warning) in favour of a full replay:
//! - the same build wrote it (the projection code that built the model is
//!   the code that will keep applying to it; see [`build_id`]),
//! - its position is in the log, and the event stored at that position is
//!   the one it was taken after (a digest of its stored bytes), so a log
//!   restored from another backup is not paired with a wrong model,
//! - its body has the length and SHA-256 digest its header says.
//!
//! The file is `read-model.snapshot` in the data directory, written to a
//! temporary file, fsynced and renamed over the old one, so a crash while
//! writing leaves the previous snapshot (or none). Layout: a 124-byte
//! header (magic, format, build id, position, event digest, body length,
//! body digest; integers little-endian) followed by the model in postcard.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::{Projection, ReadModel};
use crate::event_store::{CommitListener, EventStore, RecordedEvent};

const MAGIC: &[u8; 8] = b"MAG-RMS\n";
/// Bumped when the file layout changes.
const FORMAT: u32 = 1;
const HEADER_LEN: usize = 8 + 4 + 32 + 8 + 32 + 8 + 32;
pub const FILE_NAME: &str = "read-model.snapshot";

/// Identity of the running build: the crate version and the executable's
/// size and modification time. A rebuilt binary gets a new identity (one
/// full replay, then a new snapshot), so a change to the projection code
/// can never meet a model built by the old code.
pub fn build_id() -> [u8; 32] {
    static ID: OnceLock<[u8; 32]> = OnceLock::new();
    *ID.get_or_init(|| {
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(FORMAT.to_le_bytes());
        match std::env::current_exe().and_then(fs::metadata) {
            Ok(m) => {
                h.update(m.len().to_le_bytes());
                if let Ok(t) = m.modified() {
                    h.update(format!("{t:?}").as_bytes());
                }
            }
            // No identity to trust: a fresh one per process, so no snapshot
            // of another process is ever used.
            Err(_) => h.update(uuid::Uuid::now_v7().as_bytes()),
        }
        h.finalize().into()
    })
}

/// What a written or loaded snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub position: u64,
    pub bytes: u64,
    pub millis: u64,
}

/// The snapshot file of one data directory.
#[derive(Debug, Clone)]
pub struct Snapshots {
    path: PathBuf,
}

struct Header {
    build: [u8; 32],
    position: u64,
    event_digest: [u8; 32],
    body_len: u64,
    body_digest: [u8; 32],
}

impl Header {
    fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        let mut w = &mut out[..];
        w.write_all(MAGIC).unwrap();
        w.write_all(&FORMAT.to_le_bytes()).unwrap();
        w.write_all(&self.build).unwrap();
        w.write_all(&self.position.to_le_bytes()).unwrap();
        w.write_all(&self.event_digest).unwrap();
        w.write_all(&self.body_len.to_le_bytes()).unwrap();
        w.write_all(&self.body_digest).unwrap();
        out
    }

    fn decode(b: &[u8]) -> Result<Self, String> {
        if b.len() < HEADER_LEN || &b[..8] != MAGIC {
            return Err("not a read-model snapshot".into());
        }
        let format = u32::from_le_bytes(b[8..12].try_into().unwrap());
        if format != FORMAT {
            return Err(format!(
                "snapshot format {format}, this build reads {FORMAT}"
            ));
        }
        let arr = |at: usize| -> [u8; 32] { b[at..at + 32].try_into().unwrap() };
        let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap());
        Ok(Self {
            build: arr(12),
            position: u64_at(44),
            event_digest: arr(52),
            body_len: u64_at(84),
            body_digest: arr(92),
        })
    }
}

/// SHA-256 of the stored bytes of the event at `position` (zeros for 0).
fn event_digest(store: &dyn EventStore, position: u64) -> Result<[u8; 32], String> {
    if position == 0 {
        return Ok([0; 32]);
    }
    let mut digest = None;
    store
        .scan_stored(position - 1, position, &mut |_, bytes| {
            digest = Some(Sha256::digest(bytes).into());
            ControlFlow::Break(())
        })
        .map_err(|e| e.to_string())?;
    digest.ok_or_else(|| format!("position {position} is not in the log"))
}

/// Hashes and counts what passes through.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Snapshots {
    /// The snapshot file in a data directory.
    pub fn in_dir(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join(FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn tmp_path(&self) -> PathBuf {
        self.path.with_extension("snapshot.tmp")
    }

    /// Writes `model` (which must be the store's state at `model.position`)
    /// atomically over the previous snapshot.
    /// A failed write removes its temporary file (on a full disk it would
    /// hold space the log needs) and leaves the previous snapshot.
    pub fn write(&self, model: &ReadModel, store: &dyn EventStore) -> io::Result<SnapshotInfo> {
        let tmp = self.tmp_path();
        let written = self.write_via(&tmp, model, store);
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }

    fn write_via(
        &self,
        tmp: &Path,
        model: &ReadModel,
        store: &dyn EventStore,
    ) -> io::Result<SnapshotInfo> {
        let started = Instant::now();
        let event_digest = event_digest(store, model.position).map_err(io::Error::other)?;
        let mut file = File::create(tmp)?;
        file.write_all(&[0u8; HEADER_LEN])?;
        let (len, digest) = {
            let mut body = Hashing {
                inner: BufWriter::with_capacity(1 << 20, &mut file),
                hash: Sha256::new(),
                len: 0,
            };
            postcard::to_io(model, &mut body).map_err(io::Error::other)?;
            body.flush()?;
            (body.len, body.hash.finalize())
        };
        let header = Header {
            build: build_id(),
            position: model.position,
            event_digest,
            body_len: len,
            body_digest: digest.into(),
        };
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&header.encode())?;
        file.sync_all()?;
        drop(file);
        fs::rename(tmp, &self.path)?;
        if let Some(dir) = self.path.parent() {
            // The rename itself must survive a crash.
            File::open(dir)?.sync_all()?;
        }
        Ok(SnapshotInfo {
            position: model.position,
            bytes: HEADER_LEN as u64 + len,
            millis: started.elapsed().as_millis() as u64,
        })
    }

    /// Loads the snapshot if there is one and it fits this build and this
    /// log. `Ok(None)`: there is none. `Err`: there is one that may not be
    /// used, and why (the caller replays the whole log instead).
    pub fn load(
        &self,
        store: &dyn EventStore,
    ) -> Result<Option<(ReadModel, SnapshotInfo)>, String> {
        let started = Instant::now();
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", self.path.display())),
        };
        let mut head = [0u8; HEADER_LEN];
        file.read_exact(&mut head)
            .map_err(|_| "not a read-model snapshot (shorter than its header)".to_string())?;
        let header = Header::decode(&head)?;
        if header.build != build_id() {
            return Err("written by another build of mag-tracker".into());
        }
        if header.position > store.head() {
            return Err(format!(
                "taken at position {}, but the log ends at {}",
                header.position,
                store.head()
            ));
        }
        if event_digest(store, header.position)? != header.event_digest {
            return Err(format!(
                "the event at position {} is not the one the snapshot was taken after",
                header.position
            ));
        }
        let mut body = Vec::with_capacity(header.body_len as usize);
        file.read_to_end(&mut body)
            .map_err(|e| format!("cannot read {}: {e}", self.path.display()))?;
        if body.len() as u64 != header.body_len {
            return Err(format!(
                "the body has {} bytes, its header says {}",
                body.len(),
                header.body_len
            ));
        }
        // Check the digest on a second core while decoding; a damaged body
        // is refused whatever the decoder made of it.
        let (digest, decoded) = std::thread::scope(|s| {
            let digest = s.spawn(|| <[u8; 32]>::from(Sha256::digest(&body)));
            let decoded = postcard::from_bytes::<ReadModel>(&body);
            (digest.join().expect("hashing does not panic"), decoded)
        });
        if digest != header.body_digest {
            return Err("the body does not match its digest (damaged file)".into());
        }
        let model = decoded.map_err(|e| format!("the body does not decode: {e}"))?;
        if model.position != header.position {
            return Err("the body's position differs from its header's".into());
        }
        Ok(Some((
            model,
            SnapshotInfo {
                position: header.position,
                bytes: HEADER_LEN as u64 + header.body_len,
                millis: started.elapsed().as_millis() as u64,
            },
        )))
    }
}

/// Keeps the snapshot of the live model fresh: after enough new events it
/// copies the model (a shallow clone under the read lock, tens of ms per
/// million events, during which appends wait to be applied) and writes it
/// on its own thread. Registered as a commit listener after the
/// projection, so it sees positions the projection has applied.
pub struct Snapshotter {
    snapshots: Snapshots,
    /// Fewest events between two snapshots (also at least a tenth of the
    /// log, so a large log is not rewritten too often).
    every: u64,
    /// Position of the newest snapshot on disk (or loaded at startup).
    last: AtomicU64,
    /// A background write is asked for or running.
    busy: AtomicBool,
    /// One writer at a time (background and shutdown share the file).
    writing: Mutex<()>,
    wake: Mutex<Option<mpsc::SyncSender<()>>>,
}

impl Snapshotter {
    /// Starts the background writer. `last`: position of the snapshot
    /// the model was loaded from (0: none).
    pub fn start(
        snapshots: Snapshots,
        every: u64,
        last: u64,
        projection: Arc<Projection>,
        store: Arc<dyn EventStore>,
    ) -> Arc<Self> {
        // What a write cut short by a crash left behind (up to the size of
        // a snapshot); only the process that holds the store writes here.
        let _ = fs::remove_file(snapshots.tmp_path());
        let (tx, rx) = mpsc::sync_channel::<()>(1);
        let this = Arc::new(Self {
            snapshots,
            every: every.max(1),
            last: AtomicU64::new(last),
            busy: AtomicBool::new(false),
            writing: Mutex::new(()),
            wake: Mutex::new(Some(tx)),
        });
        let weak = Arc::downgrade(&this);
        std::thread::Builder::new()
            .name("snapshot-writer".into())
            .spawn(move || {
                while rx.recv().is_ok() {
                    let Some(this) = weak.upgrade() else { break };
                    let model = projection.read().clone();
                    this.write(&model, store.as_ref());
                    this.busy.store(false, Ordering::Release);
                }
            })
            .expect("spawning the snapshot writer");
        this
    }

    /// Whether a model at `position` is due for a new snapshot.
    pub fn due(&self, position: u64) -> bool {
        let last = self.last.load(Ordering::Acquire);
        position > last && position - last >= self.every.max(position / 10)
    }

    /// Asks the background writer for a snapshot if one is due.
    pub fn poke(&self, position: u64) {
        if self.due(position) && !self.busy.swap(true, Ordering::AcqRel) {
            let wake = self.wake.lock().unwrap_or_else(|e| e.into_inner());
            if wake.as_ref().is_none_or(|tx| tx.try_send(()).is_err()) {
                self.busy.store(false, Ordering::Release);
            }
        }
    }

    /// Writes `model` unless a snapshot at its position exists; logs the
    /// outcome (a failed snapshot costs only a longer next start).
    pub fn write(&self, model: &ReadModel, store: &dyn EventStore) {
        let _one = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        if model.position <= self.last.load(Ordering::Acquire) {
            return;
        }
        match self.snapshots.write(model, store) {
            Ok(info) => {
                self.last.store(info.position, Ordering::Release);
                tracing::info!(
                    position = info.position,
                    bytes = info.bytes,
                    millis = info.millis,
                    "wrote the read-model snapshot"
                );
            }
            Err(e) => tracing::warn!(
                error = %e,
                file = %self.snapshots.path().display(),
                "could not write the read-model snapshot (the next start replays more of the log)"
            ),
        }
    }

    /// At shutdown, after the last write: snapshot the final model (under
    /// the read lock, no copy) and stop the background writer.
    pub fn finish(&self, projection: &Projection, store: &dyn EventStore) {
        self.wake.lock().unwrap_or_else(|e| e.into_inner()).take();
        let model = projection.read();
        self.write(&model, store);
    }

    /// Position of the newest snapshot written or loaded.
    pub fn last(&self) -> u64 {
        self.last.load(Ordering::Acquire)
    }
}

impl CommitListener for Snapshotter {
    fn committed(&self, events: &[RecordedEvent]) {
        if let Some(e) = events.last() {
            self.poke(e.position);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::pdca_equivalence::busy_store;
    use crate::projections::replay::replay_into;

    fn snapshot_dir() -> (tempfile::TempDir, Snapshots) {
        let dir = tempfile::tempdir().unwrap();
        let s = Snapshots::in_dir(dir.path());
        (dir, s)
    }

    #[test]
    fn a_snapshot_plus_the_tail_equals_a_full_replay() {
        let (store, live) = busy_store(7, 600);
        let head = store.head();
        let (_dir, file) = snapshot_dir();
        assert_eq!(file.load(store.as_ref()), Ok(None));
        // every kind of state (both trekker kinds, streefwaarden with and
        // without a band, bijsturingen with wijzigingen) is in this model
        let full = live.read().clone();
        assert!(full.acties.values().any(|a| matches!(
            a.state.trekker,
            Some(crate::domain::actie::Trekker::Groep { .. })
        )));
        assert!(full.checkmomenten.values().any(|c| c
            .state
            .bijsturingen
            .iter()
            .any(|b| !b.voorgenomen_wijzigingen.is_empty())));
        for at in [0, 1, head / 3, head - 1, head] {
            let then = ReadModel::replay(store.as_ref(), at).unwrap();
            let info = file.write(&then, store.as_ref()).unwrap();
            assert_eq!(info.position, at);
            let (mut loaded, _) = file.load(store.as_ref()).unwrap().unwrap();
            assert_eq!(loaded, then, "the snapshot at {at} reads back as written");
            replay_into(&mut loaded, store.as_ref(), at, head, &mut |_| {}).unwrap();
            assert_eq!(loaded, full, "snapshot at {at} plus the tail");
        }
    }

    #[test]
    fn a_snapshot_that_does_not_fit_is_refused_and_names_why() {
        let (store, live) = busy_store(11, 50);
        let (_dir, file) = snapshot_dir();
        file.write(&live.read(), store.as_ref()).unwrap();
        let good = fs::read(file.path()).unwrap();
        let refused = |bytes: &[u8], store: &dyn EventStore| {
            fs::write(file.path(), bytes).unwrap();
            let r = file.load(store).map(|o| o.map(|(m, _)| m.position));
            r.expect_err("must be refused")
        };
        // another log with fewer events, and one as long with other events
        let (other, _) = busy_store(12, 10);
        assert!(refused(&good, other.as_ref()).contains("the log ends at"));
        let (same_length, _) = busy_store(13, 50);
        assert_eq!(same_length.head(), store.head());
        assert!(refused(&good, same_length.as_ref()).contains("not the one"));
        // written by another build
        let mut b = good.clone();
        b[20] ^= 1;
        assert!(refused(&b, store.as_ref()).contains("another build"));
        // a damaged body, a truncated file, not a snapshot at all
        let mut b = good.clone();
        let last = b.len() - 1;
        b[last] ^= 0x40;
        assert!(refused(&b, store.as_ref()).contains("digest"));
        assert!(refused(&good[..good.len() - 10], store.as_ref()).contains("bytes"));
        assert!(refused(b"hello", store.as_ref()).contains("not a read-model snapshot"));
        // and the good one is used
        fs::write(file.path(), &good).unwrap();
        let (m, _) = file.load(store.as_ref()).unwrap().unwrap();
        assert_eq!(m, *live.read());
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let (store, live) = busy_store(3, 10);
        let (dir, file) = snapshot_dir();
        // The rename cannot replace a non-empty directory.
        fs::create_dir(file.path()).unwrap();
        fs::write(file.path().join("x"), b"x").unwrap();
        assert!(file.write(&live.read(), store.as_ref()).is_err());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from(FILE_NAME)]);
    }

    #[test]
    fn the_snapshotter_writes_when_due_and_at_the_end() {
        let (store, live) = busy_store(5, 100);
        let store: Arc<dyn EventStore> = store;
        let (dir, file) = snapshot_dir();
        let head = store.head();
        // a write cut short by a crash left its temporary file
        fs::write(dir.path().join("read-model.snapshot.tmp"), b"half").unwrap();
        let s = Snapshotter::start(file.clone(), 1_000_000, 0, live.clone(), store.clone());
        assert!(!dir.path().join("read-model.snapshot.tmp").exists());
        assert!(!s.due(head), "fewer events than `every`");
        s.poke(head);
        s.finish(&live, store.as_ref());
        assert_eq!(s.last(), head);
        let (m, _) = file.load(store.as_ref()).unwrap().unwrap();
        assert_eq!(m, *live.read());
        // due after `every` events, and after a tenth of the log at least
        let s = Snapshotter::start(file.clone(), 10, 10_000, live.clone(), store.clone());
        assert!(!s.due(10_009));
        assert!(!s.due(11_000), "less than a tenth of the log");
        assert!(s.due(11_112));
        let s = Snapshotter::start(file.clone(), 10, 50, live.clone(), store.clone());
        assert!(!s.due(59));
        assert!(s.due(60));
    }
}
