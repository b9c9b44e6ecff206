//! The application service: turns a command into events and appends them.
//!
//! Every write goes the same way: look at the current state in the read
//! model, let the aggregate decide, append with the stream's version as the
//! expected version (or the caller's `If-Match`), retry on a lost race when
//! the caller did not pin a version. Idempotency keys are checked before
//! deciding, so a retried request returns the original outcome even when the
//! state has moved on since.

pub mod command;
mod commands;

pub use command::Command;

use std::sync::Arc;

use uuid::Uuid;

use crate::domain::{DomainError, Event};
use crate::event_store::{
    AppendOutcome, AppendRequest, EventStore, ExpectedVersion, IdempotencyClaim, Metadata,
    NewEvent, StoreError, StreamAppend,
};
use crate::projections::{Projection, ReadModel};

/// How often a write without `If-Match` is decided again after losing a race
/// for its stream before the caller is told to retry. Each loss means another
/// write to the same resource got in first; before deciding again the service
/// waits until that write is acknowledged, so every round has a winner. With
/// four clients writing to one actie at once, losing 64 rounds in a row has a
/// probability of about 1e-8.
pub(crate) const MAX_ATTEMPTS: usize = 64;

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("{0}")]
    NotFound(String),
    /// `If-Match` named another version than the current one.
    #[error("the resource is at version {current}, not {expected}")]
    PreconditionFailed { expected: u64, current: u64 },
    /// The idempotency key was used before with another request body.
    #[error("idempotency key reused for another request")]
    IdempotencyMismatch,
    #[error(transparent)]
    Store(StoreError),
    /// `X-Bijsturing-Id` names no bijsturing (of this agenda); the reason in Dutch.
    #[error("{0}")]
    InvalidBijsturing(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::IdempotencyMismatch { .. } => Self::IdempotencyMismatch,
            other => Self::Store(other),
        }
    }
}

/// Who asks, why, and with what guarantees.
#[derive(Debug, Clone, Default)]
pub struct WriteContext {
    pub metadata: Metadata,
    pub idempotency: Option<IdempotencyClaim>,
    pub if_match: Option<u64>,
}

impl WriteContext {
    /// The body's `toelichting`, unless the `X-Audit-Toelichting` header
    /// already gave one.
    pub fn met_toelichting(mut self, toelichting: Option<String>) -> Self {
        if self.metadata.toelichting.is_none() {
            self.metadata.toelichting = toelichting.filter(|t| !t.trim().is_empty());
        }
        self
    }
}

/// Events for one stream, as decided.
pub struct StreamEvents {
    pub stream_id: Uuid,
    pub expected: ExpectedVersion,
    pub events: Vec<Event>,
}

impl From<crate::domain::StreamBesluit> for StreamEvents {
    fn from(b: crate::domain::StreamBesluit) -> Self {
        Self {
            stream_id: b.stream_id,
            expected: match b.versie {
                crate::domain::Versie::Nieuw => ExpectedVersion::NoStream,
                crate::domain::Versie::Exact(v) => ExpectedVersion::Exact(v),
            },
            events: b.events,
        }
    }
}

impl StreamEvents {
    /// The store's form of these events; `None` when there are none.
    pub fn into_append(self) -> Option<StreamAppend> {
        let first = self.events.first()?;
        Some(StreamAppend {
            stream_id: self.stream_id,
            stream_type: first.stream_type().to_owned(),
            expected: self.expected,
            events: self.events.iter().map(new_event).collect(),
        })
    }
}

/// A domain event as the store appends it, with its type's current schema
/// version.
pub fn new_event(e: &Event) -> NewEvent {
    NewEvent::new(e.event_type(), e.schema_version(), e.data())
}

pub struct Service {
    pub store: Arc<dyn EventStore>,
    pub projection: Arc<Projection>,
    /// Serializes commands that must see a stable agenda structure (unique
    /// codes); ordinary actie updates do not take it.
    pub(crate) structure: tokio::sync::Mutex<()>,
}

impl Service {
    pub fn new(store: Arc<dyn EventStore>, projection: Arc<Projection>) -> Self {
        Self {
            store,
            projection,
            structure: tokio::sync::Mutex::new(()),
        }
    }

