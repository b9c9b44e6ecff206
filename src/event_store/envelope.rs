//! The event envelope: the public, versioned contract of the log.
//!
//! Feed consumers (nieuwsbrief scripts, partner systems) read these fields, so
//! they are documented in `docs/events.md` and never change meaning. JSON field
//! names are Dutch camelCase, as the rest of the public API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Version of the envelope layout itself (not of any event's data).
pub const ENVELOPE_VERSION: u32 = 1;

/// One stored event, exactly as the feed and `export-events` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordedEvent {
    /// UUID v7 of the event.
    pub id: Uuid,
    /// Global position: starts at 1, strictly increasing, gap-free.
    #[serde(rename = "positie")]
    pub position: u64,
    pub stream_id: Uuid,
    /// Kind of the stream: `actie`, `opgave`, `agenda`, ...
    pub stream_type: String,
    /// Version within the stream, from 1.
    #[serde(rename = "versie")]
    pub version: u64,
    /// Stable name of the event, past tense (`ActieStatusGewijzigd`).
    #[serde(rename = "type")]
    pub event_type: String,
    /// Version of this event type's data schema.
    #[serde(rename = "schemaVersie")]
    pub schema_version: u32,
    /// When the system recorded it (UTC). Never decreases along the log.
    #[serde(rename = "registratieTijdstip")]
    pub recorded_at: DateTime<Utc>,
    pub data: Value,
    pub metadata: Metadata,
}

/// Who did it, why, and as part of what.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    pub actor: Actor,
    /// Ties together everything caused by one request or one import.
    #[serde(rename = "correlatieId")]
    pub correlation_id: Option<Uuid>,
    /// The command or event that directly caused this event.
    #[serde(rename = "causatieId")]
    pub causation_id: Option<Uuid>,
    /// The caller's idempotency key, when given.
    #[serde(rename = "idempotentieSleutel")]
    pub idempotency_key: Option<String>,
    /// Free-text reason given by the actor (`X-Audit-Toelichting`).
    pub toelichting: Option<String>,
    /// The bijsturing (PDCA "Act" decision) this change carries out, if any.
    pub bijsturing_id: Option<Uuid>,
    /// The agenda the event belongs to (for feed filters and visibility).
    pub agenda_id: Option<Uuid>,
}

/// The actor behind an event. Organisations and roles only: no personal data.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Actor {
    #[serde(rename = "soort")]
    pub kind: ActorKind,
    pub organisatie_id: Option<Uuid>,
    pub rol: Option<String>,
    pub token_id: Option<Uuid>,
    /// Human label, e.g. "system (demo import)".
    #[serde(rename = "omschrijving")]
    pub label: Option<String>,
}

impl Actor {
    /// The system itself, with a label saying what part of it.
    pub fn system(label: &str) -> Self {
        Self {
            kind: ActorKind::Systeem,
            label: Some(label.to_owned()),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    #[default]
    Systeem,
    Token,
}

/// An event to append, before it has a position.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    pub data: Value,
}

impl NewEvent {
    /// A new event with a fresh UUID v7.
    pub fn new(event_type: impl Into<String>, schema_version: u32, data: Value) -> Self {
        Self {
            id: Uuid::now_v7(),
            event_type: event_type.into(),
            schema_version,
            data,
        }
    }
}

/// What the caller expects of a stream's version before the append.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// No check.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must be exactly at this version (0 = does not exist).
    Exact(u64),
}

impl std::fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Any => f.write_str("any version"),
            Self::NoStream => f.write_str("no stream"),
            Self::Exact(v) => write!(f, "version {v}"),
        }
    }
}

/// Events for one stream within an append.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamAppend {
    pub stream_id: Uuid,
    pub stream_type: String,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
}

/// A caller-supplied idempotency key plus a fingerprint of the request it
/// belongs to. A retry with the same key and fingerprint returns the original
/// outcome; the same key with another fingerprint is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotencyClaim {
    pub key: String,
    pub fingerprint: String,
}

/// One atomic append: all streams' events are stored, or none.
#[derive(Debug, Clone, PartialEq)]
pub struct AppendRequest {
    pub streams: Vec<StreamAppend>,
    pub metadata: Metadata,
    pub idempotency: Option<IdempotencyClaim>,
}

impl AppendRequest {
    /// An append to a single stream.
    pub fn single(
        stream_id: Uuid,
        stream_type: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
        metadata: Metadata,
    ) -> Self {
        Self {
            streams: vec![StreamAppend {
                stream_id,
                stream_type: stream_type.to_owned(),
                expected,
                events,
            }],
            metadata,
            idempotency: None,
        }
    }

    pub fn with_idempotency(mut self, claim: Option<IdempotencyClaim>) -> Self {
        if let Some(claim) = &claim {
            self.metadata.idempotency_key = Some(claim.key.clone());
        }
        self.idempotency = claim;
        self
    }
}

/// The result of an append, also returned (with `duplicate: true`) for a retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppendOutcome {
    pub first_position: u64,
    pub last_position: u64,
    pub streams: Vec<StreamOutcome>,
    /// True when nothing was appended because this request was stored before.
    #[serde(default)]
    pub duplicate: bool,
}

impl AppendOutcome {
    /// The version a stream reached with this append.
    pub fn version_of(&self, stream_id: Uuid) -> Option<u64> {
        self.streams
            .iter()
            .find(|s| s.stream_id == stream_id)
            .map(|s| s.version)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamOutcome {
    pub stream_id: Uuid,
    /// The stream's version after the append.
    pub version: u64,
}
