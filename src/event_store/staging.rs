//! The rules every append goes through, shared by both store implementations.
//!
//! A [`Staging`] validates appends one after another against what is stored
//! (through a [`StoreView`]) plus what earlier appends of the same group
//! commit already staged. It decides; the backend only writes what it staged.
//! If the write fails, the backend drops the staging and nothing is changed.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    AppendOutcome, AppendRequest, ExpectedVersion, RecordedEvent, StoreError, StoreResult,
    StreamOutcome, MAX_EVENTS_PER_APPEND, MAX_EVENT_BYTES,
};

/// Read access to what is already stored, as staging needs it.
pub(crate) trait StoreView {
    fn stored_stream_version(&self, stream_id: Uuid) -> StoreResult<u64>;
    fn stored_event_position(&self, event_id: Uuid) -> StoreResult<Option<u64>>;
    fn stored_idempotency(&self, key: &str) -> StoreResult<Option<IdempotencyRecord>>;
    fn stored_event(&self, position: u64) -> StoreResult<Option<RecordedEvent>>;
}

/// What the store keeps per idempotency key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdempotencyRecord {
    pub fingerprint: String,
    pub outcome: AppendOutcome,
    /// Stored without `outcome.streams`, which the log holds (the events at
    /// `firstPosition..=lastPosition`); the sled store does this for large
    /// records so that none grows past the size it promises sled.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub streams_in_log: bool,
}

/// An accepted event with its encoded form (what the sled backend writes).
pub(crate) struct StagedEvent {
    pub record: RecordedEvent,
    pub bytes: Vec<u8>,
}

/// Encodes an event as stored: one format byte, then the envelope as JSON.
pub(crate) const FORMAT_JSON: u8 = 1;

pub(crate) fn encode(event: &RecordedEvent) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(256);
    bytes.push(FORMAT_JSON);
    serde_json::to_writer(&mut bytes, event).expect("serializing an envelope cannot fail");
    bytes
}

/// [`super::EventStore::scan`] on top of a store's `scan_stored` (given as
/// `scan_stored`): decodes each record and checks that it says the position
/// it is stored at, so both stores refuse a misplaced record the same way.
pub(crate) fn scan_decoded(
    scan_stored: impl FnOnce(&mut dyn FnMut(u64, &[u8]) -> ControlFlow<()>) -> StoreResult<()>,
    f: &mut dyn FnMut(RecordedEvent) -> ControlFlow<()>,
) -> StoreResult<()> {
    let mut failure = None;
    scan_stored(&mut |position, bytes| {
        let event = match decode(bytes) {
            Ok(event) if event.position == position => event,
            Ok(event) => {
                failure = Some(StoreError::Corrupt(format!(
                    "event at position {position} says it is at {}",
                    event.position
                )));
                return ControlFlow::Break(());
            }
            Err(e) => {
                failure = Some(e);
                return ControlFlow::Break(());
            }
        };
        f(event)
    })?;
    failure.map_or(Ok(()), Err)
}

pub(crate) fn decode(bytes: &[u8]) -> StoreResult<RecordedEvent> {
    match bytes.split_first() {
        Some((&FORMAT_JSON, json)) => serde_json::from_slice(json)
            .map_err(|e| StoreError::Corrupt(format!("undecodable event: {e}"))),
        Some((format, _)) => Err(StoreError::Corrupt(format!(
            "unknown event storage format {format}"
        ))),
        None => Err(StoreError::Corrupt("empty event record".to_owned())),
    }
}

pub(crate) struct Staging<'a, V: StoreView + ?Sized> {
    view: &'a V,
    head: u64,
    last_recorded_at: Option<DateTime<Utc>>,
    versions: HashMap<Uuid, u64>,
    ids: HashMap<Uuid, (u64, Uuid, u64)>,
    keys: HashMap<String, IdempotencyRecord>,
    /// Everything accepted so far, in position order.
    pub events: Vec<StagedEvent>,
    /// Idempotency records to store with the events.
    pub new_keys: Vec<(String, IdempotencyRecord)>,
}

