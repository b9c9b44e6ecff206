//! Webhook deliveries against a receiver on 127.0.0.1: every event the
//! subscription's token may read, in log order, as a CloudEvent with
//! Standard Webhooks headers; retried after a failure (and shown in
//! `afleveringen`), paused with a reason when the receiver stays down,
//! caught up after resuming, redelivered after a rewind; signed with both
//! secrets during a rotation; never an event of an agenda the token may not
//! read. (The Python receiver of `scripts/webhook-test` checks the same
//! with the reference libraries, and across kill -9 of the server.)

use std::sync::Arc;
use std::time::Duration;

use mag_tracker::access::Rol;
use mag_tracker::webhooks::{backoff::Backoff, signing, Instellingen, Toegestaan, Webhooks};
use serde_json::{json, Value};

use crate::ontvanger::{Ontvanger, Request};
use crate::support::*;
use crate::zichtbaarheid::{hidden_agenda, MARK};

pub(crate) fn delivering() -> TestApp {
    spawn_with(|s| {
        s.webhooks = Arc::new(Webhooks::in_memory(Instellingen {
            toegestaan: Toegestaan {
                http_loopback: true,
                private: false,
            },
            backoff: Backoff {
                basis: Duration::from_millis(40),
                max: Duration::from_millis(200),
            },
            pauze_na_pogingen: 4,
            pauze_na: Duration::ZERO,
            ..Instellingen::default()
        }))
    })
}

pub(crate) fn subscribe(c: Caller<'_>, body: Value) -> (String, String, String) {
    let r = c.post("/abonnementen", &body);
    assert_eq!(r.status, 201, "{}", r.body);
    (
        r.id(),
        r.body["secret"].as_str().unwrap().to_owned(),
        r.etag,
    )
}

/// Three status changes of the demo's first actie; their positions.
pub(crate) fn three_changes(app: &TestApp) -> Vec<u64> {
    let actie = actie(app, "2.5");
    let id = actie["id"].as_str().unwrap();
    let mut positions = Vec::new();
    let steps = if actie["status"] == "lopend" {
        ["gepauzeerd", "lopend", "gepauzeerd"]
    } else {
        ["lopend", "gepauzeerd", "lopend"]
    };
    for status in steps {
        let body = json!({ "status": status });
        let r = app
            .als_pm()
            .post(&format!("/acties/{id}/statuswijzigingen"), &body);
        assert!(r.status < 300, "{}", r.body);
        positions.push(app.head());
    }
    positions
}

/// Checks a request as a subscriber would: headers, signature, CloudEvent.
fn verified(r: &Request, secret: &str) -> Value {
    let key = signing::key_bytes(secret).unwrap();
    let (id, ts) = (r.header("webhook-id"), r.header("webhook-timestamp"));
    let ts: i64 = ts.parse().expect("webhook-timestamp in seconds");
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);
    let expected = signing::sign(&key, id, ts, r.body.as_bytes());
    let sigs: Vec<&str> = r.header("webhook-signature").split(' ').collect();
    assert!(sigs.contains(&expected.as_str()), "signature {sigs:?}");
    assert_eq!(r.header("content-type"), "application/cloudevents+json");
    let ce = r.json();
    assert_eq!(ce["specversion"], "1.0");
    assert_eq!(ce["id"], id, "webhook-id is the event id");
    assert_eq!(ce["datacontenttype"], "application/json");
    assert_eq!(ce["sequence"], ce["data"]["positie"].to_string());
    assert_eq!(ce["subject"], ce["data"]["streamId"]);
    assert_eq!(
        ce["time"].as_str().unwrap()[..19],
        ce["data"]["registratieTijdstip"].as_str().unwrap()[..19]
    );
    ce
}

