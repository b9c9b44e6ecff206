//! One nota for three gemeenten (made up: "Twentse Drie", Almelo, Borne,
//! Hengelo), used the way a programme manager uses it: a beheerder creates
//! the agenda with an uitvoeringsperiode for Borne and a token scoped to
//! Borne; the programmamanager of the whole agenda and Borne's create
//! acties; every view filtered with `?gemeente=`; export → import keeps the
//! gemeenten. Every request carries an explicit token.
//!
//! The shared setup is here; the tests are in `schrijven` (the scoped token
//! and the uitvoeringsperiode), `lezen` (the views with `?gemeente=` and time
//! travel) and `uitwisseling` (export and import).

mod lezen;
mod metingen;
mod schrijven;
mod uitwisseling;

use mag_tracker::access::Rol;
use serde_json::{json, Value};

use super::support::{plain_agent, request, Reply, TestApp};

pub(super) struct Nota {
    pub agenda: String,
    pub opgave: String,
    /// Programmamanager of the whole agenda.
    pub pm: String,
    /// Programmamanager scoped to Borne (issued over the API).
    pub borne: String,
    pub almelo_actie: String,
    pub hele_agenda_actie: String,
    pub borne_actie: String,
}

pub(super) fn send(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> Reply {
    request(app, method, path, Some(token), &[], Some(&body.to_string()))
}

pub(super) fn get(app: &TestApp, path: &str, token: &str) -> Reply {
    request(app, "GET", path, Some(token), &[], None)
}

/// The body of a GET as text (Markdown, Atom, CSV).
pub(super) fn text(app: &TestApp, path: &str, token: &str) -> String {
    let mut r = plain_agent()
        .get(format!("{}{path}", app.base))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "GET {path}");
    r.body_mut().read_to_string().unwrap()
}

pub(super) fn created(r: Reply) -> Value {
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

/// PATCH with the resource's current ETag.
pub(super) fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> Reply {
    let etag = get(app, path, token)
        .header("ETag")
        .expect("an ETag")
        .to_owned();
    request(
        app,
        "PATCH",
        path,
        Some(token),
        &[("If-Match", &etag)],
        Some(&body.to_string()),
    )
}

/// Refused with `status` and `code`, and nothing appended.
pub(super) fn refused(app: &TestApp, r: impl FnOnce() -> Reply, status: u16, code: &str) -> Value {
    let head = app.head();
    let r = r();
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["code"], code, "{}", r.body);
    assert_eq!(app.head(), head, "a refused request appends nothing");
    r.body
}

pub(super) fn omschrijvingen(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["omschrijving"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

pub(super) fn nota(app: &TestApp) -> Nota {
    let agenda = created(send(
        app,
        "POST",
        "/agendas",
        &app.beheerder,
        json!({
            "naam": "Gedeelde nota Twentse Drie (verzonnen)",
            "gemeenten": ["Almelo", "Borne", "Hengelo"],
            "periodeStartDatum": "2024-01-01",
            "periodeEindDatum": "2029-12-31",
            "uitvoeringsperioden": [
                {"gemeente": "borne", "startDatum": "2024-01-01", "eindDatum": "2025-12-31"}
            ]
        }),
    ));
    assert_eq!(
        agenda["uitvoeringsperioden"],
        json!([{"gemeente": "Borne", "startDatum": "2024-01-01", "eindDatum": "2025-12-31"}]),
        "stored in the agenda's spelling"
    );
    let agenda = agenda["id"].as_str().unwrap().to_owned();
    let id = agenda.parse().unwrap();
    let pm = app.token(Rol::Programmamanager, "Gemeente Twenterand", vec![id]);
    let opgave = created(send(
        app,
        "POST",
        &format!("/agendas/{agenda}/opgaven"),
        &pm,
        json!({"code": "1", "titel": "Iedereen doet mee"}),
    ))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let acties = format!("/opgaven/{opgave}/acties");
    let almelo = created(send(
        app,
        "POST",
        &acties,
        &pm,
        json!({"omschrijving": "Schuldhulp Almelo", "gemeenten": ["Almelo"]}),
    ));
    assert_eq!(almelo["gemeenten"], json!(["Almelo"]));
    let hele = created(send(
        app,
        "POST",
        &acties,
        &pm,
        json!({"omschrijving": "Regionale campagne"}),
    ));
    assert_eq!(
        hele["gemeenten"],
        json!([]),
        "no gemeenten: the whole agenda"
    );
    let org = app
        .state
        .projection
        .read()
        .organisaties
        .values()
        .find(|o| o.state.naam == "Gemeente Twenterand")
        .unwrap()
        .id;
    let token = created(send(
        app,
        "POST",
        "/tokens",
        &app.beheerder,
        json!({
            "organisatieId": org,
            "rol": "programmamanager",
            "omschrijving": "programmamanager Borne",
            "agendas": [agenda],
            "gemeente": " borne"
        }),
    ));
    assert_eq!(token["gemeente"], "Borne");
    let borne = token["token"].as_str().unwrap().to_owned();
    let b = created(send(
        app,
        "POST",
        &acties,
        &borne,
        json!({"omschrijving": "Taalcafé Borne", "jaar": 2025}),
    ));
    assert_eq!(
        b["gemeenten"],
        json!(["Borne"]),
        "a scoped token's acties are its gemeente's"
    );
    Nota {
        agenda,
        opgave,
        pm,
        borne,
        almelo_actie: almelo["id"].as_str().unwrap().to_owned(),
        hele_agenda_actie: hele["id"].as_str().unwrap().to_owned(),
        borne_actie: b["id"].as_str().unwrap().to_owned(),
    }
}
