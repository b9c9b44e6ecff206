//! Hellendoorn's strategische visie (2023): four themes, what each means
//! for inwoners, partners, gemeente and Rijk; no acties, no indicatoren.

use serde_json::{json, Value};

use super::*;
use crate::support::{rebuilt, spawn};

/// Hellendoorn's visie needs nothing of issue 18: the four themes are
/// numbered 1-4 in the document, the "Wat betekent dit" parts are doelen
/// without code, their bullets sub-doelen without code.
#[test]
fn hellendoorn_visie_loads_and_reads_as_four_themes_in_plan() {
    let app = spawn();
    let l = load(&app, HELLENDOORN, "Gemeente Hellendoorn");
    assert_eq!(
        (
            &l.summary["opgaven"],
            &l.summary["doelen"],
            &l.summary["acties"],
            &l.summary["groeperingen"],
            &l.summary["organisaties"]
        ),
        (&json!(4), &json!(60), &json!(0), &json!(0), &json!(4)),
        "4 themes; 16 parts 'Wat betekent dit' and their 44 bullets; no acties: {}",
        l.summary
    );
    let themes = [
        "Kansrijk opgroeien",
        "Gezondheid, nu en later",
        "Meedoen",
        "Leefbaarheid",
    ];
    let list = opgaven(&app, &l);
    assert_eq!(titles(&list, "titel"), themes);
    assert_eq!(titles(&list, "code"), ["1", "2", "3", "4"]);

    // Under each theme: what it means for inwoners, partners, gemeente and Rijk; no codes.
    let first = list[0]["id"].as_str().unwrap();
    let doelen = read(
        &app,
        &l.pm,
        &format!("/opgaven/{first}/doelen?pageSize=500"),
    );
    let doelen = doelen["resultaten"].as_array().unwrap();
    let top: Vec<&Value> = doelen
        .iter()
        .filter(|d| d["bovenliggendDoelId"].is_null())
        .collect();
    let top_titles: Vec<&str> = top.iter().map(|d| d["titel"].as_str().unwrap()).collect();
    assert_eq!(
        top_titles,
        [
            "Wat betekent dit voor inwoners",
            "Wat betekent dit voor partners",
            "Wat betekent dit voor de gemeente",
            "Wat betekent dit voor het Rijk"
        ]
    );
    assert_eq!(doelen.len(), 4 + 13, "theme 1 has 2 + 4 + 6 + 1 bullets");
    assert!(
        doelen.iter().all(|d| d["code"].is_null()),
        "no invented doel codes"
    );
    assert!(doelen.iter().any(|d| d["titel"]
        .as_str()
        .unwrap()
        .contains("nationale programma Kansrijke Start")));

    // The overzicht and every PDCA state: a visie without acties is in Plan.
    let o = overzicht(&app, &l.pm, &l.agenda);
    assert_eq!(o["totalen"]["opgaven"], 4);
    assert_eq!(o["totalen"]["fasen"]["plan"], 4);
    assert_eq!(o["totalen"]["acties"], 0);
    let mut shown = Vec::new();
    codes(&o, &mut shown);
    shown.sort();
    shown.dedup();
    assert_eq!(
        shown,
        ["1", "2", "3", "4"],
        "only the document's own numbers (as code or weergavecode)"
    );
    for (opgave, theme) in list.iter().zip(themes) {
        let id = opgave["id"].as_str().unwrap();
        let pdca = read(&app, &l.pm, &format!("/opgaven/{id}/pdca"));
        assert_eq!(
            (pdca["opgaveTitel"].as_str(), pdca["fase"].as_str()),
            (Some(theme), Some("plan"))
        );
        assert_eq!(pdca["faseReden"], "Nog geen actie is gestart.");
        assert_eq!(pdca["indicatoren"], json!([]));
    }

    // The voortgang as a newsletter editor pastes it: one section per theme.
    let md = markdown(
        &app,
        &l.pm,
        &format!("/agendas/{}/voortgang?sindsPositie=0", l.agenda),
    );
    let heads = headings(&md);
    assert!(heads[0].contains("Strategische visie maatschappelijk en sociaal domein Hellendoorn"));
    for theme in themes {
        assert!(
            heads
                .iter()
                .any(|h| h.starts_with("## ") && h.ends_with(theme)),
            "{theme}: {md}"
        );
    }
    assert_eq!(md.matches("PDCA-fase: Plan").count(), 4, "{md}");
    assert!(!md.contains("1.1"), "no invented codes: {md}");

    // Export → import is lossless, and the export holds what the file holds.
    let export = round_trip(&app, &l);
    let file: Value = serde_json::from_str(HELLENDOORN).unwrap();
    assert_eq!(shape(&export), shape(&file));

    // A restart reads the same.
    let again = rebuilt(&app);
    let now = overzicht(&app, &l.pm, &l.agenda);
    assert_eq!(overzicht(&again, &l.pm, &l.agenda), now);
}
