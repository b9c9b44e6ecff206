//! `GET /agendas/{id}/wijzigingen`: what changed in a period.

use crate::support::{agenda_id, spawn, TestApp};

fn head(app: &TestApp) -> u64 {
    app.als_beheerder().get("/gebeurtenissen?pageSize=1").1["laatstePositie"]
        .as_u64()
        .unwrap()
}

#[test]
fn wijzigingen_lists_added_dropped_status_and_trekker_changes_in_a_period() {
    let app = spawn();
    let a = agenda_id(&app);
    let h0 = head(&app);
    let (_, list) = app
        .als_pm()
        .get(&format!("/agendas/{a}/acties?opgave=2.5&pageSize=2"));
    let x = list["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let y = list["resultaten"][1]["id"].as_str().unwrap().to_owned();
    let opgave = list["resultaten"][0]["opgaveId"]
        .as_str()
        .unwrap()
        .to_owned();
    let post = |path: String, body: &str| app.als_pm().send("POST", &path, &[], body).0;
    assert_eq!(
        post(
            format!("/acties/{x}/statuswijzigingen"),
            r#"{"status":"lopend"}"#
        ),
        201
    );
    assert_eq!(
        app.als_pm()
            .send(
                "PUT",
                &format!("/acties/{x}/trekker"),
                &[("If-Match", "\"2\""), ("X-Audit-Toelichting", "overdracht")],
                r#"{"soort":"groep","naam":"Werkgroep Wonen"}"#,
            )
            .0,
        200
    );
    assert_eq!(
        post(
            format!("/acties/{y}/statuswijzigingen"),
            r#"{"status":"vervallen","reden":"Opgegaan in 2.5.1"}"#
        ),
        201
    );
    assert_eq!(
        post(
            format!("/opgaven/{opgave}/acties"),
            r#"{"omschrijving":"Nieuwe actie"}"#
        ),
        201
    );

    let (status, w) = app
        .als_pm()
        .get(&format!("/agendas/{a}/wijzigingen?sindsPositie={h0}"));
    assert_eq!(status, 200, "{w}");
    assert_eq!(w["naPositie"].as_u64(), Some(h0));
    assert_eq!(w["totEnMetPositie"].as_u64(), Some(h0 + 4));
    assert_eq!(w["statuswijzigingen"].as_array().unwrap().len(), 1);
    assert_eq!(w["statuswijzigingen"][0]["naar"], "lopend");
    assert_eq!(w["statuswijzigingen"][0]["opgaveCode"], "2.5");
    assert_eq!(
        w["trekkerwijzigingen"][0]["nieuweTrekker"]["naam"],
        "Werkgroep Wonen"
    );
    assert_eq!(
        w["trekkerwijzigingen"][0]["vorigeTrekker"]["naam"],
        "Gemeente Twenterand"
    );
    assert_eq!(w["trekkerwijzigingen"][0]["toelichting"], "overdracht");
    assert_eq!(w["actiesVervallen"][0]["actieId"], y.as_str());
    assert_eq!(w["actiesVervallen"][0]["reden"], "Opgegaan in 2.5.1");
    assert_eq!(w["actiesToegevoegd"].as_array().unwrap().len(), 1);
    assert_eq!(w["actiesToegevoegd"][0]["omschrijving"], "Nieuwe actie");

    // a closed range by positions, and the whole history by dates
    let (_, w) = app.als_pm().get(&format!(
        "/agendas/{a}/wijzigingen?sindsPositie={h0}&totPositie={}",
        h0 + 1
    ));
    assert_eq!(w["statuswijzigingen"].as_array().unwrap().len(), 1);
    assert_eq!(w["trekkerwijzigingen"].as_array().unwrap().len(), 0);
    let today = chrono::Utc::now().date_naive();
    let (since, until) = (
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1),
    );
    let (_, w) = app.als_pm().get(&format!(
        "/agendas/{a}/wijzigingen?sinds={since}&tot={until}"
    ));
    assert_eq!(
        w["actiesToegevoegd"].as_array().unwrap().len(),
        80,
        "79 demo acties + 1"
    );
    let (_, w) = app
        .als_pm()
        .get(&format!("/agendas/{a}/wijzigingen?tot=2000-01-01"));
    assert_eq!(w["actiesToegevoegd"].as_array().unwrap().len(), 0);

    // problems, all at once; unknown agenda is a 404
    let (status, p) = app.als_pm().get(&format!(
        "/agendas/{a}/wijzigingen?sinds=2024-02-30&tot=morgen&totPositie=3"
    ));
    assert_eq!(
        (status, p["invalidParams"].as_array().unwrap().len()),
        (400, 3)
    );
    let (status, _) = app.als_pm().get(&format!(
        "/agendas/{a}/wijzigingen?sinds=2024-02-01&tot=2024-01-01"
    ));
    assert_eq!(status, 400);
    let (status, _) = app
        .als_pm()
        .get(&format!("/agendas/{a}/wijzigingen?van=2024-01-01"));
    assert_eq!(status, 400);
    let (status, _) = app
        .als_pm()
        .get(&format!("/agendas/{}/wijzigingen", uuid::Uuid::now_v7()));
    assert_eq!(status, 404);
}

#[test]
fn a_position_range_that_cannot_be_is_refused_like_in_the_voortgang() {
    let app = spawn();
    let a = agenda_id(&app);
    let h = head(&app);
    for (query, name, code, says) in [
        (
            format!("sindsPositie={}", h + 1),
            "query.sindsPositie",
            "beyond-head",
            format!("voorbij de laatste positie ({h})"),
        ),
        (
            "sindsPositie=10&totPositie=2".to_owned(),
            "query.totPositie",
            "invalid-range",
            "totPositie ligt vóór sindsPositie".to_owned(),
        ),
    ] {
        let (status, body) = app
            .als_pm()
            .get(&format!("/agendas/{a}/wijzigingen?{query}"));
        assert_eq!(status, 400, "{query}: {body}");
        let p = &body["invalidParams"][0];
        assert_eq!(
            (p["name"].as_str(), p["code"].as_str()),
            (Some(name), Some(code)),
            "{body}"
        );
        assert!(p["reason"].as_str().unwrap().contains(&says), "{body}");
    }
    // The last position itself is an empty period, not an error.
    let (status, body) = app
        .als_pm()
        .get(&format!("/agendas/{a}/wijzigingen?sindsPositie={h}"));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["naPositie"], h);
}
