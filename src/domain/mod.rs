//! The Maatschappelijke Agenda as aggregates, commands and events.
//!
//! No I/O here: an aggregate *decides* (`handle(command) -> Result<Vec<Event>>`)
//! and *evolves* (`apply(event)`, no logic, never fails). Identifiers are UUIDs;
//! human codes (`1.1.1`) are [`Code`] values that parse or are refused.

pub mod abonnement;
pub mod actie;
pub mod agenda;
pub mod besluit;
pub mod bijdrage;
pub mod binary;
pub mod checkmoment;
pub mod code;
pub mod datum;
pub mod doel;
pub mod events;
pub mod foutcode;
pub mod gemeente;
pub mod indicator;
pub mod kalender;
pub mod naam;
pub mod opgave;
pub mod organisatie;
pub mod reflectie;
pub mod renumber;
pub mod structuur;
#[cfg(test)]
pub mod testing;
pub mod token;
pub mod upcast;
pub mod zoeken;

pub use besluit::{Besluit, StreamBesluit, Versie};
pub use code::Code;
pub use events::Event;
pub use foutcode::Foutcode;

/// One invalid field of a command.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub code: Foutcode,
    pub message: String,
}

/// Why a command was refused. The http layer maps each kind to a status.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DomainError {
    /// The command conflicts with the current state (409).
    #[error("{message}")]
    Conflict { code: Foutcode, message: String },
    /// Fields of the command are invalid (400); all of them, at once.
    #[error("{} ongeldige velden", .0.len())]
    Invalid(Vec<FieldError>),
    /// The command is about a resource (or names one) that does not exist
    /// (404 for the command's own resource). `soort` is the Dutch noun
    /// (`actie`, `opgave`, ...); the message is built once, here.
    #[error("{}", niet_gevonden(soort, id))]
    NotFound { soort: &'static str, id: uuid::Uuid },
    /// The caller may do this kind of thing, but not with these values
    /// (403): a token scoped to one gemeente naming another.
    #[error("{message}")]
    Forbidden { code: Foutcode, message: String },
}

/// "Er is geen actie met id …": the one wording for an id that names
/// nothing (a 404, or an unknown id in a body).
pub fn niet_gevonden(soort: &str, id: impl std::fmt::Display) -> String {
    format!("Er is geen {soort} met id {id}.")
}

impl DomainError {
    pub fn not_found(soort: &'static str, id: uuid::Uuid) -> Self {
        Self::NotFound { soort, id }
    }
    pub fn conflict(code: Foutcode, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }
    pub fn forbidden(code: Foutcode, message: impl Into<String>) -> Self {
        Self::Forbidden {
            code,
            message: message.into(),
        }
    }
    pub fn invalid(field: impl Into<String>, code: Foutcode, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field: field.into(),
            code,
            message: message.into(),
        }])
    }
}

pub type Decision = Result<Vec<Event>, DomainError>;
