//! Issue 16, journey 2: a partner's voortgangsbericht reaches the
//! nieuwsbrief. A partner token made with `token create`, the real server,
//! a progress note posted on the partner's own actie; then the voortgang as
//! JSON, Markdown and HTML, the Atom feed, the `nieuwsbrief` command and
//! `scripts/nieuwsbrief` show it under its opgave; a correction shows the
//! corrected text, a withdrawal leaves it out, and the `Location` of the
//! created bericht answers with the bericht.

use std::process::Command;

use serde_json::{json, Value};

use crate::support::{text, token_create_ok, Server, BIN};

const PARTNER: &str = "ZorgSaam Twenterand";
const TEKST: &str = "Het project is uitgebreid! #Samen40: 40 deelnemers - *echt* veel";
const CORRECTIE: &str = "Gecorrigeerd: 45 deelnemers op 3 avonden";

/// The voortgangsberichten of the edition after `since`, with the code of
/// the opgave each is listed under.
fn berichten(server: &Server, agenda: &str, since: u64) -> Vec<(String, Value)> {
    let r = server.get(
        &format!("/agendas/{agenda}/voortgang?sindsPositie={since}"),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    let mut out = Vec::new();
    let groups = v["groeperingen"].as_array().unwrap();
    let opgaven = groups
        .iter()
        .flat_map(|g| g["opgaven"].as_array().unwrap().iter())
        .chain(v["opgaven"].as_array().unwrap().iter());
    for o in opgaven {
        for b in o["voortgangsberichten"].as_array().unwrap() {
            out.push((o["code"].as_str().unwrap().to_owned(), b.clone()));
        }
    }
    out
}

fn form(server: &Server, agenda: &str, since: u64, formaat: &str) -> String {
    let r = server.get(
        &format!("/agendas/{agenda}/voortgang?sindsPositie={since}&formaat={formaat}"),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.text
}

fn atom(server: &Server, agenda: &str) -> String {
    let r = server.get(&format!("/agendas/{agenda}/voortgang.atom"), None);
    assert_eq!(r.status, 200, "{}", r.text);
    r.text
}

/// The Markdown lines under `### Opgave <code>` up to the next opgave.
fn opgave_section<'a>(md: &'a str, code: &str) -> &'a str {
    let start = md
        .find(&format!("### Opgave {code} "))
        .unwrap_or_else(|| panic!("no opgave {code} in\n{md}"));
    let rest = &md[start + 4..];
    let end = rest
        .find("\n### ")
        .or_else(|| rest.find("\n## "))
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn a_partners_voortgangsbericht_reaches_the_nieuwsbrief() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let partner = token_create_ok(&dir, "partner", PARTNER, &[]);
    let server = Server::start(&dir, &[]);
    let agenda = server.get("/agendas", None).json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let acties = server
        .get(&format!("/agendas/{agenda}/acties?pageSize=500"), None)
        .json();
    let actie = acties["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["trekker"]["naam"] == PARTNER)
        .expect("an actie with the partner as trekker")
        .clone();
    let (actie_id, opgave_code) = (
        actie["id"].as_str().unwrap(),
        actie["opgaveCode"].as_str().unwrap(),
    );
    let before = server
        .get(&format!("/agendas/{agenda}/voortgang?sindsPositie=0"), None)
        .json()["totPositie"]
        .as_u64()
        .unwrap();
    assert!(berichten(&server, &agenda, before).is_empty());

    // The partner posts a progress note on its own actie.
    let posted = server.post(
        &format!("/acties/{actie_id}/voortgangsberichten"),
        &partner,
        &json!({"tekst": TEKST, "datum": "2024-03-12"}),
    );
    assert_eq!(posted.status, 201, "{}", posted.text);
    let location = posted.header("location").unwrap().to_owned();
    let bericht_id = posted.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/v1/acties/{actie_id}/voortgangsberichten/{bericht_id}")
    );
    let at = server.get(location.trim_start_matches("/v1"), None);
    assert_eq!(at.status, 200, "GET {location}: {}", at.text);
    let read = at.json();
    assert_eq!(
        (
            read["tekst"].as_str(),
            read["auteurOrganisatieNaam"].as_str()
        ),
        (Some(TEKST), Some(PARTNER))
    );

    // JSON: under its opgave, with actie, trekker, author and date.
    let found = berichten(&server, &agenda, before);
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, b) = &found[0];
    assert_eq!(code, opgave_code);
    assert_eq!(b["tekst"], TEKST);
    assert_eq!(b["actieId"], actie_id);
    assert_eq!(b["omschrijving"], actie["omschrijving"]);
    assert_eq!(b["trekker"], PARTNER);
    assert_eq!(b["auteurOrganisatie"], PARTNER);
    assert_eq!(b["datum"], "2024-03-12");
    assert_eq!(b["gecorrigeerd"], false);

    // Markdown: a section under the opgave, the text without backslashes
    // where nothing would be markup.
    let md = form(&server, &agenda, before, "markdown");
    let section = opgave_section(&md, opgave_code);
    assert!(section.contains("#### Voortgangsberichten"), "{md}");
    assert!(
        section.contains("Het project is uitgebreid! #Samen40: 40 deelnemers - \\*echt\\* veel"),
        "{md}"
    );
    assert!(
        section.contains(&format!("{PARTNER}, 12 maart 2024: “")),
        "{md}"
    );
    assert!(!md.contains("Geen wijzigingen"), "{md}");

    // HTML and Atom.
    let html = form(&server, &agenda, before, "html");
    assert!(html.contains("<h4>Voortgangsberichten</h4>"), "{html}");
    assert!(
        html.contains("Het project is uitgebreid! #Samen40: 40 deelnemers - *echt* veel"),
        "{html}"
    );
    let feed = atom(&server, &agenda);
    assert!(feed.contains("Voortgang bij actie"), "{feed}");
    assert!(feed.contains(TEKST), "{feed}");
    assert!(feed.contains(&format!(
        "/v1/acties/{actie_id}/voortgangsberichten/{bericht_id}"
    )));

    // The nieuwsbrief command and the script print it too.
    let root = server.base.trim_end_matches("/v1").to_owned();
    let out = Command::new(BIN)
        .args(["nieuwsbrief", "--server", &root, "--agenda", &agenda])
        .args(["--sinds-positie", &before.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("#### Voortgangsberichten"),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).contains("Het project is uitgebreid!"));
    let cursor = tmp.path().join("cursor");
    std::fs::write(&cursor, before.to_string()).unwrap();
    let editions = tmp.path().join("edities");
    let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/nieuwsbrief"))
        .env("MAG_SERVER", &root)
        .env("MAG_AGENDA", &agenda)
        .env("CURSOR_FILE", &cursor)
        .env("OUT_DIR", &editions)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let edition = std::fs::read_dir(&editions)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let edition = std::fs::read_to_string(edition).unwrap();
    assert!(edition.contains("Het project is uitgebreid!"), "{edition}");

    // A correction shows the corrected text, everywhere; the next edition
    // (after the note was first reported) reports the correction.
    let after_post = server
        .get(&format!("/agendas/{agenda}/voortgang?sindsPositie=0"), None)
        .json()["totPositie"]
        .as_u64()
        .unwrap();
    let etag = posted.header("etag").unwrap().to_owned();
    let corrected = server.call(
        "PATCH",
        &format!("/acties/{actie_id}/voortgangsberichten/{bericht_id}"),
        Some(&partner),
        &[("If-Match", &etag)],
        &json!({"tekst": CORRECTIE}).to_string(),
    );
    assert_eq!(corrected.status, 200, "{}", corrected.text);
    let found = berichten(&server, &agenda, before);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (
            found[0].1["tekst"].as_str(),
            found[0].1["gecorrigeerd"].as_bool()
        ),
        (Some(CORRECTIE), Some(true))
    );
    let next = berichten(&server, &agenda, after_post);
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0].1["tekst"], CORRECTIE);
    assert!(next[0].1["gecorrigeerdTijdstip"].is_string());
    for body in [
        form(&server, &agenda, before, "markdown"),
        form(&server, &agenda, before, "html"),
        atom(&server, &agenda),
    ] {
        assert!(body.contains(CORRECTIE), "{body}");
        assert!(!body.contains("#Samen40"), "{body}");
    }

    // A withdrawn note is left out; the bericht itself stays readable.
    let etag = corrected.header("etag").unwrap().to_owned();
    let withdrawn = server.call(
        "PATCH",
        &format!("/acties/{actie_id}/voortgangsberichten/{bericht_id}"),
        Some(&partner),
        &[("If-Match", &etag)],
        &json!({"ingetrokken": true, "reden": "Dubbel gemeld"}).to_string(),
    );
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
    assert!(berichten(&server, &agenda, before).is_empty());
    assert!(berichten(&server, &agenda, after_post).is_empty());
    let md = form(&server, &agenda, before, "markdown");
    assert!(md.contains("Geen wijzigingen in deze periode."), "{md}");
    assert!(!md.contains(CORRECTIE));
    assert!(!form(&server, &agenda, before, "html").contains(CORRECTIE));
    let feed = atom(&server, &agenda);
    assert!(
        !feed.contains(CORRECTIE) && !feed.contains("Voortgang bij actie"),
        "{feed}"
    );
    let at = server.get(location.trim_start_matches("/v1"), None);
    assert_eq!(at.status, 200);
    assert_eq!(at.json()["ingetrokken"], true);
    server.stop();
}
