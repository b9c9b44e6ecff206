//! The made-up nota shared by Beekdal, Heuvelrand and Veenmond: three
//! lettered effecten, opgaven without code, doelen numbered 1..n within
//! each opgave with unnumbered results under them, an opgave contributing
//! to two further effecten, acties per gemeente within each gemeente's
//! uitvoeringsperiode, indicator values per gemeente for the same period,
//! a whole-period streefwaarde, an indicator without one, and a
//! programmamanager token scoped to one gemeente.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::support::{organisatie_id, rebuilt, request, spawn};

const GEZOND: &str = "Gezond en veilig opgroeien";
const RONDKOMEN: &str = "Iedereen kan rondkomen en meedoen";

fn by_titel<'a>(list: &'a [Value], titel: &str) -> &'a Value {
    list.iter()
        .find(|v| v["titel"] == titel || v["naam"] == titel)
        .unwrap_or_else(|| panic!("{titel} in {list:?}"))
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

fn names(v: &Value) -> Vec<String> {
    let mut out = titles(v.as_array().unwrap(), "naam");
    out.sort();
    out
}

fn rows(o: &Value) -> Vec<(String, Value)> {
    o["groepen"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| {
            g["opgaven"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |r| (g["naam"].as_str().unwrap_or_default().to_owned(), r.clone()))
        })
        .collect()
}

