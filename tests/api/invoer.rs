//! Input at the edges (issue 15): every date and instant the API accepts is
//! strict ISO 8601 / RFC 3339 in 1900–2200, numbers of indicators have a
//! documented range, and paging at the limits of the integer types is a 400
//! or an empty page, never a dropped connection.

use super::support::*;
use serde_json::{json, Value};

const RANGE: &str = "1900-01-01 t/m 2200-12-31";

/// A GET that must be a 400 problem naming `param` with `code`, whose reason
/// says the accepted range.
fn refused_param(app: &TestApp, path: &str, param: &str, code: &str) {
    let r = app.als_pm().call("GET", path, &[], None);
    assert_eq!(r.status, 400, "GET {path}: {:?}", r.body);
    assert!(r.content_type.starts_with("application/problem+json"));
    let p = &r.body["invalidParams"][0];
    assert_eq!(
        (p["name"].as_str(), p["code"].as_str()),
        (Some(param), Some(code)),
        "GET {path}: {:?}",
        r.body
    );
    assert!(
        p["reason"].as_str().unwrap().contains(RANGE),
        "the reason names the range: {p}"
    );
}

#[test]
fn extreme_and_sloppy_dates_in_queries_are_a_400_naming_the_field() {
    let app = spawn();
    let a = agenda_id(&app);
    let o = opgave(&app, "2.5");
    let resources = [
        format!("/agendas/{a}"),
        format!("/opgaven/{o}"),
        format!("/opgaven/{o}/pdca"),
        format!("/agendas/{a}/overzicht"),
        format!("/agendas/{a}/acties"),
    ];
    for path in &resources {
        for (value, code) in [
            ("%2B262142-12-31", "invalid-date"),
            ("-262143-01-01", "invalid-date"),
            ("2024-1-1", "invalid-date"),
            ("2024-02-30", "invalid-date"),
            ("9999-12-31", "out-of-range"),
            ("1899-12-31", "out-of-range"),
            ("0000-01-01", "out-of-range"),
        ] {
            refused_param(
                &app,
                &format!("{path}?peildatum={value}"),
                "query.peildatum",
                code,
            );
        }
        for (value, code) in [
            ("%2B262142-12-31T00:00:00Z", "invalid-date-time"),
            ("2024-07-01T12:00:00", "invalid-date-time"),
            ("9999-12-31T23:59:59Z", "out-of-range"),
        ] {
            refused_param(
                &app,
                &format!("{path}?peiltijdstip={value}"),
                "query.peiltijdstip",
                code,
            );
        }
        // the edges of the range are fine
        assert_eq!(
            app.als_pm().get(&format!("{path}?peildatum=2200-12-31")).0,
            200
        );
    }
    for report in [
        format!("/agendas/{a}/voortgang"),
        format!("/agendas/{a}/wijzigingen"),
    ] {
        refused_param(
            &app,
            &format!("{report}?sinds=-262143-01-01"),
            "query.sinds",
            "invalid-date",
        );
        refused_param(
            &app,
            &format!("{report}?sinds=2024-01-01&tot=%2B262142-12-31"),
            "query.tot",
            "invalid-date",
        );
        refused_param(
            &app,
            &format!("{report}?sinds=1000-01-01"),
            "query.sinds",
            "out-of-range",
        );
        refused_param(
            &app,
            &format!("{report}?sinds=2024-3-1"),
            "query.sinds",
            "invalid-date",
        );
        let (status, _) = app
            .als_pm()
            .get(&format!("{report}?sinds=1900-01-01&tot=2200-12-31"));
        assert_eq!(status, 200, "{report}");
    }
}

#[test]
fn dates_in_bodies_are_strict_and_in_range() {
    let app = spawn();
    let actie = actie(&app, "2.5")["id"].as_str().unwrap().to_owned();
    let berichten = format!("/acties/{actie}/voortgangsberichten");
    for (datum, code) in [
        ("0000-01-01", "out-of-range"),
        ("9999-12-31", "out-of-range"),
        ("2024-1-1", "invalid-date"),
        ("+2024-01-01", "invalid-date"),
    ] {
        let body = json!({"tekst": "Bericht", "datum": datum}).to_string();
        let r = app.als_pm().refused("POST", &berichten, &[], &body, 400);
        let p = &r.body["invalidParams"][0];
        assert_eq!(
            (p["name"].as_str(), p["code"].as_str()),
            (Some("body.datum"), Some(code)),
            "{datum}"
        );
        assert!(p["reason"].as_str().unwrap().contains(RANGE));
    }
    let ok = app.als_pm().created(
        &berichten,
        &json!({"tekst": "Bericht", "datum": "2024-03-01"}),
    );
    assert_eq!(ok.body["datum"], "2024-03-01");

    // statuswijziging ingangsDatum and a token's verloopTijdstip
    let r = app.als_pm().refused(
        "POST",
        &format!("/acties/{actie}/statuswijzigingen"),
        &[],
        &json!({"status": "lopend", "ingangsDatum": "2024-7-1"}).to_string(),
        400,
    );
    assert!(
        r.invalid().contains(&"body.ingangsDatum".to_owned()),
        "{:?}",
        r.body
    );
    let taalpunt = organisatie_id(&app.state, "Taalpunt").to_string();
    let r = app.als_beheerder().refused(
        "POST",
        "/tokens",
        &[],
        &json!({"organisatieId": taalpunt, "rol": "partner", "omschrijving": "x",
            "verloopTijdstip": "9999-12-31T23:59:59Z"})
        .to_string(),
        400,
    );
    assert_eq!(
        (r.invalid(), r.body["invalidParams"][0]["code"].as_str()),
        (
            vec!["body.verloopTijdstip".to_owned()],
            Some("out-of-range")
        )
    );
}

