//! The event feed and the live stream show a caller only what it may read:
//! judged per event when it is sent (an agenda unpublished while a stream
//! runs disappears from it), and a stream ends within seconds of its
//! token's revocation or expiry.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mag_tracker::access::Rol;
use serde_json::{json, Value};

use crate::support::*;
use crate::zichtbaarheid::{hidden_agenda, raw_get, MARK};

/// Every event of the feed a token (or anonymous) gets, page by page.
fn whole_feed(app: &TestApp, token: Option<&str>) -> Vec<Value> {
    let mut after = 0;
    let mut out = Vec::new();
    loop {
        let path = format!("/gebeurtenissen?na={after}&pageSize=500");
        let r = request(app, "GET", &path, token, &[], None);
        assert_eq!(r.status, 200, "{}", r.body);
        out.extend(r.body["gebeurtenissen"].as_array().unwrap().iter().cloned());
        let next = r.body["volgende"].as_u64().unwrap();
        if next >= r.body["laatstePositie"].as_u64().unwrap() || next == after {
            return out;
        }
        after = next;
    }
}

#[test]
fn the_feed_and_the_stream_show_a_partner_only_agendas_it_may_read() {
    let app = spawn();
    let _hidden = hidden_agenda(&app);
    let outsider = app.token(Rol::Partner, "Taalpunt", vec![]);
    let trekker = app.token(Rol::Partner, "Bibliotheek Twenterand", vec![]);
    for (who, token) in [("anoniem", None), ("partner", Some(outsider.as_str()))] {
        let feed = whole_feed(&app, token);
        assert!(feed.len() > 100, "{who} still reads the published agenda");
        let text = Value::Array(feed.clone()).to_string();
        assert!(
            !text.contains(MARK),
            "{who} reads the hidden agenda in the feed"
        );
        assert!(
            feed.iter().all(|e| e["streamType"] != "token"),
            "{who} reads token events"
        );
        let stream = raw_get(
            &app,
            "/gebeurtenissen/stream?na=0",
            token,
            Duration::from_millis(1500),
        );
        assert_eq!(stream.status, 200);
        assert!(stream.text.contains("AgendaAangemaakt"), "the stream ran");
        assert!(!stream.text.contains(MARK), "{who} reads it in the stream");
    }
    // the partner whose organisatie is the hidden actie's trekker reads it
    let text = Value::Array(whole_feed(&app, Some(&trekker))).to_string();
    assert!(text.contains(&format!("{MARK} actie")));
    let stream = raw_get(
        &app,
        "/gebeurtenissen/stream?na=0",
        Some(&trekker),
        Duration::from_millis(1500),
    );
    assert!(stream.text.contains(&format!("{MARK} actie")));
}

/// A stream read on a thread of its own: what arrived, and whether it ended.
struct Live {
    text: Arc<Mutex<(String, Option<Instant>)>>,
}

