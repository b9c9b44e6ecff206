//! What may be asked of a groepering (a themalijn, maatschappelijk effect,
//! ...): add it to an agenda at one of its levels, under a groepering of
//! the level above; change its name or description.

use uuid::Uuid;

use super::update_groepering;
use crate::domain::events::{Event, GroeperingAangemaakt, GroeperingGewijzigd};
use crate::domain::structuur::{code_vrij, fout, geen_fouten, Plek, StructuurView};
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
    /// Only the fields given change.
    Wijzig {
        id: Uuid,
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
                naam,
                omschrijving,
            } => {
                let (g, version) = view
                    .groepering(id)
                    .ok_or(DomainError::not_found("groepering", id))?;
                let events = update_groepering(g, GroeperingGewijzigd { naam, omschrijving })?;
                Ok(vec![StreamBesluit::bij(id, version, events)])
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
}
