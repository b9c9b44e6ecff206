//! Calendar days in Europe/Amsterdam: today's date, and the log position
//! before a day (the position at its end: [`crate::history::peil::position_at_end_of`]).
//!
//! `sinds`, `tot` and `peildatum` are Dutch calendar days, and so is every
//! "today" (a default `datum`, the peiljaar): [`today`] here, or
//! [`date_of`] of an instant. When a day starts and which day an instant
//! falls on is decided once, in [`crate::domain::kalender`] (pure, so that
//! the domain and the projections use it too); this module adds the clock
//! and the store.

use chrono::{Duration, NaiveDate, Utc};

pub use crate::domain::kalender::{date_of, day_start, next_day_start};
use crate::event_store::{EventStore, StoreResult};

/// The last position recorded before `date` began in Amsterdam.
pub fn position_before_day(store: &dyn EventStore, date: NaiveDate) -> StoreResult<u64> {
    match day_start(date).checked_sub_signed(Duration::nanoseconds(1)) {
        Some(before) => store.position_at(before),
        None => Ok(0),
    }
}

/// Today's date in Amsterdam.
pub fn today() -> NaiveDate {
    date_of(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ends_of_chronos_range_saturate_instead_of_panicking() {
        let store = crate::event_store::MemoryStore::new();
        assert_eq!(position_before_day(&store, NaiveDate::MIN).unwrap(), 0);
        assert_eq!(
            crate::history::peil::position_at_end_of(&store, NaiveDate::MAX).unwrap(),
            0
        );
    }
}
