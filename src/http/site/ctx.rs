//! What a page request asked for (`?peildatum=`, `?gemeente=`, `?zoek=`)
//! and the links that keep it.

use std::collections::HashMap;

use actix_web::{web, HttpRequest};
use chrono::NaiveDate;
use uuid::Uuid;

/// The query of a page request; empty values (a form sent with an empty
/// field) count as absent. Other parameters are ignored.
#[derive(Debug, Default, Clone)]
pub struct Ctx {
    /// As given; checked by the API's time travel ([`crate::http::peil`]).
    pub peildatum: Option<String>,
    pub gemeente: Option<String>,
    pub zoek: Option<String>,
}

impl Ctx {
    pub fn of(req: &HttpRequest) -> Self {
        let q = web::Query::<HashMap<String, String>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default();
        let get = |k: &str| {
            q.get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            peildatum: get("peildatum"),
            gemeente: get("gemeente"),
            zoek: get("zoek"),
        }
    }

    /// The peildatum as a date (once the time travel accepted it).
    pub fn datum(&self) -> Option<NaiveDate> {
        self.peildatum
            .as_deref()
            .and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok())
    }

    /// The cache key of a page: its path and what it was asked.
    pub fn cache_key(&self, path: &str) -> String {
        let f = |o: &Option<String>| o.clone().unwrap_or_default();
        format!(
            "{path}\u{0}{}\u{0}{}\u{0}{}",
            f(&self.peildatum),
            f(&self.gemeente),
            f(&self.zoek)
        )
    }

    /// `path` with this request's peildatum and gemeente.
    pub fn link(&self, path: &str) -> String {
        self.link_with(path, self.peildatum.as_deref(), self.gemeente.as_deref())
    }

    /// `path` with this request's gemeente only (back to today).
    pub fn today(&self, path: &str) -> String {
        self.link_with(path, None, self.gemeente.as_deref())
    }

    /// `path` with this request's peildatum only (a link outside the agenda).
    pub fn link_peil(&self, path: &str) -> String {
        self.link_with(path, self.peildatum.as_deref(), None)
    }

    fn link_with(&self, path: &str, peildatum: Option<&str>, gemeente: Option<&str>) -> String {
        let mut out = path.to_owned();
        let mut sep = if path.contains('?') { '&' } else { '?' };
        for (k, v) in [("peildatum", peildatum), ("gemeente", gemeente)] {
            if let Some(v) = v {
                out.push(sep);
                out.push_str(k);
                out.push('=');
                out.push_str(&encode(v));
                sep = '&';
            }
        }
        out
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes `%XX` sequences the router left in a path segment.
fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `{id}` of the path as a uuid in any spelling the uuid crate reads
/// (hyphenated, simple, upper case, braces, `urn:uuid:`), percent-encoded
/// or not; `None` when it is none (a 404 like an unknown id).
pub fn path_id(req: &HttpRequest) -> Option<Uuid> {
    let raw = req.match_info().get("id")?;
    let mut text = raw.to_owned();
    // Decode until stable: `%2541` is `%41` is `A`.
    for _ in 0..3 {
        let next = decode(&text);
        if next == text {
            break;
        }
        text = next;
    }
    Uuid::parse_str(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_encodes() {
        assert_eq!(decode("%7B0A%7d"), "{0A}");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%4"), "%4");
        assert_eq!(
            encode("Hof van Twente & co"),
            "Hof%20van%20Twente%20%26%20co"
        );
    }
}
