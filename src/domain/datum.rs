//! Dates and instants that come from outside (query parameters, request
//! bodies, import files, the command line): one range and one strict syntax,
//! decided here and nowhere else.
//!
//! - A date is `YYYY-MM-DD` exactly (ISO 8601 calendar date, four-digit year,
//!   two-digit month and day): `2024-1-1`, `+2024-01-01` or `2024-01-01 ` are
//!   refused.
//! - An instant is RFC 3339 with a `T` and a time zone (`Z` or `±hh:mm`).
//! - Both lie in the years [`MIN_YEAR`]..=[`MAX_YEAR`] (an instant in UTC).
//!   That is plenty for a yearly municipal programme and keeps every
//!   calendar computation on them (end of day, next year, Amsterdam midnight)
//!   far from chrono's limits, so none of them can overflow.

use crate::domain::Foutcode;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The first year a date or instant may have.
pub const MIN_YEAR: i32 = 1900;
/// The last year a date or instant may have.
pub const MAX_YEAR: i32 = 2200;
/// The range in words, for messages and API descriptions.
pub const RANGE: &str = "1900-01-01 t/m 2200-12-31";

/// Why a date or instant was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatumFout {
    /// Not `YYYY-MM-DD` (or not RFC 3339), or not a day of the calendar.
    Syntax,
    /// A real date, but outside [`RANGE`].
    OutOfRange,
}

impl DatumFout {
    /// A stable code for `invalidParams`.
    pub fn code(self, instant: bool) -> Foutcode {
        match (self, instant) {
            (Self::Syntax, false) => Foutcode::InvalidDate,
            (Self::Syntax, true) => Foutcode::InvalidDateTime,
            (Self::OutOfRange, _) => Foutcode::OutOfRange,
        }
    }

    /// A Dutch reason naming the field and the value.
    pub fn reason(self, name: &str, raw: &str, instant: bool) -> String {
        let raw: String = raw.chars().take(40).collect();
        match (self, instant) {
            (Self::Syntax, false) => format!(
                "{name} {raw:?} is geen datum; schrijf JJJJ-MM-DD, bijvoorbeeld 2024-03-01 (van {RANGE})."
            ),
            (Self::Syntax, true) => format!(
                "{name} {raw:?} is geen tijdstip; schrijf RFC 3339 met tijdzone, bijvoorbeeld 2024-07-01T12:00:00Z (van {RANGE})."
            ),
            (Self::OutOfRange, _) => {
                format!("{name} {raw:?} ligt buiten het bereik van deze API: {RANGE}.")
            }
        }
    }
}

/// Whether a year lies in the range.
pub fn year_in_range(year: i32) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&year)
}

/// A date in the range, or why not.
pub fn check_date(date: NaiveDate) -> Result<NaiveDate, DatumFout> {
    if year_in_range(date.year()) {
        Ok(date)
    } else {
        Err(DatumFout::OutOfRange)
    }
}

/// Parses `YYYY-MM-DD` exactly and checks the range.
pub fn parse_date(raw: &str) -> Result<NaiveDate, DatumFout> {
    let b = raw.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) {
        return Err(DatumFout::Syntax);
    }
    if !digits(8..10) {
        return Err(DatumFout::Syntax);
    }
    let num =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let year = num(0..4) as i32; // at most 9999
    let date = NaiveDate::from_ymd_opt(year, num(5..7), num(8..10)).ok_or(DatumFout::Syntax)?;
    check_date(date)
}

/// [`parse_date`] for a command-line argument (clap's `value_parser`).
pub fn parse_date_arg(raw: &str) -> Result<NaiveDate, String> {
    parse_date(raw).map_err(|e| match e {
        DatumFout::Syntax => format!("{raw:?} is not a date YYYY-MM-DD"),
        DatumFout::OutOfRange => format!("{raw:?} is outside {MIN_YEAR}-01-01..={MAX_YEAR}-12-31"),
    })
}

/// [`parse_instant`] for a command-line argument (clap's `value_parser`).
pub fn parse_instant_arg(raw: &str) -> Result<DateTime<Utc>, String> {
    parse_instant(raw).map_err(|e| match e {
        DatumFout::Syntax => {
            format!("{raw:?} is not an RFC 3339 instant with a time zone (2026-12-31T23:59:59Z)")
        }
        DatumFout::OutOfRange => format!("{raw:?} is outside {RANGE}"),
    })
}

/// Parses an RFC 3339 instant with a `T` (or `t`) between date and time and
/// a time zone, and checks the range (of the instant in UTC).
pub fn parse_instant(raw: &str) -> Result<DateTime<Utc>, DatumFout> {
    let b = raw.as_bytes();
    // chrono also takes a space as separator; a space in a query string is
    // an unencoded '+', so insist on the T here.
    if b.len() < 20 || !matches!(b[10], b'T' | b't') {
        return Err(DatumFout::Syntax);
    }
    if parse_date(&raw[..10]) == Err(DatumFout::Syntax) {
        return Err(DatumFout::Syntax);
    }
    let instant = DateTime::parse_from_rfc3339(raw)
        .map_err(|_| DatumFout::Syntax)?
        .with_timezone(&Utc);
    if year_in_range(instant.year()) {
        Ok(instant)
    } else {
        Err(DatumFout::OutOfRange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict_iso_8601_in_the_range() {
        assert_eq!(
            parse_date("2024-02-29"),
            Ok(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
        );
        assert!(parse_date("1900-01-01").is_ok());
        assert!(parse_date("2200-12-31").is_ok());
        for bad in [
            "2024-1-1",
            "2024-01-1",
            "24-01-01",
            "+2024-01-01",
            "2024-01-01 ",
            " 2024-01-01",
            "2024/01/01",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "+262142-12-31",
            "-262143-01-01",
            "２０２４-01-01",
            "",
        ] {
            assert_eq!(parse_date(bad), Err(DatumFout::Syntax), "{bad:?}");
        }
        for far in ["1899-12-31", "2201-01-01", "0000-01-01", "9999-12-31"] {
            assert_eq!(parse_date(far), Err(DatumFout::OutOfRange), "{far:?}");
        }
    }

    #[test]
    fn instants_are_rfc_3339_with_a_zone_in_the_range() {
        let t = parse_instant("2024-07-01T14:00:00+02:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-07-01T12:00:00+00:00");
        assert!(parse_instant("2024-07-01T12:00:00.123Z").is_ok());
        for bad in [
            "2024-07-01",
            "2024-07-01 12:00:00Z",
            "2024-07-01T12:00:00",
            "2024-7-01T12:00:00Z",
            "+262142-12-31T00:00:00Z",
            "2024-07-01T25:00:00Z",
        ] {
            assert_eq!(parse_instant(bad), Err(DatumFout::Syntax), "{bad:?}");
        }
        assert_eq!(
            parse_instant("9999-12-31T23:59:59Z"),
            Err(DatumFout::OutOfRange)
        );
        assert_eq!(
            parse_instant("1900-01-01T00:30:00+01:00"),
            Err(DatumFout::OutOfRange),
            "the range holds in UTC"
        );
    }

    #[test]
    fn reasons_name_the_field_and_the_range() {
        let r = DatumFout::OutOfRange.reason("peildatum", "9999-01-01", false);
        assert!(r.contains("peildatum") && r.contains("1900-01-01 t/m 2200-12-31"));
        assert_eq!(DatumFout::Syntax.code(false), "invalid-date");
        assert_eq!(DatumFout::Syntax.code(true), "invalid-date-time");
    }
}
