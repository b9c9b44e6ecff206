//! The end of the log, read and decoded once for every subscription. Each
//! delivery task asks for the events after its cursor; a task that keeps up
//! gets them from a window of recent decoded events shared by all tasks
//! (extended from the store by whichever task first needs the next events),
//! so ten subscriptions cost one read of the log, not ten. A task far
//! behind (a rewind, a receiver that was down) reads the store itself
//! without disturbing the window.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::event_store::{EventStore, RecordedEvent, StoreResult};

/// Decoded events kept for tasks that keep up.
const WINDOW: usize = 4_096;
/// Events read from the store at a time.
const READ: usize = 512;

pub struct Tail {
    store: Arc<dyn EventStore>,
    window: Mutex<Window>,
}

#[derive(Default)]
struct Window {
    /// Position of `events[0]`.
    first: u64,
    events: VecDeque<Arc<RecordedEvent>>,
}

impl Window {
    /// Position of the last event held (`first - 1` when empty).
    fn last(&self) -> u64 {
        self.first + self.events.len() as u64 - 1
    }
}

impl Tail {
    pub fn new(store: Arc<dyn EventStore>) -> Self {
        Self {
            store,
            window: Mutex::new(Window::default()),
        }
    }

    /// At most `limit` events after position `after`, in log order (empty at
    /// the head of the log).
    pub fn after(&self, after: u64, limit: usize) -> StoreResult<Vec<Arc<RecordedEvent>>> {
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        let behind = !w.events.is_empty() && after + 1 < w.first;
        if behind {
            // Behind the window: read on its own, keep the window.
            drop(w);
            return Ok(self
                .store
                .read_all(after, limit)?
                .into_iter()
                .map(Arc::new)
                .collect());
        }
        if w.events.is_empty() || after > w.last() + WINDOW as u64 {
            // Nothing held, or a task far ahead of it: start the window here.
            w.events.clear();
            w.first = after + 1;
        }
        // Extend the window until it holds `limit` events after `after` or
        // the end of the log.
        let head = self.store.head();
        while after + limit as u64 > w.last() && w.last() < head {
            let read = self.store.read_all(w.last(), READ.max(limit))?;
            if read.is_empty() {
                break;
            }
            w.events.extend(read.into_iter().map(Arc::new));
            let excess = w.events.len().saturating_sub(WINDOW);
            if excess > 0 {
                w.events.drain(..excess);
                w.first += excess as u64;
            }
        }
        if after + 1 < w.first {
            // Pushed out by the read itself (a limit beyond the window).
            drop(w);
            return self.after(after, limit);
        }
        if after >= w.last() {
            // At the end of the log (or of this node's copy of it).
            return Ok(Vec::new());
        }
        let start = (after + 1 - w.first) as usize;
        Ok(w.events.range(start..).take(limit).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_store::{AppendRequest, ExpectedVersion, MemoryStore, Metadata, NewEvent};

    fn append_n(store: &dyn EventStore, n: u64) {
        for _ in 0..n {
            store
                .append(AppendRequest::single(
                    uuid::Uuid::now_v7(),
                    "actie",
                    ExpectedVersion::Any,
                    vec![NewEvent::new("Iets", 1, serde_json::json!({}))],
                    Metadata::default(),
                ))
                .wait()
                .unwrap();
        }
    }

    fn store_with(n: u64) -> Arc<dyn EventStore> {
        let store = MemoryStore::new();
        append_n(&store, n);
        Arc::new(store)
    }

    fn positions(v: &[Arc<RecordedEvent>]) -> Vec<u64> {
        v.iter().map(|e| e.position).collect()
    }

    #[test]
    fn tasks_at_different_places_each_get_their_next_events_in_order() {
        let tail = Tail::new(store_with(40));
        assert_eq!(positions(&tail.after(10, 3).unwrap()), [11, 12, 13]);
        assert_eq!(positions(&tail.after(0, 2).unwrap()), [1, 2]);
        assert_eq!(positions(&tail.after(38, 5).unwrap()), [39, 40]);
        assert!(tail.after(40, 5).unwrap().is_empty());
        assert_eq!(positions(&tail.after(12, 2).unwrap()), [13, 14]);
        let all: Vec<u64> = (0..40)
            .step_by(7)
            .flat_map(|a| positions(&tail.after(a, 7).unwrap()))
            .collect();
        assert_eq!(all, (1..=40).collect::<Vec<_>>());
    }

    #[test]
    fn new_events_are_read_once_they_are_in_the_log() {
        let store = store_with(5);
        let tail = Tail::new(store.clone());
        assert_eq!(positions(&tail.after(3, 10).unwrap()), [4, 5]);
        assert!(tail.after(5, 10).unwrap().is_empty());
        append_n(store.as_ref(), 3);
        assert_eq!(positions(&tail.after(5, 10).unwrap()), [6, 7, 8]);
        assert_eq!(positions(&tail.after(4, 2).unwrap()), [5, 6]);
    }

    #[test]
    fn a_task_a_little_ahead_extends_the_window_instead_of_restarting_it() {
        let tail = Tail::new(store_with(3_000));
        assert_eq!(positions(&tail.after(0, 2).unwrap()), [1, 2]);
        // A new subscription starting near the end of the log ...
        assert_eq!(positions(&tail.after(2_990, 20).unwrap()).len(), 10);
        // ... leaves the window to the tasks that were in it.
        {
            let w = tail.window.lock().unwrap();
            assert_eq!((w.first, w.last()), (1, 3_000));
        }
        // A cursor beyond the end of this node's copy of the log: nothing yet.
        assert!(tail.after(3_100, 10).unwrap().is_empty());
    }
}
