//! Journey: a regional programme manager loads a shared nota of three
//! gemeenten (made up) with its indicator from a file through the command
//! line, records a value per gemeente over the API, and after a restart
//! reads the same values side by side; the export carries them.

use serde_json::{json, Value};

use crate::support::{cli_ok, token_create_ok, Server};

#[test]
fn a_shared_nota_loaded_from_a_file_keeps_each_gemeentes_values_across_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let file = tmp.path().join("nota.json");
    let nota = json!({
        "formaat": "mag-tracker/agenda", "formaatVersie": 1,
        "organisaties": [{"naam": "Regio Samen (voorbeeld)", "soort": "samenwerkingsverband"}],
        "agenda": {
            "naam": "Samen gezond (verzonnen voorbeeld)",
            "gemeenten": ["Gemeente Noord", "Gemeente Midden", "Gemeente Zuid"],
            "periodeStartDatum": "2024-01-01", "periodeEindDatum": "2027-12-31",
            "opgaven": [{"code": "1", "titel": "Gezond opgroeien", "doelen": [{
                "code": "1.1", "titel": "Meer kinderen bewegen",
                "indicatoren": [{
                    "naam": "Kinderen die genoeg bewegen", "eenheid": "%", "richting": "hogerIsBeter",
                    "streefwaarden": [{"waarde": 60}],
                    "metingen": [{"periode": "2025", "waarde": 52, "status": "definitief", "gemeente": "Gemeente Noord"}]
                }]
            }]}]
        }
    });
    std::fs::write(&file, nota.to_string()).unwrap();
    let out = cli_ok(&[
        "import",
        "--data-dir",
        dir.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert!(out.contains("1 indicatoren"), "{out}");
    let pm = token_create_ok(
        &dir,
        "programmamanager",
        "Regio Samen (voorbeeld)",
        &["--alle-agendas"],
    );

    let server = Server::start(&dir, &["--no-demo"]);
    let agenda = server.get("/agendas", Some(&pm)).json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let opgave = server
        .get(&format!("/agendas/{agenda}/opgaven"), Some(&pm))
        .json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doel = server
        .get(&format!("/opgaven/{opgave}/doelen"), Some(&pm))
        .json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = server
        .get(&format!("/doelen/{doel}/indicatoren"), Some(&pm))
        .json()["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = server.post(
        &format!("/indicatoren/{id}/metingen"),
        &pm,
        &json!({"periode": "2025", "waarde": 64, "status": "definitief", "gemeente": "Gemeente Zuid"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let side_by_side = |server: &Server| -> Vec<(String, f64, String)> {
        let ind: Value = server
            .get(&format!("/indicatoren/{id}?jaar=2025"), Some(&pm))
            .json();
        ind["perGemeente"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["gemeente"].as_str().unwrap().to_owned(),
                    g["koers"]["waarde"].as_f64().unwrap(),
                    g["koers"]["uitleg"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let expected = vec![
        (
            "Gemeente Noord".to_owned(),
            52.0,
            "niet op koers: 52 % tegen streefwaarde 60 voor de hele periode, in 2025 (hoger is beter)."
                .to_owned(),
        ),
        (
            "Gemeente Zuid".to_owned(),
            64.0,
            "op koers: 64 % tegen streefwaarde 60 voor de hele periode, in 2025 (hoger is beter)."
                .to_owned(),
        ),
    ];
    assert_eq!(side_by_side(&server), expected);
    server.stop();

    let again = Server::start(&dir, &["--no-demo"]);
    assert_eq!(side_by_side(&again), expected, "after a restart");
    let pdca = again
        .get(&format!("/opgaven/{opgave}/pdca?jaar=2025"), Some(&pm))
        .json();
    assert!(
        pdca["redenen"].as_array().unwrap().contains(&json!(
            "Indicator 'Kinderen die genoeg bewegen' niet op koers in Gemeente Noord: 52 tegen streefwaarde 60 voor 2025."
        )),
        "{pdca}"
    );
    let export = again
        .get(&format!("/agendas/{agenda}/export?formaat=json"), Some(&pm))
        .json();
    let metingen = &export["agenda"]["opgaven"][0]["doelen"][0]["indicatoren"][0]["metingen"];
    assert_eq!(
        metingen,
        &json!([
            {"periode": "2025", "waarde": 52.0, "status": "definitief", "gemeente": "Gemeente Noord"},
            {"periode": "2025", "waarde": 64.0, "status": "definitief", "gemeente": "Gemeente Zuid"}
        ])
    );
    again.stop();
}
