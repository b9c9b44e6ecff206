//! The authorisation matrix: every write endpoint × every kind of caller →
//! the expected status, walked against the running app. The same list
//! renders the table in `docs/authorisatie.md`; the test fails when the
//! committed table differs (regenerate with `UPDATE_AUTHORISATIE=1`).
//! Every refusal must append nothing; every success must append.

use super::support::*;
use mag_tracker::access::Rol;
use serde_json::{json, Value};

/// The callers, in column order.
const CALLERS: [&str; 8] = [
    "anoniem",
    "lezer",
    "beheerder",
    "programmamanager (eigen agenda)",
    "programmamanager (andere agenda)",
    "partner: trekker van de actie",
    "partner: meewerkende partner",
    "partner: andere organisatie",
];

struct World {
    app: TestApp,
    /// Tokens in [`CALLERS`] order (None: anonymous).
    tokens: Vec<Option<String>>,
    agenda: String,
    opgave: String,
    doel: String,
    groepering: String,
    bibliotheek: String,
    taalpunt: String,
}

/// One request of a cell.
struct Call {
    method: &'static str,
    path: String,
    if_match: Option<String>,
    body: Option<String>,
}

struct Endpoint {
    method: &'static str,
    path: &'static str,
    expect: [u16; 8],
    prepare: fn(&World, usize) -> Call,
}

fn pm(w: &World) -> Option<&str> {
    Some(&w.app.pm)
}

/// The current ETag of a resource, read with the programmamanager token.
fn version(w: &World, path: &str) -> String {
    let r = request(&w.app, "GET", path, pm(w), &[], None);
    assert_eq!(r.status, 200, "GET {path}");
    r.header("etag").unwrap().to_owned()
}

