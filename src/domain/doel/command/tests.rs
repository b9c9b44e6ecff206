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

/// Two opgaven without codes (10, 11), each with doelen numbered locally:
/// doel 1 (20) and doel 2 (22) under 10, doel 1 (30) under 11; doel 20 has
/// two results without a code (21, 23).
fn lokaal() -> Structuur {
    Structuur::met_agenda()
        .opgave_in(10, None, None)
        .opgave_in(11, None, None)
        .doel(20, 10, None, Some("1"))
        .doel(21, 10, Some(20), None)
        .doel(22, 10, None, Some("2"))
        .doel(23, 10, Some(20), None)
        .doel(30, 11, None, Some("1"))
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

fn wijzig(doel: u128) -> DoelCommand {
    DoelCommand::Wijzig {
        id: id(doel),
        code: None,
        titel: None,
        omschrijving: None,
        geprioriteerd: None,
        opgave_id: None,
        vervalt: false,
        reden: None,
    }
}

fn verplaats(doel: u128, opgave: u128, c: Option<&str>) -> DoelCommand {
    let mut w = wijzig(doel);
    if let DoelCommand::Wijzig {
        code: to,
        opgave_id,
        ..
    } = &mut w
    {
        *to = c.map(|c| Some(code(c)));
        *opgave_id = Some(id(opgave));
    }
    w
}

fn hernummer(doel: u128, c: Option<&str>) -> DoelCommand {
    let mut w = wijzig(doel);
    if let DoelCommand::Wijzig { code: to, .. } = &mut w {
        *to = Some(c.map(code));
    }
    w
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
fn a_code_is_unique_among_the_doelen_of_its_opgave_only_and_nothing_goes_under_a_dropped_opgave() {
    given(view())
        .when(|v| maak(10, None, Some("1.1.1")).decide(v))
        .then_refused(Foutcode::DuplicateCode);
    // No longer tied to the opgave's code, nor unique across the agenda.
    given(view())
        .when(|v| maak(10, None, Some("1.2.1")).decide(v))
        .then_count(1);
    given(view())
        .when(|v| maak(11, None, Some("1.1.1")).decide(v))
        .then_count(1);
    let mut dropped = view();
    dropped.opgaven[0].1.vervallen = Some("opgegaan in 1.2".into());
    let e = given(dropped)
        .when(|v| maak(10, None, Some("1.1.2")).decide(v))
        .then_refused(Foutcode::OpgaveVervallen);
    assert!(e.to_string().contains("opgegaan in 1.2"), "{e}");
}

#[test]
fn every_opgave_may_have_a_doel_1_and_codes_compare_without_case() {
    // Opgave 11 has doel 1 too; under 10, doel 1 is taken.
    let e = given(lokaal())
        .when(|v| maak(10, None, Some("1")).decide(v))
        .then_refused(Foutcode::DuplicateCode);
    assert!(e.to_string().contains("dezelfde opgave"), "{e}");
    given(lokaal())
        .when(|v| maak(11, None, Some("2")).decide(v))
        .then_count(1);
    // A sub-doel's code is unique under its parent doel, not among the top.
    given(lokaal())
        .when(|v| maak(10, Some(20), Some("1")).decide(v))
        .then_count(1);
    let a = lokaal().doel(24, 10, None, Some("A"));
    given(a)
        .when(|v| maak(10, None, Some("a")).decide(v))
        .then_refused(Foutcode::DuplicateCode);
}

#[test]
fn moving_a_doel_takes_its_sub_doelen_along_and_their_codes_follow() {
    let expected = vec![
        Event::DoelVerplaatst(DoelVerplaatst {
            vorige_opgave_id: id(10),
            nieuwe_opgave_id: id(11),
        }),
        Event::DoelHernummerd(Hernummerd {
            vorige_code: Some(code("1.1.1")),
            nieuwe_code: Some(code("1.2.1")),
        }),
        Event::DoelVerplaatst(DoelVerplaatst {
            vorige_opgave_id: id(10),
            nieuwe_opgave_id: id(11),
        }),
        Event::DoelHernummerd(Hernummerd {
            vorige_code: Some(code("1.1.1.1")),
            nieuwe_code: Some(code("1.2.1.1")),
        }),
    ];
    let streams = given(view())
        .when(|v| verplaats(20, 11, Some("1.2.1")).decide(v))
        .then(expected.clone());
    assert_eq!(
        streams.iter().map(|s| s.stream_id).collect::<Vec<_>>(),
        [id(20), id(21)]
    );
    // Without a new code, a code written out under the opgave's follows.
    given(view())
        .when(|v| verplaats(20, 11, None).decide(v))
        .then(expected);
}

#[test]
fn a_move_needs_a_free_code_there_an_opgave_of_the_agenda_and_not_a_sub_doel() {
    given(view().doel(25, 11, None, Some("1.2.1")))
        .when(|v| verplaats(20, 11, None).decide(v))
        .then_refused(Foutcode::DuplicateCode);
    // A local doel 1 cannot join opgave 11's doel 1; as doel 3 it can.
    given(lokaal())
        .when(|v| verplaats(20, 11, None).decide(v))
        .then_refused(Foutcode::DuplicateCode);
    given(lokaal())
        .when(|v| verplaats(20, 11, Some("3")).decide(v))
        .then_count(4);
    given(view())
        .when(|v| verplaats(20, 99, None).decide(v))
        .then_refused(Foutcode::UnknownOpgave);
    given(view())
        .when(|v| verplaats(21, 11, Some("1.2.9")).decide(v))
        .then_refused(Foutcode::Subdoel);
}

#[test]
fn a_renumber_may_remove_the_code_and_the_codes_below_stay() {
    given(view())
        .when(|v| hernummer(20, None).decide(v))
        .then(vec![Event::DoelHernummerd(Hernummerd {
            vorige_code: Some(code("1.1.1")),
            nieuwe_code: None,
        })]);
    // Renumbering to a code a sibling holds in another case is refused.
    given(lokaal())
        .when(|v| hernummer(22, Some("1")).decide(v))
        .then_refused(Foutcode::DuplicateCode);
    // Removing a code that is not there changes nothing.
    given(lokaal())
        .when(|v| hernummer(21, None).decide(v))
        .then(vec![]);
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
