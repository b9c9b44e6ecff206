//! Indicatoren on a doel, streefwaarde revisions, metingen and supersession.

use chrono::Datelike;
use serde_json::json;

use crate::support::*;

fn doel(app: &TestApp) -> String {
    let o = opgave(app, "1.1");
    app.als_pm().get(&format!("/opgaven/{o}/doelen")).1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn organisatie(app: &TestApp) -> String {
    app.als_pm().get("/organisaties?naam=bibliotheek").1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn indicator_metingen_supersede_and_streefwaarden_are_revised_in_history() {
    let app = spawn();
    let d = doel(&app);
    let org = organisatie(&app);
    // The demo agenda's year: koers judges the agenda's peiljaar (2024 for
    // the demo, whose period has ended), not the calendar year.
    let y = 2024;
    let ys = y.to_string();

    let r = app.als_pm().created(
        &format!("/doelen/{d}/indicatoren"),
        &json!({"naam": "Huishoudens met betalingsachterstand", "eenheid": "%", "richting": "lagerIsBeter",
            "bron": "Monitor", "eigenaarOrganisatieId": org, "nulmeting": {"jaar": 2023, "waarde": 12},
            "streefwaarden": [{"jaar": y, "waarde": 10}, {"jaar": y + 1, "waarde": 8}]}),
    );
    let id = r.id();
    assert_eq!(r.location, format!("/v1/indicatoren/{id}"));
    assert_eq!(r.etag, "\"1\"");
    let b = &r.body;
    assert_eq!(
        (b["richting"].as_str(), b["doelId"].as_str()),
        (Some("lagerIsBeter"), Some(d.as_str()))
    );
    assert_eq!(b["eigenaarOrganisatieId"], org.as_str());
    assert_eq!(b["nulmeting"], json!({"jaar": 2023, "waarde": 12.0}));
    assert_eq!(b["streefwaarden"].as_array().unwrap().len(), 2);
    assert_eq!(b["laatsteMeting"], serde_json::Value::Null);
    assert_eq!(
        (b["koers"]["status"].as_str(), b["koers"]["jaar"].as_i64()),
        (Some("onbekend"), Some(y as i64))
    );
    let (_, list) = app.als_pm().get(&format!("/doelen/{d}/indicatoren"));
    assert_eq!(
        (
            list["totaal"].as_u64(),
            list["resultaten"][0]["id"].as_str()
        ),
        (Some(1), Some(id.as_str()))
    );
    assert_eq!(
        app.als_pm().get(&format!("/doelen/{d}")).1["aantalIndicatoren"],
        1
    );

    // a first, provisional meting: above target, and lower is better
    let metingen = format!("/indicatoren/{id}/metingen");
    let first = app.als_pm().created(
        &metingen,
        &json!({"periode": ys, "waarde": 11, "status": "voorlopig", "bron": "Monitor Q1"}),
    );
    assert_eq!(first.location, format!("/v1{metingen}/{}", first.id()));
    assert_eq!(first.etag, "\"2\"");
    assert_eq!(
        (
            first.body["vervangen"].as_bool(),
            first.body["status"].as_str()
        ),
        (Some(false), Some("voorlopig"))
    );
    let (_, ind) = app.als_pm().get(&format!("/indicatoren/{id}"));
    assert_eq!(
        (
            ind["koers"]["status"].as_str(),
            ind["laatsteMeting"]["waarde"].as_f64()
        ),
        (Some("nietOpKoers"), Some(11.0))
    );

    // a later meting for the same period supersedes it; both stay
    let today = format!("{y}-12-31");
    let second = app.als_pm().created(
        &metingen,
        &json!({"periode": ys, "meetDatum": today, "waarde": 9.5, "status": "definitief", "doorOrganisatieId": org}),
    );
    // a meting with only a date counts for that date's year
    let older = app.als_pm().created(
        &metingen,
        &json!({"meetDatum": format!("{}-06-30", y - 1), "waarde": 12.5, "status": "definitief"}),
    );
    assert_eq!(older.body["periode"], (y - 1).to_string());
    let (status, list) = app.als_pm().get(&metingen);
    assert_eq!((status, list["totaal"].as_u64()), (200, Some(3)));
    let rows: Vec<(&str, bool)> = list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_str().unwrap(), m["vervangen"].as_bool().unwrap()))
        .collect();
    let (f, s, o) = (first.id(), second.id(), older.id());
    assert_eq!(
        rows,
        [(s.as_str(), false), (f.as_str(), true), (o.as_str(), false)]
    );
    let (_, m) = app.als_pm().get(&format!("{metingen}/{f}"));
    assert_eq!(m["vervangen"], true, "the superseded meting says so");
    let (_, ind) = app.als_pm().get(&format!("/indicatoren/{id}"));
    assert_eq!(ind["koers"]["status"], "opKoers");
    assert_eq!(
        (
            ind["laatsteMeting"]["id"].as_str(),
            ind["aantalMetingen"].as_u64()
        ),
        (Some(s.as_str()), Some(3))
    );
    assert_eq!(
        ind["laatsteMeting"]["doorOrganisatieNaam"],
        ind["eigenaarOrganisatieNaam"]
    );
    assert_eq!(ind["versie"], 4);

    // revising this year's streefwaarde is a PATCH, visible in history with the old value
    let path = format!("/indicatoren/{id}");
    let r = app.als_pm().call("PATCH", &path, &[("If-Match", "\"4\""), ("X-Audit-Toelichting", "Bijgesteld na checkmoment")],
        Some(&json!({"streefwaarden": [{"jaar": y, "waarde": 9}], "naam": "Huishoudens met achterstand", "bron": null}).to_string()));
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.etag, "\"6\"",
        "one IndicatorGewijzigd and one StreefwaardeVastgesteld"
    );
    assert_eq!(
        r.body["koers"]["status"], "nietOpKoers",
        "9.5 against the revised 9"
    );
    assert_eq!(r.body["koers"]["streefwaarde"]["waarde"], 9.0);
    assert_eq!(
        (r.body["naam"].as_str(), r.body["bron"].is_null()),
        (Some("Huishoudens met achterstand"), true)
    );
    assert_eq!(app.als_pm().get(&path).1, r.body, "read-your-writes");
    let (_, history) = app
        .als_pm()
        .get(&format!("/indicatoren/{id}/streefwaarden"));
    let h: Vec<(i64, f64, bool)> = history["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["jaar"].as_i64().unwrap(),
                x["waarde"].as_f64().unwrap(),
                x["vervangen"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        h,
        [
            (y as i64, 10.0, true),
            (y as i64, 9.0, false),
            (y as i64 + 1, 8.0, false)
        ]
    );
    assert_eq!(history["resultaten"][1]["vorigeWaarde"], 10.0);
    assert_eq!(
        history["resultaten"][1]["toelichting"],
        "Bijgesteld na checkmoment"
    );

    // the same values again change nothing and append nothing
    let head = app.head();
    let r = app.als_pm().patch(
        &path,
        "\"6\"",
        &json!({"streefwaarden": [{"jaar": y, "waarde": 9}], "eenheid": "%"}),
    );
    assert_eq!((r.status, r.etag.as_str()), (200, "\"6\""));
    assert_eq!(app.head(), head);
    // a band direction needs bands on every streefwaarde
    let r = app.als_pm().refused(
        "PATCH",
        &path,
        &[("If-Match", "\"6\"")],
        r#"{"richting":"binnenBandbreedte"}"#,
        400,
    );
    assert_eq!(r.body["invalidParams"][0]["code"], "band-required");
    let band = json!({"richting": "binnenBandbreedte", "eigenaarOrganisatieId": null, "streefwaarden": [
        {"jaar": y, "waarde": 9, "ondergrens": 8, "bovengrens": 10}, {"jaar": y + 1, "waarde": 8, "ondergrens": 7, "bovengrens": 9}]});
    let r = app.als_pm().patch(&path, "\"6\"", &band);
    assert_eq!(
        (r.status, r.body["koers"]["status"].as_str()),
        (200, Some("opKoers")),
        "{:?}",
        r.body
    );
    assert!(r.body["eigenaarOrganisatieId"].is_null());
    same_after_rebuild(
        &app,
        &app.pm,
        &[
            path.clone(),
            metingen.clone(),
            format!("/indicatoren/{id}/streefwaarden"),
            format!("/doelen/{d}/indicatoren"),
        ],
    );
}

