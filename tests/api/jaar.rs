//! Which year a signal is about: the indicator view, the PDCA state and the
//! overzicht judge the same year (the agenda's peiljaar, or `?jaar=`), and
//! a missed target of an earlier year stays visible as `vorigJaar`.

use serde_json::{json, Value};

use crate::support::*;

/// An indicator 'Bereik' (hoger is beter) on the first doel of `opgave`,
/// with the given streefwaarden and one definitive meting.
fn indicator(caller: Caller, opgave: &str, streef: Value, periode: &str, waarde: f64) -> String {
    let d = caller.get(&format!("/opgaven/{opgave}/doelen")).1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = caller.created(
        &format!("/doelen/{d}/indicatoren"),
        &json!({"naam": "Bereik", "eenheid": "%", "richting": "hogerIsBeter", "streefwaarden": streef}),
    )
    .id();
    caller.created(
        &format!("/indicatoren/{id}/metingen"),
        &json!({"periode": periode, "waarde": waarde, "status": "definitief"}),
    );
    id
}

/// The indicator signal of opgave `o` in the overzicht.
fn in_overzicht<'a>(overzicht: &'a Value, o: &str) -> &'a Value {
    overzicht["groepen"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["opgaven"].as_array().unwrap())
        .find(|x| x["opgaveId"] == o)
        .map(|x| &x["indicatoren"][0])
        .unwrap()
}

