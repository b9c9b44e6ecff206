//! The maintenance commands, run as the real binary: replay, verify,
//! export-events / import-events (round trip byte-identical), and an export
//! over HTTP from a running server.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use mag_tracker::app::{load_demo, open_state, Application};
use mag_tracker::event_store::{EventStore, SledOptions, SledStore};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mag-tracker"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A store with the demo agenda in `dir` (closed again when this returns).
fn demo_store(dir: &Path) -> u64 {
    let path = dir.to_path_buf();
    actix_web::rt::System::new().block_on(async move {
        let store = Arc::new(SledStore::open(&path, SledOptions::default()).unwrap());
        let state = open_state(store.clone()).unwrap();
        load_demo(&state).await.unwrap();
        let head = store.head();
        drop(state);
        store.close();
        head
    })
}

#[test]
fn replay_verify_and_an_export_import_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let head = demo_store(&a);
    let a_s = a.to_str().unwrap();

    let out = run(&["verify", "--data-dir", a_s]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with(&format!("ok: {head} events")));

    let out = run(&["replay", "--data-dir", a_s]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("events/s"));
    assert!(text(&out.stdout).contains(&format!("position {head}:")));
    assert!(text(&out.stdout).contains("79 acties"));
    let out = run(&["replay", "--data-dir", a_s, "--tot", "10"]);
    assert!(
        text(&out.stdout).starts_with("position 10:"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["replay", "--data-dir", a_s, "--tot", "2000-01-01"]);
    assert!(text(&out.stdout).starts_with("position 0:"));
    let out = run(&["replay", "--data-dir", a_s, "--tot", "gisteren"]);
    assert!(!out.status.success());

    // export → import into an empty store → export: identical bytes
    let first = tmp.path().join("first.jsonl");
    let out = run(&[
        "export-events",
        "--data-dir",
        a_s,
        "-o",
        first.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let b = tmp.path().join("b");
    let b_s = b.to_str().unwrap();
    let out = run(&[
        "import-events",
        "--data-dir",
        b_s,
        "-i",
        first.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let second = tmp.path().join("second.jsonl");
    assert!(run(&[
        "export-events",
        "--data-dir",
        b_s,
        "-o",
        second.to_str().unwrap()
    ])
    .status
    .success());
    let (x, y) = (
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap(),
    );
    assert_eq!(x.iter().filter(|c| **c == b'\n').count() as u64, head);
    assert!(x == y, "export → import → export is byte-identical");
    assert!(run(&["verify", "--data-dir", b_s]).status.success());

    // a non-empty store is refused unless --force; --force skips what is there
    let out = run(&[
        "import-events",
        "--data-dir",
        b_s,
        "-i",
        first.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--force"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&[
        "import-events",
        "--data-dir",
        b_s,
        "-i",
        first.to_str().unwrap(),
        "--force",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(&format!("imported 0 events ({head} already present")));

    // a file with a gap is refused; a store with an undecodable event fails verify
    let lines: Vec<&str> = std::str::from_utf8(&x).unwrap().lines().collect();
    let gap = tmp.path().join("gap.jsonl");
    std::fs::write(&gap, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
    let c = tmp.path().join("c");
    let out = run(&[
        "import-events",
        "--data-dir",
        c.to_str().unwrap(),
        "-i",
        gap.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("position 3 where 2 was expected"),
        "{}",
        text(&out.stderr)
    );
    let mut bad: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    bad["data"] = serde_json::json!({"onzin": true});
    let badfile = tmp.path().join("bad.jsonl");
    std::fs::write(&badfile, format!("{bad}\n{}\n", lines[1])).unwrap();
    let d = tmp.path().join("d");
    let d_s = d.to_str().unwrap();
    assert!(run(&[
        "import-events",
        "--data-dir",
        d_s,
        "-i",
        badfile.to_str().unwrap()
    ])
    .status
    .success());
    let out = run(&["verify", "--data-dir", d_s]);
    assert!(!out.status.success());
    let report = text(&out.stderr);
    assert!(report.contains("position 1: does not decode"), "{report}");
}

#[test]
fn a_running_server_is_exported_over_http_and_its_directory_stays_locked() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("live");
    let p = path.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let store = Arc::new(SledStore::open(&p, SledOptions::default()).unwrap());
            let state = open_state(store.clone()).unwrap();
            load_demo(&state).await.unwrap();
            let mut lines = String::new();
            for e in store.read_all(0, usize::MAX).unwrap() {
                lines.push_str(&serde_json::to_string(&e).unwrap());
                lines.push('\n');
            }
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let app = Application::build(state, listener).unwrap();
            tx.send((app.port, lines)).unwrap();
            let _ = app.server.await;
        })
    });
    let (port, expected) = rx.recv().unwrap();
    let out_file = tmp.path().join("live.jsonl");
    let out = run(&[
        "export-events",
        "--server",
        &format!("http://127.0.0.1:{port}"),
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), expected);

    let out = run(&["export-events", "--data-dir", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("in use by another process"),
        "{}",
        text(&out.stderr)
    );
}
