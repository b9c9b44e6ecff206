//! Event store semantics, given/when/then, run against both implementations
//! with the same test code. These fail if a guarantee of the store breaks.

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use mag_tracker::event_store::{
    AppendRequest, CommitListener, EventStore, ExpectedVersion, IdempotencyClaim, MemoryStore,
    Metadata, NewEvent, PgOptions, PgStore, RecordedEvent, SledOptions, SledStore, StoreError,
    StreamAppend, MAX_EVENT_BYTES,
};
use serde_json::json;
use uuid::Uuid;

#[path = "store/durability.rs"]
mod durability;
#[path = "store/postgres.rs"]
mod postgres_nodes;
#[path = "support_pg/mod.rs"]
mod support_pg;

struct Fixture {
    store: Arc<dyn EventStore>,
    _dir: Option<tempfile::TempDir>,
    _db: Option<support_pg::TestDb>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // Before the database goes: the store holds connections to it.
        self.store.close();
    }
}

fn memory() -> Fixture {
    Fixture {
        store: Arc::new(MemoryStore::new()),
        _dir: None,
        _db: None,
    }
}

fn sled() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path(), SledOptions::default()).unwrap();
    Fixture {
        store: Arc::new(store),
        _dir: Some(dir),
        _db: None,
    }
}

/// A PgStore on a fresh database, or `None` (said on stderr) without PostgreSQL.
fn postgres(test: &str) -> Option<Fixture> {
    let db = support_pg::database(test)?;
    let store = PgStore::open(&db.url, PgOptions::default()).unwrap();
    Some(Fixture {
        store: Arc::new(store),
        _dir: None,
        _db: Some(db),
    })
}

fn ev(kind: &str) -> NewEvent {
    NewEvent::new(kind, 1, json!({ "n": kind }))
}

fn one(stream: Uuid, expected: ExpectedVersion, events: Vec<NewEvent>) -> AppendRequest {
    AppendRequest::single(stream, "test", expected, events, Metadata::default())
}

fn all(store: &dyn EventStore) -> Vec<RecordedEvent> {
    let mut out = Vec::new();
    store
        .scan(0, u64::MAX, &mut |e| {
            out.push(e);
            ControlFlow::Continue(())
        })
        .unwrap();
    out
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod on_memory { $( #[test] fn $name() { super::$name(super::memory()); } )* }
        mod on_sled { $( #[test] fn $name() { super::$name(super::sled()); } )* }
        mod on_postgres { $( #[test] fn $name() {
            if let Some(f) = super::postgres(concat!("on_postgres::", stringify!($name))) {
                super::$name(f);
            }
        } )* }
    };
}

both!(
    positions_and_versions_start_at_one,
    expected_version_is_enforced,
    multi_stream_append_is_all_or_nothing,
    idempotency_key_returns_original_outcome,
    same_event_ids_append_nothing,
    oversized_event_is_refused,
    reads_by_stream_position_and_instant,
    listeners_see_commits_before_acknowledgement,
    concurrent_exact_appends_have_one_winner_per_version,
    concurrent_appends_to_many_streams_are_gap_free,
);

fn positions_and_versions_start_at_one(f: Fixture) {
    let s = &*f.store;
    let a = Uuid::now_v7();
    let b = Uuid::now_v7();
    let out = s
        .append(one(a, ExpectedVersion::NoStream, vec![ev("X"), ev("Y")]))
        .wait()
        .unwrap();
    assert_eq!((out.first_position, out.last_position), (1, 2));
    assert_eq!(out.version_of(a), Some(2));
    let out = s
        .append(one(b, ExpectedVersion::Any, vec![ev("Z")]))
        .wait()
        .unwrap();
    assert_eq!((out.first_position, out.last_position), (3, 3));
    let log = all(s);
    assert_eq!(
        log.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(
        log.iter().map(|e| e.version).collect::<Vec<_>>(),
        vec![1, 2, 1]
    );
    assert_eq!(log[0].event_type, "X");
    assert_eq!(log[2].stream_id, b);
    assert_eq!(s.head(), 3);
    assert_eq!(s.stream_version(a).unwrap(), 2);
    assert_eq!(s.stream_version(Uuid::now_v7()).unwrap(), 0);
}

fn expected_version_is_enforced(f: Fixture) {
    let s = &*f.store;
    let a = Uuid::now_v7();
    s.append(one(a, ExpectedVersion::NoStream, vec![ev("X")]))
        .wait()
        .unwrap();
    // NoStream on an existing stream
    let err = s
        .append(one(a, ExpectedVersion::NoStream, vec![ev("X")]))
        .wait()
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { actual: 1, .. }),
        "{err:?}"
    );
    // Exact with a stale version says the actual version
    let err = s
        .append(one(a, ExpectedVersion::Exact(0), vec![ev("X")]))
        .wait()
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::Conflict {
            stream_id: a,
            expected: ExpectedVersion::Exact(0),
            actual: 1
        }
    );
    assert!(err.to_string().contains("at version 1"));
    s.append(one(a, ExpectedVersion::Exact(1), vec![ev("Y")]))
        .wait()
        .unwrap();
    assert_eq!(s.head(), 2, "a refused append writes nothing");
}

