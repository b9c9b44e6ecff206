//! Webhook subscriptions on several nodes sharing one PostgreSQL database
//! (issue 20 with issue 21's store): a subscription made through one node
//! is delivered by the elected node, every event once or more, in order,
//! signed with the secret the subscriber was shown; when the delivering
//! node is killed, the other takes over from the shared cursor; a node with
//! another webhook key refuses to start.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use super::postgres::token;
use super::support::{cli, text, Resp, Server};
use super::support_pg;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(super) struct Got {
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// A webhook receiver on 127.0.0.1 that keeps every request and answers 204.
pub(super) struct Receiver {
    pub(super) url: String,
    got: Arc<Mutex<Vec<Got>>>,
}

impl Receiver {
    pub(super) fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let keep = got.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut headers = HashMap::new();
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    continue;
                }
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.trim_end().split_once(':') {
                        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                    }
                }
                let n: usize = headers
                    .get("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; n];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                keep.lock().unwrap().push(Got { headers, body });
                let _ = stream.write_all(
                    b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        Self { url, got }
    }

    pub(super) fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    /// The positions received, in arrival order (repeats included).
    fn positions(&self) -> Vec<u64> {
        self.got()
            .iter()
            .map(|g| {
                let ce: Value = serde_json::from_slice(&g.body).unwrap();
                ce["sequence"].as_str().unwrap().parse().unwrap()
            })
            .collect()
    }

    /// Waits until position `until` arrived (at most `patience`).
    pub(super) fn wait_for(&self, until: u64, patience: Duration) {
        let deadline = Instant::now() + patience;
        while !self.positions().contains(&until) {
            assert!(
                Instant::now() < deadline,
                "position {until} did not arrive; got {:?}",
                self.positions()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Checks the Standard Webhooks signature with ring, independently of the
/// server's code: `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")).
pub(super) fn verify(secret: &str, g: &Got) {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let (id, ts) = (&g.headers["webhook-id"], &g.headers["webhook-timestamp"]);
    let mut signed = format!("{id}.{ts}.").into_bytes();
    signed.extend_from_slice(&g.body);
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key),
        &signed,
    );
    let expected = format!("v1,{}", STANDARD.encode(mac.as_ref()));
    assert!(
        g.headers["webhook-signature"]
            .split(' ')
            .any(|s| s == expected),
        "signature {} is not {expected}",
        g.headers["webhook-signature"]
    );
    let ce: Value = serde_json::from_slice(&g.body).unwrap();
    assert_eq!(
        ce["id"].as_str(),
        Some(id.as_str()),
        "webhook-id is the event id"
    );
    assert_eq!(ce["specversion"], "1.0");
}

fn node(dir: &std::path::Path, url: &str, extra: &[&str]) -> Server {
    let mut args = vec![
        "--database-url",
        url,
        "--rate-limit",
        "0",
        "--no-demo",
        "--webhooks-allow-http-loopback",
    ];
    args.extend_from_slice(extra);
    Server::start(dir, &args)
}

pub(super) fn ok(r: Resp, what: &str) -> Value {
    assert!(
        (200..300).contains(&r.status),
        "{what}: {} {}",
        r.status,
        r.text
    );
    r.json()
}

/// The feed after `na` as (positie, id), read through `node` once it has
/// position `head`.
fn feed_after(node: &Server, token: &str, na: u64, head: u64) -> Vec<(u64, String)> {
    let wait = head.to_string();
    let page = ok(
        node.call(
            "GET",
            &format!("/gebeurtenissen?na={na}&pageSize=500"),
            Some(token),
            &[("X-Wacht-Op-Positie", &wait)],
            "",
        ),
        "feed",
    );
    page["gebeurtenissen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["positie"].as_u64().unwrap(),
                e["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Changes the omschrijving of opgave `id` through `node`; the write's position.
fn write(node: &Server, token: &str, id: &str, tekst: &str) -> u64 {
    let current = ok(node.get(&format!("/opgaven/{id}"), None), "opgave");
    let etag = format!("\"{}\"", current["versie"]);
    let r = node.call(
        "PATCH",
        &format!("/opgaven/{id}"),
        Some(token),
        &[("If-Match", &etag)],
        &json!({ "omschrijving": tekst }).to_string(),
    );
    assert_eq!(r.status, 200, "write through a node: {}", r.text);
    r.header("x-positie").unwrap().parse().unwrap()
}

/// Every event arrived (first arrivals in log order, repeats only of
/// events already delivered) with a valid signature and the event's id.
fn check_delivered(rx: &Receiver, secret: &str, expected: &[(u64, String)]) -> usize {
    let got = rx.got();
    let mut first = Vec::new();
    for g in &got {
        verify(secret, g);
        let ce: Value = serde_json::from_slice(&g.body).unwrap();
        let p: u64 = ce["sequence"].as_str().unwrap().parse().unwrap();
        let id = ce["id"].as_str().unwrap().to_owned();
        if !first.iter().any(|(q, _)| *q == p) {
            if let Some((last, _)) = first.last() {
                assert!(p > *last, "position {p} arrived after {last}: out of order");
            }
            first.push((p, id));
        }
    }
    assert_eq!(first, expected, "every event, in log order");
    got.len() - first.len()
}

/// The delivery lock of this test's database (other tests' databases on
/// the same server have their own).
const LOCK: &str = "l.locktype = 'advisory' AND l.objid = 727473 AND l.granted \
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";

/// The `application_name` of the session that holds the delivery lock
/// (each node connects as `node-<name>`), once one does.
fn holder(url: &str) -> String {
    let q = format!("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE {LOCK}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let name = support_pg::psql(url, &q);
        if !name.is_empty() {
            return name;
        }
        assert!(Instant::now() < deadline, "no node took the delivery lock");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn two_nodes_deliver_each_event_once_through_the_elected_node_and_fail_over() {
    let Some(db) = support_pg::database("journeys::webhooks_pg::two_nodes") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let beheerder = token(&dir_a, &db.url, "beheerder", &[]);
    let pm = token(&dir_b, &db.url, "programmamanager", &["--alle-agendas"]);
    let (url_a, url_b) = (
        format!("{}?application_name=node-a", db.url),
        format!("{}?application_name=node-b", db.url),
    );
    let a = node(&dir_a, &url_a, &[]);
    // Node A holds the delivery lock before node B starts.
    assert_eq!(holder(&db.url), "node-a");
    let key = dir_a.join("webhooks.key");
    let b = node(
        &dir_b,
        &url_b,
        &["--webhooks-key-file", key.to_str().unwrap()],
    );
    let rx = Receiver::start();

    // Subscribed through node B, which does not deliver.
    let made = ok(
        b.post("/abonnementen", &beheerder, &json!({"callbackUrl": rx.url})),
        "subscribe through node B",
    );
    let (id, secret) = (
        made["id"].as_str().unwrap(),
        made["secret"].as_str().unwrap(),
    );
    let vanaf = made["vanafPositie"].as_u64().unwrap();
    let stored = support_pg::psql(
        &db.url,
        "SELECT encode(sealed, 'hex') FROM mag_webhook_secrets",
    );
    assert!(!stored.is_empty(), "the secret is in the shared database");
    let plain: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    assert!(
        !stored.contains(&plain[12..40]),
        "the secret is stored sealed"
    );

    let agenda = ok(a.get("/agendas", None), "agendas")["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let opgaven = ok(
        a.get(&format!("/agendas/{agenda}/opgaven"), None),
        "opgaven",
    );
    let ids: Vec<String> = opgaven["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    let mut head = 0;
    for round in 0..3 {
        head = write(&a, &pm, &ids[0], &format!("ronde {round} via node A"));
        head = head.max(write(
            &b,
            &pm,
            &ids[1],
            &format!("ronde {round} via node B"),
        ));
    }
    rx.wait_for(head, Duration::from_secs(30));
    let expected = feed_after(&b, &beheerder, vanaf, head);
    assert_eq!(
        expected.len(),
        7,
        "the subscription's creation and six writes"
    );
    let repeats = check_delivered(&rx, secret, &expected);
    assert_eq!(repeats, 0, "one delivering node: each event once");
    // Node B (not delivering) shows what node A delivered: shared deliveries and cursor.
    let shown = ok(
        b.get(&format!("/abonnementen/{id}"), Some(&beheerder)),
        "abonnement",
    );
    assert_eq!(
        shown["afgeleverdTotPositie"].as_u64(),
        Some(head),
        "{shown}"
    );
    // The delivering node writes its afleveringen every 200 ms.
    let deadline = Instant::now() + Duration::from_secs(5);
    let log = loop {
        let log = ok(
            b.get(
                &format!("/abonnementen/{id}/afleveringen"),
                Some(&beheerder),
            ),
            "afleveringen",
        );
        let log = log["resultaten"].as_array().unwrap().clone();
        if log.len() == 7 || Instant::now() > deadline {
            break log;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(log.len(), 7, "{log:?}");
    assert_eq!(log[0]["positie"].as_u64(), Some(head));
    assert_eq!(log[0]["statuscode"], 204);

    // A node with another key refuses to start, and pauses nothing.
    let dir_c = tmp.path().join("c");
    let refused = cli(&[
        "serve",
        "--data-dir",
        dir_c.to_str().unwrap(),
        "--database-url",
        &db.url,
        "--bind",
        "127.0.0.1:0",
        "--no-demo",
    ]);
    assert!(
        !refused.status.success(),
        "a node with another key must not start"
    );
    let why = text(&refused.stderr);
    assert!(
        why.contains("is not the key the other nodes on this database use")
            && why.contains("--webhooks-key-file")
            && why.contains("MAG_WEBHOOKS_KEY_FILE"),
        "{why}"
    );
    let shown = ok(
        b.get(&format!("/abonnementen/{id}"), Some(&beheerder)),
        "abonnement",
    );
    assert_eq!(shown["status"], "actief", "{shown}");

    // Node A's lock session is ended (as by a database restart or a network
    // fault): it stops delivering; one of the nodes takes the lock again.
    let ended = support_pg::psql(
        &db.url,
        &format!("SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE {LOCK}"),
    );
    assert_eq!(ended, "t");
    let mut last = 0;
    for round in 0..2 {
        last = write(
            &b,
            &pm,
            &ids[round % 2],
            &format!("na het verbreken {round}"),
        );
    }
    rx.wait_for(last, Duration::from_secs(30));
    let expected = feed_after(&b, &beheerder, vanaf, last);
    assert_eq!(expected.len(), 9);
    let repeats = check_delivered(&rx, secret, &expected);
    assert!(
        repeats <= 1,
        "at most the event in flight repeats: {repeats}"
    );

    // The delivering node stops; the other takes over from the shared cursor.
    let mut nodes = HashMap::from([("node-a", a), ("node-b", b)]);
    let first = holder(&db.url);
    let stopped = nodes.remove(first.as_str()).unwrap().stop();
    let since_stop = Instant::now();
    let (name, survivor) = nodes.into_iter().next().unwrap();
    last = write(&survivor, &pm, &ids[0], "na de overname");
    rx.wait_for(last, Duration::from_secs(30));
    eprintln!(
        "failover: {name} delivered the first write {} ms after {first} stopped",
        since_stop.elapsed().as_millis()
    );
    for round in 1..3 {
        last = write(
            &survivor,
            &pm,
            &ids[round % 2],
            &format!("na de overname {round}"),
        );
    }
    rx.wait_for(last, Duration::from_secs(30));
    assert_eq!(holder(&db.url), name);
    let expected = feed_after(&survivor, &beheerder, vanaf, last);
    assert_eq!(expected.len(), 12);
    let repeats = check_delivered(&rx, secret, &expected);
    assert!(
        repeats <= 2,
        "at most the events in flight at the failovers repeat: {repeats}"
    );
    let shown = ok(
        survivor.get(&format!("/abonnementen/{id}"), Some(&beheerder)),
        "abonnement",
    );
    assert_eq!(
        shown["afgeleverdTotPositie"].as_u64(),
        Some(last),
        "{shown}"
    );
    assert_eq!(shown["status"], "actief", "{shown}");
    let log = survivor.stop();
    assert!(
        log.contains("this node holds the webhook delivery lock"),
        "{name} took over: {log}"
    );
    // Node A lost its lock session in the middle, and said so.
    let log_a = if first == "node-a" { stopped } else { log };
    assert!(
        log_a.contains("lost the webhook delivery lock: this node stopped delivering"),
        "{log_a}"
    );
}

/// While the shared webhook store cannot answer (here: its tables renamed
/// away), the delivering node waits: it neither pauses the subscription
/// for a "missing" secret nor starts over at `vanafPositie` for a
/// "missing" cursor; once the store answers again it goes on in order.
#[test]
fn a_webhook_store_that_fails_for_a_while_pauses_nothing_and_repeats_nothing() {
    let Some(db) = support_pg::database("journeys::webhooks_pg::store_fails") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a");
    let beheerder = token(&dir, &db.url, "beheerder", &[]);
    let a = node(&dir, &db.url, &[]);
    let rx = Receiver::start();
    let made = ok(
        a.post("/abonnementen", &beheerder, &json!({"callbackUrl": rx.url})),
        "subscribe",
    );
    let (id, secret) = (
        made["id"].as_str().unwrap(),
        made["secret"].as_str().unwrap(),
    );
    let vanaf = made["vanafPositie"].as_u64().unwrap();
    rx.wait_for(vanaf + 1, Duration::from_secs(20));
    let path = format!("/abonnementen/{id}");
    let mut last = vanaf + 1;
    for table in ["mag_webhook_secrets", "mag_webhook_cursors"] {
        support_pg::psql(&db.url, &format!("ALTER TABLE {table} RENAME TO weg"));
        let etag = a
            .get(&path, Some(&beheerder))
            .header("etag")
            .unwrap()
            .to_owned();
        let changed = a.merge_patch(&path, &beheerder, &etag, &json!({"omschrijving": table}));
        assert_eq!(changed.status, 200, "{}", changed.text);
        last = changed.header("x-positie").unwrap().parse().unwrap();
        std::thread::sleep(Duration::from_millis(2500));
        let shown = ok(a.get(&path, Some(&beheerder)), "abonnement");
        assert_eq!(
            (shown["status"].as_str(), shown["pauzeCode"].as_str()),
            (Some("actief"), None),
            "{table} away: {shown}"
        );
        assert!(
            !rx.positions().contains(&last),
            "{table} away: nothing sent"
        );
        support_pg::psql(&db.url, &format!("ALTER TABLE weg RENAME TO {table}"));
        rx.wait_for(last, Duration::from_secs(20));
    }
    let expected = feed_after(&a, &beheerder, vanaf, last);
    assert_eq!(expected.len(), 3);
    assert_eq!(
        check_delivered(&rx, secret, &expected),
        0,
        "nothing repeated"
    );
    let shown = ok(a.get(&path, Some(&beheerder)), "abonnement");
    assert_eq!(shown["status"], "actief", "{shown}");
    a.stop();
}
