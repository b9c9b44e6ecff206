//! What may be asked of an opgave: create it under an agenda (and maybe a
//! groepering); change, renumber (its doelen's codes follow), move to
//! another groepering, or drop it (vervallen, with a reason).

use uuid::Uuid;

use super::{create, Opgave};
use crate::domain::events::{OpgaveAangemaakt, OpgaveGewijzigd};
use crate::domain::structuur::{
    cascade, code_vrij, geen_fouten, groepering_in_agenda, vervalreden, StructuurView,
};
use crate::domain::{Besluit, Code, DomainError, StreamBesluit};

#[derive(Debug, Clone, PartialEq)]
pub enum OpgaveCommand {
    Maak {
        id: Uuid,
        agenda_id: Uuid,
        groepering_id: Option<Uuid>,
        code: Code,
        titel: String,
        omschrijving: String,
        geprioriteerd: bool,
    },
    /// Only the fields given change; `groepering_id: Some(None)` takes the
    /// opgave out of its groepering; `vervalt` drops it (a `reden` required).
    Wijzig {
        id: Uuid,
        code: Option<Code>,
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
                code_vrij(view, agenda_id, Some(&code), None)?;
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
fn wijzig(
    view: &impl StructuurView,
    id: Uuid,
    o: &Opgave,
    version: u64,
    code: Option<Code>,
    vervallen: Option<String>,
    change: OpgaveGewijzigd,
) -> Besluit {
    let renumbered = code.as_ref().filter(|c| **c != o.code);
    code_vrij(view, o.agenda_id, renumbered, Some(id))?;
    let mut streams = vec![StreamBesluit::bij(
        id,
        version,
        o.update(change, code.clone(), vervallen)?,
    )];
    // The doelen's codes follow, in the same append.
    if let Some(to) = renumbered {
        streams.extend(cascade::opgave_hernummerd(
            view,
            o.agenda_id,
            id,
            &o.code,
            to,
        )?);
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

    fn maak(c: &str, groepering: Option<u128>) -> OpgaveCommand {
        OpgaveCommand::Maak {
            id: id(50),
            agenda_id: id(AGENDA),
            groepering_id: groepering.map(id),
            code: code(c),
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

    #[test]
    fn a_code_held_by_a_doel_or_groepering_of_the_agenda_is_refused() {
        let view = || {
            Structuur::met_agenda()
                .opgave(10, "1.1")
                .doel(20, 10, None, Some("1.1.1"))
                .groepering(30, 0, Some("2"))
        };
        for c in ["1.1", "1.1.1", "2"] {
            given(view())
                .when(|v| maak(c, None).decide(v))
                .then_refused(Foutcode::DuplicateCode);
        }
        given(view())
            .when(|v| maak("1.2", Some(30)).decide(v))
            .then(vec![Event::OpgaveAangemaakt(OpgaveAangemaakt {
                agenda_id: id(AGENDA),
                groepering_id: Some(id(30)),
                code: code("1.2"),
                titel: "Eenzaamheid".into(),
                omschrijving: String::new(),
                geprioriteerd: true,
            })]);
    }

    #[test]
    fn an_unknown_groepering_is_an_invalid_field_and_an_unknown_agenda_not_found() {
        given(Structuur::met_agenda())
            .when(|v| maak("1.2", Some(99)).decide(v))
            .then_refused(Foutcode::UnknownGroepering);
        given(Structuur::default())
            .when(|v| maak("1.2", None).decide(v))
            .then_refused(Foutcode::NotFound);
    }

    #[test]
    fn renumbering_carries_the_doelen_along_in_the_same_decision() {
        let view = Structuur::met_agenda()
            .opgave(10, "1.1")
            .doel(20, 10, None, Some("1.1.1"))
            .doel(21, 10, Some(20), None);
        let mut c = wijzig(10);
        if let OpgaveCommand::Wijzig { code: to, .. } = &mut c {
            *to = Some(code("1.4"));
        }
        let streams = given(view).when(|v| c.decide(v)).then(vec![
            Event::OpgaveHernummerd(Hernummerd {
                vorige_code: Some(code("1.1")),
                nieuwe_code: code("1.4"),
            }),
            Event::DoelHernummerd(Hernummerd {
                vorige_code: Some(code("1.1.1")),
                nieuwe_code: code("1.4.1"),
            }),
        ]);
        assert_eq!(
            streams.iter().map(|s| s.stream_id).collect::<Vec<_>>(),
            [id(10), id(20)]
        );
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
