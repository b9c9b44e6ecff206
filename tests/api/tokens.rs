//! `POST /tokens` and `DELETE /tokens/{id}`: the body is its schema (all
//! shape problems at once), the domain's rules (organisatie and agendas
//! exist, role and agendas go together, expiry in the future) all at once.

use serde_json::json;

use crate::support::*;

fn names(r: &Reply) -> Vec<String> {
    let mut names: Vec<String> = r.body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_token_body_is_its_schema_and_the_rules_are_named_at_once() {
    let app = spawn();
    let post = |body: serde_json::Value| {
        request(
            &app,
            "POST",
            "/tokens",
            Some(&app.beheerder),
            &[],
            Some(&body.to_string()),
        )
    };
    let head = app.head();
    // shape: wrong types, an enum, a length, null for a field that cannot be null, an unknown field
    let r = post(json!({
        "organisatieId": "taalpunt", "rol": "koning", "omschrijving": "x".repeat(201),
        "agendas": null, "verloopTijdstip": "morgen", "geheim": true
    }));
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        names(&r),
        [
            "body.agendas",
            "body.geheim",
            "body.omschrijving",
            "body.organisatieId",
            "body.rol",
            "body.verloopTijdstip"
        ]
    );
    let rol = r.body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "body.rol")
        .unwrap();
    assert!(rol["reason"]
        .as_str()
        .unwrap()
        .contains("beheerder, programmamanager, partner, lezer"));
    // a rule between fields the schema states: only a programmamanager names agendas
    let r = post(json!({
        "organisatieId": uuid::Uuid::now_v7(), "rol": "partner", "omschrijving": "script",
        "agendas": [uuid::Uuid::now_v7()]
    }));
    assert_eq!(names(&r), ["body.agendas"], "{}", r.body);
    assert_eq!(r.body["invalidParams"][0]["code"], "not-allowed");
    // well-formed, but against the state: every one named at once
    let r = post(json!({
        "organisatieId": uuid::Uuid::now_v7(), "rol": "programmamanager", "omschrijving": "script",
        "agendas": [uuid::Uuid::now_v7()], "verloopTijdstip": "2020-01-01T00:00:00Z"
    }));
    assert_eq!(
        names(&r),
        [
            "body.agendas[0]",
            "body.organisatieId",
            "body.verloopTijdstip"
        ],
        "{}",
        r.body
    );
    let codes: Vec<&str> = r.body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    for code in ["unknown-agenda", "unknown-organisatie", "in-the-past"] {
        assert!(codes.contains(&code), "{codes:?}");
    }
    assert_eq!(app.head(), head);

    // a programmamanager token names its agendas; an expiry in the future is kept
    let gemeente = organisatie_id(&app.state, "Gemeente Twenterand").to_string();
    let r =
        post(json!({"organisatieId": gemeente, "rol": "programmamanager", "omschrijving": "pm"}));
    assert_eq!(names(&r), ["body.agendas"]);
    let r = post(json!({
        "organisatieId": gemeente, "rol": "programmamanager", "omschrijving": " pm script ",
        "agendas": [agenda_id(&app)], "verloopTijdstip": "2199-01-01T00:00:00+01:00"
    }));
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let one = request(
        &app,
        "GET",
        &format!("/tokens/{id}"),
        Some(&app.beheerder),
        &[],
        None,
    );
    assert_eq!(
        (
            one.body["omschrijving"].as_str(),
            one.body["verloopTijdstip"].as_str()
        ),
        (Some("pm script"), Some("2198-12-31T23:00:00Z"))
    );

    // revoking an unknown token is 404 and names it
    let missing = uuid::Uuid::now_v7();
    let r = request(
        &app,
        "DELETE",
        &format!("/tokens/{missing}"),
        Some(&app.beheerder),
        &[],
        None,
    );
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body["detail"].as_str(),
        Some(format!("Er is geen token met id {missing}.").as_str())
    );
}
