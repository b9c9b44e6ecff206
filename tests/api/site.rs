//! The public site (issue 19): pages outside `/v1` as a browser gets them,
//! asserted on what a reader sees.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::json;

use crate::support::*;
use crate::zichtbaarheid::{hidden_agenda, spellings, MARK};

/// A page response.
pub struct Page {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The text without tags and with entities of `&`, `<`, `>`, `"` read.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in self.body.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => {
                    in_tag = false;
                    out.push(' ');
                }
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        let out = out
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// `GET <path>` (outside `/v1`) byte for byte, anonymous unless headers say otherwise.
pub fn page(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Page {
    let addr = app
        .base
        .trim_start_matches("http://")
        .trim_end_matches("/v1");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\n{extra}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("GET {path}: no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Page {
        status,
        headers,
        body: dechunk(body),
    }
}

/// Chunked transfer coding removed (actix streams bodies it did not size).
fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    loop {
        let Some((size, after)) = rest.split_once("\r\n") else {
            return body.to_owned();
        };
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            return body.to_owned();
        };
        if n == 0 {
            return out;
        }
        if after.len() < n {
            return body.to_owned();
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
}

/// The demo's opgave with this code, as the API lists it.
fn opgave_json(app: &TestApp, code: &str) -> serde_json::Value {
    let a = agenda_id(app);
    let (_, list) = app
        .als_pm()
        .get(&format!("/agendas/{a}/opgaven?pageSize=500"));
    list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["weergavecode"] == code)
        .unwrap_or_else(|| panic!("no opgave {code}"))
        .clone()
}

#[test]
fn the_start_page_lists_the_published_agendas_only() {
    let app = spawn();
    hidden_agenda(&app);
    let p = page(&app, "/", &[]);
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.header("content-type"), Some("text/html; charset=utf-8"));
    let text = p.text();
    assert!(
        text.contains("Maatschappelijke Agenda Twenterand 2024"),
        "{text}"
    );
    assert!(
        text.contains("1 januari 2024 tot en met 31 december 2024"),
        "{text}"
    );
    assert!(
        !p.body.contains(MARK),
        "the unpublished agenda is not listed"
    );
    let a = agenda_id(&app);
    assert!(p.body.contains(&format!("href=\"/agendas/{a}\"")));
    assert!(p.body.contains("<html lang=\"nl\">"));
    assert!(p
        .body
        .contains("<a class=\"skiplink\" href=\"#inhoud\">Naar de inhoud</a>"));
    assert!(p.body.contains("data-pagina=\"start\""));
    assert!(!p.body.contains("<script"), "no JavaScript");
}

#[test]
fn the_agenda_page_shows_each_opgave_with_its_phase_reasons_and_open_trekker_roles() {
    let app = spawn();
    let a = agenda_id(&app);
    let o = opgave_json(&app, "1.1");
    let titel = o["titel"].as_str().unwrap();
    let (_, pdca) = app
        .als_pm()
        .get(&format!("/opgaven/{}/pdca", o["id"].as_str().unwrap()));
    let p = page(&app, &format!("/agendas/{a}"), &[]);
    assert_eq!(p.status, 200, "{}", p.body);
    let text = p.text();
    assert!(text.contains(&format!("1.1 {titel}")), "{text}");
    assert!(
        text.contains("Themalijn: 1"),
        "groeperingen as sections: {text}"
    );
    // the phase and the first reason, as the API's PDCA state gives them
    let reden = pdca["redenen"][0].as_str().unwrap();
    assert!(text.contains(reden), "{reden} in {text}");
    assert!(text.contains("Fase: Do: uitvoeren") || text.contains("Fase: Plan: voorbereiden"));
    assert!(text.contains("trekkersrol nog in te vullen"), "{text}");
    for link in [
        format!("/v1/agendas/{a}/voortgang.atom"),
        format!("/v1/agendas/{a}/export?formaat=csv"),
        format!("/v1/agendas/{a}/export?formaat=json"),
        "/v1/docs/".to_owned(),
    ] {
        assert!(p.body.contains(&format!("href=\"{link}\"")), "{link}");
    }
    assert!(p
        .body
        .contains(&format!("action=\"/agendas/{a}/acties\" role=\"search\"")));
}

