//! Maashorst's strategisch beleidskader sociaal domein 2023-2028: five
//! unnumbered speerpunten, each with unnumbered results and "Hoe gaan we
//! daar mee aan de slag"; one figure (80% of the questions solved in the
//! sociale basis) without a year. Needs optional opgave codes (slice A)
//! and importable indicatoren with a whole-period streefwaarde (slice D).

use serde_json::{json, Value};

use super::*;
use crate::support::{rebuilt, spawn};

const SPEERPUNTEN: [&str; 5] = [
    "Normaliseren",
    "Stimuleren van een gezonde levensstijl",
    "Preventie",
    "Versterken van de sociale basis in wijken en kernen",
    "Toeleiden naar gespecialiseerde ondersteuning",
];

#[test]
fn maashorst_beleidskader_loads_without_codes_and_reads_by_title() {
    let app = spawn();
    let l = load(&app, MAASHORST, "Gemeente Maashorst");
    assert_eq!(
        (
            &l.summary["opgaven"],
            &l.summary["doelen"],
            &l.summary["acties"],
            &l.summary["groeperingen"]
        ),
        (&json!(5), &json!(14), &json!(22), &json!(0)),
        "5 speerpunten, 14 results, 22 ways of getting to work: {}",
        l.summary
    );
    let list = opgaven(&app, &l);
    assert_eq!(titles(&list, "titel"), SPEERPUNTEN);
    let mut shown = Vec::new();
    codes(&Value::Array(list.clone()), &mut shown);
    assert!(shown.is_empty(), "the document numbers nothing: {shown:?}");

    // Results are doelen without code; the one figure the text gives is an
    // indicator on "geholpen bij een vraag", 80% for the whole period.
    let basis = list[3]["id"].as_str().unwrap();
    let doelen = read(&app, &l.pm, &format!("/opgaven/{basis}/doelen"));
    let doelen = doelen["resultaten"].as_array().unwrap();
    assert_eq!(doelen.len(), 4);
    assert!(doelen.iter().all(|d| d["code"].is_null()));
    let geholpen = doelen
        .iter()
        .find(|d| d["titel"] == "Inwoners worden in hun directe omgeving geholpen bij een vraag.")
        .expect("the result the 80% belongs to");
    let id = geholpen["id"].as_str().unwrap();
    let indicatoren = read(&app, &l.pm, &format!("/doelen/{id}/indicatoren"));
    let indicator = &indicatoren["resultaten"][0];
    assert_eq!(indicatoren["totaal"], 1);
    assert_eq!(indicator["eenheid"], "%");
    assert_eq!(indicator["richting"], "hogerIsBeter");
    let streef = indicator["streefwaarden"].as_array().unwrap();
    assert_eq!(streef.len(), 1, "{indicator}");
    assert_eq!(streef[0]["waarde"].as_f64(), Some(80.0));
    assert!(
        streef[0]["jaar"].is_null(),
        "the text gives no year: {indicator}"
    );

    // Acties: "we" is the gemeente, "professionals" a named group, a
    // sentence without an actor has no trekker; kenmerken are plain numbers.
    let acties = read(
        &app,
        &l.pm,
        &format!("/agendas/{}/acties?pageSize=500", l.agenda),
    );
    let acties = acties["resultaten"].as_array().unwrap();
    let mut kenmerken: Vec<u32> = acties
        .iter()
        .map(|a| {
            a["kenmerk"]
                .as_str()
                .unwrap()
                .parse()
                .expect("a number within the agenda")
        })
        .collect();
    kenmerken.sort();
    assert_eq!(kenmerken, (1..=22).collect::<Vec<_>>());
    let zonder = acties.iter().filter(|a| a["trekker"].is_null()).count();
    let professionals = acties
        .iter()
        .filter(|a| a["trekker"]["naam"] == "Professionals")
        .count();
    assert_eq!((zonder, professionals), (4, 2));

    // The overzicht: five speerpunten in Plan, the indicator without a
    // meting is information, never "niet op koers"; no code anywhere.
    let o = overzicht(&app, &l.pm, &l.agenda);
    assert_eq!(o["totalen"]["fasen"]["plan"], 5);
    assert_eq!(o["totalen"]["acties"], 22);
    assert_eq!(o["totalen"]["actiesZonderTrekker"], 4);
    let mut shown = Vec::new();
    codes(&o, &mut shown);
    assert!(
        shown.is_empty(),
        "no invented codes in the overzicht: {shown:?}"
    );
    let rows: Vec<&Value> = o["groepen"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["opgaven"].as_array().unwrap())
        .collect();
    assert_eq!(
        rows.iter()
            .map(|r| r["opgaveTitel"].as_str().unwrap())
            .collect::<Vec<_>>(),
        SPEERPUNTEN
    );
    assert_eq!(rows[3]["indicatoren"].as_array().unwrap().len(), 1);
    let text = o.to_string();
    assert!(
        !text.contains("niet op koers") && !text.contains("nietOpKoers"),
        "{o}"
    );

    // Each PDCA state names its speerpunt by title.
    for (opgave, titel) in list.iter().zip(SPEERPUNTEN) {
        let id = opgave["id"].as_str().unwrap();
        let pdca = read(&app, &l.pm, &format!("/opgaven/{id}/pdca"));
        assert_eq!(
            (pdca["opgaveTitel"].as_str(), pdca["fase"].as_str()),
            (Some(titel), Some("plan"))
        );
        assert!(pdca["opgaveCode"].is_null());
    }
    let id = list[0]["id"].as_str().unwrap();
    let pdca = read(&app, &l.pm, &format!("/opgaven/{id}/pdca"));
    let redenen = pdca["redenen"].to_string();
    assert!(
        redenen.contains("zonder trekker")
            && redenen.contains("Gewone problemen worden gewoon opgelost"),
        "{redenen}"
    );

    // The voortgang: a section per speerpunt, named by title only.
    let path = format!("/agendas/{}/voortgang?sindsPositie=0", l.agenda);
    let md = markdown(&app, &l.pm, &path);
    let heads = headings(&md);
    for titel in SPEERPUNTEN {
        assert!(
            heads
                .iter()
                .any(|h| h.starts_with("## ") && h.ends_with(titel)),
            "{titel}: {md}"
        );
    }
    assert!(
        !heads
            .iter()
            .any(|h| h.contains("Opgave 1") || h.contains("Opgave 0")),
        "no invented opgave numbers: {heads:?}"
    );
    assert!(md.contains("(trekker: Professionals)"), "{md}");
    assert!(md.contains("trekkersrol nog in te vullen"), "{md}");
    let mut shown = Vec::new();
    codes(&read(&app, &l.pm, &path), &mut shown);
    assert!(shown.is_empty(), "no codes in the voortgang: {shown:?}");

    let export = round_trip(&app, &l);
    let file: Value = serde_json::from_str(MAASHORST).unwrap();
    assert_eq!(shape(&export), shape(&file));
    csv_round_trip(
        &app,
        &l,
        "naam=Terug&gemeenten=Maashorst&periodeStartDatum=2023-01-01&periodeEindDatum=2028-12-31",
    );
    let again = rebuilt(&app);
    let now = overzicht(&app, &l.pm, &l.agenda);
    assert_eq!(overzicht(&again, &l.pm, &l.agenda), now);
}