impl<'a, V: StoreView + ?Sized> Staging<'a, V> {
    pub fn new(view: &'a V, head: u64, last_recorded_at: Option<DateTime<Utc>>) -> Self {
        Self {
            view,
            head,
            last_recorded_at,
            versions: HashMap::new(),
            ids: HashMap::new(),
            keys: HashMap::new(),
            events: Vec::new(),
            new_keys: Vec::new(),
        }
    }

    pub fn head(&self) -> u64 {
        self.head
    }

    pub fn last_recorded_at(&self) -> Option<DateTime<Utc>> {
        self.last_recorded_at
    }

    fn stream_version(&self, stream_id: Uuid) -> StoreResult<u64> {
        match self.versions.get(&stream_id) {
            Some(v) => Ok(*v),
            None => self.view.stored_stream_version(stream_id),
        }
    }

    /// Where an event id was stored: (position, stream, version).
    fn known_event(&self, id: Uuid) -> StoreResult<Option<(u64, Uuid, u64)>> {
        if let Some(found) = self.ids.get(&id) {
            return Ok(Some(*found));
        }
        let Some(position) = self.view.stored_event_position(id)? else {
            return Ok(None);
        };
        let event = self.view.stored_event(position)?.ok_or_else(|| {
            StoreError::Corrupt(format!("event {id} indexed at missing position {position}"))
        })?;
        Ok(Some((position, event.stream_id, event.version)))
    }

    fn known_key(&self, key: &str) -> StoreResult<Option<IdempotencyRecord>> {
        match self.keys.get(key) {
            Some(r) => Ok(Some(r.clone())),
            None => self.view.stored_idempotency(key),
        }
    }

