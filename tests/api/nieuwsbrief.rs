//! Nieuwsbrief and exchange: voortgang over a scripted year (JSON, Markdown,
//! HTML), the Atom feed, the CSV/JSON export and the agenda import.

use chrono::NaiveDate;
use mag_tracker::app::AppState;
use mag_tracker::domain::actie::{ActieStatus, Trekker};
use mag_tracker::domain::checkmoment::{self, VoorgenomenWijziging, WijzigingSoort};
use mag_tracker::domain::events::*;
use mag_tracker::domain::indicator::{self, MetingStatus, Richting, Waarde};
use mag_tracker::domain::reflectie::{self, Onderwerp, OnderwerpSoort, PdcaFase};
use mag_tracker::domain::{Code, Event};
use mag_tracker::event_store::ExpectedVersion;
use mag_tracker::service::{StreamEvents, WriteContext};
use serde_json::Value;

use crate::support::Caller;
use uuid::Uuid;

/// The test server of [`crate::support`].
pub type App = crate::support::TestApp;

/// A server on the demo agenda (`demo`) or an empty store, with
/// `--public-url` if given.
pub fn spawn_with(demo: bool, public_url: Option<&str>) -> App {
    let public_url = public_url.map(str::to_owned);
    crate::support::spawn_on(demo, move |state| state.public_url = public_url)
}

/// GET with an Accept header: (status, content type, body text).
pub fn fetch(caller: Caller, path: &str, accept: &str) -> (u16, String, String) {
    let mut r = caller
        .agent()
        .get(caller.url(path))
        .header("Accept", accept)
        .call()
        .unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        r.status().as_u16(),
        ct,
        r.body_mut().read_to_string().unwrap(),
    )
}

pub fn fetch_json(caller: Caller, path: &str) -> (u16, Value) {
    let (status, _, body) = fetch(caller, path, "application/json");
    (status, serde_json::from_str(&body).unwrap())
}

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn ctx() -> WriteContext {
    WriteContext::default()
}

fn create(state: &AppState, event: Result<Vec<Event>, mag_tracker::domain::DomainError>) -> Uuid {
    let id = Uuid::now_v7();
    let events = event.unwrap();
    block(state.service.structural(ctx(), |_| {
        Ok(vec![StreamEvents {
            stream_id: id,
            expected: ExpectedVersion::NoStream,
            events,
        }])
    }))
    .unwrap();
    id
}

fn status(state: &AppState, actie: Uuid, naar: ActieStatus, datum: &str, reden: Option<&str>) {
    block(state.service.update(actie, ctx(), |m| {
        let a = &m.acties[&actie];
        Ok((
            a.version,
            a.state
                .change_status(naar, d(datum), reden.map(str::to_owned))?,
        ))
    }))
    .unwrap();
}

/// The ids the script works with.
pub struct Script {
    pub agenda: Uuid,
    pub opgave_11: Uuid,
    pub start: u64,
    pub end: u64,
}

