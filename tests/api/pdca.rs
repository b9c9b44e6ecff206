//! The PDCA state over HTTP: one opgave moving Plan → Do → Check → Act → Do
//! through API calls only, an agenda-wide checkmoment, and the demo
//! agenda's overzicht.

use serde_json::{json, Value};

use crate::client::{start, Running};

fn app() -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (start(dir.path().to_path_buf()), dir)
}

fn pdca(app: &Running, opgave: &str) -> Value {
    let r = app.als_pm().get(&format!("/opgaven/{opgave}/pdca"));
    assert_eq!(
        r.etag,
        format!("W/\"{}\"", app.head()),
        "weak ETag with the position"
    );
    r.body
}

fn redenen(p: &Value) -> Vec<String> {
    p["redenen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect()
}

fn has(p: &Value, text: &str) -> bool {
    redenen(p).iter().any(|r| r.contains(text))
}

#[test]
fn opgave_moves_plan_do_check_act_do() {
    let (app, _dir) = app();
    let agenda = app.agenda_id();
    // 2.1 has three acties directly under it, none with a trekker
    let opgave = app.opgave_id(&agenda, "2.1");
    let acties: Vec<String> = app
        .als_pm()
        .get(&format!("/agendas/{agenda}/acties?opgave=2.1"))
        .body["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(acties.len(), 3);

    // Plan
    let p = pdca(&app, &opgave);
    assert_eq!(
        (p["fase"].as_str(), p["opgaveCode"].as_str()),
        (Some("plan"), Some("2.1"))
    );
    assert_eq!(redenen(&p)[0], "Nog geen actie is gestart.");
    assert!(
        has(
            &p,
            "3 acties zonder trekker: 2.1-1 (Storytelling implementeren.); 2.1-2 ("
        ),
        "{p}"
    );
    assert!(has(&p, "nog geen reflectie"));
    assert_eq!(p["actiesPerStatus"]["gepland"], 3);
    assert_eq!(p["actiesZonderTrekker"].as_array().unwrap().len(), 3);

    // Do: an actie starts
    let r = app.als_pm().call(
        "POST",
        &format!("/acties/{}/statuswijzigingen", acties[0]),
        &[],
        r#"{"status":"lopend","ingangsDatum":"2024-02-01"}"#,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let p = pdca(&app, &opgave);
    assert_eq!(p["fase"], "do");
    assert!(redenen(&p)[0].starts_with("Er is uitvoering gestart"));
    assert_eq!(
        (
            p["actiesPerStatus"]["lopend"].as_u64(),
            p["actiesPerStatus"]["gepland"].as_u64()
        ),
        (Some(1), Some(2))
    );

    // Check: a checkmoment on the opgave opens
    let body = json!({"datum": "2024-06-01", "onderwerp": "Voortgang 2.1"}).to_string();
    let r = app.als_pm().call(
        "POST",
        &format!("/opgaven/{opgave}/checkmomenten"),
        &[],
        &body,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let cm = r.body["id"].as_str().unwrap().to_owned();
    let p = pdca(&app, &opgave);
    assert_eq!(p["fase"], "check");
    assert_eq!(
        redenen(&p)[0],
        "Checkmoment 'Voortgang 2.1' van 2024-06-01 staat open."
    );
    assert_eq!(
        (
            p["openCheckmomentId"].as_str(),
            p["laatsteCheckmomentDatum"].as_str()
        ),
        (Some(cm.as_str()), Some("2024-06-01"))
    );

    // a bijsturing is decided: still Check while the checkmoment is open
    let bieb = app.als_pm().get("/organisaties?pageSize=500").body["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["naam"] == "Bibliotheek Twenterand")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let besluit = json!({
        "besluit": "Trekkers invullen",
        "onderbouwing": "Zonder trekker gebeurt er niets.",
        "datum": "2024-06-01",
        "voorgenomenWijzigingen": [
            {"soort": "trekkerWijzigen", "omschrijving": "Bibliotheek trekt IkBINDR", "onderwerpId": acties[1]},
            {"soort": "actieToevoegen", "omschrijving": "Leesclub voor werkzoekenden", "onderwerpId": opgave}
        ]
    });
    let r = app.als_pm().call(
        "POST",
        &format!("/checkmomenten/{cm}/bijsturingen"),
        &[],
        &besluit.to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let bs = r.body["id"].as_str().unwrap().to_owned();
    let p = pdca(&app, &opgave);
    assert_eq!(p["fase"], "check");
    assert!(
        has(&p, "1 bijsturing nog niet doorgevoerd: 'Trekkers invullen'"),
        "{p}"
    );

    // Act: the checkmoment closes with the bijsturing still to do
    let etag = app.als_pm().get(&format!("/checkmomenten/{cm}")).etag;
    let r = app.als_pm().call(
        "PATCH",
        &format!("/checkmomenten/{cm}"),
        &[("If-Match", &etag)],
        r#"{"status":"gesloten","geslotenDatum":"2024-06-02"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let p = pdca(&app, &opgave);
    assert_eq!(p["fase"], "act");
    assert_eq!(
        redenen(&p)[0],
        "Bijsturing van 2024-06-01 ('Trekkers invullen') is nog niet doorgevoerd."
    );
    assert_eq!(
        p["openBijsturingen"][0]["bijsturingId"].as_str(),
        Some(bs.as_str())
    );

    // its changes, carrying the bijsturing: a trekker and a new actie
    let v = app.als_pm().get(&format!("/acties/{}", acties[1])).etag;
    let trekker = json!({"soort": "organisatie", "organisatieId": bieb}).to_string();
    let r = app.als_pm().call(
        "PUT",
        &format!("/acties/{}/trekker", acties[1]),
        &[("If-Match", &v), ("X-Bijsturing-Id", &bs)],
        &trekker,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let nieuw = json!({"omschrijving": "Leesclub voor werkzoekenden", "trekker": {"soort": "organisatie", "organisatieId": bieb}}).to_string();
    let r = app.als_pm().call(
        "POST",
        &format!("/opgaven/{opgave}/acties"),
        &[("X-Bijsturing-Id", &bs)],
        &nieuw,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let p = pdca(&app, &opgave);
    assert_eq!(p["fase"], "act", "still Act until marked doorgevoerd");
    assert!(
        has(
            &p,
            "2 acties zonder trekker: 2.1-1 (Storytelling implementeren.); 2.1-3 (De Sociale"
        ),
        "{p}"
    );
    assert_eq!(p["aantalActies"], 4);
    let b = app
        .als_pm()
        .get(&format!("/checkmomenten/{cm}/bijsturingen/{bs}"))
        .body;
    let types: Vec<&str> = b["uitvoeringen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["TrekkerGewijzigd", "ActieAangemaakt"]);

    // Do again once the bijsturing is doorgevoerd
    let etag = app.als_pm().get(&format!("/checkmomenten/{cm}")).etag;
    let r = app.als_pm().call(
        "PATCH",
        &format!("/checkmomenten/{cm}/bijsturingen/{bs}"),
        &[("If-Match", &etag)],
        r#"{"doorgevoerd":true,"doorgevoerdDatum":"2024-06-10"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let p = pdca(&app, &opgave);
    assert_eq!(p["fase"], "do");
    assert!(p["openBijsturingen"].as_array().unwrap().is_empty());
    assert!(redenen(&p)[0].starts_with("Er is uitvoering gestart"));
    app.stop();
}

#[test]
fn agenda_wide_checkmoment_puts_every_opgave_in_check() {
    let (app, _dir) = app();
    let agenda = app.agenda_id();
    let body = json!({"datum": "2024-12-01", "onderwerp": "Jaarevaluatie"}).to_string();
    let r = app.als_pm().call(
        "POST",
        &format!("/agendas/{agenda}/checkmomenten"),
        &[],
        &body,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let cm = r.body["id"].as_str().unwrap().to_owned();
    let o = app
        .als_pm()
        .get(&format!("/agendas/{agenda}/overzicht"))
        .body;
    assert_eq!(
        (
            o["totalen"]["opgaven"].as_u64(),
            o["totalen"]["fasen"]["check"].as_u64()
        ),
        (Some(18), Some(18))
    );
    let opgave = app.opgave_id(&agenda, "1.1");
    let p = pdca(&app, &opgave);
    assert_eq!(
        redenen(&p)[0],
        "Checkmoment 'Jaarevaluatie' van 2024-12-01 over de hele agenda staat open."
    );

    // a bijsturing of the agenda-wide check that names one actie puts only its opgave in Act
    let actie = app
        .als_pm()
        .get(&format!("/agendas/{agenda}/acties?opgave=1.1"))
        .body["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let besluit = json!({"besluit": "Actie 1.1 bijstellen", "onderbouwing": "Te breed.", "datum": "2024-12-01",
        "voorgenomenWijzigingen": [{"soort": "actieWijzigen", "omschrijving": "Smaller", "onderwerpId": actie}]});
    let r = app.als_pm().call(
        "POST",
        &format!("/checkmomenten/{cm}/bijsturingen"),
        &[],
        &besluit.to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let etag = app.als_pm().get(&format!("/checkmomenten/{cm}")).etag;
    let r = app.als_pm().call(
        "PATCH",
        &format!("/checkmomenten/{cm}"),
        &[("If-Match", &etag)],
        r#"{"status":"gesloten","geslotenDatum":"2024-12-02"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let o = app
        .als_pm()
        .get(&format!("/agendas/{agenda}/overzicht"))
        .body;
    assert_eq!(
        (
            o["totalen"]["fasen"]["act"].as_u64(),
            o["totalen"]["fasen"]["plan"].as_u64()
        ),
        (Some(1), Some(17))
    );
    assert_eq!(pdca(&app, &opgave)["fase"], "act");
    app.stop();
}

#[test]
fn demo_overzicht_has_18_opgaven_and_the_documents_counts() {
    let (app, _dir) = app();
    let agenda = app.agenda_id();
    let r = app.als_pm().get(&format!("/agendas/{agenda}/overzicht"));
    assert_eq!(r.etag, format!("W/\"{}\"", app.head()));
    let o = r.body;
    let t = &o["totalen"];
    assert_eq!(t["opgaven"], 18);
    assert_eq!(t["acties"], 79);
    assert_eq!(
        (
            t["actiesPerStatus"]["gepland"].as_u64(),
            t["actiesPerStatus"]["lopend"].as_u64()
        ),
        (Some(79), Some(0))
    );
    assert_eq!(t["actiesZonderTrekker"], 28);
    assert_eq!(t["actiesZonderUpdate"], 0);
    assert_eq!(t["fasen"]["plan"], 18);
    assert_eq!(o["groeperingsniveau"]["meervoud"], "themalijnen");
    let groepen = o["groepen"].as_array().unwrap();
    let summary: Vec<(String, String, usize)> = groepen
        .iter()
        .map(|g| {
            (
                g["code"].as_str().unwrap().to_owned(),
                g["niveauNaam"].as_str().unwrap().to_owned(),
                g["opgaven"].as_array().unwrap().len(),
            )
        })
        .collect();
    let per_group: usize = summary.iter().map(|s| s.2).sum();
    assert_eq!(per_group, 18);
    assert_eq!(
        summary.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        ["1", "2", "3", "4"]
    );
    assert!(summary.iter().all(|s| s.1 == "themalijn"));
    assert_eq!(groepen[2]["naam"], "Lerende Twenterander");
    let prioritised = groepen
        .iter()
        .flat_map(|g| g["opgaven"].as_array().unwrap())
        .filter(|p| p["geprioriteerd"] == true)
        .count();
    assert_eq!(prioritised, 13);
    // the five non-prioritised opgaven have no acties
    let empty: Vec<&str> = groepen
        .iter()
        .flat_map(|g| g["opgaven"].as_array().unwrap())
        .filter(|p| p["aantalActies"] == 0)
        .map(|p| p["opgaveCode"].as_str().unwrap())
        .collect();
    assert_eq!(empty, ["2.2", "2.3", "2.4", "3.1", "3.3"]);
    let missing = uuid::Uuid::now_v7();
    assert_eq!(
        app.als_pm()
            .call("GET", &format!("/agendas/{missing}/overzicht"), &[], "")
            .status,
        404
    );
    assert_eq!(
        app.als_pm()
            .call("GET", &format!("/opgaven/{missing}/pdca"), &[], "")
            .status,
        404
    );
    app.stop();
}

#[test]
fn overzicht_of_an_ungrouped_agenda_has_one_group_without_groepering() {
    let (app, _dir) = app();
    let body = json!({"naam": "Ongegroepeerd", "gemeenten": ["Elders"], "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31"});
    let r = app
        .als_beheerder()
        .call("POST", "/agendas", &[], &body.to_string());
    assert_eq!(r.status, 201, "{}", r.body);
    let agenda = r.body["id"].as_str().unwrap().to_owned();
    // the first pm token does not list the new agenda: one that lists every agenda
    let pm = app.pm_token_for_every_agenda();
    for (code, titel) in [("2", "Wonen"), ("1", "Werk")] {
        let r = app.als(&pm).call(
            "POST",
            &format!("/agendas/{agenda}/opgaven"),
            &[],
            &json!({"code": code, "titel": titel}).to_string(),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let o = app
        .als(&pm)
        .get(&format!("/agendas/{agenda}/overzicht"))
        .body;
    assert!(o["groeperingsniveau"].is_null());
    let groepen = o["groepen"].as_array().unwrap();
    assert_eq!(groepen.len(), 1);
    assert!(groepen[0]["groeperingId"].is_null());
    let codes: Vec<&str> = groepen[0]["opgaven"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["opgaveCode"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["1", "2"]);
    assert_eq!(o["totalen"]["fasen"]["plan"], 2);
    app.stop();
}

/// Every opgave of the agenda: its PDCA state as `GET /opgaven/{id}/pdca`
/// answers it (rendered once, then served until a write changes it) and as
/// the overzicht computes it afresh on every request. Returns the states by
/// opgave id.
fn served_as_computed(app: &Running, agenda: &str) -> std::collections::HashMap<String, Value> {
    let o = app
        .als_pm()
        .get(&format!("/agendas/{agenda}/overzicht"))
        .body;
    let fresh: Vec<&Value> = o["groepen"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["opgaven"].as_array().unwrap())
        .collect();
    assert_eq!(fresh.len(), 18);
    fresh
        .into_iter()
        .map(|f| {
            let id = f["opgaveId"].as_str().unwrap().to_owned();
            let served = pdca(app, &id);
            assert_eq!(
                &served, f,
                "GET /opgaven/{id}/pdca differs from the overzicht"
            );
            (id, served)
        })
        .collect()
}

fn count(p: &Value, status: &str) -> u64 {
    p["actiesPerStatus"][status].as_u64().unwrap()
}

#[test]
fn pdca_reads_see_every_write_under_the_opgave_at_once() {
    let (app, _dir) = app();
    let agenda = app.agenda_id();
    let before = served_as_computed(&app, &agenda);
    // An actie under a doel, and that doel's opgave.
    let acties = app
        .als_pm()
        .get(&format!("/agendas/{agenda}/acties?pageSize=500"))
        .body;
    let actie = acties["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["doelId"].is_string())
        .unwrap()
        .clone();
    let (actie_id, doel, opgave) = (
        actie["id"].as_str().unwrap().to_owned(),
        actie["doelId"].as_str().unwrap().to_owned(),
        actie["opgaveId"].as_str().unwrap().to_owned(),
    );
    // Read twice: the second answer comes from what the first rendered.
    assert_eq!(pdca(&app, &opgave), before[&opgave]);

    // a status change of an actie under one of its doelen
    let r = app.als_pm().call(
        "POST",
        &format!("/acties/{actie_id}/statuswijzigingen"),
        &[],
        r#"{"status":"lopend","ingangsDatum":"2024-02-01"}"#,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let now = served_as_computed(&app, &agenda);
    assert_eq!(
        (
            count(&now[&opgave], "lopend"),
            now[&opgave]["fase"].as_str()
        ),
        (count(&before[&opgave], "lopend") + 1, Some("do"))
    );
    let changed: Vec<&String> = now.keys().filter(|id| now[*id] != before[*id]).collect();
    assert_eq!(changed, [&opgave], "no other opgave changed");

    // an indicator on the doel, then a meting
    let jaar = now[&opgave]["peiljaar"].as_i64().unwrap();
    let r = app.als_pm().call(
        "POST",
        &format!("/doelen/{doel}/indicatoren"),
        &[],
        &json!({"naam": "Bereik", "eenheid": "%", "richting": "hogerIsBeter",
            "streefwaarden": [{"jaar": jaar, "waarde": 50}]})
        .to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let indicator = r.body["id"].as_str().unwrap().to_owned();
    let now = served_as_computed(&app, &agenda);
    assert!(has(
        &now[&opgave],
        &format!("Indicator 'Bereik' heeft nog geen meting voor {jaar}.")
    ));
    let r = app.als_pm().call(
        "POST",
        &format!("/indicatoren/{indicator}/metingen"),
        &[],
        &json!({"periode": jaar.to_string(), "waarde": 40, "status": "definitief"}).to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let now = served_as_computed(&app, &agenda);
    let i = &now[&opgave]["indicatoren"][0];
    assert_eq!(
        (i["waarde"].as_f64(), i["koers"].as_str()),
        (Some(40.0), Some("nietOpKoers"))
    );

    // a reflectie about the actie
    assert!(has(&now[&opgave], "nog geen reflectie"));
    let r = app.als_pm().call(
        "POST",
        "/reflecties",
        &[],
        &json!({"over": actie_id, "datum": "2024-06-01", "watGingGoed": "Opkomst"}).to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let now = served_as_computed(&app, &agenda);
    assert_eq!(now[&opgave]["laatsteReflectieDatum"], "2024-06-01");

    // the doel moves to another opgave: its acties (and indicator) go along
    let other = now
        .iter()
        .find(|(id, p)| **id != opgave && p["aantalActies"] == 0)
        .map(|(id, p)| (id.clone(), p["opgaveCode"].as_str().unwrap().to_owned()))
        .unwrap();
    let under_doel = app
        .als_pm()
        .get(&format!("/doelen/{doel}/acties?pageSize=500"))
        .body["totaal"]
        .as_u64()
        .unwrap();
    let etag = app.als_pm().get(&format!("/doelen/{doel}")).etag;
    let r = app.als_pm().call(
        "PATCH",
        &format!("/doelen/{doel}"),
        &[("If-Match", &etag)],
        &json!({"opgaveId": other.0, "code": format!("{}.9", other.1)}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let moved = served_as_computed(&app, &agenda);
    let acties = |m: &std::collections::HashMap<String, Value>, o: &str| {
        m[o]["aantalActies"].as_u64().unwrap()
    };
    assert!(under_doel > 0 && acties(&moved, &other.0) >= under_doel);
    assert_eq!(
        acties(&moved, &opgave) + acties(&moved, &other.0),
        acties(&now, &opgave),
        "the acties moved with the doel"
    );
    assert_eq!(moved[&other.0]["indicatoren"][0]["naam"], "Bereik");
    assert_eq!(moved[&other.0]["laatsteReflectieDatum"], "2024-06-01");
    app.stop();
}
