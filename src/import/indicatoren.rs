//! Indicatoren in the agenda file: a doel's `indicatoren`, each with its
//! streefwaarden (per year, or one without `jaar` for the whole period) and
//! its current metingen (each for the whole area, or for one `gemeente` of
//! the agenda). The rules are the domain's: the planner asks
//! [`crate::domain::indicator::create`] and [`Indicator::record`] and names
//! their problems with the file's path.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Planner;
use crate::domain::events::{IndicatorAangemaakt, MetingVastgelegd};
use crate::domain::indicator::{create, Indicator, MetingStatus, Richting, Waarde};
use crate::domain::{DomainError, Event, FieldError, Foutcode};
use crate::event_store::ExpectedVersion;
use crate::service::StreamEvents;

/// Een indicator van een doel in een agendabestand, met haar streefwaarden en metingen.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BestandIndicator)]
pub struct IndicatorIn {
    #[schema(
        min_length = 1,
        pattern = r"\S",
        example = "Inwoners met een betalingsachterstand"
    )]
    pub naam: String,
    #[schema(min_length = 1, pattern = r"\S", example = "%")]
    pub eenheid: String,
    // Optional in the type (a CSV row may leave it out, and the planner then
    // names it); required in the schema.
    #[serde(default)]
    #[schema(required = true, value_type = Richting)]
    pub richting: Option<Richting>,
    /// Waar de cijfers vandaan komen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bron: Option<String>,
    /// De organisatie (naam) die de metingen aanlevert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eigenaar: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulmeting: Option<WaardeIn>,
    /// Per jaar hoogstens één, en/of één zonder jaar voor de hele periode van de agenda.
    #[serde(default)]
    #[schema(nullable)]
    pub streefwaarden: Vec<WaardeIn>,
    /// De geldende metingen; een latere voor dezelfde periode en gemeente vervangt een eerdere.
    #[serde(default)]
    #[schema(nullable)]
    pub metingen: Vec<MetingIn>,
}

/// Een nulmeting of streefwaarde in een agendabestand; zonder jaar geldt ze voor de hele
/// periode van de agenda. Bij richting binnenBandbreedte ook onder- en bovengrens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BestandWaarde)]
pub struct WaardeIn {
    /// Weglaten: voor de hele periode van de agenda.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1900, maximum = 2200, example = 2026)]
    pub jaar: Option<i32>,
    #[schema(minimum = -1e15, maximum = 1e15, example = 40.0)]
    pub waarde: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = -1e15, maximum = 1e15)]
    pub ondergrens: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = -1e15, maximum = 1e15)]
    pub bovengrens: Option<f64>,
}

impl From<WaardeIn> for Waarde {
    fn from(w: WaardeIn) -> Self {
        Self {
            jaar: w.jaar,
            waarde: w.waarde,
            ondergrens: w.ondergrens,
            bovengrens: w.bovengrens,
        }
    }
}

impl From<Waarde> for WaardeIn {
    fn from(w: Waarde) -> Self {
        Self {
            jaar: w.jaar,
            waarde: w.waarde,
            ondergrens: w.ondergrens,
            bovengrens: w.bovengrens,
        }
    }
}

/// Een meting in een agendabestand.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BestandMeting)]
pub struct MetingIn {
    /// 2024, 2024-Q2 of 2024-03.
    #[schema(
        pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)(-Q[1-4]|-(0[1-9]|1[0-2]))?$",
        example = "2025"
    )]
    pub periode: String,
    /// Precies JJJJ-MM-DD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    pub meet_datum: Option<NaiveDate>,
    #[schema(minimum = -1e15, maximum = 1e15, example = 42.5)]
    pub waarde: f64,
    // Optional in the type (see `IndicatorIn::richting`); required in the schema.
    #[serde(default)]
    #[schema(required = true, value_type = MetingStatus)]
    pub status: Option<MetingStatus>,
    /// Een gemeente van de agenda; weglaten: het hele gebied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "Twenterand")]
    pub gemeente: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bron: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toelichting: Option<String>,
    /// De organisatie (naam) die de meting aanleverde.
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

impl Planner {
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
            nulmeting: ind.nulmeting.clone().map(Waarde::from),
            streefwaarden: ind
                .streefwaarden
                .iter()
                .cloned()
                .map(Waarde::from)
                .collect(),
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
                let alle = &self.gemeenten.0;
                let found = crate::domain::gemeente::vind(alle, &g).map(str::to_owned);
                if found.is_none() {
                    let e = crate::domain::indicator::onbekende_gemeente(
                        &format!("{mpath}.gemeente"),
                        &g,
                        alle,
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
