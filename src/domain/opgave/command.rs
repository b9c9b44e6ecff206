//! What may be asked of an opgave: create it under an agenda (and maybe a
//! groepering); change, renumber (its doelen's codes follow), move to
//! another groepering, or drop it (vervallen, with a reason).

use uuid::Uuid;

use super::{create, Opgave};
use crate::domain::events::{OpgaveAangemaakt, OpgaveGewijzigd};
use crate::domain::structuur::{
    cascade, code_vrij, geen_fouten, groepering_in_agenda, vervalreden, Plek, StructuurView,
};
use crate::domain::{Besluit, Code, DomainError, StreamBesluit};

#[derive(Debug, Clone, PartialEq)]
pub enum OpgaveCommand {
    Maak {
        id: Uuid,
        agenda_id: Uuid,
        groepering_id: Option<Uuid>,
        code: Option<Code>,
        titel: String,
        omschrijving: String,
        geprioriteerd: bool,
    },
    /// Only the fields given change; `code: Some(None)` removes the code;
    /// `groepering_id: Some(None)` takes the opgave out of its groepering;
    /// `vervalt` drops it (a `reden` required).
    Wijzig {
        id: Uuid,
        code: Option<Option<Code>>,
        titel: Option<String>,
        omschrijving: Option<String>,
        geprioriteerd: Option<bool>,
        groepering_id: Option<Option<Uuid>>,
        vervalt: bool,
        reden: Option<String>,
    },
}

impl OpgaveCommand {
    /// Decides the command against `view`.
    pub fn decide(self, view: &impl StructuurView) -> Besluit {
        match self {
            Self::Maak {
                id,
                agenda_id,
                groepering_id,
                code,
                titel,
                omschrijving,
                geprioriteerd,
            } => {
                view.agenda(agenda_id)
                    .ok_or(DomainError::not_found("agenda", agenda_id))?;
                geen_fouten(
                    groepering_in_agenda(view, agenda_id, groepering_id)
                        .into_iter()
                        .collect(),
                )?;
                let plek = Plek::Opgave {
                    agenda_id,
                    groepering: groepering_id,
                };
                code_vrij(view, plek, code.as_ref(), None)?;
                let events = create(OpgaveAangemaakt {
                    agenda_id,
                    groepering_id,
                    code,
                    titel,
                    omschrijving,
                    geprioriteerd,
                })?;
                Ok(vec![StreamBesluit::nieuw(id, events)])
            }
            Self::Wijzig {
                id,
                code,
                titel,
                omschrijving,
                geprioriteerd,
                groepering_id,
                vervalt,
                reden,
            } => {
                let (o, version) = view
                    .opgave(id)
                    .ok_or(DomainError::not_found("opgave", id))?;
                let mut errors: Vec<_> =
                    groepering_in_agenda(view, o.agenda_id, groepering_id.flatten())
                        .into_iter()
                        .collect();
                let vervallen = vervalreden(vervalt, reden.as_deref()).unwrap_or_else(|e| {
                    errors.push(e);
                    None
                });
                geen_fouten(errors)?;
                let streams = wijzig(
                    view,
                    id,
                    o,
                    version,
                    code,
                    vervallen,
                    OpgaveGewijzigd {
                        titel,
                        omschrijving,
                        geprioriteerd,
                        groepering_id,
                    },
                )?;
                Ok(crate::domain::bijdrage::na_verplaatsing(view, streams))
            }
        }
    }
}

