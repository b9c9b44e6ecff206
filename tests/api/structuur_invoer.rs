//! The typed bodies of the structure writes (agendas, groeperingen,
//! opgaven, doelen): every wrong field named at once, JSON Merge Patch
//! (`null` clears what can be cleared and is refused, by name, where it
//! cannot), and the rules the domain decides.

use serde_json::{json, Value};

use crate::structuur::new_agenda;
use crate::support::*;

/// A PATCH sent as `application/merge-patch+json` (the only Content-Type).
pub fn merge_patch(caller: Caller, path: &str, etag: &str, body: &str) -> Resp {
    let mut r = caller
        .agent()
        .patch(caller.url(path))
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .send(body)
        .unwrap();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (content_type, etag, location) =
        (header("content-type"), header("etag"), header("location"));
    let text = r.body_mut().read_to_string().unwrap();
    Resp {
        status: r.status().as_u16(),
        content_type,
        etag,
        location,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

#[test]
fn agenda_bodies_name_every_wrong_field_and_null_cannot_clear_a_name() {
    let app = spawn();
    let a = new_agenda(&app).id();
    // the pm token of spawn time does not list the new agenda
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let r = app.als_beheerder().refused(
        "POST",
        "/agendas",
        &[],
        r#"{"naam":" ","gemeenten":[],"periodeStartDatum":"2025-13-01","signaleringstermijnDagen":0,"status":"klaar"}"#,
        400,
    );
    let mut names = r.invalid();
    names.sort();
    assert_eq!(
        names,
        [
            "body.gemeenten",
            "body.naam",
            "body.periodeEindDatum",
            "body.periodeStartDatum",
            "body.signaleringstermijnDagen",
            "body.status"
        ]
    );
    let before = app.head();
    let r = merge_patch(pm, &format!("/agendas/{a}"), "\"1\"", r#"{"naam":null}"#);
    assert_eq!((r.status, r.invalid()), (400, vec!["body.naam".to_owned()]));
    assert_eq!(app.head(), before);
    // a merge patch changes only what it names
    let r = merge_patch(
        pm,
        &format!("/agendas/{a}"),
        "\"1\"",
        r#"{"omschrijving":"Samen met de partners","gepubliceerd":false}"#,
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let (_, body) = pm.get(&format!("/agendas/{a}"));
    assert_eq!(
        (
            body["naam"].as_str(),
            body["omschrijving"].as_str(),
            body["gepubliceerd"].as_bool()
        ),
        (
            Some("MAG Voorbeeld 2025"),
            Some("Samen met de partners"),
            Some(false)
        )
    );
}

#[test]
fn opgave_bodies_name_every_wrong_field_and_null_takes_it_out_of_its_groepering() {
    let app = spawn();
    let a = new_agenda(&app).id();
    // the pm token of spawn time does not list the new agenda
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let r = pm.refused(
        "POST",
        &format!("/agendas/{a}/opgaven"),
        &[],
        r#"{"code":"1..1","titel":"","geprioriteerd":"ja","groeperingId":"geen-id","kleur":1}"#,
        400,
    );
    assert_eq!(
        r.invalid(),
        [
            "body.code",
            "body.geprioriteerd",
            "body.groeperingId",
            "body.kleur",
            "body.titel"
        ]
    );
    let g = pm
        .created(
            &format!("/agendas/{a}/groeperingen"),
            &json!({"naam": "Iedereen doet mee", "code": "1"}),
        )
        .id();
    let o = pm.created(
        &format!("/agendas/{a}/opgaven"),
        &json!({"code": "1.1", "titel": "Armoede", "groeperingId": g}),
    );
    assert_eq!(o.body["groeperingId"], g);
    let path = format!("/opgaven/{}", o.id());
    let before = app.head();
    let r = merge_patch(pm, &path, "\"1\"", r#"{"titel":null,"geprioriteerd":null}"#);
    assert_eq!(
        (r.status, r.invalid()),
        (
            400,
            vec!["body.geprioriteerd".to_owned(), "body.titel".to_owned()]
        )
    );
    assert_eq!(app.head(), before);
    let r = merge_patch(pm, &path, "\"1\"", r#"{"groeperingId":null}"#);
    assert_eq!((r.status, r.etag.as_str()), (200, "\"2\""), "{:?}", r.body);
    let (_, body) = pm.get(&path);
    assert_eq!(
        (body["groeperingId"].clone(), body["titel"].as_str()),
        (Value::Null, Some("Armoede"))
    );
    let (_, groepering) = pm.get(&format!("/groeperingen/{g}"));
    assert_eq!(groepering["opgaveCodes"], json!([]));
}

#[test]
fn doel_bodies_name_every_wrong_field_and_a_move_takes_the_sub_doelen_along() {
    let app = spawn();
    let a = new_agenda(&app).id();
    // the pm token of spawn time does not list the new agenda
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let opgave = |code: &str| {
        pm.created(
            &format!("/agendas/{a}/opgaven"),
            &json!({"code": code, "titel": format!("Opgave {code}")}),
        )
        .id()
    };
    let (o1, o2) = (opgave("1.1"), opgave("1.2"));
    let r = pm.refused(
        "POST",
        &format!("/opgaven/{o1}/doelen"),
        &[],
        r#"{"code":"1.1.xxxxx","titel":" ","bovenliggendDoelId":7,"status":"vervallen"}"#,
        400,
    );
    assert_eq!(
        r.invalid(),
        [
            "body.bovenliggendDoelId",
            "body.code",
            "body.status",
            "body.titel"
        ]
    );
    let d = pm
        .created(
            &format!("/opgaven/{o1}/doelen"),
            &json!({"code": "1.1.1", "titel": "Schulden voorkomen"}),
        )
        .id();
    let sub = pm
        .created(
            &format!("/opgaven/{o1}/doelen"),
            &json!({"code": "1.1.1.1", "titel": "Vroeg signaleren", "bovenliggendDoelId": d}),
        )
        .id();
    // a sub-doel of a sub-doel: the domain names the field
    let r = pm.refused(
        "POST",
        &format!("/opgaven/{o1}/doelen"),
        &[],
        &json!({"titel": "Te diep", "bovenliggendDoelId": sub}).to_string(),
        400,
    );
    assert_eq!(r.body["invalidParams"][0]["code"], "nested-subdoel");
    let path = format!("/doelen/{d}");
    let before = app.head();
    let r = merge_patch(pm, &path, "\"1\"", r#"{"opgaveId":null}"#);
    assert_eq!(
        (r.status, r.invalid()),
        (400, vec!["body.opgaveId".to_owned()])
    );
    assert_eq!(app.head(), before);
    let r = merge_patch(
        pm,
        &path,
        "\"1\"",
        &json!({"opgaveId": o2, "code": "1.2.1"}).to_string(),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let (_, moved) = pm.get(&format!("/doelen/{sub}"));
    assert_eq!(
        (moved["opgaveCode"].as_str(), moved["code"].as_str()),
        (Some("1.2"), Some("1.2.1.1"))
    );
}

#[test]
fn groepering_bodies_name_every_wrong_field_and_the_hierarchy_is_the_domains() {
    let app = spawn();
    let a = new_agenda(&app).id();
    // the pm token of spawn time does not list the new agenda
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let r = pm.refused(
        "POST",
        &format!("/agendas/{a}/groeperingen"),
        &[],
        r#"{"naam":"","code":"1.","niveau":9,"bovenliggendeGroeperingId":"x"}"#,
        400,
    );
    assert_eq!(
        r.invalid(),
        [
            "body.bovenliggendeGroeperingId",
            "body.code",
            "body.naam",
            "body.niveau"
        ]
    );
    // the agenda has one level: level 1 is unknown and needs a parent
    let r = pm.refused(
        "POST",
        &format!("/agendas/{a}/groeperingen"),
        &[],
        r#"{"naam":"Thema","niveau":1}"#,
        400,
    );
    assert_eq!(
        r.body["invalidParams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["unknown-level", "invalid-parent"]
    );
    let g = pm
        .created(
            &format!("/agendas/{a}/groeperingen"),
            &json!({"naam": "Iedereen doet mee", "code": "1", "omschrijving": "Meedoen"}),
        )
        .id();
    let path = format!("/groeperingen/{g}");
    let before = app.head();
    let r = merge_patch(pm, &path, "\"1\"", r#"{"naam":null}"#);
    assert_eq!((r.status, r.invalid()), (400, vec!["body.naam".to_owned()]));
    assert_eq!(app.head(), before);
    let r = merge_patch(
        pm,
        &path,
        "\"1\"",
        r#"{"omschrijving":"Iedereen telt mee"}"#,
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let (_, body) = pm.get(&path);
    assert_eq!(
        (
            body["naam"].as_str(),
            body["omschrijving"].as_str(),
            body["versie"].as_u64()
        ),
        (
            Some("Iedereen doet mee"),
            Some("Iedereen telt mee"),
            Some(2)
        )
    );
}
