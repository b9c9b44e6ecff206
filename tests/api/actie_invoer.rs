//! The typed request bodies of the actie writes: JSON Merge Patch on
//! `PATCH /acties/{id}` and on a voortgangsbericht, `null` refused where
//! nothing can be cleared, the trekker as one of three shapes, and every
//! invalid field named at once.

use serde_json::{json, Value};

use crate::support::*;

/// A PATCH sent as `application/merge-patch+json` (RFC 7396) and nothing else.
fn merge_patch(app: &TestApp, path: &str, etag: &str, body: &Value) -> (u16, String, Value) {
    let headers = [
        ("If-Match", etag),
        ("Content-Type", "application/merge-patch+json"),
    ];
    let r = app
        .als_pm()
        .call("PATCH", path, &headers, Some(&body.to_string()));
    (r.status, r.etag, r.body)
}

/// A new actie under the doel of the demo's first actie of opgave 1.1,
/// planned within the agenda's period.
fn new_actie(app: &TestApp) -> Resp {
    let doel = actie(app, "1.1")["doelId"].as_str().unwrap().to_owned();
    app.als_pm().created(
        &format!("/doelen/{doel}/acties"),
        &json!({"omschrijving": "Taalcafé in Vroomshoop",
            "geplandeStartDatum": "2024-03-01", "geplandeEindDatum": "2024-09-30"}),
    )
}

#[test]
fn an_actie_patch_clears_with_null_and_refuses_null_where_nothing_can_be_cleared() {
    let app = spawn();
    let a = new_actie(&app);
    let path = format!("/acties/{}", a.id());
    let (status, etag, body) = merge_patch(
        &app,
        &path,
        &a.etag,
        &json!({"geplandeEindDatum": null, "doelId": null}),
    );
    assert_eq!(status, 200, "{body}");
    let (_, read) = app.als_pm().get(&path);
    assert_eq!(
        (
            read["geplandeStartDatum"].as_str(),
            read["geplandeEindDatum"].is_null(),
            read["doelId"].is_null(),
            read["opgaveCode"].as_str()
        ),
        (Some("2024-03-01"), true, true, Some("1.1")),
        "the end date cleared, the actie moved directly under its opgave: {read}"
    );
    let r = app.als_pm().refused(
        "PATCH",
        &path,
        &[("If-Match", &etag)],
        &json!({"omschrijving": null, "jaar": null, "partners": null, "opgaveId": null})
            .to_string(),
        400,
    );
    assert_eq!(
        r.invalid(),
        [
            "body.jaar",
            "body.omschrijving",
            "body.opgaveId",
            "body.partners"
        ]
    );
    assert_eq!(app.als_pm().get(&path).1, read, "nothing changed");
}

#[test]
fn a_voortgangsbericht_patch_takes_merge_patch_and_refuses_a_null_text() {
    let app = spawn();
    let a = new_actie(&app);
    let berichten = format!("/acties/{}/voortgangsberichten", a.id());
    let b = app
        .als_pm()
        .created(&berichten, &json!({"tekst": "Locatie gevonden"}));
    let path = format!("{berichten}/{}", b.id());
    let r = app.als_pm().refused(
        "PATCH",
        &path,
        &[("If-Match", &b.etag)],
        r#"{"tekst":null,"ingetrokken":null,"datum":"2024-04-01"}"#,
        400,
    );
    assert_eq!(
        r.invalid(),
        ["body.datum", "body.ingetrokken", "body.tekst"],
        "datum is only for a new bericht"
    );
    let (status, _, body) = merge_patch(
        &app,
        &path,
        &b.etag,
        &json!({"tekst": "Locatie gevonden in de bibliotheek"}),
    );
    assert_eq!(
        (
            status,
            body["tekst"].as_str(),
            body["gecorrigeerd"].as_bool()
        ),
        (200, Some("Locatie gevonden in de bibliotheek"), Some(true))
    );
    // a create takes no PATCH fields
    let r = app.als_pm().refused(
        "POST",
        &berichten,
        &[],
        r#"{"tekst":"Nog een","ingetrokken":true,"reden":"x"}"#,
        400,
    );
    assert_eq!(r.invalid(), ["body.ingetrokken", "body.reden"]);
}

