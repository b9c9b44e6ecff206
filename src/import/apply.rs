//! Runs an import (JSON agenda file or CSV) through the service: read and
//! validate everything, then create the agenda in one atomic append under
//! the structure lock. Used by `POST /v1/agenda-imports` and by
//! `mag-tracker import` alike, so both validate and create identically.

use serde::Serialize;
use uuid::Uuid;

use super::csv::CsvAgenda;
use super::{plan, AgendaFile};
use crate::domain::Foutcode;
use crate::domain::{DomainError, FieldError};
use crate::event_store::{AppendOutcome, MAX_EVENTS_PER_APPEND};
use crate::projections::ReadModel;
use crate::service::{Service, ServiceError, WriteContext};

pub enum Source<'a> {
    /// An agenda file, already checked against its schema (the HTTP layer's
    /// `agendabestand::lees`, also behind `mag-tracker import`).
    Json(AgendaFile),
    Csv(&'a [u8], CsvAgenda),
}

/// What an import created (also for a retried request: the original result).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    pub agenda_id: Uuid,
    pub organisaties: usize,
    pub groeperingen: usize,
    pub opgaven: usize,
    pub doelen: usize,
    pub acties: usize,
    /// Aantal indicatoren (met hun streefwaarden en metingen).
    pub indicatoren: usize,
    /// Eerste en laatste positie van de geschreven gebeurtenissen.
    pub eerste_positie: u64,
    pub laatste_positie: u64,
    /// Waar: een herhaald verzoek (zelfde Idempotency-Key); er is niets opnieuw aangemaakt.
    pub herhaald: bool,
}

#[derive(Debug)]
pub enum ImportError {
    /// Every problem of the file; nothing was appended.
    Invalid(Vec<FieldError>),
    Service(ServiceError),
}

/// Counts what the append created, from the streams it touched.
pub fn result_of(outcome: &AppendOutcome, model: &ReadModel) -> Option<ImportResult> {
    let has = |id: &Uuid| outcome.streams.iter().any(|s| s.stream_id == *id);
    let agenda_id = outcome
        .streams
        .iter()
        .map(|s| s.stream_id)
        .find(|id| model.agendas.contains_key(id))?;
    Some(ImportResult {
        agenda_id,
        organisaties: model.organisaties.keys().filter(|id| has(id)).count(),
        groeperingen: model.groeperingen.keys().filter(|id| has(id)).count(),
        opgaven: model.opgaven.keys().filter(|id| has(id)).count(),
        doelen: model.doelen.keys().filter(|id| has(id)).count(),
        acties: model.acties.keys().filter(|id| has(id)).count(),
        indicatoren: model.indicatoren.keys().filter(|id| has(id)).count(),
        eerste_positie: outcome.first_position,
        laatste_positie: outcome.last_position,
        herhaald: outcome.duplicate,
    })
}

/// Reads, validates and (when all is well) creates the agenda.
pub async fn run(
    service: &Service,
    source: Source<'_>,
    ctx: WriteContext,
) -> Result<ImportResult, ImportError> {
    let (file, early, rows) = match source {
        Source::Json(file) => (file, Vec::new(), None),
        Source::Csv(bytes, agenda) => {
            let (file, errors, rows) =
                super::csv::read(bytes, &agenda).map_err(ImportError::Invalid)?;
            (file, errors, Some(rows))
        }
    };
    let outcome = service
        .structural(ctx, |model| {
            let planned = plan(&file, model);
            let rename = |errors: Vec<FieldError>| match &rows {
                Some(r) => r.rename(errors),
                None => errors,
            };
            match planned {
                Err(errors) => {
                    Err(DomainError::Invalid(merge(early.clone(), rename(errors))).into())
                }
                Ok(_) if !early.is_empty() => Err(DomainError::Invalid(early.clone()).into()),
                Ok(p) => {
                    let events: usize = p.streams.iter().map(|s| s.events.len()).sum();
                    if events > MAX_EVENTS_PER_APPEND {
                        return Err(DomainError::invalid(
                            "",
                            Foutcode::ImportTooLarge,
                            format!("Het bestand maakt {events} onderdelen aan; één import kan er hoogstens {MAX_EVENTS_PER_APPEND}. Splits het bestand."),
                        )
                        .into());
                    }
                    Ok(p.streams)
                }
            }
        })
        .await
        .map_err(|e| match e {
            ServiceError::Domain(DomainError::Invalid(errors)) => ImportError::Invalid(errors),
            other => ImportError::Service(other),
        })?;
    let model = service.model();
    result_of(&outcome, &model).ok_or_else(|| {
        ImportError::Service(ServiceError::NotFound(
            "Het importresultaat is niet meer te vinden.".into(),
        ))
    })
}

/// `first` plus those of `then` on fields `first` does not mention yet (a
/// CSV cell refused while reading is not reported again by the planner).
fn merge(mut first: Vec<FieldError>, then: Vec<FieldError>) -> Vec<FieldError> {
    for e in then {
        if !first.iter().any(|f| f.field == e.field) {
            first.push(e);
        }
    }
    first
}
