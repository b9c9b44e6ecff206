//! Rendered pages by log position and query, like the PDCA body is cached
//! (`http/pdca.rs`): an entry holds while the log has not moved and the
//! clock has not reached the first moment a signal on the page changes.
//! Bounded by `MAG_SITE_CACHE_ENTRIES` (default 2,000 pages; 0 turns it off),
//! evicted by the CLOCK rule of [`crate::http::clock_map::ClockMap`].

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::http::clock_map::ClockMap;

pub const DEFAULT_SITE_ENTRIES: usize = 2_000;

pub struct SiteCache {
    entries: ClockMap<Cached>,
}

struct Cached {
    key: String,
    position: u64,
    computed_at: DateTime<Utc>,
    valid_until: DateTime<Utc>,
    body: Bytes,
    etag: String,
}

impl Default for SiteCache {
    fn default() -> Self {
        Self {
            entries: ClockMap::from_env("MAG_SITE_CACHE_ENTRIES", DEFAULT_SITE_ENTRIES),
        }
    }
}

fn slot(key: &str) -> Uuid {
    let hash = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    Uuid::from_bytes(bytes)
}

impl SiteCache {
    /// The page and its ETag, if rendered at this position and still valid now.
    pub fn get(&self, key: &str, position: u64, now: DateTime<Utc>) -> Option<(Bytes, String)> {
        self.entries.get(slot(key), |c| {
            (c.key == key && c.position == position && c.computed_at <= now && now < c.valid_until)
                .then(|| (c.body.clone(), c.etag.clone()))
        })
    }

    pub fn put(
        &self,
        key: &str,
        position: u64,
        valid: (DateTime<Utc>, DateTime<Utc>),
        body: Bytes,
        etag: String,
    ) {
        let entry = Cached {
            key: key.to_owned(),
            position,
            computed_at: valid.0,
            valid_until: valid.1,
            body,
            etag,
        };
        self.entries
            .put(slot(key), entry, |c| c.position <= position);
    }
}

/// A weak ETag from the log position and the page (its query and, through
/// the body, the moment the signals were judged): `W/"p<position>-<hash>"`.
pub fn etag_of(position: u64, body: &[u8]) -> String {
    let hash = Sha256::digest(body);
    let short: String = hash[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"p{position}-{short}\"")
}