fn multi_stream_append_is_all_or_nothing(f: Fixture) {
    let s = &*f.store;
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    s.append(one(b, ExpectedVersion::Any, vec![ev("B1")]))
        .wait()
        .unwrap();
    let req = AppendRequest {
        streams: vec![
            StreamAppend {
                stream_id: a,
                stream_type: "t".into(),
                expected: ExpectedVersion::NoStream,
                events: vec![ev("A1")],
            },
            StreamAppend {
                stream_id: b,
                stream_type: "t".into(),
                expected: ExpectedVersion::Exact(0),
                events: vec![ev("B2")],
            },
        ],
        metadata: Metadata::default(),
        idempotency: None,
    };
    assert!(matches!(
        s.append(req.clone()).wait(),
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(s.head(), 1);
    assert_eq!(
        s.stream_version(a).unwrap(),
        0,
        "the valid part was not written either"
    );
    let mut ok = req;
    ok.streams[1].expected = ExpectedVersion::Exact(1);
    let out = ok.clone();
    let out = s.append(out).wait().unwrap();
    assert_eq!((out.first_position, out.last_position), (2, 3));
    assert_eq!(out.version_of(a), Some(1));
    assert_eq!(out.version_of(b), Some(2));
}

fn idempotency_key_returns_original_outcome(f: Fixture) {
    let s = &*f.store;
    let a = Uuid::now_v7();
    let claim = IdempotencyClaim {
        key: "k1".into(),
        fingerprint: "body-1".into(),
    };
    let first = s
        .append(one(a, ExpectedVersion::Any, vec![ev("X")]).with_idempotency(Some(claim.clone())))
        .wait()
        .unwrap();
    assert!(!first.duplicate);
    // a retry with new event ids but the same key appends nothing
    let again = s
        .append(one(a, ExpectedVersion::Any, vec![ev("X")]).with_idempotency(Some(claim.clone())))
        .wait()
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(
        (again.first_position, again.streams.clone()),
        (first.first_position, first.streams.clone())
    );
    assert_eq!(s.head(), 1);
    // the same key for another request is refused
    let other = IdempotencyClaim {
        key: "k1".into(),
        fingerprint: "body-2".into(),
    };
    let err = s
        .append(one(a, ExpectedVersion::Any, vec![ev("X")]).with_idempotency(Some(other)))
        .wait()
        .unwrap_err();
    assert!(matches!(err, StoreError::IdempotencyMismatch { .. }));
    assert_eq!(all(s)[0].metadata.idempotency_key.as_deref(), Some("k1"));
}

fn same_event_ids_append_nothing(f: Fixture) {
    let s = &*f.store;
    let a = Uuid::now_v7();
    let req = one(a, ExpectedVersion::Any, vec![ev("X"), ev("Y")]);
    let first = s.append(req.clone()).wait().unwrap();
    let again = s.append(req.clone()).wait().unwrap();
    assert!(again.duplicate);
    assert_eq!(again.first_position, first.first_position);
    assert_eq!(again.last_position, first.last_position);
    assert_eq!(again.version_of(a), Some(2));
    assert_eq!(s.head(), 2);
    // some ids known, some not: refused
    let mut mixed = req;
    mixed.streams[0].events[1] = ev("Z");
    assert!(matches!(
        s.append(mixed).wait(),
        Err(StoreError::PartialDuplicate { .. })
    ));
    assert_eq!(s.head(), 2);
}

fn oversized_event_is_refused(f: Fixture) {
    let s = &*f.store;
    let big = NewEvent::new("Big", 1, json!({ "text": "x".repeat(MAX_EVENT_BYTES) }));
    let err = s
        .append(one(
            Uuid::now_v7(),
            ExpectedVersion::Any,
            vec![ev("ok"), big],
        ))
        .wait()
        .unwrap_err();
    assert!(matches!(err, StoreError::EventTooLarge { .. }), "{err:?}");
    assert_eq!(s.head(), 0);
    assert!(all(s).is_empty());
}

fn reads_by_stream_position_and_instant(f: Fixture) {
    let s = &*f.store;
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    for i in 0..5 {
        s.append(one(a, ExpectedVersion::Exact(i), vec![ev("A")]))
            .wait()
            .unwrap();
        s.append(one(b, ExpectedVersion::Exact(i), vec![ev("B")]))
            .wait()
            .unwrap();
    }
    let stream = s.read_stream(a, 3, 100).unwrap();
    assert_eq!(
        stream.iter().map(|e| e.version).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
    assert!(stream.iter().all(|e| e.stream_id == a));
    assert_eq!(s.read_stream(a, 1, 2).unwrap().len(), 2);
    // a stream as it was after a position (a: 1, 3, 5, 7, 9; b: 2, 4, ...)
    let until = |id, p| -> Vec<u64> {
        s.read_stream_until(id, p)
            .unwrap()
            .iter()
            .map(|e| e.position)
            .collect()
    };
    assert_eq!(until(a, 6), vec![1, 3, 5]);
    assert_eq!(until(a, 7), vec![1, 3, 5, 7]);
    assert_eq!(until(b, 1), Vec::<u64>::new());
    assert_eq!(until(b, 100), vec![2, 4, 6, 8, 10]);
    assert_eq!(until(Uuid::now_v7(), 10), Vec::<u64>::new());
    let page = s.read_all(4, 3).unwrap();
    assert_eq!(
        page.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![5, 6, 7]
    );
    assert_eq!(s.event_at(10).unwrap().unwrap().position, 10);
    assert!(s.event_at(11).unwrap().is_none());
    let log = all(s);
    assert!(log.windows(2).all(|w| w[0].recorded_at <= w[1].recorded_at));
    let t = log[6].recorded_at;
    let at = s.position_at(t).unwrap();
    assert!(at >= 7 && log[(at - 1) as usize].recorded_at == t);
    assert_eq!(
        s.position_at(log[0].recorded_at - chrono::Duration::seconds(1))
            .unwrap(),
        0
    );
    let mut upto = Vec::new();
    s.scan(2, 4, &mut |e| {
        upto.push(e.position);
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(upto, vec![3, 4]);
}

struct Recorder {
    seen: Mutex<Vec<u64>>,
    store: Mutex<Option<Arc<dyn EventStore>>>,
    head_when_called: Mutex<Vec<u64>>,
}
impl CommitListener for Recorder {
    fn committed(&self, events: &[RecordedEvent]) {
        self.seen
            .lock()
            .unwrap()
            .extend(events.iter().map(|e| e.position));
        if let Some(s) = &*self.store.lock().unwrap() {
            self.head_when_called.lock().unwrap().push(s.head());
        }
    }
}

fn listeners_see_commits_before_acknowledgement(f: Fixture) {
    let rec = Arc::new(Recorder {
        seen: Mutex::new(vec![]),
        store: Mutex::new(None),
        head_when_called: Mutex::new(vec![]),
    });
    f.store.add_listener(rec.clone());
    *rec.store.lock().unwrap() = Some(f.store.clone());
    let a = Uuid::now_v7();
    let out = f
        .store
        .append(one(a, ExpectedVersion::Any, vec![ev("X"), ev("Y")]))
        .wait()
        .unwrap();
    assert_eq!(
        *rec.seen.lock().unwrap(),
        vec![1, 2],
        "listener ran before the ack"
    );
    // the listener runs before the head advances, so a reader never sees a
    // head that projections have not caught up with
    assert_eq!(*rec.head_when_called.lock().unwrap(), vec![0]);
    assert_eq!(out.last_position, 2);
    // refused appends are not reported
    let _ = f
        .store
        .append(one(a, ExpectedVersion::NoStream, vec![ev("Z")]))
        .wait();
    assert_eq!(rec.seen.lock().unwrap().len(), 2);
    *rec.store.lock().unwrap() = None;
}

fn concurrent_exact_appends_have_one_winner_per_version(f: Fixture) {
    let stream = Uuid::now_v7();
    let rounds = 5u64;
    for version in 0..rounds {
        let handles: Vec<_> = (0..64)
            .map(|_| {
                let s = f.store.clone();
                std::thread::spawn(move || {
                    s.append(one(stream, ExpectedVersion::Exact(version), vec![ev("X")]))
                        .wait()
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "exactly one writer wins version {}", version + 1);
        assert!(results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(
                e,
                StoreError::Conflict { actual, .. } if *actual == version + 1
            )));
    }
    assert_eq!(f.store.stream_version(stream).unwrap(), rounds);
    assert_eq!(f.store.head(), rounds);
}

fn concurrent_appends_to_many_streams_are_gap_free(f: Fixture) {
    let handles: Vec<_> = (0..64)
        .map(|_| {
            let s = f.store.clone();
            std::thread::spawn(move || {
                let stream = Uuid::now_v7();
                let mut positions = Vec::new();
                for v in 0..20 {
                    let out = s
                        .append(one(
                            stream,
                            ExpectedVersion::Exact(v * 2),
                            vec![ev("X"), ev("Y")],
                        ))
                        .wait()
                        .unwrap();
                    positions.extend(out.first_position..=out.last_position);
                }
                positions
            })
        })
        .collect();
    let mut acked: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    acked.sort_unstable();
    let expected: Vec<u64> = (1..=64 * 20 * 2).collect();
    assert_eq!(
        acked, expected,
        "every position handed out exactly once, no gaps"
    );
    let log = all(&*f.store);
    assert_eq!(log.len(), expected.len());
    let ids: HashSet<_> = log.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), log.len());
    // within each stream versions are consecutive
    let mut by_stream = std::collections::HashMap::<Uuid, Vec<u64>>::new();
    for e in &log {
        by_stream.entry(e.stream_id).or_default().push(e.version);
    }
    assert!(by_stream
        .values()
        .all(|v| v.iter().copied().eq(1..=v.len() as u64)));
}

#[test]
fn sled_store_survives_reopen_with_idempotency() {
    let dir = tempfile::tempdir().unwrap();
    let a = Uuid::now_v7();
    let claim = IdempotencyClaim {
        key: "retry-me".into(),
        fingerprint: "f".into(),
    };
    let req = one(a, ExpectedVersion::Any, vec![ev("X")]);
    let first = {
        let s = SledStore::open(dir.path(), SledOptions::default()).unwrap();
        let outcome = s
            .append(req.clone().with_idempotency(Some(claim.clone())))
            .wait()
            .unwrap();
        s.close();
        outcome
    };
    let s = SledStore::open(dir.path(), SledOptions::default()).unwrap();
    assert_eq!(s.head(), 1);
    let again = s
        .append(one(a, ExpectedVersion::Any, vec![ev("X")]).with_idempotency(Some(claim)))
        .wait()
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.first_position, first.first_position);
    let by_id = s.append(req).wait().unwrap();
    assert!(
        by_id.duplicate,
        "event ids are remembered across restarts too"
    );
    let next = s
        .append(one(a, ExpectedVersion::Exact(1), vec![ev("Y")]))
        .wait()
        .unwrap();
    assert_eq!(next.first_position, 2);
    assert!(all(&s)[1].recorded_at >= all(&s)[0].recorded_at);
}

#[test]
fn second_open_of_same_directory_says_it_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let _first = SledStore::open(dir.path(), SledOptions::default()).unwrap();
    // A second open in the same process hits sled's file lock just as another process would.
    match SledStore::open(dir.path(), SledOptions::default()) {
        Err(StoreError::Locked { path }) => assert!(path.contains(&*dir.path().to_string_lossy())),
        Err(other) => panic!("expected Locked, got {other:?}"),
        Ok(_) => panic!("second open succeeded"),
    }
}

mod property {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Append {
            stream: usize,
            expect: Option<u64>,
            events: usize,
            key: Option<u8>,
        },
        Retry(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..4usize, proptest::option::of(0..4u64), 1..4usize, proptest::option::of(0..3u8))
                .prop_map(|(stream, expect, events, key)| Op::Append { stream, expect, events, key }),
            1 => (0..50usize).prop_map(Op::Retry),
        ]
    }

    /// Strips what legitimately differs between two stores (instants).
    fn shape(log: &[RecordedEvent]) -> Vec<(u64, Uuid, u64, Uuid, String)> {
        log.iter()
            .map(|e| {
                (
                    e.position,
                    e.stream_id,
                    e.version,
                    e.id,
                    e.event_type.clone(),
                )
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn memory_and_sled_give_identical_logs(ops in proptest::collection::vec(op(), 1..40)) {
            let streams: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
            let mem = memory();
            let disk = sled();
            let mut sent: Vec<AppendRequest> = Vec::new();
            for op in ops {
                let req = match op {
                    Op::Append { stream, expect, events, key } => {
                        let expected = expect.map_or(ExpectedVersion::Any, ExpectedVersion::Exact);
                        let evs = (0..events).map(|i| ev(&format!("E{i}"))).collect();
                        one(streams[stream], expected, evs).with_idempotency(
                            key.map(|k| IdempotencyClaim { key: format!("k{k}"), fingerprint: format!("f{}", stream) }))
                    }
                    Op::Retry(i) if !sent.is_empty() => sent[i % sent.len()].clone(),
                    Op::Retry(_) => continue,
                };
                let a = mem.store.append(req.clone()).wait();
                let b = disk.store.append(req.clone()).wait();
                prop_assert_eq!(a.map_err(|e| e.to_string()), b.map_err(|e| e.to_string()));
                sent.push(req);
            }
            prop_assert_eq!(shape(&all(&*mem.store)), shape(&all(&*disk.store)));
        }
    }
}