#[test]
fn the_trekker_is_an_organisatie_a_group_or_nobody() {
    let app = spawn();
    let a = new_actie(&app);
    let path = format!("/acties/{}/trekker", a.id());
    let put = |etag: &str, body: Value| {
        app.als_pm()
            .call("PUT", &path, &[("If-Match", etag)], Some(&body.to_string()))
    };
    let r = put(
        &a.etag,
        json!({"soort": "groep", "naam": " Werkgroep  Taal "}),
    );
    assert_eq!(
        (r.status, r.body["trekker"]["naam"].as_str()),
        (200, Some("Werkgroep Taal")),
        "{:?}",
        r.body
    );
    let etag = r.etag.clone();
    let missing = uuid::Uuid::now_v7();
    for (body, names, code) in [
        (
            json!({"soort": "organisatie"}),
            vec!["body.organisatieId"],
            "required",
        ),
        (json!({}), vec!["body.soort"], "required"),
        (
            json!({"soort": "organisatie", "organisatieId": missing}),
            vec!["body.organisatieId"],
            "unknown-organisatie",
        ),
    ] {
        let r = app
            .als_pm()
            .refused("PUT", &path, &[("If-Match", &etag)], &body.to_string(), 400);
        assert_eq!(
            (r.invalid(), r.body["invalidParams"][0]["code"].as_str()),
            (
                names.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
                Some(code)
            ),
            "{body}"
        );
    }
    // The tag decides which shape the body is checked against: a problem
    // names what that shape lacks or does not take, never another tag.
    let gemeente = organisatie_id(&app.state, "Gemeente Twenterand").to_string();
    for (body, name, reason) in [
        (
            json!({"soort": "persoon"}),
            "body.soort",
            "kies uit: organisatie, groep, geen",
        ),
        (
            json!({"soort": "geen", "organisatieId": gemeente}),
            "body.organisatieId",
            "Onbekend veld 'organisatieId'",
        ),
        (
            json!({"soort": "organisatie", "naam": "x"}),
            "body.naam",
            "Onbekend veld 'naam'",
        ),
    ] {
        let r = app
            .als_pm()
            .refused("PUT", &path, &[("If-Match", &etag)], &body.to_string(), 400);
        let problems: Vec<(String, String)> = r.body["invalidParams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().into(),
                    p["reason"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert!(
            problems
                .iter()
                .any(|(n, why)| n == name && why.contains(reason)),
            "{body}: {problems:?}"
        );
        if name != "body.soort" {
            assert!(
                problems.iter().all(|(n, _)| n != "body.soort"),
                "the tag the client chose is not questioned: {problems:?}"
            );
        }
    }
    let r = put(
        &etag,
        json!({"soort": "geen", "toelichting": "Werkgroep opgeheven"}),
    );
    assert_eq!(
        (r.status, r.body["trekkersrolNogInTeVullen"].as_bool()),
        (200, Some(true)),
        "{:?}",
        r.body
    );
}

#[test]
fn a_statuswijziging_names_every_wrong_field_and_lists_the_statuses() {
    let app = spawn();
    let a = new_actie(&app);
    let path = format!("/acties/{}/statuswijzigingen", a.id());
    let r = app.als_pm().refused(
        "POST",
        &path,
        &[],
        r#"{"status":"klaar","ingangsDatum":"2024-13-01","reden":7,"door":"x"}"#,
        400,
    );
    assert_eq!(
        r.invalid(),
        [
            "body.door",
            "body.ingangsDatum",
            "body.reden",
            "body.status"
        ]
    );
    let status = r.body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "body.status")
        .unwrap()["reason"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        status.contains("gepland, lopend, gepauzeerd, afgerond, vervallen"),
        "{status}"
    );
    let r = app.als_pm().post(
        &path,
        &json!({"status": "lopend", "ingangsDatum": "2024-03-04"}),
    );
    assert_eq!((r.status, r.body["status"].as_str()), (201, Some("lopend")));
}

#[test]
fn rules_between_fields_are_refused_on_the_field_they_are_about() {
    let app = spawn();
    let a = new_actie(&app);
    let gemeente = organisatie_id(&app.state, "Gemeente Twenterand").to_string();
    let doel = actie(&app, "1.1")["doelId"].as_str().unwrap().to_owned();
    let r = app.als_pm().refused(
        "POST",
        &format!("/doelen/{doel}/acties"),
        &[],
        &json!({"omschrijving": "Dubbel", "partners": [gemeente, gemeente]}).to_string(),
        400,
    );
    assert_eq!(r.invalid(), ["body.partners[1]"], "{:?}", r.body);
    let r = app.als_pm().refused(
        "POST",
        &format!("/acties/{}/statuswijzigingen", a.id()),
        &[],
        r#"{"status":"vervallen"}"#,
        400,
    );
    assert_eq!(
        (r.invalid(), r.body["invalidParams"][0]["code"].as_str()),
        (vec!["body.reden".to_owned()], Some("required"))
    );
}
