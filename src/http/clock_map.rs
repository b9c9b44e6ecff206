//! A bounded map for the response caches ([`super::ActieCache`],
//! [`super::PdcaCache`]): at most `capacity` entries; when a new key does not
//! fit, one entry makes room, chosen by the CLOCK algorithm (an
//! approximation of least recently used). A hit only sets the entry's `used`
//! flag under the read lock, so concurrent readers do not serialise; the
//! eviction sweeps the slots in turn, clearing flags, and takes the first
//! entry not read since the hand last passed it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;

use uuid::Uuid;

pub struct ClockMap<V> {
    capacity: usize,
    inner: RwLock<Inner<V>>,
}

struct Entry<V> {
    value: V,
    /// Read since the clock hand last passed this entry's slot.
    used: AtomicBool,
}

struct Inner<V> {
    entries: HashMap<Uuid, Entry<V>>,
    /// The keys in slot order, for the clock hand.
    slots: Vec<Uuid>,
    hand: usize,
}

impl<V> Inner<V> {
    /// Frees one slot by the CLOCK rule and returns its index.
    fn evict(&mut self) -> usize {
        loop {
            self.hand = (self.hand + 1) % self.slots.len();
            let key = self.slots[self.hand];
            let entry = self.entries.get(&key).expect("every slot holds an entry");
            if !entry.used.swap(false, Ordering::Relaxed) {
                self.entries.remove(&key);
                return self.hand;
            }
        }
    }
}

impl<V> ClockMap<V> {
    /// A map of at most `capacity` entries (0: nothing is kept).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity,
            inner: RwLock::new(Inner {
                entries: HashMap::new(),
                slots: Vec::new(),
                hand: 0,
            }),
        }
    }

    /// Capacity from the environment variable `var`, else `default`.
    pub fn from_env(var: &str, default: usize) -> Self {
        Self::with_capacity(crate::env_usize(var, default))
    }

    /// Number of entries held now.
    pub fn len(&self) -> usize {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .entries
            .len()
    }

    /// What `read` makes of the entry of `key`; a hit (`Some`) marks the
    /// entry as used.
    pub fn get<R>(&self, key: Uuid, read: impl FnOnce(&V) -> Option<R>) -> Option<R> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let entry = inner.entries.get(&key)?;
        let found = read(&entry.value)?;
        entry.used.store(true, Ordering::Relaxed);
        Some(found)
    }

    /// Keeps `value` for `key`: a new key takes a free slot or evicts one;
    /// an existing entry is replaced only if `replaces(&old)` says so (two
    /// renderings may race; the older must not win).
    pub fn put(&self, key: Uuid, value: V, replaces: impl FnOnce(&V) -> bool) {
        if self.capacity == 0 {
            return;
        }
        let mut guard = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let inner = &mut *guard;
        if let Some(entry) = inner.entries.get_mut(&key) {
            if replaces(&entry.value) {
                entry.value = value;
                entry.used.store(true, Ordering::Relaxed);
            }
            return;
        }
        if inner.slots.len() < self.capacity {
            inner.slots.push(key);
        } else {
            let slot = inner.evict();
            inner.slots[slot] = key;
        }
        inner.entries.insert(
            key,
            Entry {
                value,
                used: AtomicBool::new(false),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(m: &ClockMap<u32>, k: Uuid) -> Option<u32> {
        m.get(k, |v| Some(*v))
    }

    #[test]
    fn evicts_what_was_not_read_since_the_hand_passed() {
        let m = ClockMap::with_capacity(3);
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        for (i, id) in ids[..3].iter().enumerate() {
            m.put(*id, i as u32, |_| true);
        }
        assert_eq!(m.len(), 3);
        // Replacing in place takes no slot; a refused replacement keeps the old value.
        m.put(ids[0], 10, |_| true);
        m.put(ids[0], 99, |_| false);
        assert_eq!(get(&m, ids[0]), Some(10));
        assert_eq!(get(&m, ids[1]), Some(1));
        // ids[0] and ids[1] were read: the clock passes them, ids[2] goes.
        m.put(ids[3], 3, |_| true);
        assert_eq!(m.len(), 3, "full: one entry made room");
        assert_eq!(get(&m, ids[2]), None, "the unread entry went");
        assert_eq!((get(&m, ids[0]), get(&m, ids[3])), (Some(10), Some(3)));
        // A stream of new keys cycles through the slots, never above the
        // capacity, and a key read between them stays.
        for n in 0..20 {
            assert_eq!(get(&m, ids[1]), Some(1), "the hot entry stays");
            m.put(Uuid::now_v7(), 100 + n, |_| true);
            assert_eq!(m.len(), 3);
        }
        // A miss by `read` (a stale entry) does not count as a use.
        let stale = ClockMap::with_capacity(1);
        stale.put(ids[0], 1, |_| true);
        assert_eq!(stale.get(ids[0], |v| (*v == 2).then_some(*v)), None);
        stale.put(ids[1], 2, |_| true);
        assert_eq!(get(&stale, ids[1]), Some(2));
        let off = ClockMap::with_capacity(0);
        off.put(ids[0], 1, |_| true);
        assert_eq!(off.len(), 0);
    }
}
