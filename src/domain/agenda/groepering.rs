//! What may be asked of a groepering (a themalijn, maatschappelijk effect,
//! ...): add it to an agenda at one of its levels, under a groepering of
//! the level above; change its name or description; renumber it (the
//! codes written out below it follow, [`cascade::groepering_hernummerd`]).

use uuid::Uuid;

use super::update_groepering;
use crate::domain::events::{Event, GroeperingAangemaakt, GroeperingGewijzigd, Hernummerd};
use crate::domain::structuur::{cascade, code_vrij, fout, geen_fouten, Plek, StructuurView};
use crate::domain::Foutcode;
use crate::domain::{Besluit, Code, DomainError, StreamBesluit};

#[derive(Debug, Clone, PartialEq)]
pub enum GroeperingCommand {
    Maak {
        id: Uuid,
        agenda_id: Uuid,
        /// Index into the agenda's groeperingsniveaus (0 = outermost).
        niveau: usize,
        bovenliggende_groepering_id: Option<Uuid>,
        code: Option<Code>,
        naam: String,
        omschrijving: String,
    },
    /// Only the fields given change; `code: Some(None)` removes the code,
    /// `Some(Some(c))` renumbers (the codes written out below follow).
    Wijzig {
        id: Uuid,
        code: Option<Option<Code>>,
        naam: Option<String>,
        omschrijving: Option<String>,
    },
}

