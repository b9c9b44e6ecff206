//! One nota for three gemeenten (made up: "Twentse Drie", Almelo, Borne,
//! Hengelo), used the way a programme manager uses it: a beheerder creates
//! the agenda with an uitvoeringsperiode for Borne and a token scoped to
//! Borne; the programmamanager of the whole agenda and Borne's create
//! acties; every view filtered with `?gemeente=`; export → import keeps the
//! gemeenten. Every request carries an explicit token.

use mag_tracker::access::Rol;
use serde_json::{json, Value};

use super::support::{plain_agent, request, spawn, Reply, TestApp};

struct Nota {
    agenda: String,
    opgave: String,
    /// Programmamanager of the whole agenda.
    pm: String,
    /// Programmamanager scoped to Borne (issued over the API).
    borne: String,
    almelo_actie: String,
    hele_agenda_actie: String,
    borne_actie: String,
}

fn send(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> Reply {
    request(app, method, path, Some(token), &[], Some(&body.to_string()))
}

fn get(app: &TestApp, path: &str, token: &str) -> Reply {
    request(app, "GET", path, Some(token), &[], None)
}

/// The body of a GET as text (Markdown, Atom, CSV).
fn text(app: &TestApp, path: &str, token: &str) -> String {
    let mut r = plain_agent()
        .get(format!("{}{path}", app.base))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "GET {path}");
    r.body_mut().read_to_string().unwrap()
}

