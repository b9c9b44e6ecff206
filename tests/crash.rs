//! Crash test: a child process appends atomic three-event batches from 16
//! threads and is killed with SIGKILL at a random moment. After each restart
//! every acknowledged append is present exactly once, positions are gap-free,
//! and no half batch is visible. `CRASH_ROUNDS` sets the rounds (default 3);
//! `scripts/crash-test 100` runs a hundred.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::ops::ControlFlow;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mag_tracker::event_store::{EventStore, PgOptions, PgStore, SledOptions, SledStore};
use uuid::Uuid;

#[path = "support_pg/mod.rs"]
mod support_pg;

fn pseudo_random(range: std::ops::Range<u64>) -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    range.start + nanos.wrapping_mul(6364136223846793005) % (range.end - range.start)
}

fn rounds() -> usize {
    std::env::var("CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

#[test]
fn sigkill_loses_no_acknowledged_append() {
    let dir = tempfile::tempdir().unwrap();
    crash_rounds(dir.path(), &[], &|| {
        Box::new(SledStore::open(dir.path(), SledOptions::default()).expect("reopen after SIGKILL"))
    });
}

/// The same against PostgreSQL: a node (the load process) killed with
/// SIGKILL loses no append PostgreSQL acknowledged to it.
#[test]
fn sigkill_on_postgres_loses_no_acknowledged_append() {
    let Some(db) = support_pg::database("crash::sigkill_on_postgres_loses_no_acknowledged_append")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    crash_rounds(dir.path(), &["--database-url", &db.url], &|| {
        Box::new(PgStore::open(&db.url, PgOptions::default()).expect("reopen after SIGKILL"))
    });
}

fn crash_rounds(dir: &std::path::Path, extra: &[&str], reopen: &dyn Fn() -> Box<dyn EventStore>) {
    let rounds = rounds();
    let mut acked: HashMap<Uuid, (u64, u64)> = HashMap::new();
    for round in 1..=rounds {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mag-tracker"))
            .args(["store-load", "--appenders", "16", "--data-dir"])
            .arg(dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the load process");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        assert_eq!(rx.recv_timeout(Duration::from_secs(30)).unwrap(), "READY");
        std::thread::sleep(Duration::from_millis(pseudo_random(50..400)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        let mut this_round = 0;
        for line in rx.try_iter() {
            let parts: Vec<&str> = line.split(' ').collect();
            assert_eq!(parts[0], "ACK", "unexpected output {line:?}");
            let first: u64 = parts[2].parse().unwrap();
            let last: u64 = parts[3].parse().unwrap();
            acked.insert(parts[1].parse().unwrap(), (first, last));
            this_round += 1;
        }

        let store = reopen();
        let mut groups: HashMap<Uuid, Vec<u64>> = HashMap::new();
        let mut ids = std::collections::HashSet::new();
        let mut count = 0u64;
        store
            .scan(0, store.head(), &mut |e| {
                count += 1;
                assert!(ids.insert(e.id), "event {} stored twice", e.id);
                groups
                    .entry(e.metadata.correlation_id.unwrap())
                    .or_default()
                    .push(e.position);
                ControlFlow::Continue(())
            })
            .expect("positions are gap-free and every event decodes");
        assert_eq!(count, store.head());
        for (correlation, positions) in &groups {
            assert_eq!(
                positions.len(),
                3,
                "append {correlation} is visible only in part: {positions:?}"
            );
        }
        for (correlation, (first, last)) in &acked {
            let positions = groups.get(correlation).unwrap_or_else(|| {
                panic!("round {round}: acknowledged append {correlation} is lost")
            });
            assert_eq!((positions[0], positions[2]), (*first, *last));
        }
        eprintln!(
            "round {round}: {this_round} appends acknowledged before SIGKILL; log holds {} appends ({} events), all acknowledged present, gap-free",
            groups.len(),
            count
        );
        assert!(groups.len() >= acked.len());
        store.close();
    }
    assert!(
        !acked.is_empty(),
        "the load process acknowledged nothing at all"
    );
}
