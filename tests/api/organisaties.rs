//! `/organisaties`: register, list, read and change.

use serde_json::json;

use crate::support::*;

#[test]
fn organisaties_are_registered_listed_and_changed() {
    let app = spawn();
    let r = app.als_beheerder().created(
        "/organisaties",
        &json!({"naam": "Stichting Taalhuis", "soort": "welzijn", "contactadres": "info@taalhuis.nl"}),
    );
    let id = r.id();
    assert_eq!(
        (r.body["soort"].as_str(), r.location.clone()),
        (Some("welzijn"), format!("/v1/organisaties/{id}"))
    );
    let (_, list) = app.als_pm().get("/organisaties?naam=TAALHUIS");
    assert_eq!(
        (
            list["totaal"].as_u64(),
            list["resultaten"][0]["id"].as_str()
        ),
        (Some(1), Some(id.as_str()))
    );
    let path = format!("/organisaties/{id}");
    let r = app.als_beheerder().patch(
        &path,
        "\"1\"",
        &json!({"naam": "Taalhuis Twenterand", "contactadres": null}),
    );
    assert_eq!((r.status, r.etag.as_str()), (200, "\"2\""));
    assert_eq!(
        (r.body["naam"].as_str(), r.body["contactadres"].is_null()),
        (Some("Taalhuis Twenterand"), true)
    );
    assert_eq!(app.als_pm().get(&path).1, r.body);
    // nothing to change: no event
    let head = app.head();
    let r = app
        .als_beheerder()
        .patch(&path, "\"2\"", &json!({"soort": "welzijn"}));
    assert_eq!((r.status, r.etag.as_str()), (200, "\"2\""));
    assert_eq!(app.head(), head);
}

#[test]
fn bad_organisaties_are_refused_and_append_nothing() {
    let app = spawn();
    let missing = uuid::Uuid::now_v7();
    app.als_beheerder()
        .refused("POST", "/organisaties", &[], "niet-json", 400);
    let r = app.als_beheerder().refused(
        "POST",
        "/organisaties",
        &[],
        r#"{"naam":7,"soort":"club","contactadres":"geen-adres","website":"x"}"#,
        400,
    );
    assert_eq!(
        r.invalid(),
        [
            "body.contactadres",
            "body.naam",
            "body.soort",
            "body.website"
        ]
    );
    let r = app.als_beheerder().refused(
        "POST",
        "/organisaties",
        &[],
        r#"{"naam":"gemeente twenterand","soort":"gemeente"}"#,
        409,
    );
    assert_eq!(r.code(), "duplicate-naam");
    let id = app
        .als_beheerder()
        .created(
            "/organisaties",
            &json!({"naam": "Sportclub", "soort": "sport"}),
        )
        .id();
    let path = format!("/organisaties/{id}");
    app.als_beheerder()
        .refused("PATCH", &path, &[], r#"{"naam":"x"}"#, 428);
    app.als_beheerder().refused(
        "PATCH",
        &path,
        &[("If-Match", "\"3\"")],
        r#"{"naam":"x"}"#,
        412,
    );
    app.als_beheerder().refused(
        "PATCH",
        &path,
        &[("If-Match", "nonsense")],
        r#"{"naam":"x"}"#,
        400,
    );
    app.als_beheerder().refused(
        "PATCH",
        &path,
        &[("If-Match", "\"1\"")],
        r#"{"naam":""}"#,
        400,
    );
    let r = app.als_beheerder().refused(
        "PATCH",
        &path,
        &[("If-Match", "\"1\"")],
        r#"{"naam":"Gemeente Twenterand"}"#,
        409,
    );
    assert_eq!(r.code(), "duplicate-naam", "renaming to a taken name");
    app.als_beheerder().refused(
        "PATCH",
        &format!("/organisaties/{missing}"),
        &[("If-Match", "\"1\"")],
        r#"{"naam":"x"}"#,
        404,
    );
    app.als_pm()
        .refused("GET", &format!("/organisaties/{missing}"), &[], "", 404);
    app.als_pm()
        .refused("GET", "/organisaties?pageSize=501", &[], "", 400);
    // idempotency
    let key = [("Idempotency-Key", "org-1")];
    let body = r#"{"naam":"Buurtteam","soort":"welzijn"}"#;
    let first = app
        .als_beheerder()
        .call("POST", "/organisaties", &key, Some(body));
    let head = app.head();
    let again = app
        .als_beheerder()
        .call("POST", "/organisaties", &key, Some(body));
    assert_eq!(
        (first.status, again.status, again.id()),
        (201, 201, first.id())
    );
    assert_eq!(app.head(), head);
    app.als_beheerder().refused(
        "POST",
        "/organisaties",
        &key,
        r#"{"naam":"Buurtteam Oost","soort":"welzijn"}"#,
        422,
    );
}

/// A partner's administrator corrects an organisatie the way RFC 7396 says:
/// `null` removes the contactadres, absent fields stay, and a field that
/// cannot be removed (naam) refuses `null`, naming it. What the spec's
/// schema calls a typo (an unknown field) is named too, all at once.
#[test]
fn an_organisatie_is_changed_with_a_json_merge_patch() {
    let app = spawn();
    let r = app.als_beheerder().created(
        "/organisaties",
        &json!({"naam": "Buurtteam Vroomshoop", "soort": "welzijn", "contactadres": "info@buurtteam.nl"}),
    );
    let path = format!("/organisaties/{}", r.id());
    let merge = |etag: &str, body: &str| {
        app.als_beheerder().call(
            "PATCH",
            &path,
            &[
                ("If-Match", etag),
                ("Content-Type", "application/merge-patch+json"),
            ],
            Some(body),
        )
    };
    let r = merge("\"1\"", r#"{"contactadres": null}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    let (_, read) = app.als_pm().get(&path);
    assert_eq!(
        (
            read["naam"].as_str(),
            read["soort"].as_str(),
            read["contactadres"].is_null()
        ),
        (Some("Buurtteam Vroomshoop"), Some("welzijn"), true)
    );
    let head = app.head();
    let r = merge(
        "\"2\"",
        r#"{"naam": null, "soort": "sportclub", "websit": "x"}"#,
    );
    assert_eq!((r.status, r.code()), (400, "invalid-input"), "{}", r.body);
    assert_eq!(r.invalid(), ["body.naam", "body.soort", "body.websit"]);
    let reasons = r.body["invalidParams"].to_string();
    assert!(
        reasons.contains("kies uit") && reasons.contains("welzijn"),
        "{reasons}"
    );
    assert!(reasons.contains("Onbekend veld 'websit'"), "{reasons}");
    assert!(reasons.contains("'naam' mag niet null zijn"), "{reasons}");
    assert_eq!(app.head(), head, "a refused patch appends nothing");
    // Blank names are refused by the schema's own rule, as the spec says.
    let r = merge("\"2\"", r#"{"naam": "   "}"#);
    assert_eq!((r.status, r.invalid()), (400, vec!["body.naam".to_owned()]));
}
