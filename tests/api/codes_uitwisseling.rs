//! Agendas without codes or with local codes through the import file (JSON
//! and CSV): they load, export and load again without loss; a spreadsheet
//! without any code column builds its tree from the titles.

use std::rc::Rc;

use serde_json::{json, Value};

use crate::codes::Pm;
use crate::support::{plain_agent, rebuilt, spawn, TestApp};

/// One groepering with a code (local opgaven and doelen; under doel 1 an
/// uncoded result and a result with local code 2, beside the opgave's own
/// doel 2) and one without; an uncoded opgave at the agenda level.
/// Every level holds an actie, so the CSV (a row per actie) carries all.
fn agenda_file(naam: &str) -> Value {
    let actie = |o: &str| json!({"omschrijving": o, "jaar": 2025});
    let doelen = |opgave: &str| {
        json!([
            {"code": "1", "titel": format!("Doel 1 van {opgave}"), "subdoelen": [
                {"titel": format!("Resultaat van {opgave}"), "acties": [actie(&format!("Resultaatactie {opgave}"))]},
                {"code": "2", "titel": format!("Tweede resultaat van {opgave}"), "acties": [actie(&format!("Tweede resultaatactie {opgave}"))]}
            ]},
            {"code": "2", "titel": format!("Doel 2 van {opgave}"), "acties": [actie(&format!("Doelactie {opgave}"))]}
        ])
    };
    json!({
        "formaat": "mag-tracker/agenda",
        "formaatVersie": 1,
        "agenda": {
            "naam": naam,
            "gemeenten": ["Twenterand"],
            "periodeStartDatum": "2025-01-01",
            "periodeEindDatum": "2026-12-31",
            "groeperingsniveaus": [{"enkelvoud": "thema", "meervoud": "themas"}],
            "groeperingen": [
                {"code": "A", "naam": "Gezond", "opgaven": [
                    {"code": "1", "titel": "Bewegen", "doelen": doelen("Bewegen")},
                    {"code": "2", "titel": "Roken", "doelen": doelen("Roken")}
                ]},
                {"naam": "Veilig", "opgaven": [
                    {"titel": "Buurten", "acties": [actie("Buurtpreventie")]}
                ]}
            ],
            "opgaven": [{"titel": "Wonen", "doelen": [
                {"titel": "Betaalbaar", "acties": [actie("Woonvisie")]}
            ]}]
        }
    })
}

/// POST /agenda-imports as the beheerder; the new agenda's id.
fn import(app: &TestApp, content_type: &str, query: &str, body: &[u8]) -> (u16, Value) {
    let mut r = plain_agent()
        .post(format!("{}/agenda-imports{query}", app.base))
        .header("Authorization", format!("Bearer {}", app.beheerder))
        .header("Content-Type", content_type)
        .send(body)
        .unwrap();
    (r.status().as_u16(), r.body_mut().read_json().unwrap())
}

fn imported(app: &TestApp, content_type: &str, query: &str, body: &[u8]) -> String {
    let (status, body) = import(app, content_type, query, body);
    assert_eq!(status, 201, "{body}");
    body["agendaId"].as_str().unwrap().to_owned()
}

/// Removes what differs between two loads of the same agenda (its name).
fn tree(mut export: Value) -> Value {
    export["agenda"]["naam"] = Value::Null;
    export["agenda"].clone()
}

const CSV_QUERY: &str = "?naam=Terug&gemeenten=Twenterand&periodeStartDatum=2025-01-01&periodeEindDatum=2026-12-31&groeperingsniveau=thema";

/// The CSV rows without the columns a new load changes (actieId,
/// statusSindsDatum, laatstGewijzigdTijdstip).
fn rows(csv: &str) -> Vec<String> {
    csv.lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(';').collect();
            [&cells[..8], &cells[9..18], &cells[20..]]
                .concat()
                .join(";")
        })
        .collect()
}