#[test]
fn pages_carry_the_strict_csp_and_answer_304_to_a_repeat() {
    let app = spawn();
    let a = agenda_id(&app);
    let path = format!("/agendas/{a}");
    let p = page(&app, &path, &[]);
    assert_eq!(
        p.header("content-security-policy"),
        Some("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    );
    assert_eq!(p.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(p.header("referrer-policy"), Some("same-origin"));
    assert_eq!(p.header("cache-control"), Some("no-cache"));
    let etag = p.header("etag").unwrap().to_owned();
    assert!(etag.starts_with(&format!("W/\"p{}-", app.head())), "{etag}");
    let again = page(&app, &path, &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert_eq!(again.body, "");
    // a write moves the log: the page is new
    let actie = actie(&app, "1.1")["id"].as_str().unwrap().to_owned();
    let r = app.als_pm().post(
        &format!("/acties/{actie}/voortgangsberichten"),
        &json!({"tekst": "Nieuwe stand"}),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    let after = page(&app, &path, &[("If-None-Match", &etag)]);
    assert_eq!(after.status, 200);
    assert_ne!(after.header("etag").unwrap(), etag);
}

#[test]
fn a_hidden_agenda_is_a_404_page_under_every_spelling_of_its_id() {
    let app = spawn();
    let h = hidden_agenda(&app);
    let unknown = page(&app, "/agendas/0190a0e0-0000-7000-8000-000000000000", &[]);
    assert_eq!(unknown.status, 404);
    assert!(unknown.text().contains("Pagina niet gevonden"));
    assert!(unknown.body.contains("data-pagina=\"fout\""));
    for (kind, id) in [
        ("agendas", &h.agenda),
        ("opgaven", &h.opgave),
        ("acties", &h.actie),
        ("indicatoren", &h.indicator),
    ] {
        for spelling in spellings(id) {
            let path = format!("/{kind}/{spelling}");
            // also with a token that may read it: the site is public
            for token in [None, Some(app.pm_token_for_every_agenda())] {
                let auth = token.map(|t| format!("Bearer {t}"));
                let headers: Vec<(&str, &str)> =
                    auth.iter().map(|a| ("Authorization", a.as_str())).collect();
                let p = page(&app, &path, &headers);
                assert_eq!(p.status, 404, "{path}");
                assert_eq!(p.header("content-type"), Some("text/html; charset=utf-8"));
                assert!(p.text().contains("Pagina niet gevonden"), "{path}");
                assert!(!p.body.contains(MARK), "{path}");
            }
        }
    }
    // the agenda's search page too
    let p = page(&app, &format!("/agendas/{}/acties?zoek=x", h.agenda), &[]);
    assert_eq!(p.status, 404);
}

#[test]
fn unknown_paths_answer_a_dutch_page_outside_the_api_and_a_problem_inside_it() {
    let app = spawn();
    let p = page(&app, "/nergens/te/vinden", &[]);
    assert_eq!(p.status, 404);
    assert_eq!(p.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(
        p.text().contains("Deze pagina bestaat niet."),
        "{}",
        p.text()
    );
    let api = page(&app, "/v1/nergens", &[]);
    assert_eq!(api.status, 404);
    assert_eq!(api.header("content-type"), Some("application/problem+json"));
    assert!(api.body.contains("\"code\":\"not-found\""), "{}", api.body);
}

#[test]
fn a_bad_peildatum_is_a_400_page_that_says_what_to_fix() {
    let app = spawn();
    let a = agenda_id(&app);
    let p = page(&app, &format!("/agendas/{a}?peildatum=4-12-2024"), &[]);
    assert_eq!(p.status, 400);
    let text = p.text();
    assert!(text.contains("JJJJ-MM-DD"), "{text}");
    assert!(!p.body.contains("zoals-op-banner"));
}

#[test]
fn the_stylesheet_is_vendored_with_print_rules() {
    let app = spawn();
    let p = page(&app, "/static/site.css", &[]);
    assert_eq!(p.status, 200);
    assert_eq!(p.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(p.body.contains("@media print"));
    assert!(p
        .body
        .contains("a[href]::after { content: \" (\" attr(href) \")\""));
    assert!(p.body.contains(":focus-visible"));
    assert!(
        !p.body.contains("@import") && !p.body.contains("url("),
        "nothing external"
    );
}
