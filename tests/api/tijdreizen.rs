//! Time travel: every GET accepts `peildatum`, `peiltijdstip` or `positie`.

use serde_json::{json, Value};

use crate::support::{agenda_id, spawn, Caller, TestApp};

/// GET with the response's `X-Positie` and `Link` headers.
fn get_at(caller: Caller, path: &str) -> (u16, Value, Option<u64>, String) {
    let mut r = caller.agent().get(caller.url(path)).call().unwrap();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let positie = header("x-positie").map(|v| v.parse().unwrap());
    let link = header("link").unwrap_or_default();
    (
        r.status().as_u16(),
        r.body_mut().read_json().unwrap(),
        positie,
        link,
    )
}

fn head(app: &TestApp) -> u64 {
    app.als_beheerder().get("/gebeurtenissen?pageSize=1").1["laatstePositie"]
        .as_u64()
        .unwrap()
}

#[test]
fn every_get_answers_the_state_as_recorded_at_a_position_date_or_instant() {
    let app = spawn();
    let a = agenda_id(&app);
    let h0 = head(&app);
    let (_, list) = app.als_pm().get(&format!("/agendas/{a}/acties?pageSize=1"));
    let actie = list["resultaten"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list["resultaten"][0]["status"], "gepland");
    let path = format!("/acties/{actie}/statuswijzigingen");
    assert_eq!(
        app.als_pm()
            .send("POST", &path, &[], r#"{"status":"lopend"}"#)
            .0,
        201
    );
    let (status, _, _) = app.als_beheerder().send(
        "POST",
        "/organisaties",
        &[],
        r#"{"naam":"Bibliotheek Nieuw","soort":"bibliotheek"}"#,
    );
    assert_eq!(status, 201);
    let (_, orgs) = app.als_pm().get("/organisaties?naam=Bibliotheek%20Nieuw");
    let org = orgs["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let h = head(&app);
    assert_eq!(h, h0 + 2);

    // live: the newest state, and X-Positie says which position that is
    let (status, now, positie, _) = get_at(app.als_pm(), &format!("/acties/{actie}"));
    assert_eq!(
        (status, now["status"].as_str(), positie),
        (200, Some("lopend"), Some(h))
    );

    // as of the position before the change
    let (status, then, positie, _) = get_at(app.als_pm(), &format!("/acties/{actie}?positie={h0}"));
    assert_eq!(
        (
            status,
            then["status"].as_str(),
            then["versie"].as_u64(),
            positie
        ),
        (200, Some("gepland"), Some(1), Some(h0))
    );
    // collections travel too, and their Link headers keep the peil
    let (status, page, positie, link) = get_at(
        app.als_pm(),
        &format!("/agendas/{a}/acties?status=lopend&positie={h0}&pageSize=5"),
    );
    assert_eq!(
        (status, page["totaal"].as_u64(), positie),
        (200, Some(0), Some(h0))
    );
    assert!(link.contains(&format!("positie={h0}")), "{link}");
    let (_, page, _, _) = get_at(app.als_pm(), &format!("/agendas/{a}/acties?status=lopend"));
    assert_eq!(page["totaal"], 1);

    // a resource that did not exist yet is a 404 that says so
    let (status, problem, _, _) =
        get_at(app.als_pm(), &format!("/organisaties/{org}?positie={h0}"));
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("not-yet-existing"))
    );
    assert!(problem["detail"].as_str().unwrap().contains("nog niet"));
    assert_eq!(
        get_at(app.als_pm(), &format!("/organisaties/{org}?positie={h}")).0,
        200
    );
    // an id that never existed is an ordinary 404
    let (status, problem, _, _) = get_at(
        app.als_pm(),
        &format!("/acties/{}?positie={h0}", uuid::Uuid::now_v7()),
    );
    assert_eq!((status, problem["code"].as_str()), (404, Some("not-found")));

    // peildatum: end of that day in Amsterdam; long ago nothing existed yet
    let (status, problem, _, _) =
        get_at(app.als_pm(), &format!("/agendas/{a}?peildatum=2000-01-01"));
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("not-yet-existing"))
    );
    let (status, page, positie, _) = get_at(app.als_pm(), "/agendas?peildatum=2000-01-01");
    assert_eq!(
        (status, page["totaal"].as_u64(), positie),
        (200, Some(0), Some(0))
    );
    let today = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
    let (status, now, positie, _) =
        get_at(app.als_pm(), &format!("/acties/{actie}?peildatum={today}"));
    assert_eq!(
        (status, now["status"].as_str(), positie),
        (200, Some("lopend"), Some(h))
    );

    // peiltijdstip: the instant the change was recorded includes it
    let (_, feed) = app
        .als_beheerder()
        .get(&format!("/gebeurtenissen?na={h0}&pageSize=1"));
    let at = feed["gebeurtenissen"][0]["registratieTijdstip"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, then, positie, _) =
        get_at(app.als_pm(), &format!("/acties/{actie}?peiltijdstip={at}"));
    assert_eq!(then["status"], "lopend", "{then}");
    assert_eq!((status, positie), (200, Some(h0 + 1)));
    // an unencoded '+' offset (arrives as a space) is understood too
    let plus = at.replace('Z', "+00:00");
    let (status, _, positie, _) = get_at(
        app.als_pm(),
        &format!("/acties/{actie}?peiltijdstip={plus}"),
    );
    assert_eq!((status, positie), (200, Some(h0 + 1)), "{plus}");

    // every time-travel GET of the agenda structure works
    let (_, opgaven) = app
        .als_pm()
        .get(&format!("/agendas/{a}/opgaven?pageSize=1"));
    let opgave = opgaven["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let (_, doelen) = app
        .als_pm()
        .get(&format!("/opgaven/{opgave}/doelen?pageSize=1"));
    let doel = doelen["resultaten"][0]["id"].as_str().unwrap().to_owned();
    for p in [
        format!("/opgaven/{opgave}/pdca"),
        format!("/agendas/{a}/overzicht"),
        format!("/agendas/{a}/checkmomenten"),
        format!("/opgaven/{opgave}/checkmomenten"),
        "/reflecties".to_owned(),
        format!("/doelen/{doel}/indicatoren"),
        format!("/doelen/{doel}/acties"),
        format!("/doelen/{doel}"),
        "/agendas".to_owned(),
        format!("/agendas/{a}"),
        format!("/agendas/{a}/opgaven"),
        format!("/agendas/{a}/groeperingen"),
        format!("/opgaven/{opgave}"),
        format!("/opgaven/{opgave}/doelen"),
        "/organisaties".to_owned(),
        format!("/acties/{actie}/statuswijzigingen"),
        format!("/acties/{actie}/voortgangsberichten"),
    ] {
        let sep = if p.contains('?') { '&' } else { '?' };
        let (status, _, positie, _) = get_at(app.als_pm(), &format!("{p}{sep}positie={h0}"));
        assert_eq!((status, positie), (200, Some(h0)), "{p}");
    }
    // the PDCA state and the overzicht before the agenda existed
    let (status, problem, _, _) =
        get_at(app.als_pm(), &format!("/agendas/{a}/overzicht?positie=0"));
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("not-yet-existing"))
    );
    let (status, problem, _, _) = get_at(
        app.als_pm(),
        &format!("/opgaven/{opgave}/pdca?peildatum=2000-01-01"),
    );
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("not-yet-existing"))
    );
    let (_, history, _, _) = get_at(
        app.als_pm(),
        &format!("/acties/{actie}/statuswijzigingen?positie={h0}"),
    );
    assert_eq!(history["totaal"], 0);

    // bad values: 400 with every problem, nothing appended
    for (query, name, code) in [
        ("peildatum=2024-13-01", "query.peildatum", "invalid-date"),
        (
            "peiltijdstip=gisteren",
            "query.peiltijdstip",
            "invalid-date-time",
        ),
        ("positie=abc", "query.positie", "invalid-position"),
        ("positie=999999", "query.positie", "beyond-head"),
    ] {
        let (status, problem, _, _) = get_at(app.als_pm(), &format!("/acties/{actie}?{query}"));
        assert_eq!(status, 400, "{query}");
        assert_eq!(problem["invalidParams"][0]["name"], name, "{query}");
        assert_eq!(problem["invalidParams"][0]["code"], code, "{query}");
    }
    let (status, problem, _, _) = get_at(
        app.als_pm(),
        &format!("/acties/{actie}?positie=3&peildatum=2024-01-01"),
    );
    assert_eq!(
        (status, problem["invalidParams"].as_array().unwrap().len()),
        (400, 2)
    );
    // a GET that cannot travel in time says so instead of answering the present
    let (status, problem, _, _) = get_at(app.als_beheerder(), "/gebeurtenissen?positie=3");
    assert_eq!(
        (status, problem["invalidParams"][0]["code"].as_str()),
        (400, Some("not-supported"))
    );
    assert_eq!(head(&app), h);
}

