//! A successful call of every write operation of the spec, in an order
//! that gives each one what it needs.

use serde_json::{json, Value};

use super::Truth;
use crate::zichtbaarheid::Hidden;

/// Every write operation, once, successfully.
pub fn writes(t: &mut Truth, h: &Hidden) {
    let org = t.id(
        "POST",
        "/organisaties",
        "/organisaties",
        json!({"naam": "Stichting Waarheid", "soort": "welzijn"}),
    );
    let p = format!("/organisaties/{org}");
    t.change(
        "PATCH",
        "/organisaties/{id}",
        &p,
        &p,
        json!({"contactadres": "info@waarheid.nl"}),
    );
    t.id(
        "POST",
        "/agendas",
        "/agendas",
        json!({"naam": "Agenda Waarheid", "gemeenten": ["Twenterand"], "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31"}),
    );
    let a = &h.agenda;
    let p = format!("/agendas/{a}");
    t.change(
        "PATCH",
        "/agendas/{id}",
        &p,
        &p,
        json!({"omschrijving": "Waar"}),
    );
    let tweede = t.id(
        "POST",
        "/agendas/{id}/groeperingen",
        &format!("/agendas/{a}/groeperingen"),
        json!({"naam": "Tweede groep", "code": "2"}),
    );
    let p = format!("/groeperingen/{}", h.groepering);
    t.change(
        "PATCH",
        "/groeperingen/{id}",
        &p,
        &p,
        json!({"omschrijving": "Waar"}),
    );
    t.id(
        "POST",
        "/agendas/{id}/opgaven",
        &format!("/agendas/{a}/opgaven"),
        json!({"code": "1.2", "titel": "Tweede opgave"}),
    );
    let p = format!("/opgaven/{}", h.opgave);
    t.change(
        "PATCH",
        "/opgaven/{id}",
        &p,
        &p,
        json!({"omschrijving": "Waar"}),
    );
    t.id(
        "POST",
        "/opgaven/{id}/doelen",
        &format!("/opgaven/{}/doelen", h.opgave),
        json!({"code": "1.1.2", "titel": "Tweede doel"}),
    );
    let p = format!("/doelen/{}", h.doel);
    t.change(
        "PATCH",
        "/doelen/{id}",
        &p,
        &p,
        json!({"omschrijving": "Waar"}),
    );
    // Contributions to the second groepering, added and taken away.
    for (kind, id) in [("opgaven", &h.opgave), ("doelen", &h.doel)] {
        let path = format!("/{kind}/{id}/bijdragen");
        t.id(
            "POST",
            &format!("/{kind}/{{id}}/bijdragen"),
            &path,
            json!({"groeperingId": tweede}),
        );
        t.call(
            "DELETE",
            &format!("/{kind}/{{id}}/bijdragen/{{groeperingId}}"),
            &format!("{path}/{tweede}"),
            None,
            None,
        );
    }
    let nieuw = t.id(
        "POST",
        "/doelen/{id}/acties",
        &format!("/doelen/{}/acties", h.doel),
        json!({"omschrijving": "Actie onder het doel"}),
    );
    t.id(
        "POST",
        "/opgaven/{id}/acties",
        &format!("/opgaven/{}/acties", h.opgave),
        json!({"omschrijving": "Actie onder de opgave"}),
    );
    let actie = format!("/acties/{}", h.actie);
    t.change(
        "PATCH",
        "/acties/{id}",
        &actie,
        &actie,
        json!({"omschrijving": "Waar"}),
    );
    t.call(
        "POST",
        "/acties/{id}/statuswijzigingen",
        &format!("/acties/{nieuw}/statuswijzigingen"),
        None,
        Some(json!({"status": "lopend"})),
    );
    t.change(
        "PUT",
        "/acties/{id}/trekker",
        &format!("{actie}/trekker"),
        &actie,
        json!({"soort": "groep", "naam": "Werkgroep Waarheid"}),
    );
    t.id(
        "POST",
        "/acties/{id}/voortgangsberichten",
        &format!("{actie}/voortgangsberichten"),
        json!({"tekst": "Tweede bericht"}),
    );
    t.change(
        "PATCH",
        "/acties/{id}/voortgangsberichten/{berichtId}",
        &format!("{actie}/voortgangsberichten/{}", h.bericht),
        &actie,
        json!({"tekst": "Gecorrigeerd"}),
    );
    t.id(
        "POST",
        "/reflecties",
        "/reflecties",
        json!({"over": h.actie, "tekst": "Tweede reflectie"}),
    );
    let p = format!("/reflecties/{}", h.reflectie);
    t.change(
        "PATCH",
        "/reflecties/{id}",
        &p,
        &p,
        json!({"tekst": "Gecorrigeerd"}),
    );
    t.id(
        "POST",
        "/doelen/{id}/indicatoren",
        &format!("/doelen/{}/indicatoren", h.doel),
        json!({"naam": "Tweede indicator", "eenheid": "%", "richting": "hogerIsBeter"}),
    );
    let ind = format!("/indicatoren/{}", h.indicator);
    t.change(
        "PATCH",
        "/indicatoren/{id}",
        &ind,
        &ind,
        json!({"bron": "CBS"}),
    );
    t.id(
        "POST",
        "/indicatoren/{id}/metingen",
        &format!("{ind}/metingen"),
        json!({"periode": "2024-Q3", "waarde": 5, "status": "voorlopig"}),
    );
    t.id(
        "POST",
        "/opgaven/{id}/checkmomenten",
        &format!("/opgaven/{}/checkmomenten", h.opgave),
        json!({"datum": "2024-09-15", "onderwerp": "Tweede check"}),
    );
    t.id(
        "POST",
        "/agendas/{id}/checkmomenten",
        &format!("/agendas/{a}/checkmomenten"),
        json!({"datum": "2024-11-15", "onderwerp": "Jaarcheck"}),
    );
    let cm = format!("/checkmomenten/{}", h.checkmoment);
    t.change(
        "PATCH",
        "/checkmomenten/{id}",
        &cm,
        &cm,
        json!({"onderwerp": "Waar"}),
    );
    t.id(
        "POST",
        "/checkmomenten/{id}/bijsturingen",
        &format!("{cm}/bijsturingen"),
        json!({"besluit": "Tweede besluit", "onderbouwing": "Evaluatie", "datum": "2024-06-20"}),
    );
    t.change(
        "PATCH",
        "/checkmomenten/{id}/bijsturingen/{bijsturingId}",
        &format!("{cm}/bijsturingen/{}", h.bijsturing),
        &cm,
        json!({"doorgevoerd": true}),
    );
    let token = json!({"organisatieId": h.trekker, "rol": "lezer", "omschrijving": "waarheid"});
    t.id("POST", "/tokens", "/tokens", token.clone());
    let revoked = t.id("POST", "/tokens", "/tokens", token);
    t.call(
        "DELETE",
        "/tokens/{id}",
        &format!("/tokens/{revoked}"),
        None,
        None,
    );
    let hook = json!({"callbackUrl": "https://93.184.215.14/waarheid", "agenda": h.agenda});
    let abonnement = t.id("POST", "/abonnementen", "/abonnementen", hook.clone());
    let p = format!("/abonnementen/{abonnement}");
    t.change(
        "PATCH",
        "/abonnementen/{id}",
        &p,
        &p,
        json!({"omschrijving": "waarheid", "geheimVernieuwen": true}),
    );
    let gone = t.id("POST", "/abonnementen", "/abonnementen", hook);
    t.call(
        "DELETE",
        "/abonnementen/{id}",
        &format!("/abonnementen/{gone}"),
        None,
        None,
    );
    let import: Value =
        serde_json::from_str(include_str!("../../../src/demo/twenterand-2024.json")).unwrap();
    t.call(
        "POST",
        "/agenda-imports",
        "/agenda-imports",
        None,
        Some(import),
    );
}
