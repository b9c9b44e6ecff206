//! What may be asked of a doel: add it under an opgave (or, one level deep,
//! as a sub-doel under a doel of that opgave); change, renumber, move to
//! another opgave of the agenda (its sub-doelen move along and their codes
//! follow), or drop it (vervallen, with a reason).

use uuid::Uuid;

use super::{create, Doel};
use crate::domain::events::{DoelAangemaakt, DoelGewijzigd};
use crate::domain::structuur::{
    cascade, code_vrij, fout, geen_fouten, niet_vervallen, vervalreden, StructuurView,
};
use crate::domain::Foutcode;
use crate::domain::{Besluit, Code, DomainError, FieldError, StreamBesluit};

#[derive(Debug, Clone, PartialEq)]
pub enum DoelCommand {
    Maak {
        id: Uuid,
        opgave_id: Uuid,
        bovenliggend_doel_id: Option<Uuid>,
        code: Option<Code>,
        titel: String,
        omschrijving: String,
        geprioriteerd: bool,
    },
    /// Only the fields given change; `opgave_id` moves the doel (and its
    /// sub-doelen); `vervalt` drops it (a `reden` required).
    Wijzig {
        id: Uuid,
        code: Option<Code>,
        titel: Option<String>,
        omschrijving: Option<String>,
        geprioriteerd: Option<bool>,
        opgave_id: Option<Uuid>,
        vervalt: bool,
        reden: Option<String>,
    },
}

impl DoelCommand {
    /// Decides the command against `view`.
    pub fn decide(self, view: &impl StructuurView) -> Besluit {
        match self {
            Self::Maak {
                id,
                opgave_id,
                bovenliggend_doel_id,
                code,
                titel,
                omschrijving,
                geprioriteerd,
            } => {
                let (o, _) = view
                    .opgave(opgave_id)
                    .ok_or(DomainError::not_found("opgave", opgave_id))?;
                let mut errors = Vec::new();
                if code.as_ref().is_some_and(|c| !c.is_under(&o.code)) {
                    errors.push(fout(
                        "code",
                        Foutcode::CodeOutsideParent,
                        format!(
                            "Een doelcode onder opgave {0} begint met {0}. (bijv. {0}.1).",
                            o.code
                        ),
                    ));
                }
                errors.extend(bovenliggend(view, opgave_id, bovenliggend_doel_id));
                geen_fouten(errors)?;
                niet_vervallen(view, opgave_id, bovenliggend_doel_id)?;
                code_vrij(view, o.agenda_id, code.as_ref(), None)?;
                let events = create(DoelAangemaakt {
                    agenda_id: o.agenda_id,
                    opgave_id,
                    bovenliggend_doel_id,
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
                opgave_id,
                vervalt,
                reden,
            } => {
                let (d, version) = view.doel(id).ok_or(DomainError::not_found("doel", id))?;
                let mut errors = waarheen(view, d, code.as_ref(), opgave_id);
                let vervallen = vervalreden(vervalt, reden.as_deref()).unwrap_or_else(|e| {
                    errors.push(e);
                    None
                });
                geen_fouten(errors)?;
                if let Some(t) = opgave_id.filter(|t| *t != d.opgave_id) {
                    niet_vervallen(view, t, None)?;
                }
                let renumbered = code.as_ref().filter(|c| Some(*c) != d.code.as_ref());
                code_vrij(view, d.agenda_id, renumbered, Some(id))?;
                let change = DoelGewijzigd {
                    titel,
                    omschrijving,
                    geprioriteerd,
                };
                let mut streams = vec![StreamBesluit::bij(
                    id,
                    version,
                    d.update(change, opgave_id, code.clone(), vervallen)?,
                )];
                // Sub-doelen move with their parent, and their codes follow.
                streams.extend(cascade::doel_gewijzigd(view, id, code.as_ref(), opgave_id)?);
                Ok(crate::domain::bijdrage::na_verplaatsing(view, streams))
            }
        }
    }
}

/// A sub-doel sits under a doel of the same opgave that is not itself a
/// sub-doel (one level: results under a strategic doel, what the export's
/// CSV and the agenda file can carry back).
fn bovenliggend(
    view: &impl StructuurView,
    opgave_id: Uuid,
    parent: Option<Uuid>,
) -> Option<FieldError> {
    let p = parent?;
    match view.doel(p).filter(|(d, _)| d.opgave_id == opgave_id) {
        None => Some(fout(
            "bovenliggendDoelId",
            Foutcode::UnknownDoel,
            "Het bovenliggende doel hoort bij deze opgave te horen.",
        )),
        Some((d, _)) if d.bovenliggend_doel_id.is_some() => Some(fout(
            "bovenliggendDoelId",
            Foutcode::NestedSubdoel,
            "Een sub-doel kan zelf geen sub-doelen hebben; kies het bovenliggende doel.",
        )),
        Some(_) => None,
    }
}

/// Where doel `d` ends up: an opgave of the same agenda, with its (new)
/// code under that opgave's; a sub-doel only moves with its parent.
fn waarheen(
    view: &impl StructuurView,
    d: &Doel,
    code: Option<&Code>,
    target: Option<Uuid>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match view.opgave(target.unwrap_or(d.opgave_id)) {
        Some((o, _)) if o.agenda_id == d.agenda_id => {
            if let Some(c) = code.or(d.code.as_ref()).filter(|c| !c.is_under(&o.code)) {
                errors.push(fout(
                    "code",
                    Foutcode::CodeOutsideParent,
                    format!("Code {c} past niet onder opgave {0}; geef bij verplaatsen een nieuwe code onder {0}.", o.code),
                ));
            }
        }
        _ => errors.push(fout(
            "opgaveId",
            Foutcode::UnknownOpgave,
            "Verplaatsen kan alleen naar een opgave van dezelfde agenda.",
        )),
    }
    if target.is_some_and(|t| t != d.opgave_id) && d.bovenliggend_doel_id.is_some() {
        errors.push(fout(
            "opgaveId",
            Foutcode::Subdoel,
            "Een sub-doel verhuist mee met zijn bovenliggende doel.",
        ));
    }
    errors
}

#[cfg(test)]
mod tests;
