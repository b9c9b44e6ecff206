//! Doel: a goal under an opgave (`1.1.1 Aanbod efficiënt inrichten`), with
//! its explanatory text; may have sub-doelen without a code.

use uuid::Uuid;

use super::events::{DoelAangemaakt, Event};
use super::Code;

#[derive(Debug, Clone, PartialEq)]
pub struct Doel {
    pub agenda_id: Uuid,
    pub opgave_id: Uuid,
    pub bovenliggend_doel_id: Option<Uuid>,
    pub code: Option<Code>,
    pub titel: String,
    pub omschrijving: String,
    pub geprioriteerd: bool,
}

impl Doel {
    pub fn created(e: &DoelAangemaakt) -> Self {
        Self {
            agenda_id: e.agenda_id,
            opgave_id: e.opgave_id,
            bovenliggend_doel_id: e.bovenliggend_doel_id,
            code: e.code.clone(),
            titel: e.titel.clone(),
            omschrijving: e.omschrijving.clone(),
            geprioriteerd: e.geprioriteerd,
        }
    }

    pub fn apply(&mut self, _event: &Event) {}
}
