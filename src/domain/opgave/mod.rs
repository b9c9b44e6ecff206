//! Opgave: a task of the agenda (`1.1 Borgen van bestaanszekerheid`).

use uuid::Uuid;

use super::events::{Event, OpgaveAangemaakt};
use super::Code;

#[derive(Debug, Clone, PartialEq)]
pub struct Opgave {
    pub agenda_id: Uuid,
    pub groepering_id: Option<Uuid>,
    pub code: Code,
    pub titel: String,
    pub omschrijving: String,
    pub geprioriteerd: bool,
}

impl Opgave {
    pub fn created(e: &OpgaveAangemaakt) -> Self {
        Self {
            agenda_id: e.agenda_id,
            groepering_id: e.groepering_id,
            code: e.code.clone(),
            titel: e.titel.clone(),
            omschrijving: e.omschrijving.clone(),
            geprioriteerd: e.geprioriteerd,
        }
    }

    pub fn apply(&mut self, _event: &Event) {}
}