/// A year on the demo agenda: acties started, completed and dropped, a new
/// trekker, a new actie, a reflectie with `<script>` in it, a meting against
/// nulmeting and streefwaarde, and a checkmoment with a bijsturing.
pub fn script_year(app: &App) -> Script {
    let s = &app.state;
    let start = s.store.head();
    let (agenda, opgave_11, doel_111, opgave_21, acties_11, mijande, gemeente) = {
        let m = s.service.model();
        let agenda = *m.agendas.keys().next().unwrap();
        let opgave_11 = m
            .opgave_by_code(agenda, &Code::parse("1.1").unwrap())
            .unwrap();
        let opgave_21 = m
            .opgave_by_code(agenda, &Code::parse("2.1").unwrap())
            .unwrap();
        let doel_111 = m
            .doel_by_code(agenda, &Code::parse("1.1.1").unwrap())
            .unwrap();
        let mut acties: Vec<_> = m
            .acties_of_opgave(opgave_11)
            .into_iter()
            .map(|a| (m.actie_code(&a.state), a.id))
            .collect();
        acties.sort();
        let org = |naam: &str| {
            *m.organisaties
                .iter()
                .find(|(_, o)| o.state.naam == naam)
                .unwrap()
                .0
        };
        (
            agenda,
            opgave_11,
            doel_111,
            opgave_21,
            acties.into_iter().map(|(_, id)| id).collect::<Vec<_>>(),
            org("Mijande"),
            org("Gemeente Twenterand"),
        )
    };
    let (a, b, c) = (acties_11[0], acties_11[1], acties_11[2]);
    status(s, a, ActieStatus::Lopend, "2024-02-01", None);
    status(s, a, ActieStatus::Afgerond, "2024-06-30", None);
    status(
        s,
        b,
        ActieStatus::Vervallen,
        "2024-04-15",
        Some("Geen budget"),
    );
    block(s.service.update(c, ctx(), |m| {
        let x = &m.acties[&c];
        Ok((
            x.version,
            x.state.assign_trekker(Some(Trekker::Organisatie {
                organisatie_id: mijande,
            }))?,
        ))
    }))
    .unwrap();
    create(
        s,
        Ok(vec![Event::ActieAangemaakt(ActieAangemaakt {
            kenmerk: None,
            agenda_id: agenda,
            opgave_id: opgave_21,
            doel_id: None,
            omschrijving: "Taalcafé \"Praat mee\"; in de bibliotheek".into(),
            jaar: 2024,
            geplande_start_datum: None,
            geplande_eind_datum: None,
            trekker: Some(Trekker::Organisatie {
                organisatie_id: gemeente,
            }),
            partners: vec![mijande],
            status: ActieStatus::Gepland,
            gemeenten: vec![],
        })]),
    );
    create(
        s,
        reflectie::add(ReflectieToegevoegd {
            agenda_id: agenda,
            over: Onderwerp {
                soort: OnderwerpSoort::Actie,
                id: a,
            },
            auteur_organisatie_id: Some(mijande),
            fase: PdcaFase::Check,
            datum: d("2024-07-01"),
            wat_ging_goed: None,
            wat_kan_beter: None,
            volgende_stappen: None,
            tekst: Some("Goed gelopen <script>alert('x')</script> & *meer*".into()),
        }),
    );
    let ind = create(
        s,
        indicator::create(IndicatorAangemaakt {
            agenda_id: agenda,
            doel_id: doel_111,
            naam: "Bereik schuldhulp".into(),
            eenheid: "huishoudens".into(),
            richting: Richting::HogerIsBeter,
            bron: None,
            eigenaar_organisatie_id: None,
            nulmeting: Some(Waarde {
                jaar: Some(2023),
                waarde: 40.0,
                ondergrens: None,
                bovengrens: None,
            }),
            streefwaarden: vec![Waarde {
                jaar: Some(2024),
                waarde: 60.0,
                ondergrens: None,
                bovengrens: None,
            }],
        }),
    );
    block(s.service.update(ind, ctx(), |m| {
        let i = &m.indicatoren[&ind];
        Ok((
            i.version,
            i.state.record(MetingVastgelegd {
                meting_id: Uuid::now_v7(),
                periode: "2024-Q2".into(),
                meet_datum: Some(d("2024-07-01")),
                waarde: 50.0,
                status: MetingStatus::Voorlopig,
                bron: None,
                toelichting: None,
                door_organisatie_id: None,
                gemeente: None,
            })?,
        ))
    }))
    .unwrap();
    let cm = create(
        s,
        checkmoment::open(CheckmomentGeopend {
            agenda_id: agenda,
            opgave_id: Some(opgave_11),
            datum: d("2024-09-01"),
            onderwerp: "Halfjaarcheck bestaanszekerheid".into(),
            deelnemers: vec![gemeente],
        }),
    );
    block(s.service.update(cm, ctx(), |m| {
        let c = &m.checkmomenten[&cm];
        Ok((
            c.version,
            c.state.decide(BijsturingVastgelegd {
                bijsturing_id: Uuid::now_v7(),
                besluit: "Extra inzet op vroegsignalering".into(),
                onderbouwing: "Bereik blijft achter bij de streefwaarde".into(),
                datum: d("2024-09-01"),
                voorgenomen_wijzigingen: vec![VoorgenomenWijziging {
                    soort: WijzigingSoort::Overig,
                    omschrijving: "Meer huisbezoeken".into(),
                    onderwerp_id: None,
                }],
            })?,
        ))
    }))
    .unwrap();
    block(s.service.update(cm, ctx(), |m| {
        let c = &m.checkmomenten[&cm];
        Ok((c.version, c.state.close(d("2024-09-02"), None)?))
    }))
    .unwrap();
    Script {
        agenda,
        opgave_11,
        start,
        end: s.store.head(),
    }
}

