//! Restart keeps everything: writes of every kind on a sled directory, the
//! JSON of several reads captured, the app stopped and reopened on the same
//! directory, and the same reads compared.

use serde_json::{json, Value};

use crate::client::{reopen, start, Caller, Resp, Running};

fn ok(r: Resp, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", r.body);
    r.body
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// PATCH/PUT with the resource's current ETag, both by `caller`.
fn change(caller: Caller, method: &str, resource: &str, path: &str, body: Value) -> Value {
    let etag = caller.get(resource).etag;
    ok(
        caller.call(method, path, &[("If-Match", &etag)], &body.to_string()),
        200,
    )
}

fn post(caller: Caller, path: &str, body: Value) -> Value {
    ok(caller.call("POST", path, &[], &body.to_string()), 201)
}

/// Writes of every kind; the paths to read back, and a programmamanager
/// token for both agendas (the demo agenda and the one made here).
fn writes(app: &Running) -> (Vec<String>, String) {
    let demo = app.agenda_id();
    let beheerder = app.als_beheerder();
    let org = id(&post(
        beheerder,
        "/organisaties",
        json!({"naam": "Stichting Testwerk", "soort": "welzijn"}),
    ));
    change(
        beheerder,
        "PATCH",
        &format!("/organisaties/{org}"),
        &format!("/organisaties/{org}"),
        json!({"contactadres": "info@testwerk.nl"}),
    );
    change(
        app.als_pm(),
        "PATCH",
        &format!("/agendas/{demo}"),
        &format!("/agendas/{demo}"),
        json!({"signaleringstermijnDagen": 60}),
    );
    let ag = id(&post(
        beheerder,
        "/agendas",
        json!({
            "naam": "Zorgagenda Testdorp", "gemeenten": ["Testdorp"],
            "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31",
            "groeperingsniveaus": [{"enkelvoud": "maatschappelijk effect", "meervoud": "maatschappelijke effecten"}]
        }),
    ));
    // the first pm token does not list the new agenda: one that lists both
    let token = app.pm_token_for_every_agenda();
    let app = app.als(&token);
    let g = id(&post(
        app,
        &format!("/agendas/{ag}/groeperingen"),
        json!({"naam": "Iedereen doet mee", "code": "1"}),
    ));
    change(
        app,
        "PATCH",
        &format!("/groeperingen/{g}"),
        &format!("/groeperingen/{g}"),
        json!({"omschrijving": "Niemand aan de kant"}),
    );
    let op = id(&post(
        app,
        &format!("/agendas/{ag}/opgaven"),
        json!({"code": "1.1", "titel": "Armoede", "groeperingId": g}),
    ));
    change(
        app,
        "PATCH",
        &format!("/opgaven/{op}"),
        &format!("/opgaven/{op}"),
        json!({"titel": "Armoede bestrijden"}),
    );
    let doel = id(&post(
        app,
        &format!("/opgaven/{op}/doelen"),
        json!({"code": "1.1.1", "titel": "Minder schulden"}),
    ));
    change(
        app,
        "PATCH",
        &format!("/doelen/{doel}"),
        &format!("/doelen/{doel}"),
        json!({"omschrijving": "Vroeg erbij zijn"}),
    );
    let actie = id(&post(
        app,
        &format!("/doelen/{doel}/acties"),
        json!({
            "omschrijving": "Schuldhulp", "trekker": {"soort": "organisatie", "organisatieId": org}
        }),
    ));
    let a = format!("/acties/{actie}");
    change(
        app,
        "PATCH",
        &a,
        &a,
        json!({"omschrijving": "Schuldhulp aan huis", "geplandeStartDatum": "2025-02-01"}),
    );
    post(
        app,
        &format!("{a}/statuswijzigingen"),
        json!({"status": "lopend", "ingangsDatum": "2025-02-01"}),
    );
    change(
        app,
        "PUT",
        &a,
        &format!("{a}/trekker"),
        json!({"soort": "groep", "naam": "Werkgroep Schulden"}),
    );
    let bericht = id(&post(
        app,
        &format!("{a}/voortgangsberichten"),
        json!({"tekst": "Gestart", "datum": "2025-02-10"}),
    ));
    change(
        app,
        "PATCH",
        &a,
        &format!("{a}/voortgangsberichten/{bericht}"),
        json!({"tekst": "Gestart met 5 gezinnen"}),
    );
    let actie2 = id(&post(
        app,
        &format!("/opgaven/{op}/acties"),
        json!({"omschrijving": "Voorlichting op scholen"}),
    ));

    let cm = id(&post(
        app,
        &format!("/opgaven/{op}/checkmomenten"),
        json!({"datum": "2025-06-01", "onderwerp": "Halfjaar"}),
    ));
    let c = format!("/checkmomenten/{cm}");
    change(app, "PATCH", &c, &c, json!({"deelnemers": [org]}));
    let bs = id(&post(
        app,
        &format!("{c}/bijsturingen"),
        json!({
            "besluit": "Voorlichting laten vervallen", "onderbouwing": "Geen animo", "datum": "2025-06-01",
            "voorgenomenWijzigingen": [{"soort": "actieLatenVervallen", "omschrijving": "Weg", "onderwerpId": actie2}]
        }),
    ));
    let r = app.call("POST", &format!("/acties/{actie2}/statuswijzigingen"), &[("X-Bijsturing-Id", &bs)],
        &json!({"status": "vervallen", "reden": "Bijsturing halfjaar", "ingangsDatum": "2025-06-02"}).to_string());
    ok(r, 201);
    change(
        app,
        "PATCH",
        &c,
        &format!("{c}/bijsturingen/{bs}"),
        json!({"doorgevoerd": true, "doorgevoerdDatum": "2025-06-03"}),
    );
    change(
        app,
        "PATCH",
        &c,
        &c,
        json!({"status": "gesloten", "geslotenDatum": "2025-06-04", "samenvatting": "Bijgestuurd"}),
    );
    let demo_cm = id(&post(
        app,
        &format!("/agendas/{demo}/checkmomenten"),
        json!({"datum": "2024-11-01", "onderwerp": "Najaar"}),
    ));
    let demo_actie = app.get(&format!("/agendas/{demo}/acties?opgave=1.1")).body["resultaten"][0]
        ["id"]
        .as_str()
        .unwrap()
        .to_owned();
    post(
        app,
        &format!("/acties/{demo_actie}/statuswijzigingen"),
        json!({"status": "afgerond", "ingangsDatum": "2024-10-01"}),
    );

    let reads = vec![
        "/agendas".into(),
        format!("/agendas/{demo}/overzicht"),
        format!("/agendas/{ag}/overzicht"),
        format!("/opgaven/{op}/pdca"),
        format!("/agendas/{demo}/acties?pageSize=500"),
        format!("/agendas/{ag}/acties"),
        format!("/agendas/{ag}/checkmomenten"),
        format!("/agendas/{ag}/groeperingen"),
        c.clone(),
        format!("{c}/bijsturingen/{bs}"),
        format!("/checkmomenten/{demo_cm}"),
        "/organisaties?pageSize=500".into(),
        format!("/organisaties/{org}"),
        format!("/opgaven/{op}"),
        format!("/doelen/{doel}"),
        a.clone(),
        format!("{a}/voortgangsberichten"),
        format!("{a}/statuswijzigingen"),
    ];
    (reads, token)
}

/// The JSON and ETag of a read, without the instant a derived view was computed at.
fn capture(caller: Caller, path: &str) -> (String, Value) {
    let r = caller.get(path);
    let mut body = r.body;
    if let Some(o) = body.as_object_mut() {
        o.remove("peilTijdstip");
    }
    (r.etag, body)
}

#[test]
fn restart_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path().to_path_buf());
    let (reads, pm) = writes(&app);
    let head = app.head();
    let before: Vec<_> = reads.iter().map(|p| capture(app.als(&pm), p)).collect();
    assert_eq!(before[3].1["fase"], "do");
    assert_eq!(before[1].1["totalen"]["fasen"]["check"], 18);
    let (first_pm, first_beheerder) = (app.pm.clone(), app.beheerder.clone());
    app.stop();

    // the tokens issued before the restart are in the log
    let app = reopen(dir.path().to_path_buf(), &first_pm, &first_beheerder);
    assert_eq!(app.head(), head);
    for (path, expected) in reads.iter().zip(&before) {
        assert_eq!(
            &capture(app.als(&pm), path),
            expected,
            "GET {path} differs after restart"
        );
    }
    app.stop();
}
