//! Export (CSV and JSON) and import (`POST /agenda-imports`): the CSV
//! dialect read back by a real CSV parser, every import problem at once with
//! nothing appended, idempotent retries, and export → import → export.

use serde_json::{json, Value};

use mag_tracker::access::Rol;

use super::nieuwsbrief::{fetch, fetch_json, script_year, spawn_with};
use crate::support::Caller;

/// POST raw bytes: (status, location, body).
fn post(
    caller: Caller,
    path: &str,
    content_type: &str,
    key: Option<&str>,
    body: &[u8],
) -> (u16, String, Value) {
    let mut req = caller
        .agent()
        .post(caller.url(path))
        .header("Content-Type", content_type);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let mut r = req.send(body).unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        r.status().as_u16(),
        location,
        r.body_mut().read_json().unwrap(),
    )
}

fn bytes(caller: Caller, path: &str) -> (u16, String, Vec<u8>) {
    let mut r = caller.agent().get(caller.url(path)).call().unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (r.status().as_u16(), ct, r.body_mut().read_to_vec().unwrap())
}

#[test]
fn csv_export_is_the_documented_dialect_and_reads_back() {
    let app = spawn_with(true, None);
    let y = script_year(&app);
    let (status, ct, body) = bytes(
        app.als_pm(),
        &format!("/agendas/{}/export?formaat=csv", y.agenda),
    );
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/csv"), "{ct}");
    assert!(body.starts_with("\u{FEFF}".as_bytes()), "BOM first");
    let text = std::str::from_utf8(&body[3..]).unwrap();
    assert!(text.starts_with("groeperingCode;groeperingNaam;"));
    assert!(
        text.split('\n').next().unwrap().ends_with('\r'),
        "CRLF line ends"
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        headers[..6],
        [
            "groeperingCode",
            "groeperingNaam",
            "opgaveCode",
            "opgaveTitel",
            "doelCode",
            "doelTitel"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 80, "79 demo acties + the scripted new one");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    // Dutch characters intact
    let all: String = rows
        .iter()
        .flat_map(|r| r.iter().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("\n");
    for word in ["efficiënt", "Taalcafé", "bijvoorbeeld"] {
        assert!(all.contains(word), "{word}");
    }
    assert!(all.contains("ij"));
    let afgerond: Vec<_> = rows
        .iter()
        .filter(|r| &r[col("status")] == "afgerond")
        .collect();
    assert_eq!(afgerond.len(), 1);
    assert_eq!(&afgerond[0][col("opgaveCode")], "1.1");
    assert_eq!(&afgerond[0][col("aantalReflecties")], "1");
    assert_eq!(
        &afgerond[0][col("groeperingNaam")],
        "Zelfredzame Twenterander"
    );
    let taalcafe = rows
        .iter()
        .find(|r| r[col("omschrijving")].contains("Taalcafé"))
        .unwrap();
    assert_eq!(
        &taalcafe[col("omschrijving")],
        "Taalcafé \"Praat mee\"; in de bibliotheek"
    );
    assert_eq!(&taalcafe[col("partners")], "Mijande");
    assert_eq!(&taalcafe[col("trekker")], "Gemeente Twenterand");
    assert_eq!(&taalcafe[col("trekkerSoort")], "organisatie");

    // peildatum before anything existed: 404; today: the same rows
    let (status, p) = fetch_json(
        app.als_pm(),
        &format!("/agendas/{}/export?peildatum=2000-01-01", y.agenda),
    );
    assert_eq!(
        (status, p["code"].as_str()),
        (404, Some("not-yet-existing"))
    );
    let today = mag_tracker::kalender::today();
    let (status, _, again) = bytes(
        app.als_pm(),
        &format!("/agendas/{}/export?peildatum={today}", y.agenda),
    );
    assert_eq!(status, 200);
    assert_eq!(again, body);
    let (status, p) = fetch_json(
        app.als_pm(),
        &format!("/agendas/{}/export?formaat=xls", y.agenda),
    );
    assert_eq!(
        (status, p["invalidParams"][0]["name"].as_str()),
        (400, Some("query.formaat"))
    );
    let (status, p) = fetch_json(
        app.als_pm(),
        &format!("/agendas/{}/export?peildatum=gisteren", y.agenda),
    );
    assert_eq!(
        (status, p["invalidParams"][0]["name"].as_str()),
        (400, Some("query.peildatum"))
    );
}

#[test]
fn export_import_export_round_trips_and_retries_create_nothing() {
    let source = spawn_with(true, None);
    let y = script_year(&source);
    let (status, ct, exported) = fetch(
        source.als_pm(),
        &format!("/agendas/{}/export?formaat=json", y.agenda),
        "*/*",
    );
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/json"));
    let first: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(first["formaat"], "mag-tracker/agenda");

    let target = spawn_with(false, None);
    assert_eq!(target.state.store.head(), 0);
    // an empty store has no organisatie to issue a token for
    let beheerder = target.token_on_empty_store(Rol::Beheerder);
    let (status, location, created) = post(
        target.als(&beheerder),
        "/agenda-imports",
        "application/json",
        Some("import-1"),
        exported.as_bytes(),
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (
            created["opgaven"].as_u64(),
            created["acties"].as_u64(),
            created["herhaald"].as_bool()
        ),
        (Some(18), Some(80), Some(false))
    );
    let id = created["agendaId"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/v1/agendas/{id}"));
    let head = target.state.store.head();
    assert_eq!(created["laatstePositie"].as_u64(), Some(head));

    // the same request again: the original result, nothing appended
    let (status, _, again) = post(
        target.als(&beheerder),
        "/agenda-imports",
        "application/json",
        Some("import-1"),
        exported.as_bytes(),
    );
    assert_eq!(
        (
            status,
            again["agendaId"].as_str(),
            again["herhaald"].as_bool()
        ),
        (201, Some(id.as_str()), Some(true))
    );
    assert_eq!(target.state.store.head(), head);
    // the same key with another body is refused
    let (status, _, p) = post(
        target.als(&beheerder),
        "/agenda-imports",
        "application/json",
        Some("import-1"),
        b"{}",
    );
    assert_eq!(
        (status, p["code"].as_str()),
        (422, Some("idempotency-key-reused"))
    );

    // the imported agenda's programmamanager
    let pm = target.token(
        Rol::Programmamanager,
        "Gemeente Twenterand",
        vec![id.parse().unwrap()],
    );
    let (_, _, reexported) = fetch(
        target.als(&pm),
        &format!("/agendas/{id}/export?formaat=json"),
        "*/*",
    );
    let second: Value = serde_json::from_str(&reexported).unwrap();
    assert_eq!(first, second);
}

/// `(name, code)` of every problem, sorted.
fn problems(p: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = p["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["name"].as_str().unwrap().to_owned(),
                x["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn named(expected: &[(String, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.clone(), (*b).to_owned()))
        .collect();
    v.sort();
    v
}

/// Ten problems: the five the file's schema states come first, all at once
/// (as for every typed request); with those fixed, the five rules about the
/// agenda's content (codes, names that exist, the period) all at once.
/// Nothing is appended either time.
#[test]
fn an_import_with_ten_problems_reports_the_schema_five_then_the_rule_five() {
    let app = spawn_with(true, None);
    let head = app.state.store.head();
    let mut file = json!({
        "formaat": "mag-tracker/agenda",
        "formaatVersie": 1,
        "organisaties": [{"naam": "Stichting Één", "soort": "vereniging"}],
        "agenda": {
            "naam": "Agenda met fouten",
            "gemeenten": ["Twenterand"],
            "periodeStartDatum": "2025-01-01",
            "periodeEindDatum": "2025-12-31",
            "groeperingsniveaus": [{"enkelvoud": "themalijn", "meervoud": "themalijnen"}],
            "groeperingen": [{
                "code": "1",
                "naam": "Eén",
                "opgaven": [
                    {"code": "1.1", "titel": "Goed", "doelen": [
                        {"code": "1", "weergavecode": "2.1.1", "titel": "Weergavecode die niet klopt", "acties": []}
                    ], "acties": [
                        {"omschrijving": "Datum fout", "jaar": 2025, "geplandeStartDatum": "2025-02-30"},
                        {"omschrijving": "Status fout", "jaar": 2025, "status": "bezig"},
                        {"omschrijving": "Trekker onbekend", "jaar": 2025, "trekker": {"organisatie": "Onbekende Club"}},
                        {"omschrijving": "Partner onbekend", "jaar": 2025, "partners": ["Niemand BV"]},
                        {"omschrijving": "Buiten de periode", "jaar": 2025, "geplandeEindDatum": "2026-03-01"},
                        {"omschrijving": "", "jaar": 2025}
                    ]},
                    {"code": "1.1", "titel": "Dubbele code"},
                    {"code": "1.3", "titel": "  "}
                ]
            }]
        }
    });
    let send = |file: &Value| {
        post(
            app.als_beheerder(),
            "/agenda-imports",
            "application/json",
            None,
            file.to_string().as_bytes(),
        )
    };
    let g = "body.agenda.groeperingen[0].opgaven";
    let (status, _, p) = send(&file);
    assert_eq!(
        (status, p["code"].as_str()),
        (400, Some("invalid-input")),
        "{p}"
    );
    assert_eq!(
        problems(&p),
        named(&[
            ("body.organisaties[0].soort".to_owned(), "invalid-value"),
            (
                format!("{g}[0].acties[0].geplandeStartDatum"),
                "invalid-date"
            ),
            (format!("{g}[0].acties[1].status"), "invalid-value"),
            (format!("{g}[0].acties[5].omschrijving"), "required"),
            (format!("{g}[2].titel"), "required"),
        ])
    );
    assert!(p["detail"].as_str().unwrap().contains("5 problemen"), "{p}");
    assert_eq!(app.state.store.head(), head, "nothing appended");

    let opgaven = &mut file["agenda"]["groeperingen"][0]["opgaven"];
    opgaven[0]["acties"][0]["geplandeStartDatum"] = json!("2025-02-28");
    opgaven[0]["acties"][1]["status"] = json!("lopend");
    opgaven[0]["acties"][5]["omschrijving"] = json!("Omschrijving erbij");
    opgaven[2]["titel"] = json!("Titel erbij");
    file["organisaties"][0]["soort"] = json!("welzijn");
    let (status, _, p) = send(&file);
    assert_eq!(status, 400, "{p}");
    assert_eq!(
        problems(&p),
        named(&[
            (
                format!("{g}[0].doelen[0].weergavecode"),
                "weergavecode-mismatch"
            ),
            (
                format!("{g}[0].acties[2].trekker.organisatie"),
                "unknown-organisatie"
            ),
            (
                format!("{g}[0].acties[3].partners[0]"),
                "unknown-organisatie"
            ),
            (
                format!("{g}[0].acties[4].geplandeEindDatum"),
                "outside-period"
            ),
            (format!("{g}[1].code"), "duplicate-code"),
        ])
    );
    assert!(p["detail"].as_str().unwrap().contains("5 problemen"), "{p}");
    assert_eq!(app.state.store.head(), head, "nothing appended");
}

#[test]
fn csv_import_names_rows_and_columns_and_creates_the_agenda() {
    let app = spawn_with(true, None);
    let head = app.state.store.head();
    let q = "/agenda-imports?naam=Agenda%202025&gemeenten=Twenterand&periodeStartDatum=2025-01-01&periodeEindDatum=2025-12-31";
    let bad = "\u{FEFF}groeperingCode;groeperingNaam;opgaveCode;opgaveTitel;doelCode;doelTitel;omschrijving;jaar;trekker;trekkerSoort;partners;status\r\n\
1;Zelfredzaam;1.1;Bestaanszekerheid;1.1.1;Vroegsignalering;Huisbezoeken;2025;Mijande;;Gemeente Twenterand | Onbekend;lopend\r\n\
1;Zelfredzaam;1.1;Bestaanszekerheid;;;Fout jaar;twintig;;;;klaar\r\n";
    let (status, _, p) = post(
        app.als_beheerder(),
        q,
        "text/csv; charset=utf-8",
        None,
        bad.as_bytes(),
    );
    assert_eq!(status, 400, "{p}");
    let mut names: Vec<&str> = p["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "body.rij[2].partners",
            "body.rij[3].jaar",
            "body.rij[3].status"
        ]
    );
    assert_eq!(app.state.store.head(), head);

    let good = bad
        .replace(" | Onbekend", "")
        .replace("twintig", "2025")
        .replace("klaar", "gepland");
    let (status, location, created) =
        post(app.als_beheerder(), q, "text/csv", None, good.as_bytes());
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (
            created["groeperingen"].as_u64(),
            created["opgaven"].as_u64(),
            created["doelen"].as_u64(),
            created["acties"].as_u64()
        ),
        (Some(1), Some(1), Some(1), Some(2))
    );
    // the pm token of spawn time does not list the new agenda
    let id = location.trim_start_matches("/v1/agendas/").parse().unwrap();
    let pm = app.token(Rol::Programmamanager, "Gemeente Twenterand", vec![id]);
    let (_, agenda) = fetch_json(app.als(&pm), location.trim_start_matches("/v1"));
    assert_eq!(agenda["naam"], "Agenda 2025");
    let (status, p) = fetch_json(
        app.als(&pm),
        &format!(
            "/agendas/{}/acties?status=lopend",
            agenda["id"].as_str().unwrap()
        ),
    );
    assert_eq!((status, p["totaal"].as_u64()), (200, Some(1)));
}

/// Drops what the format leaves to defaults: nulls and empty lists.
fn normalise(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !(x.is_null() || x.as_array().is_some_and(Vec::is_empty)));
            m.values_mut().for_each(normalise);
        }
        Value::Array(a) => a.iter_mut().for_each(normalise),
        _ => {}
    }
}

