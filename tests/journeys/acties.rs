//! Journeys of a programme manager restructuring the agenda and of people
//! referring to acties (issue 16, items 4 and 5), against the real binary:
//! renumbering an opgave carries its doelen along and both exports import
//! again; an actie has a kenmerk that finds it, that its words find, that
//! the voortgang, the CSV and the audittrail show, and that a renumber
//! leaves as it was.

use serde_json::{json, Value};

use super::support::{token_create_ok, Resp, Server};

/// The demo store with a programmamanager and a beheerder token, served.
fn demo_with_tokens(dir: &std::path::Path) -> (Server, String, String) {
    Server::start(dir, &[]).stop();
    let pm = token_create_ok(
        dir,
        "programmamanager",
        "Gemeente Twenterand",
        &["--alle-agendas"],
    );
    let beheerder = token_create_ok(dir, "beheerder", "Gemeente Twenterand", &[]);
    (Server::start(dir, &[]), pm, beheerder)
}

fn ok(r: Resp, what: &str) -> Value {
    assert!(
        (200..300).contains(&r.status),
        "{what}: {} {}",
        r.status,
        r.text
    );
    r.json()
}

fn agenda(server: &Server) -> String {
    ok(server.get("/agendas", None), "agendas")["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn opgave(server: &Server, agenda: &str, code: &str) -> Value {
    ok(
        server.get(&format!("/agendas/{agenda}/opgaven?code={code}"), None),
        "opgave",
    )["resultaten"][0]
        .clone()
}

fn doel_codes(server: &Server, opgave_id: &str) -> Vec<String> {
    ok(
        server.get(&format!("/opgaven/{opgave_id}/doelen"), None),
        "doelen",
    )["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

fn renumber(server: &Server, pm: &str, opgave: &Value, code: &str) {
    let id = opgave["id"].as_str().unwrap();
    let etag = format!("\"{}\"", opgave["versie"]);
    let r = server.call(
        "PATCH",
        &format!("/opgaven/{id}"),
        Some(pm),
        &[("If-Match", &etag)],
        &json!({"code": code, "toelichting": "Nieuwe nummering na bijsturing"}).to_string(),
    );
    assert_eq!(ok(r, "renumber")["code"], code);
}

/// POSTs a file to `/agenda-imports` as a client script would (raw bytes
/// with their own Content-Type).
fn import(server: &Server, beheerder: &str, query: &str, content_type: &str, body: &str) -> Value {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .post(format!("{}/agenda-imports{query}", server.base))
        .header("Authorization", format!("Bearer {beheerder}"))
        .header("Content-Type", content_type)
        .send(body.as_bytes())
        .unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap();
    assert_eq!(
        status, 201,
        "the product's own export imports again: {text}"
    );
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_programme_manager_renumbers_an_opgave_and_both_exports_import_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, pm, beheerder) = demo_with_tokens(&tmp.path().join("data"));
    let a = agenda(&server);
    let o14 = opgave(&server, &a, "1.4");
    let id = o14["id"].as_str().unwrap().to_owned();
    assert_eq!(doel_codes(&server, &id), ["1.4.1", "1.4.2"]);

    renumber(&server, &pm, &o14, "1.5");
    assert_eq!(
        doel_codes(&server, &id),
        ["1.5.1", "1.5.2"],
        "the doelen follow"
    );

    // The doel's audittrail says so, with the programme manager's toelichting.
    let doelen = ok(server.get(&format!("/opgaven/{id}/doelen"), None), "doelen");
    let d = doelen["resultaten"][0]["id"].as_str().unwrap();
    let trail = ok(
        server.get(&format!("/doelen/{d}/audittrail"), None),
        "audittrail",
    );
    let last = trail["resultaten"].as_array().unwrap().last().unwrap();
    assert_eq!(last["soortWijziging"], "hernummerd");
    assert_eq!(
        (
            last["wijzigingen"][0]["oud"].as_str(),
            last["wijzigingen"][0]["nieuw"].as_str()
        ),
        (Some("1.4.1"), Some("1.5.1"))
    );
    assert_eq!(last["toelichting"], "Nieuwe nummering na bijsturing");

    // Both exports import into a new agenda, with the new codes.
    let json_export = server.get(&format!("/agendas/{a}/export?formaat=json"), Some(&pm));
    assert_eq!(json_export.status, 200);
    let created = import(
        &server,
        &beheerder,
        "",
        "application/json",
        &json_export.text,
    );
    assert_eq!(
        (created["opgaven"].as_u64(), created["acties"].as_u64()),
        (Some(18), Some(79))
    );
    let copy = created["agendaId"].as_str().unwrap();
    let o15 = opgave(&server, copy, "1.5");
    assert_eq!(
        doel_codes(&server, o15["id"].as_str().unwrap()),
        ["1.5.1", "1.5.2"]
    );

    let csv_export = server.get(&format!("/agendas/{a}/export?formaat=csv"), Some(&pm));
    assert_eq!(csv_export.status, 200);
    assert!(csv_export.text.contains(";1.5.1;"), "{}", csv_export.text);
    let q = "?naam=Kopie%20uit%20CSV&gemeenten=Twenterand&periodeStartDatum=2024-01-01&periodeEindDatum=2024-12-31";
    let created = import(&server, &beheerder, q, "text/csv", &csv_export.text);
    assert_eq!(created["acties"].as_u64(), Some(79));
    let copy = created["agendaId"].as_str().unwrap();
    let o15 = opgave(&server, copy, "1.5");
    assert_eq!(
        doel_codes(&server, o15["id"].as_str().unwrap()),
        ["1.5.1", "1.5.2"]
    );
    server.stop();
}

#[test]
fn an_actie_is_found_by_its_kenmerk_and_its_words_and_keeps_its_kenmerk() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, pm, _) = demo_with_tokens(&tmp.path().join("data"));
    let a = agenda(&server);
    let o14 = opgave(&server, &a, "1.4");
    let oid = o14["id"].as_str().unwrap().to_owned();
    let doelen = ok(
        server.get(&format!("/opgaven/{oid}/doelen"), None),
        "doelen",
    );
    let d = doelen["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let head: u64 = server
        .get("/agendas", None)
        .header("X-Positie")
        .expect("every answer says its position")
        .parse()
        .unwrap();

    let new = ok(
        server.post(
            &format!("/doelen/{d}/acties"),
            &pm,
            &json!({"omschrijving": "Taalcafé voor nieuwkomers in de bibliotheek van Vriezenveen"}),
        ),
        "create",
    );
    let kenmerk = new["kenmerk"].as_str().unwrap().to_owned();
    let id = new["id"].as_str().unwrap().to_owned();
    assert!(kenmerk.starts_with("1.4.1-"), "{kenmerk}");

    let find = |query: &str| -> Vec<String> {
        ok(
            server.get(&format!("/agendas/{a}/acties?{query}"), None),
            query,
        )["resultaten"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["kenmerk"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(find(&format!("kenmerk={kenmerk}")), vec![kenmerk.as_str()]);
    for q in [
        "TAALCAFE",
        "taalcaf%C3%A9%20vriezenveen",
        "Cafe%20NIEUWKOMERS%20bibliotheek",
    ] {
        assert_eq!(find(&format!("zoek={q}")), vec![kenmerk.as_str()], "{q}");
    }
    assert!(find("zoek=taalcafe%20zwembad").is_empty());

    // The voortgang (JSON and Markdown) and the CSV export show the kenmerk.
    let voortgang = ok(
        server.get(&format!("/agendas/{a}/voortgang?sindsPositie={head}"), None),
        "voortgang",
    );
    let text = voortgang.to_string();
    assert!(
        text.contains(&format!("\"kenmerk\":\"{kenmerk}\"")),
        "{text}"
    );
    let md = server.get(
        &format!("/agendas/{a}/voortgang?sindsPositie={head}&formaat=markdown"),
        None,
    );
    assert!(
        md.text.contains(&format!("**{kenmerk}** Taalcafé")),
        "{}",
        md.text
    );
    let atom = server.get(&format!("/agendas/{a}/voortgang.atom"), None);
    assert!(
        atom.text.contains(&format!("Actie {kenmerk} toegevoegd")),
        "{}",
        atom.text
    );
    let csv = server.get(&format!("/agendas/{a}/export?formaat=csv"), None);
    let row = csv
        .text
        .lines()
        .find(|l| l.contains("Vriezenveen"))
        .unwrap();
    assert!(row.contains(&format!(";{kenmerk};")), "{row}");
    let trail = ok(
        server.get(&format!("/acties/{id}/audittrail"), None),
        "audittrail",
    );
    let created = &trail["resultaten"][0]["wijzigingen"];
    assert!(
        created
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["veld"] == "kenmerk" && c["nieuw"] == kenmerk.as_str()),
        "{created}"
    );

    // Renumbering the opgave changes the doel's code, not the kenmerk.
    renumber(&server, &pm, &o14, "1.5");
    let now = ok(server.get(&format!("/acties/{id}"), None), "actie");
    assert_eq!(
        (now["kenmerk"].as_str(), now["doelCode"].as_str()),
        (Some(kenmerk.as_str()), Some("1.5.1"))
    );
    assert_eq!(find(&format!("kenmerk={kenmerk}")), vec![kenmerk.as_str()]);
    let md = server.get(
        &format!("/agendas/{a}/voortgang?sindsPositie={head}&formaat=markdown"),
        None,
    );
    assert!(
        md.text.contains(&format!("**{kenmerk}** Taalcafé")),
        "{}",
        md.text
    );

    // After a restart (a replay of the log) it is still the same.
    server.stop();
    let server = Server::start(&tmp.path().join("data"), &[]);
    assert_eq!(find_in(&server, &a, &format!("kenmerk={kenmerk}")), [id]);
    server.stop();
}

fn find_in(server: &Server, agenda: &str, query: &str) -> Vec<String> {
    ok(
        server.get(&format!("/agendas/{agenda}/acties?{query}"), None),
        query,
    )["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}
