//! Issue 17 for acties, against the real binary: a programme manager plans
//! an actie and changes it the way a generated client would. A body with
//! several mistakes is refused naming each of them and creates nothing; a
//! JSON Merge Patch clears the planned end date and moves the actie
//! directly under its opgave; the trekker is one of three shapes; a
//! voortgangsbericht is withdrawn with a merge patch and stays listed as
//! withdrawn.

use serde_json::{json, Value};

use super::support::{token_create_ok, Resp, Server};

fn ok(r: Resp, what: &str) -> Value {
    assert!(
        (200..300).contains(&r.status),
        "{what}: {} {}",
        r.status,
        r.text
    );
    r.json()
}

/// `(name, code)` of each invalid parameter of a 400 problem.
fn invalid(r: &Resp) -> Vec<(String, String)> {
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/problem+json")),
        "{r:?}"
    );
    r.json()["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_programme_manager_plans_and_changes_an_actie_with_typed_bodies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    Server::start(&dir, &[]).stop();
    let pm = token_create_ok(
        &dir,
        "programmamanager",
        "Gemeente Twenterand",
        &["--alle-agendas"],
    );
    let server = Server::start(&dir, &[]);
    let agenda = ok(server.get("/agendas", None), "agendas")["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bestaand = ok(
        server.get(&format!("/agendas/{agenda}/acties?opgave=1.1"), None),
        "acties",
    )["resultaten"][0]
        .clone();
    let doel = bestaand["doelId"].as_str().unwrap().to_owned();
    let aantal = |server: &Server| {
        ok(
            server.get(&format!("/doelen/{doel}/acties"), None),
            "acties",
        )["totaal"]
            .clone()
    };
    let before = aantal(&server);

    // Every mistake of the body's shape at once; nothing is created.
    let create = format!("/doelen/{doel}/acties");
    let r = server.post(
        &create,
        &pm,
        &json!({"omschrijving": " ", "jaar": 1800, "geplandeStartDatum": "1-3-2024",
            "trekker": {"soort": "groep"}, "status": "lopend"}),
    );
    let mut names: Vec<String> = invalid(&r).into_iter().map(|(n, _)| n).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "body.geplandeStartDatum",
            "body.jaar",
            "body.omschrijving",
            "body.status",
            "body.trekker.naam"
        ]
    );
    assert_eq!(aantal(&server), before, "nothing created");

    let actie = ok(
        server.post(
            &create,
            &pm,
            &json!({"omschrijving": "Taalcafé in Vroomshoop", "geplandeStartDatum": "2024-03-01",
                "geplandeEindDatum": "2024-09-30", "trekker": {"soort": "groep", "naam": "Werkgroep Taal"}}),
        ),
        "create",
    );
    let id = actie["id"].as_str().unwrap().to_owned();
    let path = format!("/acties/{id}");

    // Merge patch: null clears the end date and puts the actie under its opgave.
    let r = server.merge_patch(
        &path,
        &pm,
        "\"1\"",
        &json!({"geplandeEindDatum": null, "doelId": null}),
    );
    let etag = r.header("etag").unwrap().to_owned();
    ok(r, "merge patch");
    let read = ok(server.get(&path, None), "read back");
    assert_eq!(
        (
            read["geplandeStartDatum"].as_str(),
            read["geplandeEindDatum"].is_null(),
            read["doelId"].is_null(),
            read["opgaveCode"].as_str()
        ),
        (Some("2024-03-01"), true, true, Some("1.1")),
        "{read}"
    );
    // null where nothing can be cleared is refused, naming the field
    let r = server.merge_patch(&path, &pm, &etag, &json!({"omschrijving": null}));
    assert_eq!(
        invalid(&r),
        [("body.omschrijving".into(), "invalid-type".into())]
    );

    // The trekker: nobody, with the reason in the audit trail.
    let r = server.call(
        "PUT",
        &format!("{path}/trekker"),
        Some(&pm),
        &[("If-Match", &etag)],
        &json!({"soort": "geen", "toelichting": "Werkgroep opgeheven"}).to_string(),
    );
    let etag = r.header("etag").unwrap().to_owned();
    assert_eq!(ok(r, "trekker")["trekkersrolNogInTeVullen"], true);

    // A voortgangsbericht, withdrawn with a merge patch, stays listed as withdrawn.
    let berichten = format!("{path}/voortgangsberichten");
    let b = server.call(
        "POST",
        &berichten,
        Some(&pm),
        &[("If-Match", &etag)],
        &json!({"tekst": "Eerste café gehouden", "datum": "2024-03-14"}).to_string(),
    );
    let etag = b.header("etag").unwrap().to_owned();
    let bericht = ok(b, "bericht")["id"].as_str().unwrap().to_owned();
    let r = server.merge_patch(
        &format!("{berichten}/{bericht}"),
        &pm,
        &etag,
        &json!({"ingetrokken": true, "reden": "Dubbel gemeld"}),
    );
    assert_eq!(ok(r, "withdraw")["ingetrokken"], true);
    let list = ok(server.get(&berichten, None), "berichten");
    assert_eq!(
        (
            list["totaal"].as_u64(),
            list["resultaten"][0]["tekst"].as_str(),
            list["resultaten"][0]["ingetrokken"].as_bool()
        ),
        (Some(1), Some("Eerste café gehouden"), Some(true))
    );
    server.stop();
}
