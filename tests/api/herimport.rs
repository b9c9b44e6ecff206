//! Property: whatever sequence of structural writes the API accepts
//! (groeperingen renumbered; opgaven, doelen and sub-doelen created,
//! renumbered, moved, dropped;
//! acties created under an opgave or a doel and moved), the agenda stays
//! consistent, and its own JSON and CSV exports import into a new agenda
//! that has the same tree: codes, titles, parent relations, whether an
//! opgave or doel is vervallen (and why), actie kenmerken and omschrijvingen.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

use mag_tracker::access::Rol;

use crate::support::*;

#[derive(Debug, Clone)]
enum Op {
    Opgave {
        nr: u8,
        in_groepering: bool,
    },
    Doel {
        opgave: usize,
        nr: Option<u8>,
    },
    Subdoel {
        doel: usize,
        nr: Option<u8>,
    },
    RenumberOpgave {
        opgave: usize,
        nr: u8,
    },
    RenumberDoel {
        doel: usize,
        nr: u8,
    },
    MoveDoel {
        doel: usize,
        opgave: usize,
        nr: Option<u8>,
    },
    Vervallen {
        opgave: bool,
        idx: usize,
    },
    Actie {
        under: usize,
        doel: bool,
    },
    MoveActie {
        actie: usize,
        to: usize,
        doel: bool,
    },
    /// One of the agenda's two groeperingen gets a code (`1` to `3`; the
    /// opgaven in it are `1.x`, so codes written out below it follow), or
    /// loses it.
    RenumberGroepering {
        tweede: bool,
        nr: Option<u8>,
    },
    /// An opgave or doel contributes to (or stops contributing to) one of
    /// the agenda's two groeperingen.
    Bijdrage {
        doel: bool,
        idx: usize,
        tweede: bool,
        weg: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let i = || 0usize..16;
    prop_oneof![
        3 => (1u8..6, any::<bool>()).prop_map(|(nr, in_groepering)| Op::Opgave { nr, in_groepering }),
        3 => (i(), proptest::option::weighted(0.8, 1u8..5)).prop_map(|(opgave, nr)| Op::Doel { opgave, nr }),
        2 => (i(), proptest::option::of(1u8..4)).prop_map(|(doel, nr)| Op::Subdoel { doel, nr }),
        2 => (i(), 1u8..8).prop_map(|(opgave, nr)| Op::RenumberOpgave { opgave, nr }),
        2 => (i(), 1u8..6).prop_map(|(doel, nr)| Op::RenumberDoel { doel, nr }),
        2 => (any::<bool>(), proptest::option::weighted(0.8, 1u8..4)).prop_map(|(tweede, nr)| Op::RenumberGroepering { tweede, nr }),
        2 => (i(), i(), proptest::option::of(1u8..6)).prop_map(|(doel, opgave, nr)| Op::MoveDoel { doel, opgave, nr }),
        1 => (any::<bool>(), i()).prop_map(|(opgave, idx)| Op::Vervallen { opgave, idx }),
        4 => (i(), any::<bool>()).prop_map(|(under, doel)| Op::Actie { under, doel }),
        1 => (i(), i(), any::<bool>()).prop_map(|(actie, to, doel)| Op::MoveActie { actie, to, doel }),
        5 => (any::<bool>(), i(), any::<bool>(), proptest::bool::weighted(0.2))
            .prop_map(|(doel, idx, tweede, weg)| Op::Bijdrage { doel, idx, tweede, weg }),
    ]
}

const WOORDEN: [&str; 6] = [
    "Taalcafé",
    "huisbezoeken",
    "Ervaringsdeskundigen",
    "schuldhulp",
    "Overleg; met \"partners\"",
    "een regel\nverder",
];

/// Ids created in one case, and a counter for unique titles.
#[derive(Default)]
struct Built {
    opgaven: Vec<String>,
    doelen: Vec<String>,
    acties: Vec<String>,
    /// Each actie's kenmerk when it was created.
    kenmerken: Vec<String>,
    n: usize,
}

fn pick(v: &[String], i: usize) -> Option<&String> {
    (!v.is_empty()).then(|| &v[i % v.len()])
}

fn code_of(pm: Caller, path: &str) -> (Option<String>, String, Value) {
    let r = pm.call("GET", path, &[], None);
    assert_eq!(r.status, 200, "GET {path}");
    (r.body["code"].as_str().map(str::to_owned), r.etag, r.body)
}

/// Performs one write; any answer but a 5xx is fine (a refused write
/// changes nothing, which the export comparison then also shows).
fn perform(pm: Caller, agenda: &str, groeperingen: &[String; 2], b: &mut Built, op: &Op) {
    let groepering = &groeperingen[0];
    b.n += 1;
    let n = b.n;
    let r = match op {
        Op::Opgave { nr, in_groepering } => {
            let mut body = json!({"code": format!("1.{nr}"), "titel": format!("Opgave {n}")});
            if *in_groepering {
                body["groeperingId"] = json!(groepering);
            }
            let r = pm.post(&format!("/agendas/{agenda}/opgaven"), &body);
            if r.status == 201 {
                b.opgaven.push(r.id());
            }
            r
        }
        Op::Doel { opgave, nr } => {
            let Some(o) = pick(&b.opgaven, *opgave) else {
                return;
            };
            let (code, _, _) = code_of(pm, &format!("/opgaven/{o}"));
            let mut body = json!({"titel": format!("Doel {n}")});
            if let (Some(c), Some(nr)) = (code, nr) {
                body["code"] = json!(format!("{c}.{nr}"));
            }
            let r = pm.post(&format!("/opgaven/{o}/doelen"), &body);
            if r.status == 201 {
                b.doelen.push(r.id());
            }
            r
        }
        Op::Subdoel { doel, nr } => {
            let Some(d) = pick(&b.doelen, *doel) else {
                return;
            };
            let (code, _, body) = code_of(pm, &format!("/doelen/{d}"));
            let opgave = body["opgaveId"].as_str().unwrap().to_owned();
            let mut req = json!({"titel": format!("Subdoel {n}"), "bovenliggendDoelId": d});
            if let (Some(c), Some(nr)) = (code, nr) {
                req["code"] = json!(format!("{c}.{nr}"));
            }
            let r = pm.post(&format!("/opgaven/{opgave}/doelen"), &req);
            if r.status == 201 {
                b.doelen.push(r.id());
            }
            r
        }
        Op::RenumberOpgave { opgave, nr } => {
            let Some(o) = pick(&b.opgaven, *opgave) else {
                return;
            };
            let (_, etag, _) = code_of(pm, &format!("/opgaven/{o}"));
            pm.patch(
                &format!("/opgaven/{o}"),
                &etag,
                &json!({"code": format!("1.{nr}")}),
            )
        }
        Op::RenumberDoel { doel, nr } => {
            let Some(d) = pick(&b.doelen, *doel) else {
                return;
            };
            let (_, etag, body) = code_of(pm, &format!("/doelen/{d}"));
            let code = format!("{}.{nr}", body["opgaveCode"].as_str().unwrap());
            pm.patch(&format!("/doelen/{d}"), &etag, &json!({"code": code}))
        }
        Op::MoveDoel { doel, opgave, nr } => {
            let (Some(d), Some(o)) = (pick(&b.doelen, *doel), pick(&b.opgaven, *opgave)) else {
                return;
            };
            let (_, etag, _) = code_of(pm, &format!("/doelen/{d}"));
            let (ocode, _, _) = code_of(pm, &format!("/opgaven/{o}"));
            let mut body = json!({"opgaveId": o});
            if let (Some(c), Some(nr)) = (ocode, nr) {
                body["code"] = json!(format!("{c}.{nr}"));
            }
            pm.patch(&format!("/doelen/{d}"), &etag, &body)
        }
        Op::Vervallen { opgave, idx } => {
            let (list, kind) = if *opgave {
                (&b.opgaven, "opgaven")
            } else {
                (&b.doelen, "doelen")
            };
            let Some(id) = pick(list, *idx) else { return };
            let (_, etag, _) = code_of(pm, &format!("/{kind}/{id}"));
            pm.patch(
                &format!("/{kind}/{id}"),
                &etag,
                &json!({"status": "vervallen", "reden": "Bijsturing"}),
            )
        }
        Op::Actie { under, doel } => {
            let path = if *doel {
                let Some(d) = pick(&b.doelen, *under) else {
                    return;
                };
                format!("/doelen/{d}/acties")
            } else {
                let Some(o) = pick(&b.opgaven, *under) else {
                    return;
                };
                format!("/opgaven/{o}/acties")
            };
            let omschrijving = format!("{} {n}", WOORDEN[n % WOORDEN.len()]);
            let r = pm.post(&path, &json!({"omschrijving": omschrijving}));
            if r.status == 201 {
                b.acties.push(r.id());
                b.kenmerken
                    .push(r.body["kenmerk"].as_str().unwrap().to_owned());
            }
            r
        }
        Op::MoveActie { actie, to, doel } => {
            let Some(a) = pick(&b.acties, *actie) else {
                return;
            };
            let (_, etag, _) = code_of(pm, &format!("/acties/{a}"));
            let body = if *doel {
                let Some(d) = pick(&b.doelen, *to) else {
                    return;
                };
                json!({"doelId": d})
            } else {
                let Some(o) = pick(&b.opgaven, *to) else {
                    return;
                };
                json!({"opgaveId": o, "doelId": null})
            };
            pm.patch(&format!("/acties/{a}"), &etag, &body)
        }
        Op::RenumberGroepering { tweede, nr } => {
            let g = &groeperingen[usize::from(*tweede)];
            let (_, etag, _) = code_of(pm, &format!("/groeperingen/{g}"));
            let code = nr.map(|n| n.to_string());
            pm.patch(
                &format!("/groeperingen/{g}"),
                &etag,
                &json!({ "code": code }),
            )
        }
        Op::Bijdrage {
            doel,
            idx,
            tweede,
            weg,
        } => {
            let (list, kind) = if *doel {
                (&b.doelen, "doelen")
            } else {
                (&b.opgaven, "opgaven")
            };
            let Some(id) = pick(list, *idx) else { return };
            let g = &groeperingen[usize::from(*tweede)];
            if *weg {
                pm.call("DELETE", &format!("/{kind}/{id}/bijdragen/{g}"), &[], None)
            } else {
                pm.post(
                    &format!("/{kind}/{id}/bijdragen"),
                    &json!({ "groeperingId": g }),
                )
            }
        }
    };
    assert!(r.status < 500, "{op:?}: {:?}", r.body);
}

fn text(pm: Caller, path: &str) -> String {
    let mut r = pm.agent().get(pm.url(path)).call().unwrap();
    assert_eq!(r.status().as_u16(), 200, "GET {path}");
    r.body_mut().read_to_string().unwrap()
}

/// Imports as the beheerder; the new agenda's id.
fn import(app: &TestApp, query: &str, content_type: &str, body: &str) -> String {
    let beheerder = app.als_beheerder();
    let mut r = beheerder
        .agent()
        .post(beheerder.url(&format!("/agenda-imports{query}")))
        .header("Content-Type", content_type)
        .send(body)
        .unwrap();
    let status = r.status().as_u16();
    let answer: Value = r.body_mut().read_json().unwrap();
    assert_eq!(
        status, 201,
        "the product's own export imports: {answer}\n{body}"
    );
    answer["agendaId"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| answer["id"].as_str().unwrap().to_owned())
}

/// Every doel code lies under its opgave's code, at every depth.
fn assert_consistent(opgaven: &Value) {
    for o in opgaven.as_array().into_iter().flatten() {
        let oc = o["code"].as_str().unwrap();
        let mut stack: Vec<&Value> = o["doelen"].as_array().into_iter().flatten().collect();
        while let Some(d) = stack.pop() {
            if let Some(c) = d["code"].as_str() {
                assert!(
                    c.starts_with(&format!("{oc}.")),
                    "doel {c} under opgave {oc}"
                );
            }
            stack.extend(d["subdoelen"].as_array().into_iter().flatten());
        }
    }
}

/// Every opgave and doel of an agenda as the API shows it, by titel (the
/// titles are unique in a case): code, status and vervalreden.
fn states(pm: Caller, agenda: &str) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut put = |v: &Value| {
        out.insert(
            v["titel"].as_str().unwrap().to_owned(),
            format!("{} {} {}", v["code"], v["status"], v["vervalreden"]),
        );
    };
    let opgaven = pm.call(
        "GET",
        &format!("/agendas/{agenda}/opgaven?pageSize=500"),
        &[],
        None,
    );
    assert_eq!(opgaven.status, 200);
    for o in opgaven.body["resultaten"].as_array().unwrap() {
        put(o);
        let id = o["id"].as_str().unwrap();
        let doelen = pm.call(
            "GET",
            &format!("/opgaven/{id}/doelen?pageSize=500"),
            &[],
            None,
        );
        assert_eq!(doelen.status, 200);
        for d in doelen.body["resultaten"].as_array().unwrap() {
            put(d);
        }
    }
    out
}

