//! Journey 1: a new installation gets in without the demo. The first
//! `token create` on an empty store registers the beheerder's organisatie
//! (actor "system (bootstrap)"); from there everything goes over the API.

use serde_json::json;

use std::path::Path;

use crate::support::{text, token_create, token_create_ok, Server};

/// `token create … --no-demo` on the data directory `d`.
fn create(d: &str, rol: &str, organisatie: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--no-demo"];
    args.extend_from_slice(extra);
    token_create(Path::new(d), rol, organisatie, &args)
}

/// [`create`] that must succeed; the token it printed.
fn token_created(d: &str, rol: &str, organisatie: &str) -> String {
    token_create_ok(Path::new(d), rol, organisatie, &["--no-demo"])
}

#[test]
fn a_new_installation_without_the_demo_gets_in_with_its_first_beheerder_token() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.to_str().unwrap();

    let token = token_created(d, "beheerder", "Gemeente X");

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
    token_created(d, "beheerder", "Gemeente X");
    let out = create(d, "beheerder", "Gemeente Z", &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("no organisatie \"Gemeente Z\""), "{err}");
    assert!(err.contains("known: Gemeente X"), "{err}");
    assert!(err.contains("POST /v1/organisaties"), "{err}");
    // The same name again issues a second token for the same organisatie.
    token_created(d, "lezer", "gemeente x");
}

#[test]
fn on_an_empty_store_only_a_beheerder_token_registers_the_first_organisatie() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    let out = create(d, "partner", "Gemeente X", &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("no organisatie yet"), "{err}");
    assert!(err.contains("--rol beheerder"), "{err}");
}

#[test]
fn token_create_finds_the_organisatie_however_its_name_is_spelled() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    let first = create(d, "beheerder", " Gemeente\u{a0} Één\u{200b} ", &[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    // The name as stored (normalised), not as typed.
    let err = text(&first.stderr);
    assert!(
        err.contains("Registered organisatie \"Gemeente Één\""),
        "{err}"
    );
    // The API's rule for "the same name" (invisible characters, runs of
    // spaces, any case, also beyond ASCII) finds it again.
    for spelling in [
        "gemeente één",
        "GEMEENTE  ÉÉN",
        "Gemeente\u{200b} Één\u{202c}",
    ] {
        token_created(d, "lezer", spelling);
    }
}

#[test]
fn token_create_checks_the_expiry_like_the_api_and_says_why_it_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    let create = |verloopt: &str| create(d, "beheerder", "Gemeente X", &["--verloopt", verloopt]);
    // Outside the range every instant of the API lies in, or without a time
    // zone: refused before anything is written.
    for (verloopt, says) in [
        ("+262142-12-31T00:00:00Z", "is not an RFC 3339 instant"),
        (
            "2201-01-01T00:00:00Z",
            "is outside 1900-01-01 t/m 2200-12-31",
        ),
        ("2030-01-01T00:00:00", "is not an RFC 3339 instant"),
    ] {
        let out = create(verloopt);
        assert!(!out.status.success(), "{verloopt} accepted");
        let err = text(&out.stderr);
        assert!(err.contains(says), "{verloopt}: {err}");
    }
    // In the past: the domain's reason, not a count of invalid fields.
    let out = create("2020-01-01T00:00:00Z");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("verloopTijdstip: Het verlooptijdstip moet in de toekomst liggen"),
        "{err}"
    );
    assert!(err.contains("no organisatie registered"), "{err}");
    // Nothing was written: the first token may still name another organisatie.
    let out = self::create(
        d,
        "beheerder",
        "Gemeente Y",
        &["--verloopt", "2199-12-31T23:59:59Z"],
    );
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("Registered organisatie \"Gemeente Y\""),
        "{err}"
    );
}
