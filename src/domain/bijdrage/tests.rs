//! Given/when/then for contributions of opgaven and doelen to groeperingen.

use super::*;
use crate::domain::structuur::fake::{id, Structuur, AGENDA};
use crate::domain::testing::given;

/// Agenda with effecten A (30), B (31), C (32); opgave 10 under A with
/// doel 20; groepering 90 of another agenda.
fn drie_effecten() -> Structuur {
    let mut s = Structuur::met_agenda()
        .groepering(30, 0, None)
        .groepering(31, 0, None)
        .groepering(32, 0, None)
        .groepering(90, 0, None)
        .opgave(10, "1")
        .doel(20, 10, None, None);
    s.groeperingen[3].1.agenda_id = id(AGENDA + 1000);
    s.opgaven[0].1.groepering_id = Some(id(30));
    s
}

fn voeg(bijdrager: Bijdrager, g: u128) -> BijdrageCommand {
    BijdrageCommand::Voeg {
        bijdrager,
        groepering_id: id(g),
    }
}

fn verwijder(bijdrager: Bijdrager, g: u128) -> BijdrageCommand {
    BijdrageCommand::Verwijder {
        bijdrager,
        groepering_id: id(g),
    }
}

#[test]
fn an_opgave_contributes_to_another_effect_on_its_own_stream() {
    let streams = given(drie_effecten())
        .when(|v| voeg(Bijdrager::Opgave(id(10)), 31).decide(v))
        .then(vec![Event::OpgaveBijdrageToegevoegd(BijdrageToegevoegd {
            groepering_id: id(31),
        })]);
    assert_eq!(streams[0].stream_id, id(10));
    assert_eq!(streams[0].versie, crate::domain::Versie::Exact(1));
}

#[test]
fn a_doel_contributes_to_an_effect_other_than_its_opgaves() {
    given(drie_effecten())
        .when(|v| voeg(Bijdrager::Doel(id(20)), 32).decide(v))
        .then(vec![Event::DoelBijdrageToegevoegd(BijdrageToegevoegd {
            groepering_id: id(32),
        })]);
}

#[test]
fn the_primary_groepering_is_refused_for_the_opgave_and_for_its_doelen() {
    given(drie_effecten())
        .when(|v| voeg(Bijdrager::Opgave(id(10)), 30).decide(v))
        .then_refused(Foutcode::PrimaryGroepering);
    given(drie_effecten())
        .when(|v| voeg(Bijdrager::Doel(id(20)), 30).decide(v))
        .then_refused(Foutcode::PrimaryGroepering);
}

