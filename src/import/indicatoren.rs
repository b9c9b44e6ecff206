//! Indicatoren in the agenda file: a doel's `indicatoren`, each with its
//! streefwaarden (per year, or one without `jaar` for the whole period) and
//! its current metingen (each for the whole area, or for one `gemeente` of
//! the agenda). The rules are the domain's: the planner asks
//! [`crate::domain::indicator::create`] and [`Indicator::record`] and names
//! their problems with the file's path.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Planner;
use crate::domain::events::{IndicatorAangemaakt, MetingVastgelegd};
use crate::domain::indicator::{create, Indicator, MetingStatus, Richting, Waarde};
use crate::domain::{DomainError, Event, FieldError, Foutcode};
use crate::event_store::ExpectedVersion;
use crate::service::StreamEvents;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndicatorIn {
    pub naam: String,
    pub eenheid: String,
    /// Required; optional here so that its absence is one named problem.
    #[serde(default)]
    pub richting: Option<Richting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bron: Option<String>,
    /// The naam of the organisatie that delivers the metingen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eigenaar: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulmeting: Option<Waarde>,
    /// Per year, and/or one without `jaar` for the whole period.
    #[serde(default)]
    pub streefwaarden: Vec<Waarde>,
    /// The current metingen (a later one for the same periode and gemeente
    /// supersedes an earlier one in the file, as in the API).
    #[serde(default)]
    pub metingen: Vec<MetingIn>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetingIn {
    pub periode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meet_datum: Option<NaiveDate>,
    pub waarde: f64,
    /// Required; optional here so that its absence is one named problem.
    #[serde(default)]
    pub status: Option<MetingStatus>,
    /// A gemeente of the agenda; absent: the whole area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gemeente: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bron: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toelichting: Option<String>,
    /// The naam of the organisatie that delivered the meting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub door_organisatie: Option<String>,
}

/// Free text as kept: trimmed, and blank is no text.
fn tekst(t: &Option<String>) -> Option<String> {
    t.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl Planner<'_> {
    /// The domain's problems, named by their place in the file.
    fn domain_problems(&mut self, path: &str, e: DomainError) {
        match e {
            DomainError::Invalid(errors) => {
                for FieldError {
                    field,
                    code,
                    message,
                } in errors
                {
                    self.problem(format!("{path}.{field}"), code, message);
                }
            }
            other => self.problem(path.to_owned(), Foutcode::Invalid, other.to_string()),
        }
    }

    /// Plans one indicator of the doel `doel`, with its metingen.
    pub(super) fn indicator(&mut self, path: String, ind: &IndicatorIn, doel: Uuid) {
        let eigenaar = ind
            .eigenaar
            .as_deref()
            .and_then(|naam| self.org(format!("{path}.eigenaar"), naam));
        let Some(richting) = ind.richting else {
            self.problem(
                format!("{path}.richting"),
                Foutcode::Required,
                "Veld 'richting' is verplicht: hogerIsBeter, lagerIsBeter of binnenBandbreedte."
                    .into(),
            );
            return;
        };
        let aangemaakt = IndicatorAangemaakt {
            agenda_id: self.agenda_id,
            doel_id: doel,
            naam: ind.naam.trim().to_owned(),
            eenheid: ind.eenheid.trim().to_owned(),
            richting,
            bron: tekst(&ind.bron),
            eigenaar_organisatie_id: eigenaar,
            nulmeting: ind.nulmeting.clone(),
            streefwaarden: ind.streefwaarden.clone(),
        };
        // The metingen are checked even when the indicator itself is not
        // valid, so that every problem of the file is named at once.
        let mut state = Indicator::created(&aangemaakt);
        let mut events = match create(aangemaakt) {
            Ok(events) => events,
            Err(e) => {
                self.domain_problems(&path, e);
                Vec::new()
            }
        };
        if let Some(Event::IndicatorAangemaakt(made)) = events.first() {
            // As decided (numbers normalised).
            state = Indicator::created(made);
        }
        // Only to replay supersession within the file; the store records its own times.
        let at: DateTime<Utc> = DateTime::<Utc>::UNIX_EPOCH;
        for (i, m) in ind.metingen.iter().enumerate() {
            let mpath = format!("{path}.metingen[{i}]");
            let gemeente = tekst(&m.gemeente).and_then(|g| {
                let found = self
                    .gemeenten
                    .iter()
                    .find(|x| crate::domain::naam::same(x, &g))
                    .cloned();
                if found.is_none() {
                    let e = crate::domain::indicator::onbekende_gemeente(
                        &format!("{mpath}.gemeente"),
                        &g,
                        &self.gemeenten,
                    );
                    self.errors.push(e);
                }
                found
            });
            let Some(status) = m.status else {
                self.problem(
                    format!("{mpath}.status"),
                    Foutcode::Required,
                    "Veld 'status' is verplicht: voorlopig of definitief.".into(),
                );
                continue;
            };
            let door = m
                .door_organisatie
                .as_deref()
                .and_then(|naam| self.org(format!("{mpath}.doorOrganisatie"), naam));
            let decided = state.record(MetingVastgelegd {
                meting_id: Uuid::now_v7(),
                periode: m.periode.trim().to_owned(),
                meet_datum: m.meet_datum,
                waarde: m.waarde,
                status,
                bron: tekst(&m.bron),
                toelichting: tekst(&m.toelichting),
                door_organisatie_id: door,
                gemeente,
            });
            match decided {
                Ok(recorded) => {
                    for e in &recorded {
                        state.apply(e, at);
                    }
                    events.extend(recorded);
                }
                Err(e) => self.domain_problems(&mpath, e),
            }
        }
        if events.is_empty() {
            return;
        }
        self.streams.push(StreamEvents {
            stream_id: Uuid::now_v7(),
            expected: ExpectedVersion::NoStream,
            events,
        });
        self.summary.indicatoren += 1;
    }
}
