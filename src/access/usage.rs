//! When each token was last used.
//!
//! Recording this as an event per request would flood the log, so it is kept
//! in memory (updated on every authenticated request) and persisted cheaply:
//! `serve` writes `token-gebruik.json` in the data directory at most once a
//! minute when something changed, and on shutdown; it is read back at
//! startup. A crash loses at most a minute of "last used" updates, which is
//! informative data only. Minute precision is enough and keeps writes rare.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use uuid::Uuid;

#[derive(Default)]
pub struct Usage {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    last: HashMap<Uuid, DateTime<Utc>>,
    dirty: bool,
}

impl Usage {
    /// Records a use (rounded down to the minute).
    pub fn touch(&self, token: Uuid, now: DateTime<Utc>) {
        let at = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now);
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.last.get(&token) != Some(&at) {
            inner.last.insert(token, at);
            inner.dirty = true;
        }
    }

    pub fn last_used(&self, token: Uuid) -> Option<DateTime<Utc>> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.last.get(&token).copied()
    }

    /// The file `serve` keeps the dates in.
    pub fn file(data_dir: &Path) -> PathBuf {
        data_dir.join("token-gebruik.json")
    }

    /// Reads the file (a missing or damaged file is an empty record).
    pub fn load(path: &Path) -> Self {
        let last = std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Self {
            inner: Mutex::new(Inner { last, dirty: false }),
        }
    }

    /// Writes the file if something changed (write to a temporary file, then rename).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let json = {
            let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            if !inner.dirty {
                return Ok(());
            }
            inner.dirty = false;
            serde_json::to_vec(&inner.last).map_err(std::io::Error::other)?
        };
        // Written beside it, fsynced, renamed, and the directory fsynced:
        // after a power loss the file is the old or the new one, whole.
        let tmp = path.with_extension("json.tmp");
        let mut file = std::fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut file, &json)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(tmp, path)?;
        match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => std::fs::File::open(dir)?.sync_all(),
            _ => Ok(()),
        }
    }
}
