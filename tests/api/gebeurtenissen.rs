//! The event feed (`/gebeurtenissen`) and the live stream (`/gebeurtenissen/stream`).

use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::Value;

use crate::support::{agenda_id, spawn, TestApp};

fn head(app: &TestApp) -> u64 {
    app.als_beheerder().get("/gebeurtenissen?pageSize=1").1["laatstePositie"]
        .as_u64()
        .unwrap()
}

/// Every event of the feed after `after`, following `volgende`.
fn drain(app: &TestApp, after: u64, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut na = after;
    loop {
        let (status, page) = app
            .als_beheerder()
            .get(&format!("/gebeurtenissen?na={na}&pageSize=50{query}"));
        assert_eq!(status, 200, "{page}");
        let events = page["gebeurtenissen"].as_array().unwrap().clone();
        let next = page["volgende"].as_u64().unwrap();
        if next == na {
            assert!(events.is_empty());
            return out;
        }
        assert!(next > na, "the cursor only moves forward");
        na = next;
        out.extend(events);
    }
}

fn first_actie(app: &TestApp) -> String {
    let a = agenda_id(app);
    app.als_pm()
        .get(&format!("/agendas/{a}/acties?pageSize=1"))
        .1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn the_feed_is_gap_free_in_order_and_filters_with_a_cursor() {
    let app = spawn();
    let a = agenda_id(&app);
    let all = drain(&app, 0, "");
    let h = head(&app);
    assert!(h > 100, "the demo agenda is a few hundred events");
    let positions: Vec<u64> = all.iter().map(|e| e["positie"].as_u64().unwrap()).collect();
    assert_eq!(positions, (1..=h).collect::<Vec<_>>());
    let e = &all[0];
    for field in [
        "id",
        "positie",
        "streamId",
        "streamType",
        "versie",
        "type",
        "schemaVersie",
        "registratieTijdstip",
        "data",
        "metadata",
    ] {
        assert!(!e[field].is_null(), "envelope field {field}");
    }
    assert_eq!(e["metadata"]["actor"]["soort"], "systeem");

    // every event of the demo import belongs to the agenda except organisaties
    let agenda_events = drain(&app, 0, &format!("&agenda={a}"));
    assert!(agenda_events
        .iter()
        .all(|e| e["metadata"]["agendaId"] == a.as_str()));
    assert!(agenda_events.len() > 100);

    // a write made through the API carries the agenda too, and the type filter finds it
    let actie = first_actie(&app);
    let (status, _, _) = app.als_pm().send(
        "POST",
        &format!("/acties/{actie}/statuswijzigingen"),
        &[("X-Audit-Toelichting", "gestart")],
        r#"{"status":"lopend"}"#,
    );
    assert_eq!(status, 201);
    let changes = drain(&app, 0, "&type=ActieStatusGewijzigd&streamType=actie");
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["positie"].as_u64(), Some(h + 1));
    assert_eq!(changes[0]["metadata"]["agendaId"], a.as_str());
    assert_eq!(changes[0]["metadata"]["toelichting"], "gestart");
    assert_eq!(changes[0]["data"]["naar"], "lopend");

    // a filtered page that matches nothing still moves the cursor to the head
    let (_, page) = app
        .als_beheerder()
        .get("/gebeurtenissen?na=0&pageSize=5&type=BestaatNiet");
    assert_eq!(page["gebeurtenissen"].as_array().unwrap().len(), 0);
    assert_eq!(page["volgende"].as_u64(), Some(h + 1));

    // the Link header names the next cursor with the same filters
    let beheerder = app.als_beheerder();
    let r = beheerder
        .agent()
        .get(beheerder.url("/gebeurtenissen?na=3&pageSize=2&streamType=actie"))
        .call()
        .unwrap();
    let link = r
        .headers()
        .get("link")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        link.contains("streamType=actie") && link.contains("rel=\"next\""),
        "{link}"
    );

    // bad parameters: every problem is problem+json, nothing appended
    for bad in [
        "pageSize=0",
        "pageSize=501",
        "na=-1",
        "streamType=boom",
        "onbekend=1",
        "na=999999",
    ] {
        let (status, problem) = app.als_beheerder().get(&format!("/gebeurtenissen?{bad}"));
        assert_eq!(status, 400, "{bad}");
        assert_eq!(problem["code"], "invalid-input", "{bad}");
    }
    assert_eq!(head(&app), h + 1);
}

