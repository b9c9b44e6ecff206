//! Value types of request bodies whose schema says exactly what they accept:
//! [`Tekst`] (text with a visible character), [`Datum`] and [`Tijdstip`]
//! (the API's date rule, years 1900–2200), and [`Patch`] (a PATCH field that
//! is absent, `null` or a value, as JSON Merge Patch, RFC 7396, means).

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};
use utoipa::{PartialSchema, ToSchema};

use crate::domain::datum::{parse_date, parse_instant};
use crate::domain::Code;

/// The pattern that puts a date or instant in the API's years (1900–2200);
/// see [`crate::domain::datum`] and [`super::schema::PATTERNS`].
pub const YEAR_PATTERN: &str = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-";

/// The pattern of a code such as `1.1`, `2.6.1`, `A` or `3a` ([`Code`]).
pub const CODE_PATTERN: &str = r"^[0-9A-Za-z]{1,4}(\.[0-9A-Za-z]{1,4}){0,5}$";

/// The pattern of a weergavecode (a `?code=` to look up): up to 12 levels.
pub const WEERGAVECODE_PATTERN: &str = r"^[0-9A-Za-z]{1,4}(\.[0-9A-Za-z]{1,4}){0,11}$";

/// The pattern of a text that must hold a visible character.
pub const VISIBLE_PATTERN: &str = r"\S";

/// Text with at least one character that is not a space. The value is kept
/// as sent (the domain normalises names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tekst(pub String);

impl Tekst {
    pub fn into_string(self) -> String {
        self.0
    }
}

impl<'de> Deserialize<'de> for Tekst {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim().is_empty() {
            return Err(serde::de::Error::custom("tekst mag niet leeg zijn"));
        }
        Ok(Self(s))
    }
}

impl PartialSchema for Tekst {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .pattern(Some(VISIBLE_PATTERN))
            .into()
    }
}

impl ToSchema for Tekst {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Tekst")
    }
}

/// A date `JJJJ-MM-DD` in the API's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datum(pub NaiveDate);

impl<'de> Deserialize<'de> for Datum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(d)?;
        parse_date(&s)
            .map(Self)
            .map_err(|e| serde::de::Error::custom(e.reason("datum", &s, false)))
    }
}

impl PartialSchema for Datum {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(YEAR_PATTERN))
            .description(Some(format!(
                "Precies JJJJ-MM-DD, van {}.",
                crate::domain::datum::RANGE
            )))
            .into()
    }
}

impl ToSchema for Datum {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Datum")
    }
}

/// An RFC 3339 instant with zone, in the API's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tijdstip(pub DateTime<Utc>);

impl<'de> Deserialize<'de> for Tijdstip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(d)?;
        parse_instant(&s)
            .map(Self)
            .map_err(|e| serde::de::Error::custom(e.reason("tijdstip", &s, true)))
    }
}

impl PartialSchema for Tijdstip {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .pattern(Some(YEAR_PATTERN))
            .description(Some(format!(
                "Een tijdstip met tijdzone (RFC 3339), van {}.",
                crate::domain::datum::RANGE
            )))
            .into()
    }
}

impl ToSchema for Tijdstip {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Tijdstip")
    }
}

/// A field of a PATCH body: absent (leave as is), `null` (clear it) or a
/// value (set it). Declare it with `#[serde(default)]`, so absence is
/// [`Patch::Absent`], and `#[schema(value_type = Option<T>)]`, so it shows
/// in the schema as optional and nullable (it has no schema of its own, so
/// forgetting that does not compile). A field that cannot be cleared is an
/// `Option<T>` with `#[schema(nullable = false)]` instead: `null` refused.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<T> Patch<T> {
    /// `None` when absent; `Some(None)` for null; `Some(Some(v))` for a value.
    pub fn into_change(self) -> Option<Option<T>> {
        match self {
            Self::Absent => None,
            Self::Null => Some(None),
            Self::Value(v) => Some(Some(v)),
        }
    }

    /// The value when one was sent; absent and null both give `None` (for
    /// fields that cannot be cleared: the schema says they are not nullable).
    pub fn value(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Self::Absent => Patch::Absent,
            Self::Null => Patch::Null,
            Self::Value(v) => Patch::Value(f(v)),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            None => Self::Null,
            Some(v) => Self::Value(v),
        })
    }
}

/// A code (`1`, `1.1`, `2.6.1`) in a request body: the domain's [`Code`],
/// published with the pattern it parses by.
impl PartialSchema for Code {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(CODE_PATTERN))
            .description(Some(
                "1 tot 6 groepen van 1 tot 4 cijfers, gescheiden door punten (1.1, 2.6.1).",
            ))
            .examples([serde_json::json!("1.1")])
            .into()
    }
}

impl ToSchema for Code {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Code")
    }
}
