//! [`Command`] and [`Service::execute`]: the one way a write reaches the
//! store. A command is decided by its aggregate in `crate::domain`, against
//! one snapshot of the read model (the read model implements the domain's
//! read-only view traits), and what it decides is appended atomically.

use super::{
    check_bijsturing, check_if_match, unchanged, Service, ServiceError, StreamEvents, WriteContext,
    MAX_ATTEMPTS,
};
use crate::domain::Besluit;
use crate::event_store::{AppendOutcome, ExpectedVersion, StoreError};
use crate::projections::ReadModel;

/// A command of the domain, as the service runs it.
pub trait Command {
    /// Whether the decision reads agenda-wide structure (codes, names, the
    /// tree): then it is decided and appended under the structure lock, so
    /// two such commands never decide on the same snapshot.
    fn structural(&self) -> bool;

    /// The decision, against one snapshot. The first stream is the
    /// command's own resource (the one `If-Match` is about).
    fn decide(&self, model: &ReadModel) -> Besluit;
}

impl Service {
    /// Executes `command`: an idempotent retry returns the first outcome;
    /// otherwise the command is decided against one snapshot of the read
    /// model (validation and decision see the same state), `If-Match` is
    /// checked against the version the decision saw, and the events are
    /// appended at exactly the versions decided on. A write without
    /// `If-Match` that lost a race is decided again.
    pub async fn execute(
        &self,
        ctx: WriteContext,
        command: &impl Command,
    ) -> Result<AppendOutcome, ServiceError> {
        if let Some(outcome) = self.replayed(&ctx)? {
            return Ok(outcome);
        }
        let _guard = if command.structural() {
            Some(self.structure.lock().await)
        } else {
            None
        };
        check_bijsturing(&self.projection.read(), &ctx)?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let batch: Vec<StreamEvents> = command
                .decide(&self.projection.read())?
                .into_iter()
                .map(StreamEvents::from)
                .collect();
            let Some(first) = batch.first() else {
                return Ok(unchanged(uuid::Uuid::nil(), 0));
            };
            if let ExpectedVersion::Exact(v) = first.expected {
                check_if_match(&ctx, v)?;
            }
            if batch.iter().all(|s| s.events.is_empty()) {
                let version = match first.expected {
                    ExpectedVersion::Exact(v) => v,
                    _ => self.store.stream_version(first.stream_id)?,
                };
                return Ok(unchanged(first.stream_id, version));
            }
            let own = first.stream_id;
            match self.append(batch, &ctx).await {
                Err(ServiceError::Store(StoreError::Conflict {
                    stream_id, actual, ..
                })) => {
                    if let Some(expected) = ctx.if_match.filter(|_| stream_id == own) {
                        return Err(ServiceError::PreconditionFailed {
                            expected,
                            current: actual,
                        });
                    }
                    if attempts >= MAX_ATTEMPTS {
                        return Err(ServiceError::PreconditionFailed {
                            expected: actual.saturating_sub(1),
                            current: actual,
                        });
                    }
                    self.wait_for_version(stream_id, actual).await;
                }
                other => return other,
            }
        }
    }
}
