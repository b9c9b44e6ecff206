//! What the structure aggregates (agenda, groepering, opgave, doel) read
//! beyond themselves. One view for the four, because their rules span the
//! kinds: a code is unique among the opgaven, doelen and groeperingen of an
//! agenda; a doel's code lies under its opgave's; nothing new goes under a
//! vervallen opgave or doel; a renumber or a move carries the codes below
//! along ([`cascade`], with [`super::renumber`]).

pub mod cascade;
#[cfg(test)]
pub mod fake;

use uuid::Uuid;

use super::agenda::{Agenda, Groepering};
use super::doel::Doel;
use super::opgave::Opgave;
use super::{Code, DomainError};
use crate::domain::Foutcode;

/// The one status a PATCH may set on an opgave or doel: dropping it (with
/// a `reden`); nothing is deleted, and history keeps it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Vervalstatus {
    Vervallen,
}

/// The agenda structure as the read model holds it (each entity with its
/// stream version).
pub trait StructuurView {
    fn agenda(&self, id: Uuid) -> Option<(&Agenda, u64)>;
    fn groepering(&self, id: Uuid) -> Option<(&Groepering, u64)>;
    fn opgave(&self, id: Uuid) -> Option<(&Opgave, u64)>;
    fn doel(&self, id: Uuid) -> Option<(&Doel, u64)>;
    /// The opgave, doel or groepering of the agenda that holds `code`.
    fn code_owner(&self, agenda_id: Uuid, code: &Code) -> Option<Uuid>;
    /// The doelen and sub-doelen under an opgave.
    fn doelen_van_opgave(&self, opgave_id: Uuid) -> Vec<Uuid>;
    /// The sub-doelen of a doel, ordered by id.
    fn subdoelen(&self, doel_id: Uuid) -> Vec<Uuid>;
}

/// 409 `duplicate-code` when `code` is held by anything else in the agenda
/// (an opgave, doel or groepering); `own` is the item that asks.
pub fn code_vrij(
    view: &impl StructuurView,
    agenda_id: Uuid,
    code: Option<&Code>,
    own: Option<Uuid>,
) -> Result<(), DomainError> {
    match code {
        Some(c) if view.code_owner(agenda_id, c).is_some_and(|o| Some(o) != own) => {
            Err(DomainError::conflict(
                Foutcode::DuplicateCode,
                format!("Code {c} is in deze agenda al in gebruik. Kies een andere code of hernummer eerst de bestaande."),
            ))
        }
        _ => Ok(()),
    }
}

/// 409 when the opgave (or the doel) something new would go under has
/// vervallen: nothing new goes under a dropped part of the agenda.
pub fn niet_vervallen(
    view: &impl StructuurView,
    opgave_id: Uuid,
    doel_id: Option<Uuid>,
) -> Result<(), DomainError> {
    let opgave = view
        .opgave(opgave_id)
        .and_then(|(o, _)| o.vervallen.as_ref());
    let doel = doel_id
        .and_then(|d| view.doel(d))
        .and_then(|(d, _)| d.vervallen.as_ref());
    match (opgave, doel) {
        (Some(reden), _) => Err(DomainError::conflict(
            Foutcode::OpgaveVervallen,
            format!("Deze opgave is vervallen ({reden}); er kan niets meer onder."),
        )),
        (_, Some(reden)) => Err(DomainError::conflict(
            Foutcode::DoelVervallen,
            format!("Dit doel is vervallen ({reden}); er kan niets meer onder."),
        )),
        _ => Ok(()),
    }
}

/// Dropping (`vervalt`) asks for a reason; the reason, trimmed, when it is
/// given; `None` when nothing is dropped. A reden without `vervalt` is
/// ignored, as it always was.
pub fn vervalreden(
    vervalt: bool,
    reden: Option<&str>,
) -> Result<Option<String>, super::FieldError> {
    match (vervalt, reden.map(str::trim)) {
        (false, _) => Ok(None),
        (true, Some(r)) if !r.is_empty() => Ok(Some(r.to_owned())),
        (true, _) => Err(super::FieldError {
            field: "reden".into(),
            code: Foutcode::Required,
            message: "Laten vervallen vraagt een reden.".into(),
        }),
    }
}

/// A groepering named in a body must be one of the agenda's (400
/// `unknown-groepering` on `groeperingId` otherwise).
pub fn groepering_in_agenda(
    view: &impl StructuurView,
    agenda_id: Uuid,
    groepering: Option<Uuid>,
) -> Option<super::FieldError> {
    let g = groepering?;
    match view.groepering(g) {
        Some((x, _)) if x.agenda_id == agenda_id => None,
        _ => Some(fout(
            "groeperingId",
            Foutcode::UnknownGroepering,
            format!("Er is geen groepering {g} in deze agenda."),
        )),
    }
}

/// `Invalid` with all `errors`, or `Ok` when there are none.
pub fn geen_fouten(errors: Vec<super::FieldError>) -> Result<(), DomainError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// A field error (shorthand for the rules of this module's aggregates).
pub fn fout(field: &str, code: Foutcode, message: impl Into<String>) -> super::FieldError {
    super::FieldError {
        field: field.into(),
        code,
        message: message.into(),
    }
}
