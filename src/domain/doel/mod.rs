//! Doel: a goal under an opgave (`1.1.1 Aanbod efficiënt inrichten`), with
//! its explanatory text; may have sub-doelen without a code. A doel can move
//! to another opgave and be renumbered; history keeps where it was.

use uuid::Uuid;

use super::events::{DoelAangemaakt, DoelGewijzigd, DoelVerplaatst, Event, Hernummerd, Vervallen};
use super::{Code, Decision, DomainError};
use crate::domain::Foutcode;

mod command;
pub use command::DoelCommand;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Doel {
    pub agenda_id: Uuid,
    pub opgave_id: Uuid,
    pub bovenliggend_doel_id: Option<Uuid>,
    pub code: Option<Code>,
    pub titel: String,
    pub omschrijving: String,
    pub geprioriteerd: bool,
    pub vervallen: Option<String>,
    /// Groeperingen it contributes to besides its opgave's (see
    /// `domain::bijdrage`), in the order they were added.
    #[serde(default)]
    pub bijdragen: Vec<Uuid>,
}

pub fn create(e: DoelAangemaakt) -> Decision {
    if e.titel.trim().is_empty() {
        return Err(DomainError::invalid(
            "titel",
            Foutcode::Required,
            "Titel is verplicht.",
        ));
    }
    Ok(vec![Event::DoelAangemaakt(e)])
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
            vervallen: None,
            bijdragen: Vec::new(),
        }
    }

    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::DoelGewijzigd(e) => {
                if let Some(v) = &e.titel {
                    self.titel = v.clone();
                }
                if let Some(v) = &e.omschrijving {
                    self.omschrijving = v.clone();
                }
                if let Some(v) = e.geprioriteerd {
                    self.geprioriteerd = v;
                }
            }
            Event::DoelHernummerd(e) => self.code.clone_from(&e.nieuwe_code),
            Event::DoelVerplaatst(e) => self.opgave_id = e.nieuwe_opgave_id,
            Event::DoelVervallen(e) => self.vervallen = Some(e.reden.clone()),
            Event::DoelBijdrageToegevoegd(e) => self.bijdragen.push(e.groepering_id),
            Event::DoelBijdrageVerwijderd(e) => self.bijdragen.retain(|g| *g != e.groepering_id),
            _ => {}
        }
    }

    pub fn update(
        &self,
        mut change: DoelGewijzigd,
        opgave: Option<Uuid>,
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
                Foutcode::DoelVervallen,
                "Dit doel is vervallen en kan niet meer worden gewijzigd.",
            ));
        }
        change.titel = change.titel.filter(|v| *v != self.titel);
        change.omschrijving = change.omschrijving.filter(|v| *v != self.omschrijving);
        change.geprioriteerd = change.geprioriteerd.filter(|v| *v != self.geprioriteerd);
        let mut events = Vec::new();
        if change != DoelGewijzigd::default() {
            events.push(Event::DoelGewijzigd(change));
        }
        if let Some(nieuwe) = opgave.filter(|o| *o != self.opgave_id) {
            events.push(Event::DoelVerplaatst(DoelVerplaatst {
                vorige_opgave_id: self.opgave_id,
                nieuwe_opgave_id: nieuwe,
            }));
        }
        if let Some(code) = code.filter(|c| *c != self.code) {
            events.push(Event::DoelHernummerd(Hernummerd {
                vorige_code: self.code.clone(),
                nieuwe_code: code,
            }));
        }
        if let Some(reden) = vervallen {
            events.push(Event::DoelVervallen(Vervallen { reden }));
        }
        Ok(events)
    }
}