    /// Runs a command against one existing stream. `decide` sees the read
    /// model and returns the stream's current version and the new events.
    pub async fn update(
        &self,
        stream_id: Uuid,
        ctx: WriteContext,
        decide: impl Fn(&ReadModel) -> Result<(u64, Vec<Event>), ServiceError>,
    ) -> Result<AppendOutcome, ServiceError> {
        if let Some(outcome) = self.replayed(&ctx)? {
            return Ok(outcome);
        }
        check_bijsturing(&self.projection.read(), &ctx)?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (current, events) = decide(&self.projection.read())?;
            check_if_match(&ctx, current)?;
            if events.is_empty() {
                return Ok(unchanged(stream_id, current));
            }
            let batch = vec![StreamEvents {
                stream_id,
                expected: ExpectedVersion::Exact(current),
                events,
            }];
            match self.append(batch, &ctx).await {
                Err(ServiceError::Store(StoreError::Conflict { actual, .. })) => {
                    if let Some(expected) = ctx.if_match {
                        return Err(ServiceError::PreconditionFailed {
                            expected,
                            current: actual,
                        });
                    }
                    if attempts >= MAX_ATTEMPTS {
                        return Err(ServiceError::PreconditionFailed {
                            expected: current,
                            current: actual,
                        });
                    }
                    // The stream moved on past what the decision saw: most
                    // often an append still on its way to disk. Wait until
                    // that version is acknowledged (then the read model has
                    // it), and decide again.
                    self.wait_for_version(stream_id, actual).await;
                }
                other => return other,
            }
        }
    }

    /// Runs a command that creates or restructures (unique codes): decided
    /// and appended under the structure lock so two creates cannot both take
    /// the same code.
    pub async fn structural(
        &self,
        ctx: WriteContext,
        decide: impl FnOnce(&ReadModel) -> Result<Vec<StreamEvents>, ServiceError>,
    ) -> Result<AppendOutcome, ServiceError> {
        if let Some(outcome) = self.replayed(&ctx)? {
            return Ok(outcome);
        }
        let _guard = self.structure.lock().await;
        check_bijsturing(&self.projection.read(), &ctx)?;
        let batch = decide(&self.projection.read())?;
        if batch.iter().all(|s| s.events.is_empty()) {
            let stream = batch.first().map_or(Uuid::nil(), |s| s.stream_id);
            let version = self.store.stream_version(stream)?;
            return Ok(unchanged(stream, version));
        }
        self.append(batch, &ctx).await
    }

    /// Waits (at most 250 ms) until `stream_id` is acknowledged at
    /// `version` or later.
    pub(crate) async fn wait_for_version(&self, stream_id: Uuid, version: u64) {
        let mut head = self.store.watch_head();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(250);
        loop {
            match self.store.stream_version(stream_id) {
                Ok(v) if v < version => {}
                _ => return,
            }
            if tokio::time::timeout_at(deadline, head.changed())
                .await
                .is_err()
            {
                return;
            }
        }
    }

    /// The current read model (for handlers that render after a write).
    pub fn model(&self) -> std::sync::RwLockReadGuard<'_, ReadModel> {
        self.projection.read()
    }

    pub(crate) fn replayed(
        &self,
        ctx: &WriteContext,
    ) -> Result<Option<AppendOutcome>, ServiceError> {
        let Some(claim) = &ctx.idempotency else {
            return Ok(None);
        };
        match self.store.idempotency_record(&claim.key)? {
            Some((fingerprint, _)) if fingerprint != claim.fingerprint => {
                Err(ServiceError::IdempotencyMismatch)
            }
            Some((_, outcome)) => Ok(Some(AppendOutcome {
                duplicate: true,
                ..outcome
            })),
            None => Ok(None),
        }
    }

    pub(crate) async fn append(
        &self,
        batch: Vec<StreamEvents>,
        ctx: &WriteContext,
    ) -> Result<AppendOutcome, ServiceError> {
        let mut metadata = ctx.metadata.clone();
        if metadata.agenda_id.is_none() {
            let model = self.projection.read();
            metadata.agenda_id = batch
                .iter()
                .flat_map(|s| s.events.iter().map(move |e| (s.stream_id, e)))
                .find_map(|(stream, e)| model.agenda_of_event(stream, e));
        }
        let streams = batch
            .into_iter()
            .filter_map(StreamEvents::into_append)
            .collect();
        let request = AppendRequest {
            streams,
            metadata,
            idempotency: None,
        }
        .with_idempotency(ctx.idempotency.clone());
        Ok(self.store.append(request).await?)
    }
}

/// 412 when the caller's `If-Match` names another version than `current`.
pub fn check_if_match(ctx: &WriteContext, current: u64) -> Result<(), ServiceError> {
    match ctx.if_match {
        Some(expected) if expected != current => {
            Err(ServiceError::PreconditionFailed { expected, current })
        }
        _ => Ok(()),
    }
}

/// A write that carries out a bijsturing (`metadata.bijsturingId`) must name
/// an existing one, of the same agenda when the write knows its agenda.
pub fn check_bijsturing(model: &ReadModel, ctx: &WriteContext) -> Result<(), ServiceError> {
    let Some(id) = ctx.metadata.bijsturing_id else {
        return Ok(());
    };
    match model.bijsturing(id) {
        None => Err(ServiceError::InvalidBijsturing(format!(
            "Er is geen bijsturing met id {id}. Gebruik het id uit GET /v1/checkmomenten/{{id}}/bijsturingen."
        ))),
        Some((c, _)) if ctx.metadata.agenda_id.is_some_and(|a| a != c.state.agenda_id) => {
            Err(ServiceError::InvalidBijsturing(format!(
                "Bijsturing {id} hoort bij een andere agenda dan deze wijziging."
            )))
        }
        Some(_) => Ok(()),
    }
}

/// The outcome of a command that changed nothing (no event appended).
pub(crate) fn unchanged(stream_id: Uuid, version: u64) -> AppendOutcome {
    AppendOutcome {
        first_position: 0,
        last_position: 0,
        streams: vec![crate::event_store::StreamOutcome { stream_id, version }],
        duplicate: false,
    }
}