/// A fresh actie: trekker Bibliotheek Twenterand, partner Taalpunt, with one
/// voortgangsbericht written by the Bibliotheek. Returns (actie, bericht).
fn fresh_actie(w: &World, n: usize) -> (String, String) {
    let body = json!({
        "omschrijving": format!("Matrixactie {n}"),
        "trekker": {"soort": "organisatie", "organisatieId": w.bibliotheek},
        "partners": [w.taalpunt],
    });
    let r = request(
        &w.app,
        "POST",
        &format!("/opgaven/{}/acties", w.opgave),
        pm(w),
        &[],
        Some(&body.to_string()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let actie = r.body["id"].as_str().unwrap().to_owned();
    let bericht = json!({"tekst": "Gestart", "auteurOrganisatieId": w.bibliotheek}).to_string();
    let r = request(
        &w.app,
        "POST",
        &format!("/acties/{actie}/voortgangsberichten"),
        pm(w),
        &[],
        Some(&bericht),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    (actie, r.body["id"].as_str().unwrap().to_owned())
}

/// Creates a resource with the programmamanager token; returns its id.
fn created(w: &World, path: &str, body: Value) -> String {
    let r = request(&w.app, "POST", path, pm(w), &[], Some(&body.to_string()));
    assert_eq!(r.status, 201, "POST {path}: {}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// A fresh indicator on the doel, owned by the Bibliotheek.
fn fresh_indicator(w: &World, n: usize) -> String {
    created(
        w,
        &format!("/doelen/{}/indicatoren", w.doel),
        json!({"naam": format!("Indicator {n}"), "eenheid": "%", "richting": "lagerIsBeter", "eigenaarOrganisatieId": w.bibliotheek}),
    )
}

/// A fresh checkmoment on the opgave.
fn fresh_checkmoment(w: &World, n: usize) -> String {
    created(
        w,
        &format!("/opgaven/{}/checkmomenten", w.opgave),
        json!({"datum": "2024-06-15", "onderwerp": format!("Check {n}")}),
    )
}

/// A fresh groepering of the agenda; when `van` names an opgave or doel
/// path (`/opgaven/{id}`), that one contributes to it already.
fn fresh_groepering(w: &World, n: usize, van: Option<&str>) -> String {
    let body = json!({"naam": format!("Effect {n}")}).to_string();
    let path = format!("/agendas/{}/groeperingen", w.agenda);
    let r = request(&w.app, "POST", &path, pm(w), &[], Some(&body));
    assert_eq!(r.status, 201, "{}", r.body);
    let g = r.body["id"].as_str().unwrap().to_owned();
    if let Some(van) = van {
        let body = json!({"groeperingId": g}).to_string();
        let path = format!("{van}/bijdragen");
        let r = request(&w.app, "POST", &path, pm(w), &[], Some(&body));
        assert_eq!(r.status, 201, "{}", r.body);
    }
    g
}

/// A contribution of `van` (`/opgaven/{id}` or `/doelen/{id}`) to a fresh
/// groepering, or the removal of one it has.
fn bijdrage(w: &World, n: usize, van: &str, remove: bool) -> Call {
    if remove {
        let g = fresh_groepering(w, n, Some(van));
        Call {
            method: "DELETE",
            path: format!("{van}/bijdragen/{g}"),
            if_match: None,
            body: None,
        }
    } else {
        let g = fresh_groepering(w, n, None);
        call(
            "POST",
            format!("{van}/bijdragen"),
            None,
            json!({"groeperingId": g}),
        )
    }
}

fn call(method: &'static str, path: String, if_match: Option<String>, body: Value) -> Call {
    Call {
        method,
        path,
        if_match,
        body: Some(body.to_string()),
    }
}

const A: u16 = 401; // anonymous
const F: u16 = 403; // forbidden

fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "POST",
            path: "/organisaties",
            expect: [A, F, 201, F, F, F, F, F],
            prepare: |_, n| {
                call(
                    "POST",
                    "/organisaties".into(),
                    None,
                    json!({"naam": format!("Organisatie {n}"), "soort": "welzijn"}),
                )
            },
        },
        Endpoint {
            method: "PATCH",
            path: "/organisaties/{id}",
            expect: [A, F, 200, F, F, F, F, F],
            prepare: |w, n| {
                let p = format!("/organisaties/{}", w.taalpunt);
                call(
                    "PATCH",
                    p.clone(),
                    Some(version(w, &p)),
                    json!({"contactadres": format!("info{n}@taalpunt.nl")}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/agendas",
            expect: [A, F, 201, F, F, F, F, F],
            prepare: |_, n| {
                call(
                    "POST",
                    "/agendas".into(),
                    None,
                    json!({"naam": format!("Agenda {n}"), "gemeenten": ["Twenterand"], "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31"}),
                )
            },
        },
        Endpoint {
            method: "PATCH",
            path: "/agendas/{id}",
            expect: [A, F, F, 200, F, F, F, F],
            prepare: |w, n| {
                let p = format!("/agendas/{}", w.agenda);
                call(
                    "PATCH",
                    p.clone(),
                    Some(version(w, &p)),
                    json!({"omschrijving": format!("Omschrijving {n}")}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/agendas/{id}/groeperingen",
            expect: [A, F, F, 201, F, F, F, F],
            prepare: |w, n| {
                call(
                    "POST",
                    format!("/agendas/{}/groeperingen", w.agenda),
                    None,
                    json!({"naam": format!("Themalijn {n}"), "niveau": 0}),
                )
            },
        },
        Endpoint {
            method: "PATCH",
            path: "/groeperingen/{id}",
            expect: [A, F, F, 200, F, F, F, F],
            prepare: |w, n| {
                let p = format!("/groeperingen/{}", w.groepering);
                call(
                    "PATCH",
                    p.clone(),
                    Some(version(w, &p)),
                    json!({"omschrijving": format!("Omschrijving {n}")}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/agendas/{id}/opgaven",
            expect: [A, F, F, 201, F, F, F, F],
            prepare: |w, n| {
                call(
                    "POST",
                    format!("/agendas/{}/opgaven", w.agenda),
                    None,
                    json!({"code": format!("9.{}", n + 1), "titel": format!("Opgave {n}")}),
                )
            },
        },
        Endpoint {
            method: "PATCH",
            path: "/opgaven/{id}",
            expect: [A, F, F, 200, F, F, F, F],
            prepare: |w, n| {
                let p = format!("/opgaven/{}", w.opgave);
                call(
                    "PATCH",
                    p.clone(),
                    Some(version(w, &p)),
                    json!({"omschrijving": format!("Omschrijving {n}")}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/opgaven/{id}/doelen",
            expect: [A, F, F, 201, F, F, F, F],
            prepare: |w, n| {
                call(
                    "POST",
                    format!("/opgaven/{}/doelen", w.opgave),
                    None,
                    json!({"titel": format!("Doel {n}")}),
                )
            },
        },
        Endpoint {
            method: "PATCH",
            path: "/doelen/{id}",
            expect: [A, F, F, 200, F, F, F, F],
            prepare: |w, n| {
                let p = format!("/doelen/{}", w.doel);
                call(
                    "PATCH",
                    p.clone(),
                    Some(version(w, &p)),
                    json!({"omschrijving": format!("Omschrijving {n}")}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/doelen/{id}/acties",
            expect: [A, F, F, 201, F, F, F, F],
            prepare: |w, n| {
                call(
                    "POST",
                    format!("/doelen/{}/acties", w.doel),
                    None,
                    json!({"omschrijving": format!("Actie {n}")}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/opgaven/{id}/acties",
            expect: [A, F, F, 201, F, F, F, F],
            prepare: |w, n| {
                call(
                    "POST",
                    format!("/opgaven/{}/acties", w.opgave),
                    None,
                    json!({"omschrijving": format!("Actie {n}")}),
                )
            },
        },
        Endpoint {
            method: "PATCH",
            path: "/acties/{id}",
            expect: [A, F, F, 200, F, F, F, F],
            prepare: |w, n| {
                let (a, _) = fresh_actie(w, n);
                let p = format!("/acties/{a}");
                call(
                    "PATCH",
                    p.clone(),
                    Some(version(w, &p)),
                    json!({"omschrijving": format!("Gewijzigd {n}")}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/acties/{id}/statuswijzigingen",
            expect: [A, F, F, 201, F, 201, F, F],
            prepare: |w, n| {
                let (a, _) = fresh_actie(w, n);
                call(
                    "POST",
                    format!("/acties/{a}/statuswijzigingen"),
                    None,
                    json!({"status": "lopend"}),
                )
            },
        },
        Endpoint {
            method: "PUT",
            path: "/acties/{id}/trekker",
            expect: [A, F, F, 200, F, F, F, F],
            prepare: |w, n| {
                let (a, _) = fresh_actie(w, n);
                call(
                    "PUT",
                    format!("/acties/{a}/trekker"),
                    Some(version(w, &format!("/acties/{a}"))),
                    json!({"soort": "groep", "naam": "Werkgroep Taal"}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/acties/{id}/voortgangsberichten",
            expect: [A, F, F, 201, F, 201, 201, F],
            prepare: |w, n| {
                let (a, _) = fresh_actie(w, n);
                call(
                    "POST",
                    format!("/acties/{a}/voortgangsberichten"),
                    None,
                    json!({"tekst": format!("Voortgang {n}")}),
                )
            },
        },
        Endpoint {
            method: "PATCH",
            path: "/acties/{id}/voortgangsberichten/{berichtId}",
            expect: [A, F, F, 200, F, 200, F, F],
            prepare: |w, n| {
                let (a, b) = fresh_actie(w, n);
                call(
                    "PATCH",
                    format!("/acties/{a}/voortgangsberichten/{b}"),
                    Some(version(w, &format!("/acties/{a}"))),
                    json!({"tekst": format!("Gecorrigeerd {n}")}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/reflecties",
            expect: [A, F, F, 201, F, 201, 201, F],
            prepare: |w, n| {
                let (a, _) = fresh_actie(w, n);
                call(
                    "POST",
                    "/reflecties".into(),
                    None,
                    json!({"over": a, "tekst": format!("Reflectie {n}")}),
                )
            },
        },
        Endpoint {
            method: "PATCH",
            path: "/reflecties/{id}",
            expect: [A, F, F, 200, F, 200, F, F],
            prepare: |w, n| {
                let (a, _) = fresh_actie(w, n);
                let r = created(
                    w,
                    "/reflecties",
                    json!({"over": a, "auteurOrganisatieId": w.bibliotheek, "tekst": "Eerste"}),
                );
                let p = format!("/reflecties/{r}");
                call(
                    "PATCH",
                    p.clone(),
                    Some(version(w, &p)),
                    json!({"tekst": format!("Gecorrigeerd {n}")}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/doelen/{id}/indicatoren",
            expect: [A, F, F, 201, F, F, F, F],
            prepare: |w, n| {
                call(
                    "POST",
                    format!("/doelen/{}/indicatoren", w.doel),
                    None,
                    json!({"naam": format!("Indicator {n}"), "eenheid": "%", "richting": "lagerIsBeter"}),
                )
            },
        },
        Endpoint {
            method: "PATCH",
            path: "/indicatoren/{id}",
            expect: [A, F, F, 200, F, F, F, F],
            prepare: |w, n| {
                let i = fresh_indicator(w, n);
                let p = format!("/indicatoren/{i}");
                call(
                    "PATCH",
                    p.clone(),
                    Some(version(w, &p)),
                    json!({"bron": format!("Bron {n}")}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/indicatoren/{id}/metingen",
            expect: [A, F, F, 201, F, 201, F, F],
            prepare: |w, n| {
                let i = fresh_indicator(w, n);
                call(
                    "POST",
                    format!("/indicatoren/{i}/metingen"),
                    None,
                    json!({"periode": "2024", "waarde": n, "status": "voorlopig"}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/opgaven/{id}/checkmomenten",
            expect: [A, F, F, 201, F, F, F, F],
            prepare: |w, n| {
                call(
                    "POST",
                    format!("/opgaven/{}/checkmomenten", w.opgave),
                    None,
                    json!({"datum": "2024-06-15", "onderwerp": format!("Check {n}")}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/agendas/{id}/checkmomenten",
            expect: [A, F, F, 201, F, F, F, F],
            prepare: |w, n| {
                call(
                    "POST",
                    format!("/agendas/{}/checkmomenten", w.agenda),
                    None,
                    json!({"datum": "2024-06-15", "onderwerp": format!("Check {n}")}),
                )
            },
        },
        Endpoint {
            method: "PATCH",
            path: "/checkmomenten/{id}",
            expect: [A, F, F, 200, F, F, F, F],
            prepare: |w, n| {
                let c = fresh_checkmoment(w, n);
                let p = format!("/checkmomenten/{c}");
                call(
                    "PATCH",
                    p.clone(),
                    Some(version(w, &p)),
                    json!({"onderwerp": format!("Gewijzigd {n}")}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/checkmomenten/{id}/bijsturingen",
            expect: [A, F, F, 201, F, F, F, F],
            prepare: |w, n| {
                let c = fresh_checkmoment(w, n);
                call(
                    "POST",
                    format!("/checkmomenten/{c}/bijsturingen"),
                    None,
                    json!({"besluit": format!("Besluit {n}"), "onderbouwing": "Evaluatie", "datum": "2024-06-20"}),
                )
            },
        },
        Endpoint {
            method: "PATCH",
            path: "/checkmomenten/{id}/bijsturingen/{bijsturingId}",
            expect: [A, F, F, 200, F, F, F, F],
            prepare: |w, n| {
                let c = fresh_checkmoment(w, n);
                let b = created(
                    w,
                    &format!("/checkmomenten/{c}/bijsturingen"),
                    json!({"besluit": "Besluit", "onderbouwing": "Evaluatie", "datum": "2024-06-20"}),
                );
                let cm = format!("/checkmomenten/{c}");
                call(
                    "PATCH",
                    format!("{cm}/bijsturingen/{b}"),
                    Some(version(w, &cm)),
                    json!({"doorgevoerd": true}),
                )
            },
        },
        Endpoint {
            method: "POST",
            path: "/tokens",
            expect: [A, F, 201, F, F, F, F, F],
            prepare: |w, n| {
                call(
                    "POST",
                    "/tokens".into(),
                    None,
                    json!({"organisatieId": w.taalpunt, "rol": "lezer", "omschrijving": format!("matrix {n}")}),
                )
            },
        },
        Endpoint {
            method: "DELETE",
            path: "/tokens/{id}",
            expect: [A, F, 204, F, F, F, F, F],
            prepare: |w, n| {
                let body = json!({"organisatieId": w.taalpunt, "rol": "lezer", "omschrijving": format!("in te trekken {n}")}).to_string();
                let r = request(
                    &w.app,
                    "POST",
                    "/tokens",
                    Some(&w.app.beheerder),
                    &[],
                    Some(&body),
                );
                assert_eq!(r.status, 201);
                Call {
                    method: "DELETE",
                    path: format!("/tokens/{}", r.body["id"].as_str().unwrap()),
                    if_match: None,
                    body: None,
                }
            },
        },
        Endpoint {
            method: "POST",
            path: "/opgaven/{id}/bijdragen",
            expect: [A, F, F, 201, F, F, F, F],
            prepare: |w, n| bijdrage(w, n, &format!("/opgaven/{}", w.opgave), false),
        },
        Endpoint {
            method: "DELETE",
            path: "/opgaven/{id}/bijdragen/{groeperingId}",
            expect: [A, F, F, 204, F, F, F, F],
            prepare: |w, n| bijdrage(w, n, &format!("/opgaven/{}", w.opgave), true),
        },
        Endpoint {
            method: "POST",
            path: "/doelen/{id}/bijdragen",
            expect: [A, F, F, 201, F, F, F, F],
            prepare: |w, n| bijdrage(w, n, &format!("/doelen/{}", w.doel), false),
        },
        Endpoint {
            method: "DELETE",
            path: "/doelen/{id}/bijdragen/{groeperingId}",
            expect: [A, F, F, 204, F, F, F, F],
            prepare: |w, n| bijdrage(w, n, &format!("/doelen/{}", w.doel), true),
        },
        Endpoint {
            method: "POST",
            path: "/agenda-imports",
            expect: [A, F, 201, F, F, F, F, F],
            prepare: |_, _| Call {
                method: "POST",
                path: "/agenda-imports".into(),
                if_match: None,
                body: Some(include_str!("../../src/demo/twenterand-2024.json").to_owned()),
            },
        },
    ]
}

fn world() -> World {
    let app = spawn();
    let agenda = agenda_id(&app);
    // a second agenda, for a programmamanager of another agenda
    let other = json!({"naam": "Andere agenda", "gemeenten": ["Elders"], "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31"});
    let r = request(
        &app,
        "POST",
        "/agendas",
        Some(&app.beheerder),
        &[],
        Some(&other.to_string()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let other: uuid::Uuid = r.body["id"].as_str().unwrap().parse().unwrap();
    let pm_token = Some(app.pm.clone());
    let tokens = vec![
        None,
        Some(app.token(Rol::Lezer, "Gemeente Twenterand", vec![])),
        Some(app.beheerder.clone()),
        pm_token,
        Some(app.token(Rol::Programmamanager, "Gemeente Twenterand", vec![other])),
        Some(app.token(Rol::Partner, "Bibliotheek Twenterand", vec![])),
        Some(app.token(Rol::Partner, "Taalpunt", vec![])),
        Some(app.token(Rol::Partner, "Mijande", vec![])),
    ];
    let opgave = app
        .als_pm()
        .get(&format!("/agendas/{agenda}/opgaven?code=2.5"))
        .1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doel = app.als_pm().get(&format!("/opgaven/{opgave}/doelen")).1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let groepering = app
        .als_pm()
        .get(&format!("/agendas/{agenda}/groeperingen"))
        .1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bibliotheek = organisatie_id(&app.state, "Bibliotheek Twenterand").to_string();
    let taalpunt = organisatie_id(&app.state, "Taalpunt").to_string();
    World {
        app,
        tokens,
        agenda,
        opgave,
        doel,
        groepering,
        bibliotheek,
        taalpunt,
    }
}

/// The table as committed in `docs/authorisatie.md`.
fn table(endpoints: &[Endpoint]) -> String {
    let mut out = format!(
        "| endpoint | {} |\n|---|{}\n",
        CALLERS.join(" | "),
        "---|".repeat(CALLERS.len())
    );
    for e in endpoints {
        let cells: Vec<String> = e.expect.iter().map(u16::to_string).collect();
        out.push_str(&format!(
            "| `{} /v1{}` | {} |\n",
            e.method,
            e.path,
            cells.join(" | ")
        ));
    }
    out
}

#[test]
fn every_write_endpoint_for_every_caller_gives_the_documented_status() {
    let endpoints = endpoints();
    // the committed table is this list
    let doc_path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/authorisatie.md");
    let doc = std::fs::read_to_string(doc_path).unwrap_or_default();
    let (start, end) = ("<!-- matrix:start -->\n", "<!-- matrix:end -->");
    let generated = table(&endpoints);
    if std::env::var_os("UPDATE_AUTHORISATIE").is_some() {
        let (before, rest) = doc
            .split_once(start)
            .expect("docs/authorisatie.md has the matrix markers");
        let (_, after) = rest.split_once(end).unwrap();
        std::fs::write(doc_path, format!("{before}{start}{generated}{end}{after}")).unwrap();
    } else {
        assert!(
            doc.contains(&format!("{start}{generated}{end}")),
            "docs/authorisatie.md's matrix is stale: run `UPDATE_AUTHORISATIE=1 cargo test --test api matrix` and commit it"
        );
    }

    let w = world();
    let mut failures = Vec::new();
    let mut n = 0;
    for e in &endpoints {
        for (col, expected) in e.expect.iter().enumerate() {
            n += 1;
            let c = (e.prepare)(&w, n);
            assert_eq!(c.method, e.method);
            let before = w.app.head();
            let headers: Vec<(&str, &str)> = c
                .if_match
                .iter()
                .map(|v| ("If-Match", v.as_str()))
                .collect();
            let r = request(
                &w.app,
                c.method,
                &c.path,
                w.tokens[col].as_deref(),
                &headers,
                c.body.as_deref(),
            );
            let appended = w.app.head() > before;
            let ok = r.status == *expected
                && appended == (r.status < 300)
                && (r.status < 400
                    || r.header("content-type")
                        .is_some_and(|t| t.starts_with("application/problem+json")))
                && (r.status != 403 || r.body["detail"].as_str().is_some_and(|d| d.len() > 20));
            if !ok {
                failures.push(format!(
                    "{} {} as {}: expected {expected}, got {} (appended: {appended}) {}",
                    e.method, e.path, CALLERS[col], r.status, r.body
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