#[test]
fn a_groepering_of_another_agenda_or_none_at_all_names_the_field() {
    for g in [90, 99] {
        let e = given(drie_effecten())
            .when(|v| voeg(Bijdrager::Opgave(id(10)), g).decide(v))
            .then_refused(Foutcode::UnknownGroepering);
        match e {
            DomainError::Invalid(f) => assert_eq!(f[0].field, "groeperingId"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_contribution_listed_already_is_a_conflict() {
    let mut view = drie_effecten();
    view.opgaven[0].1.bijdragen = vec![id(31)];
    view.doelen[0].1.bijdragen = vec![id(32)];
    given(view)
        .when(|v| voeg(Bijdrager::Opgave(id(10)), 31).decide(v))
        .then_refused(Foutcode::DuplicateBijdrage);
    let mut view = drie_effecten();
    view.doelen[0].1.bijdragen = vec![id(32)];
    given(view)
        .when(|v| voeg(Bijdrager::Doel(id(20)), 32).decide(v))
        .then_refused(Foutcode::DuplicateBijdrage);
}

#[test]
fn removing_a_listed_contribution_and_an_unlisted_one_is_not_found() {
    let mut view = drie_effecten();
    view.opgaven[0].1.bijdragen = vec![id(31), id(32)];
    given(view)
        .when(|v| verwijder(Bijdrager::Opgave(id(10)), 32).decide(v))
        .then(vec![Event::OpgaveBijdrageVerwijderd(BijdrageVerwijderd {
            groepering_id: id(32),
        })]);
    given(drie_effecten())
        .when(|v| verwijder(Bijdrager::Doel(id(20)), 32).decide(v))
        .then_refused(Foutcode::NotFound);
}

#[test]
fn unknown_items_are_not_found_and_vervallen_ones_do_not_change() {
    given(drie_effecten())
        .when(|v| voeg(Bijdrager::Opgave(id(11)), 31).decide(v))
        .then_refused(Foutcode::NotFound);
    given(drie_effecten())
        .when(|v| voeg(Bijdrager::Doel(id(21)), 31).decide(v))
        .then_refused(Foutcode::NotFound);
    let mut view = drie_effecten();
    view.opgaven[0].1.vervallen = Some("samengevoegd".into());
    view.doelen[0].1.vervallen = Some("bereikt".into());
    let view = std::rc::Rc::new(view);
    given(view.clone())
        .when(|v| voeg(Bijdrager::Opgave(id(10)), 31).decide(&**v))
        .then_refused(Foutcode::OpgaveVervallen);
    given(view)
        .when(|v| voeg(Bijdrager::Doel(id(20)), 31).decide(&**v))
        .then_refused(Foutcode::DoelVervallen);
}

#[test]
fn moving_an_opgave_into_a_groepering_ends_its_and_its_doelens_contribution_to_it() {
    let mut view = drie_effecten().doel(21, 10, Some(20), None);
    view.opgaven[0].1.bijdragen = vec![id(31), id(32)];
    view.doelen[0].1.bijdragen = vec![id(31)];
    view.doelen[1].1.bijdragen = vec![id(31), id(32)];
    let verplaats = crate::domain::opgave::OpgaveCommand::Wijzig {
        id: id(10),
        code: None,
        titel: None,
        omschrijving: None,
        geprioriteerd: None,
        groepering_id: Some(Some(id(31))),
        vervalt: false,
        reden: None,
    };
    let streams = given(view).when(|v| verplaats.decide(v)).then(vec![
        Event::OpgaveGewijzigd(crate::domain::events::OpgaveGewijzigd {
            groepering_id: Some(Some(id(31))),
            ..Default::default()
        }),
        Event::OpgaveBijdrageVerwijderd(BijdrageVerwijderd {
            groepering_id: id(31),
        }),
        Event::DoelBijdrageVerwijderd(BijdrageVerwijderd {
            groepering_id: id(31),
        }),
        Event::DoelBijdrageVerwijderd(BijdrageVerwijderd {
            groepering_id: id(31),
        }),
    ]);
    assert_eq!(
        streams.iter().map(|s| s.stream_id).collect::<Vec<_>>(),
        [id(10), id(20), id(21)]
    );
}

#[test]
fn moving_a_doel_to_an_opgave_of_a_groepering_it_contributes_to_ends_that_contribution() {
    let mut view = drie_effecten().opgave(11, "2").doel(22, 10, Some(20), None);
    view.opgaven[1].1.groepering_id = Some(id(31));
    view.doelen[0].1.bijdragen = vec![id(31), id(32)];
    view.doelen[1].1.bijdragen = vec![id(31)];
    let verplaats = crate::domain::doel::DoelCommand::Wijzig {
        id: id(20),
        code: None,
        titel: None,
        omschrijving: None,
        geprioriteerd: None,
        opgave_id: Some(id(11)),
        vervalt: false,
        reden: None,
    };
    let streams = given(view).when(|v| verplaats.decide(v)).then(vec![
        Event::DoelVerplaatst(crate::domain::events::DoelVerplaatst {
            vorige_opgave_id: id(10),
            nieuwe_opgave_id: id(11),
        }),
        Event::DoelBijdrageVerwijderd(BijdrageVerwijderd {
            groepering_id: id(31),
        }),
        Event::DoelVerplaatst(crate::domain::events::DoelVerplaatst {
            vorige_opgave_id: id(10),
            nieuwe_opgave_id: id(11),
        }),
        Event::DoelBijdrageVerwijderd(BijdrageVerwijderd {
            groepering_id: id(31),
        }),
    ]);
    assert_eq!(
        streams.iter().map(|s| s.stream_id).collect::<Vec<_>>(),
        [id(20), id(22)]
    );
}
