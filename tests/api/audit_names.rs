//! Who did it, in words: the audittrail names the actor's organisatie and
//! token, and what references pointed to (as they were then); /wijzigingen
//! lists renumbers, moves and bijsturingen.

use serde_json::{json, Value};

use crate::support::*;

fn org_id(app: &TestApp, naam: &str) -> String {
    let (_, list) = app.als_pm().get("/organisaties?pageSize=500");
    list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["naam"] == naam)
        .unwrap_or_else(|| panic!("no organisatie {naam}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn change<'a>(entry: &'a Value, veld: &str) -> &'a Value {
    entry["wijzigingen"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["veld"] == veld)
        .unwrap_or_else(|| panic!("no change of {veld} in {entry}"))
}

#[test]
fn the_audittrail_names_the_actor_and_the_references_as_they_were_then() {
    let app = spawn();
    let a = agenda_id(&app);
    let (_, list) = app.als_pm().get(&format!("/agendas/{a}/acties?opgave=2.5"));
    let actie = list["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let (_, before) = app.als_pm().get(&format!("/acties/{actie}"));
    let old_org = before["trekker"]["organisatieId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, old) = app.als_pm().get(&format!("/organisaties/{old_org}"));
    let old_name = old["naam"].as_str().unwrap().to_owned();
    let mijande = org_id(&app, "Mijande");
    let bieb = org_id(&app, "Bibliotheek Twenterand");

    let r = app.als_pm().call(
        "PUT",
        &format!("/acties/{actie}/trekker"),
        &[("If-Match", "\"1\"")],
        Some(&json!({"soort": "organisatie", "organisatieId": mijande}).to_string()),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app.als_pm().patch(
        &format!("/acties/{actie}"),
        &r.etag,
        &json!({"partners": [bieb, mijande]}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Renamed afterwards: the trail keeps the name of then.
    let (_, o) = app.als_pm().get(&format!("/organisaties/{old_org}"));
    let v = o["versie"].as_u64().unwrap().to_string();
    let r = app.als_beheerder().patch(
        &format!("/organisaties/{old_org}"),
        &format!("\"{v}\""),
        &json!({"naam": "Hernoemde organisatie"}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);

    let (_, trail) = app.als_pm().get(&format!("/acties/{actie}/audittrail"));
    let e = trail["resultaten"].as_array().unwrap();
    let created = &e[0];
    assert_eq!(change(created, "opgaveId")["nieuwWeergave"], "2.5");
    assert_eq!(
        change(created, "trekker")["nieuwWeergave"],
        old_name.as_str()
    );

    let t = &e[1];
    assert_eq!(t["soortWijziging"], "trekker gewijzigd");
    assert_eq!(t["actor"]["soort"], "token");
    assert_eq!(t["actor"]["organisatieNaam"], "Gemeente Twenterand");
    assert_eq!(t["actor"]["rol"], "programmamanager");
    assert_eq!(t["actor"]["omschrijving"], "test programmamanager");
    let trekker = change(t, "trekker");
    assert_eq!(trekker["oudWeergave"], old_name.as_str(), "{trekker}");
    assert_eq!(trekker["nieuwWeergave"], "Mijande");
    assert_eq!(trekker["nieuw"]["organisatieId"], mijande.as_str());

    let p = change(&e[2], "partners");
    assert_eq!(p["nieuwWeergave"], "Bibliotheek Twenterand, Mijande", "{p}");

    // Names of then in the organisatie's own trail, too.
    let (_, trail) = app
        .als_pm()
        .get(&format!("/organisaties/{old_org}/audittrail"));
    let renamed = &trail["resultaten"][1];
    assert_eq!(renamed["actor"]["rol"], "beheerder");
    assert_eq!(renamed["actor"]["organisatieNaam"], "Gemeente Twenterand");
    assert_eq!(change(renamed, "naam")["oud"], old_name.as_str());
    // Other fields are not references: no weergave.
    assert!(change(renamed, "naam")["nieuwWeergave"].is_null());
}

#[test]
fn wijzigingen_lists_renumbers_moves_and_bijsturingen() {
    let app = spawn();
    let a = agenda_id(&app);
    let from = app.head();
    let o = opgave(&app, "2.5");
    let (_, before) = app.als_pm().get(&format!("/opgaven/{o}"));
    let r = app.als_pm().patch(
        &format!("/opgaven/{o}"),
        &format!("\"{}\"", before["versie"]),
        &json!({"code": "2.9"}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    // A doel of 1.1 moves to 2.9.
    let o11 = opgave(&app, "1.1");
    let (_, doelen) = app.als_pm().get(&format!("/opgaven/{o11}/doelen"));
    let doel = &doelen["resultaten"][0];
    let doel_id = doel["id"].as_str().unwrap();
    let r = app.als_pm().patch(
        &format!("/doelen/{doel_id}"),
        &format!("\"{}\"", doel["versie"]),
        &json!({"opgaveId": o, "code": "2.9.9"}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let (_, trail) = app.als_pm().get(&format!("/doelen/{doel_id}/audittrail"));
    let moved = trail["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["soortWijziging"] == "verplaatst")
        .unwrap_or_else(|| panic!("no move in {trail}"));
    let opgave_change = change(moved, "opgaveId");
    assert_eq!(
        (
            opgave_change["oudWeergave"].as_str(),
            opgave_change["nieuwWeergave"].as_str()
        ),
        (Some("1.1"), Some("2.9")),
        "{moved}"
    );
    let cm = app.als_pm().post(
        &format!("/opgaven/{o}/checkmomenten"),
        &json!({"datum": "2024-06-15", "onderwerp": "Halfjaar",
            "deelnemers": [org_id(&app, "Gemeente Twenterand"), org_id(&app, "Mijande")]}),
    );
    assert_eq!(cm.status, 201, "{:?}", cm.body);
    let (_, trail) = app
        .als_pm()
        .get(&format!("/checkmomenten/{}/audittrail", cm.id()));
    let created = &trail["resultaten"][0];
    assert_eq!(
        change(created, "deelnemers")["nieuwWeergave"],
        "Gemeente Twenterand, Mijande"
    );
    assert_eq!(change(created, "opgaveId")["nieuwWeergave"], "2.9");
    let b = app.als_pm().post(
        &format!("/checkmomenten/{}/bijsturingen", cm.id()),
        &json!({"besluit": "Meer inzet op huisvesting", "onderbouwing": "Achterstand",
            "datum": "2024-06-15", "voorgenomenWijzigingen": []}),
    );
    assert_eq!(b.status, 201, "{:?}", b.body);

    // Renumbered once more: the lines keep the codes of then.
    let (_, now) = app.als_pm().get(&format!("/opgaven/{o}"));
    let r = app.als_pm().patch(
        &format!("/opgaven/{o}"),
        &format!("\"{}\"", now["versie"]),
        &json!({"code": "2.8"}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let (status, w) = app
        .als_pm()
        .get(&format!("/agendas/{a}/wijzigingen?sindsPositie={from}"));
    assert_eq!(status, 200, "{w}");
    let h = &w["hernummeringen"][0];
    assert_eq!(
        (
            h["soort"].as_str(),
            h["vorigeCode"].as_str(),
            h["nieuweCode"].as_str()
        ),
        (Some("opgave"), Some("2.5"), Some("2.9")),
        "{w}"
    );
    let v = w["verplaatsingen"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["soort"] == "doel")
        .unwrap_or_else(|| panic!("no move in {w}"));
    assert_eq!(v["id"], doel_id);
    assert_eq!(
        (
            v["vorigeOpgaveCode"].as_str(),
            v["nieuweOpgaveCode"].as_str()
        ),
        (Some("1.1"), Some("2.9"))
    );
    let codes = |soort: &str| -> Vec<(String, String)> {
        w["hernummeringen"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["soort"] == soort)
            .map(|h| {
                (
                    h["vorigeCode"].as_str().unwrap_or_default().to_owned(),
                    h["nieuweCode"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let opgave_codes = codes("opgave");
    assert_eq!(
        opgave_codes,
        [("2.5".into(), "2.9".into()), ("2.9".into(), "2.8".into())]
    );
    // The move gave the doel its new code, listed too.
    let doel_codes = codes("doel");
    assert!(
        doel_codes.contains(&("1.1.1".into(), "2.9.9".into())),
        "{doel_codes:?}"
    );
    let bs = &w["bijsturingen"][0];
    assert_eq!(
        (
            bs["soort"].as_str(),
            bs["besluit"].as_str(),
            bs["datum"].as_str()
        ),
        (
            Some("vastgelegd"),
            Some("Meer inzet op huisvesting"),
            Some("2024-06-15")
        )
    );
}
