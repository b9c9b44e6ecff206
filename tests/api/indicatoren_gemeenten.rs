//! Indicatoren of a shared nota (made up, for three gemeenten): a value per
//! gemeente for the same period, side by side; a streefwaarde for the whole
//! period judged in every year; "nog te vullen" without tripping a view; a
//! missed year that stays visible with its year; time travel; the agenda
//! file (JSON and CSV) carrying all of it, export → import unchanged.
//! Every request carries its token explicitly.

use chrono::Datelike;
use mag_tracker::access::Rol;
use serde_json::{json, Value};

use crate::support::{plain_agent, rebuilt, request, Reply, TestApp};

const GEMEENTEN: [&str; 3] = ["Gemeente Noord", "Gemeente Midden", "Gemeente Zuid"];

/// The nota as an agenda file: one opgave, one doel, no indicatoren yet.
fn nota(indicatoren: Value) -> Value {
    json!({
        "formaat": "mag-tracker/agenda", "formaatVersie": 1,
        "organisaties": [{"naam": "GGD Regio (voorbeeld)", "soort": "zorg"}],
        "agenda": {
            "naam": "Gedeelde nota (voorbeeld, verzonnen)",
            "gemeenten": GEMEENTEN,
            "periodeStartDatum": "2024-01-01", "periodeEindDatum": "2027-12-31",
            "status": "vastgesteld",
            "opgaven": [{"code": "1", "titel": "Bestaanszekerheid",
                "doelen": [{"code": "1.1", "titel": "Minder armoede", "indicatoren": indicatoren}]}]
        }
    })
}

fn call(app: &TestApp, token: &str, method: &str, path: &str, body: Option<&Value>) -> Reply {
    let text = body.map(Value::to_string);
    request(app, method, path, Some(token), &[], text.as_deref())
}

/// Imports `file` (JSON) as beheerder; returns the agenda id and a
/// programmamanager token for it.
fn load(app: &TestApp, file: &Value) -> (String, String) {
    let r = call(app, &app.beheerder, "POST", "/agenda-imports", Some(file));
    assert_eq!(r.status, 201, "{}", r.body);
    let agenda = r.body["agendaId"].as_str().unwrap().to_owned();
    let pm = app.token(
        Rol::Programmamanager,
        "Gemeente Twenterand",
        vec![agenda.parse().unwrap()],
    );
    (agenda, pm)
}

fn first(r: &Reply) -> String {
    r.body["resultaten"][0]["id"].as_str().unwrap().to_owned()
}

/// The doel and opgave of the nota.
fn doel(app: &TestApp, pm: &str, agenda: &str) -> (String, String) {
    let o = first(&call(
        app,
        pm,
        "GET",
        &format!("/agendas/{agenda}/opgaven"),
        None,
    ));
    let d = first(&call(app, pm, "GET", &format!("/opgaven/{o}/doelen"), None));
    (o, d)
}

