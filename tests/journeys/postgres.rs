//! Several `serve` nodes on one PostgreSQL database (issue 21), driven as
//! an operator and a client would: writes through both nodes to the same
//! opgaven (one winner per version, the other a 412), a read through the
//! other node that waits for the writer's `X-Positie`, both nodes' read
//! models and feeds equal and gap-free afterwards.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::support::{cli, text, token_create_ok, Resp, Server};
use super::support_pg;

fn ok(r: Resp, what: &str) -> Value {
    assert!(
        (200..300).contains(&r.status),
        "{what}: {} {}",
        r.status,
        r.text
    );
    r.json()
}

/// `serve` on its own data directory and the shared database, with the
/// webhook key every node on one database shares (beside the directory).
pub fn node(dir: &std::path::Path, url: &str) -> Server {
    let key = dir.parent().unwrap().join("webhooks.key");
    Server::start(
        dir,
        &[
            "--database-url",
            url,
            "--rate-limit",
            "0",
            "--no-demo",
            "--webhooks-key-file",
            key.to_str().unwrap(),
        ],
    )
}

/// A token of `rol` (with `extra` arguments), created against the
/// database (the first loads the demo).
pub fn token(dir: &std::path::Path, url: &str, rol: &str, extra: &[&str]) -> String {
    let mut args = vec!["--database-url", url];
    args.extend_from_slice(extra);
    token_create_ok(dir, rol, "Gemeente Twenterand", &args)
}

/// Every event of the feed as (positie, id), read through `node`.
fn feed(node: &Server, token: &str) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    let mut na = 0u64;
    loop {
        let page = ok(
            node.call(
                "GET",
                &format!("/gebeurtenissen?na={na}&pageSize=500"),
                Some(token),
                &[],
                "",
            ),
            "feed",
        );
        let items = page["gebeurtenissen"].as_array().unwrap().clone();
        if items.is_empty() {
            return out;
        }
        for e in items {
            na = e["positie"].as_u64().unwrap();
            out.push((na, e["id"].as_str().unwrap().to_owned()));
        }
    }
}

