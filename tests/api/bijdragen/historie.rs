//! Taking a contribution away: the current reads, the state before it
//! (`?positie=`), the wijzigingen report, the audittrail; a move that makes
//! a contributed-to groepering the item's own ends that contribution.

use serde_json::json;

use super::{bijdragen, ok, opzet, pairs, post, read, titels};
use crate::support::{request, spawn};

#[test]
fn removing_a_contribution_keeps_it_in_history_and_the_audittrail() {
    let app = spawn();
    let o = opzet(&app);
    bijdragen(&app, &o);
    let voor = app.head();
    let r = request(
        &app,
        "DELETE",
        &format!("/opgaven/{}/bijdragen/{}", o.opgave, o.c),
        Some(&o.pm),
        &[("X-Audit-Toelichting", "Past beter bij Sterke wijken")],
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let c = read(&app, &o.pm, &format!("/groeperingen/{}", o.c));
    assert_eq!(
        titels(&c["onderdelen"]),
        pairs(&[("Huiskamers voor iedereen", "bijdrage")])
    );
    let opgave = read(&app, &o.pm, &format!("/opgaven/{}", o.opgave));
    assert_eq!(opgave["bijdragen"][0]["naam"], "Sterke wijken");
    assert_eq!(opgave["bijdragen"].as_array().unwrap().len(), 1);

    // As it was before the removal.
    let c = read(
        &app,
        &o.pm,
        &format!("/groeperingen/{}?positie={voor}", o.c),
    );
    assert_eq!(
        titels(&c["onderdelen"]),
        pairs(&[
            ("Bewegen in de buurt", "bijdrage"),
            ("Huiskamers voor iedereen", "bijdrage")
        ])
    );
    let list = read(
        &app,
        &o.pm,
        &format!("/groeperingen/{}/opgaven?positie={voor}", o.c),
    );
    assert_eq!(list["totaal"], 1);
    let past = read(
        &app,
        &o.pm,
        &format!("/opgaven/{}?positie={voor}", o.opgave),
    );
    assert_eq!(past["bijdragen"].as_array().unwrap().len(), 2);

    let trail = read(&app, &o.pm, &format!("/opgaven/{}/audittrail", o.opgave));
    let entries = trail["resultaten"].as_array().unwrap();
    let soorten: Vec<&str> = entries
        .iter()
        .map(|e| e["soortWijziging"].as_str().unwrap())
        .collect();
    assert_eq!(
        soorten,
        [
            "aangemaakt",
            "bijdrage toegevoegd",
            "bijdrage toegevoegd",
            "bijdrage verwijderd"
        ]
    );
    assert_eq!(entries[2]["gebeurtenisType"], "OpgaveBijdrageToegevoegd");
    assert_eq!(entries[2]["toelichting"], "Bewegen verbindt ook");
    assert_eq!(entries[2]["wijzigingen"][0]["veld"], "bijdragen");
    assert_eq!(
        entries[2]["wijzigingen"][0]["nieuwWeergave"],
        "2, Iedereen doet mee"
    );
    assert_eq!(entries[3]["gebeurtenisType"], "OpgaveBijdrageVerwijderd");
    assert_eq!(entries[3]["toelichting"], "Past beter bij Sterke wijken");
    assert_eq!(entries[3]["wijzigingen"][0]["nieuwWeergave"], "2");
    // The agenda's change report lists each contribution that began or ended.
    let w = read(
        &app,
        &o.pm,
        &format!(
            "/agendas/{}/wijzigingen?sindsPositie={}",
            o.agenda, o.voor_acties
        ),
    );
    let regels: Vec<(&str, &str, &str, &str)> = w["bijdragen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["soort"].as_str().unwrap(),
                r["onderdeel"].as_str().unwrap(),
                r["titel"].as_str().unwrap(),
                r["groeperingNaam"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        regels,
        [
            (
                "toegevoegd",
                "opgave",
                "Bewegen in de buurt",
                "Sterke wijken"
            ),
            (
                "toegevoegd",
                "opgave",
                "Bewegen in de buurt",
                "Iedereen doet mee"
            ),
            (
                "toegevoegd",
                "doel",
                "Huiskamers voor iedereen",
                "Iedereen doet mee"
            ),
            (
                "verwijderd",
                "opgave",
                "Bewegen in de buurt",
                "Iedereen doet mee"
            ),
        ]
    );
    let trail = read(&app, &o.pm, &format!("/doelen/{}/audittrail", o.doel));
    assert_eq!(
        trail["resultaten"][1]["gebeurtenisType"],
        "DoelBijdrageToegevoegd"
    );

    // Moving the opgave into a groepering it contributes to ends that
    // contribution in the same write.
    let etag = opgave["versie"].to_string();
    let r = request(
        &app,
        "PATCH",
        &format!("/opgaven/{}", o.opgave),
        Some(&o.pm),
        &[("If-Match", &format!("\"{etag}\""))],
        Some(&json!({"groeperingId": o.b}).to_string()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["groeperingNaam"], "Sterke wijken");
    assert_eq!(r.body["bijdragen"], json!([]));

    // So does moving a doel to an opgave of a groepering it contributes
    // to: the doel 2.1.1 contributes to C, and goes to an opgave in C.
    let path = format!("/agendas/{}/opgaven", o.agenda);
    let body = json!({"code": "3.1", "titel": "Meedoen", "groeperingId": o.c});
    let in_c = ok(post(&app, &o.pm, &path, body), 201, "opgave in C")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doel = read(&app, &o.pm, &format!("/doelen/{}", o.doel));
    let etag = format!("\"{}\"", doel["versie"]);
    let r = request(
        &app,
        "PATCH",
        &format!("/doelen/{}", o.doel),
        Some(&o.pm),
        &[("If-Match", &etag)],
        Some(&json!({"opgaveId": in_c, "code": "3.1.1"}).to_string()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["bijdragen"], json!([]));
    let c = read(&app, &o.pm, &format!("/groeperingen/{}", o.c));
    assert_eq!(titels(&c["onderdelen"]), pairs(&[("Meedoen", "primair")]));
}
