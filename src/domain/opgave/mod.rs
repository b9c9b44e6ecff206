//! Opgave: a task of the agenda (`1.1 Borgen van bestaanszekerheid`).
//! Restructuring keeps history: renumbering records the old code, dropping
//! (vervallen) records the reason; nothing is deleted.

use uuid::Uuid;

use super::events::{Event, Hernummerd, OpgaveAangemaakt, OpgaveGewijzigd, Vervallen};
use super::{Code, Decision, DomainError};
use crate::domain::Foutcode;

mod command;
pub use command::OpgaveCommand;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Opgave {
    pub agenda_id: Uuid,
    pub groepering_id: Option<Uuid>,
    pub code: Option<Code>,
    pub titel: String,
    pub omschrijving: String,
    pub geprioriteerd: bool,
    /// Set when the opgave was dropped, with the reason.
    pub vervallen: Option<String>,
    /// Further groeperingen it contributes to, in the order they were added
    /// (see `domain::bijdrage`).
    #[serde(default)]
    pub bijdragen: Vec<Uuid>,
}

pub fn create(e: OpgaveAangemaakt) -> Decision {
    if e.titel.trim().is_empty() {
        return Err(DomainError::invalid(
            "titel",
            Foutcode::Required,
            "Titel is verplicht.",
        ));
    }
    Ok(vec![Event::OpgaveAangemaakt(e)])
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
            vervallen: None,
            bijdragen: Vec::new(),
        }
    }

    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::OpgaveGewijzigd(e) => {
                if let Some(v) = &e.titel {
                    self.titel = v.clone();
                }
                if let Some(v) = &e.omschrijving {
                    self.omschrijving = v.clone();
                }
                if let Some(v) = e.geprioriteerd {
                    self.geprioriteerd = v;
                }
                if let Some(v) = e.groepering_id {
                    self.groepering_id = v;
                }
            }
            Event::OpgaveHernummerd(e) => self.code.clone_from(&e.nieuwe_code),
            Event::OpgaveVervallen(e) => self.vervallen = Some(e.reden.clone()),
            Event::OpgaveBijdrageToegevoegd(e) => self.bijdragen.push(e.groepering_id),
            Event::OpgaveBijdrageVerwijderd(e) => self.bijdragen.retain(|g| *g != e.groepering_id),
            _ => {}
        }
    }

    /// `change` holds the requested field values; `code`, when given and
    /// different, renumbers (`Some(None)` removes the code; whether the
    /// code is free among the siblings, and what its doelen carry along,
    /// [`OpgaveCommand`] decides). Unchanged fields produce no event.
    pub fn update(
        &self,
        mut change: OpgaveGewijzigd,
        code: Option<Option<Code>>,
        vervallen: Option<String>,
    ) -> Decision {
        if change.titel.as_ref().is_some_and(|t| t.trim().is_empty()) {
            return Err(DomainError::invalid(
                "titel",
                Foutcode::Required,
                "Titel mag niet leeg zijn.",
            ));
        }
        if self.vervallen.is_some() {
            return Err(DomainError::conflict(
                Foutcode::OpgaveVervallen,
                "Deze opgave is vervallen en kan niet meer worden gewijzigd.",
            ));
        }
        change.titel = change.titel.filter(|v| *v != self.titel);
        change.omschrijving = change.omschrijving.filter(|v| *v != self.omschrijving);
        change.geprioriteerd = change.geprioriteerd.filter(|v| *v != self.geprioriteerd);
        change.groepering_id = change.groepering_id.filter(|v| *v != self.groepering_id);
        let mut events = Vec::new();
        if change != OpgaveGewijzigd::default() {
            events.push(Event::OpgaveGewijzigd(change));
        }
        if let Some(code) = code.filter(|c| *c != self.code) {
            events.push(Event::OpgaveHernummerd(Hernummerd {
                vorige_code: self.code.clone(),
                nieuwe_code: code,
            }));
        }
        if let Some(reden) = vervallen {
            events.push(Event::OpgaveVervallen(Vervallen { reden }));
        }
        Ok(events)
    }
}
