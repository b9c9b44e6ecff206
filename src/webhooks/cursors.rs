//! The cursors of the subscriptions in a small file of fixed slots
//! (`<data dir>/webhooks/cursors`), written in place with one `pwrite` after
//! every acknowledged delivery. That write is in the kernel before the next
//! request goes out, so a kill -9 of the server repeats at most the request
//! that was in flight. The file is fdatasynced by [`Cursors::sync`] (the
//! delivery supervisor calls it a few times a second when something
//! changed), not per delivery: an fsync per delivery would cap a
//! subscription at the disk's sync rate and compete with the log's own
//! syncs. So a power loss can roll a cursor back by the deliveries of the
//! last [`SYNC_EVERY`]: those are delivered again (a receiver deduplicates
//! by `id`), none is skipped, because a cursor is only ever written after
//! its delivery was acknowledged.
//!
//! A slot is two 32-byte copies (`id`, `herstart`, `positie`, CRC-32),
//! written alternately; reading takes the newer valid copy, so a torn write
//! at power loss falls back to the previous cursor. Slots are appended for
//! new subscriptions and the file and its directory entry are synced when
//! it grows.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use uuid::Uuid;

use super::opslag::Cursor;

/// How often a changed cursor file is synced.
pub const SYNC_EVERY: Duration = Duration::from_millis(200);

const COPY: u64 = 32;
const SLOT: u64 = 2 * COPY;

pub struct Cursors {
    /// `None`: in memory only (tests).
    file: Option<File>,
    slots: Mutex<Slots>,
    dirty: AtomicBool,
}

#[derive(Default)]
struct Slots {
    /// Slot index, the cursor held and the copy (0 or 1) written last.
    by_id: HashMap<Uuid, (u64, Cursor, u8)>,
    len: u64,
}

fn encode(id: Uuid, c: Cursor) -> [u8; COPY as usize] {
    let mut b = [0u8; COPY as usize];
    b[..16].copy_from_slice(id.as_bytes());
    b[16..20].copy_from_slice(&c.herstart.to_be_bytes());
    b[20..28].copy_from_slice(&c.positie.to_be_bytes());
    let crc = crc32fast::hash(&b[..28]);
    b[28..].copy_from_slice(&crc.to_be_bytes());
    b
}

fn decode(b: &[u8]) -> Option<(Uuid, Cursor)> {
    let crc = u32::from_be_bytes(b.get(28..32)?.try_into().ok()?);
    if crc32fast::hash(&b[..28]) != crc || b[..28].iter().all(|x| *x == 0) {
        return None;
    }
    let id = Uuid::from_slice(&b[..16]).ok()?;
    let herstart = u32::from_be_bytes(b[16..20].try_into().ok()?);
    let positie = u64::from_be_bytes(b[20..28].try_into().ok()?);
    Some((id, Cursor { herstart, positie }))
}

/// Which cursor is newer: a rewind raises `herstart`, and within one
/// `herstart` the position only grows.
fn newer(a: Cursor, b: Cursor) -> bool {
    (a.herstart, a.positie) > (b.herstart, b.positie)
}

impl Cursors {
    /// Opens (or creates) the file at `path`.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let created = !path.exists();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        if created {
            file.sync_all()?;
            if let Some(dir) = path.parent() {
                File::open(dir)?.sync_all()?;
            }
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut bytes)?;
        let mut slots = Slots::default();
        for (i, slot) in bytes.chunks(SLOT as usize).enumerate() {
            slots.len = i as u64 + 1;
            let copies = [
                decode(&slot[..slot.len().min(COPY as usize)]),
                slot.get(COPY as usize..).and_then(decode),
            ];
            let best = match copies {
                [Some(a), Some(b)] if a.0 == b.0 => {
                    if newer(b.1, a.1) {
                        Some((b, 1))
                    } else {
                        Some((a, 0))
                    }
                }
                [Some(a), _] => Some((a, 0)),
                [None, Some(b)] => Some((b, 1)),
                [None, None] => None,
            };
            if let Some(((id, c), copy)) = best {
                slots.by_id.insert(id, (i as u64, c, copy));
            }
        }
        Ok(Self {
            file: Some(file),
            slots: Mutex::new(slots),
            dirty: AtomicBool::new(false),
        })
    }

    /// Cursors held in memory only.
    pub fn temporary() -> Self {
        Self {
            file: None,
            slots: Mutex::new(Slots::default()),
            dirty: AtomicBool::new(false),
        }
    }

    pub fn get(&self, id: Uuid) -> Option<Cursor> {
        let s = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        s.by_id.get(&id).map(|(_, c, _)| *c)
    }

    /// Writes the cursor into the kernel (not synced: see [`Cursors::sync`]).
    pub fn set(&self, id: Uuid, c: Cursor) -> std::io::Result<()> {
        let mut s = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let (slot, copy, grows) = match s.by_id.get(&id) {
            Some((slot, _, last)) => (*slot, 1 - *last, false),
            None => (s.len, 0, true),
        };
        if let Some(file) = &self.file {
            file.write_all_at(&encode(id, c), slot * SLOT + u64::from(copy) * COPY)?;
            if grows {
                // A new slot: the file's length is metadata that a sync of
                // the data alone would not make durable on every file system.
                file.set_len((slot + 1) * SLOT)?;
                file.sync_all()?;
            }
        }
        if grows {
            s.len += 1;
        }
        s.by_id.insert(id, (slot, c, copy));
        self.dirty.store(true, Ordering::Release);
        Ok(())
    }

    /// Makes every cursor written so far durable (when any changed).
    pub fn sync(&self) -> std::io::Result<()> {
        if !self.dirty.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        match &self.file {
            Some(f) => f.sync_data().inspect_err(|_| {
                self.dirty.store(true, Ordering::Release);
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(herstart: u32, positie: u64) -> Cursor {
        Cursor { herstart, positie }
    }

    #[test]
    fn cursors_read_back_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cursors");
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        {
            let cs = Cursors::open(&path).unwrap();
            cs.set(a, c(0, 5)).unwrap();
            cs.set(b, c(1, 7)).unwrap();
            cs.set(a, c(0, 9)).unwrap();
            cs.set(a, c(0, 12)).unwrap();
            cs.set(b, c(2, 3)).unwrap();
            cs.sync().unwrap();
        }
        let cs = Cursors::open(&path).unwrap();
        assert_eq!(cs.get(a), Some(c(0, 12)));
        assert_eq!(cs.get(b), Some(c(2, 3)));
        assert_eq!(cs.get(Uuid::now_v7()), None);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 2 * SLOT);
    }

    #[test]
    fn a_torn_copy_falls_back_to_the_previous_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cursors");
        let a = Uuid::now_v7();
        {
            let cs = Cursors::open(&path).unwrap();
            cs.set(a, c(0, 5)).unwrap(); // copy 0
            cs.set(a, c(0, 6)).unwrap(); // copy 1
        }
        // The write of copy 1 was torn: half of it reached the disk.
        let f = OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all_at(&[0xff; 8], COPY + 20).unwrap();
        let cs = Cursors::open(&path).unwrap();
        assert_eq!(cs.get(a), Some(c(0, 5)));
        // The next write goes to the torn copy, and wins.
        cs.set(a, c(0, 6)).unwrap();
        assert_eq!(Cursors::open(&path).unwrap().get(a), Some(c(0, 6)));
    }
}
