//! Every domain event, with its stable name and data layout.
//!
//! The name (`type` in the envelope) and the JSON of the data are a public
//! contract documented in `docs/events.md`. [`Event::decode`] is the single
//! place where stored data is read back, so upcasting of old schema versions
//! belongs there.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::actie::{ActieStatus, Trekker};
use super::agenda::{AgendaStatus, Niveau};
use super::organisatie::OrganisatieSoort;
use super::Code;

/// The schema version every event type is written with today.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Event {
    OrganisatieGeregistreerd(OrganisatieGeregistreerd),
    AgendaAangemaakt(AgendaAangemaakt),
    GroeperingAangemaakt(GroeperingAangemaakt),
    OpgaveAangemaakt(OpgaveAangemaakt),
    DoelAangemaakt(DoelAangemaakt),
    ActieAangemaakt(ActieAangemaakt),
    TrekkerGewijzigd(TrekkerGewijzigd),
    ActieStatusGewijzigd(ActieStatusGewijzigd),
    VoortgangsberichtToegevoegd(VoortgangsberichtToegevoegd),
}

impl Event {
    /// The stable event name.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::OrganisatieGeregistreerd(_) => "OrganisatieGeregistreerd",
            Self::AgendaAangemaakt(_) => "AgendaAangemaakt",
            Self::GroeperingAangemaakt(_) => "GroeperingAangemaakt",
            Self::OpgaveAangemaakt(_) => "OpgaveAangemaakt",
            Self::DoelAangemaakt(_) => "DoelAangemaakt",
            Self::ActieAangemaakt(_) => "ActieAangemaakt",
            Self::TrekkerGewijzigd(_) => "TrekkerGewijzigd",
            Self::ActieStatusGewijzigd(_) => "ActieStatusGewijzigd",
            Self::VoortgangsberichtToegevoegd(_) => "VoortgangsberichtToegevoegd",
        }
    }

    /// The data object as stored in the envelope.
    pub fn data(&self) -> Value {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut m)) => m.remove("data").unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// Reads an event back from its envelope parts, upcasting old versions.
    pub fn decode(event_type: &str, schema_version: u32, data: &Value) -> Result<Self, String> {
        if schema_version > SCHEMA_VERSION {
            return Err(format!(
                "{event_type} has schema version {schema_version}, newer than this program knows ({SCHEMA_VERSION})"
            ));
        }
        // Upcasters for (type, old version) go here when a version 2 appears.
        let tagged = serde_json::json!({ "type": event_type, "data": data });
        serde_json::from_value(tagged).map_err(|e| format!("{event_type}: {e}"))
    }

    /// The stream type an event of this kind belongs to.
    pub fn stream_type(&self) -> &'static str {
        match self {
            Self::OrganisatieGeregistreerd(_) => "organisatie",
            Self::AgendaAangemaakt(_) => "agenda",
            Self::GroeperingAangemaakt(_) => "groepering",
            Self::OpgaveAangemaakt(_) => "opgave",
            Self::DoelAangemaakt(_) => "doel",
            Self::ActieAangemaakt(_)
            | Self::TrekkerGewijzigd(_)
            | Self::ActieStatusGewijzigd(_)
            | Self::VoortgangsberichtToegevoegd(_) => "actie",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganisatieGeregistreerd {
    pub naam: String,
    pub soort: OrganisatieSoort,
    /// A role address (info@, mag@), never a person's.
    pub contactadres: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgendaAangemaakt {
    pub naam: String,
    pub omschrijving: String,
    pub gemeenten: Vec<String>,
    pub periode_start_datum: NaiveDate,
    pub periode_eind_datum: NaiveDate,
    pub status: AgendaStatus,
    pub gepubliceerd: bool,
    pub signaleringstermijn_dagen: u32,
    /// Names of the grouping levels above opgave, outermost first
    /// (Twenterand: one level, "themalijn"; none for an ungrouped agenda).
    pub groeperingsniveaus: Vec<Niveau>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroeperingAangemaakt {
    pub agenda_id: Uuid,
    /// Index into the agenda's `groeperingsniveaus` (0 = outermost).
    pub niveau: usize,
    pub bovenliggende_groepering_id: Option<Uuid>,
    pub code: Option<Code>,
    pub naam: String,
    pub omschrijving: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpgaveAangemaakt {
    pub agenda_id: Uuid,
    pub groepering_id: Option<Uuid>,
    pub code: Code,
    pub titel: String,
    pub omschrijving: String,
    pub geprioriteerd: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoelAangemaakt {
    pub agenda_id: Uuid,
    pub opgave_id: Uuid,
    /// Set for a sub-doel (a result under a strategic doel).
    pub bovenliggend_doel_id: Option<Uuid>,
    pub code: Option<Code>,
    pub titel: String,
    pub omschrijving: String,
    pub geprioriteerd: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActieAangemaakt {
    pub agenda_id: Uuid,
    pub opgave_id: Uuid,
    pub doel_id: Option<Uuid>,
    pub omschrijving: String,
    pub jaar: i32,
    pub geplande_start_datum: Option<NaiveDate>,
    pub geplande_eind_datum: Option<NaiveDate>,
    /// Empty: "trekkersrol nog in te vullen".
    pub trekker: Option<Trekker>,
    pub partners: Vec<Uuid>,
    pub status: ActieStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrekkerGewijzigd {
    pub vorige_trekker: Option<Trekker>,
    pub nieuwe_trekker: Option<Trekker>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActieStatusGewijzigd {
    pub van: ActieStatus,
    pub naar: ActieStatus,
    /// When the change took effect in the world (may precede registration).
    pub ingangs_datum: NaiveDate,
    /// Required for vervallen and heropenen.
    pub reden: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoortgangsberichtToegevoegd {
    pub bericht_id: Uuid,
    pub datum: NaiveDate,
    pub auteur_organisatie_id: Option<Uuid>,
    /// Free text written by a person; kept in its own field so it can be redacted.
    pub tekst: String,
}