impl GroeperingCommand {
    /// Decides the command against `view`.
    pub fn decide(self, view: &impl StructuurView) -> Besluit {
        match self {
            Self::Maak {
                id,
                agenda_id,
                niveau,
                bovenliggende_groepering_id: parent,
                code,
                naam,
                omschrijving,
            } => {
                let (agenda, _) = view
                    .agenda(agenda_id)
                    .ok_or(DomainError::not_found("agenda", agenda_id))?;
                let mut errors = Vec::new();
                if naam.trim().is_empty() {
                    errors.push(fout("naam", Foutcode::Required, "Naam is verplicht."));
                }
                let levels = agenda.groeperingsniveaus.len();
                if niveau >= levels {
                    errors.push(fout("niveau", Foutcode::UnknownLevel, format!("De agenda heeft {levels} groeperingsniveau(s); voeg eerst een niveau toe of kies een lager niveau.")));
                }
                // The hierarchy: level 0 has no parent; level n hangs under
                // a groepering of level n-1 in the same agenda.
                match (niveau, parent.and_then(|p| view.groepering(p))) {
                    (0, None) if parent.is_none() => {}
                    (n, Some((p, _))) if p.agenda_id == agenda_id && p.niveau + 1 == n => {}
                    _ => errors.push(fout("bovenliggendeGroeperingId", Foutcode::InvalidParent, "Een groepering op niveau 0 heeft geen bovenliggende; op niveau n hoort een bovenliggende groepering van niveau n-1 in dezelfde agenda.")),
                }
                geen_fouten(errors)?;
                let plek = Plek::Groepering {
                    agenda_id,
                    bovenliggende: parent,
                };
                code_vrij(view, plek, code.as_ref(), None)?;
                let event = GroeperingAangemaakt {
                    agenda_id,
                    niveau,
                    bovenliggende_groepering_id: parent,
                    code,
                    naam,
                    omschrijving,
                };
                Ok(vec![StreamBesluit::nieuw(
                    id,
                    vec![Event::GroeperingAangemaakt(event)],
                )])
            }
            Self::Wijzig {
                id,
                code,
                naam,
                omschrijving,
            } => {
                let (g, version) = view
                    .groepering(id)
                    .ok_or(DomainError::not_found("groepering", id))?;
                let mut events = update_groepering(g, GroeperingGewijzigd { naam, omschrijving })?;
                let Some(code) = code.filter(|c| *c != g.code) else {
                    return Ok(vec![StreamBesluit::bij(id, version, events)]);
                };
                let plek = Plek::Groepering {
                    agenda_id: g.agenda_id,
                    bovenliggende: g.bovenliggende_groepering_id,
                };
                code_vrij(view, plek, code.as_ref(), Some(id))?;
                events.push(Event::GroeperingHernummerd(Hernummerd {
                    vorige_code: g.code.clone(),
                    nieuwe_code: code.clone(),
                }));
                let mut streams = vec![StreamBesluit::bij(id, version, events)];
                // The codes written out under the old code follow, in the
                // same append.
                if let (Some(from), Some(to)) = (g.code.as_ref(), code.as_ref()) {
                    streams.extend(cascade::groepering_hernummerd(view, id, from, to)?);
                }
                Ok(streams)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agenda::Niveau;
    use crate::domain::structuur::fake::{code, id, Structuur, AGENDA};
    use crate::domain::testing::given;

    fn maak(niveau: usize, parent: Option<u128>, c: Option<&str>) -> GroeperingCommand {
        GroeperingCommand::Maak {
            id: id(40),
            agenda_id: id(AGENDA),
            niveau,
            bovenliggende_groepering_id: parent.map(id),
            code: c.map(code),
            naam: "Iedereen doet mee".into(),
            omschrijving: String::new(),
        }
    }

    /// Two levels (effect, themalijn) and effect 30 (code 1) on level 0.
    fn twee_niveaus() -> Structuur {
        let mut v = Structuur::met_agenda().groepering(30, 0, Some("1"));
        v.agendas[0].1.groeperingsniveaus.push(Niveau {
            enkelvoud: "themalijn".into(),
            meervoud: "themalijnen".into(),
        });
        v
    }

    #[test]
    fn a_level_the_agenda_lacks_and_a_parent_off_the_level_above_are_both_named() {
        let e = given(Structuur::met_agenda())
            .when(|v| maak(1, None, None).decide(v))
            .then_refused(Foutcode::UnknownLevel);
        let DomainError::Invalid(fields) = e else {
            panic!("{e:?}")
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["niveau", "bovenliggendeGroeperingId"]);
        given(twee_niveaus())
            .when(|v| maak(0, Some(30), None).decide(v))
            .then_refused(Foutcode::InvalidParent);
    }

    #[test]
    fn a_groepering_hangs_under_one_of_the_level_above_with_a_code_free_among_its_siblings() {
        // Effect 1 may have a themalijn 1: not its sibling.
        given(twee_niveaus())
            .when(|v| maak(1, Some(30), Some("1")).decide(v))
            .then_count(1);
        given(twee_niveaus())
            .when(|v| maak(0, None, Some("1")).decide(v))
            .then_refused(Foutcode::DuplicateCode);
        given(twee_niveaus().groepering_onder(31, 1, Some(30), Some("a")))
            .when(|v| maak(1, Some(30), Some("A")).decide(v))
            .then_refused(Foutcode::DuplicateCode);
        given(twee_niveaus())
            .when(|v| maak(1, Some(30), Some("1.1")).decide(v))
            .then(vec![Event::GroeperingAangemaakt(GroeperingAangemaakt {
                agenda_id: id(AGENDA),
                niveau: 1,
                bovenliggende_groepering_id: Some(id(30)),
                code: Some(code("1.1")),
                naam: "Iedereen doet mee".into(),
                omschrijving: String::new(),
            })]);
    }

    #[test]
    fn renaming_an_unknown_groepering_is_not_found_and_the_same_name_changes_nothing() {
        let wijzig = |n, naam: &str| GroeperingCommand::Wijzig {
            id: id(n),
            code: None,
            naam: Some(naam.into()),
            omschrijving: None,
        };
        given(twee_niveaus())
            .when(|v| wijzig(99, "x").decide(v))
            .then_refused(Foutcode::NotFound);
        given(twee_niveaus())
            .when(|v| wijzig(30, "Groepering 30").decide(v))
            .then(vec![]);
    }

    fn hernummer(n: u128, c: Option<&str>) -> GroeperingCommand {
        GroeperingCommand::Wijzig {
            id: id(n),
            code: Some(c.map(code)),
            naam: None,
            omschrijving: None,
        }
    }

    /// Themalijn 30 (code 1) with opgave 1.1 (10) and its doel 1.1.1 (20),
    /// a local opgave 2 (11), and a themalijn 31 (code 2) under which
    /// nothing moves; sub-level: effect 32 (1.1) under 30, with opgave
    /// 1.1.4 (12).
    fn themalijnen() -> Structuur {
        let mut v = twee_niveaus()
            .groepering(31, 0, Some("2"))
            .groepering_onder(32, 1, Some(30), Some("1.1"))
            .opgave_in(10, Some(30), Some("1.1"))
            .opgave_in(11, Some(30), Some("2"))
            .opgave_in(12, Some(32), Some("1.1.4"))
            .opgave_in(13, Some(31), Some("2.1"))
            .doel(20, 10, None, Some("1.1.1"))
            .doel(21, 11, None, Some("3"));
        v.groeperingen[0].2 = 4;
        v
    }

    #[test]
    fn renumbering_a_groepering_carries_the_codes_written_out_below_it_along() {
        let h = |from: &str, to: &str| Hernummerd {
            vorige_code: Some(code(from)),
            nieuwe_code: Some(code(to)),
        };
        let streams = given(themalijnen())
            .when(|v| hernummer(30, Some("5")).decide(v))
            .then(vec![
                Event::GroeperingHernummerd(h("1", "5")),
                Event::GroeperingHernummerd(h("1.1", "5.1")),
                Event::OpgaveHernummerd(h("1.1", "5.1")),
                Event::DoelHernummerd(h("1.1.1", "5.1.1")),
                Event::OpgaveHernummerd(h("1.1.4", "5.1.4")),
            ]);
        assert_eq!(streams[0].stream_id, id(30));
        assert_eq!(
            streams[0].versie,
            crate::domain::Versie::Exact(4),
            "at its own version"
        );
        let mut rest: Vec<Uuid> = streams[1..].iter().map(|s| s.stream_id).collect();
        rest.sort();
        assert_eq!(rest, [id(10), id(12), id(20), id(32)]);
        // Removing the code carries nothing; neither does giving one.
        given(themalijnen())
            .when(|v| hernummer(30, None).decide(v))
            .then(vec![Event::GroeperingHernummerd(Hernummerd {
                vorige_code: Some(code("1")),
                nieuwe_code: None,
            })]);
        // The same code: nothing at all.
        given(themalijnen())
            .when(|v| hernummer(30, Some("1")).decide(v))
            .then(vec![]);
    }

    #[test]
    fn renumbering_a_groepering_to_a_code_taken_among_its_siblings_is_refused() {
        let e = given(themalijnen())
            .when(|v| hernummer(30, Some("2")).decide(v))
            .then_refused(Foutcode::DuplicateCode);
        assert!(e.to_string().contains("Code 2 is al in gebruik"), "{e}");
        // A carried code held by a sibling that keeps it refuses the whole change:
        // opgave 5.1 exists already in groepering 30 when 1.1 would become 5.1.
        given(themalijnen().opgave_in(14, Some(30), Some("5.1")))
            .when(|v| hernummer(30, Some("5")).decide(v))
            .then_refused(Foutcode::DuplicateCode);
        given(themalijnen())
            .when(|v| hernummer(99, Some("7")).decide(v))
            .then_refused(Foutcode::NotFound);
    }
}