fn indicator(app: &TestApp) -> String {
    let (_, doelen) = app
        .als_pm()
        .get(&format!("/opgaven/{}/doelen", opgave(app, "2.5")));
    let d = doelen["resultaten"][0]["id"].as_str().unwrap().to_owned();
    app.als_pm()
        .created(
            &format!("/doelen/{d}/indicatoren"),
            &json!({"naam": "Bereik", "eenheid": "aantal", "richting": "hogerIsBeter"}),
        )
        .id()
}

#[test]
fn metingen_outside_the_range_are_refused_and_minus_zero_is_stored_as_zero() {
    let app = spawn();
    let id = indicator(&app);
    let metingen = format!("/indicatoren/{id}/metingen");
    for waarde in ["1e308", "-1e308", "1000000000000001", "-1.5e15"] {
        let body = format!(r#"{{"periode":"2024","waarde":{waarde},"status":"voorlopig"}}"#);
        let r = app.als_pm().refused("POST", &metingen, &[], &body, 400);
        let p = &r.body["invalidParams"][0];
        // The range is the schema's (minimum/maximum), refused like every
        // other number outside its published range.
        assert_eq!(
            (p["name"].as_str(), p["code"].as_str()),
            (Some("body.waarde"), Some("invalid-number")),
            "{waarde}: {:?}",
            r.body
        );
        let reason = p["reason"].as_str().unwrap();
        assert!(
            reason.contains("-1000000000000000 tot en met 1000000000000000"),
            "{p}"
        );
        // the range as a person reads it, not 309 digits
        assert!(reason.len() < 150, "{reason}");
    }
    // the edge is accepted; -0 is stored and shown as 0
    app.als_pm().created(
        &metingen,
        &json!({"periode": "2023", "waarde": 1e15, "status": "voorlopig"}),
    );
    let zero = app.als_pm().call(
        "POST",
        &metingen,
        &[],
        Some(r#"{"periode":"2024","waarde":-0.0,"status":"voorlopig"}"#),
    );
    assert_eq!(zero.status, 201, "{:?}", zero.body);
    let shown = zero.body["waarde"].to_string();
    assert!(!shown.starts_with('-'), "-0 is normalised: {shown}");
    let (_, list) = app.als_pm().get(&metingen);
    let texts: Vec<String> = list["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["waarde"].to_string())
        .collect();
    assert!(texts.iter().all(|t| !t.starts_with('-')), "{texts:?}");
    // a streefwaarde and a band too
    let r = app.als_pm().refused(
        "PATCH",
        &format!("/indicatoren/{id}"),
        &[("If-Match", "\"3\"")],
        &json!({"streefwaarden": [{"jaar": 2025, "waarde": 2e15}]}).to_string(),
        400,
    );
    assert_eq!(r.invalid(), vec!["body.streefwaarden[0].waarde".to_owned()]);
}

#[test]
fn paging_at_the_limits_of_the_integer_types_is_a_400_or_an_empty_page() {
    let app = spawn();
    let a = agenda_id(&app);
    let path = format!("/agendas/{a}/acties");
    for q in [
        "page=18446744073709551615",
        "page=18446744073709551616",
        "pageSize=18446744073709551615",
        "page=-1",
        // the spec says int32: beyond i32 is refused, not silently taken
        "page=2147483648",
        "page=4294967295",
    ] {
        let r = app.als_pm().call("GET", &format!("{path}?{q}"), &[], None);
        assert_eq!(r.status, 400, "{q}: {:?}", r.body);
        assert!(r.content_type.starts_with("application/problem+json"));
    }
    let (status, last): (u16, Value) = app
        .als_pm()
        .get(&format!("{path}?page=2147483647&pageSize=500"));
    assert_eq!(status, 200);
    assert_eq!(
        (
            last["resultaten"].as_array().map(Vec::len),
            last["pagina"].as_u64()
        ),
        (Some(0), Some(2147483647))
    );
    for q in [
        "na=18446744073709551615",
        "na=18446744073709551616",
        "pageSize=4294967295",
    ] {
        let r = app
            .als_beheerder()
            .call("GET", &format!("/gebeurtenissen?{q}"), &[], None);
        assert_eq!(r.status, 400, "{q}: {:?}", r.body);
    }
    let r = app.als_pm().call(
        "GET",
        &format!("/agendas/{a}?positie=18446744073709551615"),
        &[],
        None,
    );
    assert_eq!(r.invalid(), vec!["query.positie".to_owned()]);
}

#[test]
fn lookalike_organisatie_names_are_the_same_name() {
    let app = spawn();
    // "Taalpunt" is in the demo agenda
    for lookalike in [
        "Taal\u{200b}punt",
        "\u{202e}Taalpunt",
        "Taalpunt\u{2066}",
        "\u{feff}TAALPUNT ",
        "Taal\u{ad}punt",
        "Taal\u{200d}punt\u{a0}",
    ] {
        let body = json!({"naam": lookalike, "soort": "welzijn"}).to_string();
        let r = app
            .als_beheerder()
            .refused("POST", "/organisaties", &[], &body, 409);
        assert_eq!(r.code(), "duplicate-naam", "{lookalike:?}: {:?}", r.body);
        assert!(r.body["detail"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("taalpunt"));
    }
    // a new name is stored in its normalised form, and then taken
    let r = app.als_beheerder().created(
        "/organisaties",
        &json!({"naam": " Nieuw\u{200b}  Netwerk\u{a0}Twente\u{301}\u{202c} ", "soort": "samenwerkingsverband"}),
    );
    assert_eq!(r.body["naam"], "Nieuw Netwerk Twenté");
    let again = json!({"naam": "nieuw netwerk twenté", "soort": "welzijn"}).to_string();
    app.als_beheerder()
        .refused("POST", "/organisaties", &[], &again, 409);
    // renaming to a lookalike of another is refused too; an empty name after
    // normalising is no name
    let id = r.id();
    let rename = json!({"naam": "Taal\u{200b}punt"}).to_string();
    let r2 = app.als_beheerder().refused(
        "PATCH",
        &format!("/organisaties/{id}"),
        &[("If-Match", r.etag.as_str())],
        &rename,
        409,
    );
    assert_eq!(r2.code(), "duplicate-naam");
    let empty = json!({"naam": "\u{200b}\u{2060}", "soort": "welzijn"}).to_string();
    let r3 = app
        .als_beheerder()
        .refused("POST", "/organisaties", &[], &empty, 400);
    assert_eq!(r3.invalid(), vec!["body.naam".to_owned()]);
}

#[test]
fn a_named_group_as_trekker_is_stored_under_its_normalised_name() {
    let app = spawn();
    let actie = actie(&app, "2.5");
    let id = actie["id"].as_str().unwrap().to_owned();
    let etag = app
        .als_pm()
        .call("GET", &format!("/acties/{id}"), &[], None)
        .etag;
    let path = format!("/acties/{id}/trekker");
    let r = app.als_pm().call(
        "PUT",
        &path,
        &[("If-Match", etag.as_str())],
        Some(
            &json!({"soort": "groep", "naam": "\u{202e}Werkgroep\u{200b}  Armoede\u{a0}"})
                .to_string(),
        ),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["trekker"]["naam"], "Werkgroep Armoede");
    // the same group spelled another way is no change
    let r2 = app.als_pm().call(
        "PUT",
        &path,
        &[("If-Match", r.etag.as_str())],
        Some(&json!({"soort": "groep", "naam": "Werkgroep Armoede\u{2060}"}).to_string()),
    );
    assert_eq!((r2.status, r2.code()), (409, "trekker-unchanged"));
    // invisible characters only are no name
    let r3 = app.als_pm().refused(
        "PUT",
        &path,
        &[("If-Match", r.etag.as_str())],
        &json!({"soort": "groep", "naam": "\u{200b}\u{feff}"}).to_string(),
        400,
    );
    assert_eq!(r3.invalid(), vec!["body.naam".to_owned()]);
}

#[test]
fn an_agenda_name_and_its_gemeenten_are_stored_normalised() {
    let app = spawn();
    let r = app.als_beheerder().created(
        "/agendas",
        &json!({"naam": "\u{feff}MAG\u{200b} Voorbeeld\u{a0}\u{a0}2025 ", "gemeenten": ["Voor\u{202e}beeld\u{202c}", " Buur\u{ad}dorp"],
            "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31",
            "groeperingsniveaus": [{"enkelvoud": "thema", "meervoud": "thema's"}]}),
    );
    assert_eq!(r.body["naam"], "MAG Voorbeeld 2025");
    assert_eq!(r.body["gemeenten"], json!(["Voorbeeld", "Buurdorp"]));
    let id = r.id();
    // the pm token of spawn time does not list the new agenda
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let renamed = pm.call(
        "PATCH",
        &format!("/agendas/{id}"),
        &[("If-Match", r.etag.as_str())],
        Some(&json!({"naam": "MAG\u{2066} Voorbeeld 2025\u{2069}"}).to_string()),
    );
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);
    assert_eq!(
        renamed.etag, r.etag,
        "a lookalike of the same name is no change"
    );
    let empty = pm.refused(
        "PATCH",
        &format!("/agendas/{id}"),
        &[("If-Match", r.etag.as_str())],
        &json!({"naam": "\u{200b}"}).to_string(),
        400,
    );
    assert_eq!(empty.invalid(), vec!["body.naam".to_owned()]);
}

#[test]
fn dates_in_an_import_file_are_strict_and_in_range() {
    let app = spawn();
    let head = app.head();
    let file = json!({
        "formaat": "mag-tracker/agenda",
        "formaatVersie": 1,
        "agenda": {
            "naam": "Agenda met verre datums",
            "gemeenten": ["Twenterand"],
            "periodeStartDatum": "0001-01-01",
            "periodeEindDatum": "+262142-12-31",
            "groeperingsniveaus": [{"enkelvoud": "themalijn", "meervoud": "themalijnen"}],
            "groeperingen": [{"code": "1", "naam": "Eén", "opgaven": [
                {"code": "1.1", "titel": "Opgave", "acties": [
                    {"omschrijving": "Slordige datum", "jaar": 2025, "geplandeStartDatum": "2025-1-5"}
                ]}
            ]}]
        }
    });
    let r = app
        .als_beheerder()
        .call("POST", "/agenda-imports", &[], Some(&file.to_string()));
    assert_eq!(r.status, 400, "{:?}", r.body);
    let found: Vec<(String, String)> = r.body["invalidParams"]
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
    for (name, code) in [
        ("body.agenda.periodeStartDatum", "out-of-range"),
        ("body.agenda.periodeEindDatum", "invalid-date"),
        (
            "body.agenda.groeperingen[0].opgaven[0].acties[0].geplandeStartDatum",
            "invalid-date",
        ),
    ] {
        assert!(
            found.contains(&(name.to_owned(), code.to_owned())),
            "{name} {code} in {found:?}"
        );
    }
    assert_eq!(app.head(), head, "nothing imported");
}

#[test]
fn an_import_file_names_an_existing_organisatie_in_any_case() {
    let app = spawn();
    // "Taalpunt" is in the demo agenda; the API refuses "TAALPUNT" as the
    // same name, so an import must reuse it, not register a second one.
    let file = json!({
        "formaat": "mag-tracker/agenda",
        "formaatVersie": 1,
        "organisaties": [{"naam": "TAALPUNT", "soort": "welzijn"}],
        "agenda": {
            "naam": "Agenda met hoofdletters",
            "gemeenten": ["Twenterand"],
            "periodeStartDatum": "2025-01-01",
            "periodeEindDatum": "2025-12-31",
            "opgaven": [{"code": "1.1", "titel": "Opgave", "acties": [
                {"omschrijving": "Taalcafé", "jaar": 2025,
                 "trekker": {"organisatie": "taal\u{200b}punt"}}
            ]}]
        }
    });
    let r = app
        .als_beheerder()
        .call("POST", "/agenda-imports", &[], Some(&file.to_string()));
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["organisaties"], 0, "{:?}", r.body);
    // the pm token of spawn time does not list the imported agenda
    let token = app.pm_token_for_every_agenda();
    let pm = app.als(&token);
    let orgs = pm.call("GET", "/organisaties?pageSize=500", &[], None);
    let taalpunt: Vec<&Value> = orgs.body["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["naam"].as_str().unwrap().eq_ignore_ascii_case("taalpunt"))
        .collect();
    assert_eq!(taalpunt.len(), 1, "one Taalpunt: {taalpunt:?}");
    assert_eq!(taalpunt[0]["naam"], "Taalpunt");
    let agenda = r.body["agendaId"].as_str().unwrap();
    let acties = pm.call("GET", &format!("/agendas/{agenda}/acties"), &[], None);
    let trekker = &acties.body["resultaten"][0]["trekker"];
    assert_eq!(trekker["naam"], "Taalpunt", "{trekker}");
    assert_eq!(trekker["organisatieId"], taalpunt[0]["id"]);
}
