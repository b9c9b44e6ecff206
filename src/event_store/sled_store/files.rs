//! The files sled leaves to its user: how the data directory is opened, what
//! must be fsynced besides the `db` file before an append is acknowledged,
//! and waiting until sled has let go of the directory.
//!
//! sled 0.34.7 writes a log item larger than a quarter of a segment (less a
//! small header) to a file of its own under `blobs/` and never fsyncs that
//! file or the directory. New stores use segments of [`SEGMENT_SIZE`], so no
//! item the store writes comes near that threshold (the argument is in
//! `docs/adr/0001-event-store-on-sled.md`); a store created before keeps the
//! segment size in its `conf` (sled refuses another), and for those every
//! blob file and the `blobs/` directory are fsynced before an
//! acknowledgement ([`FileSync::sync_blobs`]).

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::event_store::{StoreError, StoreResult};

/// Segment size of stores created from now on: items up to a quarter of it
/// (2 MiB less 52 bytes) stay in the `db` file.
pub const SEGMENT_SIZE: usize = 8 << 20;
/// sled's default, which stores created before December 2026 use.
pub const LEGACY_SEGMENT_SIZE: usize = 512 << 10;

/// Largest log item sled keeps inline for a segment size: larger ones go to
/// a blob file (`reserve_inner` in sled's `pagecache/logger.rs`:
/// `segment_size / MINIMUM_ITEMS_PER_SEGMENT(4) - SEG_HEADER_LEN(20)`, and
/// the item plus its header of up to 32 bytes must fit).
pub fn inline_limit(segment_size: usize) -> usize {
    segment_size / 4 - 20 - 32
}

/// The segment size recorded in an existing store's `conf` file.
pub fn stored_segment_size(path: &Path) -> Option<usize> {
    let text = std::fs::read(path.join("conf")).ok()?;
    String::from_utf8_lossy(&text).lines().find_map(|line| {
        line.strip_prefix("segment_size:")
            .and_then(|v| v.trim().parse().ok())
    })
}

/// Opens sled in `path`: an existing store with its own segment size, a new
/// one with `new_segment_size` (default [`SEGMENT_SIZE`]).
pub fn open_db(
    path: &Path,
    cache_capacity: u64,
    new_segment_size: Option<usize>,
) -> StoreResult<sled::Db> {
    let has_log = path.join("db").metadata().is_ok_and(|m| m.len() > 0);
    let segment_size = match stored_segment_size(path) {
        Some(size) => size,
        // A log without its `conf`: only a store of before could have lost
        // it (sled never fsynced it; `FileSync::open` does, before the first
        // append), and those used sled's default.
        None if has_log => LEGACY_SEGMENT_SIZE,
        None => new_segment_size.unwrap_or(SEGMENT_SIZE),
    };
    sled::Config::new()
        .path(path)
        .cache_capacity(cache_capacity)
        .segment_size(segment_size)
        .flush_every_ms(None)
        .open()
        .map_err(|e| {
            let text = e.to_string();
            if text.contains("lock") || text.contains("WouldBlock") {
                StoreError::Locked {
                    path: path.display().to_string(),
                }
            } else {
                StoreError::Unavailable(format!("cannot open {}: {text}", path.display()))
            }
        })
}

fn unavailable(what: &str, path: &Path, e: io::Error) -> StoreError {
    StoreError::Unavailable(format!("cannot {what} {}: {e}", path.display()))
}

/// fsync of a directory, so the entries created or renamed in it survive
/// power loss.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// What the durable commit fsyncs: the `db` file and any blob file.
pub struct FileSync {
    data_file: File,
    blobs: PathBuf,
    /// Blob files fsynced, with the length they had when it was done.
    synced: HashMap<OsString, u64>,
}

impl FileSync {
    /// Makes what sled created on open durable (the `conf` file sled writes
    /// without fsync, the `db` file, the `blobs/` directory, the data
    /// directory's entries and its own entry in its parent), then keeps the
    /// `db` file open for [`FileSync::sync_data`].
    pub fn open(path: &Path) -> StoreResult<Self> {
        let data_file =
            File::open(path.join("db")).map_err(|e| unavailable("open", &path.join("db"), e))?;
        data_file
            .sync_all()
            .map_err(|e| unavailable("fsync", &path.join("db"), e))?;
        if let Ok(conf) = File::open(path.join("conf")) {
            conf.sync_all()
                .map_err(|e| unavailable("fsync", &path.join("conf"), e))?;
        }
        let mut sync = Self {
            data_file,
            blobs: path.join("blobs"),
            synced: HashMap::new(),
        };
        sync.sync_blobs()
            .map_err(|e| unavailable("fsync the blobs of", path, e))?;
        sync_dir(&sync.blobs).map_err(|e| unavailable("fsync", &sync.blobs, e))?;
        sync_dir(path).map_err(|e| unavailable("fsync", path, e))?;
        if let Some(parent) = path.canonicalize().ok().as_deref().and_then(Path::parent) {
            sync_dir(parent).map_err(|e| unavailable("fsync", parent, e))?;
        }
        Ok(sync)
    }

    /// fsyncs every blob file not fsynced at its present length, then (if
    /// there was one) the `blobs/` directory. One `readdir` when there is
    /// none, which is always the case for a store with [`SEGMENT_SIZE`].
    pub fn sync_blobs(&mut self) -> io::Result<()> {
        let entries = match std::fs::read_dir(&self.blobs) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut present = Vec::new();
        let mut changed = false;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let len = match entry.metadata() {
                Ok(m) => m.len(),
                // sled removed it meanwhile (blob garbage collection).
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            if self.synced.get(&name) != Some(&len) {
                match File::open(entry.path()) {
                    Ok(f) => f.sync_all()?,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                }
                self.synced.insert(name.clone(), len);
                changed = true;
            }
            present.push(name);
        }
        if self.synced.len() != present.len() {
            self.synced.retain(|name, _| present.contains(name));
        }
        if changed {
            sync_dir(&self.blobs)?;
        }
        Ok(())
    }

    /// `fdatasync` of the `db` file.
    pub fn sync_data(&self) -> io::Result<()> {
        self.data_file.sync_data()
    }
}

/// Waits until no one holds sled's lock on the directory (sled's I/O
/// threads may hold the last handle on its files a moment after the `Db`
/// was dropped), so whoever opens it next does not get
/// [`StoreError::Locked`]. Gives up after `patience` with a warning.
pub fn wait_released(path: &Path, patience: Duration) {
    let Ok(file) = File::open(path.join("db")) else {
        return;
    };
    let deadline = Instant::now() + patience;
    loop {
        // The same lock sled takes (fs2's `flock`): free once sled closed its files.
        match fs2::FileExt::try_lock_exclusive(&file) {
            Ok(()) => {
                let _ = fs2::FileExt::unlock(&file);
                return;
            }
            Err(_) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "the store's directory is still locked after closing it");
                return;
            }
        }
    }
}
