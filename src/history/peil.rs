//! `peildatum` / `peiltijdstip` / `positie`: which position of the log a
//! time-travel read reflects. A peildatum means the end of that day in
//! Europe/Amsterdam, and always *what the system had recorded* by then
//! (`registratieTijdstip`), never when something happened in the world.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::kalender::day_start;
use crate::event_store::{EventStore, StoreResult};

/// The last instant of `date` in Europe/Amsterdam.
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    date.succ_opt()
        .map(day_start)
        .and_then(|t| t.checked_sub_signed(Duration::nanoseconds(1)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The last position recorded at or before the end of `date` (Amsterdam).
pub fn position_at_end_of(store: &dyn EventStore, date: NaiveDate) -> StoreResult<u64> {
    store.position_at(end_of_day(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_of_day_follows_amsterdam_summer_and_winter_time() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // winter: UTC+1
        assert_eq!(
            end_of_day(d("2024-01-15")).to_rfc3339(),
            "2024-01-15T22:59:59.999999999+00:00"
        );
        // summer: UTC+2
        assert_eq!(
            end_of_day(d("2024-07-01")).to_rfc3339(),
            "2024-07-01T21:59:59.999999999+00:00"
        );
        // 2024-03-31 is the switch to summer time: the day ends at 22:00 UTC
        assert_eq!(
            end_of_day(d("2024-03-30")).to_rfc3339(),
            "2024-03-30T22:59:59.999999999+00:00"
        );
        assert_eq!(
            end_of_day(d("2024-03-31")).to_rfc3339(),
            "2024-03-31T21:59:59.999999999+00:00"
        );
        // 2024-10-27 back to winter time
        assert_eq!(
            end_of_day(d("2024-10-26")).to_rfc3339(),
            "2024-10-26T21:59:59.999999999+00:00"
        );
        assert_eq!(
            end_of_day(d("2024-10-27")).to_rfc3339(),
            "2024-10-27T22:59:59.999999999+00:00"
        );
    }

    #[test]
    fn the_ends_of_chronos_range_saturate_instead_of_panicking() {
        assert_eq!(end_of_day(NaiveDate::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(end_of_day(NaiveDate::MIN).date_naive(), NaiveDate::MIN);
    }
}
