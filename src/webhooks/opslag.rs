//! What deliveries keep outside the log: the signing secrets, encrypted
//! (ChaCha20-Poly1305 under the server key, [`sleutel`]), the cursor of
//! every subscription (saved after every acknowledged delivery, so it
//! survives kill -9) and the last deliveries (`GET
//! /v1/abonnementen/{id}/afleveringen`). [`Opslag`] keeps them in one of
//! two backends ([`backend`]): [`Lokaal`], a sled database of its own in
//! the data directory (`<data dir>/webhooks/`, beside any event store; the
//! cursors in a file of their own beside it, [`super::cursors`]), or, when
//! the server runs on `--database-url`, tables in that PostgreSQL database
//! shared by every node ([`pg`]). Why: `docs/adr/0008-webhook-delivery.md`
//! and `docs/adr/0009-webhooks-on-several-nodes.md`.

mod backend;
#[cfg(feature = "postgres")]
pub mod overzetten;
#[cfg(feature = "postgres")]
pub(crate) mod pg;
pub(crate) mod sleutel;

use std::path::Path;

use ring::aead::LessSafeKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use backend::Opslag;

use super::cursors::Cursors;

/// Deliveries kept per subscription.
pub const KEPT_DELIVERIES: usize = 50;

/// One delivery attempt as `afleveringen` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Aflevering {
    /// De positie van de (eerste) gebeurtenis in het log.
    pub positie: u64,
    /// Bij een batch: de positie van de laatste gebeurtenis erin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub tot_positie: Option<u64>,
    /// De hoeveelste poging voor deze gebeurtenis (vanaf 1).
    pub poging: u32,
    /// De HTTP-status van het antwoord (leeg: geen antwoord).
    pub statuscode: Option<u16>,
    /// Hoe lang de poging duurde, in milliseconden.
    pub duur_ms: u64,
    /// Wat er misging (leeg: geslaagd).
    pub fout: Option<String>,
    /// Het begin van de body van het antwoord (hoogstens 256 tekens).
    pub antwoord: Option<String>,
    /// Wanneer de poging begon (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub tijdstip: chrono::DateTime<chrono::Utc>,
}

/// Where a subscription's deliveries stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The subscription's rewind count this cursor belongs to.
    pub herstart: u32,
    /// The last position delivered (or skipped by the filter).
    pub positie: u64,
}