/// A tiny xorshift so the test needs no extra crate; the seed is printed.
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn a_stream_consumer_that_reconnects_at_random_points_sees_every_event_once_in_order() {
    let app = Arc::new(spawn());
    let a = agenda_id(&app);
    let acties: Vec<String> = app
        .als_pm()
        .get(&format!("/agendas/{a}/acties?pageSize=3"))
        .1["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect();
    let writers_done = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let app = app.clone();
            let actie = acties[w].clone();
            std::thread::spawn(move || {
                for i in 0..40 {
                    let (status, _, _) = app.als_pm().send(
                        "POST",
                        &format!("/acties/{actie}/voortgangsberichten"),
                        &[],
                        &format!(r#"{{"tekst":"schrijver {w} bericht {i}"}}"#),
                    );
                    assert_eq!(status, 201);
                }
            })
        })
        .collect();
    let done = writers_done.clone();
    let joiner = std::thread::spawn(move || {
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, Ordering::SeqCst);
    });

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("reconnect seed {seed}");
    let mut rng = Rng(seed);
    let mut seen: Vec<u64> = Vec::new();
    let mut reconnects = 0;
    loop {
        let last = seen.last().copied();
        let beheerder = app.als_beheerder();
        let mut req = beheerder
            .agent()
            .get(beheerder.url("/gebeurtenissen/stream"));
        req = match last {
            Some(id) => req.header("Last-Event-ID", id.to_string()),
            None => req.query("na", "0"),
        };
        let mut r = req.call().unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(r
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        let mut reader = BufReader::new(r.body_mut().as_reader());
        let quota = 1 + rng.next(40);
        let mut got = 0;
        let mut id = None;
        let mut line = String::new();
        // Stop reading (and drop the connection) after `quota` events, or
        // once every write is done and the stream has caught up.
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap() == 0 {
                break;
            }
            let l = line.trim_end();
            if let Some(v) = l.strip_prefix("id: ") {
                id = Some(v.parse::<u64>().unwrap());
            } else if let Some(data) = l.strip_prefix("data: ") {
                let e: Value = serde_json::from_str(data).unwrap();
                let pos = e["positie"].as_u64().unwrap();
                assert_eq!(Some(pos), id, "id: is the position");
                seen.push(pos);
                got += 1;
                if got >= quota {
                    break;
                }
            }
            if writers_done.load(Ordering::SeqCst) && seen.last() == Some(&head(&app)) {
                break;
            }
        }
        drop(reader);
        reconnects += 1;
        if writers_done.load(Ordering::SeqCst) && seen.last() == Some(&head(&app)) {
            break;
        }
        assert!(reconnects < 10_000, "the stream stopped making progress");
    }
    joiner.join().unwrap();
    let h = head(&app);
    assert_eq!(seen, (1..=h).collect::<Vec<_>>(), "exactly once, in order");
    assert!(reconnects > 3, "the test reconnected {reconnects} times");

    // a bad Last-Event-ID is a problem, not a stream
    let beheerder = app.als_beheerder();
    let mut r = beheerder
        .agent()
        .get(beheerder.url("/gebeurtenissen/stream"))
        .header("Last-Event-ID", "gisteren")
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let problem: Value = r.body_mut().read_json().unwrap();
    assert_eq!(problem["invalidParams"][0]["name"], "header.Last-Event-ID");
}