#[test]
fn bad_indicatoren_and_metingen_are_refused_and_append_nothing() {
    let app = spawn();
    let d = doel(&app);
    let missing = uuid::Uuid::now_v7();
    let path = format!("/doelen/{d}/indicatoren");

    app.als_pm().refused("POST", &path, &[], "{\"naam\": ", 400);
    let r = app.als_pm().refused(
        "POST",
        &path,
        &[],
        r#"{"naam":1,"richting":"omhoog","nulmeting":{"jaar":"x"},"streefwaarden":[{"jaar":2025}],"extra":true}"#,
        400,
    );
    let mut names = r.invalid();
    names.sort();
    assert_eq!(
        names,
        [
            "body.eenheid",
            "body.extra",
            "body.naam",
            "body.nulmeting.jaar",
            "body.nulmeting.waarde",
            "body.richting",
            "body.streefwaarden[0].waarde",
        ]
    );
    let r = app.als_pm().refused(
        "POST",
        &path,
        &[],
        &json!({"naam": "x", "eenheid": "%", "richting": "hogerIsBeter",
        "eigenaarOrganisatieId": missing})
        .to_string(),
        400,
    );
    assert_eq!(r.body["invalidParams"][0]["code"], "unknown-organisatie");
    let r = app.als_pm().refused("POST", &path, &[], &json!({"naam": "x", "eenheid": "%", "richting": "binnenBandbreedte",
        "streefwaarden": [{"jaar": 2025, "waarde": 1}, {"jaar": 2025, "waarde": 2, "ondergrens": 1, "bovengrens": 3}]}).to_string(), 400);
    let codes: Vec<&str> = r.body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["band-required", "duplicate-year"]);
    app.als_pm().refused(
        "POST",
        &format!("/doelen/{missing}/indicatoren"),
        &[],
        r#"{"naam":"x","eenheid":"%","richting":"hogerIsBeter"}"#,
        404,
    );
    app.als_pm().refused(
        "GET",
        &format!("/doelen/{missing}/indicatoren"),
        &[],
        "",
        404,
    );

    let ind = app
        .als_pm()
        .created(
            &path,
            &json!({"naam": "Deelnemers", "eenheid": "aantal", "richting": "hogerIsBeter"}),
        )
        .id();
    let metingen = format!("/indicatoren/{ind}/metingen");
    let r = app.als_pm().refused(
        "POST",
        &metingen,
        &[],
        r#"{"waarde":"veel","status":"ongeveer","onbekend":1}"#,
        400,
    );
    // All at once, also "a periode or a meetDatum": the schema states that
    // rule too (src/http/spec_rules.rs), and the domain decides it alike.
    let mut names = r.invalid();
    names.sort();
    assert_eq!(
        names,
        [
            "body.onbekend",
            "body.periode",
            "body.status",
            "body.waarde"
        ]
    );
    let r = app.als_pm().refused(
        "POST",
        &metingen,
        &[],
        r#"{"waarde":1,"status":"voorlopig"}"#,
        400,
    );
    assert_eq!(
        (r.invalid(), r.body["invalidParams"][0]["code"].as_str()),
        (vec!["body.periode".to_owned()], Some("required"))
    );
    let r = app.als_pm().refused(
        "POST",
        &metingen,
        &[],
        &json!({"periode": "2024-Q5", "waarde": 1, "status": "definitief"}).to_string(),
        400,
    );
    assert_eq!(
        (r.invalid(), r.body["invalidParams"][0]["code"].as_str()),
        (vec!["body.periode".to_owned()], Some("invalid-period")),
        "the schema's pattern"
    );
    let r = app.als_pm().refused(
        "POST",
        &metingen,
        &[],
        &json!({"periode": "2024-Q4", "meetDatum": "2199-01-01", "waarde": 1,
        "status": "definitief", "doorOrganisatieId": missing})
        .to_string(),
        400,
    );
    let codes: Vec<(&str, &str)> = r.body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("body.doorOrganisatieId", "unknown-organisatie"),
            ("body.meetDatum", "future-date")
        ]
    );
    app.als_pm().refused(
        "POST",
        &format!("/indicatoren/{missing}/metingen"),
        &[],
        r#"{"periode":"2024","waarde":1,"status":"voorlopig"}"#,
        404,
    );
    app.als_pm().refused(
        "GET",
        &format!("/indicatoren/{missing}/metingen"),
        &[],
        "",
        404,
    );
    app.als_pm()
        .refused("GET", &format!("{metingen}/{missing}"), &[], "", 404);
    app.als_pm()
        .refused("GET", &format!("/indicatoren/{missing}"), &[], "", 404);
    app.als_pm().refused(
        "GET",
        &format!("/indicatoren/{missing}/streefwaarden"),
        &[],
        "",
        404,
    );

    // If-Match on POST is optional, but a stale one is 412
    let body = r#"{"periode":"2024","waarde":5,"status":"voorlopig"}"#;
    let r = app
        .als_pm()
        .refused("POST", &metingen, &[("If-Match", "\"9\"")], body, 412);
    assert_eq!(r.code(), "stale-etag");
    // idempotent retry: the original meting, nothing appended; another body with the key is 422
    let key = [("Idempotency-Key", "meting-2024")];
    let first = app.als_pm().call("POST", &metingen, &key, Some(body));
    assert_eq!(first.status, 201);
    let head = app.head();
    let again = app.als_pm().call("POST", &metingen, &key, Some(body));
    assert_eq!((again.status, again.id()), (201, first.id()));
    assert_eq!(app.head(), head);
    let r = app.als_pm().refused(
        "POST",
        &metingen,
        &key,
        r#"{"periode":"2024","waarde":6,"status":"voorlopig"}"#,
        422,
    );
    assert_eq!(r.code(), "idempotency-key-reused");
    assert_eq!(app.als_pm().get(&metingen).1["totaal"], 1);

    // PATCH: If-Match required and checked; invalid fields all at once
    let ipath = format!("/indicatoren/{ind}");
    app.als_pm()
        .refused("PATCH", &ipath, &[], r#"{"naam":"y"}"#, 428);
    app.als_pm().refused(
        "PATCH",
        &ipath,
        &[("If-Match", "\"1\"")],
        r#"{"naam":"y"}"#,
        412,
    );
    app.als_pm().refused(
        "PATCH",
        &format!("/indicatoren/{missing}"),
        &[("If-Match", "\"1\"")],
        r#"{"naam":"y"}"#,
        404,
    );
    let r = app.als_pm().refused(
        "PATCH",
        &ipath,
        &[("If-Match", "\"2\"")],
        r#"{"naam":"","richting":"x","streefwaarden":{},"doelId":"y"}"#,
        400,
    );
    let mut names = r.invalid();
    names.sort();
    assert_eq!(
        names,
        [
            "body.doelId",
            "body.naam",
            "body.richting",
            "body.streefwaarden"
        ],
        "{:?}",
        r.body
    );
    let r = app.als_pm().refused(
        "PATCH",
        &ipath,
        &[("If-Match", "\"2\"")],
        r#"{"naam":"  "}"#,
        400,
    );
    assert_eq!(r.invalid(), ["body.naam"]);

    // a vervallen doel takes no new indicatoren
    let r = app.als_pm().patch(
        &format!("/doelen/{d}"),
        "\"1\"",
        &json!({"status": "vervallen", "reden": "Opgeheven"}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app.als_pm().refused(
        "POST",
        &path,
        &[],
        r#"{"naam":"x","eenheid":"%","richting":"hogerIsBeter"}"#,
        409,
    );
    assert_eq!(r.code(), "doel-vervallen");
}

/// A meting's value is kept exactly as sent, also through the log (a
/// rebuild decodes the stored JSON), including numbers that serde_json's
/// default float parser reads one ulp off ("2.0e25"). Sent and read back
/// as text, compared with the standard library's exact parser, so the
/// test client's own JSON parser cannot hide an error.
#[test]
fn meting_values_are_kept_exactly_through_the_log() {
    let app = spawn();
    let d = doel(&app);
    let id = app
        .als_pm()
        .created(
            &format!("/doelen/{d}/indicatoren"),
            &json!({"naam": "Bereik", "eenheid": "aantal", "richting": "hogerIsBeter"}),
        )
        .id();
    let metingen = format!("/indicatoren/{id}/metingen");
    let year = chrono::Utc::now().year();
    let values = [
        // (2.0e25, the value that found it, is beyond the range of a waarde
        // now; these are hard cases for a float parser inside it)
        "9.999999999999999e14",
        "2.2250738585072011e-308",
        "5e-324",
        "0.30000000000000004",
        "1e-7",
    ];
    let ids: Vec<String> = values
        .iter()
        .map(|w| {
            let body = format!(r#"{{"periode": "{year}", "waarde": {w}, "status": "voorlopig"}}"#);
            let r = app.als_pm().call("POST", &metingen, &[], Some(&body));
            assert_eq!(r.status, 201, "{}", r.body);
            r.id()
        })
        .collect();
    let again = rebuilt(&app);
    for (m, w) in ids.iter().zip(values) {
        let exact: f64 = w.parse().unwrap();
        let path = format!("{metingen}/{m}");
        assert_eq!(waarde_as_sent(&app, &path), exact, "{w} as stored");
        assert_eq!(waarde_as_sent(&again, &path), exact, "{w} after a rebuild");
    }
}

/// The `waarde` of a meting as the server wrote it in the response text,
/// parsed by the standard library (exact); read anonymously (the demo
/// agenda is published).
fn waarde_as_sent(app: &TestApp, path: &str) -> f64 {
    let anoniem = app.anoniem();
    let mut r = anoniem.agent().get(anoniem.url(path)).call().unwrap();
    let text = r.body_mut().read_to_string().unwrap();
    let key = "\"waarde\":";
    let from = text.find(key).expect("a waarde") + key.len();
    let number: String = text[from..]
        .chars()
        .take_while(|c| !matches!(c, ',' | '}'))
        .collect();
    number.trim().parse().expect("a number")
}

/// A PATCH as JSON Merge Patch (RFC 7396), sent with its own content type.
fn merge_patch(
    caller: Caller,
    path: &str,
    etag: &str,
    body: &serde_json::Value,
) -> (u16, String, serde_json::Value) {
    let mut r = caller
        .agent()
        .patch(caller.url(path))
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .send(body.to_string())
        .unwrap();
    let etag = r
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = r.body_mut().read_to_string().unwrap();
    (
        r.status().as_u16(),
        etag,
        serde_json::from_str(&text).unwrap(),
    )
}

#[test]
fn a_merge_patch_clears_with_null_only_what_may_be_cleared() {
    let app = spawn();
    let d = doel(&app);
    let org = organisatie(&app);
    let id = app.als_pm().created(
        &format!("/doelen/{d}/indicatoren"),
        &json!({"naam": "Bereik", "eenheid": "aantal", "richting": "hogerIsBeter", "bron": "Monitor",
            "eigenaarOrganisatieId": org, "nulmeting": {"jaar": 2023, "waarde": 4}}),
    )
    .id();
    let path = format!("/indicatoren/{id}");

    // naam, eenheid, richting and streefwaarden cannot be cleared: null is
    // refused, each named, and nothing changes
    let head = app.head();
    let (status, _, body) = merge_patch(
        app.als_pm(),
        &path,
        "\"1\"",
        &json!({"naam": null, "eenheid": null, "richting": null, "streefwaarden": null}),
    );
    assert_eq!(status, 400, "{body}");
    let mut names: Vec<&str> = body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "body.eenheid",
            "body.naam",
            "body.richting",
            "body.streefwaarden"
        ]
    );
    assert_eq!(app.head(), head);

    // several wrong values in nested objects: all named at once
    let (status, _, body) = merge_patch(
        app.als_pm(),
        &path,
        "\"1\"",
        &json!({"naam": " ", "streefwaarden": [{"jaar": 1800, "waarde": 2e15, "extra": 1}]}),
    );
    assert_eq!(status, 400, "{body}");
    let mut names: Vec<&str> = body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "body.naam",
            "body.streefwaarden[0].extra",
            "body.streefwaarden[0].jaar",
            "body.streefwaarden[0].waarde"
        ]
    );

    // a wrong nulmeting is explained as a nulmeting (not as "must be null")
    let (status, _, body) = merge_patch(
        app.als_pm(),
        &path,
        "\"1\"",
        &json!({"nulmeting": {"jaar": 1800, "waarde": 1, "bron": "x"}}),
    );
    assert_eq!(status, 400, "{body}");
    let mut names: Vec<&str> = body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["body.nulmeting.bron", "body.nulmeting.jaar"]);
    assert!(
        body.to_string().contains("van 1900 tot en met 2200"),
        "{body}"
    );

    // bron, eigenaar and nulmeting can: null clears them, the rest stays
    let (status, etag, body) = merge_patch(
        app.als_pm(),
        &path,
        "\"1\"",
        &json!({"bron": null, "eigenaarOrganisatieId": null, "nulmeting": null}),
    );
    assert_eq!((status, etag.as_str()), (200, "\"2\""), "{body}");
    let (_, read) = app.als_pm().get(&path);
    assert_eq!(read, body, "read back as answered");
    assert_eq!(
        (
            read["bron"].is_null(),
            read["eigenaarOrganisatieId"].is_null(),
            read["eigenaarOrganisatieNaam"].is_null(),
            read["nulmeting"].is_null()
        ),
        (true, true, true, true)
    );
    assert_eq!(
        (read["naam"].as_str(), read["eenheid"].as_str()),
        (Some("Bereik"), Some("aantal"))
    );
    // and setting a nulmeting again through the same content type
    let (status, _, body) = merge_patch(
        app.als_pm(),
        &path,
        "\"2\"",
        &json!({"nulmeting": {"jaar": 2024, "waarde": 5}}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["nulmeting"], json!({"jaar": 2024, "waarde": 5.0}));
}
