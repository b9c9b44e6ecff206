//! Batch mode (`batchGrootte` > 1): several events per request as a
//! CloudEvents batch (`application/cloudevents-batch+json`, a JSON array in
//! log order), signed like a single event; a retry repeats exactly the
//! failed batch (same `webhook-id`, same body); `afleveringen` shows the
//! range; the size can be changed back to one event per request.

use mag_tracker::webhooks::signing;
use serde_json::{json, Value};

use crate::abonnementen_aflevering::{delivering, subscribe, three_changes};
use crate::ontvanger::{Ontvanger, Request};
use crate::support::*;

/// Checks the signature, and gives the CloudEvents of the request (one, or
/// the batch's).
fn events_of(r: &Request, secret: &str) -> Vec<Value> {
    let key = signing::key_bytes(secret).unwrap();
    let (id, ts) = (r.header("webhook-id"), r.header("webhook-timestamp"));
    let expected = signing::sign(&key, id, ts.parse().unwrap(), r.body.as_bytes());
    assert!(
        r.header("webhook-signature")
            .split(' ')
            .any(|s| s == expected),
        "signed over the whole batch"
    );
    match r.json() {
        Value::Array(events) => {
            assert_eq!(
                r.header("content-type"),
                "application/cloudevents-batch+json"
            );
            for ce in &events {
                assert_eq!(ce["specversion"], "1.0");
                assert_eq!(ce["sequence"], ce["data"]["positie"].to_string());
            }
            let ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
            let want = match ids.as_slice() {
                [one] => one.to_string(),
                [first, .., last] => format!("{first}.{last}"),
                [] => panic!("an empty batch"),
            };
            assert_eq!(
                id, want,
                "webhook-id names the batch's first and last event"
            );
            events
        }
        ce => {
            assert_eq!(r.header("content-type"), "application/cloudevents+json");
            assert_eq!(ce["id"], id);
            vec![ce]
        }
    }
}

fn sequences(events: &[Value]) -> Vec<u64> {
    events
        .iter()
        .map(|e| e["sequence"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn a_batch_subscription_gets_the_backlog_in_one_signed_request_and_a_retry_repeats_it_exactly() {
    let app = delivering();
    let before = app.head();
    let expected = three_changes(&app);
    let hook = Ontvanger::start();
    hook.fail_next(1, 503);
    let (id, secret, _) = subscribe(
        app.als_pm(),
        json!({"callbackUrl": hook.url, "agenda": agenda_id(&app), "streamType": "actie",
               "vanafPositie": before, "batchGrootte": 50}),
    );
    let got = hook.wait_for("the batch accepted", |g| g.iter().any(|r| r.status < 300));
    assert_eq!(got.len(), 2, "one refusal, then the same batch accepted");
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    assert_eq!(
        got[0].body, got[1].body,
        "a retry repeats the batch exactly"
    );
    let events = events_of(&got[1], &secret);
    assert_eq!(sequences(&events), expected, "the backlog in log order");
    for e in &events {
        assert_eq!(e["type"], "nl.mag-tracker.actie.status-gewijzigd");
        assert_eq!(e["data"]["type"], "ActieStatusGewijzigd");
    }
    let (_, list) = app
        .als_pm()
        .get(&format!("/abonnementen/{id}/afleveringen"));
    let newest = &list["resultaten"][0];
    assert_eq!(
        (newest["positie"].clone(), newest["totPositie"].clone()),
        (json!(expected[0]), json!(expected[2]))
    );
    assert_eq!(
        (newest["poging"].clone(), newest["statuscode"].clone()),
        (json!(2), json!(200))
    );
    let (_, sub) = app.als_pm().get(&format!("/abonnementen/{id}"));
    assert_eq!(sub["batchGrootte"], 50);
    // (the subscription's own event after them is skipped by the filter)
    assert!(sub["afgeleverdTotPositie"].as_u64().unwrap() >= expected[2]);

    // Back to one event per request: the next changes come as single events.
    let r = app.als_pm().patch(
        &format!("/abonnementen/{id}"),
        &format!("\"{}\"", sub["versie"]),
        &json!({"batchGrootte": 1}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["batchGrootte"], 1);
    let more = three_changes(&app);
    let got = hook.wait_for("three single events", |g| g.len() >= 5);
    assert_eq!(got.len(), 5, "{got:?}");
    let singles: Vec<Value> = got[2..]
        .iter()
        .flat_map(|r| {
            assert_eq!(r.header("content-type"), "application/cloudevents+json");
            events_of(r, &secret)
        })
        .collect();
    assert_eq!(sequences(&singles), more);
    // The change is an event a beheerder reads in the feed.
    let feed = app
        .als_beheerder()
        .get(&format!(
            "/gebeurtenissen?type=AbonnementBatchgrootteGewijzigd&na={before}"
        ))
        .1;
    assert_eq!(feed["gebeurtenissen"][0]["data"]["batchGrootte"], 1);
}

#[test]
fn a_batch_size_outside_1_to_1000_is_refused_with_the_field_and_changes_nothing() {
    let app = delivering();
    let hook = Ontvanger::start();
    let head = app.head();
    for n in [0, 1001] {
        let r = app.als_pm().post(
            "/abonnementen",
            &json!({"callbackUrl": hook.url, "agenda": agenda_id(&app), "batchGrootte": n}),
        );
        assert_eq!(r.status, 400, "{}", r.body);
        assert_eq!(r.invalid(), ["body.batchGrootte"], "{}", r.body);
        let detail = r.body["invalidParams"][0]["reason"]
            .as_str()
            .unwrap_or_default();
        assert!(detail.contains("1000"), "{}", r.body);
    }
    let r = app.als_pm().post(
        "/abonnementen",
        &json!({"callbackUrl": hook.url, "agenda": agenda_id(&app), "batchGrootte": "veel"}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(app.head(), head, "nothing written");
    let (id, _, etag) = subscribe(
        app.als_pm(),
        json!({"callbackUrl": hook.url, "agenda": agenda_id(&app)}),
    );
    let r = app.als_pm().patch(
        &format!("/abonnementen/{id}"),
        &etag,
        &json!({"batchGrootte": 0}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let (_, sub) = app.als_pm().get(&format!("/abonnementen/{id}"));
    assert_eq!(sub["batchGrootte"], 1, "the default, unchanged");
}
