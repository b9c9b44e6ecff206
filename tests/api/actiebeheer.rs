//! Creating and editing acties, voortgangsberichten, the status history.

use serde_json::{json, Value};

use crate::structuur::new_agenda;
use crate::support::*;

struct Fixture {
    a: String,
    o1: String,
    o2: String,
    d1: String,
    d2: String,
    org: String,
    org2: String,
    /// A programmamanager token that lists the new agenda (and the demo's).
    pm: String,
}

fn fixture(app: &TestApp) -> Fixture {
    let a = new_agenda(app).id();
    // the pm token of spawn time does not list the new agenda
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let o1 = pm
        .created(
            &format!("/agendas/{a}/opgaven"),
            &json!({"code": "1.1", "titel": "Armoede"}),
        )
        .id();
    let o2 = pm
        .created(
            &format!("/agendas/{a}/opgaven"),
            &json!({"code": "1.2", "titel": "Meedoen"}),
        )
        .id();
    let d1 = pm
        .created(
            &format!("/opgaven/{o1}/doelen"),
            &json!({"code": "1.1.1", "titel": "Schulden"}),
        )
        .id();
    let d2 = pm
        .created(
            &format!("/opgaven/{o2}/doelen"),
            &json!({"code": "1.2.1", "titel": "Sport"}),
        )
        .id();
    let org = app
        .als_beheerder()
        .created(
            "/organisaties",
            &json!({"naam": "Bibliotheek Voorbeeld", "soort": "bibliotheek"}),
        )
        .id();
    let org2 = app
        .als_beheerder()
        .created(
            "/organisaties",
            &json!({"naam": "Welzijn Voorbeeld", "soort": "welzijn"}),
        )
        .id();
    Fixture {
        a,
        o1,
        o2,
        d1,
        d2,
        org,
        org2,
        pm: token,
    }
}

