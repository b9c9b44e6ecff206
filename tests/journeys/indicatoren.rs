//! Journey: a partner that owns an indicator records its metingen, and the
//! programmamanager revises the target with a JSON Merge Patch. Bad input is
//! answered with every problem named, in Dutch, and changes nothing.

use serde_json::{json, Value};

use crate::support::{token_create_ok, Resp, Server};

/// A PATCH sent as `application/merge-patch+json` (and only that).
fn merge_patch(server: &Server, path: &str, token: &str, etag: &str, body: &Value) -> Resp {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .patch(format!("{}{path}", server.base))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .send(body.to_string())
        .expect("the server answers");
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

fn named(problem: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = problem["invalidParams"]
        .as_array()
        .unwrap_or_else(|| panic!("no invalidParams in {problem}"))
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn an_owning_partner_records_metingen_and_the_programmamanager_revises_the_target() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let pm = token_create_ok(
        &dir,
        "programmamanager",
        "Gemeente Twenterand",
        &["--alle-agendas"],
    );
    let mijande = token_create_ok(&dir, "partner", "Mijande", &[]);
    let bieb = token_create_ok(&dir, "partner", "Bibliotheek Twenterand", &[]);
    let server = Server::start(&dir, &[]);
    let agenda = server.get("/agendas", None).json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let org = server.get("/organisaties?naam=Mijande", None).json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let opgave = server
        .get(&format!("/agendas/{agenda}/opgaven?code=1.1"), None)
        .json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doel = server
        .get(&format!("/opgaven/{opgave}/doelen"), None)
        .json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The programmamanager adds an indicator that Mijande supplies.
    let r = server.post(
        &format!("/doelen/{doel}/indicatoren"),
        &pm,
        &json!({"naam": "Gehuisveste statushouders", "eenheid": "%", "richting": "hogerIsBeter",
            "bron": "Eigen registratie", "eigenaarOrganisatieId": org,
            "nulmeting": {"jaar": 2023, "waarde": 30}, "streefwaarden": [{"jaar": 2024, "waarde": 50}]}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let metingen = format!("/indicatoren/{id}/metingen");

    // Another partner may not record its metingen.
    let r = server.post(
        &metingen,
        &bieb,
        &json!({"periode": "2024", "waarde": 55, "status": "definitief"}),
    );
    assert_eq!(r.status, 403, "{}", r.text);

    // A body with four mistakes: each named, in Dutch, nothing recorded.
    let r = server.post(
        &metingen,
        &mijande,
        &json!({"periode": "2024-Q5", "waarde": 2e15, "status": "ongeveer", "eenheid": "%"}),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/problem+json"));
    let problem = r.json();
    assert_eq!(
        named(&problem),
        [
            ("body.eenheid".into(), "unknown-field".into()),
            ("body.periode".into(), "invalid-period".into()),
            ("body.status".into(), "invalid-value".into()),
            ("body.waarde".into(), "invalid-number".into()),
        ]
    );
    assert!(problem.to_string().contains("2024-Q2"), "{problem}");
    assert!(
        problem.to_string().contains("voorlopig, definitief"),
        "{problem}"
    );

    // A meting measured tomorrow has not been done yet.
    let tomorrow = chrono::Utc::now().date_naive().succ_opt().unwrap();
    let r = server.post(
        &metingen,
        &mijande,
        &json!({"meetDatum": tomorrow.to_string(), "waarde": 55, "status": "voorlopig"}),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(
        named(&r.json()),
        [("body.meetDatum".into(), "future-date".into())]
    );
    assert!(r.text.contains("ligt in de toekomst"), "{}", r.text);
    assert_eq!(
        server.get(&metingen, None).json()["totaal"],
        0,
        "nothing recorded"
    );

    // The owner records a meting; it is recorded on its behalf.
    let r = server.post(
        &metingen,
        &mijande,
        &json!({"periode": "2024", "waarde": 55, "status": "definitief", "bron": " Telling "}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let m = r.json();
    assert_eq!(
        (m["doorOrganisatieNaam"].as_str(), m["bron"].as_str()),
        (Some("Mijande"), Some("Telling"))
    );
    assert_eq!(r.header("etag"), Some("\"2\""));

    // The programmamanager raises the 2024 target and clears the bron.
    let path = format!("/indicatoren/{id}");
    let r = merge_patch(
        &server,
        &path,
        &pm,
        "\"2\"",
        &json!({"streefwaarden": [{"jaar": 2024, "waarde": 60}], "bron": null,
            "toelichting": "Bijgesteld na het checkmoment"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let ind = server.get(&path, None).json();
    assert_eq!(ind, r.json(), "read back as answered");
    assert!(ind["bron"].is_null(), "{ind}");
    assert_eq!(ind["koers"]["status"], "nietOpKoers");
    assert!(
        ind["koers"]["uitleg"]
            .as_str()
            .unwrap()
            .contains("niet op koers: 55 % tegen streefwaarde 60 voor 2024"),
        "{ind}"
    );
    let history = server
        .get(&format!("/indicatoren/{id}/streefwaarden"), None)
        .json();
    let rows: Vec<(f64, bool)> = history["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["waarde"].as_f64().unwrap(),
                x["vervangen"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [(50.0, true), (60.0, false)]);
    assert_eq!(
        history["resultaten"][1]["toelichting"],
        "Bijgesteld na het checkmoment"
    );

    // null for a field that cannot be cleared is refused, by name.
    let r = merge_patch(&server, &path, &pm, "\"4\"", &json!({"richting": null}));
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(
        named(&r.json()),
        [("body.richting".into(), "invalid-type".into())]
    );
    server.stop();
}
