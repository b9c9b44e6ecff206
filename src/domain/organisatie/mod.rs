//! Organisatie: a partner organisation, the gemeente itself, or a network.

use serde::{Deserialize, Serialize};

use super::events::{Event, OrganisatieGeregistreerd, OrganisatieGewijzigd};
use super::naam::normalise;
use super::{Decision, DomainError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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

    pub fn apply(&mut self, event: &Event) {
        if let Event::OrganisatieGewijzigd(e) = event {
            if let Some(v) = &e.naam {
                self.naam = v.clone();
            }
            if let Some(v) = e.soort {
                self.soort = v;
            }
            if let Some(v) = &e.contactadres {
                self.contactadres = v.clone();
            }
        }
    }

    /// Keeps only real changes; no change means no event.
    pub fn update(&self, mut e: OrganisatieGewijzigd) -> Decision {
        e.naam = e.naam.as_deref().map(normalise);
        if e.naam.as_ref().is_some_and(|n| n.is_empty()) {
            return Err(DomainError::invalid(
                "naam",
                "required",
                "Naam mag niet leeg zijn.",
            ));
        }
        e.naam = e.naam.filter(|n| *n != self.naam);
        e.soort = e.soort.filter(|v| *v != self.soort);
        e.contactadres = e.contactadres.filter(|v| *v != self.contactadres);
        Ok(if e == OrganisatieGewijzigd::default() {
            vec![]
        } else {
            vec![Event::OrganisatieGewijzigd(e)]
        })
    }
}

/// Registers an organisatie under the [`normalise`]d form of its naam
/// (whether that name is taken is for the caller to check, with
/// [`super::naam::same`]).
pub fn register(mut e: OrganisatieGeregistreerd) -> Decision {
    e.naam = normalise(&e.naam);
    if e.naam.is_empty() {
        return Err(DomainError::invalid(
            "naam",
            "required",
            "Naam is verplicht.",
        ));
    }
    Ok(vec![Event::OrganisatieGeregistreerd(e)])
}