fn meting(app: &TestApp, pm: &str, id: &str, body: Value) -> Reply {
    let r = call(
        app,
        pm,
        "POST",
        &format!("/indicatoren/{id}/metingen"),
        Some(&body),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r
}

/// (gemeente, waarde, koers) per gemeente of an indicator view.
fn side_by_side(ind: &Value) -> Vec<(String, f64, String)> {
    ind["perGemeente"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["gemeente"].as_str().unwrap_or("hele gebied").to_owned(),
                g["koers"]["waarde"].as_f64().unwrap_or(f64::NAN),
                g["koers"]["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn redenen(pdca: &Value) -> Vec<String> {
    pdca["redenen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect()
}

/// The shared nota with indicator 'Bereik' (hoger is beter, 50 for the whole
/// period) and 2025 values for each gemeente: Noord 40 then 45 (off track),
/// Midden 55, Zuid 60.
fn bereik(app: &TestApp) -> (String, String, String, String) {
    let (agenda, pm) = load(app, &nota(json!([])));
    let (o, d) = doel(app, &pm, &agenda);
    let r = call(
        app,
        &pm,
        "POST",
        &format!("/doelen/{d}/indicatoren"),
        Some(
            &json!({"naam": "Bereik", "eenheid": "%", "richting": "hogerIsBeter",
            "streefwaarden": [{"waarde": 50}]}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    for (g, w) in [
        ("Gemeente Noord", 40),
        ("Gemeente Midden", 55),
        ("Gemeente Zuid", 60),
        ("Gemeente Noord", 45),
    ] {
        meting(
            app,
            &pm,
            &id,
            json!({"periode": "2025", "waarde": w, "status": "definitief", "gemeente": g}),
        );
    }
    (pm, o, id, agenda)
}

#[test]
fn a_shared_nota_shows_each_gemeentes_value_for_the_same_period_side_by_side() {
    let app = crate::support::spawn();
    let (pm, o, id, agenda) = bereik(&app);

    let ind = call(
        &app,
        &pm,
        "GET",
        &format!("/indicatoren/{id}?jaar=2025"),
        None,
    )
    .body;
    assert_eq!(
        side_by_side(&ind),
        [
            ("Gemeente Midden".into(), 55.0, "opKoers".into()),
            ("Gemeente Noord".into(), 45.0, "nietOpKoers".into()),
            ("Gemeente Zuid".into(), 60.0, "opKoers".into()),
        ]
    );
    assert_eq!(
        ind["koers"]["status"], "nietOpKoers",
        "off track for one is off track"
    );
    assert_eq!(
        ind["perGemeente"][1]["koers"]["uitleg"],
        "niet op koers: 45 % tegen streefwaarde 50 voor de hele periode, in 2025 (hoger is beter)."
    );

    // The later meting for Noord superseded only Noord's.
    let list = call(
        &app,
        &pm,
        "GET",
        &format!("/indicatoren/{id}/metingen"),
        None,
    )
    .body;
    let mut metingen: Vec<(String, f64, bool)> = list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["gemeente"].as_str().unwrap().to_owned(),
                m["waarde"].as_f64().unwrap(),
                m["vervangen"].as_bool().unwrap(),
            )
        })
        .collect();
    metingen.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(
        metingen,
        [
            ("Gemeente Midden".into(), 55.0, false),
            ("Gemeente Noord".into(), 40.0, true),
            ("Gemeente Noord".into(), 45.0, false),
            ("Gemeente Zuid".into(), 60.0, false),
        ]
    );

    // One gemeente: only its values count (any spelling of its name).
    let zuid = call(
        &app,
        &pm,
        "GET",
        &format!("/indicatoren/{id}?jaar=2025&gemeente=gemeente%20zuid"),
        None,
    )
    .body;
    assert_eq!(
        (
            zuid["gemeente"].as_str(),
            zuid["koers"]["status"].as_str(),
            zuid["laatsteMeting"]["waarde"].as_f64()
        ),
        (Some("Gemeente Zuid"), Some("opKoers"), Some(60.0))
    );
    let alleen = call(
        &app,
        &pm,
        "GET",
        &format!("/indicatoren/{id}/metingen?gemeente=Gemeente%20Noord"),
        None,
    )
    .body;
    assert_eq!(alleen["totaal"], 2);
    let (_, d) = doel(&app, &pm, &agenda);
    let van_doel = call(
        &app,
        &pm,
        "GET",
        &format!("/doelen/{d}/indicatoren?jaar=2025&gemeente=Gemeente%20Midden"),
        None,
    )
    .body;
    assert_eq!(van_doel["resultaten"][0]["koers"]["waarde"], 55.0);

    // The PDCA state names the gemeente that is off track.
    let pdca = call(
        &app,
        &pm,
        "GET",
        &format!("/opgaven/{o}/pdca?jaar=2025"),
        None,
    )
    .body;
    assert_eq!(pdca["indicatoren"][0]["koers"], "nietOpKoers");
    assert_eq!(
        pdca["indicatoren"][0]["perGemeente"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let r = redenen(&pdca);
    assert!(
        r.contains(
            &"Indicator 'Bereik' niet op koers in Gemeente Noord: 45 tegen streefwaarde 50 voor 2025."
                .into()
        ),
        "{r:?}"
    );
    assert!(!r.iter().any(|x| x.contains("Gemeente Zuid")), "{r:?}");

    // The voortgang (nieuwsbrief) says which gemeente a meting is for.
    let voortgang = call(
        &app,
        &pm,
        "GET",
        &format!("/agendas/{agenda}/voortgang?sindsPositie=1"),
        None,
    )
    .body;
    let metingen = voortgang["opgaven"][0]["metingen"].as_array().unwrap();
    assert_eq!(metingen.len(), 4, "{voortgang}");
    assert!(
        metingen.iter().all(|m| m["gemeente"].is_string()),
        "{metingen:?}"
    );
    let md = {
        let mut r = plain_agent()
            .get(format!(
                "{}/agendas/{agenda}/voortgang?sindsPositie=1",
                app.base
            ))
            .header("Authorization", format!("Bearer {pm}"))
            .header("Accept", "text/markdown")
            .call()
            .unwrap();
        r.body_mut().read_to_string().unwrap()
    };
    assert!(
        md.contains("over 2025 voor Gemeente Zuid (definitief); streefwaarde 50; op koers"),
        "{md}"
    );

    // One gemeente's PDCA state, overzicht and voortgang: only its values count.
    let zuid = call(
        &app,
        &pm,
        "GET",
        &format!("/opgaven/{o}/pdca?jaar=2025&gemeente=Gemeente%20Zuid"),
        None,
    )
    .body;
    assert_eq!(zuid["indicatoren"][0]["koers"], "opKoers", "{zuid}");
    assert_eq!(zuid["indicatoren"][0]["waarde"], 60.0);
    assert!(
        !redenen(&zuid).iter().any(|r| r.contains("Indicator")),
        "{zuid}"
    );
    let overzicht = call(
        &app,
        &pm,
        "GET",
        &format!("/agendas/{agenda}/overzicht?jaar=2025&gemeente=gemeente%20noord"),
        None,
    )
    .body;
    let noord = &overzicht["groepen"][0]["opgaven"][0]["indicatoren"][0];
    assert_eq!(
        (noord["koers"].clone(), noord["waarde"].clone()),
        (json!("nietOpKoers"), json!(45.0))
    );
    let voortgang = call(
        &app,
        &pm,
        "GET",
        &format!("/agendas/{agenda}/voortgang?sindsPositie=1&gemeente=Gemeente%20Zuid"),
        None,
    )
    .body;
    let metingen = voortgang["opgaven"][0]["metingen"].as_array().unwrap();
    assert_eq!(metingen.len(), 1, "{voortgang}");
    assert_eq!(metingen[0]["gemeente"], "Gemeente Zuid");

    // The same after a restart (rebuilt from the log).
    let again = rebuilt(&app);
    for path in [
        format!("/indicatoren/{id}?jaar=2025"),
        format!("/indicatoren/{id}/metingen"),
        format!("/opgaven/{o}/pdca?jaar=2025"),
    ] {
        assert_eq!(
            call(&app, &pm, "GET", &path, None).body,
            call(&again, &pm, "GET", &path, None).body,
            "GET {path} after a restart"
        );
    }
}

#[test]
fn a_gemeente_outside_the_agenda_is_refused_and_changes_nothing() {
    let app = crate::support::spawn();
    let (pm, _, id, _) = bereik(&app);
    let head = app.head();
    let r = call(
        &app,
        &pm,
        "POST",
        &format!("/indicatoren/{id}/metingen"),
        Some(
            &json!({"periode": "2025", "waarde": 1, "status": "voorlopig", "gemeente": "Gemeente West"}),
        ),
    );
    assert_eq!(
        (r.status, r.body["invalidParams"][0]["name"].as_str()),
        (400, Some("body.gemeente"))
    );
    assert_eq!(r.body["invalidParams"][0]["code"], "unknown-gemeente");
    assert_eq!(
        r.body["invalidParams"][0]["reason"],
        "'Gemeente West' is geen gemeente van deze agenda; kies uit Gemeente Noord, Gemeente Midden, Gemeente Zuid."
    );
    assert_eq!(app.head(), head, "nothing appended");
    let r = call(
        &app,
        &pm,
        "GET",
        &format!("/indicatoren/{id}?gemeente=Gemeente%20West"),
        None,
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(r.body["invalidParams"][0]["name"], "query.gemeente");
    assert!(r.body["invalidParams"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("Gemeente Midden"));
}

#[test]
fn a_streefwaarde_for_the_whole_period_is_judged_in_every_year_and_a_years_own_wins() {
    let app = crate::support::spawn();
    let (pm, _, id, _) = bereik(&app);
    // Zuid's 2024 value misses the whole period's 50.
    meting(
        &app,
        &pm,
        &id,
        json!({"periode": "2024-Q4", "waarde": 48, "status": "definitief", "gemeente": "Gemeente Zuid"}),
    );
    let judged = |jaar: i32| {
        let zuid = call(
            &app,
            &pm,
            "GET",
            &format!("/indicatoren/{id}?jaar={jaar}&gemeente=Gemeente%20Zuid"),
            None,
        )
        .body;
        (
            zuid["koers"]["status"].as_str().unwrap().to_owned(),
            zuid["koers"]["streefwaarde"]["waarde"].as_f64(),
            zuid["koers"]["streefwaarde"]["jaar"].clone(),
        )
    };
    assert_eq!(
        judged(2024),
        ("nietOpKoers".into(), Some(50.0), Value::Null)
    );
    assert_eq!(judged(2025), ("opKoers".into(), Some(50.0), Value::Null));
    // 2025 gets its own, stricter streefwaarde: it wins over the whole period's.
    let etag = call(&app, &pm, "GET", &format!("/indicatoren/{id}"), None)
        .header("etag")
        .unwrap()
        .to_owned();
    let r = request(
        &app,
        "PATCH",
        &format!("/indicatoren/{id}"),
        Some(&pm),
        &[("If-Match", &etag)],
        Some(&json!({"streefwaarden": [{"jaar": 2025, "waarde": 65}]}).to_string()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["streefwaarden"],
        json!([{"jaar": null, "waarde": 50.0}, {"jaar": 2025, "waarde": 65.0}])
    );
    assert_eq!(
        judged(2025),
        ("nietOpKoers".into(), Some(65.0), json!(2025))
    );
    assert_eq!(
        judged(2024).1,
        Some(50.0),
        "other years keep the whole period's"
    );
}

#[test]
fn an_indicator_without_streefwaarde_shows_nog_te_vullen_and_trips_no_view() {
    let app = crate::support::spawn();
    let (agenda, pm) = load(&app, &nota(json!([])));
    let (o, d) = doel(&app, &pm, &agenda);
    let r = call(
        &app,
        &pm,
        "POST",
        &format!("/doelen/{d}/indicatoren"),
        Some(&json!({"naam": "Eenzaamheid", "eenheid": "%", "richting": "lagerIsBeter"})),
    );
    let id = r.body["id"].as_str().unwrap().to_owned();
    meting(
        &app,
        &pm,
        &id,
        json!({"periode": "2025", "waarde": 30, "status": "definitief", "gemeente": "Gemeente Midden"}),
    );
    let ind = call(
        &app,
        &pm,
        "GET",
        &format!("/indicatoren/{id}?jaar=2025"),
        None,
    )
    .body;
    assert_eq!(ind["koers"]["status"], "onbekend");
    assert_eq!(ind["koers"]["nogTeVullen"], true);
    assert_eq!(
        ind["perGemeente"][0]["koers"]["uitleg"],
        "Nog geen streefwaarde (nog te vullen)."
    );
    for jaar in ["", "?jaar=2025", "?jaar=2026"] {
        let pdca = call(&app, &pm, "GET", &format!("/opgaven/{o}/pdca{jaar}"), None);
        assert_eq!(pdca.status, 200);
        let i = &pdca.body["indicatoren"][0];
        assert_eq!(
            (i["koers"].clone(), i["nogTeVullen"].clone()),
            (Value::Null, json!(true))
        );
        let r = redenen(&pdca.body);
        assert!(
            r.contains(
                &"Indicator 'Eenzaamheid' heeft nog geen streefwaarde (nog te vullen).".into()
            ),
            "{r:?}"
        );
        assert!(!r.iter().any(|x| x.contains("niet op koers")), "{r:?}");
    }
    let overzicht = call(
        &app,
        &pm,
        "GET",
        &format!("/agendas/{agenda}/overzicht"),
        None,
    );
    assert_eq!(overzicht.status, 200);
    assert_eq!(
        overzicht.body["groepen"][0]["opgaven"][0]["indicatoren"][0]["nogTeVullen"],
        true
    );
}

#[test]
fn a_target_missed_in_2025_stays_off_track_with_its_year_when_read_later() {
    let app = crate::support::spawn();
    let (pm, o, id, agenda) = bereik(&app);
    // The agenda runs 2024–2027; the default year is this year within it.
    let peiljaar = chrono::Utc::now().year().clamp(2024, 2027);
    assert!(peiljaar > 2025, "this test reads the nota after 2025");

    let ind = call(&app, &pm, "GET", &format!("/indicatoren/{id}"), None).body;
    assert_eq!(ind["koers"]["jaar"], peiljaar);
    let noord = &ind["perGemeente"][1];
    assert_eq!(noord["gemeente"], "Gemeente Noord");
    assert_eq!(
        noord["koers"]["vorigJaar"],
        json!({"jaar": 2025, "koers": "nietOpKoers", "waarde": 45.0, "streefwaarde": 50.0,
            "ondergrens": null, "bovengrens": null, "gemeente": "Gemeente Noord"})
    );
    assert_eq!(ind["koers"]["vorigJaar"]["jaar"], 2025);
    assert_eq!(
        ind["perGemeente"][2]["koers"]["vorigJaar"],
        Value::Null,
        "Zuid met 2025"
    );

    let pdca = call(&app, &pm, "GET", &format!("/opgaven/{o}/pdca"), None).body;
    assert_eq!(pdca["peiljaar"], peiljaar);
    assert!(redenen(&pdca).contains(
        &"Indicator 'Bereik' was in 2025 niet op koers in Gemeente Noord: 45 tegen streefwaarde 50."
            .into()
    ));
    let overzicht = call(
        &app,
        &pm,
        "GET",
        &format!("/agendas/{agenda}/overzicht"),
        None,
    )
    .body;
    let signaal = &overzicht["groepen"][0]["opgaven"][0]["indicatoren"][0];
    assert_eq!(signaal["vorigJaar"]["jaar"], 2025);
    assert_eq!(signaal["vorigJaar"]["gemeente"], "Gemeente Noord");

    // Asked for 2025 itself: off track in that year.
    let in_2025 = call(
        &app,
        &pm,
        "GET",
        &format!("/opgaven/{o}/pdca?jaar=2025"),
        None,
    )
    .body;
    assert_eq!(in_2025["peiljaar"], 2025);
    assert_eq!(in_2025["indicatoren"][0]["koers"], "nietOpKoers");
    let ind = call(
        &app,
        &pm,
        "GET",
        &format!("/indicatoren/{id}?jaar=2025"),
        None,
    )
    .body;
    assert_eq!(
        (ind["koers"]["jaar"].clone(), ind["koers"]["status"].clone()),
        (json!(2025), json!("nietOpKoers"))
    );
}

#[test]
fn time_travel_to_before_a_meting_shows_the_values_of_then() {
    let app = crate::support::spawn();
    let (pm, _, id, _) = bereik(&app);
    let before = app.head();
    meting(
        &app,
        &pm,
        &id,
        json!({"periode": "2025", "waarde": 58, "status": "definitief", "gemeente": "Gemeente Noord"}),
    );
    let now = call(
        &app,
        &pm,
        "GET",
        &format!("/indicatoren/{id}?jaar=2025"),
        None,
    )
    .body;
    assert_eq!(
        side_by_side(&now)[1],
        ("Gemeente Noord".into(), 58.0, "opKoers".into())
    );
    let then = call(
        &app,
        &pm,
        "GET",
        &format!("/indicatoren/{id}?jaar=2025&positie={before}"),
        None,
    )
    .body;
    assert_eq!(
        side_by_side(&then)[1],
        ("Gemeente Noord".into(), 45.0, "nietOpKoers".into())
    );
    let list = call(
        &app,
        &pm,
        "GET",
        &format!("/indicatoren/{id}/metingen?gemeente=Gemeente%20Noord&positie={before}"),
        None,
    )
    .body;
    assert_eq!(list["totaal"], 2, "the 58 was not recorded yet");
}

/// A GET of text with the token.
fn text(app: &TestApp, token: &str, path: &str) -> String {
    let mut r = plain_agent()
        .get(format!("{}{path}", app.base))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "GET {path}");
    r.body_mut().read_to_string().unwrap()
}

/// POSTs an import of `body` with `content_type`; the status and answer.
fn import(app: &TestApp, query: &str, content_type: &str, body: &str) -> (u16, Value) {
    let mut r = plain_agent()
        .post(format!("{}/agenda-imports{query}", app.base))
        .header("Authorization", format!("Bearer {}", app.beheerder))
        .header("Content-Type", content_type)
        .send(body)
        .unwrap();
    let status = r.status().as_u16();
    (status, r.body_mut().read_json().unwrap())
}

/// The indicatoren of the first doel of an exported agenda file.
fn exported_indicatoren(app: &TestApp, pm: &str, agenda: &str) -> Value {
    let file: Value = serde_json::from_str(&text(
        app,
        pm,
        &format!("/agendas/{agenda}/export?formaat=json"),
    ))
    .unwrap();
    file["agenda"]["opgaven"][0]["doelen"][0]["indicatoren"].clone()
}

#[test]
fn an_agenda_file_with_indicatoren_loads_and_export_import_keeps_them() {
    let app = crate::support::spawn();
    let indicatoren = json!([{
        "naam": "Huishoudens met betalingsachterstand", "eenheid": "%",
        "richting": "lagerIsBeter", "bron": "Monitor (voorbeeld)", "eigenaar": "GGD Regio (voorbeeld)",
        "nulmeting": {"waarde": 12.0},
        "streefwaarden": [{"waarde": 10.0}, {"jaar": 2027, "waarde": 8.0}],
        "metingen": [
            {"periode": "2025", "waarde": 11.0, "status": "definitief", "gemeente": "Gemeente Noord"},
            {"periode": "2025", "waarde": 9.5, "status": "definitief", "gemeente": "Gemeente Zuid",
             "meetDatum": "2025-12-01", "bron": "CBS", "toelichting": "Eerste meting", "doorOrganisatie": "GGD Regio (voorbeeld)"},
            {"periode": "2026-Q1", "waarde": 10.5, "status": "voorlopig"}
        ]
    }, {"naam": "Eenzaamheid", "eenheid": "%", "richting": "binnenBandbreedte", "streefwaarden": [], "metingen": []}]);
    let (agenda, pm) = load(&app, &nota(indicatoren.clone()));
    let (_, d) = doel(&app, &pm, &agenda);
    let list = call(
        &app,
        &pm,
        "GET",
        &format!("/doelen/{d}/indicatoren?jaar=2025"),
        None,
    )
    .body;
    assert_eq!(list["totaal"], 2);
    let schuld = &list["resultaten"][1];
    assert_eq!(schuld["naam"], "Huishoudens met betalingsachterstand");
    assert_eq!(schuld["eigenaarOrganisatieNaam"], "GGD Regio (voorbeeld)");
    assert_eq!(
        side_by_side(schuld)[1..],
        [
            ("Gemeente Noord".into(), 11.0, "nietOpKoers".into()),
            ("Gemeente Zuid".into(), 9.5, "opKoers".into()),
        ]
    );
    assert_eq!(list["resultaten"][0]["koers"]["nogTeVullen"], true);

    // JSON: export → import → export gives the same indicatoren.
    let exported = exported_indicatoren(&app, &pm, &agenda);
    let mut expected = indicatoren.clone();
    // The export lists indicatoren by name.
    expected.as_array_mut().unwrap().reverse();
    assert_eq!(exported, expected);
    let mut file: Value = serde_json::from_str(&text(
        &app,
        &pm,
        &format!("/agendas/{agenda}/export?formaat=json"),
    ))
    .unwrap();
    file["agenda"]["naam"] = json!("Kopie (JSON)");
    let (agenda2, pm2) = load(&app, &file);
    assert_eq!(exported_indicatoren(&app, &pm2, &agenda2), exported);

    // One gemeente's export: its metingen and those for the whole area.
    let zuid: Value = serde_json::from_str(&text(
        &app,
        &pm,
        &format!("/agendas/{agenda}/export?formaat=json&gemeente=Gemeente%20Zuid"),
    ))
    .unwrap();
    let periodes: Vec<(&str, Option<&str>)> = zuid["agenda"]["opgaven"][0]["doelen"][0]
        ["indicatoren"][1]["metingen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["periode"].as_str().unwrap(), m["gemeente"].as_str()))
        .collect();
    assert_eq!(
        periodes,
        [("2025", Some("Gemeente Zuid")), ("2026-Q1", None)]
    );

    // CSV: the export with ?indicatoren=true imports back to the same indicatoren.
    let csv = text(
        &app,
        &pm,
        &format!("/agendas/{agenda}/export?formaat=csv&indicatoren=true"),
    );
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains(";indicatorNaam;indicatorEenheid;"),
        "{csv}"
    );
    assert!(csv.contains(";meting;;2025;9.5;;;definitief;Gemeente Zuid;2025-12-01;CBS;Eerste meting;GGD Regio (voorbeeld)\r\n"), "{csv}");
    let plain = text(&app, &pm, &format!("/agendas/{agenda}/export?formaat=csv"));
    assert!(
        !plain.contains("indicatorNaam"),
        "one row per actie unless asked"
    );
    let q = "?naam=Kopie%20(CSV)&gemeenten=Gemeente%20Noord,Gemeente%20Midden,Gemeente%20Zuid&periodeStartDatum=2024-01-01&periodeEindDatum=2027-12-31";
    let (status, answer) = import(&app, q, "text/csv", &csv);
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["indicatoren"], 2);
    let agenda3 = answer["agendaId"].as_str().unwrap();
    let pm3 = app.token(
        Rol::Programmamanager,
        "Gemeente Twenterand",
        vec![agenda3.parse().unwrap()],
    );
    assert_eq!(exported_indicatoren(&app, &pm3, agenda3), exported);
}

#[test]
fn every_problem_of_the_indicatoren_in_a_file_is_named_by_its_place() {
    let app = crate::support::spawn();
    let head = app.head();
    let file = nota(json!([{
        "naam": "Bereik", "eenheid": "%",
        "streefwaarden": [{"waarde": 50}, {"waarde": 60}],
        "metingen": [
            {"periode": "2025", "waarde": 1, "status": "definitief", "gemeente": "Gemeente West"},
            {"periode": "2025-Q5", "waarde": "veel", "status": "klaar"}
        ]
    }]));
    let (status, problem) = import(&app, "", "application/json", &file.to_string());
    assert_eq!(status, 400, "{problem}");
    let at = "body.agenda.opgaven[0].doelen[0].indicatoren[0]";
    let mut named: Vec<(String, String)> = problem["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    named.sort();
    assert_eq!(
        named,
        [
            (
                format!("{at}.metingen[1].periode"),
                "invalid-period".to_owned()
            ),
            (
                format!("{at}.metingen[1].status"),
                "invalid-value".to_owned()
            ),
            (
                format!("{at}.metingen[1].waarde"),
                "invalid-type".to_owned()
            ),
            (format!("{at}.richting"), "required".to_owned()),
        ]
    );
    // With the shape right, the rules of the domain speak (each with its place).
    let file = nota(json!([{
        "naam": "Bereik", "eenheid": "%", "richting": "hogerIsBeter",
        "streefwaarden": [{"waarde": 50}, {"waarde": 60}],
        "metingen": [
            {"periode": "2025", "waarde": 1, "status": "definitief", "gemeente": "Gemeente West"},
            {"periode": "2025-Q4", "waarde": 2, "status": "voorlopig", "doorOrganisatie": "Onbekende club"}
        ]
    }]));
    let (status, problem) = import(&app, "", "application/json", &file.to_string());
    assert_eq!(status, 400, "{problem}");
    let named: Vec<(&str, &str)> = problem["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["code"].as_str().unwrap()))
        .collect();
    assert!(
        named.contains(&(&format!("{at}.streefwaarden[1].jaar"), "duplicate-year")),
        "{named:?}"
    );
    assert!(
        named.contains(&(&format!("{at}.metingen[0].gemeente"), "unknown-gemeente")),
        "{named:?}"
    );
    assert!(
        named.contains(&(
            &format!("{at}.metingen[1].doorOrganisatie"),
            "unknown-organisatie"
        )),
        "{named:?}"
    );
    assert_eq!(app.head(), head, "nothing created");

    // In a CSV the problem names the row and the column.
    let csv = "opgaveCode;opgaveTitel;doelCode;doelTitel;omschrijving;jaar;indicatorNaam;indicatorEenheid;indicatorRichting;waardeSoort;waardeJaar;metingPeriode;waarde;metingStatus;metingGemeente\r\n\
        1;Bestaanszekerheid;1.1;Minder armoede;Schuldhulp;2025;;;;;;;;;\r\n\
        1;Bestaanszekerheid;1.1;Minder armoede;;;Bereik;%;hogerIsBeter;streefwaarde;;;50;;\r\n\
        1;Bestaanszekerheid;1.1;Minder armoede;;;Bereik;;;meting;;2025;12,5;definitief;Gemeente West\r\n";
    let q = "?naam=Fout&gemeenten=Gemeente%20Noord,Gemeente%20Zuid&periodeStartDatum=2024-01-01&periodeEindDatum=2027-12-31";
    let (status, problem) = import(&app, q, "text/csv", csv);
    assert_eq!(status, 400, "{problem}");
    assert_eq!(
        problem["invalidParams"][0]["name"], "body.rij[4].metingGemeente",
        "{problem}"
    );
    assert_eq!(problem["invalidParams"][0]["code"], "unknown-gemeente");
    // Fixed, it loads: one actie, one indicator with a decimal comma value.
    let fixed = csv.replace("Gemeente West", "gemeente zuid");
    let (status, answer) = import(&app, q, "text/csv", &fixed);
    assert_eq!(
        (
            status,
            answer["acties"].clone(),
            answer["indicatoren"].clone()
        ),
        (201, json!(1), json!(1)),
        "{answer}"
    );
    let agenda = answer["agendaId"].as_str().unwrap();
    let pm = app.token(
        Rol::Programmamanager,
        "Gemeente Twenterand",
        vec![agenda.parse().unwrap()],
    );
    let ind = &exported_indicatoren(&app, &pm, agenda)[0];
    assert_eq!(
        ind["metingen"][0],
        json!({"periode": "2025", "waarde": 12.5, "status": "definitief", "gemeente": "Gemeente Zuid"})
    );
    assert_eq!(ind["streefwaarden"], json!([{"waarde": 50.0}]));
}
