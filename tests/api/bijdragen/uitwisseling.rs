//! Contributions through export and import: the JSON agenda file
//! (`sleutel`, `bijdragenAan`) and the CSV columns, each imported again;
//! every wrong reference in a file named by its place; the example of
//! docs/model-flexibility.md.

use serde_json::{json, Value};

use super::{bijdragen, import, opzet, pairs, text, titels};
use crate::support::{plain_agent, spawn};

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
    let c_rij: Vec<&str> = lines.last().unwrap().split(';').collect();
    assert_eq!(c_rij[col("groeperingNaam")], "Iedereen doet mee");
    assert!(
        c_rij
            .iter()
            .enumerate()
            .all(|(i, c)| i == col("groeperingNaam") || c.is_empty()),
        "only the groepering: {c_rij:?}"
    );
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
    // With the indicator rows too: a contributing doel with an indicator
    // gives the same contributions in its indicator row, and imports again.
    let path = format!("/doelen/{}/indicatoren", o.doel);
    let body = json!({"naam": "Bezoekers huiskamers", "eenheid": "aantal",
        "richting": "hogerIsBeter", "streefwaarden": [{"jaar": 2025, "waarde": 200}]});
    let r = super::post(&app, &o.pm, &path, body);
    assert_eq!(r.status, 201, "{}", r.body);
    let (_, met) = text(
        &app,
        &o.pm,
        &format!("/agendas/{}/export?formaat=csv&indicatoren=true", o.agenda),
    );
    let indicator_row = met
        .lines()
        .find(|l| l.contains("Bezoekers huiskamers"))
        .unwrap();
    assert!(
        indicator_row.contains(";Iedereen doet mee;"),
        "{indicator_row}"
    );
    let q = "?naam=Met+indicatoren&gemeenten=Maashorst&periodeStartDatum=2025-01-01&periodeEindDatum=2028-12-31";
    import(&app, q, "text/csv", &met);
    // Effect C has no opgave of its own: a row with only its naam defines
    // it (last in the CSV), and the import made it from that row.
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
                "duplicate-sleutel".into()
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
fn the_example_in_the_docs_imports_with_its_contributions() {
    let app = spawn();
    let doc = include_str!("../../../docs/model-flexibility.md");
    let example = doc
        .split("## Bijdragen")
        .nth(1)
        .expect("the section Bijdragen")
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

/// An agenda without any code: contributions are named by title and
/// naam, never by an invented code, and the export round-trips them.
#[test]
fn contributions_need_no_codes() {
    let app = spawn();
    let file = json!({"formaat": "mag-tracker/agenda", "formaatVersie": 1,
        "agenda": {"naam": "Zonder codes", "gemeenten": ["Hellendoorn"],
            "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2030-12-31",
            "groeperingsniveaus": [{"enkelvoud": "thema", "meervoud": "thema's"}],
            "groeperingen": [
                {"naam": "Wonen", "opgaven": [
                    {"titel": "Levensloopbestendig bouwen", "bijdragenAan": ["Zorg"],
                     "doelen": [{"titel": "Mantelzorgwoningen", "bijdragenAan": ["Zorg"]}]}]},
                {"naam": "Zorg"}]}});
    let agenda = import(&app, "", "application/json", &file.to_string());
    let (_, list) = text(
        &app,
        &app.beheerder,
        &format!("/agendas/{agenda}/groeperingen"),
    );
    let list: Value = serde_json::from_str(&list).unwrap();
    let zorg = list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["naam"] == "Zorg")
        .unwrap();
    assert_eq!(
        titels(&zorg["onderdelen"]),
        pairs(&[
            ("Levensloopbestendig bouwen", "bijdrage"),
            ("Mantelzorgwoningen", "bijdrage")
        ])
    );
    assert!(zorg["onderdelen"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["weergavecode"].is_null()));
    let (_, export) = text(
        &app,
        &app.beheerder,
        &format!("/agendas/{agenda}/export?formaat=json"),
    );
    let export: Value = serde_json::from_str(&export).unwrap();
    let opgave = &export["agenda"]["groeperingen"][0]["opgaven"][0];
    assert_eq!(opgave["bijdragenAan"], json!(["Zorg"]));
    assert_eq!(opgave["doelen"][0]["bijdragenAan"], json!(["Zorg"]));
    assert!(opgave.get("code").is_none_or(Value::is_null), "{opgave}");
}
