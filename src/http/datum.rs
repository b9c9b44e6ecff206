//! Dates and instants of a request as `invalidParams` entries: the syntax and
//! range rules are [`crate::domain::datum`]'s; this only names the field.

use chrono::{DateTime, NaiveDate, Utc};

use super::problem::InvalidParam;
use crate::domain::datum::{parse_date, parse_instant};

/// `raw` as a date, or the problem for `{location}.{name}` (e.g.
/// `query.peildatum`, `body.datum`).
pub fn date(location: &str, name: &str, raw: &str) -> Result<NaiveDate, InvalidParam> {
    parse_date(raw).map_err(|e| {
        InvalidParam::new(
            format!("{location}.{name}"),
            e.code(false),
            e.reason(name, raw, false),
        )
    })
}

/// `raw` as an RFC 3339 instant, or the problem for `{location}.{name}`.
pub fn instant(location: &str, name: &str, raw: &str) -> Result<DateTime<Utc>, InvalidParam> {
    parse_instant(raw).map_err(|e| {
        InvalidParam::new(
            format!("{location}.{name}"),
            e.code(true),
            e.reason(name, raw, true),
        )
    })
}

/// `raw` as a date, or the problem for the field at `path` (`body.datum`,
/// `body.streefwaarden[0].datum`).
pub fn date_at(path: &str, raw: &str) -> Result<NaiveDate, InvalidParam> {
    let name = path.rsplit('.').next().unwrap_or(path);
    parse_date(raw).map_err(|e| InvalidParam::new(path, e.code(false), e.reason(name, raw, false)))
}

/// `raw` as an RFC 3339 instant, or the problem for the field at `path`.
pub fn instant_at(path: &str, raw: &str) -> Result<DateTime<Utc>, InvalidParam> {
    let name = path.rsplit('.').next().unwrap_or(path);
    parse_instant(raw).map_err(|e| InvalidParam::new(path, e.code(true), e.reason(name, raw, true)))
}
