//! Reading a shared nota for one gemeente: `?gemeente=` on every view, and
//! with time travel.

use serde_json::json;

use super::{get, nota, omschrijvingen, patch, text};
use crate::support::spawn;

#[test]
fn the_views_for_borne_show_bornes_and_the_agenda_wide_acties_not_almelos() {
    let app = spawn();
    let n = nota(&app);
    let (a, pm) = (&n.agenda, &n.pm);
    let expected = ["Regionale campagne", "Taalcafé Borne"];
    let list = get(&app, &format!("/agendas/{a}/acties?gemeente=BORNE"), pm);
    assert_eq!(omschrijvingen(&list.body["resultaten"]), expected);

    let o = get(&app, &format!("/agendas/{a}/overzicht?gemeente=Borne"), pm).body;
    assert_eq!(o["gemeente"], "Borne");
    assert_eq!(o["totalen"]["acties"], 2, "{o}");
    let heel = get(&app, &format!("/agendas/{a}/overzicht"), pm).body;
    assert_eq!(heel["totalen"]["acties"], 3);
    assert!(heel.get("gemeente").is_none());

    let pdca = get(
        &app,
        &format!("/opgaven/{}/pdca?gemeente=borne", n.opgave),
        pm,
    )
    .body;
    assert_eq!(pdca["gemeente"], "Borne");
    assert_eq!(pdca["aantalActies"], 2, "{pdca}");
    let zonder: Vec<&str> = pdca["actiesZonderTrekker"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["omschrijving"].as_str().unwrap())
        .collect();
    assert!(!zonder.iter().any(|o| o.contains("Almelo")), "{pdca}");

    let v = get(
        &app,
        &format!("/agendas/{a}/voortgang?sindsPositie=0&gemeente=Borne"),
        pm,
    )
    .body;
    assert_eq!(v["gemeente"], "Borne");
    let toegevoegd = &v["opgaven"][0]["actiesToegevoegd"];
    assert_eq!(omschrijvingen(toegevoegd), expected, "{v}");
    let md = text(
        &app,
        &format!("/agendas/{a}/voortgang?sindsPositie=0&gemeente=Borne&formaat=markdown"),
        pm,
    );
    assert!(
        md.starts_with("# Voortgang Gedeelde nota Twentse Drie (verzonnen) voor Borne"),
        "{md}"
    );
    assert!(
        md.contains("Taalcafé Borne") && md.contains("Regionale campagne"),
        "{md}"
    );
    assert!(!md.contains("Schuldhulp Almelo"), "{md}");
    let html = text(
        &app,
        &format!("/agendas/{a}/voortgang?sindsPositie=0&gemeente=Borne&formaat=html"),
        pm,
    );
    assert!(html.contains("Taalcafé Borne") && !html.contains("Schuldhulp Almelo"));
    let atom = text(
        &app,
        &format!("/agendas/{a}/voortgang.atom?gemeente=Borne"),
        pm,
    );
    assert!(
        atom.contains("<title>Voortgang Gedeelde nota Twentse Drie (verzonnen) voor Borne</title>"),
        "{atom}"
    );
    assert!(atom.contains("voortgang.atom?gemeente=Borne"), "{atom}");
    assert!(
        atom.contains("Taalcafé Borne") && !atom.contains("Schuldhulp Almelo"),
        "{atom}"
    );
    let alles = text(&app, &format!("/agendas/{a}/voortgang.atom"), pm);
    assert!(alles.contains("Schuldhulp Almelo"));

    let w = get(
        &app,
        &format!("/agendas/{a}/wijzigingen?gemeente=Borne"),
        pm,
    )
    .body;
    assert_eq!(omschrijvingen(&w["actiesToegevoegd"]), expected, "{w}");

    let csv = text(
        &app,
        &format!("/agendas/{a}/export?formaat=csv&gemeente=Borne"),
        pm,
    );
    assert!(csv.contains("Taalcafé Borne") && csv.contains("Regionale campagne"));
    assert!(!csv.contains("Schuldhulp Almelo"), "{csv}");
    let file = get(
        &app,
        &format!("/agendas/{a}/export?formaat=json&gemeente=Borne"),
        pm,
    )
    .body;
    let exported = &file["agenda"]["opgaven"][0]["acties"];
    assert_eq!(omschrijvingen(exported), expected);

    // an unknown gemeente: 400 naming the parameter and the choices
    for path in [
        format!("/agendas/{a}/acties?gemeente=Enschede"),
        format!("/agendas/{a}/overzicht?gemeente=Enschede"),
        format!("/opgaven/{}/pdca?gemeente=Enschede", n.opgave),
        format!("/agendas/{a}/voortgang?sindsPositie=0&gemeente=Enschede"),
        format!("/agendas/{a}/voortgang.atom?gemeente=Enschede"),
        format!("/agendas/{a}/wijzigingen?gemeente=Enschede"),
        format!("/agendas/{a}/export?gemeente=Enschede"),
    ] {
        let r = get(&app, &path, pm);
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert_eq!(
            r.body["invalidParams"][0]["name"], "query.gemeente",
            "{path}"
        );
        assert_eq!(r.body["invalidParams"][0]["code"], "unknown-gemeente");
        let reason = r.body["invalidParams"][0]["reason"].as_str().unwrap();
        assert!(
            reason.contains("kies uit Almelo, Borne, Hengelo"),
            "{reason}"
        );
    }
}

#[test]
fn time_travel_shows_an_actie_for_borne_before_its_gemeenten_changed() {
    let app = spawn();
    let n = nota(&app);
    let before = app.head();
    let path = format!("/acties/{}", n.hele_agenda_actie);
    let r = patch(&app, &path, &n.pm, json!({"gemeenten": ["Hengelo"]}));
    assert_eq!(r.body["gemeenten"], json!(["Hengelo"]), "{}", r.body);
    let now = get(
        &app,
        &format!("/agendas/{}/acties?gemeente=Borne", n.agenda),
        &n.pm,
    );
    assert_eq!(omschrijvingen(&now.body["resultaten"]), ["Taalcafé Borne"]);
    let then = get(
        &app,
        &format!(
            "/agendas/{}/acties?gemeente=Borne&positie={before}",
            n.agenda
        ),
        &n.pm,
    );
    assert_eq!(
        omschrijvingen(&then.body["resultaten"]),
        ["Regionale campagne", "Taalcafé Borne"]
    );
    let then = get(&app, &format!("{path}?positie={before}"), &n.pm).body;
    assert_eq!(then["gemeenten"], json!([]), "{then}");
    let o = get(
        &app,
        &format!(
            "/agendas/{}/overzicht?gemeente=Borne&positie={before}",
            n.agenda
        ),
        &n.pm,
    )
    .body;
    assert_eq!(o["totalen"]["acties"], 2, "{o}");
}
