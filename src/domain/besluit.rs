//! What a command decides: the events for one or more streams, appended
//! together (atomically) by the service, each at the version the decision
//! saw.

use uuid::Uuid;

use super::{DomainError, Event};

/// The version a decision expects a stream to be at when it is appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versie {
    /// The stream must not exist yet (a create).
    Nieuw,
    /// The stream must still be at this version (what the decision saw).
    Exact(u64),
}

/// The events decided for one stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamBesluit {
    pub stream_id: Uuid,
    pub versie: Versie,
    pub events: Vec<Event>,
}

impl StreamBesluit {
    /// Events that start a new stream.
    pub fn nieuw(stream_id: Uuid, events: Vec<Event>) -> Self {
        Self {
            stream_id,
            versie: Versie::Nieuw,
            events,
        }
    }

    /// Events for an existing stream at `version`.
    pub fn bij(stream_id: Uuid, version: u64, events: Vec<Event>) -> Self {
        Self {
            stream_id,
            versie: Versie::Exact(version),
            events,
        }
    }
}

/// A decision: the streams it writes (the first is the command's own
/// resource, the one `If-Match` is about), or why it is refused. No event
/// in any stream means: nothing to change.
pub type Besluit = Result<Vec<StreamBesluit>, DomainError>;