#[test]
fn an_agenda_with_local_codes_and_none_round_trips_through_json_and_csv() {
    let app = Rc::new(spawn());
    let file = agenda_file("Lokaal en zonder");
    let a = imported(&app, "application/json", "", file.to_string().as_bytes());
    let pm = Pm::for_agenda(app.clone(), a.clone());
    let export = pm.get(&format!("/agendas/{a}/export?formaat=json"));
    let gezond = &export["agenda"]["groeperingen"][0];
    let roken = &gezond["opgaven"][1];
    assert_eq!(
        (&roken["weergavecode"], &roken["doelen"][0]["weergavecode"]),
        (&json!("A.2"), &json!("A.2.1"))
    );
    assert_eq!(
        roken["doelen"][0]["subdoelen"][1]["weergavecode"],
        json!(null)
    );
    let buurten = &export["agenda"]["groeperingen"][1]["opgaven"][0];
    assert_eq!(
        (&buurten["code"], &buurten["titel"]),
        (&json!(null), &json!("Buurten"))
    );
    // Kenmerken by the nearest weergavecode, else a number in the agenda.
    let kenmerk = |v: &Value| v["acties"][0]["kenmerk"].clone();
    assert_eq!(kenmerk(&roken["doelen"][1]), json!("A.2.2-1"));
    assert_eq!(
        kenmerk(&roken["doelen"][0]["subdoelen"][1]),
        json!("A.2.1-1")
    );
    // A result numbered 2 under doel 1 is not the opgave's doel 2 (coded
    // results come before uncoded ones).
    let tweede = &roken["doelen"][0]["subdoelen"][0];
    assert_eq!(
        (&tweede["weergavecode"], kenmerk(tweede)),
        (&json!("A.2.1.2"), json!("A.2.1.2-1"))
    );
    assert_eq!(kenmerk(buurten), json!("1"));

    // JSON: the export loads again (its weergavecodes agree) to the same
    // tree, also as read by a server restarted on the same log.
    let again = imported(&app, "application/json", "", export.to_string().as_bytes());
    let second = Pm::for_agenda(Rc::new(rebuilt(&app)), again.clone());
    let export2 = second.get(&format!("/agendas/{again}/export?formaat=json"));
    assert_eq!(tree(export2), tree(export.clone()));

    // CSV: export, load, export again: the same rows.
    let csv = pm.text(&format!("/agendas/{a}/export?formaat=csv"));
    let b = imported(&app, "text/csv", CSV_QUERY, csv.as_bytes());
    let third = Pm::for_agenda(Rc::new(rebuilt(&app)), b.clone());
    let csv2 = third.text(&format!("/agendas/{b}/export?formaat=csv"));
    assert_eq!(rows(&csv2), rows(&csv));
    assert_eq!(csv.lines().count(), 9, "a header and eight acties");
}

#[test]
fn a_spreadsheet_without_code_columns_builds_the_tree_from_titles() {
    let app = spawn();
    let csv = "groeperingNaam;opgaveTitel;doelTitel;bovenliggendDoelTitel;omschrijving;jaar\r\n\
        Gezond;Bewegen;Meer sporten;;Sportdag;2025\r\n\
        Gezond;Bewegen;Sportakkoord;Meer sporten;Akkoord tekenen;2025\r\n\
        Gezond;Bewegen;;;Beweegcoach;2025\r\n\
        Veilig;Bewegen;;;Veilig fietsen;2025\r\n\
        ;Wonen;Betaalbaar;;Woonvisie;2025\r\n";
    let a = imported(&app, "text/csv", CSV_QUERY, csv.as_bytes());
    let pm = Pm::for_agenda(Rc::new(app), a.clone());
    let groepen = pm.list(&format!("/agendas/{a}/groeperingen"), "naam");
    assert_eq!(groepen, [json!("Gezond"), json!("Veilig")]);
    // The same title in two groeperingen is two opgaven.
    let opgaven = pm.get(&format!("/agendas/{a}/opgaven"))["resultaten"].clone();
    let names: Vec<(Value, Value, Value)> = opgaven
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["titel"].clone(),
                o["groeperingNaam"].clone(),
                o["aantalActies"].clone(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (json!("Bewegen"), json!("Gezond"), json!(3)),
            (json!("Bewegen"), json!("Veilig"), json!(1)),
            (json!("Wonen"), json!(null), json!(1)),
        ]
    );
    let bewegen = opgaven[0]["id"].as_str().unwrap();
    let doelen = pm.get(&format!("/opgaven/{bewegen}/doelen"))["resultaten"].clone();
    let tree: Vec<(Value, bool)> = doelen
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["titel"].clone(), d["bovenliggendDoelId"].is_string()))
        .collect();
    assert_eq!(
        tree,
        [
            (json!("Meer sporten"), false),
            (json!("Sportakkoord"), true)
        ]
    );
}