/// The local backend: a sled database in the data directory.
pub struct Lokaal {
    db: sled::Db,
    secrets: sled::Tree,
    cursors: sled::Tree,
    deliveries: sled::Tree,
    /// The cursors (the `cursors` tree only still answers for cursors saved
    /// before they moved to this file).
    cursor_file: Cursors,
    /// Deliveries recorded since the last [`Lokaal::sync`], oldest first:
    /// written to `deliveries` in one batch by it, not one by one.
    pending: std::sync::Mutex<Vec<(Uuid, Aflevering)>>,
    key: LessSafeKey,
    /// sled's `db` file, fdatasynced after a secret is stored (`None` in memory).
    data_file: Option<std::fs::File>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpslagError {
    #[error("webhook store: {0}")]
    Sled(#[from] sled::Error),
    #[error("webhook key file: {0}")]
    Io(#[from] std::io::Error),
    #[error("webhook key file {0} is not 32 bytes")]
    BadKey(String),
    /// The shared PostgreSQL store (unreachable, or its answer was bad).
    #[error("webhook store in PostgreSQL: {0}")]
    Database(String),
    /// This node's key is not the one the database's secrets are sealed with.
    #[error("{0}")]
    OtherKey(String),
}

impl Lokaal {
    /// Opens (or creates) the store in `data_dir`, with the key in
    /// `key_path` (created when missing).
    pub fn open(data_dir: &Path, key_path: &Path) -> Result<Self, OpslagError> {
        std::fs::create_dir_all(data_dir)?;
        let key = sleutel::key_file(key_path)?;
        let dir = data_dir.join("webhooks");
        // No background flushes: sled writes its files only when this store
        // flushes (after a secret or a cursor), never behind an answer's back.
        let db = sled::Config::new()
            .path(&dir)
            .cache_capacity(8 << 20)
            .flush_every_ms(None)
            .open()?;
        let mut o = Self::with(db, key)?;
        o.cursor_file = Cursors::open(&data_dir.join("webhooks-cursors"))?;
        o.db.flush()?;
        // What sled and the key file created survives power loss before the
        // first answer (as the event store does on open).
        let data_file = std::fs::File::open(dir.join("db"))?;
        data_file.sync_all()?;
        if let Ok(conf) = std::fs::File::open(dir.join("conf")) {
            conf.sync_all()?;
        }
        for d in [dir.join("blobs"), dir.clone(), data_dir.to_path_buf()] {
            if d.exists() {
                std::fs::File::open(&d)?.sync_all()?;
            }
        }
        o.data_file = Some(data_file);
        Ok(o)
    }

    /// A store in memory with a random key (tests and the library default).
    pub fn temporary() -> Result<Self, OpslagError> {
        let db = sled::Config::new()
            .temporary(true)
            .cache_capacity(1 << 20)
            .open()?;
        Self::with(db, sleutel::random_key()?)
    }

    fn with(db: sled::Db, key: [u8; 32]) -> Result<Self, OpslagError> {
        Ok(Self {
            secrets: db.open_tree("secrets")?,
            cursors: db.open_tree("cursors")?,
            deliveries: db.open_tree("deliveries")?,
            cursor_file: Cursors::temporary(),
            pending: std::sync::Mutex::default(),
            key: sleutel::aead(&key)?,
            data_file: None,
            db,
        })
    }

    /// Stores secret `versie` of a subscription, encrypted, and flushes.
    pub fn put_secret(&self, id: Uuid, versie: u32, secret: &str) -> Result<(), OpslagError> {
        let value = sleutel::seal(&self.key, id, secret)?;
        self.secrets.insert(secret_key(id, versie), value)?;
        self.db.flush()?;
        if let Some(f) = &self.data_file {
            f.sync_data()?;
        }
        Ok(())
    }

    /// Secret `versie` of a subscription (`None`: absent or not readable
    /// with this server's key, e.g. after a restore elsewhere).
    pub fn secret(&self, id: Uuid, versie: u32) -> Option<String> {
        let value = self.secrets.get(secret_key(id, versie)).ok()??;
        sleutel::unseal(&self.key, id, &value)
    }

    pub fn cursor(&self, id: Uuid) -> Option<Cursor> {
        if let Some(c) = self.cursor_file.get(id) {
            return Some(c);
        }
        let v = self.cursors.get(id.as_bytes()).ok()??;
        let herstart = u32::from_be_bytes(v.get(0..4)?.try_into().ok()?);
        let positie = u64::from_be_bytes(v.get(4..12)?.try_into().ok()?);
        Some(Cursor { herstart, positie })
    }

    /// Saves the cursor: in the kernel when this returns (it survives a
    /// kill -9), on disk after the next [`Lokaal::sync`].
    pub fn set_cursor(&self, id: Uuid, c: Cursor) -> Result<(), OpslagError> {
        Ok(self.cursor_file.set(id, c)?)
    }

    /// Makes the cursors saved so far durable (see [`super::cursors`]) and
    /// writes the deliveries recorded since the last call into sled, in one
    /// batch and one flush (the list is for debugging an endpoint: a crash
    /// that loses its last entries loses no event).
    pub fn sync(&self) -> Result<(), OpslagError> {
        self.cursor_file.sync()?;
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.is_empty() {
            return Ok(());
        }
        // The last KEPT_DELIVERIES per subscription matter; the rest of a
        // burst never needs to reach sled.
        let mut per_id: std::collections::HashMap<Uuid, usize> = Default::default();
        let mut keep = vec![false; pending.len()];
        for (i, (id, _)) in pending.iter().enumerate().rev() {
            let n = per_id.entry(*id).or_default();
            if *n < KEPT_DELIVERIES {
                *n += 1;
                keep[i] = true;
            }
        }
        let mut next: std::collections::HashMap<Uuid, u64> = Default::default();
        let mut batch = sled::Batch::default();
        for ((id, a), keep) in pending.iter().zip(keep) {
            let prefix = id.as_bytes();
            let seq = next.entry(*id).or_insert_with(|| {
                match self.deliveries.scan_prefix(prefix).next_back() {
                    Some(Ok((k, _))) => seq_of(&k) + 1,
                    _ => 0,
                }
            });
            let this = *seq;
            *seq += 1;
            if keep {
                let mut key = prefix.to_vec();
                key.extend_from_slice(&this.to_be_bytes());
                batch.insert(key, serde_json::to_vec(a).map_err(std::io::Error::other)?);
            }
            if this >= KEPT_DELIVERIES as u64 {
                let mut old = prefix.to_vec();
                old.extend_from_slice(&(this - KEPT_DELIVERIES as u64).to_be_bytes());
                batch.remove(old);
            }
        }
        self.deliveries.apply_batch(batch)?;
        // sled writes its buffer out when it likes; flush and fdatasync
        // here (sled's flush alone is a sync_file_range), so that no file
        // under the data directory stays unsynced.
        self.db.flush()?;
        if let Some(f) = &self.data_file {
            f.sync_data()?;
        }
        pending.clear();
        Ok(())
    }

    /// Records a delivery attempt (kept: the last [`KEPT_DELIVERIES`]).
    pub fn record(&self, id: Uuid, a: &Aflevering) -> Result<(), OpslagError> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.push((id, a.clone()));
        Ok(())
    }

    /// The last `n` deliveries, newest first.
    pub fn deliveries(&self, id: Uuid, n: usize) -> Vec<Aflevering> {
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let recent: Vec<Aflevering> = pending
            .iter()
            .rev()
            .filter(|(i, _)| *i == id)
            .map(|(_, a)| a.clone())
            .take(n)
            .collect();
        recent
            .into_iter()
            .chain(
                self.deliveries
                    .scan_prefix(id.as_bytes())
                    .rev()
                    .filter_map(Result::ok)
                    .filter_map(|(_, v)| serde_json::from_slice(&v).ok()),
            )
            .take(n)
            .collect()
    }
}

fn secret_key(id: Uuid, versie: u32) -> Vec<u8> {
    let mut k = id.as_bytes().to_vec();
    k.extend_from_slice(&versie.to_be_bytes());
    k
}

fn seq_of(key: &[u8]) -> u64 {
    key.get(16..24)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_encrypted_and_bound_to_their_subscription() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("webhooks.key");
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        {
            let s = Lokaal::open(dir.path(), &key).unwrap();
            s.put_secret(a, 1, "whsec_abc").unwrap();
            assert_eq!(s.secret(a, 1).as_deref(), Some("whsec_abc"));
            // Copied to another subscription, it does not decrypt.
            let raw = s.secrets.get(secret_key(a, 1)).unwrap().unwrap();
            assert!(!raw.windows(9).any(|w| w == b"whsec_abc"));
            s.secrets.insert(secret_key(b, 1), raw).unwrap();
            assert_eq!(s.secret(b, 1), None);
            s.set_cursor(
                a,
                Cursor {
                    herstart: 2,
                    positie: 41,
                },
            )
            .unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("webhooks.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let s = Lokaal::open(dir.path(), &key).unwrap();
        assert_eq!(s.secret(a, 1).as_deref(), Some("whsec_abc"));
        assert_eq!(
            s.cursor(a),
            Some(Cursor {
                herstart: 2,
                positie: 41
            })
        );
        // Another key (a restore elsewhere) cannot read it.
        std::fs::remove_file(dir.path().join("webhooks.key")).unwrap();
        drop(s);
        let s = Lokaal::open(dir.path(), &key).unwrap();
        assert_eq!(s.secret(a, 1), None);
    }

    #[test]
    fn keeps_the_last_deliveries_newest_first() {
        let s = Lokaal::temporary().unwrap();
        let id = Uuid::now_v7();
        for p in 0..(KEPT_DELIVERIES as u64 + 5) {
            let a = Aflevering {
                positie: p,
                tot_positie: None,
                poging: 1,
                statuscode: Some(200),
                duur_ms: 1,
                fout: None,
                antwoord: None,
                tijdstip: chrono::Utc::now(),
            };
            s.record(id, &a).unwrap();
            if p % 7 == 0 {
                s.sync().unwrap();
            }
        }
        assert_eq!(s.deliveries(id, 3)[0].positie, KEPT_DELIVERIES as u64 + 4);
        s.sync().unwrap();
        assert_eq!(
            s.deliveries.scan_prefix(id.as_bytes()).count(),
            KEPT_DELIVERIES
        );
        let last = s.deliveries(id, 1000);
        assert_eq!(last.len(), KEPT_DELIVERIES);
        assert_eq!(last[0].positie, KEPT_DELIVERIES as u64 + 4);
        assert!(s.deliveries(Uuid::now_v7(), 10).is_empty());
    }
}
