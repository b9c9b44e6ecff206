//! A slow endpoint never takes the delivery capacity of the ones that
//! answer: requests that are retries may hold at most half of the cap on
//! requests in flight. Two subscriptions whose endpoint accepts connections
//! and never answers (each request runs into the time-out) keep retrying;
//! a third subscription, with a receiver that answers, still gets its event
//! well within half a time-out.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mag_tracker::webhooks::{backoff::Backoff, Instellingen, Toegestaan, Webhooks};
use serde_json::json;

use crate::abonnementen_aflevering::{subscribe, three_changes};
use crate::ontvanger::Ontvanger;
use crate::support::*;

const TIMEOUT: Duration = Duration::from_secs(4);

/// An endpoint that accepts connections and never answers.
fn black_hole() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    url
}

#[test]
fn endpoints_that_never_answer_leave_capacity_for_a_receiver_that_does() {
    let app = spawn_with(|s| {
        s.webhooks = Arc::new(Webhooks::in_memory(Instellingen {
            toegestaan: Toegestaan {
                http_loopback: true,
                private: false,
            },
            backoff: Backoff {
                basis: Duration::from_millis(10),
                max: Duration::from_millis(20),
            },
            // two requests in flight at most, retries one of them
            gelijktijdig: 2,
            timeout: TIMEOUT,
            pauze_na_pogingen: 1_000,
            ..Instellingen::default()
        }))
    });
    let start = app.head() - 1;
    let mut slow = Vec::new();
    for _ in 0..2 {
        let body = json!({"callbackUrl": black_hole(), "vanafPositie": start});
        slow.push(subscribe(app.als_beheerder(), body).0);
    }
    // Both first requests time out; from then on both keep retrying.
    let deadline = Instant::now() + 3 * TIMEOUT;
    for id in &slow {
        loop {
            let (_, list) = app
                .als_beheerder()
                .get(&format!("/abonnementen/{id}/afleveringen"));
            let first = &list["resultaten"][0];
            if first["fout"]
                .as_str()
                .is_some_and(|f| f.contains("time-out"))
            {
                break;
            }
            assert!(Instant::now() < deadline, "no time-out recorded: {list}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let hook = Ontvanger::start();
    subscribe(
        app.als_pm(),
        json!({"callbackUrl": hook.url, "agenda": agenda_id(&app), "streamType": "actie"}),
    );
    let written = Instant::now();
    let expected = three_changes(&app);
    let got = hook.wait_for("the answering receiver's events", |g| g.len() >= 3);
    let took = written.elapsed();
    let positions: Vec<u64> = got
        .iter()
        .map(|r| r.json()["sequence"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(positions, expected);
    // Had the two retrying subscriptions held both permits, the first request
    // would have waited for one of their time-outs (they retry at once).
    assert!(
        took < TIMEOUT / 2,
        "three deliveries took {took:?} while two endpoints were stuck"
    );
}
