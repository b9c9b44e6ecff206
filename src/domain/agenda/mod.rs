//! Agenda: one gemeente's (or several gemeenten's) programme for a period,
//! with its own names for the grouping levels above opgave, and the
//! groeperingen (themalijnen, maatschappelijke effecten, ...) themselves.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::{AgendaAangemaakt, Event, GroeperingAangemaakt};
use super::Code;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgendaStatus {
    Concept,
    Vastgesteld,
    Gearchiveerd,
}

/// The name of a grouping level, e.g. themalijn / themalijnen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Niveau {
    pub enkelvoud: String,
    pub meervoud: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Agenda {
    pub naam: String,
    pub omschrijving: String,
    pub gemeenten: Vec<String>,
    pub periode_start: NaiveDate,
    pub periode_eind: NaiveDate,
    pub status: AgendaStatus,
    pub gepubliceerd: bool,
    pub signaleringstermijn_dagen: u32,
    pub groeperingsniveaus: Vec<Niveau>,
}

impl Agenda {
    pub fn created(e: &AgendaAangemaakt) -> Self {
        Self {
            naam: e.naam.clone(),
            omschrijving: e.omschrijving.clone(),
            gemeenten: e.gemeenten.clone(),
            periode_start: e.periode_start_datum,
            periode_eind: e.periode_eind_datum,
            status: e.status,
            gepubliceerd: e.gepubliceerd,
            signaleringstermijn_dagen: e.signaleringstermijn_dagen,
            groeperingsniveaus: e.groeperingsniveaus.clone(),
        }
    }

    pub fn apply(&mut self, _event: &Event) {}

    /// True when `date` lies within the agenda's period.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.periode_start <= date && date <= self.periode_eind
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Groepering {
    pub agenda_id: Uuid,
    pub niveau: usize,
    pub bovenliggende_groepering_id: Option<Uuid>,
    pub code: Option<Code>,
    pub naam: String,
    pub omschrijving: String,
}

impl Groepering {
    pub fn created(e: &GroeperingAangemaakt) -> Self {
        Self {
            agenda_id: e.agenda_id,
            niveau: e.niveau,
            bovenliggende_groepering_id: e.bovenliggende_groepering_id,
            code: e.code.clone(),
            naam: e.naam.clone(),
            omschrijving: e.omschrijving.clone(),
        }
    }

    pub fn apply(&mut self, _event: &Event) {}
}
