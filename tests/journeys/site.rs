//! The public site over the real binary (issue 19): a partner reports
//! progress over the API and a resident reads it on the actie and opgave
//! pages; "zoals op" a date before it, the pages show the agenda as it was
//! recorded then, without the report, under a banner.
//!
//! The Twenterand demo is moved back in time by export-events → edit the
//! recorded times to March 2024 → import-events (which keeps them), so that
//! a peildatum between the import and today exists.

use super::support::*;

/// `GET <path>` outside `/v1` with no token: (status, body).
fn page(server: &Server, path: &str) -> (u16, String) {
    let url = format!("{}{path}", server.base.trim_end_matches("/v1"));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent.get(&url).call().expect("the server answers");
    (
        r.status().as_u16(),
        r.body_mut().read_to_string().unwrap_or_default(),
    )
}

#[test]
fn a_voortgangsbericht_shows_on_the_site_and_not_as_of_a_date_before_it() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    // the demo, recorded today; then as if recorded on 1 March 2024
    Server::start(&a, &[]).stop();
    let file = tmp.path().join("events.jsonl");
    cli_ok(&[
        "export-events",
        "--data-dir",
        a.to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ]);
    let events = std::fs::read_to_string(&file).unwrap();
    let mut moved = String::new();
    for line in events.lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        v["registratieTijdstip"] = "2024-03-01T10:00:00Z".into();
        moved.push_str(&v.to_string());
        moved.push('\n');
    }
    std::fs::write(&file, moved).unwrap();
    cli_ok(&[
        "import-events",
        "--data-dir",
        b.to_str().unwrap(),
        "-i",
        file.to_str().unwrap(),
    ]);

    // an actie whose trekker is an organisatie, and that organisatie's partner token
    let server = Server::start(&b, &[]);
    let agenda = server.get("/agendas", None).json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let acties = server
        .get(&format!("/agendas/{agenda}/acties?pageSize=500"), None)
        .json();
    let actie = acties["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["trekker"]["soort"] == "organisatie")
        .unwrap()
        .clone();
    server.stop();
    let naam = actie["trekker"]["naam"].as_str().unwrap();
    let partner = token_create_ok(&b, "partner", naam, &[]);
    let server = Server::start(&b, &[]);
    let id = actie["id"].as_str().unwrap();
    let opgave = actie["opgaveId"].as_str().unwrap();
    let tekst = "Eerste bijeenkomst gehouden met 14 deelnemers";
    let r = server.post(
        &format!("/acties/{id}/voortgangsberichten"),
        &partner,
        &serde_json::json!({ "tekst": tekst }),
    );
    assert_eq!(r.status, 201, "{}", r.text);

    for path in [format!("/acties/{id}"), format!("/opgaven/{opgave}")] {
        let (status, body) = page(&server, &path);
        assert_eq!(status, 200, "{path}");
        assert!(
            body.contains(tekst),
            "{path} shows the new voortgangsbericht"
        );
        assert!(!body.contains("zoals-op-banner"), "{path}");
        // as recorded on 1 June 2024: the agenda, without the bericht
        let past = format!("{path}?peildatum=2024-06-01");
        let (status, body) = page(&server, &past);
        assert_eq!(status, 200, "{past}");
        assert!(
            !body.contains(tekst),
            "{past} does not show what came later"
        );
        assert!(
            body.contains(
                "U bekijkt de agenda zoals die op <strong>1 juni 2024</strong> was vastgelegd."
            ),
            "{past}: the banner"
        );
        assert!(
            body.contains("?peildatum=2024-06-01"),
            "{past}: links keep the date"
        );
    }
    // before the agenda was recorded at all: not there
    let (status, body) = page(&server, &format!("/acties/{id}?peildatum=2024-01-01"));
    assert_eq!(status, 404);
    assert!(body.contains("Pagina niet gevonden"));
    assert!(
        body.contains("Op 1 januari 2024 was hier nog niets vastgelegd"),
        "{body}"
    );
    server.stop();
}