/// The CSV rows as far as they describe the tree.
fn tree_rows(csv: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(csv.trim_start_matches('\u{FEFF}').as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let columns = [
        "groeperingCode",
        "groeperingNaam",
        "opgaveCode",
        "opgaveTitel",
        "doelCode",
        "doelTitel",
        "bovenliggendDoelCode",
        "bovenliggendDoelTitel",
        "kenmerk",
        "omschrijving",
        "opgaveVervalreden",
        "doelVervalreden",
        "bovenliggendDoelVervalreden",
        "opgaveBijdragenAan",
        "doelBijdragenAan",
        "bovenliggendDoelBijdragenAan",
    ];
    let index: Vec<usize> = columns
        .iter()
        .map(|c| {
            headers
                .iter()
                .position(|h| h == c)
                .unwrap_or_else(|| panic!("column {c}"))
        })
        .collect();
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            index.iter().map(|i| r[*i].to_owned()).collect()
        })
        .collect();
    rows.sort();
    rows
}

/// A programmamanager token of Gemeente Twenterand for this one agenda
/// (the tokens of spawn time do not list agendas made in the test).
fn pm_of(app: &TestApp, agenda: &str) -> String {
    app.token(
        Rol::Programmamanager,
        "Gemeente Twenterand",
        vec![agenda.parse().unwrap()],
    )
}