impl Live {
    fn open(app: &TestApp, target: &str, token: Option<&str>) -> Live {
        let addr = app
            .base
            .trim_start_matches("http://")
            .trim_end_matches("/v1")
            .to_owned();
        let mut s = TcpStream::connect(&addr).unwrap();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            s,
            "GET /v1{target} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
        )
        .unwrap();
        let text = Arc::new(Mutex::new((String::new(), None)));
        let shared = text.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let mut t = shared.lock().unwrap();
                        t.0.push_str(&String::from_utf8_lossy(&buf[..n]));
                        // the last chunk of a chunked body: the stream ended
                        if t.0.ends_with("\r\n0\r\n\r\n") {
                            break;
                        }
                    }
                }
            }
            shared.lock().unwrap().1 = Some(Instant::now());
        });
        let live = Live { text };
        live.wait_for(": verbonden", Duration::from_secs(5));
        live
    }

    fn text(&self) -> String {
        self.text.lock().unwrap().0.clone()
    }

    fn ended(&self) -> Option<Instant> {
        self.text.lock().unwrap().1
    }

    fn wait_for(&self, what: &str, limit: Duration) {
        let start = Instant::now();
        while !self.text().contains(what) {
            assert!(
                start.elapsed() < limit,
                "{what:?} did not arrive in {limit:?}: {}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_end(&self, limit: Duration) -> Instant {
        let start = Instant::now();
        loop {
            if let Some(at) = self.ended() {
                return at;
            }
            assert!(
                start.elapsed() < limit,
                "the stream still runs after {limit:?}: {}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn a_stream_stops_showing_an_agenda_the_moment_it_is_unpublished() {
    let app = spawn();
    let agenda = app.als_beheerder().created(
        "/agendas",
        &json!({"naam": "Ywv open agenda", "gemeenten": ["Ywv"],
            "periodeStartDatum": "2024-01-01", "periodeEindDatum": "2024-12-31"}),
    );
    let a = agenda.id();
    // the pm token of spawn time does not list the new agenda
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let stream = Live::open(
        &app,
        &format!("/gebeurtenissen/stream?na={}", app.head()),
        None,
    );
    pm.created(
        &format!("/agendas/{a}/opgaven"),
        &json!({"code": "1.1", "titel": "Ywv voor"}),
    );
    stream.wait_for("Ywv voor", Duration::from_secs(5));
    let r = pm.patch(
        &format!("/agendas/{a}"),
        &agenda.etag,
        &json!({"gepubliceerd": false}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    pm.created(
        &format!("/agendas/{a}/opgaven"),
        &json!({"code": "1.2", "titel": "Ywv na"}),
    );
    // a public event after it: once that arrived, the one before was judged
    app.als_beheerder().created(
        "/organisaties",
        &json!({"naam": "Ywv daarna", "soort": "welzijn"}),
    );
    stream.wait_for("Ywv daarna", Duration::from_secs(5));
    assert!(
        !stream.text().contains("Ywv na"),
        "an unpublished agenda's event reached an anonymous stream: {}",
        stream.text()
    );
    assert!(
        stream.ended().is_none(),
        "an anonymous stream keeps running"
    );
}

/// The token id of `mag_<id>_<secret>`.
fn token_id(token: &str) -> String {
    let hex = token.split('_').nth(1).unwrap();
    uuid::Uuid::parse_str(hex).unwrap().to_string()
}

#[test]
fn a_stream_ends_within_seconds_of_its_tokens_revocation_or_expiry() {
    let app = spawn();
    let partner = app.token(Rol::Partner, "Bibliotheek Twenterand", vec![]);
    let stream = Live::open(&app, "/gebeurtenissen/stream", Some(&partner));
    let r = request(
        &app,
        "DELETE",
        &format!("/tokens/{}", token_id(&partner)),
        Some(&app.beheerder),
        &[],
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let revoked = Instant::now();
    let ended = stream.wait_end(Duration::from_secs(5));
    assert!(ended.duration_since(revoked) < Duration::from_secs(3));
    let text = stream.text();
    assert!(
        text.contains("event: einde") && text.contains("token-revoked"),
        "{text}"
    );

    // a token that expires while its stream runs
    let org = organisatie_id(&app.state, "Bibliotheek Twenterand");
    let expiry = chrono::Utc::now() + chrono::Duration::seconds(2);
    let body = json!({"organisatieId": org, "rol": "partner", "omschrijving": "kort",
        "verloopTijdstip": expiry.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)});
    let r = request(
        &app,
        "POST",
        "/tokens",
        Some(&app.beheerder),
        &[],
        Some(&body.to_string()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let token = r.body["token"].as_str().unwrap().to_owned();
    let stream = Live::open(&app, "/gebeurtenissen/stream", Some(&token));
    let ended = stream.wait_end(Duration::from_secs(8));
    let expired_at = Instant::now()
        - chrono::Utc::now()
            .signed_duration_since(expiry)
            .to_std()
            .unwrap_or_default();
    assert!(ended.duration_since(expired_at) < Duration::from_secs(3));
    let text = stream.text();
    assert!(
        text.contains("event: einde") && text.contains("token-expired"),
        "{text}"
    );
}
