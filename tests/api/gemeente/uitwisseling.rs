//! A shared nota through export and import, JSON and CSV.

use serde_json::{json, Value};

use super::{created, get, nota, omschrijvingen, send, text};
use crate::support::{plain_agent, spawn};

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
    // (the three bijdragen columns of issue 18 follow gemeenten, empty here)
    assert!(csv.lines().next().unwrap().contains(";gemeenten;"));
    assert!(
        csv.contains(";Almelo;;;\r\n") && csv.contains(";Borne;;;\r\n"),
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

    // the CSV's uitvoeringsperioden are named as the query parameter they came from
    let base = "?naam=CSV%20fout&gemeenten=Almelo,Borne&periodeStartDatum=2024-01-01&periodeEindDatum=2029-12-31";
    for (extra, name) in [
        (
            "&uitvoeringsperioden=Enschede:2024-01-01/2025-12-31",
            "query.uitvoeringsperioden[0].gemeente",
        ),
        ("&uitvoeringsperioden=Borne", "query.uitvoeringsperioden"),
    ] {
        let head = app.head();
        let mut r = plain_agent()
            .post(format!("{}/agenda-imports{base}{extra}", app.base))
            .header("Authorization", format!("Bearer {}", app.beheerder))
            .header("Content-Type", "text/csv")
            .send(&csv)
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        let p: Value = r.body_mut().read_json().unwrap();
        assert_eq!(p["invalidParams"][0]["name"], name, "{p}");
        assert_eq!(app.head(), head);
    }

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