#[test]
fn shared_nota_of_three_gemeenten_reads_per_gemeente() {
    let app = spawn();
    let l = load(&app, GEDEELD, "Gemeente Beekdal");
    let counts = [
        "groeperingen",
        "opgaven",
        "doelen",
        "acties",
        "organisaties",
    ]
    .map(|k| l.summary[k].clone());
    assert_eq!(counts, [3, 3, 11, 7, 8].map(Value::from), "{}", l.summary);
    let (a, pm) = (l.agenda.as_str(), l.pm.as_str());
    let agenda = read(&app, pm, &format!("/agendas/{a}"));
    assert_eq!(
        agenda["uitvoeringsperioden"].as_array().unwrap().len(),
        3,
        "{agenda}"
    );
    assert!(agenda["uitvoeringsperioden"]
        .to_string()
        .contains("2027-01-01"));

    // Structure: lettered effecten, opgaven without code, local doel numbers.
    let effecten = read(&app, pm, &format!("/agendas/{a}/groeperingen"));
    let effecten = effecten["resultaten"].as_array().unwrap().clone();
    assert_eq!(titles(&effecten, "code"), ["A", "B", "C"]);
    let list = opgaven(&app, &l);
    assert!(list
        .iter()
        .all(|o| o["code"].is_null() && o["weergavecode"].is_null()));
    let gezond = by_titel(&list, GEZOND).clone();
    assert_eq!(
        names(&read(&app, pm, &format!("/opgaven/{}", id(&gezond)))["bijdragen"]),
        ["Kinderen groeien veilig op", "Meer inwoners doen mee"]
    );
    let doelen = read(&app, pm, &format!("/opgaven/{}/doelen", id(&gezond)));
    let doelen = doelen["resultaten"].as_array().unwrap().clone();
    let (top, sub): (Vec<&Value>, Vec<&Value>) = doelen
        .iter()
        .partition(|d| d["bovenliggendDoelId"].is_null());
    assert_eq!(
        top.iter().map(|d| d["code"].as_str()).collect::<Vec<_>>(),
        [Some("1"), Some("2")]
    );
    assert_eq!(
        top.iter()
            .map(|d| d["weergavecode"].as_str())
            .collect::<Vec<_>>(),
        [Some("1"), Some("2")]
    );
    assert_eq!(sub.len(), 3);
    assert!(
        sub.iter().all(|d| d["code"].is_null()),
        "results are unnumbered"
    );
    let rondkomen = by_titel(&list, RONDKOMEN).clone();
    let doelen_b = read(&app, pm, &format!("/opgaven/{}/doelen", id(&rondkomen)));
    let schulden_doel = by_titel(
        doelen_b["resultaten"].as_array().unwrap(),
        "Minder huishoudens met problematische schulden",
    )
    .clone();
    assert_eq!(
        doelen_b["resultaten"][0]["code"], "1",
        "every opgave has its own doel 1"
    );
    assert_eq!(
        names(&schulden_doel["bijdragen"]),
        ["Inwoners leven gezonder"]
    );

    // What contributes to effect B: its own opgave and, as bijdrage, GEZOND.
    let b = by_titel(&effecten, "Meer inwoners doen mee");
    let aan_b = read(&app, pm, &format!("/groeperingen/{}/opgaven", id(b)));
    let soort: BTreeMap<String, String> = aan_b["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["titel"].as_str().unwrap().to_owned(),
                o["soort"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        soort,
        BTreeMap::from([
            (GEZOND.to_owned(), "bijdrage".to_owned()),
            (RONDKOMEN.to_owned(), "primair".to_owned())
        ])
    );
    let o = overzicht(&app, pm, a);
    assert_eq!(
        o["totalen"]["opgaven"], 3,
        "a contribution is no second opgave"
    );
    // Each effect's section lists what contributes to it from elsewhere.
    let section = |naam: &str| {
        let groepen = o["groepen"].as_array().unwrap();
        let g = groepen.iter().find(|g| g["naam"] == naam).unwrap();
        titles(g["bijdragen"].as_array().unwrap(), "titel")
    };
    assert_eq!(section("Meer inwoners doen mee"), [GEZOND], "{o}");
    assert_eq!(section("Kinderen groeien veilig op"), [GEZOND], "{o}");
    assert_eq!(
        section("Inwoners leven gezonder"),
        ["Minder huishoudens met problematische schulden"],
        "{o}"
    );

    // Acties per gemeente: its own plus the ones for the whole agenda.
    for (gemeente, n) in [("Beekdal", 4), ("Heuvelrand", 5), ("Veenmond", 4)] {
        let acties = read(
            &app,
            pm,
            &format!("/agendas/{a}/acties?gemeente={gemeente}"),
        );
        assert_eq!(acties["totaal"], n, "{gemeente}: {acties}");
    }
    let r = request(
        &app,
        "GET",
        &format!("/agendas/{a}/acties?gemeente=Almelo"),
        Some(pm),
        &[],
        None,
    );
    assert_eq!(
        (r.status, r.body["invalidParams"][0]["name"].as_str()),
        (400, Some("query.gemeente"))
    );
    assert!(
        r.body.to_string().contains("Heuvelrand"),
        "names the agenda's gemeenten: {}",
        r.body
    );

    // One indicator, one value per gemeente for 2025, side by side.
    let beweging_doel = top[0]["id"].as_str().unwrap();
    let list_i = read(&app, pm, &format!("/doelen/{beweging_doel}/indicatoren"));
    let beweging = list_i["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let metingen = read(&app, pm, &format!("/indicatoren/{beweging}/metingen"));
    let per_gemeente: BTreeMap<String, f64> = metingen["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["gemeente"].as_str().unwrap().to_owned(),
                m["waarde"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        per_gemeente,
        BTreeMap::from([
            ("Beekdal".into(), 58.0),
            ("Heuvelrand".into(), 52.0),
            ("Veenmond".into(), 61.0)
        ])
    );
    let view = read(&app, pm, &format!("/indicatoren/{beweging}?jaar=2025"));
    let text = view.to_string();
    assert!(
        ["Beekdal", "Heuvelrand", "Veenmond"]
            .iter()
            .all(|g| text.contains(g)),
        "{view}"
    );
    assert!(
        view["streefwaarden"][0]["jaar"].is_null(),
        "65% for the whole period: {view}"
    );

    // Judged for 2025: Heuvelrand (52, below the nulmeting) is named; with
    // ?gemeente=Veenmond only Veenmond counts; no streefwaarde is no signal.
    let o = read(&app, pm, &format!("/agendas/{a}/overzicht?jaar=2025"));
    let rows25 = rows(&o);
    let row = |t: &str| {
        rows25
            .iter()
            .find(|(_, r)| r["opgaveTitel"] == t)
            .unwrap()
            .1
            .clone()
    };
    assert!(
        row(GEZOND)["redenen"].to_string().contains("Heuvelrand"),
        "{o}"
    );
    let rondkomen25 = row(RONDKOMEN).to_string();
    assert!(
        !rondkomen25.contains("niet op koers") && !rondkomen25.contains("nietOpKoers"),
        "no streefwaarde yet is no signal: {o}"
    );
    let pdca = read(
        &app,
        pm,
        &format!("/opgaven/{}/pdca?jaar=2025&gemeente=Veenmond", id(&gezond)),
    );
    assert!(
        !pdca["redenen"].to_string().contains("Heuvelrand"),
        "{pdca}"
    );

    // The voortgang shows each gemeente's value and filters by gemeente.
    let md = markdown(&app, pm, &format!("/agendas/{a}/voortgang?sindsPositie=0"));
    for (g, w) in [("Beekdal", "58"), ("Heuvelrand", "52"), ("Veenmond", "61")] {
        assert!(
            md.lines().any(|line| line.contains(g) && line.contains(w)),
            "{g} {w}: {md}"
        );
    }
    let veenmond = markdown(
        &app,
        pm,
        &format!("/agendas/{a}/voortgang?sindsPositie=0&gemeente=Veenmond"),
    );
    assert!(
        veenmond.contains("Vroegsignalering met woningcorporatie")
            && !veenmond.contains("Beweegcoach"),
        "{veenmond}"
    );

    // A programmamanager of Heuvelrand only: its own acties, not Beekdal's.
    let body = json!({"organisatieId": organisatie_id(&app.state, "Gemeente Heuvelrand"), "rol": "programmamanager",
        "omschrijving": "Uitvoering Heuvelrand", "agendas": [a], "gemeente": "Heuvelrand"});
    let r = request(
        &app,
        "POST",
        "/tokens",
        Some(&app.beheerder),
        &[],
        Some(&body.to_string()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let heuvelrand = r.body["token"].as_str().unwrap().to_owned();
    let path = format!("/doelen/{beweging_doel}/acties");
    let eigen = json!({"omschrijving": "Schoolzwemmen voor groep 5 in Heuvelrand", "jaar": 2026})
        .to_string();
    let r = request(&app, "POST", &path, Some(&heuvelrand), &[], Some(&eigen));
    assert_eq!(
        (r.status, &r.body["gemeenten"]),
        (201, &json!(["Heuvelrand"])),
        "{}",
        r.body
    );
    let ander =
        json!({"omschrijving": "Iets voor Beekdal", "jaar": 2026, "gemeenten": ["Beekdal"]})
            .to_string();
    assert_eq!(
        request(&app, "POST", &path, Some(&heuvelrand), &[], Some(&ander)).status,
        403
    );

    let export = round_trip(&app, &l);
    let mut file: Value = serde_json::from_str(GEDEELD).unwrap();
    // the export now also holds the actie Heuvelrand added
    let added = json!({"omschrijving": "Schoolzwemmen voor groep 5 in Heuvelrand", "jaar": 2026, "gemeenten": ["Heuvelrand"], "trekker": null, "partners": [], "status": "gepland"});
    file["agenda"]["groeperingen"][0]["opgaven"][0]["doelen"][0]["acties"]
        .as_array_mut()
        .unwrap()
        .push(added);
    assert_eq!(shape(&export), shape(&file));
    csv_round_trip(&app, &l, "naam=Terug&gemeenten=Beekdal,Heuvelrand,Veenmond&periodeStartDatum=2025-01-01&periodeEindDatum=2030-12-31&groeperingsniveau=maatschappelijk%20effect");
    let again = rebuilt(&app);
    let now = overzicht(&app, pm, a);
    assert_eq!(overzicht(&again, pm, a), now);
}