/// The change to opgave `id` itself, then the renumbers of its doelen.
/// Its code must be free among the opgaven where it ends up (its new
/// groepering, when it moves).
fn wijzig(
    view: &impl StructuurView,
    id: Uuid,
    o: &Opgave,
    version: u64,
    code: Option<Option<Code>>,
    vervallen: Option<String>,
    change: OpgaveGewijzigd,
) -> Besluit {
    let plek = Plek::Opgave {
        agenda_id: o.agenda_id,
        groepering: change.groepering_id.unwrap_or(o.groepering_id),
    };
    let new_code = code.clone().unwrap_or_else(|| o.code.clone());
    let moves = change.groepering_id.is_some_and(|g| g != o.groepering_id);
    if moves || code.as_ref().is_some_and(|c| *c != o.code) {
        code_vrij(view, plek, new_code.as_ref(), Some(id))?;
    }
    let mut streams = vec![StreamBesluit::bij(
        id,
        version,
        o.update(change, code.clone(), vervallen)?,
    )];
    // The doelen's codes written out under the old code follow, in the
    // same append.
    if let (Some(from), Some(Some(to))) = (o.code.as_ref(), code.as_ref()) {
        if from != to {
            streams.extend(cascade::opgave_hernummerd(view, id, from, to)?);
        }
    }
    Ok(streams)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::events::{Event, Hernummerd, Vervallen};
    use crate::domain::structuur::fake::{code, id, Structuur, AGENDA};
    use crate::domain::testing::given;
    use crate::domain::Foutcode;

    fn maak(c: Option<&str>, groepering: Option<u128>) -> OpgaveCommand {
        OpgaveCommand::Maak {
            id: id(50),
            agenda_id: id(AGENDA),
            groepering_id: groepering.map(id),
            code: c.map(code),
            titel: "Eenzaamheid".into(),
            omschrijving: String::new(),
            geprioriteerd: true,
        }
    }

    fn wijzig(n: u128) -> OpgaveCommand {
        OpgaveCommand::Wijzig {
            id: id(n),
            code: None,
            titel: None,
            omschrijving: None,
            geprioriteerd: None,
            groepering_id: None,
            vervalt: false,
            reden: None,
        }
    }

    fn hernummer(n: u128, c: Option<&str>) -> OpgaveCommand {
        let mut w = wijzig(n);
        if let OpgaveCommand::Wijzig { code: to, .. } = &mut w {
            *to = Some(c.map(code));
        }
        w
    }

    #[test]
    fn a_code_is_unique_among_the_opgaven_of_the_same_groepering_only() {
        // Groepering 30 (code 1) holds opgave 10 (code 1); opgave 11 (1.1)
        // has no groepering; doel 1.1.1 under it.
        let view = || {
            Structuur::met_agenda()
                .groepering(30, 0, Some("1"))
                .groepering(31, 0, Some("2"))
                .opgave_in(10, Some(30), Some("1"))
                .opgave(11, "1.1")
                .doel(20, 11, None, Some("1.1.1"))
        };
        let e = given(view())
            .when(|v| maak(Some("1"), Some(30)).decide(v))
            .then_refused(Foutcode::DuplicateCode);
        assert!(e.to_string().contains("dezelfde groepering"), "{e}");
        given(view())
            .when(|v| maak(Some("1.1"), None).decide(v))
            .then_refused(Foutcode::DuplicateCode);
        // A groepering 1 and an opgave 1 coexist; so do opgave 1 of two
        // groeperingen, and a doel's code is no opgave's business.
        for (c, g) in [
            (Some("1"), None),
            (Some("1"), Some(31)),
            (Some("1.1.1"), None),
        ] {
            given(view())
                .when(|v| maak(c, g).decide(v))
                .then(vec![Event::OpgaveAangemaakt(OpgaveAangemaakt {
                    agenda_id: id(AGENDA),
                    groepering_id: g.map(id),
                    code: c.map(code),
                    titel: "Eenzaamheid".into(),
                    omschrijving: String::new(),
                    geprioriteerd: true,
                })]);
        }
        // Without a code at all, as often as needed.
        given(view().opgave_in(12, Some(30), None))
            .when(|v| maak(None, Some(30)).decide(v))
            .then_count(1);
    }

    #[test]
    fn moving_to_a_groepering_where_the_code_is_taken_is_refused() {
        let view = Structuur::met_agenda()
            .groepering(30, 0, Some("1"))
            .groepering(31, 0, Some("2"))
            .opgave_in(10, Some(30), Some("1"))
            .opgave_in(11, Some(31), Some("1"));
        let mut c = wijzig(10);
        if let OpgaveCommand::Wijzig { groepering_id, .. } = &mut c {
            *groepering_id = Some(Some(id(31)));
        }
        given(view)
            .when(|v| c.decide(v))
            .then_refused(Foutcode::DuplicateCode);
    }

    #[test]
    fn an_unknown_groepering_is_an_invalid_field_and_an_unknown_agenda_not_found() {
        given(Structuur::met_agenda())
            .when(|v| maak(Some("1.2"), Some(99)).decide(v))
            .then_refused(Foutcode::UnknownGroepering);
        given(Structuur::default())
            .when(|v| maak(Some("1.2"), None).decide(v))
            .then_refused(Foutcode::NotFound);
    }

    #[test]
    fn renumbering_carries_the_doelen_written_out_along_in_the_same_decision() {
        // Doel 1.1.1 (20) with an uncoded sub-doel (21), and a local doel 2 (22).
        let view = || {
            Structuur::met_agenda()
                .opgave(10, "1.1")
                .doel(20, 10, None, Some("1.1.1"))
                .doel(21, 10, Some(20), None)
                .doel(22, 10, None, Some("2"))
        };
        let streams = given(view())
            .when(|v| hernummer(10, Some("1.4")).decide(v))
            .then(vec![
                Event::OpgaveHernummerd(Hernummerd {
                    vorige_code: Some(code("1.1")),
                    nieuwe_code: Some(code("1.4")),
                }),
                Event::DoelHernummerd(Hernummerd {
                    vorige_code: Some(code("1.1.1")),
                    nieuwe_code: Some(code("1.4.1")),
                }),
            ]);
        assert_eq!(
            streams.iter().map(|s| s.stream_id).collect::<Vec<_>>(),
            [id(10), id(20)]
        );
        // Removing the code carries nothing: the doelen keep theirs.
        given(view())
            .when(|v| hernummer(10, None).decide(v))
            .then(vec![Event::OpgaveHernummerd(Hernummerd {
                vorige_code: Some(code("1.1")),
                nieuwe_code: None,
            })]);
        // An opgave without a code gets one.
        given(Structuur::met_agenda().opgave_in(10, None, None))
            .when(|v| hernummer(10, Some("A")).decide(v))
            .then(vec![Event::OpgaveHernummerd(Hernummerd {
                vorige_code: None,
                nieuwe_code: Some(code("A")),
            })]);
    }

    #[test]
    fn dropping_asks_a_reason_and_a_dropped_opgave_cannot_change() {
        let mut c = wijzig(10);
        if let OpgaveCommand::Wijzig { vervalt, .. } = &mut c {
            *vervalt = true;
        }
        given(Structuur::met_agenda().opgave(10, "1.1"))
            .when(|v| c.clone().decide(v))
            .then_refused(Foutcode::Required);
        if let OpgaveCommand::Wijzig { reden, .. } = &mut c {
            *reden = Some(" samengevoegd met 1.2 ".into());
        }
        given(Structuur::met_agenda().opgave(10, "1.1"))
            .when(|v| c.clone().decide(v))
            .then(vec![Event::OpgaveVervallen(Vervallen {
                reden: "samengevoegd met 1.2".into(),
            })]);
        let mut dropped = Structuur::met_agenda().opgave(10, "1.1");
        dropped.opgaven[0].1.vervallen = Some("weg".into());
        let mut titel = wijzig(10);
        if let OpgaveCommand::Wijzig { titel: t, .. } = &mut titel {
            *t = Some("Nieuw".into());
        }
        given(dropped)
            .when(|v| titel.decide(v))
            .then_refused(Foutcode::OpgaveVervallen);
    }
}
