//! What the structure aggregates (agenda, groepering, opgave, doel) read
//! beyond themselves. One view for the four, because their rules span the
//! kinds: a code, where given, is unique among the siblings of the same
//! kind ([`Plek`]); nothing new goes under a vervallen opgave or doel; a
//! renumber or a move carries the codes written out below along
//! ([`cascade`], with [`super::renumber`]); how an item's code shows
//! ([`weergave`]).

pub mod cascade;
#[cfg(test)]
pub mod fake;
pub mod weergave;

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
    /// The items at `plek` that have a code, with their code.
    fn codes_op(&self, plek: Plek) -> Vec<(Uuid, Code)>;
    /// The doelen and sub-doelen under an opgave.
    fn doelen_van_opgave(&self, opgave_id: Uuid) -> Vec<Uuid>;
    /// The sub-doelen of a doel, ordered by id.
    fn subdoelen(&self, doel_id: Uuid) -> Vec<Uuid>;
    /// The groeperingen directly under a groepering, ordered by id.
    fn subgroeperingen(&self, groepering_id: Uuid) -> Vec<Uuid>;
    /// The opgaven placed directly in a groepering, ordered by id.
    fn opgaven_in(&self, groepering_id: Uuid) -> Vec<Uuid>;
}

/// Where an item sits among the siblings its code must differ from: the
/// items of the same kind under the same parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Plek {
    /// A groepering: at the agenda's top level (`bovenliggende: None`) or
    /// under a groepering of the level above.
    Groepering {
        agenda_id: Uuid,
        bovenliggende: Option<Uuid>,
    },
    /// An opgave: in a groepering, or at the agenda level without one.
    Opgave {
        agenda_id: Uuid,
        groepering: Option<Uuid>,
    },
    /// A doel directly under its opgave (`bovenliggend: None`), or a
    /// sub-doel under a doel.
    Doel {
        opgave_id: Uuid,
        bovenliggend: Option<Uuid>,
    },
}

impl Plek {
    /// Where it is, in words, for a refusal ("bij een ander doel van
    /// dezelfde opgave").
    pub fn waar(self) -> &'static str {
        match self {
            Plek::Groepering {
                bovenliggende: None,
                ..
            } => "bij een andere groepering op het bovenste niveau van deze agenda",
            Plek::Groepering { .. } => {
                "bij een andere groepering onder dezelfde bovenliggende groepering"
            }
            Plek::Opgave {
                groepering: None, ..
            } => "bij een andere opgave zonder groepering in deze agenda",
            Plek::Opgave { .. } => "bij een andere opgave in dezelfde groepering",
            Plek::Doel {
                bovenliggend: None, ..
            } => "bij een ander doel van dezelfde opgave",
            Plek::Doel { .. } => "bij een ander sub-doel onder hetzelfde doel",
        }
    }
}

/// The item at `plek` (other than those in `except`) whose code is the
/// same as `code` (case ignored).
pub fn code_houder(
    view: &impl StructuurView,
    plek: Plek,
    code: &Code,
    except: &[Uuid],
) -> Option<Uuid> {
    view.codes_op(plek)
        .into_iter()
        .find(|(id, c)| !except.contains(id) && c.same(code))
        .map(|(id, _)| id)
}

/// 409 `duplicate-code` when a sibling of the same kind at `plek` holds
/// `code` (case ignored); `own` is the item that asks.
pub fn code_vrij(
    view: &impl StructuurView,
    plek: Plek,
    code: Option<&Code>,
    own: Option<Uuid>,
) -> Result<(), DomainError> {
    let Some(c) = code else { return Ok(()) };
    let except: Vec<Uuid> = own.into_iter().collect();
    match code_houder(view, plek, c, &except) {
        Some(_) => Err(dubbele_code(c, plek)),
        None => Ok(()),
    }
}

/// The 409 for `code` already held at `plek`.
pub fn dubbele_code(code: &Code, plek: Plek) -> DomainError {
    DomainError::conflict(
        Foutcode::DuplicateCode,
        format!(
            "Code {code} is al in gebruik {}. Kies een andere code of hernummer eerst de bestaande.",
            plek.waar()
        ),
    )
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
