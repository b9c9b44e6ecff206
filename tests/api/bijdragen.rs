//! Bijdragen (issue 18, variation 2): an opgave under one maatschappelijk
//! effect contributes to two others, and a doel to an effect other than its
//! opgave's, as a programme manager sets it up and reads it back: the
//! groepering, its opgaven, the overzicht, the voortgang of one effect,
//! export and re-import, the audittrail, time travel and a restart; every
//! refusal changes nothing. Every request carries its token explicitly.

use mag_tracker::access::Rol;
use serde_json::{json, Value};

use super::support::{plain_agent, rebuilt, request, spawn, Reply, TestApp};

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

fn titels(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["titel"].as_str().unwrap().to_owned(),
                x["soort"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
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
    assert_eq!(opgaven[1]["viaDoelen"], json!(["Huiskamers voor iedereen"]));
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
        md.contains("Draagt bij aan deze groepering via doel Huiskamers voor iedereen"),
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

#[test]
fn export_carries_the_contributions_and_imports_them_again() {
    let app = spawn();
    let o = opzet(&app);
    bijdragen(&app, &o);

    let (_, json_text) = text(
        &app,
        &o.pm,
        &format!("/agendas/{}/export?formaat=json", o.agenda),
    );
    let file: Value = serde_json::from_str(&json_text).unwrap();
    let groepen = &file["agenda"]["groeperingen"];
    let sleutel = |naam: &str| -> Value {
        groepen
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["naam"] == naam)
            .unwrap()["sleutel"]
            .clone()
    };
    assert_eq!(sleutel("Sterke wijken"), "Sterke wijken");
    assert_eq!(sleutel("Iedereen doet mee"), "Iedereen doet mee");
    assert_eq!(sleutel("Gezonde inwoners"), Value::Null, "not referenced");
    let opgave = &groepen[0]["opgaven"][0];
    assert_eq!(opgave["titel"], "Bewegen in de buurt");
    assert_eq!(
        opgave["bijdragenAan"],
        json!(["Sterke wijken", "Iedereen doet mee"])
    );
    let doel = &groepen[1]["opgaven"][0]["doelen"][0];
    assert_eq!(doel["bijdragenAan"], json!(["Iedereen doet mee"]));

    // Re-import under another name: the same tree, the same contributions.
    let mut copy_file = file.clone();
    copy_file["agenda"]["naam"] = json!("Samen gezond (kopie)");
    let copy = import(&app, "", "application/json", &copy_file.to_string());
    let (_, again) = text(
        &app,
        &app.beheerder,
        &format!("/agendas/{copy}/export?formaat=json"),
    );
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(
        again["agenda"]["groeperingen"],
        file["agenda"]["groeperingen"]
    );

    // CSV: the contributions by naam, in their own columns.
    let (_, csv) = text(
        &app,
        &o.pm,
        &format!("/agendas/{}/export?formaat=csv", o.agenda),
    );
    let lines: Vec<&str> = csv.trim_start_matches('\u{FEFF}').lines().collect();
    let header: Vec<&str> = lines[0].split(';').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row = |omschrijving: &str| -> Vec<&str> {
        lines
            .iter()
            .find(|l| l.contains(omschrijving))
            .unwrap()
            .split(';')
            .collect()
    };
    let beweegtuin = row("Beweegtuin");
    assert_eq!(
        beweegtuin[col("opgaveBijdragenAan")],
        "Sterke wijken | Iedereen doet mee"
    );
    let huiskamer = row("Huiskamer in De Schakel");
    assert_eq!(huiskamer[col("doelBijdragenAan")], "Iedereen doet mee");
    assert_eq!(row("Buurtbudget")[col("doelBijdragenAan")], "");
    let q = "?naam=Uit+CSV&gemeenten=Maashorst&periodeStartDatum=2025-01-01&periodeEindDatum=2028-12-31";
    let uit_csv = import(&app, q, "text/csv", &csv);
    let (_, csv_again) = text(
        &app,
        &app.beheerder,
        &format!("/agendas/{uit_csv}/export?formaat=csv"),
    );
    let without_ids = |csv: &str| -> Vec<String> {
        let lines: Vec<&str> = csv.lines().collect();
        let header: Vec<&str> = lines[0].split(';').collect();
        lines
            .iter()
            .map(|l| {
                l.split(';')
                    .zip(&header)
                    .filter(|(_, h)| !["actieId", "laatstGewijzigdTijdstip"].contains(h))
                    .map(|(c, _)| c)
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .collect()
    };
    assert_eq!(without_ids(&csv_again), without_ids(&csv));
    // Effect C has no opgave of its own: the CSV import made it by its naam.
    let (_, groeperingen) = text(
        &app,
        &app.beheerder,
        &format!("/agendas/{uit_csv}/groeperingen"),
    );
    let groeperingen: Value = serde_json::from_str(&groeperingen).unwrap();
    let c = groeperingen["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["naam"] == "Iedereen doet mee")
        .unwrap();
    assert_eq!(
        titels(&c["onderdelen"]),
        pairs(&[
            ("Bewegen in de buurt", "bijdrage"),
            ("Huiskamers voor iedereen", "bijdrage")
        ])
    );
}

#[test]
fn an_import_names_every_wrong_reference_by_its_place() {
    let app = spawn();
    let file = json!({"formaat": "mag-tracker/agenda", "formaatVersie": 1,
        "agenda": {"naam": "Fout", "gemeenten": ["X"],
            "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31",
            "groeperingsniveaus": [{"enkelvoud": "thema", "meervoud": "thema's"}],
            "groeperingen": [
                {"naam": "Wonen", "sleutel": "w", "opgaven": [
                    {"code": "1", "titel": "Huizen", "bijdragenAan": ["w", "Zorg", "Onbekend", "Zorg"]}]},
                {"naam": "Zorg"},
                {"naam": "Werk"}, {"naam": "Werk", "sleutel": "w"}],
            "opgaven": [{"code": "2", "titel": "Los", "doelen": [
                {"code": "2.1", "titel": "Doel", "bijdragenAan": ["Werk"]}]}]}});
    let head = app.head();
    let mut r = plain_agent()
        .post(format!("{}/agenda-imports", app.base))
        .header("Authorization", format!("Bearer {}", app.beheerder))
        .header("Content-Type", "application/json")
        .send(file.to_string())
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let problem: Value = r.body_mut().read_json().unwrap();
    let mut found: Vec<(String, String)> = problem["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    let o = "body.agenda.groeperingen[0].opgaven[0].bijdragenAan";
    assert_eq!(
        found,
        [
            (format!("{o}[0]"), "primary-groepering".to_owned()),
            (format!("{o}[2]"), "unknown-groepering".into()),
            (format!("{o}[3]"), "duplicate-bijdrage".into()),
            (
                "body.agenda.groeperingen[3].sleutel".into(),
                "duplicate".into()
            ),
            (
                "body.agenda.opgaven[0].doelen[0].bijdragenAan[0]".into(),
                "ambiguous-groepering".into()
            ),
        ],
        "{problem}"
    );
    assert_eq!(app.head(), head, "nothing imported");
}

#[test]
fn removing_a_contribution_keeps_it_in_history_and_the_audittrail() {
    let app = spawn();
    let o = opzet(&app);
    bijdragen(&app, &o);
    let voor = app.head();
    let r = request(
        &app,
        "DELETE",
        &format!("/opgaven/{}/bijdragen/{}", o.opgave, o.c),
        Some(&o.pm),
        &[("X-Audit-Toelichting", "Past beter bij Sterke wijken")],
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let c = read(&app, &o.pm, &format!("/groeperingen/{}", o.c));
    assert_eq!(
        titels(&c["onderdelen"]),
        pairs(&[("Huiskamers voor iedereen", "bijdrage")])
    );
    let opgave = read(&app, &o.pm, &format!("/opgaven/{}", o.opgave));
    assert_eq!(opgave["bijdragen"][0]["naam"], "Sterke wijken");
    assert_eq!(opgave["bijdragen"].as_array().unwrap().len(), 1);

    // As it was before the removal.
    let c = read(
        &app,
        &o.pm,
        &format!("/groeperingen/{}?positie={voor}", o.c),
    );
    assert_eq!(
        titels(&c["onderdelen"]),
        pairs(&[
            ("Bewegen in de buurt", "bijdrage"),
            ("Huiskamers voor iedereen", "bijdrage")
        ])
    );
    let list = read(
        &app,
        &o.pm,
        &format!("/groeperingen/{}/opgaven?positie={voor}", o.c),
    );
    assert_eq!(list["totaal"], 1);
    let past = read(
        &app,
        &o.pm,
        &format!("/opgaven/{}?positie={voor}", o.opgave),
    );
    assert_eq!(past["bijdragen"].as_array().unwrap().len(), 2);

    let trail = read(&app, &o.pm, &format!("/opgaven/{}/audittrail", o.opgave));
    let entries = trail["resultaten"].as_array().unwrap();
    let soorten: Vec<&str> = entries
        .iter()
        .map(|e| e["soortWijziging"].as_str().unwrap())
        .collect();
    assert_eq!(
        soorten,
        [
            "aangemaakt",
            "bijdrage toegevoegd",
            "bijdrage toegevoegd",
            "bijdrage verwijderd"
        ]
    );
    assert_eq!(entries[2]["gebeurtenisType"], "OpgaveBijdrageToegevoegd");
    assert_eq!(entries[2]["toelichting"], "Bewegen verbindt ook");
    assert_eq!(entries[2]["wijzigingen"][0]["veld"], "bijdragen");
    assert_eq!(
        entries[2]["wijzigingen"][0]["nieuwWeergave"],
        "2, Iedereen doet mee"
    );
    assert_eq!(entries[3]["gebeurtenisType"], "OpgaveBijdrageVerwijderd");
    assert_eq!(entries[3]["toelichting"], "Past beter bij Sterke wijken");
    assert_eq!(entries[3]["wijzigingen"][0]["nieuwWeergave"], "2");
    // The agenda's change report lists each contribution that began or ended.
    let w = read(
        &app,
        &o.pm,
        &format!(
            "/agendas/{}/wijzigingen?sindsPositie={}",
            o.agenda, o.voor_acties
        ),
    );
    let regels: Vec<(&str, &str, &str, &str)> = w["bijdragen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["soort"].as_str().unwrap(),
                r["onderdeel"].as_str().unwrap(),
                r["titel"].as_str().unwrap(),
                r["groeperingNaam"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        regels,
        [
            (
                "toegevoegd",
                "opgave",
                "Bewegen in de buurt",
                "Sterke wijken"
            ),
            (
                "toegevoegd",
                "opgave",
                "Bewegen in de buurt",
                "Iedereen doet mee"
            ),
            (
                "toegevoegd",
                "doel",
                "Huiskamers voor iedereen",
                "Iedereen doet mee"
            ),
            (
                "verwijderd",
                "opgave",
                "Bewegen in de buurt",
                "Iedereen doet mee"
            ),
        ]
    );
    let trail = read(&app, &o.pm, &format!("/doelen/{}/audittrail", o.doel));
    assert_eq!(
        trail["resultaten"][1]["gebeurtenisType"],
        "DoelBijdrageToegevoegd"
    );

    // Moving the opgave into a groepering it contributes to ends that
    // contribution in the same write.
    let etag = opgave["versie"].to_string();
    let r = request(
        &app,
        "PATCH",
        &format!("/opgaven/{}", o.opgave),
        Some(&o.pm),
        &[("If-Match", &format!("\"{etag}\""))],
        Some(&json!({"groeperingId": o.b}).to_string()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["groeperingNaam"], "Sterke wijken");
    assert_eq!(r.body["bijdragen"], json!([]));

    // So does moving a doel to an opgave of a groepering it contributes
    // to: the doel 2.1.1 contributes to C, and goes to an opgave in C.
    let path = format!("/agendas/{}/opgaven", o.agenda);
    let body = json!({"code": "3.1", "titel": "Meedoen", "groeperingId": o.c});
    let in_c = ok(post(&app, &o.pm, &path, body), 201, "opgave in C")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doel = read(&app, &o.pm, &format!("/doelen/{}", o.doel));
    let etag = format!("\"{}\"", doel["versie"]);
    let r = request(
        &app,
        "PATCH",
        &format!("/doelen/{}", o.doel),
        Some(&o.pm),
        &[("If-Match", &etag)],
        Some(&json!({"opgaveId": in_c, "code": "3.1.1"}).to_string()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["bijdragen"], json!([]));
    let c = read(&app, &o.pm, &format!("/groeperingen/{}", o.c));
    assert_eq!(titels(&c["onderdelen"]), pairs(&[("Meedoen", "primair")]));
}

/// Method, path, token, body, the status and the code refused with.
type Refusal<'a> = (&'a str, String, &'a str, Option<Value>, u16, &'a str);

#[test]
fn refused_contributions_change_nothing() {
    let app = spawn();
    let o = opzet(&app);
    bijdragen(&app, &o);
    let demo_groepering = {
        let m = app.state.projection.read();
        m.groeperingen
            .values()
            .find(|g| g.state.agenda_id.to_string() != o.agenda)
            .unwrap()
            .id
            .to_string()
    };
    let partner = app.token(Rol::Partner, "Gemeente Twenterand", vec![]);
    let opgave = format!("/opgaven/{}/bijdragen", o.opgave);
    let doel = format!("/doelen/{}/bijdragen", o.doel);
    let unknown = uuid::Uuid::now_v7();
    let cases: Vec<Refusal> = vec![
        (
            "POST",
            opgave.clone(),
            &o.pm,
            Some(json!({"groeperingId": demo_groepering})),
            400,
            "unknown-groepering",
        ),
        (
            "POST",
            opgave.clone(),
            &o.pm,
            Some(json!({"groeperingId": o.a})),
            409,
            "primary-groepering",
        ),
        (
            "POST",
            doel.clone(),
            &o.pm,
            Some(json!({"groeperingId": o.b})),
            409,
            "primary-groepering",
        ),
        (
            "POST",
            opgave.clone(),
            &o.pm,
            Some(json!({"groeperingId": o.c})),
            409,
            "duplicate-bijdrage",
        ),
        (
            "POST",
            format!("/opgaven/{unknown}/bijdragen"),
            &o.pm,
            Some(json!({"groeperingId": o.c})),
            404,
            "not-found",
        ),
        (
            "POST",
            opgave.clone(),
            &o.pm,
            Some(json!({"groeperingId": "geen-id", "extra": 1})),
            400,
            "invalid-input",
        ),
        (
            "DELETE",
            format!("{doel}/{}", o.b),
            &o.pm,
            None,
            404,
            "not-found",
        ),
        (
            "POST",
            opgave.clone(),
            &partner,
            Some(json!({"groeperingId": o.b})),
            403,
            "forbidden",
        ),
        (
            "DELETE",
            format!("{opgave}/{}", o.c),
            &partner,
            None,
            403,
            "forbidden",
        ),
    ];
    let before = read(&app, &o.pm, &format!("/groeperingen/{}", o.c));
    for (method, path, token, body, status, code) in cases {
        let head = app.head();
        let body = body.map(|b| b.to_string());
        let r = request(&app, method, &path, Some(token), &[], body.as_deref());
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        let got = r.body["code"].as_str().unwrap_or_default().to_owned();
        let named: Vec<&str> = r.body["invalidParams"]
            .as_array()
            .map(|p| p.iter().filter_map(|x| x["code"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            got == code || named.contains(&code),
            "{method} {path}: {}",
            r.body
        );
        if status == 400 {
            assert!(
                r.body["invalidParams"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["name"] == "body.groeperingId"),
                "{}",
                r.body
            );
        }
        if status == 409 || status == 404 {
            assert!(
                r.body["detail"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty() && !d.contains("error")),
                "{}",
                r.body
            );
        }
        assert_eq!(app.head(), head, "{method} {path} appended nothing");
    }
    assert_eq!(read(&app, &o.pm, &format!("/groeperingen/{}", o.c)), before);
    // A stale If-Match is a 412, also here (the doel is at version 2).
    let r = request(
        &app,
        "POST",
        &doel,
        Some(&o.pm),
        &[("If-Match", "\"1\"")],
        Some(&json!({"groeperingId": o.a}).to_string()),
    );
    assert_eq!(r.status, 412, "{}", r.body);
}

#[test]
fn the_example_in_the_docs_imports_with_its_contributions() {
    let app = spawn();
    let doc = include_str!("../../docs/model-flexibility.md");
    let example = doc
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a JSON example in docs/model-flexibility.md");
    let agenda = import(&app, "", "application/json", example);
    let (_, list) = text(
        &app,
        &app.beheerder,
        &format!("/agendas/{agenda}/groeperingen"),
    );
    let list: Value = serde_json::from_str(&list).unwrap();
    let meedoen = list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["naam"] == "Iedereen doet mee")
        .unwrap();
    assert_eq!(
        titels(&meedoen["onderdelen"]),
        pairs(&[
            ("Bewegen in de buurt", "bijdrage"),
            ("Huiskamers voor iedereen", "bijdrage")
        ])
    );
}
