//! An unknown query parameter is a 400 on every endpoint (reads, writes,
//! feeds, exports), naming it and listing what the operation accepts;
//! the declared ones keep working.

use serde_json::json;

use crate::support::{actie, agenda_id, opgave, spawn};

#[test]
fn an_unknown_query_parameter_is_refused_on_every_kind_of_endpoint() {
    let app = spawn();
    let a = agenda_id(&app);
    let o = opgave(&app, "1.1");
    let act = actie(&app, "1.1");
    let act_id = act["id"].as_str().unwrap();
    let act_etag = app
        .als_pm()
        .call("GET", &format!("/acties/{act_id}"), &[], None)
        .etag;
    // the feed and the tokens as the beheerder, who may read them
    let (pm, beheerder) = (app.als_pm(), app.als_beheerder());
    let reads = [
        (pm, format!("/agendas/{a}")),
        (pm, "/agendas".to_owned()),
        (pm, format!("/opgaven/{o}")),
        (pm, format!("/opgaven/{o}/pdca")),
        (pm, format!("/agendas/{a}/overzicht")),
        (pm, format!("/agendas/{a}/acties")),
        (pm, format!("/acties/{act_id}/audittrail")),
        (pm, format!("/agendas/{a}/wijzigingen")),
        (pm, format!("/agendas/{a}/voortgang")),
        (pm, format!("/agendas/{a}/voortgang.atom")),
        (pm, format!("/agendas/{a}/export")),
        (beheerder, "/gebeurtenissen".to_owned()),
        (pm, "/organisaties".to_owned()),
        (beheerder, "/tokens".to_owned()),
    ];
    for (caller, path) in &reads {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = caller.refused("GET", &format!("{path}{sep}sorteer=naam"), &[], "", 400);
        assert_eq!(r.code(), "invalid-input", "{path}: {:?}", r.body);
        assert_eq!(r.invalid(), ["query.sorteer"], "{path}: {:?}", r.body);
        let p = &r.body["invalidParams"][0];
        assert_eq!(p["code"], "unknown-parameter", "{path}");
        assert!(
            p["reason"].as_str().unwrap().contains("'sorteer'"),
            "{path}: {p}"
        );
    }
    // The reason lists what the operation accepts.
    let r = app
        .als_pm()
        .refused("GET", "/agendas?pagina=2", &[], "", 400);
    let reason = r.body["invalidParams"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("page, pageSize, peildatum, peiltijdstip, positie"),
        "{reason}"
    );
    // Writes: POST, PATCH, PUT refuse too, and append nothing.
    let body = json!({"titel": "Nieuwe opgave"}).to_string();
    let r = app.als_pm().refused(
        "POST",
        &format!("/agendas/{a}/opgaven?dryRun=true"),
        &[],
        &body,
        400,
    );
    assert_eq!(r.invalid(), ["query.dryRun"]);
    assert!(r.body["invalidParams"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("kent geen queryparameters"));
    let r = app.als_pm().refused(
        "PATCH",
        &format!("/acties/{act_id}?x=1"),
        &[
            ("If-Match", &act_etag),
            ("Content-Type", "application/merge-patch+json"),
        ],
        &json!({"omschrijving": "Anders"}).to_string(),
        400,
    );
    assert_eq!(r.invalid(), ["query.x"]);
    let r = app.als_pm().refused(
        "PUT",
        &format!("/acties/{act_id}/trekker?force=1"),
        &[("If-Match", &act_etag)],
        &json!({"soort": "groep", "naam": "Werkgroep"}).to_string(),
        400,
    );
    assert_eq!(r.invalid(), ["query.force"]);
    let token = uuid::Uuid::now_v7();
    let r = app
        .als_beheerder()
        .refused("DELETE", &format!("/tokens/{token}?x=1"), &[], "", 400);
    assert_eq!(r.invalid(), ["query.x"]);
    // Time travel where it is not possible keeps its own code.
    let r = app.als_pm().refused(
        "POST",
        &format!("/agendas/{a}/opgaven?positie=3"),
        &[],
        &body,
        400,
    );
    assert_eq!(r.body["invalidParams"][0]["code"], "not-supported");
    // Several unknown ones are all named.
    let r = app.als_pm().refused(
        "GET",
        &format!("/opgaven/{o}/pdca?a=1&b=2&a=3"),
        &[],
        "",
        400,
    );
    assert_eq!(r.invalid(), ["query.a", "query.b"]);
}

#[test]
fn declared_query_parameters_still_work() {
    let app = spawn();
    let a = agenda_id(&app);
    let o = opgave(&app, "1.1");
    let (pm, beheerder) = (app.als_pm(), app.als_beheerder());
    for (caller, path) in [
        (pm, "/agendas?page=1&pageSize=5".to_owned()),
        (pm, format!("/agendas/{a}?positie=140")),
        (pm, format!("/opgaven/{o}/pdca?positie=140")),
        (pm, format!("/agendas/{a}/acties?opgave=1.1&pageSize=2")),
        (
            pm,
            format!("/agendas/{a}/voortgang?sindsPositie=1&formaat=json"),
        ),
        (pm, format!("/agendas/{a}/export?formaat=json")),
        (beheerder, "/gebeurtenissen?na=0&pageSize=3".to_owned()),
        (pm, format!("/agendas/{a}/wijzigingen?sindsPositie=1")),
    ] {
        let (status, body) = caller.get(&path);
        assert_eq!(status, 200, "{path}: {body:?}");
    }
}

#[test]
fn a_percent_encoded_path_does_not_get_an_unknown_parameter_past_the_check() {
    let app = spawn();
    let a = agenda_id(&app);
    let act = actie(&app, "1.1");
    let act_id = act["id"].as_str().unwrap();
    // The router decodes `%65` to `e` (and `%61` to `a`): the check must see
    // the path the router sees, or an unknown parameter is silently ignored.
    for path in [
        format!("/acti%65s/{act_id}?sorteer=naam"),
        format!("/agend%61s/{a}?sorteer=naam"),
        format!("/agendas/{a}/acti%65s?sorteer=naam"),
    ] {
        let r = app.als_pm().refused("GET", &path, &[], "", 400);
        assert_eq!(r.invalid(), ["query.sorteer"], "{path}: {:?}", r.body);
        assert_eq!(
            r.body["invalidParams"][0]["code"], "unknown-parameter",
            "{path}: {:?}",
            r.body
        );
    }
}
