//! Typed request bodies: [`Invoer<T>`] is the one way a handler receives a
//! JSON body.
//!
//! `T` is a struct that derives both `Deserialize` (with
//! `deny_unknown_fields`) and `ToSchema`, and is the operation's
//! `request_body` in the spec. The body is checked first against the schema
//! the served document publishes for `T` ([`schema::check`]: every problem
//! at once, as `invalidParams`), then deserialised into `T`. So what the
//! spec calls valid is what the server accepts, by construction;
//! `tests/openapi.rs` checks that every request schema is closed
//! (`additionalProperties: false`) and lists what it requires.
//!
//! `Content-Type` may be `application/json` or any `+json` type (a PATCH
//! declares `application/merge-patch+json`, RFC 7396).

pub mod schema;
pub mod waar;
pub mod waarden;

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::problem::{InvalidParam, Problem};

use crate::domain::Foutcode;
pub use waar::Waar;
pub use waarden::{Datum, Patch, Tekst, Tijdstip};

/// A request body of type `T`, and the JSON it came from (for the
/// idempotency fingerprint).
pub struct Invoer<T> {
    pub waarde: T,
    pub json: Value,
}

/// The document's `components.schemas`, built once.
fn schemas() -> &'static Map<String, Value> {
    static SCHEMAS: OnceLock<Map<String, Value>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let doc = serde_json::to_value(super::ApiDoc::document()).expect("the spec serialises");
        doc.pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    })
}

/// Checks `json` against `T`'s published schema, then deserialises it.
pub fn parse<T: DeserializeOwned + ToSchema>(json: Value) -> Result<Invoer<T>, Problem> {
    check::<T>(&json)?;
    let name = T::name();
    match serde_json::from_value::<T>(whole_numbers(json.clone())) {
        Ok(waarde) => Ok(Invoer { waarde, json }),
        Err(e) => Err(mismatch(&name, &e)),
    }
}

/// The schema admitted what the type refuses: a mismatch between the two,
/// reported (never silently accepted).
pub fn mismatch(schema: &str, e: &serde_json::Error) -> Problem {
    tracing::warn!(schema = %schema, error = %e, "body passed its schema but not its type");
    Problem::invalid(vec![InvalidParam::new(
        "body",
        Foutcode::InvalidValue,
        format!("De body past niet: {e}."),
    )])
}

/// Checks `json` against `T`'s published schema: every problem at once, one
/// per field, in field order (a 400 with `invalidParams`).
pub fn check<T: ToSchema>(json: &Value) -> Result<(), Problem> {
    let name = T::name();
    let Some(schema) = schemas().get(name.as_ref()) else {
        tracing::error!(schema = %name, "request type is not in the OpenAPI document");
        return Err(Problem::new(
            actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
            Foutcode::InternalError,
            "Interne fout",
            "Dit endpoint kent zijn eigen invoer niet; er is niets gewijzigd. Meld dit aan de beheerder.",
        ));
    };
    let mut problems = schema::check(schemas(), schema, json, "body");
    // In field order, so a person reads them top to bottom; one problem per
    // field (a field's own problem before a rule between fields about it).
    problems.sort_by(|a, b| a.name.cmp(&b.name));
    problems.dedup_by(|later, first| later.name == first.name);
    if !problems.is_empty() {
        return Err(Problem::invalid(problems));
    }
    Ok(())
}

/// `2.0` as `2`: JSON Schema counts a number without a fraction as an
/// integer, so an integer field must take it; a float field takes either.
pub fn whole_numbers(value: Value) -> Value {
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(whole_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, whole_numbers(v)))
                .collect(),
        ),
        other => other,
    }
}

impl<T: DeserializeOwned + ToSchema + 'static> FromRequest for Invoer<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let json = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let json = json.await?.into_inner();
            parse::<T>(json).map_err(Into::into)
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::Foutcode;

    #[test]
    fn a_whole_float_is_an_integer_for_the_schema_and_for_serde() {
        let schemas = Map::new();
        let schema = json!({"type": "integer", "format": "int32", "minimum": 1});
        assert!(schema::check(&schemas, &schema, &json!(2.0), "body.niveau").is_empty());
        let refused = schema::check(&schemas, &schema, &json!(2.5), "body.niveau");
        assert_eq!(refused[0].code, "invalid-number");
        let n: u32 = serde_json::from_value(whole_numbers(json!(2.0))).unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            whole_numbers(json!({"a": [3.0, 0.5]})),
            json!({"a": [3, 0.5]})
        );
    }

    #[test]
    fn rules_between_fields_report_one_problem_on_their_field() {
        let schemas = Map::new();
        let schema = json!({
            "type": "object",
            "properties": {"status": {"type": "string"}, "reden": {"type": ["string", "null"]},
                           "deelnemers": {"type": "array", "uniqueItems": true}},
            "allOf": [{
                "if": {"required": ["status"], "properties": {"status": {"const": "vervallen"}}},
                "then": {"required": ["reden"], "properties": {"reden": {"type": "string", "pattern": "\\S"}}},
                "x-veld": "reden", "x-code": "required",
                "description": "Geef een reden als u status vervallen meegeeft."
            }, {
                "not": {"required": ["status", "deelnemers"]},
                "x-veld": "deelnemers", "x-code": "conflicting-fields", "description": "Niet samen."
            }]
        });
        let check = |v: Value| schema::check(&schemas, &schema, &v, "body");
        assert!(check(json!({"status": "open"})).is_empty());
        assert!(check(json!({"status": "vervallen", "reden": "dubbel"})).is_empty());
        for missing in [
            json!({"status": "vervallen"}),
            json!({"status": "vervallen", "reden": null}),
            json!({"status": "vervallen", "reden": " "}),
        ] {
            let p = check(missing);
            assert_eq!(
                (p.len(), p[0].name.as_str(), p[0].code),
                (1, "body.reden", Foutcode::Required)
            );
            assert_eq!(
                p[0].reason,
                "Geef een reden als u status vervallen meegeeft."
            );
        }
        let p = check(json!({"status": "open", "deelnemers": ["a", "b", "a"]}));
        let names: Vec<&str> = p.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["body.deelnemers[2]", "body.deelnemers"]);
    }
}
