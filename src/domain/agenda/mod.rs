//! Agenda: one gemeente's (or several gemeenten's) programme for a period,
//! with its own names for the grouping levels above opgave, and the
//! groeperingen (themalijnen, maatschappelijke effecten, ...) themselves.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::{
    AgendaAangemaakt, AgendaGewijzigd, Event, GroeperingAangemaakt, GroeperingGewijzigd,
};
use super::gemeente::Uitvoeringsperiode;
use super::naam::normalise;
use super::{Code, Decision, DomainError, FieldError};
use crate::domain::Foutcode;

mod command;
mod groepering;
pub use command::AgendaCommand;
pub use groepering::GroeperingCommand;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// Per gemeente, the period in which it carries out its acties.
    pub uitvoeringsperioden: Vec<Uitvoeringsperiode>,
}

impl Agenda {
    /// The year whose streefwaarden the year-dependent signals (koers in the
    /// PDCA state, the overzicht and the indicator view) judge by default, on
    /// `today` (the Amsterdam calendar day, `kalender::date_of`): the current
    /// year while the agenda's period runs, else the period's nearest year
    /// (its last year once it has ended, its first year before it starts). The one place this rule lives; a `?jaar=` overrides it.
    pub fn peiljaar(&self, today: NaiveDate) -> i32 {
        use chrono::Datelike;
        today
            .year()
            .clamp(self.periode_start.year(), self.periode_eind.year())
    }

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
            uitvoeringsperioden: e.uitvoeringsperioden.clone(),
        }
    }

    pub fn apply(&mut self, event: &Event) {
        if let Event::AgendaGewijzigd(e) = event {
            if let Some(v) = &e.naam {
                self.naam = v.clone();
            }
            if let Some(v) = &e.omschrijving {
                self.omschrijving = v.clone();
            }
            if let Some(v) = e.status {
                self.status = v;
            }
            if let Some(v) = e.gepubliceerd {
                self.gepubliceerd = v;
            }
            if let Some(v) = e.signaleringstermijn_dagen {
                self.signaleringstermijn_dagen = v;
            }
            if let Some(v) = &e.uitvoeringsperioden {
                self.uitvoeringsperioden = v.clone();
            }
        }
    }

    pub fn update(&self, mut e: AgendaGewijzigd) -> Decision {
        let mut errors = Vec::new();
        e.naam = e.naam.as_deref().map(normalise);
        if e.naam.as_ref().is_some_and(|n| n.is_empty()) {
            errors.push(FieldError {
                field: "naam".into(),
                code: Foutcode::Required,
                message: "Naam mag niet leeg zijn.".into(),
            });
        }
        if e.signaleringstermijn_dagen == Some(0) {
            errors.push(FieldError {
                field: "signaleringstermijnDagen".into(),
                code: Foutcode::Minimum,
                message: "De signaleringstermijn is minstens 1 dag.".into(),
            });
        }
        e.uitvoeringsperioden = e.uitvoeringsperioden.map(|p| {
            super::gemeente::uitvoeringsperioden(
                &self.gemeenten,
                (self.periode_start, self.periode_eind),
                p,
                "uitvoeringsperioden",
                &mut errors,
            )
        });
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        e.naam = e.naam.filter(|v| *v != self.naam);
        e.uitvoeringsperioden = e
            .uitvoeringsperioden
            .filter(|v| *v != self.uitvoeringsperioden);
        e.omschrijving = e.omschrijving.filter(|v| *v != self.omschrijving);
        e.status = e.status.filter(|v| *v != self.status);
        e.gepubliceerd = e.gepubliceerd.filter(|v| *v != self.gepubliceerd);
        e.signaleringstermijn_dagen = e
            .signaleringstermijn_dagen
            .filter(|v| *v != self.signaleringstermijn_dagen);
        Ok(if e == AgendaGewijzigd::default() {
            vec![]
        } else {
            vec![Event::AgendaGewijzigd(e)]
        })
    }

    /// True when `date` lies within the agenda's period.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.periode_start <= date && date <= self.periode_eind
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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

    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::GroeperingGewijzigd(e) => {
                if let Some(v) = &e.naam {
                    self.naam = v.clone();
                }
                if let Some(v) = &e.omschrijving {
                    self.omschrijving = v.clone();
                }
            }
            Event::GroeperingHernummerd(e) => self.code.clone_from(&e.nieuwe_code),
            _ => {}
        }
    }
}

/// Validates a new agenda: name, at least one gemeente, a period that ends after it starts.
/// The naam and the gemeenten are stored [`normalise`]d (no invisible
/// characters, single spaces), so a lookalike spelling is the same name.
pub fn create(mut e: AgendaAangemaakt) -> Decision {
    let mut errors = Vec::new();
    e.naam = normalise(&e.naam);
    e.gemeenten = e.gemeenten.iter().map(|g| normalise(g)).collect();
    if e.naam.is_empty() {
        errors.push(FieldError {
            field: "naam".into(),
            code: Foutcode::Required,
            message: "Naam is verplicht.".into(),
        });
    }
    if e.gemeenten.iter().all(|g| g.is_empty()) {
        errors.push(FieldError {
            field: "gemeenten".into(),
            code: Foutcode::Required,
            message: "Noem minstens één gemeente.".into(),
        });
    }
    if e.periode_eind_datum < e.periode_start_datum {
        errors.push(FieldError {
            field: "periodeEindDatum".into(),
            code: Foutcode::InvalidPeriod,
            message: "De einddatum ligt vóór de startdatum.".into(),
        });
    }
    if e.signaleringstermijn_dagen == 0 {
        errors.push(FieldError {
            field: "signaleringstermijnDagen".into(),
            code: Foutcode::Minimum,
            message: "De signaleringstermijn is minstens 1 dag.".into(),
        });
    }
    e.uitvoeringsperioden = super::gemeente::uitvoeringsperioden(
        &e.gemeenten,
        (e.periode_start_datum, e.periode_eind_datum),
        std::mem::take(&mut e.uitvoeringsperioden),
        "uitvoeringsperioden",
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(vec![Event::AgendaAangemaakt(e)])
}

pub fn update_groepering(g: &Groepering, mut e: GroeperingGewijzigd) -> Decision {
    if e.naam.as_ref().is_some_and(|n| n.trim().is_empty()) {
        return Err(DomainError::invalid(
            "naam",
            Foutcode::Required,
            "Naam mag niet leeg zijn.",
        ));
    }
    e.naam = e.naam.filter(|v| *v != g.naam);
    e.omschrijving = e.omschrijving.filter(|v| *v != g.omschrijving);
    Ok(if e == GroeperingGewijzigd::default() {
        vec![]
    } else {
        vec![Event::GroeperingGewijzigd(e)]
    })
}

#[cfg(test)]
mod peiljaar_tests {

    use super::*;

    #[test]
    fn the_peiljaar_is_this_year_while_the_period_runs_else_its_nearest_year() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let a = Agenda {
            naam: "A".into(),
            omschrijving: String::new(),
            gemeenten: vec![],
            periode_start: d(2024, 1, 1),
            periode_eind: d(2025, 12, 31),
            status: AgendaStatus::Concept,
            gepubliceerd: false,
            signaleringstermijn_dagen: 90,
            groeperingsniveaus: vec![],
            uitvoeringsperioden: vec![],
        };
        assert_eq!(a.peiljaar(d(2025, 3, 1)), 2025, "during the period");
        assert_eq!(a.peiljaar(d(2026, 12, 4)), 2025, "after: its last year");
        assert_eq!(a.peiljaar(d(2023, 6, 1)), 2024, "before: its first year");
    }
}
