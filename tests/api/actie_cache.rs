//! `GET /acties/{id}` serves the live actie from a cache of rendered bodies
//! (`ActieCache`): every write that changes what the actie shows, on its own
//! stream or on another one it reads (its doel, opgave, the organisaties of
//! its trekker and partners), must be seen by the very next GET; an as-of
//! GET still answers the past.

use serde_json::{json, Value};

use crate::support::{agenda_id, spawn, Resp, TestApp};

/// `GET /acties/{id}` twice (the second from the cache), checked against
/// the same actie rendered afresh in the agenda's list, with its version
/// as ETag.
fn served(app: &TestApp, agenda: &str, id: &str) -> Resp {
    let r = app
        .als_pm()
        .call("GET", &format!("/acties/{id}"), &[], None);
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.etag, format!("\"{}\"", r.body["versie"]));
    assert!(
        !app.state.actie_cache.is_empty(),
        "the GET filled the actie cache"
    );
    let again = app
        .als_pm()
        .call("GET", &format!("/acties/{id}"), &[], None);
    assert_eq!((&again.etag, &again.body), (&r.etag, &r.body));
    let (_, list) = app
        .als_pm()
        .get(&format!("/agendas/{agenda}/acties?pageSize=500"));
    let fresh = list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .expect("the actie is in the list");
    assert_eq!(
        &r.body, fresh,
        "GET /acties/{id} differs from a fresh rendering"
    );
    r
}

fn ok(r: Resp, what: &str) -> Resp {
    assert!(r.status == 200 || r.status == 201, "{what}: {r:?}");
    r
}

fn etag_of(app: &TestApp, path: &str) -> String {
    app.als_pm().call("GET", path, &[], None).etag
}

