//! The Dutch calendar day: when a day starts in Europe/Amsterdam, and on
//! which day an instant falls. "Today", a default `datum`, the peiljaar and
//! a day in a report are days of this calendar, never the UTC date (which
//! lags an hour or two behind from local midnight on).
//!
//! Pure (no clock, no store), so the domain can decide with it on the `nu`
//! a command carries; `crate::kalender` adds today's date and the log
//! positions that bound a day.
//!
//! A day starts at local midnight: 23:00 UTC the day before in winter (CET,
//! +1) and 22:00 UTC in summer (CEST, +2). The EU rule (summer time from the
//! last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC,
//! in force since 1996) is small enough to write down here instead of
//! pulling in a time zone database; local midnight never falls inside a
//! switch hour. None of these functions panics, also at the ends of
//! chrono's range: they saturate.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

fn last_sunday(year: i32, month: u32) -> NaiveDate {
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

/// The Amsterdam calendar day `t` falls on (the day a `peildatum` of which
/// includes it).
pub fn date_of(t: DateTime<Utc>) -> NaiveDate {
    let d = t.date_naive();
    match d.succ_opt() {
        Some(next) if day_start(next) <= t => next,
        _ => d,
    }
}

/// The instant the Amsterdam day after the one `t` falls on starts: until
/// then, [`date_of`] gives the same day.
pub fn next_day_start(t: DateTime<Utc>) -> DateTime<Utc> {
    date_of(t)
        .succ_opt()
        .map_or(DateTime::<Utc>::MAX_UTC, day_start)
}

/// The instant the Amsterdam year after the one `t` falls in starts (1
/// January, local midnight): until then, the year of [`date_of`] is the
/// same.
pub fn next_year_start(t: DateTime<Utc>) -> DateTime<Utc> {
    date_of(t)
        .year()
        .checked_add(1)
        .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1))
        .map_or(DateTime::<Utc>::MAX_UTC, day_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_instant_falls_on_its_amsterdam_day() {
        // Winter: midnight is 23:00 UTC the day before.
        assert_eq!(date_of(at("2024-12-04T22:59:59Z")), d("2024-12-04"));
        assert_eq!(date_of(at("2024-12-04T23:00:00Z")), d("2024-12-05"));
        assert_eq!(date_of(at("2024-12-31T23:30:00Z")), d("2025-01-01"));
        // Summer: 22:00 UTC.
        assert_eq!(date_of(at("2024-07-01T21:59:59Z")), d("2024-07-01"));
        assert_eq!(date_of(at("2024-07-01T22:00:00Z")), d("2024-07-02"));
        assert_eq!(date_of(at("2024-06-30T22:30:00Z")), d("2024-07-01"));
        // The switch days: 31 March and 27 October 2024.
        assert_eq!(date_of(at("2024-03-30T23:00:00Z")), d("2024-03-31"));
        assert_eq!(date_of(at("2024-03-31T21:59:59Z")), d("2024-03-31"));
        assert_eq!(date_of(at("2024-03-31T22:00:00Z")), d("2024-04-01"));
        assert_eq!(date_of(at("2024-10-26T22:00:00Z")), d("2024-10-27"));
        assert_eq!(date_of(at("2024-10-27T22:59:59Z")), d("2024-10-27"));
        assert_eq!(date_of(at("2024-10-27T23:00:00Z")), d("2024-10-28"));
    }

    #[test]
    fn the_next_day_and_year_begin_at_amsterdam_midnight() {
        assert_eq!(
            next_day_start(at("2024-12-31T22:50:00Z")),
            at("2024-12-31T23:00:00Z")
        );
        assert_eq!(
            next_day_start(at("2024-12-31T23:00:00Z")),
            at("2025-01-01T23:00:00Z")
        );
        assert_eq!(
            next_day_start(at("2024-06-30T21:00:00Z")),
            at("2024-06-30T22:00:00Z")
        );
        assert_eq!(
            next_year_start(at("2024-03-01T09:00:00Z")),
            at("2024-12-31T23:00:00Z")
        );
        assert_eq!(
            next_year_start(at("2024-12-31T23:30:00Z")),
            at("2025-12-31T23:00:00Z")
        );
    }

    #[test]
    fn winter_and_summer_midnights() {
        assert_eq!(day_start(d("2024-01-15")), at("2024-01-14T23:00:00Z"));
        assert_eq!(day_start(d("2024-07-01")), at("2024-06-30T22:00:00Z"));
    }

    #[test]
    fn switch_days() {
        // 2024: summer time 31 March, winter time 27 October.
        assert_eq!(day_start(d("2024-03-31")), at("2024-03-30T23:00:00Z"));
        assert_eq!(day_start(d("2024-04-01")), at("2024-03-31T22:00:00Z"));
        assert_eq!(day_start(d("2024-10-27")), at("2024-10-26T22:00:00Z"));
        assert_eq!(day_start(d("2024-10-28")), at("2024-10-27T23:00:00Z"));
    }

    #[test]
    fn the_ends_of_chronos_range_saturate_instead_of_panicking() {
        assert_eq!(day_start(NaiveDate::MIN), DateTime::<Utc>::MIN_UTC);
        assert_eq!(
            day_start(NaiveDate::MAX).date_naive(),
            NaiveDate::MAX - Duration::days(1)
        );
        assert_eq!(date_of(DateTime::<Utc>::MAX_UTC), NaiveDate::MAX);
        assert_eq!(
            next_day_start(DateTime::<Utc>::MAX_UTC),
            DateTime::<Utc>::MAX_UTC
        );
        assert_eq!(
            next_year_start(DateTime::<Utc>::MAX_UTC),
            DateTime::<Utc>::MAX_UTC
        );
        assert_eq!(date_of(DateTime::<Utc>::MIN_UTC), NaiveDate::MIN);
    }
}
