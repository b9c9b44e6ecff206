//! Checkmomenten and bijsturingen over HTTP, and the `X-Bijsturing-Id`
//! header every write accepts.

use serde_json::json;

use crate::client::{start, Running};

fn app() -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (start(dir.path().to_path_buf(), true), dir)
}

fn organisatie(app: &Running, naam: &str) -> String {
    let list = app.get("/organisaties?pageSize=500").body;
    list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["naam"] == naam)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn checkmoment_lifecycle_and_bijsturing_with_its_changes() {
    let (app, _dir) = app();
    let agenda = app.agenda_id();
    let opgave = app.opgave_id(&agenda, "3.4");
    let gemeente = organisatie(&app, "Gemeente Twenterand");
    let bieb = organisatie(&app, "Bibliotheek Twenterand");

    // open on the opgave: 201, Location, ETag, the body as stored
    let body =
        json!({"datum": "2024-06-15", "onderwerp": "Halfjaarcheck taal", "deelnemers": [gemeente]});
    let r = app.call(
        "POST",
        &format!("/opgaven/{opgave}/checkmomenten"),
        &[],
        &body.to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let cm = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.location, format!("/v1/checkmomenten/{cm}"));
    assert_eq!(r.etag, "\"1\"");
    assert_eq!(
        (
            r.body["niveau"].as_str(),
            r.body["status"].as_str(),
            r.body["opgaveCode"].as_str()
        ),
        (Some("opgave"), Some("open"), Some("3.4"))
    );
    assert_eq!(r.body["deelnemers"][0]["naam"], "Gemeente Twenterand");

    // listed under the opgave and the agenda; filter on status
    let list = app.get(&format!("/opgaven/{opgave}/checkmomenten")).body;
    assert_eq!(list["totaal"], 1);
    let list = app
        .get(&format!("/agendas/{agenda}/checkmomenten?status=gesloten"))
        .body;
    assert_eq!(list["totaal"], 0);
    assert_eq!(
        app.get(&format!("/agendas/{agenda}/checkmomenten?status=open"))
            .body["totaal"],
        1
    );
    let r = app.call(
        "GET",
        &format!("/agendas/{agenda}/checkmomenten?status=dicht"),
        &[],
        "",
    );
    assert_eq!(
        (r.status, r.body["invalidParams"][0]["name"].as_str()),
        (400, Some("query.status"))
    );

    // bad input: every problem at once, nothing appended
    let head = app.head();
    let bad = json!({"datum": "2023-06-15", "deelnemers": ["nope", uuid::Uuid::now_v7()], "x": 1});
    let r = app.call(
        "POST",
        &format!("/opgaven/{opgave}/checkmomenten"),
        &[],
        &bad.to_string(),
    );
    assert_eq!(r.status, 400);
    assert!(r.content_type.starts_with("application/problem+json"));
    let mut names: Vec<&str> = r.body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "body.datum",
            "body.deelnemers[0]",
            "body.deelnemers[1]",
            "body.onderwerp",
            "body.x"
        ]
    );
    assert_eq!(app.head(), head);

    // PATCH: If-Match required, then change deelnemers and datum
    let path = format!("/checkmomenten/{cm}");
    let change = json!({"deelnemers": [gemeente, bieb], "datum": "2024-06-20"}).to_string();
    assert_eq!(app.call("PATCH", &path, &[], &change).status, 428);
    assert_eq!(
        app.call("PATCH", &path, &[("If-Match", "\"7\"")], &change)
            .status,
        412
    );
    let r = app.call("PATCH", &path, &[("If-Match", "\"1\"")], &change);
    assert_eq!(
        (r.status, r.body["versie"].as_u64()),
        (200, Some(2)),
        "{}",
        r.body
    );
    assert_eq!(r.body["deelnemers"][1]["naam"], "Bibliotheek Twenterand");
    assert_eq!(r.body["datum"], "2024-06-20");

    // a bijsturing: 201 with Location under the checkmoment
    let actie = app
        .get(&format!("/agendas/{agenda}/acties?opgave=3.4"))
        .body["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let besluit = json!({
        "besluit": "Bibliotheek wordt trekker",
        "onderbouwing": "De gemeente heeft geen capaciteit.",
        "datum": "2024-06-20",
        "voorgenomenWijzigingen": [{"soort": "trekkerWijzigen", "omschrijving": "Trekker naar de bibliotheek", "onderwerpId": actie}]
    });
    let r = app.call(
        "POST",
        &format!("{path}/bijsturingen"),
        &[("Idempotency-Key", "b-1")],
        &besluit.to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let bs = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.location,
        format!("/v1/checkmomenten/{cm}/bijsturingen/{bs}")
    );
    assert_eq!(r.body["doorgevoerd"], false);
    assert_eq!(
        r.body["voorgenomenWijzigingen"][0]["soort"],
        "trekkerWijzigen"
    );
    // retried with the same key: same bijsturing, nothing appended
    let head = app.head();
    let again = app.call(
        "POST",
        &format!("{path}/bijsturingen"),
        &[("Idempotency-Key", "b-1")],
        &besluit.to_string(),
    );
    assert_eq!(
        (again.status, again.body["id"].as_str()),
        (201, Some(bs.as_str()))
    );
    assert_eq!(app.head(), head);
    // invalid bijsturing: all problems, nothing appended
    let bad = json!({"besluit": " ", "voorgenomenWijzigingen": [{"soort": "weg", "omschrijving": "x", "onderwerpId": uuid::Uuid::now_v7()}]});
    let r = app.call(
        "POST",
        &format!("{path}/bijsturingen"),
        &[],
        &bad.to_string(),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["invalidParams"].as_array().unwrap().len(),
        4,
        "{}",
        r.body
    );
    assert_eq!(app.head(), head);

    // X-Bijsturing-Id: malformed and unknown are 400, nothing appended
    let tpath = format!("/acties/{actie}/trekker");
    let trekker = json!({"soort": "organisatie", "organisatieId": bieb}).to_string();
    let version = app.get(&format!("/acties/{actie}")).body["versie"].to_string();
    let if_match = format!("\"{version}\"");
    let r = app.call(
        "PUT",
        &tpath,
        &[("If-Match", &if_match), ("X-Bijsturing-Id", "zomaar")],
        &trekker,
    );
    assert_eq!(
        (r.status, r.body["invalidParams"][0]["name"].as_str()),
        (400, Some("header.X-Bijsturing-Id"))
    );
    let unknown = uuid::Uuid::now_v7().to_string();
    let r = app.call(
        "PUT",
        &tpath,
        &[("If-Match", &if_match), ("X-Bijsturing-Id", &unknown)],
        &trekker,
    );
    assert_eq!(
        (r.status, r.body["invalidParams"][0]["code"].as_str()),
        (400, Some("unknown-bijsturing"))
    );
    assert_eq!(app.head(), head);
    // with the bijsturing: recorded in the event's metadata and shown on the bijsturing
    let r = app.call(
        "PUT",
        &tpath,
        &[("If-Match", &if_match), ("X-Bijsturing-Id", &bs)],
        &trekker,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let b = app.get(&format!("{path}/bijsturingen/{bs}")).body;
    assert_eq!(b["uitvoeringen"][0]["type"], "TrekkerGewijzigd");
    assert_eq!(
        b["uitvoeringen"][0]["streamId"].as_str(),
        Some(actie.as_str())
    );

    // mark doorgevoerd: If-Match required (checkmoment version), false refused
    let bpath = format!("{path}/bijsturingen/{bs}");
    let v = app.get(&path).etag;
    assert_eq!(
        app.call("PATCH", &bpath, &[], r#"{"doorgevoerd":true}"#)
            .status,
        428
    );
    assert_eq!(
        app.call(
            "PATCH",
            &bpath,
            &[("If-Match", &v)],
            r#"{"doorgevoerd":false}"#
        )
        .status,
        400
    );
    let r = app.call(
        "PATCH",
        &bpath,
        &[("If-Match", &v)],
        r#"{"doorgevoerd":true,"doorgevoerdDatum":"2024-07-01"}"#,
    );
    assert_eq!(
        (r.status, r.body["doorgevoerd"].as_bool()),
        (200, Some(true)),
        "{}",
        r.body
    );
    let v = app.get(&path).etag;
    let r = app.call(
        "PATCH",
        &bpath,
        &[("If-Match", &v)],
        r#"{"doorgevoerd":true}"#,
    );
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("bijsturing-doorgevoerd"))
    );

    // close: samenvatting without closing is refused; closing cannot be undone
    let r = app.call(
        "PATCH",
        &path,
        &[("If-Match", &v)],
        r#"{"samenvatting":"x"}"#,
    );
    assert_eq!(r.status, 400);
    let r = app.call(
        "PATCH",
        &path,
        &[("If-Match", &v)],
        r#"{"status":"gesloten","geslotenDatum":"2024-06-01"}"#,
    );
    assert_eq!(
        (r.status, r.body["invalidParams"][0]["name"].as_str()),
        (400, Some("body.geslotenDatum"))
    );
    let r = app.call(
        "PATCH",
        &path,
        &[("If-Match", &v)],
        r#"{"status":"gesloten","geslotenDatum":"2024-07-02","samenvatting":"Trekker gewisseld"}"#,
    );
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (200, Some("gesloten")),
        "{}",
        r.body
    );
    assert_eq!(r.body["samenvatting"], "Trekker gewisseld");
    let r = app.call(
        "PATCH",
        &path,
        &[("If-Match", &r.etag)],
        r#"{"status":"open"}"#,
    );
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (409, Some("checkmoment-gesloten"))
    );

    // list of bijsturingen; unknown ids are 404
    assert_eq!(app.get(&format!("{path}/bijsturingen")).body["totaal"], 1);
    let missing = uuid::Uuid::now_v7();
    assert_eq!(
        app.call("GET", &format!("/checkmomenten/{missing}"), &[], "")
            .status,
        404
    );
    assert_eq!(
        app.call("GET", &format!("{path}/bijsturingen/{missing}"), &[], "")
            .status,
        404
    );
    app.stop();
}

