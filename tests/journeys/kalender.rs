//! "Today" is the Dutch calendar day. A reader in the Netherlands on New
//! Year's night, 00:30 local time (23:30 UTC on 31 December), looks at a
//! 2024–2025 agenda: the PDCA state, the overzicht and the indicator view
//! judge 2025, because in the Netherlands 2025 has begun, though the UTC
//! date still says 31 December; an hour earlier they judged 2024.
//!
//! The moment is set with `?peiltijdstip=` (the view's "now" is the moment
//! asked for), on the Twenterand demo moved to that night by export-events
//! → recorded times and the agenda's end date edited → import-events, as in
//! `site.rs`. The server's own clock cannot be set, so the default datum of
//! a voortgangsbericht is checked against `kalender::today()` at the moment
//! of the request (the function the handler calls; its conversion is tested
//! with fixed instants in `domain::kalender`).

use serde_json::Value;

use super::support::*;

/// The demo agenda and an indicator on it, recorded at 22:00 UTC on 31
/// December 2024 (23:00 in Amsterdam), with the agenda's period stretched
/// to 2025: (data dir, the indicator's id).
fn demo_on_new_years_eve(tmp: &std::path::Path) -> (std::path::PathBuf, String) {
    let a = tmp.join("a");
    let b = tmp.join("b");
    // the demo has no indicators: the programmamanager adds one
    Server::start(&a, &[]).stop();
    let pm = token_create_ok(
        &a,
        "programmamanager",
        "Gemeente Twenterand",
        &["--alle-agendas"],
    );
    let server = Server::start(&a, &[]);
    let agenda = server.get("/agendas", None).json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let opgave = server
        .get(&format!("/agendas/{agenda}/opgaven"), None)
        .json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doel = server
        .get(&format!("/opgaven/{opgave}/doelen"), None)
        .json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = server.post(
        &format!("/doelen/{doel}/indicatoren"),
        &pm,
        &serde_json::json!({"naam": "Bereik", "eenheid": "%", "richting": "hogerIsBeter",
            "streefwaarden": [{"jaar": 2024, "waarde": 50}]}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    server.stop();
    let file = tmp.join("events.jsonl");
    cli_ok(&[
        "export-events",
        "--data-dir",
        a.to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ]);
    let mut moved = String::new();
    let mut indicator = None;
    let mut agenda = false;
    for line in std::fs::read_to_string(&file).unwrap().lines() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        v["registratieTijdstip"] = "2024-12-31T22:00:00Z".into();
        match v["type"].as_str().unwrap() {
            "AgendaAangemaakt" => {
                v["data"]["periodeEindDatum"] = "2025-12-31".into();
                agenda = true;
            }
            "IndicatorAangemaakt" => {
                indicator.get_or_insert_with(|| v["streamId"].as_str().unwrap().to_owned());
            }
            _ => {}
        }
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
    assert!(agenda, "the demo agenda was exported");
    (b, indicator.expect("the indicator was exported"))
}

/// `GET path?peiltijdstip=at` (anonymous), asserted 200, as JSON.
fn at(server: &Server, path: &str, at: &str) -> Value {
    let r = server.get(&format!("{path}?peiltijdstip={at}"), None);
    assert_eq!(r.status, 200, "{path} at {at}: {}", r.text);
    r.json()
}

#[test]
fn the_peiljaar_turns_at_midnight_in_amsterdam_not_at_midnight_utc() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, indicator) = demo_on_new_years_eve(tmp.path());
    let server = Server::start(&dir, &[]);
    let agenda = server.get("/agendas", None).json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let overzicht = at(
        &server,
        &format!("/agendas/{agenda}/overzicht"),
        "2024-12-31T22:30:00Z",
    );
    let opgave = overzicht["groepen"][0]["opgaven"][0]["opgaveId"]
        .as_str()
        .unwrap()
        .to_owned();
    // The year each view judges, at 23:30 and at 00:30 in Amsterdam.
    let judged = |moment: &str| {
        let overzicht = at(&server, &format!("/agendas/{agenda}/overzicht"), moment);
        let pdca = at(&server, &format!("/opgaven/{opgave}/pdca"), moment);
        let indicator = at(&server, &format!("/indicatoren/{indicator}"), moment);
        [
            overzicht["peiljaar"].clone(),
            pdca["peiljaar"].clone(),
            indicator["koers"]["jaar"].clone(),
        ]
    };
    assert_eq!(
        [
            judged("2024-12-31T22:30:00Z"),
            judged("2024-12-31T23:30:00Z")
        ],
        [[2024, 2024, 2024], [2025, 2025, 2025]].map(|y| y.map(Value::from)),
        "[overzicht, pdca, indicator] at 23:30 and 00:30 in Amsterdam"
    );
    server.stop();
}

#[test]
fn a_voortgangsbericht_without_datum_is_dated_today_in_amsterdam() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    Server::start(&dir, &[]).stop();
    let server = Server::start(&dir, &[]);
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
    let partner = token_create_ok(&dir, "partner", naam, &[]);
    let server = Server::start(&dir, &[]);
    let actie = actie["id"].as_str().unwrap();
    let before = mag_tracker::kalender::today();
    let r = server.post(
        &format!("/acties/{actie}/voortgangsberichten"),
        &partner,
        &serde_json::json!({ "tekst": "Eerste avond gehouden" }),
    );
    let after = mag_tracker::kalender::today();
    assert_eq!(r.status, 201, "{}", r.text);
    let datum = r.json()["datum"].as_str().unwrap().to_owned();
    assert!(
        datum == before.to_string() || datum == after.to_string(),
        "dated {datum}, the Amsterdam day is {before}"
    );
    server.stop();
}
