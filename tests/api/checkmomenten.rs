//! Checkmomenten and bijsturingen over HTTP, and the `X-Bijsturing-Id`
//! header every write accepts.

use serde_json::json;

use crate::client::{start, Running};

fn app() -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (start(dir.path().to_path_buf()), dir)
}

fn organisatie(app: &Running, naam: &str) -> String {
    let list = app.als_pm().get("/organisaties?pageSize=500").body;
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
    let r = app.als_pm().call(
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
    let list = app
        .als_pm()
        .get(&format!("/opgaven/{opgave}/checkmomenten"))
        .body;
    assert_eq!(list["totaal"], 1);
    let list = app
        .als_pm()
        .get(&format!("/agendas/{agenda}/checkmomenten?status=gesloten"))
        .body;
    assert_eq!(list["totaal"], 0);
    assert_eq!(
        app.als_pm()
            .get(&format!("/agendas/{agenda}/checkmomenten?status=open"))
            .body["totaal"],
        1
    );
    let r = app.als_pm().call(
        "GET",
        &format!("/agendas/{agenda}/checkmomenten?status=dicht"),
        &[],
        "",
    );
    assert_eq!(
        (r.status, r.body["invalidParams"][0]["name"].as_str()),
        (400, Some("query.status"))
    );

    // bad input: every problem of the body's shape at once, nothing appended
    let head = app.head();
    let names = |r: &crate::client::Resp| -> Vec<String> {
        let mut names: Vec<String> = r.body["invalidParams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    let bad = json!({"datum": "2023-06-15", "deelnemers": ["nope", uuid::Uuid::now_v7()], "x": 1});
    let r = app.als_pm().call(
        "POST",
        &format!("/opgaven/{opgave}/checkmomenten"),
        &[],
        &bad.to_string(),
    );
    assert_eq!(r.status, 400);
    assert!(r.content_type.starts_with("application/problem+json"));
    assert_eq!(
        names(&r),
        ["body.deelnemers[0]", "body.onderwerp", "body.x"]
    );
    // a well-formed body: every rule of the domain at once (period, organisaties)
    let bad = json!({"datum": "2023-06-15", "onderwerp": "Te vroeg", "deelnemers": [gemeente, uuid::Uuid::now_v7()]});
    let r = app.als_pm().call(
        "POST",
        &format!("/opgaven/{opgave}/checkmomenten"),
        &[],
        &bad.to_string(),
    );
    assert_eq!(r.status, 400);
    assert_eq!(names(&r), ["body.datum", "body.deelnemers[1]"]);
    assert!(r.body["invalidParams"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("buiten de periode van de agenda"));
    assert_eq!(app.head(), head);

    // PATCH: If-Match required, then change deelnemers and datum
    let path = format!("/checkmomenten/{cm}");
    let change = json!({"deelnemers": [gemeente, bieb], "datum": "2024-06-20"}).to_string();
    assert_eq!(app.als_pm().call("PATCH", &path, &[], &change).status, 428);
    assert_eq!(
        app.als_pm()
            .call("PATCH", &path, &[("If-Match", "\"7\"")], &change)
            .status,
        412
    );
    let r = app
        .als_pm()
        .call("PATCH", &path, &[("If-Match", "\"1\"")], &change);
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
        .als_pm()
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
    let r = app.als_pm().call(
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
    let again = app.als_pm().call(
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
    let r = app.als_pm().call(
        "POST",
        &format!("{path}/bijsturingen"),
        &[],
        &bad.to_string(),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        names(&r),
        [
            "body.besluit",
            "body.onderbouwing",
            "body.voorgenomenWijzigingen[0].soort"
        ],
        "{}",
        r.body
    );
    // well-formed, but naming something that is not in this agenda
    let bad = json!({"besluit": "b", "onderbouwing": "o", "voorgenomenWijzigingen": [{"soort": "overig", "omschrijving": "x", "onderwerpId": uuid::Uuid::now_v7()}]});
    let r = app.als_pm().call(
        "POST",
        &format!("{path}/bijsturingen"),
        &[],
        &bad.to_string(),
    );
    assert_eq!(
        (r.status, names(&r)),
        (
            400,
            vec!["body.voorgenomenWijzigingen[0].onderwerpId".to_owned()]
        )
    );
    assert_eq!(r.body["invalidParams"][0]["code"], "unknown-onderwerp");
    assert_eq!(app.head(), head);

    // X-Bijsturing-Id: malformed and unknown are 400, nothing appended
    let tpath = format!("/acties/{actie}/trekker");
    let trekker = json!({"soort": "organisatie", "organisatieId": bieb}).to_string();
    let version = app.als_pm().get(&format!("/acties/{actie}")).body["versie"].to_string();
    let if_match = format!("\"{version}\"");
    let r = app.als_pm().call(
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
    let r = app.als_pm().call(
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
    let r = app.als_pm().call(
        "PUT",
        &tpath,
        &[("If-Match", &if_match), ("X-Bijsturing-Id", &bs)],
        &trekker,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let b = app.als_pm().get(&format!("{path}/bijsturingen/{bs}")).body;
    assert_eq!(b["uitvoeringen"][0]["type"], "TrekkerGewijzigd");
    assert_eq!(
        b["uitvoeringen"][0]["streamId"].as_str(),
        Some(actie.as_str())
    );

    // mark doorgevoerd: If-Match required (checkmoment version), false refused
    let bpath = format!("{path}/bijsturingen/{bs}");
    let v = app.als_pm().get(&path).etag;
    assert_eq!(
        app.als_pm()
            .call("PATCH", &bpath, &[], r#"{"doorgevoerd":true}"#)
            .status,
        428
    );
    assert_eq!(
        app.als_pm()
            .call(
                "PATCH",
                &bpath,
                &[("If-Match", &v)],
                r#"{"doorgevoerd":false}"#
            )
            .status,
        400
    );
    let r = app.als_pm().call(
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
    let v = app.als_pm().get(&path).etag;
    let r = app.als_pm().call(
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
    let r = app.als_pm().call(
        "PATCH",
        &path,
        &[("If-Match", &v)],
        r#"{"samenvatting":"x"}"#,
    );
    assert_eq!(r.status, 400);
    let r = app.als_pm().call(
        "PATCH",
        &path,
        &[("If-Match", &v)],
        r#"{"status":"gesloten","geslotenDatum":"2024-06-01"}"#,
    );
    assert_eq!(
        (r.status, r.body["invalidParams"][0]["name"].as_str()),
        (400, Some("body.geslotenDatum"))
    );
    let r = app.als_pm().call(
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
    let r = app.als_pm().call(
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
    assert_eq!(
        app.als_pm().get(&format!("{path}/bijsturingen")).body["totaal"],
        1
    );
    let missing = uuid::Uuid::now_v7();
    assert_eq!(
        app.als_pm()
            .call("GET", &format!("/checkmomenten/{missing}"), &[], "")
            .status,
        404
    );
    assert_eq!(
        app.als_pm()
            .call("GET", &format!("{path}/bijsturingen/{missing}"), &[], "")
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
    let r = app.als_pm().call(
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
    let again = app.als_pm().call(
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
    let bs = app.als_pm().call(
        "POST",
        &format!("/checkmomenten/{cm}/bijsturingen"),
        &[],
        &besluit.to_string(),
    );
    let bs = bs.body["id"].as_str().unwrap().to_owned();
    let other = json!({"naam": "Andere agenda", "gemeenten": ["Elders"], "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31"});
    let other = app
        .als_beheerder()
        .call("POST", "/agendas", &[], &other.to_string())
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // the first pm token does not list the new agenda: one that lists every agenda
    let pm = app.pm_token_for_every_agenda();
    let head = app.head();
    let r = app.als(&pm).call(
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
        app.als(&pm)
            .get(&format!("/agendas/{agenda}/checkmomenten"))
            .body["totaal"],
        1
    );
    let opgave = app.opgave_id(&agenda, "1.1");
    assert_eq!(
        app.als(&pm)
            .get(&format!("/opgaven/{opgave}/checkmomenten"))
            .body["totaal"],
        0
    );
    let missing = uuid::Uuid::now_v7();
    let r = app.als(&pm).call(
        "POST",
        &format!("/agendas/{missing}/checkmomenten"),
        &[],
        &body,
    );
    assert_eq!(r.status, 404);
    app.stop();
}

#[test]
fn checkmoment_bodies_are_their_schemas_and_a_change_is_a_merge_patch() {
    let (app, _dir) = app();
    let agenda = app.agenda_id();
    let gemeente = organisatie(&app, "Gemeente Twenterand");
    let r = app.als_pm().call(
        "POST",
        &format!("/agendas/{agenda}/checkmomenten"),
        &[],
        &json!({"datum": "2024-06-15", "onderwerp": "Halfjaar", "deelnemers": [gemeente]})
            .to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let path = format!("/checkmomenten/{}", r.body["id"].as_str().unwrap());

    // several wrong fields at once, each named
    let head = app.head();
    let r = app.als_pm().call(
        "PATCH",
        &path,
        &[("If-Match", "\"1\"")],
        r#"{"status":"dicht","datum":"15-06-2024","onderwerp":" ","deelnemers":"gemeente"}"#,
    );
    let mut names: Vec<&str> = r.body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        (r.status, names),
        (
            400,
            vec![
                "body.datum",
                "body.deelnemers",
                "body.onderwerp",
                "body.status"
            ]
        )
    );
    // no field of a checkmoment can be emptied: null is refused, naming it
    for field in ["datum", "onderwerp", "deelnemers", "status"] {
        let r = app.als_pm().call(
            "PATCH",
            &path,
            &[("If-Match", "\"1\"")],
            &json!({ field: null }).to_string(),
        );
        assert_eq!(
            (r.status, r.body["invalidParams"][0]["name"].as_str()),
            (400, Some(format!("body.{field}").as_str()))
        );
    }
    assert_eq!(app.head(), head);

    // merge-patch: only what is given changes; an empty list empties deelnemers
    let merge = [
        ("If-Match", "\"1\""),
        ("Content-Type", "application/merge-patch+json"),
    ];
    let r = app.als_pm().call(
        "PATCH",
        &path,
        &merge,
        r#"{"onderwerp":"Halfjaarcheck","deelnemers":[]}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let back = app.als_pm().get(&path).body;
    assert_eq!(
        (back["onderwerp"].as_str(), back["datum"].as_str()),
        (Some("Halfjaarcheck"), Some("2024-06-15"))
    );
    assert_eq!(back["deelnemers"], json!([]));

    // a bijsturing cannot be un-doorgevoerd: null and false refused by the schema
    let r = app.als_pm().call(
        "POST",
        &format!("{path}/bijsturingen"),
        &[],
        r#"{"besluit":"Meer samenwerking","onderbouwing":"Evaluatie"}"#,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    // the date defaults to today, or the checkmoment's date when that is later
    let today = chrono::Utc::now()
        .date_naive()
        .max(chrono::NaiveDate::from_ymd_opt(2024, 6, 15).unwrap());
    assert_eq!(r.body["datum"], today.to_string());
    let bpath = format!("{path}/bijsturingen/{}", r.body["id"].as_str().unwrap());
    let etag = app.als_pm().get(&path).etag;
    for body in [
        r#"{"doorgevoerd":null}"#,
        r#"{"doorgevoerd":false}"#,
        r#"{}"#,
    ] {
        let r = app
            .als_pm()
            .call("PATCH", &bpath, &[("If-Match", &etag)], body);
        assert_eq!(
            (r.status, r.body["invalidParams"][0]["name"].as_str()),
            (400, Some("body.doorgevoerd")),
            "{body}"
        );
    }
    app.stop();
}