#[test]
fn the_demo_agenda_exports_as_the_file_it_was_imported_from() {
    let app = spawn_with(true, None);
    let agenda = *app.state.service.model().agendas.keys().next().unwrap();
    let (_, mut exported) = fetch_json(
        app.als_pm(),
        &format!("/agendas/{agenda}/export?formaat=json"),
    );
    let mut demo: Value = serde_json::from_str(mag_tracker::import::TWENTERAND_2024).unwrap();
    normalise(&mut exported);
    normalise(&mut demo);
    // The export carries each actie's kenmerk; the demo file leaves them to
    // the import, which numbers them per doel (or opgave) in file order.
    let first = &exported["agenda"]["groeperingen"][0]["opgaven"][0]["doelen"][0]["acties"];
    assert_eq!(
        (first[0]["kenmerk"].as_str(), first[1]["kenmerk"].as_str()),
        (Some("1.1.1-1"), Some("1.1.1-2"))
    );
    let mut kenmerken = Vec::new();
    take_kenmerken(&mut exported, &mut kenmerken);
    assert_eq!(kenmerken.len(), 79);
    kenmerken.sort();
    kenmerken.dedup();
    assert_eq!(kenmerken.len(), 79, "unique in the agenda");
    // The export also shows each weergavecode (information only): for
    // Twenterand's codes, written out in full, the code itself.
    assert_eq!(weergavecodes_are_the_codes(&mut exported), 49);
    assert_eq!(exported["agenda"], demo["agenda"]);
}

