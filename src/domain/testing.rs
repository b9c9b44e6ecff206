//! Given/when/then for aggregates: `given(view).when(|v| command.decide(v))`
//! then `.then(events)` or `.then_refused(code)`. The view is a small fake
//! that implements the aggregate's view trait with just the state the rule
//! needs, so a rule is tested without the store, the read model or HTTP.

use super::{Besluit, DomainError, Event, Foutcode, StreamBesluit};

pub struct Given<V> {
    view: V,
}

/// The state the command is decided against.
pub fn given<V>(view: V) -> Given<V> {
    Given { view }
}

impl<V> Given<V> {
    pub fn when(self, decide: impl FnOnce(&V) -> Besluit) -> Then {
        Then(decide(&self.view))
    }
}

/// What the command decided.
#[derive(Debug)]
pub struct Then(pub Besluit);

impl Then {
    /// The decision's events, all streams in order.
    #[track_caller]
    pub fn then(self, expected: Vec<Event>) -> Vec<StreamBesluit> {
        let streams = self
            .0
            .unwrap_or_else(|e| panic!("refused, expected events: {e:?}"));
        let events: Vec<Event> = streams.iter().flat_map(|s| s.events.clone()).collect();
        assert_eq!(events, expected);
        streams
    }

    /// Accepted, with `n` events over all streams (when which events is
    /// not the point of the test).
    #[track_caller]
    pub fn then_count(self, n: usize) -> Vec<StreamBesluit> {
        let streams = self
            .0
            .unwrap_or_else(|e| panic!("refused, expected {n} events: {e:?}"));
        let count: usize = streams.iter().map(|s| s.events.len()).sum();
        assert_eq!(count, n, "{streams:?}");
        streams
    }

    /// Refused with this stable code (`duplicate`, `not-found`, a 409 code,
    /// or the code of any invalid field); returns the error for more checks.
    #[track_caller]
    pub fn then_refused(self, code: Foutcode) -> DomainError {
        let error = match self.0 {
            Ok(streams) => panic!("decided {streams:?}, expected refusal {code}"),
            Err(e) => e,
        };
        let matches = match &error {
            DomainError::Conflict { code: c, .. } | DomainError::Forbidden { code: c, .. } => {
                *c == code
            }
            DomainError::Invalid(fields) => fields.iter().any(|f| f.code == code),
            DomainError::NotFound { .. } => code == Foutcode::NotFound,
        };
        assert!(matches, "refused with {error:?}, expected code {code}");
        error
    }
}