fn len(v: &Value, key: &str) -> usize {
    v[key].as_array().map_or(usize::MAX, Vec::len)
}

#[test]
fn voortgang_over_a_scripted_year_in_json_markdown_and_html() {
    let app = spawn_with(true, None);
    let y = script_year(&app);
    let path = format!("/agendas/{}/voortgang?sindsPositie={}", y.agenda, y.start);
    let (status, v) = fetch_json(app.als_pm(), &path);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["totPositie"], y.end);
    assert_eq!(v["sindsPositie"], y.start);
    assert_eq!(v["groeperingsniveau"], "themalijn");
    // a started and completed, b dropped, c new trekker, a new actie, a reflectie, a meting, a bijsturing
    assert_eq!(v["aantalWijzigingen"], 8);
    assert_eq!(len(&v, "agendabredeBijsturingen"), 0);
    assert_eq!(len(&v, "opgaven"), 0);
    let groups = v["groeperingen"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "themalijn 1 and 2 only: {v}");
    assert_eq!(groups[0]["code"], "1");
    let o11 = &groups[0]["opgaven"][0];
    assert_eq!(groups[0]["opgaven"].as_array().unwrap().len(), 1);
    assert_eq!(o11["code"], "1.1");
    assert_eq!(o11["opgaveId"], y.opgave_11.to_string());
    assert_eq!(o11["pdcaFase"]["van"], "plan");
    assert_eq!(o11["pdcaFase"]["naar"], "act");
    for (key, n) in [
        ("actiesGestart", 1),
        ("actiesAfgerond", 1),
        ("actiesVervallen", 1),
        ("actiesGepauzeerd", 0),
        ("actiesToegevoegd", 0),
        ("trekkerwijzigingen", 1),
        ("reflecties", 1),
        ("metingen", 1),
        ("bijsturingen", 1),
    ] {
        assert_eq!(len(o11, key), n, "{key}");
    }
    assert_eq!(o11["actiesVervallen"][0]["reden"], "Geen budget");
    assert_eq!(o11["actiesAfgerond"][0]["ingangsDatum"], "2024-06-30");
    assert_eq!(o11["trekkerwijzigingen"][0]["nieuweTrekker"], "Mijande");
    assert_eq!(o11["reflecties"][0]["auteurOrganisatie"], "Mijande");
    assert!(o11["reflecties"][0]["fragment"]
        .as_str()
        .unwrap()
        .starts_with("Goed gelopen"));
    let meting = &o11["metingen"][0];
    assert_eq!(
        (
            &meting["waarde"],
            &meting["streefwaarde"],
            &meting["nulmeting"],
            &meting["koers"],
            &meting["ontwikkeling"]
        ),
        (
            &Value::from(50.0),
            &Value::from(60.0),
            &Value::from(40.0),
            &Value::from("nietOpKoers"),
            &Value::from("verbeterd")
        )
    );
    assert_eq!(
        o11["bijsturingen"][0]["besluit"],
        "Extra inzet op vroegsignalering"
    );
    let o21 = &groups[1]["opgaven"][0];
    assert_eq!(o21["code"], "2.1");
    assert_eq!(len(o21, "actiesToegevoegd"), 1);
    assert!(o21["pdcaFase"].is_null());

    // Markdown: the same sections, Dutch headings, no empty ones, user text escaped.
    let (status, ct, md) = fetch(app.als_pm(), &path, "text/markdown");
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/markdown"), "{ct}");
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
    assert!(
        headings[..10]
            .iter()
            .zip([
                "# Voortgang",
                "## Themalijn 1 ",
                "### Opgave 1.1 ",
                "#### Afgeronde acties",
                "#### Gestarte acties",
                "#### Vervallen acties",
                "#### Trekkerwijzigingen",
                "#### Reflecties",
                "#### Metingen",
                "#### Bijsturingen",
            ])
            .all(|(h, p)| h.starts_with(p)),
        "{headings:?}"
    );
    assert_eq!(headings.len(), 13, "{md}");
    assert!(headings[10].starts_with("## Themalijn 2 "));
    assert!(headings[11].starts_with("### Opgave 2.1 "));
    assert_eq!(headings[12], "#### Nieuwe acties");
    assert!(md.contains("PDCA-fase: Plan → Act"));
    assert!(
        !md.replace("\\<", "").contains('<'),
        "every < is escaped: {md}"
    );
    assert!(md.contains("\\<script>alert('x')\\</script>"), "{md}");
    assert!(md.contains("\\*meer\\*"));
    assert!(md.contains("streefwaarde 60; nulmeting 40; niet op koers; verbeterd"));
    assert!(md.contains("(volledig tot en met positie"));

    // HTML: the same sections, everything escaped.
    let (status, ct, html) = fetch(
        app.als_pm(),
        &format!("{path}&formaat=html"),
        "application/json",
    );
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/html"));
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; *meer*"));
    assert_eq!(html.matches("<h4>").count(), 8);
    assert_eq!(html.matches("<h3>").count(), 2);
    assert_eq!(html.matches("<h2>").count(), 2);
    assert!(html.starts_with("<article"));

    // The next edition continues at totPositie: nothing new.
    let next = format!("/agendas/{}/voortgang?sindsPositie={}", y.agenda, y.end);
    let (_, v2) = fetch_json(app.als_pm(), &next);
    assert_eq!(
        (v2["aantalWijzigingen"].as_u64(), v2["totPositie"].as_u64()),
        (Some(0), Some(y.end))
    );
    let (_, _, md2) = fetch(app.als_pm(), &format!("{next}&formaat=markdown"), "*/*");
    assert!(md2.contains("Geen wijzigingen in deze periode."));
    assert_eq!(md2.lines().filter(|l| l.starts_with('#')).count(), 1);

    // Dates: everything was recorded today (Amsterdam); tomorrow has nothing.
    let today = mag_tracker::kalender::today();
    let (_, by_date) = fetch_json(
        app.als_pm(),
        &format!("/agendas/{}/voortgang?sinds={today}", y.agenda),
    );
    assert!(by_date["aantalWijzigingen"].as_u64().unwrap() >= 8);
    let tomorrow = today.succ_opt().unwrap();
    let (_, none) = fetch_json(
        app.als_pm(),
        &format!("/agendas/{}/voortgang?sinds={tomorrow}", y.agenda),
    );
    assert_eq!(none["aantalWijzigingen"], 0);
}

