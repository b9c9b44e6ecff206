//! Journey: three gemeenten share one nota (made up: "Twentse Drie"). The
//! beheerder loads it from a file with an uitvoeringsperiode for Borne,
//! issues Borne's programme manager a token scoped to Borne on the command
//! line, and Borne's programme manager works in it over HTTP: creates
//! Borne's acties, cannot touch Almelo's, reads Borne's nieuwsbrief (also
//! with `mag-tracker nieuwsbrief --gemeente`). After a restart everything,
//! the token's scope included, is as it was.

use serde_json::json;

use crate::support::{cli_ok, text, token_create, token_create_ok, Server};

const NOTA: &str = r#"{"formaat":"mag-tracker/agenda","formaatVersie":1,
 "organisaties":[{"naam":"Gemeente Borne","soort":"gemeente"}],
 "agenda":{"naam":"Gedeelde nota Twentse Drie (verzonnen)",
  "gemeenten":["Almelo","Borne","Hengelo"],
  "periodeStartDatum":"2024-01-01","periodeEindDatum":"2029-12-31",
  "uitvoeringsperioden":[{"gemeente":"Borne","startDatum":"2024-01-01","eindDatum":"2025-12-31"}],
  "opgaven":[{"code":"1","titel":"Iedereen doet mee","acties":[
    {"omschrijving":"Schuldhulp Almelo","jaar":2024,"gemeenten":["Almelo"]},
    {"omschrijving":"Regionale campagne","jaar":2024}]}]}}"#;

#[test]
fn bornes_programme_manager_works_in_a_shared_nota_across_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let file = tmp.path().join("nota.json");
    std::fs::write(&file, NOTA).unwrap();
    let d = dir.to_str().unwrap();
    cli_ok(&["import", file.to_str().unwrap(), "--data-dir", d]);
    // a gemeente the agenda does not have is refused, naming the choices
    let out = token_create(
        &dir,
        "programmamanager",
        "Gemeente Borne",
        &["--alle-agendas", "--gemeente", "Enschede"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("kies uit Almelo, Borne, Hengelo"),
        "{}",
        text(&out.stderr)
    );
    let borne = token_create_ok(
        &dir,
        "programmamanager",
        "Gemeente Borne",
        &["--alle-agendas", "--gemeente", "borne"],
    );
    let pm = token_create_ok(
        &dir,
        "programmamanager",
        "Gemeente Borne",
        &["--alle-agendas"],
    );

    let server = Server::start(&dir, &[]);
    let agenda = server.get("/agendas", Some(&pm)).json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let acties = server
        .get(&format!("/agendas/{agenda}/acties"), Some(&borne))
        .json();
    let almelo = acties["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["gemeenten"] == json!(["Almelo"]))
        .expect("the file's Almelo actie")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let opgave = acties["resultaten"][0]["opgaveId"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = server.post(
        &format!("/opgaven/{opgave}/acties"),
        &borne,
        &json!({"omschrijving": "Taalcafé Borne", "jaar": 2025}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["gemeenten"], json!(["Borne"]));

    let refused = |server: &Server| {
        let r = server.merge_patch(
            &format!("/acties/{almelo}"),
            &borne,
            "*",
            &json!({"omschrijving": "Van Borne"}),
        );
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.json()["code"], "gemeente-scope");
        assert!(r.text.contains("is voor Almelo"), "{}", r.text);
    };
    refused(&server);
    let nieuwsbrief = |server: &Server| {
        let r = server.get(
            &format!("/agendas/{agenda}/voortgang?sindsPositie=0&formaat=markdown&gemeente=Borne"),
            Some(&borne),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        r.text
    };
    let before = nieuwsbrief(&server);
    assert!(before.contains("voor Borne"), "{before}");
    assert!(before.contains("Taalcafé Borne") && before.contains("Regionale campagne"));
    assert!(!before.contains("Schuldhulp Almelo"), "{before}");
    server.stop();

    let server = Server::start(&dir, &[]);
    assert_eq!(nieuwsbrief(&server), before, "the same after a restart");
    let printed = cli_ok(&[
        "nieuwsbrief",
        "--server",
        server.base.trim_end_matches("/v1"),
        "--agenda",
        &agenda,
        "--sinds-positie",
        "0",
        "--gemeente",
        "Borne",
    ]);
    assert_eq!(
        printed, before,
        "the nieuwsbrief command prints Borne's edition"
    );
    refused(&server);
    let r = server.post(
        &format!("/opgaven/{opgave}/acties"),
        &borne,
        &json!({"omschrijving": "Te laat voor Borne", "jaar": 2026}),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    let p = r.json();
    assert_eq!(p["invalidParams"][0]["name"], "body.jaar");
    assert!(
        p["invalidParams"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("uitvoeringsperiode van Borne (2024-01-01 t/m 2025-12-31)"),
        "{p}"
    );
    server.stop();
}