fn run_case(app: &TestApp, ops: &[Op]) {
    let agenda = app.als_beheerder().post(
        "/agendas",
        &json!({"naam": "Eigenschap", "gemeenten": ["Voorbeeld"],
            "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31",
            "groeperingsniveaus": [{"enkelvoud": "effect", "meervoud": "effecten"}]}),
    );
    assert_eq!(agenda.status, 201);
    let agenda = agenda.id();
    let token = pm_of(app, &agenda);
    let pm = app.als(&token);
    let groepering = |naam: &str| {
        pm.post(
            &format!("/agendas/{agenda}/groeperingen"),
            &json!({ "naam": naam }),
        )
        .id()
    };
    let groeperingen = [groepering("Iedereen doet mee"), groepering("Sterke wijken")];
    let mut built = Built::default();
    for op in ops {
        perform(pm, &agenda, &groeperingen, &mut built, op);
    }

    // Every actie keeps the kenmerk it was created with, whatever moved or
    // was renumbered since; no two share one.
    for (id, kenmerk) in built.acties.iter().zip(&built.kenmerken) {
        let (_, _, now) = code_of(pm, &format!("/acties/{id}"));
        assert_eq!(now["kenmerk"].as_str(), Some(kenmerk.as_str()), "{ops:?}");
    }
    let mut unique = built.kenmerken.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), built.kenmerken.len(), "{ops:?}");

    // JSON: export → import → export gives the same tree.
    let json_export = text(pm, &format!("/agendas/{agenda}/export?formaat=json"));
    let before: Value = serde_json::from_str(&json_export).unwrap();
    assert_consistent(&before["agenda"]["opgaven"]);
    for g in before["agenda"]["groeperingen"].as_array().unwrap() {
        assert_consistent(&g["opgaven"]);
    }
    let copy = import(app, "", "application/json", &json_export);
    let copy_token = pm_of(app, &copy);
    let copy_pm = app.als(&copy_token);
    let after: Value = serde_json::from_str(&text(
        copy_pm,
        &format!("/agendas/{copy}/export?formaat=json"),
    ))
    .unwrap();
    assert_eq!(
        after["agenda"], before["agenda"],
        "JSON round trip of {ops:?}"
    );
    let original = states(pm, &agenda);
    assert_eq!(
        states(copy_pm, &copy),
        original,
        "JSON round trip (vervallen state) of {ops:?}"
    );

    // CSV: export → import → export gives the same rows (one per actie,
    // with the whole path above it).
    let csv_export = text(pm, &format!("/agendas/{agenda}/export?formaat=csv"));
    if tree_rows(&csv_export).is_empty() {
        return; // a CSV without acties describes no agenda
    }
    let q =
        "?naam=Kopie&gemeenten=Voorbeeld&periodeStartDatum=2025-01-01&periodeEindDatum=2025-12-31";
    let copy = import(app, q, "text/csv", &csv_export);
    let copy_token = pm_of(app, &copy);
    let copy_pm = app.als(&copy_token);
    let again = text(copy_pm, &format!("/agendas/{copy}/export?formaat=csv"));
    assert_eq!(
        tree_rows(&again),
        tree_rows(&csv_export),
        "CSV round trip of {ops:?}"
    );
    // The CSV holds the opgaven and doelen its acties name, each as in the
    // original (vervallen or not).
    for (titel, state) in states(copy_pm, &copy) {
        assert_eq!(
            Some(&state),
            original.get(&titel),
            "CSV round trip (vervallen state) of {titel} in {ops:?}"
        );
    }
}