#[test]
fn an_import_refuses_a_code_twice_among_siblings_and_names_where() {
    let app = spawn();
    let head = app.head();
    let mut file = agenda_file("Dubbel");
    // Doel 2 of Roken becomes a second doel 1 (in other case: "1" vs "1").
    file["agenda"]["groeperingen"][0]["opgaven"][1]["doelen"][1]["code"] = json!("1");
    // A second groepering "a" beside "A".
    file["agenda"]["groeperingen"][1]["code"] = json!("a");
    let (status, p) = import(&app, "application/json", "", file.to_string().as_bytes());
    assert_eq!(status, 400, "{p}");
    let found: Vec<(String, String)> = p["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["name"].as_str().unwrap().into(),
                x["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "body.agenda.groeperingen[0].opgaven[1].doelen[1].code".into(),
                "duplicate-code".into()
            ),
            (
                "body.agenda.groeperingen[1].code".into(),
                "duplicate-code".into()
            ),
        ]
    );
    assert_eq!(app.head(), head, "nothing appended");
}

/// The import numbers acties by the same kenmerk rule as the API: doel `1`
/// of opgaven named by title only is no reference (every such opgave has
/// one), so its acties get numbers within the agenda, in file order.
#[test]
fn an_imported_doel_1_of_opgaven_without_codes_gives_plain_kenmerken() {
    let app = Rc::new(spawn());
    let actie = |o: &str| json!({"omschrijving": o, "jaar": 2025});
    let opgave = |titel: &str| {
        json!({"titel": titel, "doelen": [
            {"code": "1", "titel": format!("Doel 1 van {titel}"),
             "acties": [actie(&format!("{titel} een")), actie(&format!("{titel} twee"))]}
        ]})
    };
    let file = json!({
        "formaat": "mag-tracker/agenda",
        "formaatVersie": 1,
        "agenda": {
            "naam": "Doelen per opgave genummerd",
            "gemeenten": ["Twenterand"],
            "periodeStartDatum": "2025-01-01",
            "periodeEindDatum": "2026-12-31",
            "opgaven": [opgave("Bewegen"), opgave("Roken")]
        }
    });
    let a = imported(&app, "application/json", "", file.to_string().as_bytes());
    let pm = Pm::for_agenda(app.clone(), a.clone());
    let export = pm.get(&format!("/agendas/{a}/export?formaat=json"));
    let kenmerken: Vec<(Value, Value)> = export["agenda"]["opgaven"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["doelen"][0]["acties"].as_array().unwrap().clone())
        .map(|a| (a["kenmerk"].clone(), a["omschrijving"].clone()))
        .collect();
    assert_eq!(
        kenmerken,
        [
            (json!("1"), json!("Bewegen een")),
            (json!("2"), json!("Bewegen twee")),
            (json!("3"), json!("Roken een")),
            (json!("4"), json!("Roken twee")),
        ]
    );
    // The doel keeps its own code on display.
    assert_eq!(
        export["agenda"]["opgaven"][1]["doelen"][0]["weergavecode"],
        json!("1")
    );
}
