//! Bijdragen (issue 18, variation 2): an opgave under one maatschappelijk
//! effect contributes to two others, and a doel to an effect other than its
//! opgave's, as a programme manager sets it up and reads it back: the
//! groepering, its opgaven, the overzicht, the voortgang of one effect,
//! export and re-import, the audittrail, time travel and a restart; every
//! refusal changes nothing. Every request carries its token explicitly.

use mag_tracker::access::Rol;
use serde_json::{json, Value};

use super::support::{plain_agent, rebuilt, request, spawn, Reply, TestApp};

mod csv_namen;
mod historie;
mod uitwisseling;
mod weigeringen;

/// The agenda "Samen gezond" with effecten A (code 1), B (code 2) and C
/// (no code), opgave 1.1 under A, opgave 2.1 under B with doelen 2.1.1
/// and 2.1.2, an actie under each.
struct Opzet {
    pm: String,
    agenda: String,
    a: String,
    b: String,
    c: String,
    opgave: String,
    opgave_b: String,
    doel: String,
    /// Positions before the first contribution and before the acties.
    voor_acties: u64,
}

fn ok(r: Reply, status: u16, what: &str) -> Value {
    assert_eq!(r.status, status, "{what}: {}", r.body);
    r.body
}

fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Reply {
    request(app, "POST", path, Some(token), &[], Some(&body.to_string()))
}

fn read(app: &TestApp, token: &str, path: &str) -> Value {
    ok(request(app, "GET", path, Some(token), &[], None), 200, path)
}

/// A text answer (Markdown, CSV, Atom) with this token.
fn text(app: &TestApp, token: &str, path: &str) -> (u16, String) {
    let mut r = plain_agent()
        .get(format!("{}{path}", app.base))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
}

fn import(app: &TestApp, query: &str, content_type: &str, body: &str) -> String {
    let mut r = plain_agent()
        .post(format!("{}/agenda-imports{query}", app.base))
        .header("Authorization", format!("Bearer {}", app.beheerder))
        .header("Content-Type", content_type)
        .send(body)
        .unwrap();
    let status = r.status().as_u16();
    let answer: Value = r.body_mut().read_json().unwrap();
    assert_eq!(status, 201, "{answer}");
    answer["agendaId"].as_str().unwrap().to_owned()
}

