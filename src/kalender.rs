//! Calendar days in Europe/Amsterdam as UTC instants, and the log positions
//! that bound them.
//!
//! `sinds`, `tot` and `peildatum` are Dutch calendar days. A day starts at
//! local midnight: 23:00 UTC the day before in winter (CET, +1) and 22:00 UTC
//! in summer (CEST, +2). The EU rule (summer time from the last Sunday of
//! March 01:00 UTC to the last Sunday of October 01:00 UTC, in force since
//! 1996) is small enough to write down here instead of pulling in a time zone
//! database; local midnight never falls inside a switch hour.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

use crate::event_store::{EventStore, StoreResult};

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    // Saturates at the end of chrono's range instead of panicking.
    let first_next = if month == 12 {
        year.checked_add(1)
            .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1))
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .unwrap_or(NaiveDate::MAX);
    let mut d = first_next - Duration::days(1);
    while d.weekday() != Weekday::Sun {
        d -= Duration::days(1);
    }
    d
}

/// UTC offset (hours) in Amsterdam at local midnight starting `date`.
fn offset_at_midnight(date: NaiveDate) -> i64 {
    let y = date.year();
    if date > last_sunday(y, 3) && date <= last_sunday(y, 10) {
        2
    } else {
        1
    }
}

/// The instant local midnight starts `date` in Europe/Amsterdam.
pub fn day_start(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    midnight
        .checked_sub_signed(Duration::hours(offset_at_midnight(date)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

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

/// The Amsterdam calendar day `t` falls on (the day a `peildatum` of which
/// includes it).
pub fn date_of(t: DateTime<Utc>) -> NaiveDate {
    let d = t.date_naive();
    match d.succ_opt() {
        Some(next) if day_start(next) <= t => next,
        _ => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_falls_on_its_amsterdam_day() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        // Winter: midnight is 23:00 UTC the day before.
        assert_eq!(date_of(at("2024-12-04T22:59:59Z")), d("2024-12-04"));
        assert_eq!(date_of(at("2024-12-04T23:00:00Z")), d("2024-12-05"));
        // Summer: 22:00 UTC.
        assert_eq!(date_of(at("2024-07-01T21:59:59Z")), d("2024-07-01"));
        assert_eq!(date_of(at("2024-07-01T22:00:00Z")), d("2024-07-02"));
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn winter_and_summer_midnights() {
        assert_eq!(
            day_start(d("2024-01-15")).to_rfc3339(),
            "2024-01-14T23:00:00+00:00"
        );
        assert_eq!(
            day_start(d("2024-07-01")).to_rfc3339(),
            "2024-06-30T22:00:00+00:00"
        );
    }

    #[test]
    fn switch_days() {
        // 2024: summer time 31 March, winter time 27 October.
        assert_eq!(
            day_start(d("2024-03-31")).to_rfc3339(),
            "2024-03-30T23:00:00+00:00"
        );
        assert_eq!(
            day_start(d("2024-04-01")).to_rfc3339(),
            "2024-03-31T22:00:00+00:00"
        );
        assert_eq!(
            day_start(d("2024-10-27")).to_rfc3339(),
            "2024-10-26T22:00:00+00:00"
        );
        assert_eq!(
            day_start(d("2024-10-28")).to_rfc3339(),
            "2024-10-27T23:00:00+00:00"
        );
    }

    #[test]
    fn the_ends_of_chronos_range_saturate_instead_of_panicking() {
        assert_eq!(day_start(NaiveDate::MIN), DateTime::<Utc>::MIN_UTC);
        assert_eq!(
            day_start(NaiveDate::MAX).date_naive(),
            NaiveDate::MAX - Duration::days(1)
        );
        let store = crate::event_store::MemoryStore::new();
        assert_eq!(position_before_day(&store, NaiveDate::MIN).unwrap(), 0);
        assert_eq!(position_end_of_day(&store, NaiveDate::MAX).unwrap(), 0);
    }
}
