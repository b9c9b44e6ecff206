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
//! 1 KB each; 0 turns the cache off). When a new actie does not fit, one
//! entry makes room, chosen by the CLOCK algorithm (an approximation of
//! least recently used): a hit only sets the entry's `used` flag under the
//! read lock; eviction sweeps the slots in turn, clearing flags, and takes
//! the first entry not used since the sweep last passed it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;

use actix_web::web;
use uuid::Uuid;

use super::dto::ActieDto;
use crate::domain::actie::Actie;
use crate::projections::{Entity, ReadModel};

/// Default number of cached bodies (`MAG_ACTIE_CACHE_ENTRIES`).
pub const DEFAULT_ENTRIES: usize = 20_000;

/// What an entry is valid for: see [`ReadModel::actie_stamp`].
type Stamp = (u64, u64);

pub struct ActieCache {
    capacity: usize,
    inner: RwLock<Inner>,
}

struct Entry {
    stamp: Stamp,
    body: web::Bytes,
    /// Read since the clock hand last passed this entry's slot.
    used: AtomicBool,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Uuid, Entry>,
    /// The cached ids in slot order, for the clock hand.
    slots: Vec<Uuid>,
    hand: usize,
}

impl Inner {
    /// Frees one slot by the CLOCK rule and returns its index.
    fn evict(&mut self) -> usize {
        loop {
            self.hand = (self.hand + 1) % self.slots.len();
            let id = self.slots[self.hand];
            let entry = self.entries.get(&id).expect("every slot holds an entry");
            if !entry.used.swap(false, Ordering::Relaxed) {
                self.entries.remove(&id);
                return self.hand;
            }
        }
    }
}

impl Default for ActieCache {
    /// Capacity from `MAG_ACTIE_CACHE_ENTRIES`, else [`DEFAULT_ENTRIES`].
    fn default() -> Self {
        let capacity = std::env::var("MAG_ACTIE_CACHE_ENTRIES")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_ENTRIES);
        Self::with_capacity(capacity)
    }
}

impl ActieCache {
    /// A cache of at most `capacity` bodies (0: nothing is cached).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity,
            inner: RwLock::default(),
        }
    }

    /// Number of bodies held now.
    pub fn len(&self) -> usize {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .entries
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, id: Uuid, stamp: Stamp) -> Option<web::Bytes> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let entry = inner.entries.get(&id).filter(|e| e.stamp == stamp)?;
        entry.used.store(true, Ordering::Relaxed);
        Some(entry.body.clone())
    }

    fn put(&self, id: Uuid, stamp: Stamp, body: web::Bytes) {
        if self.capacity == 0 {
            return;
        }
        let mut guard = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let inner = &mut *guard;
        if let Some(entry) = inner.entries.get_mut(&id) {
            // Only ever replaced by a newer rendering (two requests may
            // race; both parts of the stamp only grow in the live model).
            if entry.stamp <= stamp {
                entry.stamp = stamp;
                entry.body = body;
                entry.used.store(true, Ordering::Relaxed);
            }
            return;
        }
        if inner.slots.len() < self.capacity {
            inner.slots.push(id);
        } else {
            let slot = inner.evict();
            inner.slots[slot] = id;
        }
        inner.entries.insert(
            id,
            Entry {
                stamp,
                body,
                used: AtomicBool::new(false),
            },
        );
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
        for id in &ids[..3] {
            c.put(*id, (1, 1), b("x"));
        }
        assert_eq!(c.len(), 3);
        // Replacing an entry in place does not clear.
        c.put(ids[0], (2, 1), b("y"));
        assert_eq!(c.len(), 3);
        // ids[0] was just replaced and ids[1] read: the clock passes them
        // and evicts ids[2], the one not used since it was cached.
        assert_eq!(c.get(ids[1], (1, 1)), Some(b("x")));
        c.put(ids[3], (1, 1), b("z"));
        assert_eq!(c.len(), 3, "full: one entry made room");
        assert_eq!(c.get(ids[3], (1, 1)), Some(b("z")));
        assert_eq!(c.get(ids[2], (1, 1)), None, "the unused entry went");
        assert_eq!(c.get(ids[0], (2, 1)), Some(b("y")));
        assert_eq!(c.get(ids[1], (1, 1)), Some(b("x")));
        // A stream of new acties cycles through the slots, never above the
        // capacity, and a hot entry read between them stays.
        for _ in 0..20 {
            assert!(c.get(ids[1], (1, 1)).is_some(), "the hot entry stays");
            c.put(Uuid::now_v7(), (1, 1), b("n"));
            assert_eq!(c.len(), 3);
        }
        let off = ActieCache::with_capacity(0);
        off.put(ids[0], (1, 1), b("x"));
        assert!(off.is_empty());
    }
}