/// The PDCA state of one opgave as of a position takes its own path (only
/// the streams that opgave depends on, see `history::AsOf::opgave_model_at`);
/// the agenda's overzicht as of the same position takes the whole-model
/// path. After a doel moves between opgaven, a bijsturing of an agenda-wide
/// checkmoment is decided and carried out, and a new opgave appears, both
/// must agree at every position in between.
#[test]
fn the_pdca_state_as_of_a_position_equals_that_opgave_in_the_overzicht_then() {
    let app = spawn();
    let a = agenda_id(&app);
    let o1 = crate::support::opgave(&app, "1.1");
    let o2 = crate::support::opgave(&app, "2.1");
    let h0 = head(&app);

    let (status, _, cm) = app.als_pm().send(
        "POST",
        &format!("/agendas/{a}/checkmomenten"),
        &[],
        r#"{"datum": "2024-06-01", "onderwerp": "Halfjaar"}"#,
    );
    assert_eq!(status, 201, "{cm}");
    let cm = cm["id"].as_str().unwrap().to_owned();
    let (_, doelen) = app.als_pm().get(&format!("/opgaven/{o1}/doelen"));
    let doel = &doelen["resultaten"][0];
    let d = doel["id"].as_str().unwrap().to_owned();
    let (_, acties) = app.als_pm().get(&format!("/agendas/{a}/acties?opgave=1.1"));
    let actie = acties["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let (status, _, body) = app.als_pm().send(
        "POST",
        &format!("/checkmomenten/{cm}/bijsturingen"),
        &[],
        &json!({"besluit": "Doel verplaatsen", "onderbouwing": "Past beter.", "datum": "2024-06-01",
            "voorgenomenWijzigingen": [{"soort": "doelWijzigen", "omschrijving": "Naar 2.1", "onderwerpId": d}]})
        .to_string(),
    );
    assert_eq!(status, 201, "{body}");
    let bs = body["id"].as_str().unwrap().to_owned();
    let (status, _, body) = app.als_pm().send(
        "PATCH",
        &format!("/doelen/{d}"),
        &[
            ("If-Match", &format!("\"{}\"", doel["versie"])),
            ("X-Bijsturing-Id", &bs),
        ],
        &json!({"opgaveId": o2, "code": "2.1.9"}).to_string(),
    );
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = app.als_pm().send(
        "POST",
        &format!("/acties/{actie}/statuswijzigingen"),
        &[],
        r#"{"status":"lopend"}"#,
    );
    assert_eq!(status, 201, "{body}");
    let (status, _, o3) = app.als_pm().send(
        "POST",
        &format!("/agendas/{a}/opgaven"),
        &[],
        r#"{"code": "9.9", "titel": "Nieuwe opgave"}"#,
    );
    assert_eq!(status, 201, "{o3}");
    let o3 = o3["id"].as_str().unwrap().to_owned();
    let h = head(&app);
    assert!(h >= h0 + 5);

    let mut compared = 0;
    for p in h0 - 1..=h {
        let (status, overzicht, positie, _) =
            get_at(app.als_pm(), &format!("/agendas/{a}/overzicht?positie={p}"));
        assert_eq!((status, positie), (200, Some(p)));
        let mut ids = Vec::new();
        for groep in overzicht["groepen"].as_array().unwrap() {
            for entry in groep["opgaven"].as_array().unwrap() {
                let id = entry["opgaveId"].as_str().unwrap();
                ids.push(id.to_owned());
                let (status, pdca, positie, _) =
                    get_at(app.als_pm(), &format!("/opgaven/{id}/pdca?positie={p}"));
                assert_eq!((status, positie), (200, Some(p)));
                assert_eq!(&pdca, entry, "opgave {id} at position {p}");
                compared += 1;
            }
        }
        assert!(ids.contains(&o1) && ids.contains(&o2));
        if !ids.contains(&o3) {
            let (status, problem, _, _) =
                get_at(app.als_pm(), &format!("/opgaven/{o3}/pdca?positie={p}"));
            assert_eq!(
                (status, problem["code"].as_str()),
                (404, Some("not-yet-existing"))
            );
        }
    }
    assert!(compared >= 18 * 6, "{compared}");
    // what moved: 2.1 has the doel's acties now, not before
    let count = |p: u64| {
        get_at(app.als_pm(), &format!("/opgaven/{o2}/pdca?positie={p}")).1["aantalActies"].clone()
    };
    assert_ne!(count(h0), count(h));
    // a peildatum resolves to a position and takes the same path
    let (status, problem, positie, _) = get_at(
        app.als_pm(),
        &format!("/opgaven/{o1}/pdca?peildatum=2000-01-01"),
    );
    assert_eq!(
        (status, problem["code"].as_str(), positie),
        (404, Some("not-yet-existing"), Some(0))
    );
    let (status, pdca, positie, _) = get_at(
        app.als_pm(),
        &format!("/opgaven/{o1}/pdca?peildatum=2200-12-31"),
    );
    assert_eq!((status, positie), (200, Some(h)));
    assert_eq!(pdca["opgaveId"], o1.as_str());
    let unknown = uuid_like(&o3);
    let (status, problem, positie, _) = get_at(
        app.als_pm(),
        &format!("/opgaven/{unknown}/pdca?positie={h0}"),
    );
    assert_eq!(
        (status, problem["code"].as_str(), positie),
        (404, Some("not-found"), Some(h0))
    );
}

/// An id of the same shape that names nothing.
fn uuid_like(id: &str) -> String {
    format!("{}000000000000", &id[..id.len() - 12])
}
