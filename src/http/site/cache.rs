//! Rendered pages by log position and query, like the PDCA body is cached
//! (`http/pdca.rs`): an entry holds while the log has not moved and the
//! clock has not reached the first moment a signal on the page changes.
//! Bounded by `MAG_SITE_CACHE_ENTRIES` (default 500 pages of typically 10-60 KB, so at most ≈30 MB; 0 turns it off),
//! evicted by the CLOCK rule of [`crate::http::clock_map::ClockMap`].

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::http::clock_map::ClockMap;

pub const DEFAULT_SITE_ENTRIES: usize = 500;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_holds_for_its_position_and_until_its_clock_runs_out() {
        let cache = SiteCache {
            entries: ClockMap::with_capacity(4),
        };
        let t0 = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        let until = t0 + chrono::Duration::hours(1);
        let body = Bytes::from_static(b"<html>");
        cache.put("/a\0", 7, (t0, until), body.clone(), etag_of(7, &body));
        let hit = cache.get("/a\0", 7, t0 + chrono::Duration::minutes(5));
        assert_eq!(hit.map(|h| h.0), Some(body.clone()));
        assert!(cache.get("/a\0", 8, t0).is_none(), "the log moved");
        assert!(cache.get("/a\0", 7, until).is_none(), "a signal changed");
        assert!(cache.get("/b\0", 7, t0).is_none(), "another page");
        assert!(etag_of(7, &body).starts_with("W/\"p7-"));
        assert_ne!(etag_of(7, &body), etag_of(7, b"<html> "));
    }
}
