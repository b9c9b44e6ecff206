//! HTTP tests against the real app on port 0 with a temporary sled store.

mod abonnementen;
mod abonnementen_aflevering;
mod abonnementen_batch;
mod abonnementen_last;
mod access;
mod actie_cache;
mod actie_invoer;
mod actiebeheer;
mod agendabestand;
mod audit_names;
mod bijdragen;
mod caller;
mod checkmomenten;
mod client;
mod codes;
mod codes_lokaal;
mod codes_uitwisseling;
mod contract;
mod contract_truth;
mod fixtures_agendas;
mod gemeente;
mod groepering_hernummeren;
mod hardening;
mod herimport;
mod indicatoren;
mod indicatoren_gemeenten;
mod invoer;
mod jaar;
mod kenmerken;
mod matrix;
mod nieuwsbrief;
mod ontvanger;
mod organisaties;
mod parameters;
mod pdca;
mod reflecties;
mod restart;
mod routing;
mod site;
mod structuur;
mod structuur_invoer;
mod support;
#[path = "../support_pg/mod.rs"]
mod support_pg;
mod tokens;
mod uitvoer;
mod uitwisseling;
mod verzoekfouten;

use serde_json::json;
use support::{agenda_id, spawn};

#[test]
fn demo_agenda_loads_with_the_documents_counts() {
    let app = spawn();
    let a = agenda_id(&app);
    let (_, agenda) = app.als_pm().get(&format!("/agendas/{a}"));
    assert_eq!(agenda["aantalOpgaven"], 18);
    assert_eq!(agenda["aantalActies"], 79);
    assert_eq!(agenda["groeperingsniveaus"][0]["enkelvoud"], "themalijn");
    let (_, opgaven) = app
        .als_pm()
        .get(&format!("/agendas/{a}/opgaven?pageSize=500"));
    let prioritised = opgaven["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["geprioriteerd"] == true)
        .count();
    assert_eq!(prioritised, 13);
    let (_, by_code) = app.als_pm().get(&format!("/agendas/{a}/opgaven?code=2.6"));
    assert_eq!(by_code["totaal"], 1);
    assert!(by_code["resultaten"][0]["titel"]
        .as_str()
        .unwrap()
        .contains("thuis voelt"));
    let (_, zonder) = app
        .als_pm()
        .get(&format!("/agendas/{a}/acties?zonderTrekker=true"));
    assert_eq!(
        zonder["totaal"], 28,
        "acties whose sentence names nobody have no trekker"
    );
}

#[test]
fn status_changes_trekker_and_concurrency_rules() {
    let app = spawn();
    let a = agenda_id(&app);
    let (_, list) = app.als_pm().get(&format!("/agendas/{a}/acties?opgave=2.5"));
    let actie = list["resultaten"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        list["resultaten"][0]["trekker"]["naam"],
        "Gemeente Twenterand"
    );
    let path = format!("/acties/{actie}/statuswijzigingen");

    // every problem at once, nothing appended
    let (status, meta, problem) = app.als_pm().send(
        "POST",
        &path,
        &[],
        r#"{"status":"klaar","x":1,"ingangsDatum":"2024-13-01"}"#,
    );
    assert_eq!(status, 400);
    assert!(meta.starts_with("application/problem+json"));
    assert_eq!(problem["invalidParams"].as_array().unwrap().len(), 3);
    let (status, _, problem) = app.als_pm().send("POST", &path, &[], "{broken");
    assert_eq!(
        (status, problem["code"].as_str()),
        (400, Some("invalid-input"))
    );
    assert_eq!(app.als_pm().get(&format!("/acties/{actie}")).1["versie"], 1);

    // a change, retried with the same key, appends once
    let key = [("Idempotency-Key", "edition-1")];
    let (status, meta, body) = app.als_pm().send(
        "POST",
        &path,
        &key,
        r#"{"status":"lopend","ingangsDatum":"2024-02-01"}"#,
    );
    assert_eq!(
        (status, body["status"].as_str(), body["versie"].as_u64()),
        (201, Some("lopend"), Some(2))
    );
    assert!(meta.ends_with("|\"2\""));
    let (status, _, body) = app.als_pm().send(
        "POST",
        &path,
        &key,
        r#"{"status":"lopend","ingangsDatum":"2024-02-01"}"#,
    );
    assert_eq!((status, body["versie"].as_u64()), (201, Some(2)));
    let (status, _, problem) = app
        .als_pm()
        .send("POST", &path, &key, r#"{"status":"afgerond"}"#);
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("idempotency-key-reused"))
    );

    // invalid transition is a 409 that says what is allowed
    let (status, _, problem) = app
        .als_pm()
        .send("POST", &path, &[], r#"{"status":"gepland"}"#);
    assert_eq!(status, 409);
    assert!(problem["detail"].as_str().unwrap().contains("Toegestaan"));
    // vervallen needs a reason
    let (status, _, problem) = app
        .als_pm()
        .send("POST", &path, &[], r#"{"status":"vervallen"}"#);
    assert_eq!(
        (status, problem["invalidParams"][0]["name"].as_str()),
        (400, Some("body.reden"))
    );

    // PUT trekker: If-Match required, stale is 412, current succeeds
    let tpath = format!("/acties/{actie}/trekker");
    let body = r#"{"soort":"groep","naam":"Werkgroep Huisvesting"}"#;
    assert_eq!(app.als_pm().send("PUT", &tpath, &[], body).0, 428);
    assert_eq!(
        app.als_pm()
            .send("PUT", &tpath, &[("If-Match", "\"1\"")], body)
            .0,
        412
    );
    let (status, _, after) = app
        .als_pm()
        .send("PUT", &tpath, &[("If-Match", "\"2\"")], body);
    assert_eq!(
        (
            status,
            after["trekker"]["naam"].as_str(),
            after["versie"].as_u64()
        ),
        (200, Some("Werkgroep Huisvesting"), Some(3))
    );
    let unknown =
        json!({"soort": "organisatie", "organisatieId": uuid::Uuid::now_v7()}).to_string();
    let (status, _, problem) = app
        .als_pm()
        .send("PUT", &tpath, &[("If-Match", "\"3\"")], &unknown);
    assert_eq!(
        (status, problem["invalidParams"][0]["code"].as_str()),
        (400, Some("unknown-organisatie"))
    );
    assert_eq!(app.als_pm().get(&format!("/acties/{actie}")).1["versie"], 3);
    let (status, missing) = app
        .als_pm()
        .get(&format!("/acties/{}", uuid::Uuid::now_v7()));
    assert_eq!((status, missing["code"].as_str()), (404, Some("not-found")));
}

mod audittrail;
mod gebeurtenissen;
mod tijdreizen;
mod wijzigingen;
mod zichtbaarheid;
mod zichtbaarheid_feed;
