//! `GET /{resource}/{id}/audittrail`.

use serde_json::Value;

use crate::support::{agenda_id, spawn};

#[test]
fn the_audittrail_lists_every_change_with_who_what_and_why() {
    let app = spawn();
    let a = agenda_id(&app);
    let (_, list) = app.als_pm().get(&format!("/agendas/{a}/acties?opgave=2.5"));
    let actie = list["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/acties/{actie}/statuswijzigingen");
    let (status, _, _) = app.als_pm().send(
        "POST",
        &path,
        &[("X-Audit-Toelichting", "Gestart na de informatieavond")],
        r#"{"status":"lopend","ingangsDatum":"2024-02-01"}"#,
    );
    assert_eq!(status, 201);
    let (status, _, _) = app.als_pm().send(
        "PUT",
        &format!("/acties/{actie}/trekker"),
        &[("If-Match", "\"2\"")],
        r#"{"soort":"groep","naam":"Werkgroep Huisvesting","toelichting":"De bibliotheek neemt het over"}"#,
    );
    assert_eq!(status, 200);
    let (status, _, _) = app.als_pm().send(
        "POST",
        &path,
        &[],
        r#"{"status":"vervallen","reden":"Geen budget meer"}"#,
    );
    assert_eq!(status, 201);

    let (status, trail) = app.als_pm().get(&format!("/acties/{actie}/audittrail"));
    assert_eq!(status, 200);
    assert_eq!(trail["totaal"], 4);
    let e = trail["resultaten"].as_array().unwrap();
    assert_eq!(e[0]["soortWijziging"], "aangemaakt");
    assert_eq!(e[0]["actor"]["soort"], "systeem");
    assert_eq!(e[0]["actor"]["omschrijving"], "system (demo import)");
    assert_eq!(e[0]["gebeurtenisType"], "ActieAangemaakt");

    let field = |entry: &Value, name: &str| -> Value {
        entry["wijzigingen"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["veld"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no change of {name} in {entry}"))
    };
    assert_eq!(e[1]["soortWijziging"], "status gewijzigd");
    assert_eq!(e[1]["gebeurtenisType"], "ActieStatusGewijzigd");
    assert_eq!(e[1]["versie"], 2);
    assert_eq!(e[1]["toelichting"], "Gestart na de informatieavond");
    let s = field(&e[1], "status");
    assert_eq!(
        (s["oud"].as_str(), s["nieuw"].as_str()),
        (Some("gepland"), Some("lopend"))
    );
    assert_eq!(field(&e[1], "statusSindsDatum")["nieuw"], "2024-02-01");

    assert_eq!(e[2]["soortWijziging"], "trekker gewijzigd");
    assert_eq!(e[2]["toelichting"], "De bibliotheek neemt het over");
    let t = field(&e[2], "trekker");
    assert_eq!(t["oud"]["soort"], "organisatie", "{t}");
    assert_eq!(t["nieuw"]["naam"], "Werkgroep Huisvesting");
    assert_eq!(e[2]["wijzigingen"].as_array().unwrap().len(), 1);

    assert_eq!(e[3]["soortWijziging"], "vervallen");
    assert_eq!(field(&e[3], "reden")["nieuw"], "Geen budget meer");
    let positions: Vec<u64> = e.iter().map(|x| x["positie"].as_u64().unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));

    // paged
    let (_, page) = app
        .als_pm()
        .get(&format!("/acties/{actie}/audittrail?pageSize=1&page=2"));
    assert_eq!(page["resultaten"][0]["soortWijziging"], "status gewijzigd");
    assert_eq!(page["aantalPaginas"], 4);

    // an organisatie changed with PATCH
    let (_, orgs) = app.als_pm().get("/organisaties?pageSize=1");
    let org = orgs["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let old_name = orgs["resultaten"][0]["naam"].as_str().unwrap().to_owned();
    let beheerder = app.als_beheerder();
    let r = beheerder
        .agent()
        .patch(beheerder.url(&format!("/organisaties/{org}")))
        .header("Content-Type", "application/json")
        .header("If-Match", "\"1\"")
        .send(r#"{"naam":"Nieuwe Naam"}"#)
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (_, trail) = app.als_pm().get(&format!("/organisaties/{org}/audittrail"));
    assert_eq!(trail["totaal"], 2);
    let n = field(&trail["resultaten"][1], "naam");
    assert_eq!(
        (n["oud"].as_str(), n["nieuw"].as_str()),
        (Some(old_name.as_str()), Some("Nieuwe Naam"))
    );

    // the other resources have one too
    let (_, opgaven) = app
        .als_pm()
        .get(&format!("/agendas/{a}/opgaven?pageSize=1"));
    let opgave = opgaven["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let (status, trail) = app.als_pm().get(&format!("/opgaven/{opgave}/audittrail"));
    assert_eq!(
        (status, trail["resultaten"][0]["soortWijziging"].as_str()),
        (200, Some("aangemaakt"))
    );
    assert_eq!(app.als_pm().get(&format!("/agendas/{a}/audittrail")).0, 200);

    // 404: unknown id, or an id of another kind of resource
    let (status, problem) = app
        .als_pm()
        .get(&format!("/acties/{}/audittrail", uuid::Uuid::now_v7()));
    assert_eq!((status, problem["code"].as_str()), (404, Some("not-found")));
    assert_eq!(
        app.als_pm().get(&format!("/opgaven/{actie}/audittrail")).0,
        404
    );
    assert_eq!(
        app.als_pm()
            .get(&format!("/reflecties/{actie}/audittrail"))
            .0,
        404
    );
}
