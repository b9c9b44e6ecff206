//! Journey 7: who did it, in words; which year a signal is about. A
//! programmamanager of the demo agenda (2024, read in a later year) changes
//! a trekker and records a meting; the audittrail names the people's
//! organisaties, and the indicator view, the PDCA state and the overzicht
//! judge the same year. A parameter the API does not know is refused.

use serde_json::{json, Value};

use crate::support::{token_create_ok, Server};

fn change<'a>(entry: &'a Value, veld: &str) -> &'a Value {
    entry["wijzigingen"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["veld"] == veld)
        .unwrap_or_else(|| panic!("no change of {veld} in {entry}"))
}

#[test]
fn the_audittrail_says_who_in_words_and_every_view_judges_the_same_year() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pm = token_create_ok(
        &dir,
        "programmamanager",
        "Gemeente Twenterand",
        &["--alle-agendas", "--omschrijving", "programmabureau"],
    );
    let server = Server::start(&dir, &[]);
    let agenda = server.get("/agendas", None).json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let orgs = server.get("/organisaties?naam=Mijande", None).json();
    let mijande = orgs["resultaten"][0]["id"].as_str().unwrap().to_owned();

    // A trekker change, in words.
    let acties = server
        .get(&format!("/agendas/{agenda}/acties?opgave=2.5"), None)
        .json();
    let actie = acties["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let r = server.call(
        "PUT",
        &format!("/acties/{actie}/trekker"),
        Some(&pm),
        &[("If-Match", "\"1\"")],
        &json!({"soort": "organisatie", "organisatieId": mijande}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let trail = server
        .get(&format!("/acties/{actie}/audittrail"), None)
        .json();
    let entry = &trail["resultaten"][1];
    assert_eq!(entry["actor"]["organisatieNaam"], "Gemeente Twenterand");
    assert_eq!(entry["actor"]["omschrijving"], "programmabureau");
    let trekker = change(entry, "trekker");
    assert_eq!(trekker["oudWeergave"], "Gemeente Twenterand", "{trekker}");
    assert_eq!(trekker["nieuwWeergave"], "Mijande");

    // An indicator with a missed 2024 target.
    let opgaven = server
        .get(&format!("/agendas/{agenda}/opgaven?code=1.1"), None)
        .json();
    let opgave = opgaven["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let doelen = server
        .get(&format!("/opgaven/{opgave}/doelen"), None)
        .json();
    let doel = doelen["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let ind = server.post(
        &format!("/doelen/{doel}/indicatoren"),
        &pm,
        &json!({"naam": "Bereik", "eenheid": "%", "richting": "hogerIsBeter",
            "streefwaarden": [{"jaar": 2024, "waarde": 50}]}),
    );
    assert_eq!(ind.status, 201, "{}", ind.text);
    let id = ind.json()["id"].as_str().unwrap().to_owned();
    let m = server.post(
        &format!("/indicatoren/{id}/metingen"),
        &pm,
        &json!({"periode": "2024", "waarde": 40, "status": "definitief"}),
    );
    assert_eq!(m.status, 201, "{}", m.text);

    let koers = &server.get(&format!("/indicatoren/{id}"), None).json()["koers"];
    assert_eq!(
        (koers["jaar"].as_i64(), koers["status"].as_str()),
        (Some(2024), Some("nietOpKoers"))
    );
    let pdca = server.get(&format!("/opgaven/{opgave}/pdca"), None).json();
    assert_eq!(pdca["peiljaar"], 2024);
    assert_eq!(pdca["indicatoren"][0]["koers"], "nietOpKoers");
    let overzicht = server
        .get(&format!("/agendas/{agenda}/overzicht"), None)
        .json();
    assert_eq!(overzicht["peiljaar"], 2024);
    // Judging a later year, the missed 2024 target stays visible.
    let later = server
        .get(&format!("/opgaven/{opgave}/pdca?jaar=2025"), None)
        .json();
    assert_eq!(later["indicatoren"][0]["vorigJaar"]["jaar"], 2024);
    assert!(later
        .to_string()
        .contains("was in 2024 niet op koers: 40 tegen streefwaarde 50"));

    // A misspelt parameter is refused, not ignored.
    let r = server.get(&format!("/opgaven/{opgave}/pdca?jaartal=2025"), None);
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let p = r.json();
    assert_eq!(p["invalidParams"][0]["name"], "query.jaartal");
    assert!(p["invalidParams"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("jaar"));
    server.stop();
}
