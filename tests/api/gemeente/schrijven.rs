//! Writing in a shared nota: what a token scoped to Borne may and may not
//! do, and Borne's uitvoeringsperiode.

use serde_json::json;

use super::{get, nota, omschrijvingen, patch, refused, send};
use crate::support::spawn;

#[test]
fn a_token_scoped_to_borne_creates_and_changes_only_bornes_acties_and_reads_everything() {
    let app = spawn();
    let n = nota(&app);
    let acties = format!("/opgaven/{}/acties", n.opgave);
    // naming another gemeente is not its to do
    let p = refused(
        &app,
        || {
            send(
                &app,
                "POST",
                &acties,
                &n.borne,
                json!({"omschrijving": "Almelo's", "gemeenten": ["Almelo"]}),
            )
        },
        403,
        "gemeente-scope",
    );
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("beperkt tot gemeente Borne"),
        "{p}"
    );
    // Almelo's actie and the agenda-wide one: 403 saying why
    let p = refused(
        &app,
        || {
            patch(
                &app,
                &format!("/acties/{}", n.almelo_actie),
                &n.borne,
                json!({"omschrijving": "Overgenomen"}),
            )
        },
        403,
        "gemeente-scope",
    );
    assert!(
        p["detail"].as_str().unwrap().contains("is voor Almelo"),
        "{p}"
    );
    let p = refused(
        &app,
        || {
            patch(
                &app,
                &format!("/acties/{}", n.hele_agenda_actie),
                &n.borne,
                json!({"jaar": 2025}),
            )
        },
        403,
        "gemeente-scope",
    );
    assert!(p["detail"].as_str().unwrap().contains("hele agenda"), "{p}");
    // the structure: agenda, opgaven
    for (method, path, body) in [
        (
            "PATCH",
            format!("/agendas/{}", n.agenda),
            json!({"naam": "Van Borne"}),
        ),
        (
            "PATCH",
            format!("/opgaven/{}", n.opgave),
            json!({"titel": "Van Borne"}),
        ),
        (
            "POST",
            format!("/agendas/{}/opgaven", n.agenda),
            json!({"code": "2", "titel": "Borne alleen"}),
        ),
    ] {
        let p = refused(
            &app,
            || match method {
                "PATCH" => patch(&app, &path, &n.borne, body.clone()),
                _ => send(&app, method, &path, &n.borne, body.clone()),
            },
            403,
            "gemeente-scope",
        );
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("wijzigt de indeling van de agenda niet"),
            "{p}"
        );
    }
    // its own actie it changes; giving it away is refused
    let own = format!("/acties/{}", n.borne_actie);
    let r = patch(
        &app,
        &own,
        &n.borne,
        json!({"omschrijving": "Taalcafé Borne-Noord"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["omschrijving"], "Taalcafé Borne-Noord");
    refused(
        &app,
        || patch(&app, &own, &n.borne, json!({"gemeenten": []})),
        403,
        "gemeente-scope",
    );
    // the work on an actie follows the same line: status and voortgang on
    // its own actie, not on Almelo's
    for (path, body) in [
        ("statuswijzigingen", json!({"status": "lopend"})),
        (
            "voortgangsberichten",
            json!({"tekst": "Eerste taalcafé gehouden."}),
        ),
    ] {
        let r = send(
            &app,
            "POST",
            &format!("{own}/{path}"),
            &n.borne,
            body.clone(),
        );
        assert_eq!(r.status, 201, "{path}: {}", r.body);
        let almelo = format!("/acties/{}/{path}", n.almelo_actie);
        refused(
            &app,
            || send(&app, "POST", &almelo, &n.borne, body.clone()),
            403,
            "gemeente-scope",
        );
    }
    // it reads the whole agenda
    let all = get(&app, &format!("/agendas/{}/acties", n.agenda), &n.borne);
    assert_eq!(
        omschrijvingen(&all.body["resultaten"]),
        [
            "Regionale campagne",
            "Schuldhulp Almelo",
            "Taalcafé Borne-Noord"
        ]
    );
}

#[test]
fn an_actie_of_borne_outside_bornes_uitvoeringsperiode_is_refused() {
    let app = spawn();
    let n = nota(&app);
    let acties = format!("/opgaven/{}/acties", n.opgave);
    for token in [&n.pm, &n.borne] {
        let p = refused(
            &app,
            || {
                send(
                    &app,
                    "POST",
                    &acties,
                    token,
                    json!({"omschrijving": "Te laat", "jaar": 2027, "gemeenten": ["Borne"],
                           "geplandeStartDatum": "2027-01-01"}),
                )
            },
            400,
            "invalid-input",
        );
        let names: Vec<&str> = p["invalidParams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["body.jaar", "body.geplandeStartDatum"], "{p}");
        assert!(
            p["invalidParams"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("uitvoeringsperiode van Borne (2024-01-01 t/m 2025-12-31)"),
            "{p}"
        );
    }
    // the same year is fine for Hengelo (no period of its own)
    let r = send(
        &app,
        "POST",
        &acties,
        &n.pm,
        json!({"omschrijving": "Hengelo later", "jaar": 2027, "gemeenten": ["Hengelo"]}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    // moving Almelo's actie of 2024 to Borne is fine, to 2027 then is not
    let path = format!("/acties/{}", n.almelo_actie);
    let r = patch(&app, &path, &n.pm, json!({"gemeenten": ["Borne"]}));
    assert_eq!(r.body["gemeenten"], json!(["Borne"]), "{}", r.body);
    let p = refused(
        &app,
        || patch(&app, &path, &n.pm, json!({"jaar": 2027})),
        400,
        "invalid-input",
    );
    assert_eq!(p["invalidParams"][0]["name"], "body.jaar");
    assert_eq!(p["invalidParams"][0]["code"], "outside-uitvoeringsperiode");
    // the uitvoeringsperiode itself lies in the agenda's period
    let p = refused(
        &app,
        || {
            patch(
                &app,
                &format!("/agendas/{}", n.agenda),
                &n.pm,
                json!({"uitvoeringsperioden": [
                    {"gemeente": "Hengelo", "startDatum": "2028-01-01", "eindDatum": "2030-12-31"}
                ]}),
            )
        },
        400,
        "invalid-input",
    );
    assert_eq!(
        p["invalidParams"][0]["name"],
        "body.uitvoeringsperioden[0].eindDatum"
    );
}

#[test]
fn only_a_programmamanager_token_can_be_scoped_to_a_gemeente() {
    let app = spawn();
    let n = nota(&app);
    let p = refused(
        &app,
        || {
            send(
                &app,
                "POST",
                "/tokens",
                &app.beheerder,
                json!({
                    "organisatieId": crate::support::organisatie_id(&app.state, "Gemeente Twenterand"),
                    "rol": "partner",
                    "omschrijving": "script Borne",
                    "gemeente": "Borne"
                }),
            )
        },
        400,
        "invalid-input",
    );
    let velden: Vec<(&str, &str)> = p["invalidParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["name"].as_str().unwrap(), i["code"].as_str().unwrap()))
        .collect();
    assert_eq!(velden, [("body.gemeente", "not-allowed")], "{p}");
    assert!(
        p["invalidParams"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("Alleen een programmamanager-token"),
        "{p}"
    );
    let _ = n;
}