fn opzet(app: &TestApp) -> Opzet {
    let agenda = ok(
        post(
            app,
            &app.beheerder,
            "/agendas",
            json!({"naam": "Samen gezond", "gemeenten": ["Maashorst"],
                "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2028-12-31",
                "groeperingsniveaus": [{"enkelvoud": "effect", "meervoud": "effecten"}]}),
        ),
        201,
        "agenda",
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pm = app.token(
        Rol::Programmamanager,
        "Gemeente Twenterand",
        vec![agenda.parse().unwrap()],
    );
    let effect = |naam: &str, code: Option<&str>| {
        let mut body = json!({"naam": naam});
        if let Some(c) = code {
            body["code"] = json!(c);
        }
        let path = format!("/agendas/{agenda}/groeperingen");
        ok(post(app, &pm, &path, body), 201, naam)["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let a = effect("Gezonde inwoners", Some("1"));
    let b = effect("Sterke wijken", Some("2"));
    let c = effect("Iedereen doet mee", None);
    let opgave = |code: &str, titel: &str, g: &str| {
        let path = format!("/agendas/{agenda}/opgaven");
        let body = json!({"code": code, "titel": titel, "groeperingId": g});
        ok(post(app, &pm, &path, body), 201, titel)["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let opgave_a = opgave("1.1", "Bewegen in de buurt", &a);
    let opgave_b = opgave("2.1", "Ontmoeten in de wijk", &b);
    let doel = |code: &str, titel: &str| {
        let path = format!("/opgaven/{opgave_b}/doelen");
        ok(
            post(app, &pm, &path, json!({"code": code, "titel": titel})),
            201,
            titel,
        )["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let doel_c = doel("2.1.1", "Huiskamers voor iedereen");
    let ander = doel("2.1.2", "Buurtbudget");
    let voor_acties = app.head();
    let actie = |path: String, omschrijving: &str| {
        let body = json!({"omschrijving": omschrijving, "jaar": 2025});
        ok(post(app, &pm, &path, body), 201, omschrijving);
    };
    actie(
        format!("/opgaven/{opgave_a}/acties"),
        "Beweegtuin bij het dorpshuis",
    );
    actie(
        format!("/doelen/{doel_c}/acties"),
        "Huiskamer in De Schakel openen",
    );
    actie(format!("/doelen/{ander}/acties"), "Buurtbudget uitkeren");
    Opzet {
        pm,
        agenda,
        a,
        b,
        c,
        opgave: opgave_a,
        opgave_b,
        doel: doel_c,
        voor_acties,
    }
}

/// The opgave contributes to B and C, the doel to C.
fn bijdragen(app: &TestApp, o: &Opzet) {
    let path = format!("/opgaven/{}/bijdragen", o.opgave);
    let r = post(app, &o.pm, &path, json!({"groeperingId": o.b}));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.header("Location"),
        Some(format!("/v1/opgaven/{}", o.opgave).as_str())
    );
    assert_eq!(r.header("ETag"), Some("\"2\""));
    assert_eq!(
        r.body["bijdragen"],
        json!([{"groeperingId": o.b, "naam": "Sterke wijken", "weergavecode": "2"}])
    );
    let body = json!({"groeperingId": o.c, "toelichting": "Bewegen verbindt ook"});
    let r = ok(post(app, &o.pm, &path, body), 201, "second contribution");
    let namen: Vec<&str> = r["bijdragen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["naam"].as_str().unwrap())
        .collect();
    assert_eq!(namen, ["Sterke wijken", "Iedereen doet mee"]);
    assert_eq!(r["bijdragen"][1]["weergavecode"], Value::Null);

    let path = format!("/doelen/{}/bijdragen", o.doel);
    let r = ok(
        post(app, &o.pm, &path, json!({"groeperingId": o.c})),
        201,
        "doel",
    );
    assert_eq!(r["titel"], "Huiskamers voor iedereen");
    assert_eq!(r["bijdragen"][0]["naam"], "Iedereen doet mee");
}

/// (titel, soort) of each opgave of a list (`-` where it has no soort).
pub(crate) fn titels(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["titel"].as_str().unwrap().to_owned(),
                x["soort"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect()
}

pub(crate) fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn a_groepering_shows_what_contributes_to_it_in_its_lists_and_the_overzicht() {
    let app = spawn();
    let o = opzet(&app);
    bijdragen(&app, &o);

    let c = read(&app, &o.pm, &format!("/groeperingen/{}", o.c));
    assert_eq!(c["naam"], "Iedereen doet mee");
    assert_eq!(
        titels(&c["onderdelen"]),
        pairs(&[
            ("Bewegen in de buurt", "bijdrage"),
            ("Huiskamers voor iedereen", "bijdrage")
        ])
    );
    assert_eq!(c["onderdelen"][1]["onderdeel"], "doel");
    assert_eq!(c["onderdelen"][1]["opgaveId"], json!(o.opgave_b));
    let a = read(&app, &o.pm, &format!("/groeperingen/{}", o.a));
    assert_eq!(
        titels(&a["onderdelen"]),
        pairs(&[("Bewegen in de buurt", "primair")])
    );

    let list = read(&app, &o.pm, &format!("/groeperingen/{}/opgaven", o.b));
    assert_eq!(list["totaal"], 2);
    assert_eq!(
        titels(&list["resultaten"]),
        pairs(&[
            ("Ontmoeten in de wijk", "primair"),
            ("Bewegen in de buurt", "bijdrage")
        ])
    );
    assert_eq!(list["resultaten"][1]["code"], "1.1");
    let list = read(&app, &o.pm, &format!("/groeperingen/{}/opgaven", o.c));
    assert_eq!(
        titels(&list["resultaten"]),
        pairs(&[("Bewegen in de buurt", "bijdrage")])
    );

    let overzicht = read(&app, &o.pm, &format!("/agendas/{}/overzicht", o.agenda));
    assert_eq!(overzicht["totalen"]["opgaven"], 2, "nothing counted twice");
    let groep = |naam: &str| {
        overzicht["groepen"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["naam"] == naam)
            .cloned()
            .unwrap_or_else(|| panic!("no section {naam} in {overzicht}"))
    };
    let c = groep("Iedereen doet mee");
    assert_eq!(c["opgaven"], json!([]));
    assert_eq!(c["niveauNaam"], "effect");
    let bijdragen: Vec<(&str, &str, &str)> = c["bijdragen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["onderdeel"].as_str().unwrap(),
                b["titel"].as_str().unwrap(),
                b["fase"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        bijdragen,
        [
            ("opgave", "Bewegen in de buurt", "plan"),
            ("doel", "Huiskamers voor iedereen", "plan")
        ]
    );
    let b = groep("Sterke wijken");
    assert_eq!(b["opgaven"][0]["opgaveTitel"], "Ontmoeten in de wijk");
    assert_eq!(b["bijdragen"][0]["titel"], "Bewegen in de buurt");
    assert_eq!(groep("Gezonde inwoners")["bijdragen"], json!([]));

    // A restart rebuilds the same from the log.
    let again = rebuilt(&app);
    for path in [
        format!("/groeperingen/{}", o.c),
        format!("/groeperingen/{}/opgaven", o.b),
        format!("/opgaven/{}", o.opgave),
        format!("/doelen/{}", o.doel),
    ] {
        assert_eq!(
            read(&app, &o.pm, &path),
            read(&again, &o.pm, &path),
            "{path}"
        );
    }
}

#[test]
fn the_voortgang_of_one_effect_includes_what_contributes_to_it() {
    let app = spawn();
    let o = opzet(&app);
    bijdragen(&app, &o);
    let path = format!(
        "/agendas/{}/voortgang?sindsPositie={}&groepering={}",
        o.agenda, o.voor_acties, o.c
    );
    let v = read(&app, &o.pm, &path);
    assert_eq!(v["groeperingId"], json!(o.c));
    let sections = v["groeperingen"].as_array().unwrap();
    assert_eq!(sections.len(), 1, "{v}");
    assert_eq!(sections[0]["naam"], "Iedereen doet mee");
    let opgaven = sections[0]["opgaven"].as_array().unwrap();
    let toegevoegd = |x: &Value| -> Vec<String> {
        x["actiesToegevoegd"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["omschrijving"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(opgaven[0]["titel"], "Bewegen in de buurt");
    assert_eq!(opgaven[0]["soort"], "bijdrage");
    assert_eq!(toegevoegd(&opgaven[0]), ["Beweegtuin bij het dorpshuis"]);
    assert_eq!(opgaven[1]["titel"], "Ontmoeten in de wijk");
    assert_eq!(
        opgaven[1]["viaDoelen"],
        json!(["2.1.1 Huiskamers voor iedereen"])
    );
    // Only the contributing doel's actie, not the other doel's.
    assert_eq!(toegevoegd(&opgaven[1]), ["Huiskamer in De Schakel openen"]);
    assert_eq!(v["aantalWijzigingen"], 2);

    // Without the filter every actie is there, each under its own effect.
    let all = read(
        &app,
        &o.pm,
        &format!(
            "/agendas/{}/voortgang?sindsPositie={}",
            o.agenda, o.voor_acties
        ),
    );
    assert_eq!(all["aantalWijzigingen"], 3);
    assert_eq!(all["groeperingen"].as_array().unwrap().len(), 2);

    let (status, md) = text(&app, &o.pm, &format!("{path}&formaat=markdown"));
    assert_eq!(status, 200);
    assert!(md.contains("## Effect Iedereen doet mee"), "{md}");
    assert!(
        md.contains("Draagt bij aan deze groepering via doel 2.1.1 Huiskamers voor iedereen"),
        "{md}"
    );
    assert!(md.contains("Huiskamer in De Schakel openen"), "{md}");
    assert!(!md.contains("Buurtbudget uitkeren"), "{md}");
    let (_, html) = text(&app, &o.pm, &format!("{path}&formaat=html"));
    assert!(html.contains("<h2>Effect Iedereen doet mee</h2>"), "{html}");
    let (status, atom) = text(
        &app,
        &o.pm,
        &format!("/agendas/{}/voortgang.atom?groepering={}", o.agenda, o.c),
    );
    assert_eq!(status, 200);
    assert!(
        atom.contains(&format!("voortgang:groepering:{}</id>", o.c)),
        "{atom}"
    );
    assert!(atom.contains("Huiskamer in De Schakel openen"), "{atom}");
    assert!(!atom.contains("Buurtbudget uitkeren"), "{atom}");
    // With the gemeente scope too (these acties are for the whole agenda).
    let both = read(&app, &o.pm, &format!("{path}&gemeente=Maashorst"));
    assert_eq!(both["groeperingen"], v["groeperingen"]);
    let (_, atom) = text(
        &app,
        &o.pm,
        &format!(
            "/agendas/{}/voortgang.atom?gemeente=Maashorst&groepering={}",
            o.agenda, o.c
        ),
    );
    assert!(
        atom.contains(&format!(
            "voortgang:gemeente:Maashorst:groepering:{}</id>",
            o.c
        )),
        "{atom}"
    );
    assert!(
        atom.contains(&format!(
            "voortgang.atom?gemeente=Maashorst&amp;groepering={}",
            o.c
        )),
        "{atom}"
    );

    // A groepering of another agenda is no filter of this one.
    let demo_groepering = {
        let m = app.state.projection.read();
        m.groeperingen
            .values()
            .find(|g| g.state.agenda_id.to_string() != o.agenda)
            .unwrap()
            .id
    };
    let r = request(
        &app,
        "GET",
        &format!(
            "/agendas/{}/voortgang?sindsPositie=0&groepering={demo_groepering}",
            o.agenda
        ),
        Some(&o.pm),
        &[],
        None,
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.body["invalidParams"][0]["name"], "query.groepering");
    assert_eq!(r.body["invalidParams"][0]["code"], "unknown-groepering");
}
