//! What may be asked of a doel: add it under an opgave (or, one level deep,
//! as a sub-doel under a doel of that opgave), with a code or without;
//! change, renumber (or remove its code), move to another opgave of the
//! agenda (its sub-doelen move along and their codes follow), or drop it
//! (vervallen, with a reason). A code is unique among the doelen of the
//! same opgave (sub-doelen: of the same doel), case ignored.

use uuid::Uuid;

use super::{create, Doel};
use crate::domain::events::{DoelAangemaakt, DoelGewijzigd};
use crate::domain::structuur::{
    cascade, code_vrij, fout, geen_fouten, niet_vervallen, vervalreden, Plek, StructuurView,
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
    /// Only the fields given change; `code: Some(None)` removes the code;
    /// `opgave_id` moves the doel (and its sub-doelen); `vervalt` drops it
    /// (a `reden` required).
    Wijzig {
        id: Uuid,
        code: Option<Option<Code>>,
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
                let errors = bovenliggend(view, opgave_id, bovenliggend_doel_id);
                geen_fouten(errors.into_iter().collect())?;
                niet_vervallen(view, opgave_id, bovenliggend_doel_id)?;
                let plek = Plek::Doel {
                    opgave_id,
                    bovenliggend: bovenliggend_doel_id,
                };
                code_vrij(view, plek, code.as_ref(), None)?;
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
                let mut errors = waarheen(view, d, opgave_id);
                // Moved without a new code: a code written out under the old
                // opgave's code follows to under the new one's.
                let code = match (code, opgave_id.filter(|t| *t != d.opgave_id)) {
                    (None, Some(t)) => meeverhuisd(view, d, t)?,
                    (code, _) => code,
                };
                let vervallen = vervalreden(vervalt, reden.as_deref()).unwrap_or_else(|e| {
                    errors.push(e);
                    None
                });
                geen_fouten(errors)?;
                if let Some(t) = opgave_id.filter(|t| *t != d.opgave_id) {
                    niet_vervallen(view, t, None)?;
                }
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
                // Its code is free where it ends up; sub-doelen move with
                // their parent, and their codes follow.
                let code = code.as_ref().map(Option::as_ref);
                streams.extend(cascade::doel_gewijzigd(view, id, code, opgave_id)?);
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

/// The code doel `d` gets when it moves to opgave `target` without a new
/// code: its code carried from under the old opgave's code to under the
/// new one's (`1.1.2` from `1.1` to `1.3` is `1.3.2`); `None` (unchanged)
/// when it has no such code or an opgave has none.
fn meeverhuisd(
    view: &impl StructuurView,
    d: &Doel,
    target: Uuid,
) -> Result<Option<Option<Code>>, DomainError> {
    let opgave_code = |id: Uuid| view.opgave(id).and_then(|(o, _)| o.code.clone());
    let (Some(own), Some(from), Some(to)) = (
        d.code.as_ref(),
        opgave_code(d.opgave_id),
        opgave_code(target),
    ) else {
        return Ok(None);
    };
    match crate::domain::renumber::carried(own, &from, &to) {
        None => Ok(None),
        Some(Ok(c)) => Ok(Some(Some(c))),
        Some(Err(reason)) => Err(DomainError::invalid(
            "code",
            Foutcode::InvalidCode,
            format!("Verplaatsen maakt van {own} een ongeldige code: {reason}; geef een nieuwe code mee."),
        )),
    }
}

/// Where doel `d` ends up: an opgave of the same agenda; a sub-doel only
/// moves with its parent.
fn waarheen(view: &impl StructuurView, d: &Doel, target: Option<Uuid>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match view.opgave(target.unwrap_or(d.opgave_id)) {
        Some((o, _)) if o.agenda_id == d.agenda_id => {}
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
