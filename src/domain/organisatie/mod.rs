//! Organisatie: a partner organisation, the gemeente itself, or a network.

use serde::{Deserialize, Serialize};

use super::events::{Event, OrganisatieGeregistreerd};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrganisatieSoort {
    Gemeente,
    Overheid,
    Welzijn,
    Zorg,
    Jeugdbescherming,
    Onderwijs,
    Kinderopvang,
    Sport,
    Cultuur,
    Bibliotheek,
    Woningcorporatie,
    Inwonersgroep,
    Samenwerkingsverband,
    Bedrijf,
    Overig,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Organisatie {
    pub naam: String,
    pub soort: OrganisatieSoort,
    pub contactadres: Option<String>,
}

impl Organisatie {
    pub fn created(e: &OrganisatieGeregistreerd) -> Self {
        Self {
            naam: e.naam.clone(),
            soort: e.soort,
            contactadres: e.contactadres.clone(),
        }
    }

    pub fn apply(&mut self, _event: &Event) {}
}
