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
        text.contains("Themalijn 1: "),
        "groeperingen as sections: {text}"
    );
    // the phase and the first reason, as the API's PDCA state gives them
    let reden = pdca["redenen"][0].as_str().unwrap();
    assert!(text.contains(reden), "{reden} in {text}");
    assert!(text.contains("Fase: Plan (voorbereiden)"));
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
                assert_eq!(
                    p.body, unknown.body,
                    "{path}: the same page as an unknown id"
                );
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
        p.text()
            .contains("Er is geen openbare pagina op dit adres."),
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

/// Follows every link to a page of the site from `start` (outside `/v1`),
/// at most `max` pages; every page answers 200. Returns the pages seen.
fn crawl(app: &TestApp, start: &str, max: usize) -> Vec<String> {
    let mut seen = vec![start.to_owned()];
    let mut i = 0;
    while i < seen.len() && seen.len() < max {
        let path = seen[i].clone();
        i += 1;
        let p = page(app, &path, &[]);
        assert_eq!(p.status, 200, "{path}: {}", p.text());
        for part in p.body.split("href=\"").skip(1) {
            let href = part.split('"').next().unwrap().replace("&amp;", "&");
            let internal =
                href.starts_with('/') && !href.starts_with("/v1/") && !href.starts_with("/static/");
            if internal && !seen.contains(&href) {
                seen.push(href);
            }
        }
    }
    seen
}

fn kinds(pages: &[String]) -> Vec<&str> {
    let mut k: Vec<&str> = pages
        .iter()
        .map(|p| p.trim_start_matches('/').split('/').next().unwrap())
        .map(|s| s.split('?').next().unwrap())
        .collect();
    k.sort();
    k.dedup();
    k
}

#[test]
fn every_page_type_of_the_demo_renders_and_every_link_works() {
    let app = spawn();
    let pages = crawl(&app, "/", 60);
    let k = kinds(&pages);
    for kind in ["", "agendas", "opgaven", "acties"] {
        assert!(k.contains(&kind), "{kind:?} reached from / in {k:?}");
    }
}

