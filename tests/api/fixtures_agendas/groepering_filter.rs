//! `GET /agendas/{id}/opgaven?groepering=` on the made-up shared nota,
//! whose effecten receive contributions: an effect's list holds the
//! opgaven placed under it and, after them, those that contribute to it,
//! each marked as `/groeperingen/{id}/opgaven` marks it.

use serde_json::Value;

use super::*;
use crate::bijdragen::{pairs, titels};

/// (titel, soort) of each opgave of a list page.
fn soorten(list: &Value) -> Vec<(String, String)> {
    titels(&list["resultaten"])
}

#[test]
fn the_opgaven_of_an_effect_include_those_contributing_to_it_marked_as_such() {
    let app = crate::support::spawn();
    let l = load(&app, GEDEELD, "Gemeente Beekdal");
    let (a, pm) = (l.agenda.as_str(), l.pm.as_str());
    let effecten = read(&app, pm, &format!("/agendas/{a}/groeperingen"));
    let effect = |code: &str| {
        effecten["resultaten"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["code"] == code)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (b, c) = (effect("B"), effect("C"));
    let lijst = read(&app, pm, &format!("/agendas/{a}/opgaven?groepering={b}"));
    assert_eq!(
        soorten(&lijst),
        pairs(&[
            ("Iedereen kan rondkomen en meedoen", "primair"),
            ("Gezond en veilig opgroeien", "bijdrage"),
        ])
    );
    assert_eq!(lijst["totaal"], 2);
    // The contributing opgave shows its own place and the contribution.
    let gezond = &lijst["resultaten"][1];
    assert_eq!(gezond["groeperingNaam"], "Inwoners leven gezonder");
    assert!(
        gezond["bijdragen"]
            .to_string()
            .contains("Meer inwoners doen mee"),
        "{gezond}"
    );
    // The same opgaven, in the same order and marked the same way, as the
    // groepering's own list.
    for g in [&b, &c] {
        let hier = read(&app, pm, &format!("/agendas/{a}/opgaven?groepering={g}"));
        let daar = read(&app, pm, &format!("/groeperingen/{g}/opgaven"));
        assert_eq!(soorten(&hier), soorten(&daar), "groepering {g}");
    }
    assert_eq!(
        soorten(&read(
            &app,
            pm,
            &format!("/agendas/{a}/opgaven?groepering={c}")
        )),
        pairs(&[
            ("Veilig thuis", "primair"),
            ("Gezond en veilig opgroeien", "bijdrage"),
        ])
    );
    // Without the filter: every opgave once, no soort.
    let alle = read(&app, pm, &format!("/agendas/{a}/opgaven"));
    assert_eq!(alle["totaal"], 3);
    assert!(alle["resultaten"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o.get("soort").is_none()));
}
