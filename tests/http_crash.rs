//! Crash test of the real server: `mag-tracker serve` runs on a temporary
//! data directory while 16 HTTP clients add voortgangsberichten; it is killed
//! with SIGKILL at a random moment. After each kill the store is opened
//! directly and must hold every write that got a 2xx exactly once, with
//! gap-free positions, and `mag-tracker verify` must pass (which also checks
//! that two rebuilds of the projections agree, and that the read-model
//! snapshot the server wrote plus the log after it equals a full replay); then the server is started again on the same
//! directory, must answer, and must serve every acknowledged bericht.
//!
//! `HTTP_CRASH_ROUNDS` sets the rounds (default 3); `scripts/crash-test`
//! runs 100 of these and 100 rounds of the store-level crash test.

use std::collections::HashMap;
use std::net::TcpListener;
use std::ops::ControlFlow;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mag_tracker::event_store::{EventStore, PgOptions, PgStore, SledOptions, SledStore};
use serde_json::Value;

#[path = "support_pg/mod.rs"]
mod support_pg;

fn pseudo_random(range: std::ops::Range<u64>) -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    range.start + nanos.wrapping_mul(6364136223846793005) % (range.end - range.start)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

struct Server {
    child: Child,
    base: String,
}

fn start(dir: &std::path::Path, extra: &[&str]) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_mag-tracker"))
        .args([
            "serve",
            "--rate-limit",
            "0",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir)
        .args(extra)
        // Read-model snapshots often, so kills also hit snapshot writes and
        // restarts load a snapshot and replay the log after it.
        .env("MAG_SNAPSHOT_EVERY", "20")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mag-tracker serve");
    let base = format!("http://127.0.0.1:{port}/v1");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = agent().get(format!("{base}/agendas")).call() {
            if r.status() == 200 {
                break;
            }
        }
        assert!(Instant::now() < deadline, "the server did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, base }
}

fn actie_ids(base: &str) -> Vec<String> {
    let mut r = agent().get(format!("{base}/agendas")).call().unwrap();
    let agendas: Value = r.body_mut().read_json().unwrap();
    let agenda = agendas["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let mut r = agent()
        .get(format!("{base}/agendas/{agenda}/acties?pageSize=500"))
        .call()
        .unwrap();
    let acties: Value = r.body_mut().read_json().unwrap();
    acties["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn sigkill_of_the_server_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    crash_server(dir.path(), &[], &|| {
        Box::new(SledStore::open(dir.path(), SledOptions::default()).unwrap())
    });
}

/// The same with the log in PostgreSQL: the killed node's acknowledged
/// writes are all in the database, and the restarted node serves them.
#[test]
fn sigkill_of_a_node_on_postgres_loses_no_acknowledged_write() {
    let Some(db) = support_pg::database("http_crash::sigkill_of_a_node_on_postgres") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    crash_server(dir.path(), &["--database-url", &db.url], &|| {
        Box::new(PgStore::open(&db.url, PgOptions::default()).unwrap())
    });
}

fn crash_server(dir: &std::path::Path, extra: &[&str], open: &dyn Fn() -> Box<dyn EventStore>) {
    let rounds: usize = std::env::var("HTTP_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    // tekst → actie, for every write that got a 2xx.
    let acked: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let mut total_sent = 0usize;
    // A programmamanager token, issued while no server runs (this also loads the demo).
    let out = Command::new(env!("CARGO_BIN_EXE_mag-tracker"))
        .args([
            "token",
            "create",
            "--rol",
            "programmamanager",
            "--organisatie",
            "Gemeente Twenterand",
            "--alle-agendas",
            "--data-dir",
        ])
        .arg(dir)
        .args(extra)
        .output()
        .expect("mag-tracker token create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let auth = format!("Bearer {}", String::from_utf8(out.stdout).unwrap().trim());
    let mut snapshots_checked = 0;
    for round in 1..=rounds {
        let mut server = start(dir, extra);
        let acties = actie_ids(&server.base);
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let clients: Vec<_> = (0..16)
            .map(|t| {
                let auth = auth.clone();
                let (base, acties, stop, acked, sent) = (
                    server.base.clone(),
                    acties.clone(),
                    stop.clone(),
                    acked.clone(),
                    sent.clone(),
                );
                std::thread::spawn(move || {
                    let agent = agent();
                    let mut n = 0usize;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        let actie = &acties[(t * 7 + n) % acties.len()];
                        let tekst = format!("crash r{round} t{t} n{n}");
                        let body = serde_json::json!({ "tekst": tekst }).to_string();
                        sent.fetch_add(1, Ordering::Relaxed);
                        let response = agent
                            .post(format!("{base}/acties/{actie}/voortgangsberichten"))
                            .header("Authorization", &auth)
                            .header("Content-Type", "application/json")
                            .header("Idempotency-Key", &tekst)
                            .send(&body);
                        match response {
                            Ok(r) if r.status().is_success() => {
                                acked.lock().unwrap().insert(tekst, actie.clone());
                            }
                            // Refused, or the server died mid-request: not acknowledged.
                            _ => {}
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(pseudo_random(300..1500)));
        server.child.kill().expect("SIGKILL the server");
        server.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.join().unwrap();
        }
        total_sent += sent.load(Ordering::Relaxed);

        // `mag-tracker verify`: gap-free, every event decodes, stream versions
        // consecutive, indexes consistent, two rebuilds of the projections agree.
        let verify = Command::new(env!("CARGO_BIN_EXE_mag-tracker"))
            .args(["verify", "--data-dir"])
            .arg(dir)
            .args(extra)
            .output()
            .expect("run mag-tracker verify");
        assert!(
            verify.status.success(),
            "mag-tracker verify failed after round {round}: {}{}",
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        );
        if String::from_utf8_lossy(&verify.stdout)
            .contains("plus the log after it equals a full replay")
        {
            snapshots_checked += 1;
        }

        // The store itself: gap-free, every acknowledged bericht exactly once.
        let mut seen: HashMap<String, usize> = HashMap::new();
        {
            let store = open();
            let mut expected = 0u64;
            store
                .scan(0, store.head(), &mut |e| {
                    expected += 1;
                    assert_eq!(e.position, expected, "positions are gap-free");
                    if e.event_type == "VoortgangsberichtToegevoegd" {
                        if let Some(t) = e.data["tekst"].as_str() {
                            *seen.entry(t.to_owned()).or_default() += 1;
                        }
                    }
                    ControlFlow::Continue(())
                })
                .expect("the log scans without gaps");
            // The restart below opens the directory at once.
            store.close();
        }
        let acked_now = acked.lock().unwrap().clone();
        for tekst in acked_now.keys() {
            assert_eq!(
                seen.get(tekst).copied(),
                Some(1),
                "acknowledged write {tekst:?} must be stored exactly once"
            );
        }
        for (tekst, count) in &seen {
            assert_eq!(*count, 1, "{tekst:?} stored {count} times");
        }

        // The restarted server serves every acknowledged bericht.
        let mut server = start(dir, extra);
        let mut per_actie: HashMap<&str, Vec<&str>> = HashMap::new();
        for (tekst, actie) in &acked_now {
            per_actie.entry(actie).or_default().push(tekst);
        }
        for (actie, teksten) in per_actie {
            let mut served = Vec::new();
            let mut page = 1;
            loop {
                let mut r = agent()
                    .get(format!(
                        "{}/acties/{actie}/voortgangsberichten?pageSize=500&page={page}",
                        server.base
                    ))
                    .call()
                    .unwrap();
                let body: Value = r.body_mut().read_json().unwrap();
                let items = body["resultaten"].as_array().cloned().unwrap_or_default();
                served.extend(
                    items
                        .iter()
                        .filter_map(|b| b["tekst"].as_str().map(str::to_owned)),
                );
                if items.len() < 500 {
                    break;
                }
                page += 1;
            }
            for t in teksten {
                assert!(
                    served.iter().any(|s| s == t),
                    "the restarted server must serve acknowledged bericht {t:?}"
                );
            }
        }
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        println!(
            "round {round}: {} writes acknowledged in total, {} stored, all present exactly once, gap-free",
            acked_now.len(),
            seen.len()
        );
    }
    assert!(
        !acked.lock().unwrap().is_empty(),
        "the clients got no write acknowledged at all ({total_sent} sent)"
    );
    println!("{snapshots_checked} of {rounds} rounds checked a read-model snapshot");
    assert!(
        snapshots_checked > 0,
        "no round left a read-model snapshot for verify to check"
    );
}