#[test]
fn the_opgave_and_actie_pages_show_doelen_acties_berichten_and_history() {
    let app = spawn();
    let a = actie(&app, "1.1");
    let id = a["id"].as_str().unwrap();
    let opgave = a["opgaveId"].as_str().unwrap();
    let tekst = "Bijeenkomst in De Klaampe gehouden; 12 gezinnen bereikt.";
    let r = app.als_pm().post(
        &format!("/acties/{id}/voortgangsberichten"),
        &json!({"tekst": tekst, "datum": "2024-12-04"}),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app.als_pm().post(
        &format!("/acties/{id}/statuswijzigingen"),
        &json!({"status": "lopend", "ingangsDatum": "2024-03-01"}),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    let p = page(&app, &format!("/acties/{id}"), &[]);
    assert_eq!(p.status, 200);
    assert!(p.body.contains("data-pagina=\"actie\""));
    let text = p.text();
    assert!(text.contains(tekst), "{text}");
    assert!(text.contains("4 december 2024"), "dates in words: {text}");
    assert!(
        text.contains("Lopend (was gepland)"),
        "status history: {text}"
    );
    assert!(text.contains("1 maart 2024"), "{text}");
    assert!(text.contains("Trekkergeschiedenis"), "{text}");
    assert!(text.contains(a["omschrijving"].as_str().unwrap()), "{text}");
    let o = page(&app, &format!("/opgaven/{opgave}"), &[]);
    assert_eq!(o.status, 200);
    let text = o.text();
    assert!(
        text.contains(tekst),
        "latest berichten on the opgave: {text}"
    );
    assert!(
        text.contains("Doelen en acties")
            && text.contains("Reflecties")
            && text.contains("Checkmomenten en bijsturingen")
    );
    assert!(text.contains(a["kenmerk"].as_str().unwrap()), "{text}");
}

#[test]
fn an_actie_without_trekker_says_the_role_is_still_open() {
    let app = spawn();
    let a = agenda_id(&app);
    let (_, list) = app.als_pm().get(&format!(
        "/agendas/{a}/acties?zonderTrekker=true&pageSize=1"
    ));
    let actie = &list["resultaten"][0];
    let p = page(
        &app,
        &format!("/acties/{}", actie["id"].as_str().unwrap()),
        &[],
    );
    assert!(
        p.text().contains("Trekker Trekkersrol nog in te vullen"),
        "{}",
        p.text()
    );
    let o = page(
        &app,
        &format!("/opgaven/{}", actie["opgaveId"].as_str().unwrap()),
        &[],
    );
    assert!(o.text().contains("trekkersrol nog in te vullen"));
}

#[test]
fn user_text_is_shown_as_text_never_as_markup() {
    let app = spawn();
    let a = actie(&app, "1.1");
    let id = a["id"].as_str().unwrap();
    let evil = "<script>alert('x')</script><img src=x onerror=alert(1)> & \"quotes\"";
    let r = app.als_pm().post(
        &format!("/acties/{id}/voortgangsberichten"),
        &json!({ "tekst": evil }),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    for path in [
        format!("/acties/{id}"),
        format!("/opgaven/{}", a["opgaveId"].as_str().unwrap()),
    ] {
        let p = page(&app, &path, &[]);
        assert!(!p.body.contains("<script>"), "{path}");
        assert!(!p.body.contains("<img src=x"), "{path}");
        assert!(
            p.body.contains("&lt;script&gt;alert('x')&lt;/script&gt;"),
            "{path}"
        );
        assert!(p.text().contains(evil), "{path}: shown as the text it is");
    }
    let agenda = agenda_id(&app);
    let p = page(
        &app,
        &format!("/agendas/{agenda}/acties?zoek=%3Cscript%3Ex%22"),
        &[],
    );
    assert_eq!(p.status, 200);
    assert!(!p.body.contains("<script>x"));
    assert!(
        p.body.contains("value=\"&lt;script&gt;x&quot;\""),
        "{}",
        p.body
    );
}

#[test]
fn the_search_page_finds_acties_by_words_kenmerk_and_trekker() {
    let app = spawn();
    let agenda = agenda_id(&app);
    let a = actie(&app, "1.1");
    let kenmerk = a["kenmerk"].as_str().unwrap();
    let p = page(
        &app,
        &format!("/agendas/{agenda}/acties?zoek={kenmerk}"),
        &[],
    );
    assert_eq!(p.status, 200);
    assert!(p.body.contains("data-pagina=\"zoeken\""));
    let text = p.text();
    assert!(
        text.contains(&format!("gevonden voor “{kenmerk}”")),
        "{text}"
    );
    assert!(text.contains(a["omschrijving"].as_str().unwrap()), "{text}");
    let none = page(
        &app,
        &format!("/agendas/{agenda}/acties?zoek=qqqzzzonvindbaar"),
        &[],
    );
    assert!(none.text().contains("0 acties gevonden"), "{}", none.text());
    let bieb = page(
        &app,
        &format!("/agendas/{agenda}/acties?zoek=bibliotheek"),
        &[],
    );
    assert!(bieb.text().contains("Bibliotheek Twenterand"), "by trekker");
}

#[test]
fn the_indicator_page_draws_voorlopig_apart_from_definitief_and_tables_the_figures() {
    let app = spawn();
    let a = actie(&app, "1.1");
    let doel = a["doelId"].as_str().expect("an actie under a doel");
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let indicator = pm
        .created(
            &format!("/doelen/{doel}/indicatoren"),
            &json!({"naam": "Deelname taalcafé", "eenheid": "%", "richting": "hogerIsBeter",
                "nulmeting": {"jaar": 2023, "waarde": 10.5},
                "streefwaarden": [{"jaar": 2024, "waarde": 15}]}),
        )
        .id();
    for (periode, waarde, status) in [
        ("2024-Q1", 11.25, "definitief"),
        ("2024-Q2", 12.5, "voorlopig"),
    ] {
        let r = pm.post(
            &format!("/indicatoren/{indicator}/metingen"),
            &json!({"periode": periode, "waarde": waarde, "status": status, "meetDatum": "2024-06-30"}),
        );
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let p = page(&app, &format!("/indicatoren/{indicator}"), &[]);
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(p.body.contains("data-pagina=\"indicator\""));
    assert!(p
        .body
        .contains("<svg role=\"img\" aria-labelledby=\"grafiek-titel grafiek-uitleg\""));
    assert!(p
        .body
        .contains("<title id=\"grafiek-titel\">Deelname taalcafé (%) per jaar</title>"));
    // the text alternative names every figure, voorlopig as such
    assert!(
        p.body.contains("meting 2024-Q2: 12,5 % (voorlopig)"),
        "{}",
        p.body
    );
    // hollow dashed for voorlopig, filled solid for definitief
    assert!(p.body.contains("stroke-dasharray=\"6 4\""));
    assert!(p.body.contains("fill=\"#ffffff\""));
    let text = p.text();
    assert!(
        text.contains("Meting, voorlopig (open, gestippelde lijn)"),
        "legend"
    );
    assert!(text.contains("Nulmeting 2023 10,5 %"), "{text}");
    assert!(text.contains("Streefwaarde 2024 15 %"), "{text}");
    assert!(text.contains("Meting 2024-Q1 11,25 % definitief"), "{text}");
    assert!(text.contains("Meting 2024-Q2 12,5 % voorlopig"), "{text}");
    // and on the agenda page, target against actual
    let agenda = page(&app, &format!("/agendas/{}", agenda_id(&app)), &[]);
    assert!(
        agenda.text().contains("Deelname taalcafé 15 12,5"),
        "{}",
        agenda.text()
    );
}

#[test]
fn agendas_without_codes_with_effecten_and_shared_by_gemeenten_render_with_titles() {
    use crate::fixtures_agendas::{import, GEDEELD, HELLENDOORN, MAASHORST};
    let app = spawn();
    for (file, kind) in [
        (HELLENDOORN, "zonder codes"),
        (MAASHORST, "beleidskader"),
        (GEDEELD, "gedeeld"),
    ] {
        let agenda = import(&app, file)["agendaId"].as_str().unwrap().to_owned();
        let (_, opgaven) = app
            .als_beheerder()
            .get(&format!("/agendas/{agenda}/opgaven?pageSize=500"));
        let p = page(&app, &format!("/agendas/{agenda}"), &[]);
        assert_eq!(p.status, 200, "{kind}");
        let text = p.text();
        for o in opgaven["resultaten"].as_array().unwrap() {
            // without codes the label is the title (code::label)
            let label = match o["weergavecode"].as_str() {
                Some(c) => format!("{c} {}", o["titel"].as_str().unwrap()),
                None => o["titel"].as_str().unwrap().to_owned(),
            };
            assert!(text.contains(&label), "{kind}: {label}");
        }
        // effecten as groeperingen, and an opgave that contributes to three
        if kind == "gedeeld" {
            assert!(
                text.contains("Draagt hier ook aan bij"),
                "contributions: {text}"
            );
        }
        let pages = crawl(&app, &format!("/agendas/{agenda}"), 40);
        assert!(pages.len() > 5, "{kind}: {pages:?}");
        if kind == "gedeeld" {
            assert!(p
                .body
                .contains("<select id=\"gemeente\" name=\"gemeente\">"));
            let all = page(&app, &format!("/agendas/{agenda}/acties"), &[]);
            let beekdal = page(
                &app,
                &format!("/agendas/{agenda}/acties?gemeente=Beekdal"),
                &[],
            );
            let count = |p: &Page| p.body.matches("<a href=\"/acties/").count();
            let (_, api) = app.als_beheerder().get(&format!(
                "/agendas/{agenda}/acties?gemeente=Beekdal&pageSize=500"
            ));
            assert_eq!(count(&beekdal), api["totaal"].as_u64().unwrap() as usize);
            assert!(
                count(&beekdal) < count(&all),
                "the filter narrows the acties"
            );
            // links keep the gemeente
            assert!(
                beekdal.body.contains("?gemeente=Beekdal\""),
                "{}",
                beekdal.body
            );
            let bad = page(
                &app,
                &format!("/agendas/{agenda}?gemeente=Nergenshuizen"),
                &[],
            );
            assert_eq!(bad.status, 400);
            assert!(
                bad.text()
                    .contains("kies uit Beekdal, Heuvelrand, Veenmond"),
                "{}",
                bad.text()
            );
        }
    }
}

#[test]
fn the_opgave_page_shows_reflecties_checkmomenten_and_bijsturingen_with_their_rationale() {
    let app = spawn();
    let a = actie(&app, "1.1");
    let id = a["id"].as_str().unwrap();
    let opgave = a["opgaveId"].as_str().unwrap();
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    pm.created(
        "/reflecties",
        &json!({"over": id, "datum": "2024-06-01", "watGingGoed": "De bibliotheek deed mee", "watKanBeter": "Eerder beginnen"}),
    );
    let checkmoment = pm
        .created(
            &format!("/opgaven/{opgave}/checkmomenten"),
            &json!({"datum": "2024-06-15", "onderwerp": "Halfjaarcheck bestaanszekerheid"}),
        )
        .id();
    pm.created(
        &format!("/checkmomenten/{checkmoment}/bijsturingen"),
        &json!({"besluit": "Trekker wisselen", "onderbouwing": "De gemeente heeft de capaciteit niet meer", "datum": "2024-06-20",
            "voorgenomenWijzigingen": [{"soort": "trekkerWijzigen", "omschrijving": "Taalpunt wordt trekker", "onderwerpId": id}]}),
    );
    let p = page(&app, &format!("/opgaven/{opgave}"), &[]);
    let text = p.text();
    for want in [
        "Reflectie van 1 juni 2024",
        &format!("Over actie {}", a["kenmerk"].as_str().unwrap()),
        "Wat ging goed De bibliotheek deed mee",
        "Wat kan beter Eerder beginnen",
        "Halfjaarcheck bestaanszekerheid (15 juni 2024)",
        "Bijsturing: Trekker wisselen",
        "Onderbouwing De gemeente heeft de capaciteit niet meer",
        "Taalpunt wordt trekker",
        "Nog open.",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
}
