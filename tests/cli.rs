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
    // A beheerder token (this loads the demo agenda and closes the store).
    let created = run(&[
        "token",
        "create",
        "--rol",
        "beheerder",
        "--organisatie",
        "Gemeente Twenterand",
        "--data-dir",
        path.to_str().unwrap(),
    ]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let token = text(&created.stdout)
        .split_whitespace()
        .find(|w| w.starts_with("mag_"))
        .unwrap()
        .to_owned();
    let p = path.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let store = Arc::new(SledStore::open(&p, SledOptions::default()).unwrap());
            let state = open_state(store.clone()).unwrap();
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
    assert!(expected.contains("\"streamType\":\"token\""));
    let out_file = tmp.path().join("live.jsonl");
    let server = format!("http://127.0.0.1:{port}");
    let out = run(&[
        "export-events",
        "--server",
        &server,
        "--token",
        &token,
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

/// `serve` until it answers; its stderr (the log) is returned when it stops.
fn serve(dir: &Path, extra: &[&str]) -> (std::process::Child, String) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_mag-tracker"))
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir)
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}/v1");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while ureq::get(format!("{base}/agendas")).call().is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "serve did not come up"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    (child, base)
}

/// SIGTERM (a graceful stop), then the log.
fn stop(child: std::process::Child) -> String {
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stderr)
}

#[test]
fn serve_restarts_from_its_read_model_snapshot_and_ignores_a_bad_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let snapshot = dir.join("read-model.snapshot");
    // First start: the demo is loaded; a graceful stop writes the snapshot.
    let (child, _) = serve(&dir, &[]);
    let log = stop(child);
    assert!(log.contains("wrote the read-model snapshot"), "{log}");
    assert!(snapshot.exists());
    let out = run(&["verify", "--data-dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("plus the log after it equals a full replay"),
        "{}",
        text(&out.stdout)
    );

    // Second start: loaded, nothing to replay; the demo agenda is served.
    let (child, base) = serve(&dir, &[]);
    let agendas: serde_json::Value = ureq::get(format!("{base}/agendas"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    assert_eq!(agendas["resultaten"].as_array().unwrap().len(), 1);
    let log = stop(child);
    assert!(log.contains("loaded the read-model snapshot"), "{log}");
    assert!(log.contains("from_snapshot"), "{log}");

    // The offline tools start from the snapshot too (and write none); what
    // they append is replayed after it by the next start.
    let before = std::fs::read(&snapshot).unwrap();
    let out = run(&[
        "token",
        "create",
        "--rol",
        "lezer",
        "--organisatie",
        "Gemeente Twenterand",
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("loaded the read-model snapshot"));
    assert_eq!(std::fs::read(&snapshot).unwrap(), before);
    let out = run(&["verify", "--data-dir", dir.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains("plus the log after it equals a full replay"),
        "{}",
        text(&out.stdout)
    );

    // A damaged snapshot is ignored with the reason; the whole log is replayed.
    let mut bytes = std::fs::read(&snapshot).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&snapshot, bytes).unwrap();
    let out = run(&["verify", "--data-dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("snapshot not used (the body does not match its digest"));
    let (child, _) = serve(&dir, &[]);
    let log = stop(child);
    assert!(log.contains("not using the read-model snapshot"), "{log}");
    assert!(log.contains("digest"), "{log}");

    // --snapshot-every 0: no snapshot is read or written.
    std::fs::remove_file(&snapshot).unwrap();
    let (child, _) = serve(&dir, &["--snapshot-every", "0"]);
    let log = stop(child);
    assert!(!log.contains("read-model snapshot"), "{log}");
    assert!(!snapshot.exists());
}

#[test]
fn a_bad_database_ca_file_stops_the_database_commands_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("db-ca.pem");
    std::fs::write(&ca, "this is no certificate\n").unwrap();
    let data = dir.path().join("data");
    let (ca, data) = (ca.to_str().unwrap(), data.to_str().unwrap());
    // Checked before connecting: nothing listens on port 1.
    let url = "postgres://mag@127.0.0.1:1/mag?sslmode=require";
    for command in ["serve", "verify", "replay", "export-events"] {
        let out = run(&[
            command,
            "--data-dir",
            data,
            "--database-url",
            url,
            "--database-ca-file",
            ca,
        ]);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{command} started: {stderr}");
        assert!(
            stderr.contains(&format!("--database-ca-file {ca}: holds no certificate"))
                && !stderr.contains("panicked"),
            "{command}: {stderr}"
        );
    }
    // The environment variable works the same way.
    let out = Command::new(env!("CARGO_BIN_EXE_mag-tracker"))
        .args(["verify", "--data-dir", data])
        .env("MAG_DATABASE_URL", url)
        .env("MAG_DATABASE_CA_FILE", ca)
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("holds no certificate"),
        "{}",
        text(&out.stderr)
    );
}
