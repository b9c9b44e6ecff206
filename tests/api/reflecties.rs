//! `/reflecties`: create about an actie, doel or opgave; list by `over` and
//! `agenda`, newest first; correct and withdraw as new events; bad input.

use serde_json::json;

use crate::support::*;

fn organisatie(app: &TestApp) -> String {
    app.als_pm().get("/organisaties?naam=bibliotheek").1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn reflecties_are_created_listed_corrected_and_withdrawn() {
    let app = spawn();
    let a = agenda_id(&app);
    let actie = actie(&app, "2.5");
    let actie_id = actie["id"].as_str().unwrap();
    let opgave_id = opgave(&app, "1.1");
    let doel_id = app.als_pm().get(&format!("/opgaven/{opgave_id}/doelen")).1["resultaten"][0]
        ["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let org = organisatie(&app);
    let today = chrono::Utc::now().date_naive().to_string();

    // about an actie; the fase defaults to the opgave's PDCA phase (nothing started: plan)
    let r = app.als_pm().created(
        "/reflecties",
        &json!({"over": actie_id, "auteurOrganisatieId": org,
            "watGingGoed": " Goede opkomst ", "watKanBeter": "Eerder aankondigen"}),
    );
    assert_eq!(r.etag, "\"1\"");
    assert_eq!(r.location, format!("/v1/reflecties/{}", r.id()));
    let b = &r.body;
    assert_eq!(b["over"]["soort"], "actie");
    assert_eq!(b["over"]["id"], actie_id);
    assert_eq!(
        b["over"]["code"],
        actie["doelCode"].as_str().unwrap_or("2.5")
    );
    assert_eq!(b["fase"], "plan");
    assert_eq!(b["datum"], today.as_str());
    assert_eq!(b["watGingGoed"], "Goede opkomst");
    assert_eq!(b["auteurOrganisatieId"], org.as_str());
    assert!(b["auteurOrganisatieNaam"]
        .as_str()
        .unwrap()
        .contains("ibliotheek"));
    assert_eq!(
        (b["gecorrigeerd"].as_bool(), b["ingetrokken"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(b["agendaId"], a.as_str());
    let about_actie = r.id();

    // about an opgave, in an explicit phase and on a past date, free text
    let r = app.als_pm().created(
        "/reflecties",
        &json!({"over": opgave_id, "fase": "check", "datum": "2024-06-01", "tekst": "Halverwege."}),
    );
    assert_eq!(
        (
            r.body["over"]["soort"].as_str(),
            r.body["over"]["code"].as_str()
        ),
        (Some("opgave"), Some("1.1"))
    );
    assert_eq!(r.body["fase"], "check");
    let about_opgave = r.id();
    // about a doel
    let r = app.als_pm().created(
        "/reflecties",
        &json!({"over": doel_id, "volgendeStappen": "Werkgroep starten"}),
    );
    assert_eq!(r.body["over"]["soort"], "doel");
    let about_doel = r.id();

    // filters, newest first (datum, then registration), paging
    let (status, list) = app.als_pm().get(&format!("/reflecties?over={actie_id}"));
    assert_eq!((status, list["totaal"].as_u64()), (200, Some(1)));
    assert_eq!(list["resultaten"][0]["id"], about_actie.as_str());
    let (_, list) = app.als_pm().get(&format!("/reflecties?agenda={a}"));
    let ids: Vec<&str> = list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            about_doel.as_str(),
            about_actie.as_str(),
            about_opgave.as_str()
        ]
    );
    let (_, page) = app
        .als_pm()
        .get(&format!("/reflecties?agenda={a}&page=2&pageSize=1"));
    assert_eq!(
        (page["totaal"].as_u64(), page["aantalPaginas"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(page["resultaten"][0]["id"], about_actie.as_str());

    // correct: only the given fields change, null clears one; the original stays in history
    let path = format!("/reflecties/{about_actie}");
    let r = app.als_pm().patch(
        &path,
        "\"1\"",
        &json!({"watKanBeter": "Twee weken eerder aankondigen", "watGingGoed": null, "tekst": "Aanvulling"}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.etag, "\"2\"");
    assert_eq!(r.body["watKanBeter"], "Twee weken eerder aankondigen");
    assert_eq!(r.body["watGingGoed"], serde_json::Value::Null);
    assert_eq!(r.body["tekst"], "Aanvulling");
    assert_eq!(r.body["gecorrigeerd"], true);
    assert_eq!(app.als_pm().get(&path).1, r.body, "read-your-writes");
    // the same correction again changes nothing and appends nothing
    let head = app.head();
    let r = app
        .als_pm()
        .patch(&path, "\"2\"", &json!({"tekst": "Aanvulling"}));
    assert_eq!((r.status, r.etag.as_str()), (200, "\"2\""));
    assert_eq!(app.head(), head);

    // withdraw: stays listed, marked ingetrokken, with the reason
    let r = app.als_pm().patch(
        &path,
        "\"2\"",
        &json!({"ingetrokken": true, "reden": "Dubbel ingevoerd"}),
    );
    assert_eq!((r.status, r.body["versie"].as_u64()), (200, Some(3)));
    assert_eq!(
        (
            r.body["ingetrokken"].as_bool(),
            r.body["intrekkingsreden"].as_str()
        ),
        (Some(true), Some("Dubbel ingevoerd"))
    );
    assert_eq!(r.body["watKanBeter"], "Twee weken eerder aankondigen");
    let (_, list) = app.als_pm().get(&format!("/reflecties?over={actie_id}"));
    assert_eq!(list["resultaten"][0]["ingetrokken"], true);
    // a withdrawn reflectie cannot be corrected or withdrawn again
    let r = app.als_pm().refused(
        "PATCH",
        &path,
        &[("If-Match", "\"3\"")],
        r#"{"tekst":"toch"}"#,
        409,
    );
    assert_eq!(r.code(), "reflectie-ingetrokken");
    app.als_pm().refused(
        "PATCH",
        &path,
        &[("If-Match", "\"3\"")],
        r#"{"ingetrokken":true}"#,
        409,
    );
    same_after_rebuild(
        &app,
        &app.pm,
        &[
            path.clone(),
            format!("/reflecties?agenda={a}"),
            format!("/reflecties/{about_opgave}"),
        ],
    );
}

#[test]
fn bad_reflecties_are_refused_and_append_nothing() {
    let app = spawn();
    let actie = actie(&app, "2.5");
    let actie_id = actie["id"].as_str().unwrap();
    let missing = uuid::Uuid::now_v7();

    // malformed JSON, not an object
    let r = app
        .als_pm()
        .refused("POST", "/reflecties", &[], "{\"over\":", 400);
    assert_eq!(r.invalid(), ["body"]);
    app.als_pm()
        .refused("POST", "/reflecties", &[], "[1,2]", 400);
    // wrong types and an unknown field, all reported at once
    let r = app.als_pm().refused(
        "POST",
        "/reflecties",
        &[],
        r#"{"over":5,"fase":"later","datum":"gisteren","tekst":3,"auteurOrganisatieId":"x","cijfer":8}"#,
        400,
    );
    let mut names = r.invalid();
    names.sort();
    assert_eq!(
        names,
        [
            "body.auteurOrganisatieId",
            "body.cijfer",
            "body.datum",
            "body.fase",
            "body.over",
            "body.tekst"
        ]
    );
    // required: what it is about and at least one text
    let r = app.als_pm().refused("POST", "/reflecties", &[], "{}", 400);
    assert_eq!(r.invalid(), ["body.over", "body.tekst"]);
    let r = app.als_pm().refused(
        "POST",
        "/reflecties",
        &[],
        &json!({"over": actie_id, "tekst": "  "}).to_string(),
        400,
    );
    assert_eq!(r.invalid(), ["body.tekst"]);
    // unknown ids in the body are 400, not 404
    let r = app.als_pm().refused(
        "POST",
        "/reflecties",
        &[],
        &json!({"over": missing, "auteurOrganisatieId": missing, "tekst": "x"}).to_string(),
        400,
    );
    assert_eq!(r.invalid(), ["body.auteurOrganisatieId", "body.over"]);
    assert_eq!(r.body["invalidParams"][1]["code"], "unknown-onderwerp");
    // a reflectie looks back: no future dates
    let r = app.als_pm().refused(
        "POST",
        "/reflecties",
        &[],
        &json!({"over": actie_id, "tekst": "x", "datum": "2199-01-01"}).to_string(),
        400,
    );
    assert_eq!(r.body["invalidParams"][0]["code"], "future-date");

    // unknown id in the path
    let r = app
        .als_pm()
        .call("GET", &format!("/reflecties/{missing}"), &[], None);
    assert_eq!((r.status, r.code()), (404, "not-found"));
    assert!(r.content_type.starts_with("application/problem+json"));
    app.als_pm().refused(
        "PATCH",
        &format!("/reflecties/{missing}"),
        &[("If-Match", "\"1\"")],
        r#"{"tekst":"x"}"#,
        404,
    );
    app.als_pm()
        .refused("GET", "/reflecties/niet-een-uuid", &[], "", 400);
    // bad filters
    let r = app
        .als_pm()
        .call("GET", &format!("/reflecties?over={missing}"), &[], None);
    assert_eq!(
        (r.status, r.invalid()),
        (400, vec!["query.over".to_owned()])
    );
    let r = app
        .als_pm()
        .call("GET", "/reflecties?pageSize=0&onbekend=1", &[], None);
    assert_eq!(r.status, 400);

    // idempotent create: a retry appends nothing and returns the original
    let body = json!({"over": actie_id, "tekst": "Eerste ronde"}).to_string();
    let key = [("Idempotency-Key", "reflectie-1")];
    let first = app.als_pm().call("POST", "/reflecties", &key, Some(&body));
    assert_eq!(first.status, 201);
    let head = app.head();
    let again = app.als_pm().call("POST", "/reflecties", &key, Some(&body));
    assert_eq!((again.status, again.id()), (201, first.id()));
    assert_eq!(app.head(), head);
    let r = app.als_pm().refused(
        "POST",
        "/reflecties",
        &key,
        &json!({"over": actie_id, "tekst": "Andere"}).to_string(),
        422,
    );
    assert_eq!(r.code(), "idempotency-key-reused");

    // PATCH: If-Match required, stale is 412, conflicting or empty corrections 400
    let path = format!("/reflecties/{}", first.id());
    let r = app
        .als_pm()
        .refused("PATCH", &path, &[], r#"{"tekst":"x"}"#, 428);
    assert_eq!(r.code(), "if-match-required");
    let r = app.als_pm().refused(
        "PATCH",
        &path,
        &[("If-Match", "\"7\"")],
        r#"{"tekst":"x"}"#,
        412,
    );
    assert_eq!(r.code(), "stale-etag");
    app.als_pm().refused(
        "PATCH",
        &path,
        &[("If-Match", "\"1\"")],
        r#"{"tekst":"x","ingetrokken":true}"#,
        400,
    );
    app.als_pm()
        .refused("PATCH", &path, &[("If-Match", "\"1\"")], r#"{}"#, 400);
    app.als_pm().refused(
        "PATCH",
        &path,
        &[("If-Match", "\"1\"")],
        r#"{"over":"x","fase":"do"}"#,
        400,
    );
    let r = app.als_pm().refused(
        "PATCH",
        &path,
        &[("If-Match", "\"1\"")],
        r#"{"tekst":null}"#,
        400,
    );
    assert_eq!(
        r.invalid(),
        ["body.tekst"],
        "a reflectie keeps at least one text"
    );
    assert_eq!(app.als_pm().get(&path).1["versie"], 1);
}

#[test]
fn a_reflectie_body_is_its_schema_and_a_change_is_a_merge_patch() {
    let app = spawn();
    let actie = actie(&app, "2.5");
    let actie_id = actie["id"].as_str().unwrap();

    // several wrong fields at once, each named with what would be right
    let r = app.als_pm().refused(
        "POST",
        "/reflecties",
        &[],
        &json!({"over": actie_id, "fase": "klaar", "datum": "1-6-2024", "watGingGoed": 4, "ingetrokken": true})
            .to_string(),
        400,
    );
    assert_eq!(
        r.invalid(),
        [
            "body.datum",
            "body.fase",
            "body.ingetrokken",
            // no text with a visible character: the schema's rule says so too
            "body.tekst",
            "body.watGingGoed"
        ]
    );
    let fase = &r.body["invalidParams"][1]["reason"];
    assert!(
        fase.as_str().unwrap().contains("plan, do, check, act"),
        "{fase}"
    );

    let r = app.als_pm().created(
        "/reflecties",
        &json!({"over": actie_id, "watGingGoed": "Opkomst", "tekst": "Verder"}),
    );
    let path = format!("/reflecties/{}", r.id());
    // merge-patch: null empties a text, the others stay
    let merge = [
        ("If-Match", "\"1\""),
        ("Content-Type", "application/merge-patch+json"),
    ];
    let r = app
        .als_pm()
        .call("PATCH", &path, &merge, Some(r#"{"watGingGoed":null}"#));
    assert_eq!(r.status, 200, "{}", r.body);
    let (_, back) = app.als_pm().get(&path);
    assert_eq!(back["watGingGoed"], serde_json::Value::Null);
    assert_eq!(back["tekst"], "Verder");
    assert_eq!(back["gecorrigeerd"], true);
    // ingetrokken cannot be cleared or set back: null and false are refused by the schema
    for body in [r#"{"ingetrokken":null}"#, r#"{"ingetrokken":false}"#] {
        let r = app
            .als_pm()
            .refused("PATCH", &path, &[("If-Match", "\"2\"")], body, 400);
        assert_eq!(r.invalid(), ["body.ingetrokken"], "{body}");
    }
    assert_eq!(app.als_pm().get(&path).1["versie"], 2);
}