fn ids(v: &Value) -> Vec<String> {
    v["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn acties_are_created_edited_moved_and_followed() {
    let app = spawn();
    let f = fixture(&app);
    let pm = app.als(&f.pm);

    // under a doel, with trekker, partners and planning
    let r = pm.created(
        &format!("/doelen/{}/acties", f.d1),
        &json!({
        "omschrijving": "Budgetcafé in elke kern", "jaar": 2025,
        "geplandeStartDatum": "2025-02-01", "geplandeEindDatum": "2025-06-30",
        "trekker": {"soort": "organisatie", "organisatieId": f.org}, "partners": [f.org2]}),
    );
    let a1 = r.id();
    assert_eq!(r.location, format!("/v1/acties/{a1}"));
    let b = &r.body;
    assert_eq!(
        (
            b["status"].as_str(),
            b["doelCode"].as_str(),
            b["opgaveCode"].as_str()
        ),
        (Some("gepland"), Some("1.1.1"), Some("1.1"))
    );
    assert_eq!(
        (
            b["trekker"]["naam"].as_str(),
            b["partners"][0]["naam"].as_str()
        ),
        (Some("Bibliotheek Voorbeeld"), Some("Welzijn Voorbeeld"))
    );
    // directly under an opgave: a named group, or nobody yet
    let r = pm.created(
        &format!("/opgaven/{}/acties", f.o2),
        &json!({"omschrijving": "Sportmaatjes", "trekker": {"soort": "groep", "naam": " Werkgroep Sport "}}),
    );
    assert_eq!(
        (
            r.body["doelId"].is_null(),
            r.body["trekker"]["naam"].as_str()
        ),
        (true, Some("Werkgroep Sport"))
    );
    let a2 = r.id();
    let r = pm.created(
        &format!("/opgaven/{}/acties", f.o2),
        &json!({"omschrijving": "Nog uit te werken"}),
    );
    assert_eq!(r.body["trekkersrolNogInTeVullen"], true);
    assert_eq!(
        ids(&pm.get(&format!("/doelen/{}/acties", f.d1)).1),
        [a1.as_str()]
    );
    assert_eq!(
        pm.get(&format!("/agendas/{}/acties?zonderTrekker=true", f.a))
            .1["totaal"],
        1
    );

    // edit: two events (ActieGewijzigd, PartnersGewijzigd)
    let path = format!("/acties/{a1}");
    let r = pm.patch(
        &path,
        "\"1\"",
        &json!({"omschrijving": "Budgetcafé in drie kernen", "geplandeEindDatum": null, "partners": []}),
    );
    assert_eq!((r.status, r.etag.as_str()), (200, "\"3\""), "{:?}", r.body);
    assert_eq!(
        (
            r.body["geplandeEindDatum"].is_null(),
            r.body["partners"].as_array().unwrap().len()
        ),
        (true, 0)
    );
    assert_eq!(pm.get(&path).1, r.body);
    // naming the current opgave changes nothing (the actie stays under its doel)
    let head = app.head();
    let r = pm.patch(&path, "\"3\"", &json!({"opgaveId": f.o1}));
    assert_eq!(
        (r.status, r.body["doelId"].as_str()),
        (200, Some(f.d1.as_str()))
    );
    assert_eq!(app.head(), head);
    // move to another doel, then directly under its opgave
    let r = pm.patch(&path, "\"3\"", &json!({"doelId": f.d2}));
    assert_eq!(
        (r.body["opgaveId"].as_str(), r.body["doelCode"].as_str()),
        (Some(f.o2.as_str()), Some("1.2.1"))
    );
    let r = pm.patch(&path, "\"4\"", &json!({"doelId": null}));
    assert_eq!(
        (
            r.status,
            r.body["doelId"].is_null(),
            r.body["opgaveCode"].as_str()
        ),
        (200, true, Some("1.2"))
    );

    // voortgangsberichten: newest first; correct and withdraw keep the original in history
    let berichten = format!("/acties/{a1}/voortgangsberichten");
    let first = pm.created(
        &berichten,
        &json!({"tekst": "Locaties gevonden", "datum": "2025-02-10", "auteurOrganisatieId": f.org}),
    );
    assert_eq!(first.location, format!("/v1{berichten}/{}", first.id()));
    assert_eq!(
        (
            first.etag.as_str(),
            first.body["auteurOrganisatieNaam"].as_str()
        ),
        ("\"6\"", Some("Bibliotheek Voorbeeld"))
    );
    let key = [("Idempotency-Key", "bericht-2")];
    let body = r#"{"tekst":"Eerste café gehouden","datum":"2025-03-01"}"#;
    let second = pm.call("POST", &berichten, &key, Some(body));
    let third = pm.post(&berichten, &json!({"tekst": "Tweede café"}));
    let head = app.head();
    let retry = pm.call("POST", &berichten, &key, Some(body));
    assert_eq!(
        (retry.status, retry.id()),
        (201, second.id()),
        "a retry returns its own bericht, not the newest"
    );
    assert_eq!(app.head(), head);
    let (_, list) = pm.get(&berichten);
    assert_eq!(ids(&list), [third.id(), second.id(), first.id()]);
    let bpath = format!("{berichten}/{}", first.id());
    let r = pm.patch(
        &bpath,
        "\"8\"",
        &json!({"tekst": "Locaties gevonden in drie kernen"}),
    );
    assert_eq!(
        (r.status, r.body["gecorrigeerd"].as_bool(), r.etag.as_str()),
        (200, Some(true), "\"9\"")
    );
    let r = pm.patch(
        &bpath,
        "\"9\"",
        &json!({"ingetrokken": true, "reden": "Dubbel"}),
    );
    assert_eq!(
        (r.status, r.body["ingetrokken"].as_bool()),
        (200, Some(true))
    );
    let (_, list) = pm.get(&berichten);
    assert_eq!(
        (
            list["totaal"].as_u64(),
            list["resultaten"][2]["ingetrokken"].as_bool()
        ),
        (Some(3), Some(true))
    );
    assert_eq!(pm.get(&path).1["aantalVoortgangsberichten"], 3);

    // status history, oldest first, with the audit toelichting
    let st = format!("/acties/{a1}/statuswijzigingen");
    let r = pm.call(
        "POST",
        &st,
        &[("X-Audit-Toelichting", "Gestart na de aftrap")],
        Some(r#"{"status":"lopend","ingangsDatum":"2025-02-03"}"#),
    );
    assert_eq!(r.status, 201);
    assert_eq!(
        pm.post(
            &st,
            &json!({"status": "afgerond", "ingangsDatum": "2025-06-01"})
        )
        .status,
        201
    );
    let (status, hist) = pm.get(&st);
    assert_eq!((status, hist["totaal"].as_u64()), (200, Some(2)));
    let h = &hist["resultaten"];
    assert_eq!(
        (
            h[0]["van"].as_str(),
            h[0]["naar"].as_str(),
            h[0]["toelichting"].as_str()
        ),
        (
            Some("gepland"),
            Some("lopend"),
            Some("Gestart na de aftrap")
        )
    );
    assert_eq!(
        (h[1]["naar"].as_str(), h[1]["ingangsDatum"].as_str()),
        (Some("afgerond"), Some("2025-06-01"))
    );
    assert!(h[0]["positie"].as_u64() < h[1]["positie"].as_u64());
    // an invalid transition is 409; a vervallen actie takes no voortgang
    let r = pm.refused("POST", &st, &[], r#"{"status":"gepauzeerd"}"#, 409);
    assert_eq!(r.code(), "invalid-status-transition");
    assert_eq!(
        pm.post(
            &format!("/acties/{a2}/statuswijzigingen"),
            &json!({"status": "vervallen", "reden": "Geen budget"})
        )
        .status,
        201
    );
    let r = pm.refused(
        "POST",
        &format!("/acties/{a2}/voortgangsberichten"),
        &[],
        r#"{"tekst":"toch"}"#,
        409,
    );
    assert_eq!(r.code(), "actie-vervallen");
    same_after_rebuild(
        &app,
        &f.pm,
        &[
            path.clone(),
            berichten.clone(),
            st.clone(),
            "/organisaties?pageSize=500".to_owned(),
        ],
    );
}

#[test]
fn bad_actie_requests_are_refused_and_append_nothing() {
    let app = spawn();
    let f = fixture(&app);
    let pm = app.als(&f.pm);
    let missing = uuid::Uuid::now_v7();
    let create = format!("/doelen/{}/acties", f.d1);

    pm.refused("POST", &create, &[], "{omschrijving}", 400);
    // What the schema refuses, every field at once (the body's shape) ...
    let r = pm.refused(
        "POST",
        &create,
        &[],
        &json!({"omschrijving": 1, "jaar": "2025", "geplandeStartDatum": "2024-05-01",
        "trekker": {"soort": "persoon"}, "partners": ["x", missing], "kleur": 1})
        .to_string(),
        400,
    );
    let mut names = r.invalid();
    names.sort();
    assert_eq!(
        names,
        [
            "body.jaar",
            "body.kleur",
            "body.omschrijving",
            "body.partners[0]",
            "body.trekker.soort"
        ]
    );
    // ... then what the domain refuses, every field at once (the agenda's
    // period, organisaties that do not exist).
    let r = pm.refused(
        "POST",
        &create,
        &[],
        &json!({"omschrijving": "x", "geplandeStartDatum": "2024-05-01",
        "trekker": {"soort": "organisatie", "organisatieId": missing},
        "partners": [f.org, missing]})
        .to_string(),
        400,
    );
    let codes: Vec<(String, String)> = r.body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().into(),
                p["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("body.geplandeStartDatum", "outside-period"),
        ("body.trekker.organisatieId", "unknown-organisatie"),
        ("body.partners[1]", "unknown-organisatie"),
    ];
    assert_eq!(
        codes,
        expected.map(|(n, c)| (n.to_owned(), c.to_owned())),
        "{:?}",
        r.body
    );
    assert!(r.body["invalidParams"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("buiten de periode van de agenda"));
    pm.refused(
        "POST",
        &create,
        &[],
        r#"{"omschrijving":"x","geplandeStartDatum":"2025-05-01","geplandeEindDatum":"2025-04-01"}"#,
        400,
    );
    pm.refused(
        "POST",
        &format!("/doelen/{missing}/acties"),
        &[],
        r#"{"omschrijving":"x"}"#,
        404,
    );
    pm.refused(
        "POST",
        &format!("/opgaven/{missing}/acties"),
        &[],
        r#"{"omschrijving":"x"}"#,
        404,
    );
    pm.refused("GET", &format!("/doelen/{missing}/acties"), &[], "", 404);

    let a1 = pm
        .created(&create, &json!({"omschrijving": "Budgetcafé"}))
        .id();
    let path = format!("/acties/{a1}");
    pm.refused("PATCH", &path, &[], r#"{"jaar":2025}"#, 428);
    pm.refused(
        "PATCH",
        &path,
        &[("If-Match", "\"2\"")],
        r#"{"omschrijving":"y"}"#,
        412,
    );
    pm.refused(
        "PATCH",
        &format!("/acties/{missing}"),
        &[("If-Match", "\"1\"")],
        r#"{"omschrijving":"y"}"#,
        404,
    );
    // the trekker is not changed here (PUT /acties/{id}/trekker): unknown field
    let r = pm.refused(
        "PATCH",
        &path,
        &[("If-Match", "\"1\"")],
        &json!({"geplandeStartDatum": "2026-01-01", "trekker": null}).to_string(),
        400,
    );
    assert_eq!(r.invalid(), ["body.trekker"]);
    let r = pm.refused(
        "PATCH",
        &path,
        &[("If-Match", "\"1\"")],
        &json!({"geplandeStartDatum": "2026-01-01", "doelId": missing}).to_string(),
        400,
    );
    assert_eq!(r.invalid(), ["body.geplandeStartDatum", "body.doelId"]);
    pm.refused(
        "PATCH",
        &path,
        &[("If-Match", "\"1\"")],
        &json!({"opgaveId": missing}).to_string(),
        400,
    );
    pm.refused(
        "PATCH",
        &path,
        &[("If-Match", "\"1\"")],
        r#"{"omschrijving":"  "}"#,
        400,
    );

    // voortgangsberichten
    let berichten = format!("{path}/voortgangsberichten");
    let r = pm.refused(
        "POST",
        &berichten,
        &[],
        &json!({"datum": "gisteren", "auteurOrganisatieId": missing}).to_string(),
        400,
    );
    assert_eq!(r.invalid(), ["body.datum", "body.tekst"]);
    let r = pm.refused(
        "POST",
        &berichten,
        &[],
        &json!({"tekst": "x", "auteurOrganisatieId": missing}).to_string(),
        400,
    );
    assert_eq!(
        (r.invalid(), r.body["invalidParams"][0]["code"].as_str()),
        (
            vec!["body.auteurOrganisatieId".to_owned()],
            Some("unknown-organisatie")
        )
    );
    pm.refused(
        "POST",
        &format!("/acties/{missing}/voortgangsberichten"),
        &[],
        r#"{"tekst":"x"}"#,
        404,
    );
    pm.refused(
        "GET",
        &format!("/acties/{missing}/voortgangsberichten"),
        &[],
        "",
        404,
    );
    pm.refused(
        "POST",
        &berichten,
        &[("If-Match", "\"7\"")],
        r#"{"tekst":"x"}"#,
        412,
    );
    let b = pm.created(&berichten, &json!({"tekst": "Gestart"})).id();
    let bpath = format!("{berichten}/{b}");
    pm.refused("PATCH", &bpath, &[], r#"{"tekst":"x"}"#, 428);
    pm.refused(
        "PATCH",
        &bpath,
        &[("If-Match", "\"1\"")],
        r#"{"tekst":"x"}"#,
        412,
    );
    pm.refused(
        "PATCH",
        &bpath,
        &[("If-Match", "\"2\"")],
        r#"{"tekst":"x","ingetrokken":true}"#,
        400,
    );
    pm.refused("PATCH", &bpath, &[("If-Match", "\"2\"")], r#"{}"#, 400);
    let r = pm.refused(
        "PATCH",
        &format!("{berichten}/{missing}"),
        &[("If-Match", "\"2\"")],
        r#"{"tekst":"x"}"#,
        404,
    );
    assert_eq!(
        r.code(),
        "not-found",
        "an unknown bericht id in the path is 404"
    );
    let key = [("Idempotency-Key", "b-1")];
    assert_eq!(
        pm.call("POST", &berichten, &key, Some(r#"{"tekst":"a"}"#))
            .status,
        201
    );
    pm.refused("POST", &berichten, &key, r#"{"tekst":"b"}"#, 422);

    // status: wrong values, unknown actie
    pm.refused(
        "GET",
        &format!("/acties/{missing}/statuswijzigingen"),
        &[],
        "",
        404,
    );
    pm.refused(
        "POST",
        &format!("/acties/{missing}/statuswijzigingen"),
        &[],
        r#"{"status":"lopend"}"#,
        404,
    );
    let r = pm.refused(
        "POST",
        &format!("{path}/statuswijzigingen"),
        &[],
        r#"{"status":5,"ingangsDatum":"morgen","extra":1}"#,
        400,
    );
    assert_eq!(r.invalid().len(), 3);
}