fn positions(got: &[Request]) -> Vec<u64> {
    got.iter()
        .filter(|r| r.status < 300)
        .map(|r| r.json()["sequence"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn a_receiver_failing_at_first_gets_every_event_in_order_and_afleveringen_shows_each_attempt() {
    let app = delivering();
    let hook = Ontvanger::start();
    hook.fail_next(2, 503);
    let (id, secret, _) = subscribe(
        app.als_pm(),
        json!({"callbackUrl": hook.url, "agenda": agenda_id(&app), "streamType": "actie"}),
    );
    let expected = three_changes(&app);
    let got = hook.wait_for("three accepted", |g| positions(g).len() >= 3);
    assert_eq!(positions(&got), expected, "in log order, each once");
    assert_eq!(got.len(), 5, "two refusals, then three deliveries");
    assert_eq!(
        got[0].body, got[2].body,
        "the same event until it is acknowledged"
    );
    for r in &got {
        let ce = verified(r, &secret);
        assert_eq!(ce["type"], "nl.mag-tracker.actie.status-gewijzigd");
        assert_eq!(ce["source"], "urn:mag-tracker");
        assert_eq!(ce["data"]["type"], "ActieStatusGewijzigd");
    }
    let (_, list) = app
        .als_pm()
        .get(&format!("/abonnementen/{id}/afleveringen"));
    let list = list["resultaten"].as_array().unwrap().clone();
    assert_eq!(list.len(), 5);
    let oldest = &list[4];
    assert_eq!(oldest["positie"], expected[0]);
    assert_eq!(oldest["poging"], 1);
    assert_eq!(oldest["statuscode"], 503);
    assert_eq!(oldest["fout"], "HTTP 503: geen 2xx");
    assert_eq!(oldest["antwoord"], "even niet");
    assert!(oldest["duurMs"].as_u64().is_some() && oldest["tijdstip"].is_string());
    assert_eq!(
        (list[2]["poging"].clone(), list[2]["statuscode"].clone()),
        (json!(3), json!(200))
    );
    assert_eq!(list[0]["positie"], expected[2]);
    let (_, sub) = app.als_pm().get(&format!("/abonnementen/{id}"));
    assert_eq!(sub["afgeleverdTotPositie"], expected[2]);
}

#[test]
fn a_receiver_down_too_long_is_paused_with_a_reason_then_resumed_and_caught_up_and_a_rewind_redelivers(
) {
    let app = delivering();
    let hook = Ontvanger::start();
    hook.set_status(500);
    let (id, secret, _) = subscribe(
        app.als_beheerder(),
        json!({"callbackUrl": hook.url, "type": ["ActieStatusGewijzigd"]}),
    );
    let expected = three_changes(&app);
    let path = format!("/abonnementen/{id}");
    let mut sub = Value::Null;
    for _ in 0..200 {
        sub = app.als_beheerder().get(&path).1;
        if sub["status"] == "gepauzeerd" {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_eq!(sub["pauzeCode"], "aflevering-mislukt", "{sub}");
    let reden = sub["pauzeReden"].as_str().unwrap();
    assert!(
        reden.contains("4 pogingen") && reden.contains("HTTP 500"),
        "{reden}"
    );
    assert_eq!(hook.all().len(), 4, "nothing more after the pause");
    let feed = app
        .als_beheerder()
        .get(&format!(
            "/gebeurtenissen?na={}&type=AbonnementGepauzeerd",
            expected[0]
        ))
        .1;
    assert_eq!(
        feed["gebeurtenissen"][0]["data"]["code"],
        "aflevering-mislukt"
    );
    assert_eq!(
        feed["gebeurtenissen"][0]["metadata"]["actor"]["omschrijving"],
        "system (webhook-aflevering)"
    );
    // resumed: from where it stopped, everything in order
    hook.set_status(200);
    let etag = format!("\"{}\"", sub["versie"]);
    let r = app
        .als_beheerder()
        .patch(&path, &etag, &json!({"status": "actief"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let got = hook.wait_for("caught up", |g| positions(g).len() >= 3);
    assert_eq!(positions(&got), expected);
    // a rewind delivers them again, same ids
    let r = app
        .als_beheerder()
        .patch(&path, &r.etag, &json!({"vanafPositie": expected[0] - 1}));
    assert_eq!(r.status, 200, "{}", r.body);
    let got = hook.wait_for("redelivered", |g| positions(g).len() >= 6);
    assert_eq!(
        positions(&got),
        [expected.clone(), expected.clone()].concat()
    );
    let ids: Vec<String> = got
        .iter()
        .filter(|r| r.status < 300)
        .map(|r| verified(r, &secret)["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids[..3], ids[3..], "a redelivery has the event's own id");
}

#[test]
fn during_a_rotation_every_delivery_carries_both_signatures() {
    let app = delivering();
    let hook = Ontvanger::start();
    let (id, old, etag) = subscribe(
        app.als_beheerder(),
        json!({"callbackUrl": hook.url, "type": ["ActieStatusGewijzigd"]}),
    );
    let r = app.als_beheerder().patch(
        &format!("/abonnementen/{id}"),
        &etag,
        &json!({"geheimVernieuwen": true}),
    );
    let new = r.body["secret"].as_str().unwrap().to_owned();
    three_changes(&app);
    let got = hook.wait_for("three", |g| positions(g).len() >= 3);
    for r in &got {
        assert_eq!(r.header("webhook-signature").split(' ').count(), 2);
        verified(r, &old);
        verified(r, &new);
    }
}

#[test]
fn a_partners_subscription_never_receives_events_of_an_agenda_it_may_not_read() {
    let app = delivering();
    let (outsider_hook, trekker_hook) = (Ontvanger::start(), Ontvanger::start());
    let outsider = app.token(Rol::Partner, "Taalpunt", vec![]);
    let trekker = app.token(Rol::Partner, "Bibliotheek Twenterand", vec![]);
    let from = app.head();
    let body = |url: &str| json!({"callbackUrl": url, "vanafPositie": from});
    let (_, s1, _) = subscribe(app.als(&outsider), body(&outsider_hook.url));
    let (_, s2, _) = subscribe(app.als(&trekker), body(&trekker_hook.url));
    let _hidden = hidden_agenda(&app);
    let last = *three_changes(&app).last().unwrap();
    let done = |g: &[Request]| positions(g).last() == Some(&last);
    let seen = outsider_hook.wait_for("the published change", done);
    let text: String = seen.iter().map(|r| verified(r, &s1).to_string()).collect();
    assert!(
        !text.contains(MARK),
        "the outsider received the hidden agenda"
    );
    assert!(!text.contains("AbonnementAangemaakt") && !text.contains("TokenAangemaakt"));
    let seen = trekker_hook.wait_for("the published change", done);
    let text: String = seen.iter().map(|r| verified(r, &s2).to_string()).collect();
    assert!(
        text.contains(&format!("{MARK} actie")),
        "the trekker reads its own work"
    );
    assert!(
        positions(&seen).windows(2).all(|w| w[0] < w[1]),
        "in log order"
    );
}

#[test]
fn a_subscription_whose_token_is_revoked_is_paused_and_receives_nothing_more() {
    let app = delivering();
    let hook = Ontvanger::start();
    let lezer = app.token(Rol::Lezer, "Taalpunt", vec![]);
    let token_id = lezer.split('_').nth(1).unwrap().to_owned();
    let (id, _, _) = subscribe(app.als(&lezer), json!({ "callbackUrl": hook.url }));
    let d = app
        .als_beheerder()
        .call("DELETE", &format!("/tokens/{token_id}"), &[], None);
    assert_eq!(d.status, 204);
    three_changes(&app);
    let path = format!("/abonnementen/{id}");
    let mut sub = Value::Null;
    for _ in 0..200 {
        sub = app.als_beheerder().get(&path).1;
        if sub["status"] == "gepauzeerd" {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_eq!(sub["pauzeCode"], "token-ongeldig", "{sub}");
    assert!(sub["pauzeReden"].as_str().unwrap().contains("ingetrokken"));
    assert!(
        hook.all().is_empty(),
        "nothing delivered for a revoked token"
    );
}
