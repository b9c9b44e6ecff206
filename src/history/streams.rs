//! Recently read streams, for the per-opgave as-of path
//! ([`super::AsOf::opgave_model_at`]).
//!
//! An opgave's events are scattered over the whole log, so reading its
//! streams from sled touches a page per event, mostly outside sled's page
//! cache on a large store. Events never change and a stream only grows, so
//! a stream read once up to the head stays a valid prefix: a later read up
//! to any position at or before that head needs no store access, and one
//! beyond it reads only the versions after the cached ones. Bounded by a
//! number of events (least recently used streams go first); streams larger
//! than an eighth of the bound are read directly and not kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use crate::domain::Event;
use crate::event_store::{EventStore, RecordedEvent, StoreError, StoreResult};

/// A stored event with its data decoded once, when the stream was read:
/// reads that apply the same streams again skip the JSON decoding.
#[derive(Clone)]
pub struct DecodedEvent {
    pub recorded: RecordedEvent,
    pub event: Event,
}

fn decode_all(events: Vec<RecordedEvent>) -> StoreResult<Vec<DecodedEvent>> {
    events
        .into_iter()
        .map(|recorded| {
            let event = Event::decode(
                &recorded.event_type,
                recorded.schema_version,
                &recorded.data,
            )
            .map_err(|e| {
                StoreError::Corrupt(format!("event at position {}: {e}", recorded.position))
            })?;
            Ok(DecodedEvent { recorded, event })
        })
        .collect()
}

struct Entry {
    /// Versions 1..=n of the stream, in order.
    events: Arc<Vec<DecodedEvent>>,
    /// Every event of the stream at a position up to this one is in `events`.
    complete_until: u64,
    used: u64,
}

#[derive(Default)]
struct Inner {
    streams: HashMap<Uuid, Entry>,
    events: usize,
    tick: u64,
}

pub struct StreamCache {
    inner: Mutex<Inner>,
    max_events: usize,
}

impl StreamCache {
    pub fn new(max_events: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            max_events,
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The stream's events (from version 1) and how many of them lie at
    /// positions up to and including `until`.
    pub fn read_until(
        &self,
        store: &dyn EventStore,
        stream: Uuid,
        until: u64,
    ) -> StoreResult<(Arc<Vec<DecodedEvent>>, usize)> {
        let cached = {
            let mut inner = self.inner();
            inner.tick += 1;
            let tick = inner.tick;
            inner.streams.get_mut(&stream).map(|e| {
                e.used = tick;
                (e.events.clone(), e.complete_until)
            })
        };
        let count =
            |events: &[DecodedEvent]| events.partition_point(|e| e.recorded.position <= until);
        let (events, complete_until) = match cached {
            Some((events, complete)) if until <= complete => {
                let n = count(&events);
                return Ok((events, n));
            }
            Some((events, _)) => {
                // Only what was committed by `head` counts as complete.
                let head = store.head();
                let mut all = (*events).clone();
                let more = store.read_stream(stream, all.len() as u64 + 1, usize::MAX)?;
                all.extend(decode_all(
                    more.into_iter().filter(|e| e.position <= head).collect(),
                )?);
                (all, head)
            }
            None => {
                if store.stream_version(stream)? as usize > self.max_events / 8 {
                    let events = decode_all(store.read_stream_until(stream, until)?)?;
                    let n = events.len();
                    return Ok((Arc::new(events), n));
                }
                let head = store.head();
                (decode_all(store.read_stream_until(stream, head)?)?, head)
            }
        };
        let events = Arc::new(events);
        let n = count(&events);
        if events.len() <= self.max_events / 8 {
            self.keep(stream, events.clone(), complete_until);
        }
        Ok((events, n))
    }

    fn keep(&self, stream: Uuid, events: Arc<Vec<DecodedEvent>>, complete_until: u64) {
        let mut inner = self.inner();
        inner.tick += 1;
        let used = inner.tick;
        let added = events.len();
        if let Some(old) = inner.streams.insert(
            stream,
            Entry {
                events,
                complete_until,
                used,
            },
        ) {
            inner.events -= old.events.len();
        }
        inner.events += added;
        if inner.events > self.max_events {
            // Down to three quarters, least recently used first.
            let mut by_use: Vec<(u64, Uuid)> =
                inner.streams.iter().map(|(id, e)| (e.used, *id)).collect();
            by_use.sort_unstable();
            for (_, id) in by_use {
                if inner.events <= self.max_events / 4 * 3 {
                    break;
                }
                if let Some(e) = inner.streams.remove(&id) {
                    inner.events -= e.events.len();
                }
            }
        }
    }

    /// Events kept now.
    #[cfg(test)]
    fn cached_events(&self) -> usize {
        self.inner().events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_store::{AppendRequest, ExpectedVersion, MemoryStore, Metadata, NewEvent};

    fn add(store: &MemoryStore, stream: Uuid, n: usize) {
        for _ in 0..n {
            store
                .append(AppendRequest::single(
                    stream,
                    "test",
                    ExpectedVersion::Any,
                    vec![NewEvent::new(
                        "OrganisatieGewijzigd",
                        1,
                        serde_json::json!({}),
                    )],
                    Metadata::default(),
                ))
                .wait()
                .unwrap();
        }
    }

    #[test]
    fn cached_streams_give_what_the_store_gives_as_they_grow_and_are_evicted() {
        let store = MemoryStore::new();
        let streams: Vec<Uuid> = (0..20).map(|_| Uuid::now_v7()).collect();
        let cache = StreamCache::new(48);
        let check = |cache: &StreamCache| {
            for &s in &streams {
                for p in 0..=store.head() + 1 {
                    let (events, n) = cache.read_until(&store, s, p).unwrap();
                    let expected = store.read_stream_until(s, p).unwrap();
                    let got: Vec<u64> = events[..n].iter().map(|e| e.recorded.position).collect();
                    let want: Vec<u64> = expected.iter().map(|e| e.position).collect();
                    assert_eq!(got, want, "stream {s} until {p}");
                }
            }
        };
        for round in 0..3 {
            for (i, &s) in streams.iter().enumerate() {
                add(&store, s, 1 + (i + round) % 4);
            }
            check(&cache);
            assert!(cache.cached_events() <= 48);
        }
        // a stream too big to keep is read directly
        let big = Uuid::now_v7();
        add(&store, big, 20);
        let (events, n) = cache.read_until(&store, big, store.head()).unwrap();
        assert_eq!((events.len(), n), (20, 20));
        assert!(cache.cached_events() <= 48);
        check(&cache);
    }
}
