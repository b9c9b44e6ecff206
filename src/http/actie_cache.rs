//! The rendered body of `GET /acties/{id}` per actie, for the live model.
//!
//! An entry holds while the actie's [`ReadModel::actie_stamp`] is the one it
//! was rendered at: the actie's version (its own stream) and the position of
//! the last event on any other stream the rendering reads (its opgave and
//! doel, the organisaties of its trekker and partners). The stamp is read
//! under the same read lock as the model the body is rendered from, so a
//! write is seen by the next read (read-your-writes) without this cache being
//! told. The rendering reads no clock, so an entry does not expire.
//!
//! Bounded: at most `MAG_ACTIE_CACHE_ENTRIES` entries (default 20,000, about
//! 1 KB each; 0 turns the cache off); a new actie that does not fit evicts
//! one entry by the CLOCK rule (see [`ClockMap`]).

use actix_web::web;
use uuid::Uuid;

use super::clock_map::ClockMap;
use super::dto::ActieDto;
use crate::domain::actie::Actie;
use crate::projections::{Entity, ReadModel};

/// Default number of cached bodies (`MAG_ACTIE_CACHE_ENTRIES`).
pub const DEFAULT_ENTRIES: usize = 20_000;

/// What an entry is valid for: see [`ReadModel::actie_stamp`].
type Stamp = (u64, u64);

pub struct ActieCache {
    entries: ClockMap<(Stamp, web::Bytes)>,
}

impl Default for ActieCache {
    /// Capacity from `MAG_ACTIE_CACHE_ENTRIES`, else [`DEFAULT_ENTRIES`].
    fn default() -> Self {
        Self {
            entries: ClockMap::from_env("MAG_ACTIE_CACHE_ENTRIES", DEFAULT_ENTRIES),
        }
    }
}

impl ActieCache {
    /// A cache of at most `capacity` bodies (0: nothing is cached).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: ClockMap::with_capacity(capacity),
        }
    }

    /// Number of bodies held now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, id: Uuid, stamp: Stamp) -> Option<web::Bytes> {
        self.entries
            .get(id, |(s, body)| (*s == stamp).then(|| body.clone()))
    }

    fn put(&self, id: Uuid, stamp: Stamp, body: web::Bytes) {
        // Only ever replaced by a newer rendering (two requests may race;
        // both parts of the stamp only grow in the live model).
        self.entries.put(id, (stamp, body), |(s, _)| *s <= stamp);
    }

    /// The rendered body of actie `a` of the live model `m` (read under
    /// the projection's read lock): from the cache while its stamp holds,
    /// else rendered and kept.
    pub fn body(&self, m: &ReadModel, a: &Entity<Actie>) -> web::Bytes {
        let Some(stamp) = m.actie_stamp(a.id) else {
            return render(m, a);
        };
        if let Some(body) = self.get(a.id, stamp) {
            return body;
        }
        let body = render(m, a);
        self.put(a.id, stamp, body.clone());
        body
    }

    /// Renders actie `a` of the live model afresh and keeps the body (after
    /// a write: the response is rendered, not read from the cache).
    pub fn refresh(&self, m: &ReadModel, a: &Entity<Actie>) -> web::Bytes {
        let body = render(m, a);
        if let Some(stamp) = m.actie_stamp(a.id) {
            self.put(a.id, stamp, body.clone());
        }
        body
    }
}

/// The JSON body of an actie, as `HttpResponse::json(ActieDto)` writes it.
pub fn render(m: &ReadModel, a: &Entity<Actie>) -> web::Bytes {
    web::Bytes::from(serde_json::to_vec(&ActieDto::from(a, m)).expect("an actie serializes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &'static str) -> web::Bytes {
        web::Bytes::from_static(s.as_bytes())
    }

    #[test]
    fn an_entry_holds_for_its_stamp_only() {
        let c = ActieCache::with_capacity(10);
        let id = Uuid::now_v7();
        c.put(id, (2, 5), b("v2"));
        assert_eq!(c.get(id, (2, 5)), Some(b("v2")));
        assert_eq!(c.get(id, (3, 5)), None, "a newer actie version");
        assert_eq!(c.get(id, (2, 6)), None, "a newer dependency");
        // An older rendering racing in does not replace a newer one.
        c.put(id, (1, 5), b("v1"));
        assert_eq!(c.get(id, (2, 5)), Some(b("v2")));
        c.put(id, (2, 7), b("v2'"));
        assert_eq!(c.get(id, (2, 7)), Some(b("v2'")));
    }

    #[test]
    fn bounded_by_its_capacity() {
        let c = ActieCache::with_capacity(3);
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        for id in &ids {
            c.put(*id, (1, 1), b("x"));
        }
        assert_eq!(c.len(), 3, "full: one entry made room");
        assert_eq!(c.get(ids[3], (1, 1)), Some(b("x")));
        let off = ActieCache::with_capacity(0);
        off.put(ids[0], (1, 1), b("x"));
        assert!(off.is_empty());
    }
}
