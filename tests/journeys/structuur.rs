//! A beheerder makes a new agenda and a programmamanager builds it from nothing against the real binary,
//! with the typed bodies the spec publishes: every wrong field named at
//! once, the structure rules answered in Dutch with a stable code, and a
//! JSON Merge Patch (`application/merge-patch+json`) that takes an opgave
//! out of its groepering with `null`.

use serde_json::{json, Value};

use super::support::{token_create_ok, Resp, Server};

fn send(
    server: &Server,
    token: &str,
    method: &str,
    path: &str,
    ct: &str,
    etag: Option<&str>,
    body: &str,
) -> Resp {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", server.base))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", ct);
    if let Some(e) = etag {
        req = req.header("If-Match", e);
    }
    let mut r = agent.run(req.body(body.to_owned()).unwrap()).unwrap();
    Resp {
        status: r.status().as_u16(),
        headers: r
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect(),
        text: r.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn created(server: &Server, token: &str, path: &str, body: Value) -> Value {
    let r = send(
        server,
        token,
        "POST",
        path,
        "application/json",
        None,
        &body.to_string(),
    );
    assert_eq!(r.status, 201, "POST {path}: {}", r.text);
    r.json()
}

fn problem(r: &Resp) -> Vec<(String, String)> {
    let v = r.json();
    v["invalidParams"]
        .as_array()
        .unwrap_or(&vec![])
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
fn a_new_agenda_is_built_and_the_structure_rules_answer_in_dutch() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    Server::start(&dir, &[]).stop();
    let beheerder = token_create_ok(&dir, "beheerder", "Gemeente Twenterand", &[]);
    let server = Server::start(&dir, &[]);

    // a first try with everything wrong: all of it named at once, nothing made
    let r = send(
        &server,
        &beheerder,
        "POST",
        "/agendas",
        "application/json",
        None,
        r#"{"naam":"","gemeenten":[],"periodeStartDatum":"1-1-2026","kleur":"rood"}"#,
    );
    assert_eq!(r.status, 400, "{}", r.text);
    let names: Vec<String> = problem(&r).into_iter().map(|(n, _)| n).collect();
    for field in [
        "body.naam",
        "body.gemeenten",
        "body.periodeStartDatum",
        "body.periodeEindDatum",
        "body.kleur",
    ] {
        assert!(names.iter().any(|n| n == field), "{field} in {names:?}");
    }
    let agenda = created(
        &server,
        &beheerder,
        "/agendas",
        json!({
        "naam": "MAG Vriezenveen 2026", "gemeenten": ["Twenterand"],
        "periodeStartDatum": "2026-01-01", "periodeEindDatum": "2027-12-31",
        "groeperingsniveaus": [{"enkelvoud": "themalijn", "meervoud": "themalijnen"}]}),
    );
    let a = agenda["id"].as_str().unwrap();
    // work inside the agenda is a programmamanager's: the beheerder issues one
    let gemeente = server
        .get("/organisaties?naam=Gemeente%20Twenterand", None)
        .json()["resultaten"][0]["id"]
        .clone();
    let pm = created(
        &server,
        &beheerder,
        "/tokens",
        json!({"organisatieId": gemeente,
        "rol": "programmamanager", "omschrijving": "bouwt de agenda", "agendas": [a]}),
    );
    let t = pm["token"].as_str().unwrap().to_owned();
    let thema = created(
        &server,
        &t,
        &format!("/agendas/{a}/groeperingen"),
        json!({"naam": "Meedoen", "code": "1"}),
    );
    let opgave = created(
        &server,
        &t,
        &format!("/agendas/{a}/opgaven"),
        json!({"code": "1.1", "titel": "Eenzaamheid verminderen", "groeperingId": thema["id"]}),
    );
    let o = opgave["id"].as_str().unwrap();
    let doel = created(
        &server,
        &t,
        &format!("/opgaven/{o}/doelen"),
        json!({"code": "1.1.1", "titel": "Ontmoeting"}),
    );
    let sub = created(
        &server,
        &t,
        &format!("/opgaven/{o}/doelen"),
        json!({"titel": "Buurthuizen open", "bovenliggendDoelId": doel["id"]}),
    );

    // the domain's rules: a sub-doel of a sub-doel, a code taken among siblings
    let r = send(
        &server,
        &t,
        "POST",
        &format!("/opgaven/{o}/doelen"),
        "application/json",
        None,
        &json!({"titel": "Te diep", "bovenliggendDoelId": sub["id"]}).to_string(),
    );
    assert_eq!(
        problem(&r),
        [(
            "body.bovenliggendDoelId".to_owned(),
            "nested-subdoel".to_owned()
        )]
    );
    assert!(
        r.text
            .contains("Een sub-doel kan zelf geen sub-doelen hebben"),
        "{}",
        r.text
    );
    let r = send(
        &server,
        &t,
        "POST",
        &format!("/agendas/{a}/opgaven"),
        "application/json",
        None,
        &json!({"code": "1.1", "titel": "Dubbel", "groeperingId": thema["id"]}).to_string(),
    );
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (409, Some("duplicate-code"))
    );
    assert!(
        r.text
            .contains("Code 1.1 is al in gebruik bij een andere opgave in dezelfde groepering"),
        "{}",
        r.text
    );
    // codes are unique among siblings of the same kind: themalijn 1 and an opgave 1 coexist
    let r = send(
        &server,
        &t,
        "POST",
        &format!("/agendas/{a}/opgaven"),
        "application/json",
        None,
        r#"{"code":"1","titel":"Naast themalijn 1"}"#,
    );
    assert_eq!(
        (r.status, r.json()["weergavecode"].as_str()),
        (201, Some("1"))
    );

    // merge patch: null takes the opgave out of its themalijn; null for its titel is refused
    let path = format!("/opgaven/{o}");
    let r = send(
        &server,
        &t,
        "PATCH",
        &path,
        "application/merge-patch+json",
        Some("\"1\""),
        r#"{"titel":null}"#,
    );
    assert_eq!(r.status, 400, "{}", r.text);
    let names: Vec<String> = problem(&r).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["body.titel"]);
    let r = send(
        &server,
        &t,
        "PATCH",
        &path,
        "application/merge-patch+json",
        Some("\"1\""),
        r#"{"groeperingId":null}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let read = server.get(&path, Some(t.as_str())).json();
    assert_eq!(
        (read["groeperingId"].clone(), read["titel"].as_str()),
        (Value::Null, Some("Eenzaamheid verminderen"))
    );
    let thema = server
        .get(
            &format!("/groeperingen/{}", thema["id"].as_str().unwrap()),
            Some(t.as_str()),
        )
        .json();
    assert_eq!(thema["opgaveCodes"], json!([]));
    server.stop();
}