#[test]
fn any_sequence_of_structural_writes_keeps_the_agenda_consistent_and_its_exports_reimport() {
    let app = spawn();
    let mut runner = TestRunner::new(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&proptest::collection::vec(op(), 4..40), |ops| {
            run_case(&app, &ops);
            Ok(())
        })
        .unwrap();
}

/// A vervallen opgave and doel (with an actie under each) leave the JSON
/// and the CSV export with their reason and are vervallen again after an
/// import; an empty reason in a file is refused with its path.
#[test]
fn vervallen_opgaven_and_doelen_stay_vervallen_through_export_and_import() {
    let app = spawn();
    let agenda = app
        .als_beheerder()
        .post(
            "/agendas",
            &json!({"naam": "Vervallen", "gemeenten": ["Voorbeeld"],
            "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31"}),
        )
        .id();
    let token = pm_of(&app, &agenda);
    let pm = app.als(&token);
    let o1 = pm
        .post(
            &format!("/agendas/{agenda}/opgaven"),
            &json!({"code": "1.1", "titel": "Blijft"}),
        )
        .id();
    let o2 = pm
        .post(
            &format!("/agendas/{agenda}/opgaven"),
            &json!({"code": "1.2", "titel": "Vervalt"}),
        )
        .id();
    let d = pm
        .post(
            &format!("/opgaven/{o1}/doelen"),
            &json!({"code": "1.1.1", "titel": "Doel vervalt"}),
        )
        .id();
    assert_eq!(
        pm.post(
            &format!("/doelen/{d}/acties"),
            &json!({"omschrijving": "Onder het doel"})
        )
        .status,
        201
    );
    assert_eq!(
        pm.post(
            &format!("/opgaven/{o2}/acties"),
            &json!({"omschrijving": "Onder de opgave"})
        )
        .status,
        201
    );
    for (path, reden) in [
        (format!("/opgaven/{o2}"), "Opgegaan in 1.1"),
        (format!("/doelen/{d}"), "Bereikt; niet meer nodig"),
    ] {
        let (_, etag, _) = code_of(pm, &path);
        let r = pm.patch(
            &path,
            &etag,
            &json!({"status": "vervallen", "reden": reden}),
        );
        assert_eq!(r.status, 200, "{:?}", r.body);
    }

    let json_export = text(pm, &format!("/agendas/{agenda}/export?formaat=json"));
    let file: Value = serde_json::from_str(&json_export).unwrap();
    let opgaven = &file["agenda"]["opgaven"];
    assert_eq!(opgaven[0]["vervalreden"], Value::Null, "{file}");
    assert_eq!(
        opgaven[0]["doelen"][0]["vervalreden"],
        "Bereikt; niet meer nodig"
    );
    assert_eq!(opgaven[1]["vervalreden"], "Opgegaan in 1.1");
    let copy = import(&app, "", "application/json", &json_export);
    let expected = std::collections::BTreeMap::from([
        ("Blijft".to_owned(), "\"1.1\" \"actief\" null".to_owned()),
        (
            "Doel vervalt".to_owned(),
            "\"1.1.1\" \"vervallen\" \"Bereikt; niet meer nodig\"".to_owned(),
        ),
        (
            "Vervalt".to_owned(),
            "\"1.2\" \"vervallen\" \"Opgegaan in 1.1\"".to_owned(),
        ),
    ]);
    assert_eq!(states(pm, &agenda), expected);
    let copy_token = pm_of(&app, &copy);
    assert_eq!(states(app.als(&copy_token), &copy), expected);

    let csv_export = text(pm, &format!("/agendas/{agenda}/export?formaat=csv"));
    let header = csv_export.lines().next().unwrap();
    assert!(
        header.contains(";opgaveVervalreden;doelVervalreden;bovenliggendDoelVervalreden;")
            && header
                .ends_with(";opgaveBijdragenAan;doelBijdragenAan;bovenliggendDoelBijdragenAan"),
        "{header}"
    );
    assert!(
        csv_export.contains(";Opgegaan in 1.1;;;;;;\r\n"),
        "{csv_export}"
    );
    assert!(
        csv_export.contains(";;\"Bereikt; niet meer nodig\";;;;;\r\n"),
        "{csv_export}"
    );
    let q =
        "?naam=Kopie&gemeenten=Voorbeeld&periodeStartDatum=2025-01-01&periodeEindDatum=2025-12-31";
    let copy = import(&app, q, "text/csv", &csv_export);
    let copy_token = pm_of(&app, &copy);
    assert_eq!(states(app.als(&copy_token), &copy), expected);

    // An empty reason is refused with its place in the file.
    let mut bad = file.clone();
    bad["agenda"]["naam"] = json!("Nog een");
    bad["agenda"]["opgaven"][1]["vervalreden"] = json!("  ");
    let beheerder = app.als_beheerder();
    let mut r = beheerder
        .agent()
        .post(beheerder.url("/agenda-imports"))
        .header("Content-Type", "application/json")
        .send(bad.to_string())
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let problem: Value = r.body_mut().read_json().unwrap();
    assert_eq!(
        problem["invalidParams"][0]["name"], "body.agenda.opgaven[1].vervalreden",
        "{problem}"
    );
    assert_eq!(problem["invalidParams"][0]["code"], "required");
}