#[test]
fn actie_reads_see_every_write_it_depends_on_through_the_cache() {
    let app = spawn();
    let agenda = agenda_id(&app);
    let (_, list) = app
        .als_pm()
        .get(&format!("/agendas/{agenda}/acties?pageSize=500"));
    let acties = list["resultaten"].as_array().unwrap().clone();
    // An actie under a doel with a code, led by an organisatie.
    let actie = acties
        .iter()
        .find(|a| a["doelCode"].is_string() && a["trekker"]["soort"] == "organisatie")
        .expect("a demo actie under a doel with an organisatie as trekker")
        .clone();
    let id = actie["id"].as_str().unwrap().to_owned();
    let doel = actie["doelId"].as_str().unwrap().to_owned();
    let start = served(&app, &agenda, &id);
    let p0 = app.head();
    let path = format!("/acties/{id}");

    // a status change
    assert_ne!(start.body["status"], "lopend");
    ok(
        app.als_pm().call(
            "POST",
            &format!("{path}/statuswijzigingen"),
            &[],
            Some(r#"{"status":"lopend","ingangsDatum":"2024-02-01"}"#),
        ),
        "status",
    );
    let now = served(&app, &agenda, &id);
    assert_eq!(now.body["status"], "lopend");

    // a voortgangsbericht
    let before = now.body["aantalVoortgangsberichten"].as_u64().unwrap();
    ok(
        app.als_pm().call(
            "POST",
            &format!("{path}/voortgangsberichten"),
            &[],
            Some(r#"{"tekst":"Eerste bijeenkomst gehouden.","datum":"2024-03-01"}"#),
        ),
        "voortgangsbericht",
    );
    let now = served(&app, &agenda, &id);
    assert_eq!(now.body["aantalVoortgangsberichten"], before + 1);

    // another organisatie as trekker, a third one as partner
    let (_, orgs) = app.als_pm().get("/organisaties?pageSize=500");
    let others: Vec<String> = orgs["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .filter(|o| *o != now.body["trekker"]["organisatieId"])
        .collect();
    let (trekker, partner) = (others[0].clone(), others[1].clone());
    ok(
        app.als_pm().call(
            "PUT",
            &format!("{path}/trekker"),
            &[("If-Match", &now.etag)],
            Some(&json!({"soort": "organisatie", "organisatieId": trekker}).to_string()),
        ),
        "trekker",
    );
    let now = served(&app, &agenda, &id);
    assert_eq!(now.body["trekker"]["organisatieId"], trekker.as_str());
    ok(
        app.als_pm()
            .patch(&path, &now.etag, &json!({"partners": [partner]})),
        "partners",
    );
    let now = served(&app, &agenda, &id);
    assert_eq!(now.body["partners"][0]["id"], partner.as_str());

    // renaming those organisaties: only their own streams change
    let version = now.body["versie"].clone();
    for (org, field) in [(&trekker, "trekker"), (&partner, "partner")] {
        let naam = format!("Hernoemde {field}");
        let org_path = format!("/organisaties/{org}");
        ok(
            app.als_beheerder()
                .patch(&org_path, &etag_of(&app, &org_path), &json!({"naam": naam})),
            "rename",
        );
        let now = served(&app, &agenda, &id);
        assert_eq!(
            now.body["versie"], version,
            "the actie itself did not change"
        );
        let shown = match field {
            "trekker" => &now.body["trekker"]["naam"],
            _ => &now.body["partners"][0]["naam"],
        };
        assert_eq!(shown, naam.as_str());
    }

    // renumbering the doel
    let doel_path = format!("/doelen/{doel}");
    let opgave_code = now_opgave_code(&app, &id);
    let code = format!("{opgave_code}.97");
    ok(
        app.als_pm().patch(
            &doel_path,
            &etag_of(&app, &doel_path),
            &json!({"code": code}),
        ),
        "doel code",
    );
    let now = served(&app, &agenda, &id);
    assert_eq!(now.body["doelCode"], code.as_str());
    assert_eq!(now.body["versie"], version);

    // the doel moves to another opgave: the actie goes along
    let (other, other_code) = acties
        .iter()
        .map(|a| (a["opgaveId"].clone(), a["opgaveCode"].clone()))
        .find(|(o, _)| *o != now.body["opgaveId"])
        .map(|(o, c)| {
            (
                o.as_str().unwrap().to_owned(),
                c.as_str().unwrap().to_owned(),
            )
        })
        .unwrap();
    ok(
        app.als_pm().patch(
            &doel_path,
            &etag_of(&app, &doel_path),
            &json!({"opgaveId": other, "code": format!("{other_code}.97")}),
        ),
        "doel move",
    );
    let now = served(&app, &agenda, &id);
    assert_eq!(
        (&now.body["opgaveId"], &now.body["opgaveCode"]),
        (&json!(other), &json!(other_code))
    );
    assert_eq!(now.body["versie"], version);

    // renumbering that opgave
    let opgave_path = format!("/opgaven/{other}");
    ok(
        app.als_pm().patch(
            &opgave_path,
            &etag_of(&app, &opgave_path),
            &json!({"code": "9.97"}),
        ),
        "opgave code",
    );
    let now = served(&app, &agenda, &id);
    assert_eq!(now.body["opgaveCode"], "9.97");
    assert_eq!(now.body["versie"], version);

    // the actie moves to another doel
    let elsewhere = acties
        .iter()
        .find(|a| a["doelId"].is_string() && a["doelId"] != doel.as_str())
        .map(|a| a["doelId"].as_str().unwrap().to_owned())
        .unwrap();
    ok(
        app.als_pm()
            .patch(&path, &now.etag, &json!({"doelId": elsewhere})),
        "actie move",
    );
    let now = served(&app, &agenda, &id);
    assert_eq!(now.body["doelId"], elsewhere.as_str());

    // as of the start: the body from before every write above
    let past = app
        .als_pm()
        .call("GET", &format!("{path}?positie={p0}"), &[], None);
    assert_eq!(past.status, 200, "{:?}", past.body);
    assert_eq!((&past.etag, &past.body), (&start.etag, &start.body));
    // and the live one again, from the cache
    let live = served(&app, &agenda, &id);
    assert_eq!(live.body, now.body);
}

fn now_opgave_code(app: &TestApp, id: &str) -> String {
    let (_, a): (u16, Value) = app.als_pm().get(&format!("/acties/{id}"));
    a["opgaveCode"].as_str().unwrap().to_owned()
}
