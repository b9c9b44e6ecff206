//! An unpublished agenda stays hidden from whoever may not read it, however
//! a request spells the ids of its resources: every GET operation of the
//! OpenAPI document, every spelling of a uuid the parser accepts (and
//! percent-encoded forms of each), anonymous and with a partner token that
//! has no role in the agenda. Requests go out as raw bytes, so the spelling
//! reaches the server exactly as written.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use mag_tracker::access::Rol;
use serde_json::{json, Value};

use crate::support::*;

/// In every free text of the hidden agenda; in no response it may not read.
pub const MARK: &str = "Zqxgeheim";

/// The ids of the hidden agenda's resources.
pub struct Hidden {
    pub agenda: String,
    pub groepering: String,
    pub opgave: String,
    pub doel: String,
    pub actie: String,
    pub bericht: String,
    pub reflectie: String,
    pub opgave_reflectie: String,
    pub indicator: String,
    pub meting: String,
    pub checkmoment: String,
    pub agenda_checkmoment: String,
    pub bijsturing: String,
    /// The actie's trekker (Bibliotheek Twenterand): a public organisatie.
    pub trekker: String,
}

/// Builds an unpublished agenda with one of everything, through the API.
pub fn hidden_agenda(app: &TestApp) -> Hidden {
    let m = |what: &str| format!("{MARK} {what}");
    let bieb = organisatie_id(&app.state, "Bibliotheek Twenterand").to_string();
    let agenda = app.als_beheerder().created(
        "/agendas",
        &json!({"naam": m("agenda"), "omschrijving": m("plannen"), "gemeenten": [m("dorp")],
            "periodeStartDatum": "2024-01-01", "periodeEindDatum": "2024-12-31", "gepubliceerd": false,
            "groeperingsniveaus": [{"enkelvoud": m("thema"), "meervoud": m("themas")}]}),
    )
    .id();
    // the pm token of spawn time does not list the new agenda
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let groepering = pm
        .created(
            &format!("/agendas/{agenda}/groeperingen"),
            &json!({"naam": m("groep"), "code": "1"}),
        )
        .id();
    let opgave = pm.created(
        &format!("/agendas/{agenda}/opgaven"),
        &json!({"code": "1.1", "titel": m("opgave"), "omschrijving": m("uitleg"), "groeperingId": groepering}),
    )
    .id();
    let doel = pm
        .created(
            &format!("/opgaven/{opgave}/doelen"),
            &json!({"code": "1.1.1", "titel": m("doel")}),
        )
        .id();
    let actie = pm
        .created(
            &format!("/doelen/{doel}/acties"),
            &json!({"omschrijving": m("actie"), "jaar": 2024,
            "trekker": {"soort": "organisatie", "organisatieId": bieb}}),
        )
        .id();
    let bericht = pm
        .created(
            &format!("/acties/{actie}/voortgangsberichten"),
            &json!({"tekst": m("bericht"), "auteurOrganisatieId": bieb}),
        )
        .id();
    let status = pm.post(
        &format!("/acties/{actie}/statuswijzigingen"),
        &json!({"status": "lopend", "reden": m("reden"), "ingangsDatum": "2024-03-01"}),
    );
    assert_eq!(status.status, 201, "{:?}", status.body);
    let reflectie = pm.created(
        "/reflecties",
        &json!({"over": actie, "datum": "2024-06-01", "tekst": m("reflectie"), "watGingGoed": m("goed")}),
    )
    .id();
    let opgave_reflectie = pm.created(
        "/reflecties",
        &json!({"over": opgave, "fase": "check", "datum": "2024-06-01", "tekst": m("opgavereflectie")}),
    )
    .id();
    let indicator = pm.created(
        &format!("/doelen/{doel}/indicatoren"),
        &json!({"naam": m("indicator"), "eenheid": "%", "richting": "lagerIsBeter", "bron": m("bron"),
            "eigenaarOrganisatieId": bieb, "streefwaarden": [{"jaar": 2024, "waarde": 9}]}),
    )
    .id();
    let meting = pm.created(
        &format!("/indicatoren/{indicator}/metingen"),
        &json!({"periode": "2024", "meetDatum": "2024-06-30", "waarde": 11, "status": "voorlopig", "bron": m("meetbron")}),
    )
    .id();
    let checkmoment = pm
        .created(
            &format!("/opgaven/{opgave}/checkmomenten"),
            &json!({"datum": "2024-06-15", "onderwerp": m("check")}),
        )
        .id();
    let agenda_checkmoment = pm
        .created(
            &format!("/agendas/{agenda}/checkmomenten"),
            &json!({"datum": "2024-12-01", "onderwerp": m("jaarcheck")}),
        )
        .id();
    let bijsturing = pm.created(
        &format!("/checkmomenten/{checkmoment}/bijsturingen"),
        &json!({"besluit": m("besluit"), "onderbouwing": m("onderbouwing"), "datum": "2024-06-20",
            "voorgenomenWijzigingen": [{"soort": "trekkerWijzigen", "omschrijving": m("wijziging"), "onderwerpId": actie}]}),
    )
    .id();
    Hidden {
        agenda,
        groepering,
        opgave,
        doel,
        actie,
        bericht,
        reflectie,
        opgave_reflectie,
        indicator,
        meting,
        checkmoment,
        agenda_checkmoment,
        bijsturing,
        trekker: bieb,
    }
}

