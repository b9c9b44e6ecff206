//! Every refused contribution is answered with its reason and changes
//! nothing.

use mag_tracker::access::Rol;
use serde_json::{json, Value};

use super::{bijdragen, opzet, read};
use crate::support::{request, spawn};

/// Method, path, token, body, the status and the code refused with.
type Refusal<'a> = (&'a str, String, &'a str, Option<Value>, u16, &'a str);

#[test]
fn refused_contributions_change_nothing() {
    let app = spawn();
    let o = opzet(&app);
    bijdragen(&app, &o);
    let demo_groepering = {
        let m = app.state.projection.read();
        m.groeperingen
            .values()
            .find(|g| g.state.agenda_id.to_string() != o.agenda)
            .unwrap()
            .id
            .to_string()
    };
    let partner = app.token(Rol::Partner, "Gemeente Twenterand", vec![]);
    let opgave = format!("/opgaven/{}/bijdragen", o.opgave);
    let doel = format!("/doelen/{}/bijdragen", o.doel);
    let unknown = uuid::Uuid::now_v7();
    let cases: Vec<Refusal> = vec![
        (
            "POST",
            opgave.clone(),
            &o.pm,
            Some(json!({"groeperingId": demo_groepering})),
            400,
            "unknown-groepering",
        ),
        (
            "POST",
            opgave.clone(),
            &o.pm,
            Some(json!({"groeperingId": o.a})),
            409,
            "primary-groepering",
        ),
        (
            "POST",
            doel.clone(),
            &o.pm,
            Some(json!({"groeperingId": o.b})),
            409,
            "primary-groepering",
        ),
        (
            "POST",
            opgave.clone(),
            &o.pm,
            Some(json!({"groeperingId": o.c})),
            409,
            "duplicate-bijdrage",
        ),
        (
            "POST",
            format!("/opgaven/{unknown}/bijdragen"),
            &o.pm,
            Some(json!({"groeperingId": o.c})),
            404,
            "not-found",
        ),
        (
            "POST",
            opgave.clone(),
            &o.pm,
            Some(json!({"groeperingId": "geen-id", "extra": 1})),
            400,
            "invalid-input",
        ),
        (
            "DELETE",
            format!("{doel}/{}", o.b),
            &o.pm,
            None,
            404,
            "not-found",
        ),
        (
            "POST",
            opgave.clone(),
            &partner,
            Some(json!({"groeperingId": o.b})),
            403,
            "forbidden",
        ),
        (
            "DELETE",
            format!("{opgave}/{}", o.c),
            &partner,
            None,
            403,
            "forbidden",
        ),
    ];
    let before = read(&app, &o.pm, &format!("/groeperingen/{}", o.c));
    for (method, path, token, body, status, code) in cases {
        let head = app.head();
        let body = body.map(|b| b.to_string());
        let r = request(&app, method, &path, Some(token), &[], body.as_deref());
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        let got = r.body["code"].as_str().unwrap_or_default().to_owned();
        let named: Vec<&str> = r.body["invalidParams"]
            .as_array()
            .map(|p| p.iter().filter_map(|x| x["code"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            got == code || named.contains(&code),
            "{method} {path}: {}",
            r.body
        );
        if status == 400 {
            assert!(
                r.body["invalidParams"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["name"] == "body.groeperingId"),
                "{}",
                r.body
            );
        }
        if status == 409 || status == 404 {
            assert!(
                r.body["detail"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty() && !d.contains("error")),
                "{}",
                r.body
            );
        }
        assert_eq!(app.head(), head, "{method} {path} appended nothing");
    }
    assert_eq!(read(&app, &o.pm, &format!("/groeperingen/{}", o.c)), before);
    // A stale If-Match is a 412, also here (the doel is at version 2).
    let r = request(
        &app,
        "POST",
        &doel,
        Some(&o.pm),
        &[("If-Match", "\"1\"")],
        Some(&json!({"groeperingId": o.a}).to_string()),
    );
    assert_eq!(r.status, 412, "{}", r.body);
}
