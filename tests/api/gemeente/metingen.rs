//! Metingen in a shared nota: a token scoped to Borne records Borne's
//! values (a meting without `gemeente` is Borne's), reads them back in the
//! indicator's views beside the other gemeenten, and is refused for another
//! gemeente and for an indicator measured for the whole area.

use serde_json::{json, Value};

use super::{created, get, nota, refused, send};
use crate::support::spawn;

/// A doel under the nota's opgave with an indicator (target 50 for 2025).
fn indicator(app: &crate::support::TestApp, n: &super::Nota, naam: &str) -> String {
    let doel = format!("/opgaven/{}/doelen", n.opgave);
    let doel = created(send(app, "POST", &doel, &n.pm, json!({"titel": naam})));
    let path = format!("/doelen/{}/indicatoren", doel["id"].as_str().unwrap());
    let body = json!({"naam": naam, "eenheid": "%", "richting": "hogerIsBeter",
        "streefwaarden": [{"jaar": 2025, "waarde": 50}]});
    created(send(app, "POST", &path, &n.pm, body))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn meting(
    app: &crate::support::TestApp,
    token: &str,
    id: &str,
    body: Value,
) -> crate::support::Reply {
    send(
        app,
        "POST",
        &format!("/indicatoren/{id}/metingen"),
        token,
        body,
    )
}

fn per_gemeente(ind: &Value) -> Vec<(String, f64)> {
    ind["perGemeente"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["gemeente"].as_str().unwrap_or("hele gebied").to_owned(),
                g["laatsteMeting"]["waarde"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_token_scoped_to_borne_records_bornes_metingen_and_reads_them_back() {
    let app = spawn();
    let n = nota(&app);
    let id = indicator(&app, &n, "Bereik taalcafés");
    // Almelo's value by the programmamanager of the whole agenda.
    let r = meting(
        &app,
        &n.pm,
        &id,
        json!({"periode": "2025", "waarde": 40, "status": "definitief", "gemeente": "Almelo"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    // Borne's token: without a gemeente the value is Borne's.
    let r = meting(
        &app,
        &n.borne,
        &id,
        json!({"periode": "2025", "waarde": 55, "status": "definitief"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["gemeente"], "Borne", "{}", r.body);
    assert_eq!(r.body["waarde"], 55.0);
    // ... and naming Borne in any spelling is the same.
    let r = meting(
        &app,
        &n.borne,
        &id,
        json!({"periode": "2025-Q4", "waarde": 57, "status": "voorlopig", "gemeente": " borne"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["gemeente"], "Borne");

    // Read back: side by side with Almelo, and Borne's own view.
    let ind = get(&app, &format!("/indicatoren/{id}?jaar=2025"), &n.borne);
    assert_eq!(ind.status, 200, "{}", ind.body);
    assert_eq!(
        per_gemeente(&ind.body),
        [("Almelo".to_owned(), 40.0), ("Borne".to_owned(), 57.0)]
    );
    let borne = get(
        &app,
        &format!("/indicatoren/{id}?jaar=2025&gemeente=Borne"),
        &n.borne,
    );
    assert_eq!(
        borne.body["laatsteMeting"]["waarde"], 57.0,
        "{}",
        borne.body
    );
    assert_eq!(borne.body["laatsteMeting"]["gemeente"], "Borne");
    let lijst = get(
        &app,
        &format!("/indicatoren/{id}/metingen?gemeente=Borne"),
        &n.borne,
    );
    let waarden: Vec<f64> = lijst.body["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["waarde"].as_f64().unwrap())
        .collect();
    assert_eq!(waarden, [57.0, 55.0], "newest first: {}", lijst.body);

    // Another gemeente's value is not Borne's to record.
    let p = refused(
        &app,
        || {
            meting(
                &app,
                &n.borne,
                &id,
                json!({"periode": "2025", "waarde": 1, "status": "definitief", "gemeente": "Almelo"}),
            )
        },
        403,
        "gemeente-scope",
    );
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("alleen metingen voor Borne vast, niet voor Almelo"),
        "{p}"
    );
    assert_eq!(p["title"].as_str().map(str::is_empty), Some(false), "{p}");
    // A name that is no gemeente of the agenda: the 400 that lists them.
    let p = refused(
        &app,
        || {
            meting(
                &app,
                &n.borne,
                &id,
                json!({"periode": "2025", "waarde": 1, "status": "definitief", "gemeente": "Enschede"}),
            )
        },
        400,
        "invalid-input",
    );
    assert_eq!(p["invalidParams"][0]["code"], "unknown-gemeente", "{p}");
    assert!(
        p["invalidParams"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("Almelo, Borne, Hengelo"),
        "{p}"
    );
}

#[test]
fn a_token_scoped_to_borne_cannot_record_on_an_indicator_measured_for_the_whole_area() {
    let app = spawn();
    let n = nota(&app);
    let id = indicator(&app, &n, "Inwoners tevreden");
    let r = meting(
        &app,
        &n.pm,
        &id,
        json!({"periode": "2025", "waarde": 48, "status": "definitief"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["gemeente"], Value::Null, "the whole area");
    let p = refused(
        &app,
        || {
            meting(
                &app,
                &n.borne,
                &id,
                json!({"periode": "2025", "waarde": 60, "status": "definitief"}),
            )
        },
        403,
        "gemeente-scope",
    );
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("indicator 'Inwoners tevreden' wordt gemeten voor het hele gebied"),
        "{p}"
    );
    // The indicator still reads as one value for the whole area.
    let ind = get(&app, &format!("/indicatoren/{id}?jaar=2025"), &n.borne);
    assert_eq!(ind.body["perGemeente"], json!([]), "{}", ind.body);
    assert_eq!(ind.body["laatsteMeting"]["waarde"], 48.0);
}