/// A response as raw text: status and everything after the status line.
pub struct Raw {
    pub status: u16,
    pub text: String,
}

/// Sends `GET <target>` byte for byte (no client normalisation) and reads
/// the whole response (or what arrives within `wait` for a stream).
pub fn raw_get(app: &TestApp, target: &str, token: Option<&str>, wait: Duration) -> Raw {
    let addr = app
        .base
        .trim_start_matches("http://")
        .trim_end_matches("/v1");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET /v1{target} HTTP/1.1\r\nHost: {addr}\r\nAccept: */*\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let deadline = Instant::now() + wait;
    let mut bytes = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("GET {target}: {e}"),
        }
        if Instant::now() > deadline {
            break;
        }
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("GET {target}: no status line in {text:?}"));
    Raw { status, text }
}

/// Every spelling of `id` the uuid parser accepts, and percent-encoded forms
/// of each: one character as `%XX`, hyphens as `%2D`, braces as `%7B`/`%7D`,
/// and every character encoded.
pub fn spellings(id: &str) -> Vec<String> {
    let canonical = id.to_lowercase();
    let forms = [
        canonical.clone(),
        canonical.to_uppercase(),
        canonical.replace('-', ""),
        format!("{{{canonical}}}"),
        format!("urn:uuid:{canonical}"),
    ];
    let pct = |c: char| format!("%{:02X}", c as u32);
    let mut out = Vec::new();
    for f in forms {
        // the first hex digit encoded (`%30` for a leading 0)
        let first = f.find(|c: char| c.is_ascii_hexdigit()).unwrap();
        let c = f[first..].chars().next().unwrap();
        out.push(format!("{}{}{}", &f[..first], pct(c), &f[first + 1..]));
        out.push(f.chars().map(pct).collect());
        if f.contains('-') {
            out.push(f.replace('-', "%2D"));
        }
        if f.starts_with('{') {
            out.push(f.replace('{', "%7B").replace('}', "%7D"));
        } else {
            out.push(f.clone());
        }
        if f.contains(':') {
            out.push(f.replace(':', "%3A"));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A GET operation of the OpenAPI document.
struct Operation {
    path: String,
    path_params: Vec<String>,
    /// Query parameters that take a uuid.
    uuid_params: Vec<String>,
    /// Query strings that make it answer in full (a window, each format).
    extras: Vec<String>,
    /// Whether it takes `positie` (time travel).
    travels: bool,
}

fn operations() -> Vec<Operation> {
    let spec: Value = serde_json::from_str(&mag_tracker::http::openapi_json()).unwrap();
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let named = |place: &str| {
            params
                .iter()
                .filter(|p| p["in"] == place)
                .filter(|p| place == "path" || p["schema"]["format"] == "uuid")
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let has = |name: &str| params.iter().any(|p| p["name"] == name);
        let window = if has("sindsPositie") {
            "sindsPositie=0&"
        } else {
            ""
        };
        let mut extras = vec![String::new()];
        if has("formaat") {
            extras.extend(
                ["csv", "json", "markdown", "html"].map(|f| format!("{window}formaat={f}")),
            );
        } else if !window.is_empty() {
            extras.push(window.trim_end_matches('&').to_owned());
        }
        out.push(Operation {
            path: path.clone(),
            path_params: named("path"),
            uuid_params: named("query"),
            extras,
            travels: has("positie"),
        });
    }
    out
}

/// The hidden resource a path parameter names: by its name, or for `id`
/// by the collection before it.
fn id_for<'a>(h: &'a Hidden, path: &str, param: &str) -> &'a str {
    let collection = path
        .split('/')
        .take_while(|s| *s != format!("{{{param}}}"))
        .last()
        .unwrap_or_default();
    id_in(h, param, collection)
}

/// The hidden resource named by path parameter `param` after `collection`.
pub fn id_in<'a>(h: &'a Hidden, param: &str, collection: &str) -> &'a str {
    match (param, collection) {
        ("bijsturingId", _) => &h.bijsturing,
        ("berichtId", _) => &h.bericht,
        ("metingId", _) => &h.meting,
        (_, "agendas") => &h.agenda,
        (_, "groeperingen") => &h.groepering,
        (_, "opgaven") => &h.opgave,
        (_, "doelen") => &h.doel,
        (_, "acties") => &h.actie,
        (_, "reflecties") => &h.reflectie,
        (_, "indicatoren") => &h.indicator,
        (_, "checkmomenten") => &h.checkmoment,
        (_, "organisaties") => &h.trekker,
        // tokens and anything new: an id of the hidden agenda all the same
        _ => &h.agenda,
    }
}

fn all_ids(h: &Hidden) -> Vec<&str> {
    vec![
        &h.agenda,
        &h.groepering,
        &h.opgave,
        &h.doel,
        &h.actie,
        &h.bericht,
        &h.reflectie,
        &h.opgave_reflectie,
        &h.indicator,
        &h.meting,
        &h.checkmoment,
        &h.agenda_checkmoment,
        &h.bijsturing,
    ]
}

/// Every request of the walk: each GET with the hidden ids in its path in
/// every spelling (also as of a past position where it travels in time),
/// and with every hidden id in every spelling in each uuid query parameter.
fn walk(h: &Hidden, past: u64) -> Vec<String> {
    let mut targets = Vec::new();
    for Operation {
        path,
        path_params,
        uuid_params: query_params,
        extras,
        travels,
    } in operations()
    {
        let fill = |spell: &dyn Fn(&str) -> String| {
            let mut p = path.clone();
            for name in &path_params {
                p = p.replace(&format!("{{{name}}}"), &spell(id_for(h, &path, name)));
            }
            p
        };
        let stream = path.ends_with("/stream");
        if !path_params.is_empty() {
            let n = spellings(&h.agenda).len();
            for i in 0..n {
                let target = fill(&|id: &str| spellings(id)[i].clone());
                // as of a past position: a few spellings (the id is parsed
                // before the moment is read; each such read replays the log)
                if travels && (i == 0 || i == n / 2 || i + 1 == n) {
                    targets.push(format!("{target}?positie={past}"));
                }
                for extra in &extras {
                    targets.push(match extra.as_str() {
                        "" => target.clone(),
                        extra => format!("{target}?{extra}"),
                    });
                }
            }
        }
        let base = fill(&|id: &str| id.to_owned());
        for q in &query_params {
            for id in all_ids(h) {
                let mut all = spellings(id);
                if stream {
                    // a stream is read for a moment each time: two spellings
                    all.truncate(2);
                }
                for s in all {
                    targets.push(if stream {
                        format!("{base}?{q}={s}&na=0")
                    } else {
                        format!("{base}?{q}={s}")
                    });
                }
            }
        }
        if path_params.is_empty() {
            targets.push(if stream {
                format!("{base}?na=0")
            } else {
                base.clone()
            });
            if travels {
                targets.push(format!("{base}?positie={past}"));
            }
        }
    }
    targets
}

fn wait_for(target: &str) -> Duration {
    if target.contains("/stream") {
        Duration::from_millis(300)
    } else {
        Duration::from_secs(10)
    }
}

#[test]
fn a_hidden_agenda_stays_hidden_in_every_get_however_its_ids_are_spelled() {
    let app = spawn();
    let h = hidden_agenda(&app);
    // One public write after it, so `positie=head-1` is a past state that
    // holds the whole hidden agenda.
    app.als_beheerder().created(
        "/organisaties",
        &json!({"naam": "Stichting Na", "soort": "welzijn"}),
    );
    let past = app.head() - 1;
    let outsider = app.token(Rol::Partner, "Taalpunt", vec![]);
    let lezer = app.token(Rol::Lezer, "Taalpunt", vec![]);
    let targets = walk(&h, past);
    assert!(targets.len() > 1000, "{} requests", targets.len());

    // The walk reaches the hidden agenda: a reader that may see it finds
    // its text through the reported spellings (so none of them is simply
    // refused by the router).
    let insider = app.token(
        Rol::Programmamanager,
        "Gemeente Twenterand",
        vec![h.agenda.parse().unwrap()],
    );
    let mut seen = 0;
    for t in &targets {
        if t.contains("/stream") {
            continue;
        }
        let r = raw_get(&app, t, Some(&insider), wait_for(t));
        assert!(r.status < 500, "GET {t}: {}", r.text);
        seen += usize::from(r.text.contains(MARK));
    }
    eprintln!(
        "{} requests; the hidden agenda's text showed in {seen} answers",
        targets.len()
    );
    assert!(
        seen > 800,
        "the hidden agenda's text showed in {seen} answers"
    );
    let a = &h.agenda;
    let reported = [
        format!("/agendas/%{:02X}{}", a.as_bytes()[0], &a[1..]),
        format!("/agendas/{}", a.replace('-', "%2D")),
        format!("/agendas/%7B{a}%7D"),
        format!("/agendas/urn:uuid:{a}"),
        format!("/acties/{}", h.actie.to_uppercase()),
        format!("/reflecties?over={}", h.actie.replace('-', "%2D")),
    ];
    for t in &reported {
        let r = raw_get(&app, t, Some(&insider), wait_for(t));
        assert!(
            r.text.contains(MARK),
            "GET {t} as its programmamanager: {}",
            r.text
        );
    }

    // Anonymous, and tokens without a role in it: nothing of it, anywhere.
    for (who, token) in [
        ("anoniem", None),
        ("partner", Some(outsider.as_str())),
        ("lezer", Some(lezer.as_str())),
    ] {
        if who == "lezer" {
            // the lezer takes the reported spellings only, to keep it short
            for t in &reported {
                let r = raw_get(&app, t, token, wait_for(t));
                assert!(!r.text.contains(MARK), "{who}: GET {t} leaks: {}", r.text);
            }
            continue;
        }
        for t in &targets {
            let r = raw_get(&app, t, token, wait_for(t));
            assert!(
                matches!(r.status, 200 | 400 | 401 | 403 | 404),
                "{who}: GET {t}: {}",
                r.text
            );
            assert!(!r.text.contains(MARK), "{who}: GET {t} leaks: {}", r.text);
        }
    }
    // A hidden resource reads exactly like one that does not exist.
    let missing = uuid::Uuid::now_v7().to_string();
    let hidden = raw_get(
        &app,
        &format!("/acties/%7B{}%7D", h.actie),
        None,
        wait_for(""),
    );
    let absent = raw_get(
        &app,
        &format!("/acties/%7B{missing}%7D"),
        None,
        wait_for(""),
    );
    assert_eq!((hidden.status, absent.status), (404, 404));
    let detail = |r: &Raw| {
        let body = &r.text[r.text.find("\r\n\r\n").unwrap()..];
        let v: Value = serde_json::from_str(body.trim()).unwrap();
        (
            v["code"].clone(),
            v["title"].clone(),
            v["detail"]
                .as_str()
                .unwrap()
                .replace(&h.actie, "ID")
                .replace(&missing, "ID"),
        )
    };
    assert_eq!(detail(&hidden), detail(&absent));
}

#[test]
fn a_partner_reads_an_unpublished_agenda_only_where_its_organisatie_has_a_role() {
    let app = spawn();
    let h = hidden_agenda(&app);
    let trekker = app.token(Rol::Partner, "Bibliotheek Twenterand", vec![]);
    let outsider = app.token(Rol::Partner, "Taalpunt", vec![]);
    let path = format!("/agendas/{}", h.agenda);
    let r = request(&app, "GET", &path, Some(&trekker), &[], None);
    assert_eq!(r.status, 200);
    assert_eq!(r.body["naam"], format!("{MARK} agenda"));
    let r = request(&app, "GET", &path, Some(&outsider), &[], None);
    assert_eq!(r.status, 404);
    let list = |token: &str| {
        request(&app, "GET", "/agendas", Some(token), &[], None).body["resultaten"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["naam"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert!(list(&trekker).contains(&format!("{MARK} agenda")));
    assert!(!list(&outsider).iter().any(|n| n.contains(MARK)));
    // the reflecties list leaves it out without a filter, too
    let r = request(
        &app,
        "GET",
        "/reflecties?pageSize=500",
        Some(&outsider),
        &[],
        None,
    );
    assert_eq!(r.status, 200);
    assert!(!r.body.to_string().contains(MARK));
    let r = request(
        &app,
        "GET",
        "/reflecties?pageSize=500",
        Some(&trekker),
        &[],
        None,
    );
    assert!(r.body.to_string().contains(&format!("{MARK} reflectie")));
    // writing about it: 404 like an unknown actie for the outsider, which
    // learns nothing (not even a 403 that it exists); nothing is appended
    let bericht = json!({"tekst": "Gestart"}).to_string();
    let head = app.head();
    let write = |token: &str, actie: &str| {
        let path = format!("/acties/{actie}/voortgangsberichten");
        request(&app, "POST", &path, Some(token), &[], Some(&bericht))
    };
    let missing = uuid::Uuid::now_v7().to_string();
    let (hidden, absent) = (write(&outsider, &h.actie), write(&outsider, &missing));
    assert_eq!(
        (hidden.status, absent.status),
        (404, 404),
        "{}",
        hidden.body
    );
    assert_eq!(
        hidden.body["detail"]
            .as_str()
            .unwrap()
            .replace(&h.actie, "ID"),
        absent.body["detail"]
            .as_str()
            .unwrap()
            .replace(&missing, "ID")
    );
    assert_eq!(app.head(), head, "nothing appended");
    assert_eq!(write(&trekker, &h.actie).status, 201);
}