#[test]
fn agenda_wide_checkmoment() {
    let (app, _dir) = app();
    let agenda = app.agenda_id();
    let body = json!({"datum": "2024-12-01", "onderwerp": "Jaarevaluatie"}).to_string();
    let key = [("Idempotency-Key", "jaar-2024")];
    let r = app.call(
        "POST",
        &format!("/agendas/{agenda}/checkmomenten"),
        &key,
        &body,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        (r.body["niveau"].as_str(), r.body["opgaveId"].as_str()),
        (Some("agenda"), None)
    );
    // a retry with the same key answers with the same checkmoment and appends nothing
    let head = app.head();
    let again = app.call(
        "POST",
        &format!("/agendas/{agenda}/checkmomenten"),
        &key,
        &body,
    );
    assert_eq!((again.status, &again.body["id"]), (201, &r.body["id"]));
    assert_eq!(app.head(), head);
    let cm = r.body["id"].as_str().unwrap().to_owned();

    // a bijsturing of this agenda cannot be carried out in another agenda
    let besluit =
        json!({"besluit": "Meer samenwerking", "onderbouwing": "Evaluatie", "datum": "2024-12-01"});
    let bs = app.call(
        "POST",
        &format!("/checkmomenten/{cm}/bijsturingen"),
        &[],
        &besluit.to_string(),
    );
    let bs = bs.body["id"].as_str().unwrap().to_owned();
    let other = json!({"naam": "Andere agenda", "gemeenten": ["Elders"], "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31"});
    let other = app.call("POST", "/agendas", &[], &other.to_string()).body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let head = app.head();
    let r = app.call(
        "POST",
        &format!("/agendas/{other}/checkmomenten"),
        &[("X-Bijsturing-Id", &bs)],
        &json!({"datum": "2025-03-01", "onderwerp": "Start"}).to_string(),
    );
    assert_eq!(
        (r.status, r.body["invalidParams"][0]["code"].as_str()),
        (400, Some("unknown-bijsturing")),
        "{}",
        r.body
    );
    assert!(r.body["detail"].as_str().unwrap().contains("andere agenda"));
    assert_eq!(app.head(), head);
    assert_eq!(
        app.get(&format!("/agendas/{agenda}/checkmomenten")).body["totaal"],
        1
    );
    let opgave = app.opgave_id(&agenda, "1.1");
    assert_eq!(
        app.get(&format!("/opgaven/{opgave}/checkmomenten")).body["totaal"],
        0
    );
    let missing = uuid::Uuid::now_v7();
    let r = app.call(
        "POST",
        &format!("/agendas/{missing}/checkmomenten"),
        &[],
        &body,
    );
    assert_eq!(r.status, 404);
    app.stop();
}
