//! What only the PostgreSQL store has: several nodes on one database, and
//! a restart of the node keeping everything. The shared guarantees are the
//! `on_postgres` variants of the suite in tests/store.rs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mag_tracker::event_store::{
    AppendRequest, CommitListener, EventStore, ExpectedVersion, IdempotencyClaim, PgOptions,
    PgStore, RecordedEvent, StoreError,
};
use uuid::Uuid;

use super::{all, ev, one, support_pg};

fn node(url: &str) -> Arc<dyn EventStore> {
    let options = PgOptions {
        // The notification wakes the follower; the poll is the backstop.
        poll_interval: Duration::from_millis(500),
        ..PgOptions::default()
    };
    Arc::new(PgStore::open(url, options).unwrap())
}

#[derive(Default)]
struct Seen(Mutex<Vec<u64>>);
impl CommitListener for Seen {
    fn committed(&self, events: &[RecordedEvent]) {
        self.0
            .lock()
            .unwrap()
            .extend(events.iter().map(|e| e.position));
    }
}

fn wait_for_head(store: &dyn EventStore, head: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while store.head() < head {
        assert!(
            Instant::now() < deadline,
            "node stuck at {} < {head}",
            store.head()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn two_nodes_one_winner_per_version_equal_logs_gap_free() {
    let Some(db) = support_pg::database("two_nodes_one_winner_per_version_equal_logs_gap_free")
    else {
        return;
    };
    let (a, b) = (node(&db.url), node(&db.url));
    let (seen_a, seen_b) = (Arc::new(Seen::default()), Arc::new(Seen::default()));
    a.add_listener(seen_a.clone());
    b.add_listener(seen_b.clone());
    let streams: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
    let rounds = 6u64;
    let mut winners: HashMap<(Uuid, u64), usize> = HashMap::new();
    for version in 0..rounds {
        // 16 writers per node race for the same version of each stream.
        let handles: Vec<_> = (0..32)
            .map(|i| {
                let s = if i % 2 == 0 { a.clone() } else { b.clone() };
                let stream = streams[i % streams.len()];
                std::thread::spawn(move || {
                    let r = s
                        .append(one(stream, ExpectedVersion::Exact(version), vec![ev("X")]))
                        .wait();
                    (stream, r)
                })
            })
            .collect();
        for h in handles {
            let (stream, result) = h.join().unwrap();
            match result {
                Ok(out) => {
                    *winners
                        .entry((stream, out.version_of(stream).unwrap()))
                        .or_default() += 1
                }
                Err(StoreError::Conflict { actual, .. }) => assert_eq!(actual, version + 1),
                Err(other) => panic!("unexpected {other}"),
            }
        }
    }
    for s in &streams {
        for v in 1..=rounds {
            assert_eq!(
                winners.get(&(*s, v)),
                Some(&1),
                "one winner for version {v}"
            );
        }
    }
    let total = streams.len() as u64 * rounds;
    wait_for_head(a.as_ref(), total);
    wait_for_head(b.as_ref(), total);
    let (log_a, log_b) = (all(a.as_ref()), all(b.as_ref()));
    assert_eq!(log_a, log_b, "both nodes hold the same log");
    assert_eq!(
        log_a.iter().map(|e| e.position).collect::<Vec<_>>(),
        (1..=total).collect::<Vec<_>>(),
        "gap-free"
    );
    // Each node's listeners (its read model) saw every event once, in order.
    for seen in [&seen_a, &seen_b] {
        assert_eq!(*seen.0.lock().unwrap(), (1..=total).collect::<Vec<_>>());
    }
    for s in &streams {
        assert_eq!(a.stream_version(*s).unwrap(), rounds);
        assert_eq!(b.stream_version(*s).unwrap(), rounds);
    }
    a.close();
    b.close();
}

#[test]
fn idempotency_key_holds_across_nodes_and_reopen() {
    let Some(db) = support_pg::database("idempotency_key_holds_across_nodes_and_reopen") else {
        return;
    };
    let a = node(&db.url);
    let stream = Uuid::now_v7();
    let claim = IdempotencyClaim {
        key: "sleutel-1".into(),
        fingerprint: "f1".into(),
    };
    let request = |c: &IdempotencyClaim| -> AppendRequest {
        one(stream, ExpectedVersion::Any, vec![ev("X")]).with_idempotency(Some(c.clone()))
    };
    let first = a.append(request(&claim)).wait().unwrap();
    // Another node, which learnt of the append by following the log.
    let b = node(&db.url);
    let again = b.append(request(&claim)).wait().unwrap();
    assert!(again.duplicate);
    assert_eq!(again.last_position, first.last_position);
    let other = IdempotencyClaim {
        fingerprint: "f2".into(),
        ..claim.clone()
    };
    assert!(matches!(
        b.append(request(&other)).wait(),
        Err(StoreError::IdempotencyMismatch { .. })
    ));
    a.close();
    b.close();
    let c = node(&db.url);
    assert_eq!(c.head(), 1);
    assert_eq!(
        c.idempotency_record("sleutel-1").unwrap().map(|(f, _)| f),
        Some("f1".to_owned())
    );
    assert!(c.append(request(&claim)).wait().unwrap().duplicate);
    c.close();
}