fn created(r: Reply) -> Value {
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

/// PATCH with the resource's current ETag.
fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> Reply {
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
fn refused(app: &TestApp, r: impl FnOnce() -> Reply, status: u16, code: &str) -> Value {
    let head = app.head();
    let r = r();
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["code"], code, "{}", r.body);
    assert_eq!(app.head(), head, "a refused request appends nothing");
    r.body
}

fn omschrijvingen(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["omschrijving"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

fn nota(app: &TestApp) -> Nota {
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

#[test]
fn a_token_scoped_to_borne_creates_and_changes_only_bornes_acties_and_reads_everything() {
    let app = spawn();
    let n = nota(&app);
    let acties = format!("/opgaven/{}/acties", n.opgave);
    // naming another gemeente is not its to do
    let p = refused(
        &app,
        || {
            send(
                &app,
                "POST",
                &acties,
                &n.borne,
                json!({"omschrijving": "Almelo's", "gemeenten": ["Almelo"]}),
            )
        },
        403,
        "gemeente-scope",
    );
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("beperkt tot gemeente Borne"),
        "{p}"
    );
    // Almelo's actie and the agenda-wide one: 403 saying why
    let p = refused(
        &app,
        || {
            patch(
                &app,
                &format!("/acties/{}", n.almelo_actie),
                &n.borne,
                json!({"omschrijving": "Overgenomen"}),
            )
        },
        403,
        "gemeente-scope",
    );
    assert!(
        p["detail"].as_str().unwrap().contains("is voor Almelo"),
        "{p}"
    );
    let p = refused(
        &app,
        || {
            patch(
                &app,
                &format!("/acties/{}", n.hele_agenda_actie),
                &n.borne,
                json!({"jaar": 2025}),
            )
        },
        403,
        "gemeente-scope",
    );
    assert!(p["detail"].as_str().unwrap().contains("hele agenda"), "{p}");
    // the structure: agenda, opgaven
    for (method, path, body) in [
        (
            "PATCH",
            format!("/agendas/{}", n.agenda),
            json!({"naam": "Van Borne"}),
        ),
        (
            "PATCH",
            format!("/opgaven/{}", n.opgave),
            json!({"titel": "Van Borne"}),
        ),
        (
            "POST",
            format!("/agendas/{}/opgaven", n.agenda),
            json!({"code": "2", "titel": "Borne alleen"}),
        ),
    ] {
        let p = refused(
            &app,
            || match method {
                "PATCH" => patch(&app, &path, &n.borne, body.clone()),
                _ => send(&app, method, &path, &n.borne, body.clone()),
            },
            403,
            "gemeente-scope",
        );
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("wijzigt de indeling van de agenda niet"),
            "{p}"
        );
    }
    // its own actie it changes; giving it away is refused
    let own = format!("/acties/{}", n.borne_actie);
    let r = patch(
        &app,
        &own,
        &n.borne,
        json!({"omschrijving": "Taalcafé Borne-Noord"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["omschrijving"], "Taalcafé Borne-Noord");
    refused(
        &app,
        || patch(&app, &own, &n.borne, json!({"gemeenten": []})),
        403,
        "gemeente-scope",
    );
    // it reads the whole agenda
    let all = get(&app, &format!("/agendas/{}/acties", n.agenda), &n.borne);
    assert_eq!(
        omschrijvingen(&all.body["resultaten"]),
        [
            "Regionale campagne",
            "Schuldhulp Almelo",
            "Taalcafé Borne-Noord"
        ]
    );
}

#[test]
fn the_views_for_borne_show_bornes_and_the_agenda_wide_acties_not_almelos() {
    let app = spawn();
    let n = nota(&app);
    let (a, pm) = (&n.agenda, &n.pm);
    let expected = ["Regionale campagne", "Taalcafé Borne"];
    let list = get(&app, &format!("/agendas/{a}/acties?gemeente=BORNE"), pm);
    assert_eq!(omschrijvingen(&list.body["resultaten"]), expected);

    let o = get(&app, &format!("/agendas/{a}/overzicht?gemeente=Borne"), pm).body;
    assert_eq!(o["gemeente"], "Borne");
    assert_eq!(o["totalen"]["acties"], 2, "{o}");
    let heel = get(&app, &format!("/agendas/{a}/overzicht"), pm).body;
    assert_eq!(heel["totalen"]["acties"], 3);
    assert!(heel.get("gemeente").is_none());

    let pdca = get(
        &app,
        &format!("/opgaven/{}/pdca?gemeente=borne", n.opgave),
        pm,
    )
    .body;
    assert_eq!(pdca["gemeente"], "Borne");
    assert_eq!(pdca["aantalActies"], 2, "{pdca}");
    let zonder: Vec<&str> = pdca["actiesZonderTrekker"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["omschrijving"].as_str().unwrap())
        .collect();
    assert!(!zonder.iter().any(|o| o.contains("Almelo")), "{pdca}");

    let v = get(
        &app,
        &format!("/agendas/{a}/voortgang?sindsPositie=0&gemeente=Borne"),
        pm,
    )
    .body;
    assert_eq!(v["gemeente"], "Borne");
    let toegevoegd = &v["opgaven"][0]["actiesToegevoegd"];
    assert_eq!(omschrijvingen(toegevoegd), expected, "{v}");
    let md = text(
        &app,
        &format!("/agendas/{a}/voortgang?sindsPositie=0&gemeente=Borne&formaat=markdown"),
        pm,
    );
    assert!(
        md.starts_with("# Voortgang Gedeelde nota Twentse Drie (verzonnen) voor Borne"),
        "{md}"
    );
    assert!(
        md.contains("Taalcafé Borne") && md.contains("Regionale campagne"),
        "{md}"
    );
    assert!(!md.contains("Schuldhulp Almelo"), "{md}");
    let html = text(
        &app,
        &format!("/agendas/{a}/voortgang?sindsPositie=0&gemeente=Borne&formaat=html"),
        pm,
    );
    assert!(html.contains("Taalcafé Borne") && !html.contains("Schuldhulp Almelo"));
    let atom = text(
        &app,
        &format!("/agendas/{a}/voortgang.atom?gemeente=Borne"),
        pm,
    );
    assert!(
        atom.contains("<title>Voortgang Gedeelde nota Twentse Drie (verzonnen) voor Borne</title>"),
        "{atom}"
    );
    assert!(atom.contains("voortgang.atom?gemeente=Borne"), "{atom}");
    assert!(
        atom.contains("Taalcafé Borne") && !atom.contains("Schuldhulp Almelo"),
        "{atom}"
    );
    let alles = text(&app, &format!("/agendas/{a}/voortgang.atom"), pm);
    assert!(alles.contains("Schuldhulp Almelo"));

    let w = get(
        &app,
        &format!("/agendas/{a}/wijzigingen?gemeente=Borne"),
        pm,
    )
    .body;
    assert_eq!(omschrijvingen(&w["actiesToegevoegd"]), expected, "{w}");

    let csv = text(
        &app,
        &format!("/agendas/{a}/export?formaat=csv&gemeente=Borne"),
        pm,
    );
    assert!(csv.contains("Taalcafé Borne") && csv.contains("Regionale campagne"));
    assert!(!csv.contains("Schuldhulp Almelo"), "{csv}");
    let file = get(
        &app,
        &format!("/agendas/{a}/export?formaat=json&gemeente=Borne"),
        pm,
    )
    .body;
    let exported = &file["agenda"]["opgaven"][0]["acties"];
    assert_eq!(omschrijvingen(exported), expected);

    // an unknown gemeente: 400 naming the parameter and the choices
    for path in [
        format!("/agendas/{a}/acties?gemeente=Enschede"),
        format!("/agendas/{a}/overzicht?gemeente=Enschede"),
        format!("/opgaven/{}/pdca?gemeente=Enschede", n.opgave),
        format!("/agendas/{a}/voortgang?sindsPositie=0&gemeente=Enschede"),
        format!("/agendas/{a}/voortgang.atom?gemeente=Enschede"),
        format!("/agendas/{a}/wijzigingen?gemeente=Enschede"),
        format!("/agendas/{a}/export?gemeente=Enschede"),
    ] {
        let r = get(&app, &path, pm);
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert_eq!(
            r.body["invalidParams"][0]["name"], "query.gemeente",
            "{path}"
        );
        assert_eq!(r.body["invalidParams"][0]["code"], "unknown-gemeente");
        let reason = r.body["invalidParams"][0]["reason"].as_str().unwrap();
        assert!(
            reason.contains("kies uit Almelo, Borne, Hengelo"),
            "{reason}"
        );
    }
}

#[test]
fn an_actie_of_borne_outside_bornes_uitvoeringsperiode_is_refused() {
    let app = spawn();
    let n = nota(&app);
    let acties = format!("/opgaven/{}/acties", n.opgave);
    for token in [&n.pm, &n.borne] {
        let p = refused(
            &app,
            || {
                send(
                    &app,
                    "POST",
                    &acties,
                    token,
                    json!({"omschrijving": "Te laat", "jaar": 2027, "gemeenten": ["Borne"],
                           "geplandeStartDatum": "2027-01-01"}),
                )
            },
            400,
            "invalid-input",
        );
        let names: Vec<&str> = p["invalidParams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["body.jaar", "body.geplandeStartDatum"], "{p}");
        assert!(
            p["invalidParams"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("uitvoeringsperiode van Borne (2024-01-01 t/m 2025-12-31)"),
            "{p}"
        );
    }
    // the same year is fine for Hengelo (no period of its own)
    let r = send(
        &app,
        "POST",
        &acties,
        &n.pm,
        json!({"omschrijving": "Hengelo later", "jaar": 2027, "gemeenten": ["Hengelo"]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    // moving Almelo's actie of 2024 to Borne is fine, to 2027 then is not
    let path = format!("/acties/{}", n.almelo_actie);
    let r = patch(&app, &path, &n.pm, json!({"gemeenten": ["Borne"]}));
    assert_eq!(r.body["gemeenten"], json!(["Borne"]), "{}", r.body);
    let p = refused(
        &app,
        || patch(&app, &path, &n.pm, json!({"jaar": 2027})),
        400,
        "invalid-input",
    );
    assert_eq!(p["invalidParams"][0]["name"], "body.jaar");
    assert_eq!(p["invalidParams"][0]["code"], "outside-uitvoeringsperiode");
    // the uitvoeringsperiode itself lies in the agenda's period
    let p = refused(
        &app,
        || {
            patch(
                &app,
                &format!("/agendas/{}", n.agenda),
                &n.pm,
                json!({"uitvoeringsperioden": [
                    {"gemeente": "Hengelo", "startDatum": "2028-01-01", "eindDatum": "2030-12-31"}
                ]}),
            )
        },
        400,
        "invalid-input",
    );
    assert_eq!(
        p["invalidParams"][0]["name"],
        "body.uitvoeringsperioden[0].eindDatum"
    );
}

#[test]
fn time_travel_shows_an_actie_for_borne_before_its_gemeenten_changed() {
    let app = spawn();
    let n = nota(&app);
    let before = app.head();
    let path = format!("/acties/{}", n.hele_agenda_actie);
    let r = patch(&app, &path, &n.pm, json!({"gemeenten": ["Hengelo"]}));
    assert_eq!(r.body["gemeenten"], json!(["Hengelo"]), "{}", r.body);
    let now = get(
        &app,
        &format!("/agendas/{}/acties?gemeente=Borne", n.agenda),
        &n.pm,
    );
    assert_eq!(omschrijvingen(&now.body["resultaten"]), ["Taalcafé Borne"]);
    let then = get(
        &app,
        &format!(
            "/agendas/{}/acties?gemeente=Borne&positie={before}",
            n.agenda
        ),
        &n.pm,
    );
    assert_eq!(
        omschrijvingen(&then.body["resultaten"]),
        ["Regionale campagne", "Taalcafé Borne"]
    );
    let then = get(&app, &format!("{path}?positie={before}"), &n.pm).body;
    assert_eq!(then["gemeenten"], json!([]), "{then}");
    let o = get(
        &app,
        &format!(
            "/agendas/{}/overzicht?gemeente=Borne&positie={before}",
            n.agenda
        ),
        &n.pm,
    )
    .body;
    assert_eq!(o["totalen"]["acties"], 2, "{o}");
}

#[test]
fn export_and_import_keep_gemeenten_and_uitvoeringsperioden_in_json_and_csv() {
    let app = spawn();
    let n = nota(&app);
    let mut file = get(
        &app,
        &format!("/agendas/{}/export?formaat=json", n.agenda),
        &n.pm,
    )
    .body;
    assert_eq!(
        file["agenda"]["uitvoeringsperioden"],
        json!([{"gemeente": "Borne", "startDatum": "2024-01-01", "eindDatum": "2025-12-31"}])
    );
    file["agenda"]["naam"] = json!("Kopie Twentse Drie");
    let r = send(
        &app,
        "POST",
        "/agenda-imports",
        &app.beheerder,
        file.clone(),
    );
    let copy = created(r)["agendaId"].as_str().unwrap().to_owned();
    let mut again = get(
        &app,
        &format!("/agendas/{copy}/export?formaat=json"),
        &app.beheerder,
    )
    .body;
    again["agenda"]["naam"] = json!("Gedeelde nota Twentse Drie (verzonnen)");
    file["agenda"]["naam"] = json!("Gedeelde nota Twentse Drie (verzonnen)");
    assert_eq!(again, file, "export → import → export is lossless");

    // CSV: the gemeenten column, and the uitvoeringsperioden as a parameter
    let csv = text(
        &app,
        &format!("/agendas/{}/export?formaat=csv", n.agenda),
        &n.pm,
    );
    assert!(csv.lines().next().unwrap().ends_with(";gemeenten"));
    assert!(
        csv.contains(";Almelo\r\n") && csv.contains(";Borne\r\n"),
        "{csv}"
    );
    let query = "?naam=CSV%20Twentse%20Drie&gemeenten=Almelo,Borne,Hengelo&periodeStartDatum=2024-01-01&periodeEindDatum=2029-12-31&uitvoeringsperioden=Borne:2024-01-01/2025-12-31";
    let mut r = plain_agent()
        .post(format!("{}/agenda-imports{query}", app.base))
        .header("Authorization", format!("Bearer {}", app.beheerder))
        .header("Content-Type", "text/csv")
        .send(&csv)
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let answer: Value = r.body_mut().read_json().unwrap();
    let copy = answer["agendaId"].as_str().unwrap();
    let agenda = get(&app, &format!("/agendas/{copy}"), &app.beheerder).body;
    assert_eq!(agenda["uitvoeringsperioden"][0]["gemeente"], "Borne");
    let list = get(
        &app,
        &format!("/agendas/{copy}/acties?gemeente=Almelo"),
        &app.beheerder,
    );
    assert_eq!(
        omschrijvingen(&list.body["resultaten"]),
        ["Regionale campagne", "Schuldhulp Almelo"]
    );

    // an import naming a gemeente the agenda does not have is refused with its place
    let mut bad = file.clone();
    bad["agenda"]["naam"] = json!("Fout");
    bad["agenda"]["opgaven"][0]["acties"][0]["gemeenten"] = json!(["Enschede"]);
    bad["agenda"]["opgaven"][0]["acties"][1]["jaar"] = json!(2027);
    bad["agenda"]["opgaven"][0]["acties"][1]["gemeenten"] = json!(["Borne"]);
    let head = app.head();
    let r = send(&app, "POST", "/agenda-imports", &app.beheerder, bad);
    assert_eq!(r.status, 400, "{}", r.body);
    let names: Vec<&str> = r.body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "body.agenda.opgaven[0].acties[0].gemeenten[0]",
            "body.agenda.opgaven[0].acties[1].jaar"
        ],
        "{}",
        r.body
    );
    assert_eq!(app.head(), head);
}
