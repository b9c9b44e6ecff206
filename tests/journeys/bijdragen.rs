//! A programme manager lets an opgave of the Twenterand demo contribute to
//! two more themalijnen, takes one contribution away, and finds all of it
//! again after a restart of the real binary: the current state, the state
//! before the removal (`?positie=`), the themalijn's opgaven and the
//! audittrail.

use serde_json::{json, Value};

use super::support::{token_create_ok, Server};

#[test]
fn contributions_survive_a_restart_with_their_history() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    Server::start(&dir, &[]).stop();
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
    let opgave = server
        .get(&format!("/agendas/{agenda}/opgaven?code=1.1"), None)
        .json()["resultaten"][0]
        .clone();
    let o = opgave["id"].as_str().unwrap().to_owned();
    let themalijnen = server
        .get(&format!("/agendas/{agenda}/groeperingen"), None)
        .json()["resultaten"]
        .clone();
    let themalijn = |code: &str| -> Value {
        themalijnen
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["code"] == code)
            .cloned()
            .unwrap()
    };
    let (drie, vier) = (themalijn("3"), themalijn("4"));
    for t in [&drie, &vier] {
        let r = server.post(
            &format!("/opgaven/{o}/bijdragen"),
            &pm,
            &json!({"groeperingId": t["id"]}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let voor = server.get(&format!("/opgaven/{o}"), None);
    let positie = voor.header("X-Positie").unwrap().to_owned();
    assert_eq!(voor.json()["bijdragen"].as_array().unwrap().len(), 2);
    let r = server.call(
        "DELETE",
        &format!("/opgaven/{o}/bijdragen/{}", vier["id"].as_str().unwrap()),
        Some(&pm),
        &[("X-Audit-Toelichting", "Toch niet")],
        "",
    );
    assert_eq!(r.status, 204, "{}", r.text);
    server.stop();

    let server = Server::start(&dir, &[]);
    let nu = server.get(&format!("/opgaven/{o}"), None).json();
    assert_eq!(
        nu["bijdragen"],
        json!([{"groeperingId": drie["id"], "naam": drie["naam"], "weergavecode": "3"}])
    );
    let toen = server
        .get(&format!("/opgaven/{o}?positie={positie}"), None)
        .json();
    let namen: Vec<&str> = toen["bijdragen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["naam"].as_str().unwrap())
        .collect();
    assert_eq!(
        namen,
        [
            drie["naam"].as_str().unwrap(),
            vier["naam"].as_str().unwrap()
        ]
    );
    let lijst = server
        .get(
            &format!("/groeperingen/{}/opgaven", drie["id"].as_str().unwrap()),
            None,
        )
        .json();
    let bijdragend: Vec<&Value> = lijst["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["soort"] == "bijdrage")
        .collect();
    assert_eq!(bijdragend.len(), 1, "{lijst}");
    assert_eq!(bijdragend[0]["titel"], opgave["titel"]);
    let trail = server
        .get(&format!("/opgaven/{o}/audittrail"), Some(&pm))
        .json();
    let soorten: Vec<&str> = trail["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["soortWijziging"].as_str().unwrap())
        .filter(|s| s.starts_with("bijdrage"))
        .collect();
    assert_eq!(
        soorten,
        [
            "bijdrage toegevoegd",
            "bijdrage toegevoegd",
            "bijdrage verwijderd"
        ]
    );
    server.stop();
}
