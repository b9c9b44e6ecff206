//! A CSV import whose `…BijdragenAan` names a groepering the file does not
//! define, walked as a beheerder does it: a typo is refused (400
//! `unknown-groepering`, the row, the column and the name, with the
//! groeperingen the file does have) and nothing is created; with the name
//! corrected the import succeeds and the opgave contributes to that
//! groepering. A groepering without acties of its own is defined by a row
//! holding only `groeperingCode` and `groeperingNaam`, as the export writes
//! it.

use serde_json::Value;

use super::{import, read};
use crate::support::{plain_agent, spawn, TestApp};

const Q: &str = "?naam=Samen+gezond+uit+CSV&gemeenten=Maashorst&periodeStartDatum=2025-01-01&periodeEindDatum=2025-12-31";

const KOP: &str = "\u{FEFF}groeperingCode;groeperingNaam;opgaveCode;opgaveTitel;omschrijving;jaar;opgaveBijdragenAan\r\n";

/// Two effecten with an opgave each; opgave 1.1 contributes to `naam`.
fn csv(naam: &str) -> String {
    format!(
        "{KOP}1;Gezonde inwoners;1.1;Bewegen in de buurt;Beweegtuin;2025;{naam}\r\n\
         2;Sterke wijken;2.1;Ontmoeten in de wijk;Huiskamer;2025;\r\n"
    )
}

/// POST /agenda-imports as the beheerder: status and body.
fn post_csv(app: &TestApp, body: &str) -> (u16, String, Value) {
    let mut r = plain_agent()
        .post(format!("{}/agenda-imports{Q}", app.base))
        .header("Authorization", format!("Bearer {}", app.beheerder))
        .header("Content-Type", "text/csv")
        .send(body)
        .unwrap();
    let content_type = r
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (
        r.status().as_u16(),
        content_type,
        r.body_mut().read_json().unwrap(),
    )
}

fn agenda_namen(app: &TestApp) -> Vec<String> {
    let list = read(app, &app.beheerder, "/agendas?pageSize=500");
    list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["naam"].as_str().unwrap().to_owned())
        .collect()
}

/// The agenda's groeperingen (naam) and, of `naam`, its opgaven with soort.
fn groeperingen(app: &TestApp, agenda: &str) -> Vec<(String, String)> {
    let list = read(
        app,
        &app.beheerder,
        &format!("/agendas/{agenda}/groeperingen"),
    );
    list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["naam"].as_str().unwrap().to_owned(),
                g["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn opgaven_van(app: &TestApp, agenda: &str, groepering: &str) -> Vec<(String, String)> {
    let list = read(
        app,
        &app.beheerder,
        &format!("/agendas/{agenda}/opgaven?groepering={groepering}"),
    );
    super::titels(&list["resultaten"])
}

#[test]
fn a_typo_in_bijdragen_aan_is_named_and_creates_nothing_and_the_corrected_file_imports() {
    let app = spawn();
    let head = app.head();
    let agendas = agenda_namen(&app);

    // "Sterke wijkn": no groepering of the file has that name.
    let (status, content_type, p) = post_csv(&app, &csv("Sterke wijkn"));
    assert_eq!(status, 400, "{p}");
    assert_eq!(content_type, "application/problem+json");
    let params = p["invalidParams"].as_array().unwrap();
    assert_eq!(params.len(), 1, "{p}");
    assert_eq!(params[0]["name"], "body.rij[2].opgaveBijdragenAan");
    assert_eq!(params[0]["code"], "unknown-groepering");
    let reason = params[0]["reason"].as_str().unwrap();
    for part in ["'Sterke wijkn'", "'Gezonde inwoners'", "'Sterke wijken'"] {
        assert!(reason.contains(part), "{part} in {reason}");
    }
    assert!(
        reason.contains("alleen groeperingCode en groeperingNaam"),
        "says how to add one: {reason}"
    );
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("rij[2].opgaveBijdragenAan") && detail.contains("'Sterke wijkn'"),
        "{detail}"
    );
    // Nothing created: no event, no agenda, so no groepering either.
    assert_eq!(app.head(), head, "a refused import appends nothing");
    assert_eq!(agenda_namen(&app), agendas);

    // Corrected: the import succeeds, with just the two effecten, and
    // opgave 1.1 contributes to Sterke wijken.
    let agenda = import(&app, Q, "text/csv", &csv("Sterke wijken"));
    let groepen = groeperingen(&app, &agenda);
    let namen: Vec<&str> = groepen.iter().map(|g| g.0.as_str()).collect();
    assert_eq!(namen, ["Gezonde inwoners", "Sterke wijken"]);
    assert_eq!(
        opgaven_van(&app, &agenda, &groepen[1].1),
        [
            ("Ontmoeten in de wijk".to_owned(), "primair".to_owned()),
            ("Bewegen in de buurt".to_owned(), "bijdrage".to_owned()),
        ]
    );
}

#[test]
fn a_groepering_row_defines_an_effect_that_only_receives_contributions() {
    let app = spawn();
    // The row naming "Iedereen doet mee" comes after the row that refers
    // to it: the file is read as a whole.
    let body = format!("{}3;Iedereen doet mee;;;;;\r\n", csv("iedereen doet mee"));
    let agenda = import(&app, Q, "text/csv", &body);
    let groepen = groeperingen(&app, &agenda);
    let iedereen = groepen
        .iter()
        .find(|g| g.0 == "Iedereen doet mee")
        .expect("defined by its row");
    assert_eq!(groepen.len(), 3, "{groepen:?}");
    assert_eq!(
        opgaven_van(&app, &agenda, &iedereen.1),
        [("Bewegen in de buurt".to_owned(), "bijdrage".to_owned())]
    );
    let g = read(
        &app,
        &app.beheerder,
        &format!("/groeperingen/{}", iedereen.1),
    );
    assert_eq!(g["code"], "3", "the row keeps its code");
}