/// Removes every `weergavecode`, checks it equals the `code` beside it and
/// counts them.
fn weergavecodes_are_the_codes(v: &mut Value) -> usize {
    match v {
        Value::Object(m) => {
            let mut n = 0;
            if let Some(w) = m.remove("weergavecode") {
                assert_eq!(Some(&w), m.get("code"), "{m:?}");
                n += 1;
            }
            n + m
                .values_mut()
                .map(weergavecodes_are_the_codes)
                .sum::<usize>()
        }
        Value::Array(a) => a.iter_mut().map(weergavecodes_are_the_codes).sum(),
        _ => 0,
    }
}

/// Removes every `kenmerk` and collects it.
fn take_kenmerken(v: &mut Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(k)) = m.remove("kenmerk") {
                out.push(k);
            }
            m.values_mut().for_each(|x| take_kenmerken(x, out));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| take_kenmerken(x, out)),
        _ => {}
    }
}

fn cli(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mag-tracker"))
        .args(args)
        .env("MAG_LOG_FORMAT", "text")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_import_and_nieuwsbrief() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/src/demo/twenterand-2024.json");
    let data_dir = data.to_str().unwrap();
    let (ok, out, err) = cli(&["import", demo, "--data-dir", data_dir]);
    assert!(ok, "{err}");
    assert!(
        out.contains("18 opgaven") && out.contains("79 acties"),
        "{out}"
    );
    assert!(err.contains("[3/3] klaar"), "{err}");

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"formaat":"x","formaatVersie":1,"agenda":{"naam":"","gemeenten":[],"periodeStartDatum":"2025-01-01","periodeEindDatum":"2025-12-31"}}"#).unwrap();
    let (ok, _, err) = cli(&["import", bad.to_str().unwrap(), "--data-dir", data_dir]);
    assert!(!ok);
    assert!(
        err.contains("3 problemen") && err.contains("agenda.gemeenten"),
        "{err}"
    );

    let app = spawn_with(true, None);
    let agenda = app
        .state
        .service
        .model()
        .agendas
        .keys()
        .next()
        .unwrap()
        .to_string();
    let server = app.base.trim_end_matches("/v1").to_owned();
    let token = app.beheerder.as_str();
    let (ok, out, err) = cli(&["import", demo, "--server", &server, "--token", token]);
    assert!(ok, "{err}");
    let created: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(created["acties"], 79);
    let (ok, out, _) = cli(&["import", demo, "--server", &server, "--token", token]);
    assert!(ok);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["herhaald"],
        true
    );

    let today = mag_tracker::kalender::today().to_string();
    let (ok, out, err) = cli(&[
        "nieuwsbrief",
        "--server",
        &server,
        "--agenda",
        &agenda,
        "--sinds",
        &today,
    ]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("# Voortgang Maatschappelijke Agenda Twenterand 2024"),
        "{out}"
    );
    // 274 events of the two imports plus the test's two default tokens
    assert!(err.contains("--sinds-positie 276"), "{err}");
}
