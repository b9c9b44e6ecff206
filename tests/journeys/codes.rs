//! A programme manager loads a nota whose opgaven have no codes and whose
//! doelen are numbered 1, 2, … within each opgave (`mag-tracker import`),
//! serves it, removes a code, and after a restart (read-model snapshot and
//! log) reads the same weergavecodes, and the old ones as of before.

use serde_json::{json, Value};

use super::support::{cli_ok, token_create_ok, Server};

fn nota() -> Value {
    let doelen = |opgave: &str| {
        json!([
            {"code": "1", "titel": format!("Eerste doel van {opgave}"),
             "subdoelen": [{"titel": format!("Resultaat van {opgave}")}]},
            {"code": "2", "titel": format!("Tweede doel van {opgave}")}
        ])
    };
    json!({
        "formaat": "mag-tracker/agenda", "formaatVersie": 1,
        "organisaties": [{"naam": "Gemeente Voorbeeld", "soort": "gemeente"}],
        "agenda": {
            "naam": "Nota zonder opgavecodes", "gemeenten": ["Twenterand"],
            "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2028-12-31",
            "groeperingsniveaus": [{"enkelvoud": "effect", "meervoud": "effecten"}],
            "groeperingen": [{"code": "B", "naam": "Gezonde inwoners", "opgaven": [
                {"titel": "Bewegen", "doelen": doelen("Bewegen")},
                {"code": "3", "titel": "Roken", "doelen": doelen("Roken")}
            ]}]
        }
    })
}

/// (titel, weergavecode) of every doel of the opgave with this title.
fn doelen(
    server: &Server,
    token: &str,
    agenda: &str,
    titel: &str,
    peil: &str,
) -> Vec<(String, Value)> {
    let opgaven = server
        .get(&format!("/agendas/{agenda}/opgaven{peil}"), Some(token))
        .json();
    let o = opgaven["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["titel"] == titel)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sep = if peil.is_empty() { "?" } else { "&" };
    let list = server
        .get(
            &format!("/opgaven/{o}/doelen{peil}{sep}pageSize=50"),
            Some(token),
        )
        .json();
    list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["titel"].as_str().unwrap().to_owned(),
                d["weergavecode"].clone(),
            )
        })
        .collect()
}

#[test]
fn a_nota_with_local_codes_loads_renumbers_and_reads_the_same_after_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    let file = tmp.path().join("nota.json");
    std::fs::write(&file, nota().to_string()).unwrap();
    let out = cli_ok(&["import", "--data-dir", d, file.to_str().unwrap()]);
    assert!(out.contains("2 opgaven, 6 doelen"), "{out}");
    let pm = token_create_ok(
        &dir,
        "programmamanager",
        "Gemeente Voorbeeld",
        &["--alle-agendas"],
    );
    let server = Server::start(&dir, &[]);
    let agendas = server.get("/agendas?pageSize=50", Some(&pm)).json();
    let agenda = agendas["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["naam"] == "Nota zonder opgavecodes")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bewegen = doelen(&server, &pm, &agenda, "Bewegen", "");
    assert_eq!(
        bewegen,
        [
            ("Eerste doel van Bewegen".to_owned(), json!("1")),
            ("Resultaat van Bewegen".to_owned(), json!(null)),
            ("Tweede doel van Bewegen".to_owned(), json!("2")),
        ]
    );
    assert_eq!(
        doelen(&server, &pm, &agenda, "Roken", "")[0].1,
        json!("B.3.1")
    );

    // Opgave 3 loses its code: its doelen then show as written.
    let before = server
        .get(&format!("/agendas/{agenda}"), Some(&pm))
        .header("X-Positie")
        .map(str::to_owned);
    let roken = server
        .get(&format!("/agendas/{agenda}/opgaven?code=B.3"), Some(&pm))
        .json();
    let id = roken["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let versie = roken["resultaten"][0]["versie"].to_string();
    let r = server.merge_patch(
        &format!("/opgaven/{id}"),
        &pm,
        &format!("\"{versie}\""),
        &json!({"code": null}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(doelen(&server, &pm, &agenda, "Roken", "")[0].1, json!("1"));
    server.stop();

    let server = Server::start(&dir, &[]);
    assert_eq!(doelen(&server, &pm, &agenda, "Bewegen", ""), bewegen);
    assert_eq!(doelen(&server, &pm, &agenda, "Roken", "")[0].1, json!("1"));
    let positie = before.expect("every answer says its position");
    let then = doelen(
        &server,
        &pm,
        &agenda,
        "Roken",
        &format!("?positie={positie}"),
    );
    assert_eq!(then[0].1, json!("B.3.1"), "as recorded before the renumber");
    server.stop();
}
