//! Building and restructuring an agenda: agendas, groeperingen, opgaven,
//! doelen; renumbering, moving a doel (its acties follow), vervallen.

use serde_json::{json, Value};

use crate::support::*;

/// A fresh agenda for 2025 with one grouping level ("maatschappelijk effect").
pub fn new_agenda(app: &TestApp) -> Resp {
    app.als_beheerder().created(
        "/agendas",
        &json!({"naam": "MAG Voorbeeld 2025", "gemeenten": ["Voorbeeld", "Buurdorp"],
            "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31",
            "groeperingsniveaus": [{"enkelvoud": "maatschappelijk effect", "meervoud": "maatschappelijke effecten"}]}),
    )
}

fn list(caller: Caller, path: &str) -> Vec<Value> {
    let (status, body) = caller.get(path);
    assert_eq!(status, 200, "GET {path}: {body}");
    body["resultaten"].as_array().unwrap().clone()
}

#[test]
fn an_agenda_is_built_renumbered_moved_and_dropped() {
    let app = spawn();
    let agenda = new_agenda(&app);
    // the pm token of spawn time does not list the new agenda
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let a = agenda.id();
    assert_eq!(agenda.location, format!("/v1/agendas/{a}"));
    let b = &agenda.body;
    assert_eq!(
        (b["status"].as_str(), b["signaleringstermijnDagen"].as_u64()),
        (Some("concept"), Some(90))
    );
    assert_eq!(
        b["groeperingsniveaus"][0]["meervoud"],
        "maatschappelijke effecten"
    );
    assert_eq!(list(pm, "/agendas").len(), 2);

    // patch the agenda (If-Match required)
    let r = pm.patch(
        &format!("/agendas/{a}"),
        "\"1\"",
        &json!({"status": "vastgesteld", "signaleringstermijnDagen": 60}),
    );
    assert_eq!(
        (r.status, r.body["status"].as_str(), r.etag.as_str()),
        (200, Some("vastgesteld"), "\"2\"")
    );

    // groepering (an effect), then patch it
    let g = pm.created(
        &format!("/agendas/{a}/groeperingen"),
        &json!({"naam": "Iedereen doet mee", "code": "1"}),
    );
    assert_eq!(
        (g.body["niveauNaam"].as_str(), g.body["niveau"].as_u64()),
        (Some("maatschappelijk effect"), Some(0))
    );
    let gid = g.id();
    let r = pm.patch(
        &format!("/groeperingen/{gid}"),
        "\"1\"",
        &json!({"omschrijving": "Meedoen naar vermogen"}),
    );
    assert_eq!(
        (r.status, r.body["omschrijving"].as_str()),
        (200, Some("Meedoen naar vermogen"))
    );
    assert_eq!(list(pm, &format!("/agendas/{a}/groeperingen")).len(), 1);

    // opgaven and doelen
    let o1 = pm.created(
        &format!("/agendas/{a}/opgaven"),
        &json!({"code": "1.1", "titel": "Armoede", "groeperingId": gid}),
    );
    assert_eq!(
        (
            o1.body["groeperingNaam"].as_str(),
            o1.body["geprioriteerd"].as_bool()
        ),
        (Some("Iedereen doet mee"), Some(true))
    );
    let o2 = pm.created(
        &format!("/agendas/{a}/opgaven"),
        &json!({"code": "1.2", "titel": "Eenzaamheid", "geprioriteerd": false}),
    );
    let (o1, o2) = (o1.id(), o2.id());
    assert_eq!(
        pm.get(&format!("/groeperingen/{gid}")).1["opgaveCodes"],
        json!(["1.1"])
    );
    let d = pm.created(
        &format!("/opgaven/{o1}/doelen"),
        &json!({"code": "1.1.1", "titel": "Schulden voorkomen"}),
    );
    let did = d.id();
    assert_eq!(d.body["opgaveCode"], "1.1");
    let sub = pm.created(
        &format!("/opgaven/{o1}/doelen"),
        &json!({"titel": "Vroegsignalering", "bovenliggendDoelId": did}),
    );
    assert!(sub.body["code"].is_null());
    let doelen = list(pm, &format!("/opgaven/{o1}/doelen"));
    assert_eq!(
        doelen
            .iter()
            .map(|d| d["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [did.as_str(), sub.id().as_str()]
    );
    assert_eq!(doelen[0]["aantalSubdoelen"], 1);
    let actie = pm.created(
        &format!("/doelen/{did}/acties"),
        &json!({"omschrijving": "Budgetcafé starten"}),
    );
    assert_eq!(
        (
            actie.body["jaar"].as_i64(),
            actie.body["opgaveCode"].as_str()
        ),
        (Some(2025), Some("1.1"))
    );
    let actie = actie.id();

    // renumber an opgave: the code lookup follows, the old code is free again
    let r = pm.patch(
        &format!("/opgaven/{o2}"),
        "\"1\"",
        &json!({"code": "1.3", "titel": "Eenzaamheid verminderen"}),
    );
    assert_eq!(
        (r.status, r.body["code"].as_str(), r.etag.as_str()),
        (200, Some("1.3"), "\"3\"")
    );
    assert_eq!(
        list(pm, &format!("/agendas/{a}/opgaven?code=1.3"))[0]["id"],
        o2.as_str()
    );
    assert!(list(pm, &format!("/agendas/{a}/opgaven?code=1.2")).is_empty());
    // renumber a doel
    let r = pm.patch(
        &format!("/doelen/{did}"),
        "\"1\"",
        &json!({"code": "1.1.2"}),
    );
    assert_eq!((r.status, r.body["code"].as_str()), (200, Some("1.1.2")));

    // move the doel to the other opgave (with a code under it): its sub-doel and acties follow
    let r = pm.patch(
        &format!("/doelen/{did}"),
        "\"2\"",
        &json!({"opgaveId": o2, "code": "1.3.1"}),
    );
    assert_eq!(
        (
            r.status,
            r.body["opgaveId"].as_str(),
            r.body["opgaveCode"].as_str()
        ),
        (200, Some(o2.as_str()), Some("1.3")),
        "{:?}",
        r.body
    );
    assert_eq!(
        pm.get(&format!("/doelen/{}", sub.id())).1["opgaveId"],
        o2.as_str()
    );
    let (_, moved) = pm.get(&format!("/acties/{actie}"));
    assert_eq!(
        (
            moved["opgaveId"].as_str(),
            moved["opgaveCode"].as_str(),
            moved["doelCode"].as_str()
        ),
        (Some(o2.as_str()), Some("1.3"), Some("1.3.1"))
    );
    assert_eq!(
        list(pm, &format!("/agendas/{a}/acties?opgave=1.3")).len(),
        1
    );
    assert!(list(pm, &format!("/agendas/{a}/acties?opgave=1.1")).is_empty());
    assert_eq!(
        pm.get(&format!("/opgaven/{o2}")).1["aantalActies"],
        1,
        "counts follow the doel"
    );
    // The PDCA state (per-opgave indexes) follows the moved doel too.
    let count = |o: &str| -> u64 {
        let (status, pdca) = pm.get(&format!("/opgaven/{o}/pdca"));
        assert_eq!(status, 200, "{pdca}");
        pdca["actiesPerStatus"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum()
    };
    assert_eq!(
        (count(&o1), count(&o2)),
        (0, 1),
        "PDCA counts follow the doel"
    );
    assert_eq!(pm.get(&format!("/opgaven/{o1}")).1["aantalActies"], 0);
    assert_eq!(list(pm, &format!("/opgaven/{o2}/doelen")).len(), 2);

    // vervallen: with a reason; afterwards no more changes
    let r = pm.patch(
        &format!("/opgaven/{o1}"),
        "\"1\"",
        &json!({"status": "vervallen", "reden": "Samengevoegd met 1.3"}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = pm.refused(
        "PATCH",
        &format!("/opgaven/{o1}"),
        &[("If-Match", "\"2\"")],
        r#"{"titel":"Nieuw"}"#,
        409,
    );
    assert_eq!(r.code(), "opgave-vervallen");
    // nothing new goes under a vervallen opgave, and nothing moves into it
    let r = pm.refused(
        "POST",
        &format!("/opgaven/{o1}/doelen"),
        &[],
        r#"{"code":"1.1.9","titel":"x"}"#,
        409,
    );
    assert_eq!(r.code(), "opgave-vervallen");
    pm.refused(
        "POST",
        &format!("/opgaven/{o1}/acties"),
        &[],
        r#"{"omschrijving":"x"}"#,
        409,
    );
    pm.refused(
        "PATCH",
        &format!("/doelen/{did}"),
        &[("If-Match", "\"4\"")],
        &json!({"opgaveId": o1, "code": "1.1.5"}).to_string(),
        409,
    );
    let r = pm.patch(
        &format!("/doelen/{}", sub.id()),
        "\"2\"",
        &json!({"status": "vervallen", "reden": "Opgenomen in het hoofddoel"}),
    );
    assert_eq!(
        (
            r.status,
            r.body["status"].as_str(),
            r.body["vervalreden"].as_str()
        ),
        (200, Some("vervallen"), Some("Opgenomen in het hoofddoel"))
    );
    let r = pm.refused(
        "POST",
        &format!("/doelen/{}/acties", sub.id()),
        &[],
        r#"{"omschrijving":"x"}"#,
        409,
    );
    assert_eq!(r.code(), "doel-vervallen");
    same_after_rebuild(
        &app,
        &token,
        &[
            format!("/agendas/{a}"),
            format!("/agendas/{a}/opgaven"),
            format!("/agendas/{a}/groeperingen"),
            format!("/opgaven/{o2}/doelen"),
            format!("/agendas/{a}/acties"),
        ],
    );
}

#[test]
fn bad_structure_requests_are_refused_and_append_nothing() {
    let app = spawn();
    let a = new_agenda(&app).id();
    // the pm token of spawn time does not list the new agenda
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let missing = uuid::Uuid::now_v7();
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
    let d = pm
        .created(
            &format!("/opgaven/{o1}/doelen"),
            &json!({"code": "1.1.1", "titel": "Schulden"}),
        )
        .id();

    // agenda: malformed, wrong types, several invalid fields at once
    app.als_beheerder()
        .refused("POST", "/agendas", &[], "{\"naam\"", 400);
    let r = app.als_beheerder().refused(
        "POST",
        "/agendas",
        &[],
        r#"{"naam":3,"gemeenten":"Voorbeeld","periodeStartDatum":"1-1-2025","status":"klaar","groeperingsniveaus":[{"enkelvoud":"x"}],"kleur":"rood"}"#,
        400,
    );
    let mut names = r.invalid();
    names.sort();
    assert_eq!(
        names,
        [
            "body.gemeenten",
            "body.groeperingsniveaus[0].meervoud",
            "body.kleur",
            "body.naam",
            "body.periodeEindDatum",
            "body.periodeStartDatum",
            "body.status"
        ]
    );
    let r = app.als_beheerder().refused(
        "POST",
        "/agendas",
        &[],
        r#"{"naam":"x","gemeenten":["y"],"periodeStartDatum":"2025-12-31","periodeEindDatum":"2025-01-01"}"#,
        400,
    );
    assert_eq!(r.invalid(), ["body.periodeEindDatum"]);
    pm.refused(
        "PATCH",
        &format!("/agendas/{a}"),
        &[],
        r#"{"naam":"y"}"#,
        428,
    );
    pm.refused(
        "PATCH",
        &format!("/agendas/{a}"),
        &[("If-Match", "\"5\"")],
        r#"{"naam":"y"}"#,
        412,
    );
    pm.refused(
        "PATCH",
        &format!("/agendas/{missing}"),
        &[("If-Match", "\"1\"")],
        r#"{"naam":"y"}"#,
        404,
    );
    pm.refused(
        "PATCH",
        &format!("/agendas/{a}"),
        &[("If-Match", "\"1\"")],
        r#"{"gemeenten":["z"]}"#,
        400,
    );

    // groepering: unknown level, unknown parent, duplicate code
    let r = pm.refused(
        "POST",
        &format!("/agendas/{a}/groeperingen"),
        &[],
        r#"{"naam":"x","niveau":1}"#,
        400,
    );
    assert_eq!(
        r.invalid(),
        ["body.niveau", "body.bovenliggendeGroeperingId"]
    );
    pm.refused(
        "POST",
        &format!("/agendas/{a}/groeperingen"),
        &[],
        &json!({"naam": "x", "bovenliggendeGroeperingId": missing}).to_string(),
        400,
    );
    pm.refused(
        "POST",
        &format!("/agendas/{missing}/groeperingen"),
        &[],
        r#"{"naam":"x"}"#,
        404,
    );
    // Codes are unique among siblings of the same kind, case ignored: an
    // opgave code at the agenda level (a groepering 1.1 would be no clash).
    let r = pm.refused(
        "POST",
        &format!("/agendas/{a}/opgaven"),
        &[],
        r#"{"titel":"x","code":"1.1"}"#,
        409,
    );
    assert_eq!(r.code(), "duplicate-code");
    pm.refused("GET", &format!("/groeperingen/{missing}"), &[], "", 404);
    pm.refused(
        "PATCH",
        &format!("/groeperingen/{missing}"),
        &[("If-Match", "\"1\"")],
        r#"{"naam":"x"}"#,
        404,
    );

    // opgave: duplicate code (409), bad code, unknown groepering in the body (400), unknown agenda (404)
    let r = pm.refused(
        "POST",
        &format!("/agendas/{a}/opgaven"),
        &[],
        r#"{"code":"1.1","titel":"Dubbel"}"#,
        409,
    );
    assert_eq!(r.code(), "duplicate-code");
    let r = pm.refused(
        "POST",
        &format!("/agendas/{a}/opgaven"),
        &[],
        &json!({"code": "1,3", "titel": 5, "groeperingId": missing}).to_string(),
        400,
    );
    assert_eq!(r.invalid(), ["body.code", "body.titel"]);
    let r = pm.refused(
        "POST",
        &format!("/agendas/{a}/opgaven"),
        &[],
        &json!({"code": "1.3", "titel": "x", "groeperingId": missing}).to_string(),
        400,
    );
    assert_eq!(r.invalid(), ["body.groeperingId"]);
    pm.refused(
        "POST",
        &format!("/agendas/{missing}/opgaven"),
        &[],
        r#"{"code":"9.1","titel":"x"}"#,
        404,
    );
    let r = pm.refused(
        "PATCH",
        &format!("/opgaven/{o2}"),
        &[("If-Match", "\"1\"")],
        r#"{"code":"1.1"}"#,
        409,
    );
    assert_eq!(r.code(), "duplicate-code");
    pm.refused(
        "PATCH",
        &format!("/opgaven/{o2}"),
        &[("If-Match", "\"1\"")],
        r#"{"status":"vervallen"}"#,
        400,
    );
    pm.refused(
        "PATCH",
        &format!("/opgaven/{o2}"),
        &[],
        r#"{"titel":"x"}"#,
        428,
    );
    pm.refused(
        "PATCH",
        &format!("/opgaven/{o2}"),
        &[("If-Match", "\"2\"")],
        r#"{"titel":"x"}"#,
        412,
    );

    // doel: malformed code, duplicate, unknown parent doel, a move that drops without a reason
    let r = pm.refused(
        "POST",
        &format!("/opgaven/{o1}/doelen"),
        &[],
        r#"{"code":"1..1","titel":"x"}"#,
        400,
    );
    assert_eq!(r.body["invalidParams"][0]["code"], "invalid-code");
    pm.refused(
        "POST",
        &format!("/opgaven/{o1}/doelen"),
        &[],
        r#"{"code":"1.1.1","titel":"x"}"#,
        409,
    );
    pm.refused(
        "POST",
        &format!("/opgaven/{o1}/doelen"),
        &[],
        &json!({"titel": "x", "bovenliggendDoelId": missing}).to_string(),
        400,
    );
    pm.refused(
        "POST",
        &format!("/opgaven/{missing}/doelen"),
        &[],
        r#"{"titel":"x"}"#,
        404,
    );
    pm.refused("GET", &format!("/opgaven/{missing}/doelen"), &[], "", 404);
    pm.refused("GET", &format!("/doelen/{missing}"), &[], "", 404);
    let r = pm.refused(
        "PATCH",
        &format!("/doelen/{d}"),
        &[("If-Match", "\"1\"")],
        &json!({"opgaveId": o2, "status": "vervallen"}).to_string(),
        400,
    );
    assert_eq!(r.body["invalidParams"][0]["code"], "required");
    pm.refused(
        "PATCH",
        &format!("/doelen/{d}"),
        &[("If-Match", "\"1\"")],
        &json!({"opgaveId": missing}).to_string(),
        400,
    );

    pm.refused(
        "PATCH",
        &format!("/doelen/{d}"),
        &[],
        r#"{"titel":"x"}"#,
        428,
    );
    pm.refused(
        "PATCH",
        &format!("/doelen/{d}"),
        &[("If-Match", "\"4\"")],
        r#"{"titel":"x"}"#,
        412,
    );
    let r = pm.refused(
        "PATCH",
        &format!("/doelen/{d}"),
        &[("If-Match", "\"1\"")],
        r#"{"status":"klaar","geprioriteerd":"ja","code":"x.y!"}"#,
        400,
    );
    assert_eq!(r.invalid().len(), 3);
    pm.refused(
        "PATCH",
        &format!("/doelen/{missing}"),
        &[("If-Match", "\"1\"")],
        r#"{"titel":"x"}"#,
        404,
    );
    let g = pm
        .created(
            &format!("/agendas/{a}/groeperingen"),
            &json!({"naam": "Effect"}),
        )
        .id();
    pm.refused(
        "PATCH",
        &format!("/groeperingen/{g}"),
        &[],
        r#"{"naam":"x"}"#,
        428,
    );
    pm.refused(
        "PATCH",
        &format!("/groeperingen/{g}"),
        &[("If-Match", "\"2\"")],
        r#"{"naam":"x"}"#,
        412,
    );
    pm.refused(
        "PATCH",
        &format!("/groeperingen/{g}"),
        &[("If-Match", "\"1\"")],
        r#"{"naam":"","code":"2"}"#,
        400,
    );

    // idempotent create: the retry returns the original and appends nothing; another body is 422
    let key = [("Idempotency-Key", "opgave-2-1")];
    let body = r#"{"code":"2.1","titel":"Gezondheid"}"#;
    let first = pm.call("POST", &format!("/agendas/{a}/opgaven"), &key, Some(body));
    assert_eq!(first.status, 201);
    let head = app.head();
    let again = pm.call("POST", &format!("/agendas/{a}/opgaven"), &key, Some(body));
    assert_eq!((again.status, again.id()), (201, first.id()));
    assert_eq!(app.head(), head);
    pm.refused(
        "POST",
        &format!("/agendas/{a}/opgaven"),
        &key,
        r#"{"code":"2.2","titel":"Gezondheid"}"#,
        422,
    );
}
