//! Calendar days in Europe/Amsterdam: today's date, and the log positions
//! that bound a day.
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

/// The last position recorded on or before `date` (to the end of that day).
pub fn position_end_of_day(store: &dyn EventStore, date: NaiveDate) -> StoreResult<u64> {
    match date.succ_opt() {
        Some(next) => position_before_day(store, next),
        None => Ok(store.head()),
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
        assert_eq!(position_end_of_day(&store, NaiveDate::MAX).unwrap(), 0);
    }
}
