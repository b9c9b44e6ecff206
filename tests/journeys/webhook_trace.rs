//! The webhook cursor's durability, checked with syscall tracing (the
//! reasoning is in `src/webhooks/cursors.rs` and `docs/notificaties.md`):
//! `serve` runs under `strace -f` and delivers a journey's events to a
//! receiver on 127.0.0.1 that answers 204. In the trace,
//! - between every two requests to the receiver the cursor file was written
//!   (`pwrite64` on `webhooks-cursors`): a kill -9 repeats at most the
//!   request in flight;
//! - the cursor file was fdatasynced while the server ran (the periodic
//!   sync) and nothing in the data directory is unsynced after a graceful
//!   stop;
//! - the answer to `POST /abonnementen`, which shows the secret, found every
//!   file synced; every later 2xx answer found every file synced but the two
//!   the deliveries write in the background (the cursor file and the
//!   afleveringen list in `webhooks/db`): their bytes were acknowledged by
//!   the receiver, not by this server, and losing them to a power loss only
//!   repeats deliveries or shortens a debugging list.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::fsync_trace::{an_actie, check_trace, trace_args};
use crate::support::{token_create_ok, Server};

/// A receiver answering 204 to every request, on keep-alive connections;
/// counts the requests.
fn receiver() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut conn = conn;
                loop {
                    let mut length = 0usize;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    seen.fetch_add(1, Ordering::SeqCst);
                    let ok = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
                    if conn.write_all(ok).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, count)
}

#[test]
fn the_cursor_is_written_before_each_next_request_and_synced_by_a_graceful_stop() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().canonicalize().unwrap().join("data");
    let trace = tmp.path().join("trace.txt");
    let token = token_create_ok(
        &dir,
        "programmamanager",
        "Gemeente Twenterand",
        &["--alle-agendas"],
    );
    let (url, received) = receiver();
    let wrapper = trace_args(&trace);
    let wrapper: Vec<&str> = wrapper.iter().map(String::as_str).collect();
    let server = Server::start_wrapped(
        &wrapper,
        &dir,
        &["--rate-limit", "0", "--webhooks-allow-http-loopback"],
    );
    let agendas = server.get("/agendas", None).json();
    let agenda = agendas["resultaten"][0]["id"].clone();
    let r = server.post(
        "/abonnementen",
        &token,
        &json!({"callbackUrl": url, "agenda": agenda, "type": ["ActieStatusGewijzigd"]}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let actie = an_actie(&server);
    let n = 12;
    for i in 0..n {
        let status = if i % 2 == 0 { "gepauzeerd" } else { "lopend" };
        let r = server.post(
            &format!("/acties/{actie}/statuswijzigingen"),
            &token,
            &json!({ "status": status }),
        );
        assert!(r.status < 300, "{}", r.text);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.load(Ordering::SeqCst) < n {
        assert!(Instant::now() < deadline, "the receiver got {received:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // past one periodic sync
    std::thread::sleep(Duration::from_millis(500));
    server.stop_wrapped();
    let text = std::fs::read_to_string(&trace).unwrap();

    let cursor_file = format!("{}/webhooks-cursors", dir.display());
    let (mut requests, mut written_since, mut synced_while_running) = (0, true, 0);
    let mut unwritten = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.contains("<TCP") && line.contains("\"POST /hook") {
            requests += 1;
            if !written_since {
                unwritten.push(i + 1);
            }
            written_since = false;
        } else if line.contains(&format!("<{cursor_file}>")) {
            if line.contains("pwrite64(") {
                written_since = true;
            } else if line.contains("fdatasync(") {
                synced_while_running += 1;
            }
        }
    }
    eprintln!("{requests} requests, {synced_while_running} fdatasyncs of the cursor file");
    assert!(requests >= n, "the trace shows the requests: {requests}");
    assert!(
        unwritten.is_empty(),
        "requests at trace lines {unwritten:?} went out before the previous request's cursor was written"
    );
    assert!(synced_while_running >= 1, "the periodic sync");
    let found = check_trace(&text, &dir);
    assert!(found.unsynced_at_exit.is_empty(), "{found:?}");
    // The answer that shows the secret (the first 201 of the trace) found
    // every file synced, the secret's database included (the subscription's
    // first cursor may be being written at that moment, by the delivery).
    let shown = text
        .lines()
        .position(|l| l.contains("<TCP") && l.contains("\"HTTP/1.1 201"))
        .expect("the 201 of POST /abonnementen")
        + 1;
    let at_shown: Vec<_> = found
        .violations
        .iter()
        .filter(|v| v.starts_with(&format!("2xx response at trace line {shown}:")))
        .filter(|v| !v.contains(&format!("{cursor_file} ")))
        .collect();
    assert!(at_shown.is_empty(), "{at_shown:#?}");
    // Later answers may meet the two files the deliveries write in the
    // background (the cursor file, and the afleveringen in webhooks/db,
    // synced every 200 ms): no byte of theirs was acknowledged by this
    // server. Every other file is synced at every answer.
    let webhook_db = format!("{}/webhooks/db", dir.display());
    let others: Vec<_> = found
        .violations
        .iter()
        .filter(|v| {
            !v.contains(&format!("{cursor_file} ")) && !v.contains(&format!("{webhook_db} "))
        })
        .collect();
    assert!(others.is_empty(), "{others:#?}");
    assert!(found.acks > n, "the trace shows the answers: {found:?}");
}
