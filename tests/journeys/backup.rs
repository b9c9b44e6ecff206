//! A backup that restores and verifies: an administrator backs up a
//! running server over HTTP (only with a beheerder token: without one, or
//! with another role's, the export is refused and leaves no file), restores
//! it into an empty directory, `verify` passes (saying that idempotency
//! records are not part of a backup), and the restored server serves the
//! same data.

use std::path::Path;

use serde_json::json;

use crate::support::{cli, cli_ok, text, token_from, Server};

fn token(dir: &Path, rol: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "token",
        "create",
        "--rol",
        rol,
        "--organisatie",
        "Gemeente Twenterand",
        "--data-dir",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    token_from(&cli_ok(&args))
}

fn export(server: &Server, token: Option<&str>, file: &Path) -> std::process::Output {
    let url = server.base.trim_end_matches("/v1").to_owned();
    let mut args = vec![
        "export-events",
        "--server",
        &url,
        "-o",
        file.to_str().unwrap(),
    ];
    if let Some(t) = token {
        args.extend(["--token", t]);
    }
    cli(&args)
}

#[test]
fn a_backup_over_http_restores_into_an_empty_directory_and_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    let beheerder = token(&live, "beheerder", &[]);
    let manager = token(&live, "programmamanager", &["--alle-agendas"]);
    let server = Server::start(&live, &[]);
    let agenda = server.get("/agendas", None).json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let actie = server
        .get(&format!("/agendas/{agenda}/acties"), None)
        .json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let berichten = format!("/acties/{actie}/voortgangsberichten");
    let r = server.call(
        "POST",
        &berichten,
        Some(&manager),
        &[("Idempotency-Key", "bericht-voor-de-backup")],
        &json!({"tekst": "Vijf taalcafés geopend", "datum": "2024-05-01"}).to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.text);

    // Without a token: refused, nothing written.
    let file = tmp.path().join("backup.jsonl");
    let out = export(&server, None, &file);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("needs a beheerder token"), "{err}");
    assert!(!file.exists() && !tmp.path().join("backup.jsonl.partial").exists());

    // Another role's token does not see token events: refused, nothing written.
    let out = export(&server, Some(&manager), &file);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("skipped from position") && err.contains("beheerder"),
        "{err}"
    );
    assert!(!file.exists() && !tmp.path().join("backup.jsonl.partial").exists());

    // The beheerder's backup is complete.
    let out = export(&server, Some(&beheerder), &file);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A collection's weak ETag carries the global position it reflects.
    let etag = server
        .get("/agendas", None)
        .header("ETag")
        .unwrap()
        .to_owned();
    let head: usize = etag
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .unwrap();
    server.stop();
    let backup = std::fs::read_to_string(&file).unwrap();
    let lines = backup.lines().count();
    assert!(text(&out.stderr).contains(&format!(
        "exported {lines} events (positions 1..{lines}, complete)"
    )));
    assert_eq!(lines, head, "the backup ends at the server's head");
    assert!(
        backup.contains("\"streamType\":\"token\""),
        "token events are in the backup"
    );
    assert!(backup.contains("bericht-voor-de-backup"));

    // Restore into an empty directory; verify passes and says why keys have no record.
    let restored = tmp.path().join("restored");
    let out = cli(&[
        "import-events",
        "--data-dir",
        restored.to_str().unwrap(),
        "-i",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = cli(&["verify", "--data-dir", restored.to_str().unwrap()]);
    let report = text(&out.stdout);
    assert!(out.status.success(), "{report}\n{}", text(&out.stderr));
    assert!(
        report.starts_with(&format!("ok: {lines} events")),
        "{report}"
    );
    assert!(
        report.contains("were restored by import-events; 1 idempotency key(s) of those events have no record, as expected"),
        "{report}"
    );
    // The original directory has its records: no such note.
    let out = cli(&["verify", "--data-dir", live.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stdout).contains("idempotency key(s)"),
        "{}",
        text(&out.stdout)
    );

    // The restored server serves the same data, and the tokens still work.
    let server = Server::start(&restored, &[]);
    let list = server.get(&berichten, None);
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(
        list.text.contains("Vijf taalcafés geopend"),
        "{}",
        list.text
    );
    let feed = server.get(
        &format!("/gebeurtenissen?na={}", lines - 1),
        Some(&beheerder),
    );
    assert_eq!(feed.status, 200, "{}", feed.text);
    assert_eq!(feed.json()["gebeurtenissen"].as_array().unwrap().len(), 1);
    server.stop();
}