    /// Validates one append and, if accepted, stages it. On error nothing of
    /// this append is staged.
    pub fn stage(
        &mut self,
        request: AppendRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<AppendOutcome> {
        validate_shape(&request)?;

        if let Some(claim) = &request.idempotency {
            if let Some(record) = self.known_key(&claim.key)? {
                if record.fingerprint != claim.fingerprint {
                    return Err(StoreError::IdempotencyMismatch {
                        key: claim.key.clone(),
                    });
                }
                return Ok(AppendOutcome {
                    duplicate: true,
                    ..record.outcome
                });
            }
        }

        if let Some(outcome) = self.previously_stored(&request)? {
            return Ok(outcome);
        }

        for stream in &request.streams {
            let actual = self.stream_version(stream.stream_id)?;
            let ok = match stream.expected {
                ExpectedVersion::Any => true,
                ExpectedVersion::NoStream => actual == 0,
                ExpectedVersion::Exact(v) => actual == v,
            };
            if !ok {
                return Err(StoreError::Conflict {
                    stream_id: stream.stream_id,
                    expected: stream.expected,
                    actual,
                });
            }
        }

        let recorded_at = match self.last_recorded_at {
            Some(last) if last > now => last,
            _ => now,
        };
        let mut staged = Vec::new();
        let mut outcome_streams = Vec::new();
        let mut position = self.head;
        // The request is consumed: data and types move into the records.
        for stream in request.streams {
            let mut version = self.stream_version(stream.stream_id)?;
            for event in stream.events {
                position += 1;
                version += 1;
                let record = RecordedEvent {
                    id: event.id,
                    position,
                    stream_id: stream.stream_id,
                    stream_type: stream.stream_type.clone(),
                    version,
                    event_type: event.event_type,
                    schema_version: event.schema_version,
                    recorded_at,
                    data: event.data,
                    metadata: request.metadata.clone(),
                };
                let bytes = encode(&record);
                if bytes.len() > MAX_EVENT_BYTES {
                    return Err(StoreError::EventTooLarge {
                        size: bytes.len(),
                        limit: MAX_EVENT_BYTES,
                    });
                }
                staged.push(StagedEvent { record, bytes });
            }
            outcome_streams.push(StreamOutcome {
                stream_id: stream.stream_id,
                version,
            });
        }

        // Accepted: make it visible to the rest of the group.
        let outcome = AppendOutcome {
            first_position: self.head + 1,
            last_position: position,
            streams: outcome_streams,
            duplicate: false,
        };
        for s in &outcome.streams {
            self.versions.insert(s.stream_id, s.version);
        }
        for e in &staged {
            self.ids.insert(
                e.record.id,
                (e.record.position, e.record.stream_id, e.record.version),
            );
        }
        if let Some(claim) = request.idempotency {
            let record = IdempotencyRecord {
                fingerprint: claim.fingerprint,
                outcome: outcome.clone(),
                streams_in_log: false,
            };
            self.keys.insert(claim.key.clone(), record.clone());
            self.new_keys.push((claim.key, record));
        }
        self.head = position;
        self.last_recorded_at = Some(recorded_at);
        self.events.extend(staged);
        Ok(outcome)
    }

    /// When every event id of the request is already stored, the outcome of
    /// that earlier append; an error when only some are.
    fn previously_stored(&self, request: &AppendRequest) -> StoreResult<Option<AppendOutcome>> {
        let mut found = Vec::new();
        let mut missing = false;
        for event in request.streams.iter().flat_map(|s| &s.events) {
            match self.known_event(event.id)? {
                Some(hit) => found.push((event.id, hit)),
                None => missing = true,
            }
        }
        if found.is_empty() {
            return Ok(None);
        }
        if missing {
            return Err(StoreError::PartialDuplicate {
                event_id: found[0].0,
            });
        }
        let first_position = found.iter().map(|(_, (p, _, _))| *p).min().unwrap_or(0);
        let last_position = found.iter().map(|(_, (p, _, _))| *p).max().unwrap_or(0);
        let mut streams: Vec<StreamOutcome> = Vec::new();
        for (_, (_, stream_id, version)) in &found {
            match streams.iter_mut().find(|s| s.stream_id == *stream_id) {
                Some(s) => s.version = s.version.max(*version),
                None => streams.push(StreamOutcome {
                    stream_id: *stream_id,
                    version: *version,
                }),
            }
        }
        Ok(Some(AppendOutcome {
            first_position,
            last_position,
            streams,
            duplicate: true,
        }))
    }
}

fn validate_shape(request: &AppendRequest) -> StoreResult<()> {
    if request.streams.is_empty() {
        return Err(StoreError::Invalid(
            "an append needs at least one stream".into(),
        ));
    }
    let mut streams = HashSet::new();
    let mut ids = HashSet::new();
    let mut count = 0usize;
    for stream in &request.streams {
        if !streams.insert(stream.stream_id) {
            return Err(StoreError::Invalid(format!(
                "stream {} appears twice in one append",
                stream.stream_id
            )));
        }
        if stream.events.is_empty() {
            return Err(StoreError::Invalid(format!(
                "stream {} has no events",
                stream.stream_id
            )));
        }
        if stream.stream_type.is_empty() {
            return Err(StoreError::Invalid("stream type is empty".into()));
        }
        for event in &stream.events {
            count += 1;
            if event.event_type.is_empty() {
                return Err(StoreError::Invalid("event type is empty".into()));
            }
            if !ids.insert(event.id) {
                return Err(StoreError::Invalid(format!(
                    "event id {} appears twice in one append",
                    event.id
                )));
            }
        }
    }
    if count > MAX_EVENTS_PER_APPEND {
        return Err(StoreError::Invalid(format!(
            "{count} events in one append; the limit is {MAX_EVENTS_PER_APPEND}"
        )));
    }
    if let Some(claim) = &request.idempotency {
        if claim.key.is_empty() || claim.key.len() > 512 {
            return Err(StoreError::Invalid(
                "idempotency key must be 1 to 512 bytes".into(),
            ));
        }
    }
    Ok(())
}
