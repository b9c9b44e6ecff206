//! Journey 1: a new installation gets in without the demo. The first
//! `token create` on an empty store registers the beheerder's organisatie
//! (actor "system (bootstrap)"); from there everything goes over the API.

use serde_json::json;

use crate::support::{cli, cli_ok, text, token_from, Server};

#[test]
fn a_new_installation_without_the_demo_gets_in_with_its_first_beheerder_token() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.to_str().unwrap();

    let out = cli_ok(&[
        "token",
        "create",
        "--rol",
        "beheerder",
        "--organisatie",
        "Gemeente X",
        "--no-demo",
        "--data-dir",
        d,
    ]);
    let token = token_from(&out);

    let server = Server::start(&dir, &["--no-demo"]);
    // No demo: the only organisatie is the one the token registered.
    let orgs = server.get("/organisaties", Some(&token)).json();
    let names: Vec<&str> = orgs["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["naam"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Gemeente X"]);
    let gemeente = orgs["resultaten"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(orgs["resultaten"][0]["soort"], "gemeente");
    assert!(server.get("/agendas", Some(&token)).json()["resultaten"]
        .as_array()
        .unwrap()
        .is_empty());

    let partner = server.post(
        "/organisaties",
        &token,
        &json!({"naam": "Welzijn Y", "soort": "welzijn"}),
    );
    assert_eq!(partner.status, 201, "{}", partner.text);
    let agenda = server.post(
        "/agendas",
        &token,
        &json!({"naam": "Maatschappelijke Agenda X", "gemeenten": ["X"],
                "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2028-12-31"}),
    );
    assert_eq!(agenda.status, 201, "{}", agenda.text);
    let agenda_id = agenda.json()["id"].as_str().unwrap().to_owned();
    // Work inside the agenda is a programmamanager's: the beheerder issues one.
    let pm = server.post(
        "/tokens",
        &token,
        &json!({"organisatieId": gemeente, "rol": "programmamanager",
                "omschrijving": "programmamanager agenda X", "agendas": [agenda_id]}),
    );
    assert_eq!(pm.status, 201, "{}", pm.text);
    let pm = pm.json()["token"].as_str().unwrap().to_owned();
    let opgave = server.post(
        &format!("/agendas/{agenda_id}/opgaven"),
        &pm,
        &json!({"code": "1.1", "titel": "Iedereen doet mee"}),
    );
    assert_eq!(opgave.status, 201, "{}", opgave.text);
    let opgave_id = opgave.json()["id"].as_str().unwrap().to_owned();

    let read = server
        .get(&format!("/opgaven/{opgave_id}"), Some(&token))
        .json();
    assert_eq!(read["titel"], "Iedereen doet mee");
    let read = server
        .get(&format!("/agendas/{agenda_id}"), Some(&token))
        .json();
    assert_eq!(read["naam"], "Maatschappelijke Agenda X");
    let orgs = server.get("/organisaties", Some(&token)).text;
    assert!(orgs.contains("Welzijn Y"), "{orgs}");

    let trail = server
        .get(
            &format!("/organisaties/{gemeente}/audittrail"),
            Some(&token),
        )
        .json();
    let first = &trail["resultaten"][0];
    assert_eq!(first["soortWijziging"], "aangemaakt");
    assert_eq!(first["gebeurtenisType"], "OrganisatieGeregistreerd");
    assert_eq!(first["actor"]["omschrijving"], "system (bootstrap)");
    server.stop();
}

#[test]
fn on_a_store_with_organisaties_an_unknown_name_is_refused_with_the_known_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    cli_ok(&[
        "token",
        "create",
        "--rol",
        "beheerder",
        "--organisatie",
        "Gemeente X",
        "--no-demo",
        "--data-dir",
        d,
    ]);
    let out = cli(&[
        "token",
        "create",
        "--rol",
        "beheerder",
        "--organisatie",
        "Gemeente Z",
        "--no-demo",
        "--data-dir",
        d,
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("no organisatie \"Gemeente Z\""), "{err}");
    assert!(err.contains("known: Gemeente X"), "{err}");
    assert!(err.contains("POST /v1/organisaties"), "{err}");
    // The same name again issues a second token for the same organisatie.
    let again = cli_ok(&[
        "token",
        "create",
        "--rol",
        "lezer",
        "--organisatie",
        "gemeente x",
        "--no-demo",
        "--data-dir",
        d,
    ]);
    token_from(&again);
}

#[test]
fn on_an_empty_store_only_a_beheerder_token_registers_the_first_organisatie() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    let out = cli(&[
        "token",
        "create",
        "--rol",
        "partner",
        "--organisatie",
        "Gemeente X",
        "--no-demo",
        "--data-dir",
        d,
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("no organisatie yet"), "{err}");
    assert!(err.contains("--rol beheerder"), "{err}");
}