fn redenen(pdca: &Value) -> Vec<String> {
    pdca["redenen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_2024_agenda_is_judged_in_2024_by_the_indicator_view_the_pdca_and_the_overzicht() {
    let app = spawn();
    let a = agenda_id(&app);
    let o = opgave(&app, "1.1");
    let id = indicator(
        app.als_pm(),
        &o,
        json!([{"jaar": 2023, "waarde": 30}, {"jaar": 2024, "waarde": 50}]),
        "2024",
        40.0,
    );

    // Default: the demo agenda's period (2024) has ended, so all judge 2024.
    let (_, ind) = app.als_pm().get(&format!("/indicatoren/{id}"));
    assert_eq!(ind["koers"]["jaar"], 2024, "{ind}");
    assert_eq!(ind["koers"]["status"], "nietOpKoers");
    assert_eq!(
        ind["koers"]["uitleg"],
        "niet op koers: 40 % tegen streefwaarde 50 voor 2024 (hoger is beter)."
    );
    let (_, pdca) = app.als_pm().get(&format!("/opgaven/{o}/pdca"));
    assert_eq!(pdca["peiljaar"], 2024);
    assert_eq!(pdca["indicatoren"][0]["koers"], "nietOpKoers");
    assert!(redenen(&pdca)
        .contains(&"Indicator 'Bereik' niet op koers: 40 tegen streefwaarde 50 voor 2024.".into()));
    let (_, overzicht) = app.als_pm().get(&format!("/agendas/{a}/overzicht"));
    assert_eq!(overzicht["peiljaar"], 2024);
    assert_eq!(in_overzicht(&overzicht, &o)["koers"], "nietOpKoers");
    let (_, list) = app.als_pm().get(&format!(
        "/doelen/{}/indicatoren",
        ind["doelId"].as_str().unwrap()
    ));
    assert_eq!(list["resultaten"][0]["koers"]["jaar"], 2024);

    // ?jaar=2023 changes the judged year in all of them alike.
    let (_, ind) = app.als_pm().get(&format!("/indicatoren/{id}?jaar=2023"));
    assert_eq!(
        (
            ind["koers"]["jaar"].as_i64(),
            ind["koers"]["uitleg"].as_str()
        ),
        (Some(2023), Some("Nog geen meting voor 2023."))
    );
    let (_, pdca) = app.als_pm().get(&format!("/opgaven/{o}/pdca?jaar=2023"));
    assert_eq!(pdca["peiljaar"], 2023);
    assert!(pdca["indicatoren"][0]["koers"].is_null());
    assert!(redenen(&pdca).contains(&"Indicator 'Bereik' heeft nog geen meting voor 2023.".into()));
    let (_, overzicht) = app
        .als_pm()
        .get(&format!("/agendas/{a}/overzicht?jaar=2023"));
    assert_eq!(overzicht["peiljaar"], 2023);
    assert!(in_overzicht(&overzicht, &o)["koers"].is_null());

    // Judging 2025, the missed 2024 target stays visible with its year.
    let vorig = json!({"jaar": 2024, "koers": "nietOpKoers", "waarde": 40.0,
        "streefwaarde": 50.0, "ondergrens": null, "bovengrens": null});
    let (_, ind) = app.als_pm().get(&format!("/indicatoren/{id}?jaar=2025"));
    assert_eq!(ind["koers"]["status"], "onbekend");
    assert_eq!(ind["koers"]["vorigJaar"], vorig);
    let (_, pdca) = app.als_pm().get(&format!("/opgaven/{o}/pdca?jaar=2025"));
    assert_eq!(pdca["indicatoren"][0]["vorigJaar"], vorig);
    assert!(redenen(&pdca).contains(
        &"Indicator 'Bereik' was in 2024 niet op koers: 40 tegen streefwaarde 50.".into()
    ));
    let (_, overzicht) = app
        .als_pm()
        .get(&format!("/agendas/{a}/overzicht?jaar=2025"));
    assert_eq!(in_overzicht(&overzicht, &o)["vorigJaar"], vorig);
    // In 2024 itself there is no earlier missed year.
    let (_, pdca) = app.als_pm().get(&format!("/opgaven/{o}/pdca"));
    assert!(pdca["indicatoren"][0]["vorigJaar"].is_null());

    // A bad jaar is a 400 naming it.
    for q in ["jaar=abc", "jaar=1800"] {
        for path in [
            format!("/indicatoren/{id}?{q}"),
            format!("/opgaven/{o}/pdca?{q}"),
            format!("/agendas/{a}/overzicht?{q}"),
        ] {
            let r = app.als_pm().refused("GET", &path, &[], "", 400);
            assert!(r.body.to_string().contains("jaar"), "{path}: {:?}", r.body);
        }
    }
}

#[test]
fn a_missed_target_of_last_year_stays_visible_after_the_year_ends() {
    let app = spawn();
    // A two-year agenda that has ended: its peiljaar is 2025.
    let a = app
        .als_beheerder()
        .created(
            "/agendas",
            &json!({"naam": "Agenda 2024-2025", "gemeenten": ["Elders"],
            "periodeStartDatum": "2024-01-01", "periodeEindDatum": "2025-12-31"}),
        )
        .id();
    // the pm token of spawn time does not list the new agenda
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let o = pm
        .created(
            &format!("/agendas/{a}/opgaven"),
            &json!({"code": "1.1", "titel": "Meedoen"}),
        )
        .id();
    pm.created(
        &format!("/opgaven/{o}/doelen"),
        &json!({"code": "1.1.1", "titel": "Meer bereik"}),
    );
    let id = indicator(
        pm,
        &o,
        json!([{"jaar": 2024, "waarde": 50}, {"jaar": 2025, "waarde": 60}]),
        "2024",
        40.0,
    );
    let vorig = json!({"jaar": 2024, "koers": "nietOpKoers", "waarde": 40.0,
        "streefwaarde": 50.0, "ondergrens": null, "bovengrens": null});
    let (_, ind) = pm.get(&format!("/indicatoren/{id}"));
    assert_eq!(ind["koers"]["jaar"], 2025, "{ind}");
    assert_eq!(ind["koers"]["uitleg"], "Nog geen meting voor 2025.");
    assert_eq!(ind["koers"]["vorigJaar"], vorig);
    let (_, pdca) = pm.get(&format!("/opgaven/{o}/pdca"));
    assert_eq!(pdca["peiljaar"], 2025);
    assert_eq!(pdca["indicatoren"][0]["vorigJaar"], vorig);
    assert!(redenen(&pdca).contains(
        &"Indicator 'Bereik' was in 2024 niet op koers: 40 tegen streefwaarde 50.".into()
    ));
    let (_, overzicht) = pm.get(&format!("/agendas/{a}/overzicht"));
    assert_eq!(overzicht["peiljaar"], 2025);
    assert_eq!(in_overzicht(&overzicht, &o)["vorigJaar"], vorig);

    // Met in 2024: nothing to carry over.
    pm.created(
        &format!("/indicatoren/{id}/metingen"),
        &json!({"periode": "2024", "waarde": 55, "status": "definitief"}),
    );
    let (_, ind) = pm.get(&format!("/indicatoren/{id}"));
    assert!(ind["koers"]["vorigJaar"].is_null(), "{ind}");
}
