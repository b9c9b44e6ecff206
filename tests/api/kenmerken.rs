//! Acties people can refer to and find: every actie has a kenmerk, unique
//! in its agenda and stable for its life, shown wherever acties are listed;
//! `?kenmerk=` and `?zoek=` find them. And renumbering keeps the agenda
//! consistent: the codes below follow, in the same append.

use serde_json::{json, Value};

use crate::support::*;

fn acties(app: &TestApp, query: &str) -> Vec<Value> {
    let a = agenda_id(app);
    let (status, body) = app
        .als_pm()
        .get(&format!("/agendas/{a}/acties?pageSize=500&{query}"));
    assert_eq!(status, 200, "{query}: {body}");
    body["resultaten"].as_array().unwrap().clone()
}

fn kenmerken(list: &[Value]) -> Vec<&str> {
    list.iter()
        .map(|a| a["kenmerk"].as_str().unwrap())
        .collect()
}

fn doel(app: &TestApp, code: &str) -> Value {
    let o = opgave(app, &code[..code.rfind('.').unwrap()]);
    app.als_pm()
        .get(&format!("/opgaven/{o}/doelen?pageSize=500"))
        .1["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("doel {code}"))
        .clone()
}

#[test]
fn every_actie_has_a_kenmerk_that_finds_it_and_words_find_acties() {
    let app = spawn();
    let all = acties(&app, "");
    let mut ks = kenmerken(&all);
    assert_eq!(ks.len(), 79);
    ks.sort();
    ks.dedup();
    assert_eq!(ks.len(), 79, "unique in the agenda");
    // Three acties under doel 1.1.3 are told apart; opgave 2.1 has acties
    // without a doel, numbered under the opgave's code.
    let under_113: Vec<&str> = all
        .iter()
        .filter(|a| a["doelCode"] == "1.1.3")
        .map(|a| a["kenmerk"].as_str().unwrap())
        .collect();
    assert_eq!(under_113, ["1.1.3-1", "1.1.3-2", "1.1.3-3"]);
    assert!(all
        .iter()
        .any(|a| a["opgaveCode"] == "2.1" && a["doelId"].is_null() && a["kenmerk"] == "2.1-1"));

    // A new actie takes the next number of its doel.
    let d = doel(&app, "1.1.3")["id"].as_str().unwrap().to_owned();
    let head = app.head();
    let new = app.als_pm().created(
        &format!("/doelen/{d}/acties"),
        &json!({"omschrijving": "Een taalcafé voor ervaringsdeskundigen in de Bibliotheek"}),
    );
    assert_eq!(new.body["kenmerk"], "1.1.3-4");
    let found = acties(&app, "kenmerk=1.1.3-4");
    assert_eq!(kenmerken(&found), ["1.1.3-4"]);
    assert_eq!(found[0]["id"], new.body["id"]);
    assert!(acties(&app, "kenmerk=9.9.9-1").is_empty());
    // The agenda's list of changes names it by kenmerk too.
    let a = agenda_id(&app);
    let (status, w) = app
        .als_pm()
        .get(&format!("/agendas/{a}/wijzigingen?sindsPositie={head}"));
    assert_eq!(status, 200, "{w}");
    assert!(w.to_string().contains(r#""kenmerk":"1.1.3-4""#), "{w}");

    // Words: case and accents do not matter, every word must occur.
    for q in [
        "TAALCAFE",
        "taalcaf%C3%A9%20bibliotheek",
        "Cafe%20ERVARINGSDESKUNDIGEN",
    ] {
        assert_eq!(
            kenmerken(&acties(&app, &format!("zoek={q}"))),
            ["1.1.3-4"],
            "{q}"
        );
    }
    assert!(acties(&app, "zoek=taalcafe%20zwembad").is_empty());
    let oekraine = acties(&app, "zoek=oekrainers");
    assert!(!oekraine.is_empty());
    assert!(oekraine
        .iter()
        .all(|a| a["omschrijving"].as_str().unwrap().contains("Oekraïners")));

    // Bad parameters are refused, naming them.
    let r = app.als_pm().refused(
        "GET",
        &format!("/agendas/{a}/acties?kenmerk=abc&zoek=%20"),
        &[],
        "",
        400,
    );
    let mut names = r.invalid();
    names.sort();
    assert_eq!(names, ["query.kenmerk", "query.zoek"]);

    // The PDCA state names the acties by kenmerk.
    let o = opgave(&app, "1.1");
    let (_, pdca) = app.als_pm().get(&format!("/opgaven/{o}/pdca"));
    let signals = pdca["actiesZonderTrekker"].as_array().unwrap();
    assert!(signals.iter().any(|s| s["kenmerk"] == "1.1.3-4"), "{pdca}");
}

#[test]
fn renumbering_an_opgave_carries_its_doelen_along_in_one_append_and_keeps_kenmerken() {
    let app = spawn();
    let o = opgave(&app, "1.1");
    let before = doel(&app, "1.1.1");
    let actie = acties(&app, "opgave=1.1")
        .into_iter()
        .find(|a| a["doelCode"] == "1.1.1")
        .unwrap();
    let (_, current) = app.als_pm().get(&format!("/opgaven/{o}"));
    let r = app.als_pm().patch(
        &format!("/opgaven/{o}"),
        &format!("\"{}\"", current["versie"]),
        &json!({"code": "1.9"}),
    );
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (200, Some("1.9")),
        "{:?}",
        r.body
    );
    let (_, doelen) = app.als_pm().get(&format!("/opgaven/{o}/doelen"));
    let codes: Vec<&str> = doelen["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["1.9.1", "1.9.2", "1.9.3"]);

    // The doel's audittrail shows the carried renumber, at the position
    // right after the opgave's own (one atomic append).
    let id = before["id"].as_str().unwrap();
    let (_, trail) = app.als_pm().get(&format!("/doelen/{id}/audittrail"));
    let last = trail["resultaten"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["soortWijziging"], "hernummerd");
    assert_eq!(last["wijzigingen"][0]["oud"], "1.1.1");
    assert_eq!(last["wijzigingen"][0]["nieuw"], "1.9.1");
    let (_, otrail) = app.als_pm().get(&format!("/opgaven/{o}/audittrail"));
    let opgave_renumber = otrail["resultaten"].as_array().unwrap().last().unwrap()["positie"]
        .as_u64()
        .unwrap();
    assert_eq!(last["positie"].as_u64().unwrap(), opgave_renumber + 1);
    assert_eq!(
        last["correlatieId"],
        otrail["resultaten"].as_array().unwrap().last().unwrap()["correlatieId"]
    );

    // The actie keeps its kenmerk; its doel code follows.
    let (_, now) = app
        .als_pm()
        .get(&format!("/acties/{}", actie["id"].as_str().unwrap()));
    assert_eq!(
        (now["kenmerk"].as_str(), now["doelCode"].as_str()),
        (actie["kenmerk"].as_str(), Some("1.9.1"))
    );
    // A new actie there starts a new series under the new code.
    let new = app.als_pm().created(
        &format!("/doelen/{id}/acties"),
        &json!({"omschrijving": "Nieuw"}),
    );
    assert_eq!(new.body["kenmerk"], "1.9.1-1");
    // Moving the actie to another doel keeps its kenmerk too.
    let other = doel(&app, "1.9.2")["id"].as_str().unwrap().to_owned();
    let r = app.als_pm().patch(
        &format!("/acties/{}", actie["id"].as_str().unwrap()),
        &format!("\"{}\"", now["versie"]),
        &json!({"doelId": other}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        (r.body["kenmerk"].as_str(), r.body["doelCode"].as_str()),
        (actie["kenmerk"].as_str(), Some("1.9.2"))
    );
}

#[test]
fn renumbering_or_moving_a_doel_carries_its_sub_doelen_and_a_taken_code_refuses_all() {
    let app = spawn();
    let o11 = opgave(&app, "1.1");
    let o21 = opgave(&app, "2.1");
    let parent = app.als_pm().created(
        &format!("/opgaven/{o11}/doelen"),
        &json!({"code": "1.1.7", "titel": "Nieuw doel"}),
    );
    let pid = parent.id();
    let sub = app.als_pm().created(
        &format!("/opgaven/{o11}/doelen"),
        &json!({"code": "1.1.7.1", "titel": "Resultaat", "bovenliggendDoelId": pid}),
    );
    let sid = sub.id();
    // No deeper than one level.
    let r = app.als_pm().refused(
        "POST",
        &format!("/opgaven/{o11}/doelen"),
        &[],
        &json!({"titel": "Te diep", "bovenliggendDoelId": sid}).to_string(),
        400,
    );
    assert_eq!(r.body["invalidParams"][0]["code"], "nested-subdoel");

    let r = app.als_pm().patch(
        &format!("/doelen/{pid}"),
        &parent.etag,
        &json!({"code": "1.1.8"}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        app.als_pm().get(&format!("/doelen/{sid}")).1["code"],
        "1.1.8.1"
    );

    // Moving to opgave 2.1 with a new code there: the sub-doel follows.
    let r = app.als_pm().patch(
        &format!("/doelen/{pid}"),
        &r.etag,
        &json!({"opgaveId": o21, "code": "2.1.8"}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    let (_, s) = app.als_pm().get(&format!("/doelen/{sid}"));
    assert_eq!(
        (s["code"].as_str(), s["opgaveCode"].as_str()),
        (Some("2.1.8.1"), Some("2.1"))
    );

    // A carried code that a sibling holds refuses the whole change (a
    // groepering 2.9.8 would not: codes are unique among siblings of the
    // same kind only).
    let a = agenda_id(&app);
    app.als_pm().created(
        &format!("/agendas/{a}/groeperingen"),
        &json!({"naam": "Niet in de weg", "code": "2.9.8"}),
    );
    app.als_pm().created(
        &format!("/opgaven/{o21}/doelen"),
        &json!({"code": "2.9.8", "titel": "In de weg"}),
    );
    let (_, o) = app.als_pm().get(&format!("/opgaven/{o21}"));
    let r = app.als_pm().refused(
        "PATCH",
        &format!("/opgaven/{o21}"),
        &[("If-Match", &format!("\"{}\"", o["versie"]))],
        &json!({"code": "2.9"}).to_string(),
        409,
    );
    assert_eq!(r.code(), "duplicate-code");
    assert_eq!(
        app.als_pm().get(&format!("/opgaven/{o21}")).1["code"],
        "2.1"
    );
}

#[test]
fn a_reflectie_about_an_actie_names_it_by_its_kenmerk() {
    let app = spawn();
    // 2.5 holds several acties under one code: the code alone does not say which.
    let list = acties(&app, "opgave=2.5");
    assert!(list.len() > 1, "{list:?}");
    let actie = &list[1];
    let id = actie["id"].as_str().unwrap();
    let kenmerk = actie["kenmerk"].as_str().unwrap();
    let r = app.als_pm().created(
        "/reflecties",
        &json!({"over": id, "tekst": "Goede opkomst"}),
    );
    assert_eq!(r.body["over"]["kenmerk"], kenmerk, "{}", r.body);
    let listed = app.als_pm().get(&format!("/reflecties?over={id}")).1;
    assert_eq!(
        listed["resultaten"][0]["over"]["kenmerk"], kenmerk,
        "{listed}"
    );
    // A reflectie about an opgave has no kenmerk.
    let opgave = opgave(&app, "2.5");
    let r = app
        .als_pm()
        .created("/reflecties", &json!({"over": opgave, "tekst": "Loopt"}));
    assert!(r.body["over"]["kenmerk"].is_null(), "{}", r.body);
}
