//! The agenda file as the spec publishes it (`Agendabestand`, the JSON body
//! of `POST /agenda-imports`): the schema's own example imports; whatever the
//! schema states is refused by the schema check, every problem at once and
//! named by its path; `null` is read as a left-out field, as the schema says.

use serde_json::{json, Value};

use crate::support::{spawn, TestApp};

fn example(app: &TestApp) -> Value {
    let (status, spec) = app.als_beheerder().get("/openapi.json");
    assert_eq!(status, 200);
    let schema = &spec["components"]["schemas"]["Agendabestand"];
    assert_eq!(
        spec["paths"]["/agenda-imports"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/Agendabestand"
    );
    assert_eq!(schema["additionalProperties"], false);
    schema["example"].clone()
}

fn import(app: &TestApp, file: &Value) -> crate::support::Resp {
    app.als_beheerder()
        .call("POST", "/agenda-imports", &[], Some(&file.to_string()))
}

/// `(name, code)` of every problem, in the order given.
fn problems(body: &Value) -> Vec<(String, String)> {
    body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_schema_example_is_an_agenda_file_that_imports() {
    let app = spawn();
    let file = example(&app);
    assert_eq!(file["formaat"], "mag-tracker/agenda");
    let r = import(&app, &file);
    assert_eq!(r.status, 201, "{:?}", r.body);
    // The Bibliotheek Twenterand of the demo is reused, not registered again.
    assert_eq!(
        (
            &r.body["organisaties"],
            &r.body["groeperingen"],
            &r.body["opgaven"],
            &r.body["doelen"],
            &r.body["acties"]
        ),
        (&json!(0), &json!(1), &json!(1), &json!(1), &json!(1))
    );
    let agenda = r.body["agendaId"].as_str().unwrap();
    let (_, a) = app.als_beheerder().get(&format!("/agendas/{agenda}"));
    assert_eq!(a["naam"], "Maatschappelijke Agenda Voorbeeld 2025");
    let (_, acties) = app
        .als_beheerder()
        .get(&format!("/agendas/{agenda}/acties"));
    let actie = &acties["resultaten"][0];
    assert_eq!(
        actie["omschrijving"],
        "De bibliotheek organiseert vier taalcafés per kern."
    );
    assert_eq!(actie["kenmerk"], "1.1.1-1");
    assert_eq!(
        actie["trekker"]["naam"], "Bibliotheek Twenterand",
        "{actie}"
    );
}

#[test]
fn a_file_with_two_wrong_fields_gets_both_named_and_creates_nothing() {
    let app = spawn();
    let head = app.head();
    let mut file = example(&app);
    file["formaatVersie"] = json!(2);
    file["agenda"]["groeperingen"][0]["opgaven"][0]["doelen"][0]["acties"][0]["kenmerk"] =
        json!("1.1.1-01");
    let r = import(&app, &file);
    assert_eq!((r.status, r.code()), (400, "invalid-input"), "{:?}", r.body);
    assert_eq!(r.body["title"], "Import afgewezen");
    assert!(
        r.body["detail"].as_str().unwrap().contains("2 problemen"),
        "{:?}",
        r.body
    );
    let actie = "body.agenda.groeperingen[0].opgaven[0].doelen[0].acties[0]";
    assert_eq!(
        problems(&r.body),
        [
            (format!("{actie}.kenmerk"), "invalid-kenmerk".to_owned()),
            ("body.formaatVersie".to_owned(), "invalid-value".to_owned()),
        ]
    );
    let reasons: Vec<&str> = r.body["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["reason"].as_str().unwrap())
        .collect();
    assert!(reasons[0].contains("is geen kenmerk"), "{reasons:?}");
    assert!(reasons[1].contains("kies uit: 1"), "{reasons:?}");
    assert_eq!(app.head(), head, "nothing appended");
}

#[test]
fn what_the_schema_states_is_refused_by_the_schema_all_at_once() {
    let app = spawn();
    let head = app.head();
    let mut file = example(&app);
    let doel = &mut file["agenda"]["groeperingen"][0]["opgaven"][0]["doelen"][0];
    // a sub-doel with a sub-doel of its own
    doel["subdoelen"] = json!([{"titel": "Sub", "subdoelen": [{"titel": "Te diep"}]}]);
    // an indicator without its eenheid and richting
    doel["indicatoren"] = json!([{"naam": "Aantal deelnemers"}]);
    // a trekker that is both an organisatie and a groep
    doel["acties"][0]["trekker"] =
        json!({"organisatie": "Bibliotheek Twenterand", "groep": "Taalmaatjes"});
    // a field the format does not have
    file["agenda"]["eigenaar"] = json!("Gemeente");
    let r = import(&app, &file);
    assert_eq!(r.status, 400, "{:?}", r.body);
    let d = "body.agenda.groeperingen[0].opgaven[0].doelen[0]";
    assert_eq!(
        problems(&r.body),
        [
            ("body.agenda.eigenaar".to_owned(), "unknown-field"),
            (format!("{d}.acties[0].trekker.groep"), "invalid-trekker"),
            (format!("{d}.indicatoren[0].eenheid"), "required"),
            (format!("{d}.indicatoren[0].richting"), "required"),
            (format!("{d}.subdoelen"), "nested-subdoel"),
        ]
        .map(|(n, c)| (n, c.to_owned()))
    );
    assert_eq!(app.head(), head, "nothing appended");
}

#[test]
fn null_is_a_left_out_field_as_the_schema_declares() {
    let app = spawn();
    let (_, spec) = app.als_beheerder().get("/openapi.json");
    let agenda = &spec["components"]["schemas"]["BestandAgenda"]["properties"];
    assert_eq!(agenda["omschrijving"]["type"], json!(["string", "null"]));
    assert_eq!(agenda["gepubliceerd"]["type"], json!(["boolean", "null"]));
    let mut file = example(&app);
    file["organisaties"] = Value::Null;
    file["agenda"]["omschrijving"] = Value::Null;
    file["agenda"]["gepubliceerd"] = Value::Null;
    file["agenda"]["status"] = Value::Null;
    let opgave = &mut file["agenda"]["groeperingen"][0]["opgaven"][0];
    opgave["geprioriteerd"] = Value::Null;
    opgave["doelen"][0]["acties"][0]["partners"] = Value::Null;
    opgave["doelen"][0]["acties"][0]["trekker"]["organisatie"] = json!("Bibliotheek Twenterand");
    let r = import(&app, &file);
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["agendaId"].as_str().unwrap();
    let (_, a) = app.als_beheerder().get(&format!("/agendas/{id}"));
    // the defaults of a left-out field
    assert_eq!(
        (&a["status"], &a["gepubliceerd"]),
        (&json!("concept"), &json!(true))
    );

    // a required field cannot be null
    let mut file = example(&app);
    file["agenda"]["naam"] = Value::Null;
    let r = import(&app, &file);
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(
        problems(&r.body),
        [("body.agenda.naam".to_owned(), "invalid-type".to_owned())]
    );
}

/// The CSV's query parameters are ignored for an agenda file, but a date
/// given must still be a date (found by Schemathesis: accepted before).
#[test]
fn a_json_import_refuses_a_query_date_that_is_no_date() {
    let app = spawn();
    let head = app.head();
    let file = example(&app);
    let r = app.als_beheerder().call(
        "POST",
        "/agenda-imports?periodeStartDatum=gisteren&naam=x",
        &[],
        Some(&file.to_string()),
    );
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(
        problems(&r.body),
        [(
            "query.periodeStartDatum".to_owned(),
            "invalid-date".to_owned()
        )]
    );
    assert_eq!(app.head(), head, "nothing appended");
    let r = app.als_beheerder().call(
        "POST",
        "/agenda-imports?periodeStartDatum=2025-01-01&naam=x",
        &[],
        Some(&file.to_string()),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
}
