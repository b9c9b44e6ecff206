//! Given a nota shared by Almelo, Borne and Hengelo (Borne carries out its
//! part in 2024–2025), when acties are created or changed with gemeenten,
//! by a programmamanager of the whole agenda or one scoped to Borne.

use super::*;
use crate::domain::events::ActieGewijzigd;
use crate::domain::gemeente::Uitvoeringsperiode;

fn gedeeld() -> Fake {
    let mut f = twenterand();
    let a = f.agendas.get_mut(&AGENDA).unwrap();
    a.gemeenten = vec!["Almelo".into(), "Borne".into(), "Hengelo".into()];
    a.uitvoeringsperioden = vec![Uitvoeringsperiode {
        gemeente: "Borne".into(),
        start_datum: date(2024, 1, 1),
        eind_datum: date(2025, 12, 31),
    }];
    f
}

fn voor(gemeenten: &[&str], jaar: Option<i32>) -> NieuweActie {
    NieuweActie {
        jaar,
        gemeenten: gemeenten.iter().map(|g| g.to_string()).collect(),
        ..nieuw("Taalcafé")
    }
}

fn maak_als(beperkt_tot: Option<&str>, actie: NieuweActie) -> ActieCommand {
    ActieCommand::MaakAan {
        id: Uuid::from_u128(31),
        onder: Ouder::Opgave(OPGAVE),
        actie,
        beperkt_tot: beperkt_tot.map(str::to_owned),
    }
}

fn gemeenten_van(streams: &[crate::domain::StreamBesluit]) -> Vec<String> {
    match &streams[0].events[0] {
        Event::ActieAangemaakt(e) => e.gemeenten.clone(),
        other => panic!("expected ActieAangemaakt, got {other:?}"),
    }
}

#[test]
fn an_actie_names_gemeenten_of_its_agenda_in_the_agendas_spelling() {
    let streams = given(gedeeld())
        .when(|v| maak_als(None, voor(&["hengelo", " almelo"], None)).decide(v))
        .0
        .unwrap();
    assert_eq!(gemeenten_van(&streams), ["Hengelo", "Almelo"]);
    let e = given(gedeeld())
        .when(|v| maak_als(None, voor(&["Borne", "Enschede", "BORNE"], None)).decide(v))
        .then_refused(Foutcode::UnknownGemeente);
    assert_eq!(invalid_fields(e), ["gemeenten[1]", "gemeenten[2]"]);
}

#[test]
fn a_token_scoped_to_borne_creates_acties_for_borne_only() {
    let streams = given(gedeeld())
        .when(|v| maak_als(Some("Borne"), voor(&[], None)).decide(v))
        .0
        .unwrap();
    assert_eq!(gemeenten_van(&streams), ["Borne"]);
    let streams = given(gedeeld())
        .when(|v| maak_als(Some("Borne"), voor(&["borne"], None)).decide(v))
        .0
        .unwrap();
    assert_eq!(gemeenten_van(&streams), ["Borne"]);
    for other in [&["Almelo"][..], &["Borne", "Almelo"]] {
        let e = given(gedeeld())
            .when(|v| maak_als(Some("Borne"), voor(other, None)).decide(v))
            .then_refused(Foutcode::GemeenteScope);
        assert!(matches!(e, DomainError::Forbidden { .. }));
        assert!(e.to_string().contains("beperkt tot gemeente Borne"));
    }
}

#[test]
fn an_actie_of_borne_lies_in_bornes_uitvoeringsperiode() {
    let e = given(gedeeld())
        .when(|v| {
            let mut n = voor(&["Borne"], Some(2026));
            n.geplande_eind_datum = Some(date(2026, 6, 30));
            maak_als(None, n).decide(v)
        })
        .then_refused(Foutcode::OutsideUitvoeringsperiode);
    assert_eq!(invalid_fields(e.clone()), ["jaar", "geplandeEindDatum"]);
    assert!(format!("{e:?}").contains("uitvoeringsperiode van Borne (2024-01-01 t/m 2025-12-31)"));
    // Almelo has no uitvoeringsperiode of its own, the whole agenda neither
    for g in [&["Almelo"][..], &[]] {
        given(gedeeld())
            .when(|v| maak_als(None, voor(g, Some(2026))).decide(v))
            .0
            .unwrap();
    }
    // a token scoped to Borne gets Borne, and so its period
    given(gedeeld())
        .when(|v| maak_als(Some("Borne"), voor(&[], Some(2027))).decide(v))
        .then_refused(Foutcode::OutsideUitvoeringsperiode);
}

fn wijzig_als(beperkt_tot: Option<&str>, w: ActieWijziging) -> ActieCommand {
    ActieCommand::Wijzig {
        id: ACTIE,
        wijziging: w,
        beperkt_tot: beperkt_tot.map(str::to_owned),
    }
}

fn gemeenten(g: &[&str]) -> Option<Vec<String>> {
    Some(g.iter().map(|g| g.to_string()).collect())
}

#[test]
fn changing_the_gemeenten_is_recorded_and_checked_against_the_new_ones() {
    given(gedeeld())
        .when(|v| {
            wijzig_als(
                None,
                ActieWijziging {
                    gemeenten: gemeenten(&["almelo", "Borne"]),
                    ..Default::default()
                },
            )
            .decide(v)
        })
        .then(vec![Event::ActieGewijzigd(ActieGewijzigd {
            gemeenten: gemeenten(&["Almelo", "Borne"]),
            ..Default::default()
        })]);
    // the same gemeenten again: nothing to record
    let mut f = gedeeld();
    f.acties.get_mut(&ACTIE).unwrap().0.gemeenten = vec!["Borne".into()];
    given(f)
        .when(|v| {
            wijzig_als(
                Some("Borne"),
                ActieWijziging {
                    gemeenten: gemeenten(&["BORNE"]),
                    ..Default::default()
                },
            )
            .decide(v)
        })
        .then(vec![]);
    // moving an actie of 2026 to Borne puts it outside Borne's period
    let mut f = gedeeld();
    f.acties.get_mut(&ACTIE).unwrap().0.jaar = 2026;
    let e = given(f)
        .when(|v| {
            wijzig_als(
                None,
                ActieWijziging {
                    gemeenten: gemeenten(&["Borne"]),
                    ..Default::default()
                },
            )
            .decide(v)
        })
        .then_refused(Foutcode::OutsideUitvoeringsperiode);
    assert_eq!(invalid_fields(e), ["jaar"]);
}

#[test]
fn a_token_scoped_to_borne_cannot_give_an_actie_to_another_gemeente() {
    let mut f = gedeeld();
    f.acties.get_mut(&ACTIE).unwrap().0.gemeenten = vec!["Borne".into()];
    for g in [&["Almelo"][..], &[]] {
        given(gedeeld())
            .when(|v| {
                wijzig_als(
                    Some("Borne"),
                    ActieWijziging {
                        gemeenten: gemeenten(g),
                        ..Default::default()
                    },
                )
                .decide(v)
            })
            .then_refused(Foutcode::GemeenteScope);
    }
    // its other fields it changes as any programmamanager
    given(f)
        .when(|v| {
            wijzig_als(
                Some("Borne"),
                ActieWijziging {
                    jaar: Some(2025),
                    ..Default::default()
                },
            )
            .decide(v)
        })
        .then(vec![Event::ActieGewijzigd(ActieGewijzigd {
            jaar: Some(2025),
            ..Default::default()
        })]);
}
