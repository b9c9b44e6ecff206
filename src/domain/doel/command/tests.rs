use super::*;
use crate::domain::events::{DoelVerplaatst, Event, Hernummerd};
use crate::domain::structuur::fake::{code, id, Structuur};
use crate::domain::testing::given;
use crate::domain::Foutcode;

/// Opgaven 1.1 (10) and 1.2 (11); doel 1.1.1 (20) with sub-doel 1.1.1.1 (21).
fn view() -> Structuur {
    Structuur::met_agenda()
        .opgave(10, "1.1")
        .opgave(11, "1.2")
        .doel(20, 10, None, Some("1.1.1"))
        .doel(21, 10, Some(20), Some("1.1.1.1"))
}

fn maak(opgave: u128, parent: Option<u128>, c: Option<&str>) -> DoelCommand {
    DoelCommand::Maak {
        id: id(60),
        opgave_id: id(opgave),
        bovenliggend_doel_id: parent.map(id),
        code: c.map(code),
        titel: "Schulden voorkomen".into(),
        omschrijving: String::new(),
        geprioriteerd: true,
    }
}

fn verplaats(doel: u128, opgave: u128, c: Option<&str>) -> DoelCommand {
    DoelCommand::Wijzig {
        id: id(doel),
        code: c.map(code),
        titel: None,
        omschrijving: None,
        geprioriteerd: None,
        opgave_id: Some(id(opgave)),
        vervalt: false,
        reden: None,
    }
}

#[test]
fn a_sub_doel_is_one_level_deep_and_under_a_doel_of_the_same_opgave() {
    given(view())
        .when(|v| maak(10, Some(21), None).decide(v))
        .then_refused(Foutcode::NestedSubdoel);
    given(view())
        .when(|v| maak(11, Some(20), None).decide(v))
        .then_refused(Foutcode::UnknownDoel);
    given(view())
        .when(|v| maak(10, Some(20), None).decide(v))
        .then(vec![Event::DoelAangemaakt(DoelAangemaakt {
            agenda_id: id(crate::domain::structuur::fake::AGENDA),
            opgave_id: id(10),
            bovenliggend_doel_id: Some(id(20)),
            code: None,
            titel: "Schulden voorkomen".into(),
            omschrijving: String::new(),
            geprioriteerd: true,
        })]);
}

#[test]
fn a_code_lies_under_the_opgave_and_is_free_and_nothing_goes_under_a_dropped_opgave() {
    given(view())
        .when(|v| maak(10, None, Some("1.2.1")).decide(v))
        .then_refused(Foutcode::CodeOutsideParent);
    given(view())
        .when(|v| maak(10, None, Some("1.1.1")).decide(v))
        .then_refused(Foutcode::DuplicateCode);
    let mut dropped = view();
    dropped.opgaven[0].1.vervallen = Some("opgegaan in 1.2".into());
    let e = given(dropped)
        .when(|v| maak(10, None, Some("1.1.2")).decide(v))
        .then_refused(Foutcode::OpgaveVervallen);
    assert!(e.to_string().contains("opgegaan in 1.2"), "{e}");
}

#[test]
fn moving_a_doel_takes_its_sub_doelen_along_and_their_codes_follow() {
    let streams = given(view())
        .when(|v| verplaats(20, 11, Some("1.2.1")).decide(v))
        .then(vec![
            Event::DoelVerplaatst(DoelVerplaatst {
                vorige_opgave_id: id(10),
                nieuwe_opgave_id: id(11),
            }),
            Event::DoelHernummerd(Hernummerd {
                vorige_code: Some(code("1.1.1")),
                nieuwe_code: code("1.2.1"),
            }),
            Event::DoelVerplaatst(DoelVerplaatst {
                vorige_opgave_id: id(10),
                nieuwe_opgave_id: id(11),
            }),
            Event::DoelHernummerd(Hernummerd {
                vorige_code: Some(code("1.1.1.1")),
                nieuwe_code: code("1.2.1.1"),
            }),
        ]);
    assert_eq!(
        streams.iter().map(|s| s.stream_id).collect::<Vec<_>>(),
        [id(20), id(21)]
    );
}

#[test]
fn a_move_needs_a_fitting_code_an_opgave_of_the_agenda_and_not_a_sub_doel() {
    given(view())
        .when(|v| verplaats(20, 11, None).decide(v))
        .then_refused(Foutcode::CodeOutsideParent);
    given(view())
        .when(|v| verplaats(20, 99, None).decide(v))
        .then_refused(Foutcode::UnknownOpgave);
    given(view())
        .when(|v| verplaats(21, 11, Some("1.2.9")).decide(v))
        .then_refused(Foutcode::Subdoel);
}

#[test]
fn dropping_a_doel_asks_a_reason() {
    let mut c = verplaats(20, 10, None);
    if let DoelCommand::Wijzig { vervalt, .. } = &mut c {
        *vervalt = true;
    }
    given(view())
        .when(|v| c.decide(v))
        .then_refused(Foutcode::Required);
}