fn opgaven(node: &Server) -> Vec<Value> {
    let agenda = ok(node.get("/agendas", None), "agendas")["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        node.get(&format!("/agendas/{agenda}/opgaven?pageSize=500"), None),
        "opgaven",
    )["resultaten"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn two_nodes_on_one_database_agree_and_read_each_others_writes() {
    let Some(db) = support_pg::database("journeys::postgres::two_nodes") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let beheerder = token(&dir_a, &db.url, "beheerder", &[]);
    let pm = token(&dir_b, &db.url, "programmamanager", &["--alle-agendas"]);
    let a = node(&dir_a, &db.url);
    let b = node(&dir_b, &db.url);
    let targets: Vec<Value> = opgaven(&a).into_iter().take(3).collect();
    assert_eq!(targets.len(), 3, "the demo has opgaven");
    let mut last_write_on_a = 0u64;
    for round in 0..4 {
        for opgave in &targets {
            let id = opgave["id"].as_str().unwrap();
            // Both nodes get the same If-Match: the version as node A has it now.
            let current = ok(a.get(&format!("/opgaven/{id}"), None), "opgave");
            let etag = format!("\"{}\"", current["versie"]);
            let results: Vec<(char, Resp)> = std::thread::scope(|s| {
                let handles: Vec<_> = [('a', &a), ('b', &b)]
                    .into_iter()
                    .map(|(name, n)| {
                        let etag = etag.clone();
                        let token = pm.clone();
                        s.spawn(move || {
                            let body =
                                json!({"omschrijving": format!("ronde {round} via node {name}")});
                            (
                                name,
                                n.call(
                                    "PATCH",
                                    &format!("/opgaven/{id}"),
                                    Some(&token),
                                    &[("If-Match", &etag)],
                                    &body.to_string(),
                                ),
                            )
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let winners: Vec<&(char, Resp)> =
                results.iter().filter(|(_, r)| r.status == 200).collect();
            assert_eq!(winners.len(), 1, "exactly one winner: {results:?}");
            let losers: Vec<&(char, Resp)> =
                results.iter().filter(|(_, r)| r.status != 200).collect();
            assert_eq!(
                losers[0].1.status, 412,
                "the other is told it is stale: {}",
                losers[0].1.text
            );
            assert!(
                losers[0].1.text.contains("stale-etag"),
                "{}",
                losers[0].1.text
            );
            let (winner, reply) = winners[0];
            let positie: u64 = reply
                .header("X-Positie")
                .expect("a write says its position")
                .parse()
                .unwrap();
            // Read it through the *other* node, waiting for that position.
            let other = if *winner == 'a' { &b } else { &a };
            let seen = other.call(
                "GET",
                &format!("/opgaven/{id}"),
                None,
                &[("X-Wacht-Op-Positie", &positie.to_string())],
                "",
            );
            assert_eq!(
                ok(seen, "read after write")["omschrijving"],
                format!("ronde {round} via node {winner}"),
                "the other node shows the write once it has the position"
            );
            if *winner == 'a' {
                last_write_on_a = last_write_on_a.max(positie);
            }
        }
    }
    // Quiescence: both read models and feeds equal, the log gap-free.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (oa, ob) = (opgaven(&a), opgaven(&b));
        if oa == ob {
            break;
        }
        assert!(Instant::now() < deadline, "the nodes' read models differ");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (fa, fb) = (feed(&a, &beheerder), feed(&b, &beheerder));
    assert_eq!(fa, fb, "both nodes serve the same log");
    let positions: Vec<u64> = fa.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        positions,
        (1..=positions.len() as u64).collect::<Vec<_>>(),
        "gap-free"
    );
    assert!(last_write_on_a <= positions.len() as u64);

    // A position no node has: a bounded wait, then 503 with Retry-After.
    let far = (positions.len() + 1000).to_string();
    let started = Instant::now();
    let r = b.call("GET", "/agendas", None, &[("X-Wacht-Op-Positie", &far)], "");
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.header("Retry-After"), Some("5"));
    assert!(r
        .header("Content-Type")
        .unwrap()
        .starts_with("application/problem+json"));
    let problem = r.json();
    assert_eq!(problem["code"], "position-not-reached");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("positie {far}")),
        "{problem}"
    );
    assert!(started.elapsed() < Duration::from_secs(8));
    // Not a number: 400, naming the header.
    let r = b.call(
        "GET",
        "/agendas",
        None,
        &[("X-Wacht-Op-Positie", "gisteren")],
        "",
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(
        r.json()["invalidParams"][0]["name"],
        "header.X-Wacht-Op-Positie"
    );
    a.stop();
    b.stop();
}

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Migration both ways, as docs/deployment.md describes it: export from
/// sled, import into an empty database, export from there, import into a
/// new data directory, export again: the same bytes every time.
#[test]
fn migration_sled_to_postgres_and_back_is_byte_identical() {
    let Some(db) = support_pg::database("journeys::postgres::migration") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let p = |name: &str| tmp.path().join(name);
    let s = |name: &str| p(name).to_str().unwrap().to_owned();
    // A sled store with the demo and a change by a programmamanager.
    let sled = p("sled");
    let pm = token_create_ok(
        &sled,
        "programmamanager",
        "Gemeente Twenterand",
        &["--alle-agendas"],
    );
    let server = Server::start(&sled, &["--rate-limit", "0"]);
    let id = opgaven(&server)[0]["id"].as_str().unwrap().to_owned();
    let r = server.call(
        "PATCH",
        &format!("/opgaven/{id}"),
        Some(&pm),
        &[("If-Match", "\"1\"")],
        &json!({"omschrijving": "Ümlaut, emoji 🚲 en \"quotes\""}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    server.stop();

    let run = |args: &[&str]| {
        let out = cli(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stderr)
    };
    run(&[
        "export-events",
        "--data-dir",
        &s("sled"),
        "-o",
        &s("1.jsonl"),
    ]);
    let said = run(&[
        "import-events",
        "--database-url",
        &db.url,
        "-i",
        &s("1.jsonl"),
    ]);
    assert!(said.contains("imported"), "{said}");
    // Verify and export straight from the database.
    let out = cli(&[
        "verify",
        "--data-dir",
        &s("pg-node"),
        "--database-url",
        &db.url,
    ]);
    assert!(
        out.status.success(),
        "verify: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).starts_with("ok: "),
        "{}",
        text(&out.stdout)
    );
    run(&[
        "export-events",
        "--database-url",
        &db.url,
        "-o",
        &s("2.jsonl"),
    ]);
    assert_eq!(
        read(&p("1.jsonl")),
        read(&p("2.jsonl")),
        "sled -> PostgreSQL keeps every byte"
    );
    // A second import into the same database is refused and changes nothing.
    let out = cli(&[
        "import-events",
        "--database-url",
        &db.url,
        "-i",
        &s("1.jsonl"),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("already holds"),
        "{}",
        text(&out.stderr)
    );
    // Served from PostgreSQL: the change is there.
    let node = node(&p("pg-node"), &db.url);
    assert_eq!(
        ok(node.get(&format!("/opgaven/{id}"), None), "opgave")["omschrijving"],
        "Ümlaut, emoji 🚲 en \"quotes\""
    );
    node.stop();
    // And back to a data directory.
    run(&[
        "import-events",
        "--data-dir",
        &s("sled2"),
        "-i",
        &s("2.jsonl"),
    ]);
    run(&[
        "export-events",
        "--data-dir",
        &s("sled2"),
        "-o",
        &s("3.jsonl"),
    ]);
    assert_eq!(
        read(&p("1.jsonl")),
        read(&p("3.jsonl")),
        "PostgreSQL -> sled keeps every byte"
    );
}

/// An unreachable database or a malformed URL: the command stops with a
/// plain message that names host, port and database, never the password.
#[test]
fn an_unreachable_database_is_reported_without_the_password() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let url = "postgres://mag:geheim-wachtwoord@127.0.0.1:1/magdb";
    let out = cli(&[
        "serve",
        "--data-dir",
        dir,
        "--database-url",
        url,
        "--bind",
        "127.0.0.1:0",
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("cannot open the store in PostgreSQL (127.0.0.1:1/magdb)"),
        "{err}"
    );
    assert!(!err.contains("geheim"), "the password leaked: {err}");
    let out = cli(&[
        "verify",
        "--data-dir",
        dir,
        "--database-url",
        "postgres://[nonsense",
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("not a valid PostgreSQL connection string"),
        "{err}"
    );
}