#[test]
fn voortgang_parameters_are_validated_all_at_once() {
    let app = spawn_with(true, None);
    let agenda = *app.state.service.model().agendas.keys().next().unwrap();
    let head = app.state.store.head();
    let (status, p) = fetch_json(
        app.als_pm(),
        &format!(
            "/agendas/{agenda}/voortgang?sinds=2024-02-30&tot=gisteren&sindsPositie=1&formaat=pdf"
        ),
    );
    assert_eq!(status, 400);
    let names: Vec<&str> = p["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    // formaat is checked first and alone; then the range.
    assert_eq!(names, ["query.formaat"]);
    let (status, p) = fetch_json(
        app.als_pm(),
        &format!("/agendas/{agenda}/voortgang?sinds=2024-02-30&tot=gisteren&sindsPositie=1"),
    );
    assert_eq!(status, 400);
    assert_eq!(p["invalidParams"].as_array().unwrap().len(), 3, "{p}");
    let (status, _) = fetch_json(app.als_pm(), &format!("/agendas/{agenda}/voortgang"));
    assert_eq!(status, 400);
    let (status, p) = fetch_json(
        app.als_pm(),
        &format!("/agendas/{}/voortgang?sindsPositie=0", Uuid::now_v7()),
    );
    assert_eq!((status, p["code"].as_str()), (404, Some("not-found")));
    let (status, ct, _) = fetch(
        app.als_pm(),
        &format!("/agendas/{agenda}/voortgang?sindsPositie=0"),
        "image/png",
    );
    assert_eq!(status, 406);
    assert!(ct.starts_with("application/problem+json"));
    let ok = format!("/agendas/{agenda}/voortgang?sindsPositie=0");
    for (accept, expected) in [
        ("text/html", "text/html"),
        ("text/html;q=0.5, text/markdown", "text/markdown"),
        ("image/png, */*;q=0.1", "application/json"),
        ("", "application/json"),
    ] {
        let (status, ct, _) = fetch(app.als_pm(), &ok, accept);
        assert_eq!(status, 200);
        assert!(ct.starts_with(expected), "{accept} gave {ct}");
    }
    assert_eq!(app.state.store.head(), head);
}

/// Parses the feed with a real XML parser (well-formedness, matching end
/// tags) and checks the elements RFC 4287 requires.
#[test]
fn atom_feed_is_well_formed_and_has_what_rfc_4287_requires() {
    use quick_xml::events::Event as X;
    let app = spawn_with(true, Some("https://mag.example.nl/"));
    let y = script_year(&app);
    let (status, ct, xml) = fetch(
        app.als_pm(),
        &format!("/agendas/{}/voortgang.atom", y.agenda),
        "*/*",
    );
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/atom+xml"), "{ct}");

    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut stack: Vec<String> = Vec::new();
    let mut feed_children: Vec<String> = Vec::new();
    let mut entries: Vec<Vec<String>> = Vec::new();
    let mut entry_ids = Vec::new();
    let mut updated = Vec::new();
    let mut self_link = None;
    let mut text_of = String::new();
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (start, is_empty) = match &event {
            X::Start(e) => (Some(e.clone()), false),
            X::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        match event {
            X::Start(_) | X::Empty(_) => {
                let e = start.unwrap();
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attr = |k: &str| {
                    e.attributes()
                        .map(|a| a.unwrap())
                        .find(|a| a.key.as_ref() == k.as_bytes())
                        .map(|a| String::from_utf8(a.value.to_vec()).unwrap())
                };
                if stack.is_empty() {
                    assert_eq!(name, "feed");
                    assert_eq!(
                        attr("xmlns").as_deref(),
                        Some("http://www.w3.org/2005/Atom")
                    );
                }
                if stack.len() == 1 {
                    feed_children.push(name.clone());
                    if name == "entry" {
                        entries.push(Vec::new());
                    }
                    if name == "link" && attr("rel").as_deref() == Some("self") {
                        self_link = attr("href");
                    }
                }
                if stack.len() == 2 && stack[1] == "entry" {
                    entries.last_mut().unwrap().push(name.clone());
                }
                text_of.clear();
                if !is_empty {
                    stack.push(name);
                }
            }
            X::Text(t) => text_of.push_str(&t.decode().unwrap()),
            X::GeneralRef(r) => text_of.push_str(&format!("&{};", String::from_utf8_lossy(&r))),
            X::End(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()));
                if name == "updated" {
                    updated.push(text_of.clone());
                }
                if name == "id" && stack.last().map(String::as_str) == Some("entry") {
                    entry_ids.push(text_of.clone());
                }
            }
            X::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty());
    for required in ["id", "title", "updated", "author", "link"] {
        assert!(
            feed_children.iter().any(|c| c == required),
            "feed lacks {required}"
        );
    }
    for once in ["id", "title", "updated"] {
        assert_eq!(
            feed_children.iter().filter(|c| *c == once).count(),
            1,
            "{once}"
        );
    }
    assert_eq!(
        self_link.as_deref(),
        Some(
            format!(
                "https://mag.example.nl/v1/agendas/{}/voortgang.atom",
                y.agenda
            )
            .as_str()
        )
    );
    // the demo import's acties are within the 90 days too: capped at 50, newest first
    assert_eq!(entries.len(), 50, "{xml}");
    let first = xml.find("<entry>").unwrap();
    assert!(xml[first..].find("Bijsturing").unwrap() < xml[first..].find("Taalcafé").unwrap());
    for e in &entries {
        for once in ["id", "title", "updated", "content"] {
            assert_eq!(
                e.iter().filter(|c| *c == once).count(),
                1,
                "entry {once}: {e:?}"
            );
        }
    }
    let mut unique = entry_ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), entry_ids.len());
    assert!(entry_ids
        .iter()
        .all(|id| id.starts_with("tag:mag-tracker.nl,2024:")));
    for u in &updated {
        chrono::DateTime::parse_from_rfc3339(u).unwrap_or_else(|_| panic!("updated {u}"));
    }
    assert!(!xml.contains("<script>"));
    assert!(xml.contains("&lt;script&gt;"));
}
