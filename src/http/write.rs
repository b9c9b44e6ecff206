//! What every write shares: reading `If-Match`, `Idempotency-Key` and
//! `X-Audit-Toelichting`, validating a JSON body field by field (all problems
//! at once, unknown fields refused), and mapping service errors to problems.

use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::problem::{InvalidParam, Problem};
use crate::domain::DomainError;
use crate::domain::Foutcode;
use crate::event_store::{IdempotencyClaim, Metadata, StoreError};
use crate::service::{ServiceError, WriteContext};

/// SHA-256 of the canonical request (method, path, body): stable across
/// releases, so a retry after an upgrade still matches.
fn fingerprint(method: &str, path: &str, body: &Value) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{method} {path} {body}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    Required,
    Optional,
}

/// Builds the write context from the request's headers.
pub fn context(
    bevoegd: &super::access::Bevoegd,
    req: &HttpRequest,
    body: &Value,
    if_match: IfMatch,
) -> Result<WriteContext, Problem> {
    let caller: &crate::access::Caller = bevoegd;
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let expected = match header("If-Match") {
        None if if_match == IfMatch::Required => {
            return Err(Problem::new(
                StatusCode::PRECONDITION_REQUIRED,
                Foutcode::IfMatchRequired,
                "If-Match vereist",
                "Stuur de ETag die u bij het ophalen kreeg mee in de header If-Match, zodat u niet ongemerkt andermans wijziging overschrijft.",
            ))
        }
        None => None,
        // RFC 9110 13.1.1: `*` matches any current representation, so the
        // write goes ahead on whatever version there is (a missing resource
        // is still the handler's 404).
        Some("*") => None,
        Some(raw) => Some(parse_etag(raw).ok_or_else(|| {
            Problem::invalid(vec![InvalidParam::new(
                "header.If-Match",
                Foutcode::InvalidEtag,
                format!("If-Match {raw:?} is geen ETag van deze API (verwacht bijvoorbeeld \"3\", of * voor elke huidige versie)."),
            )])
        })?),
    };
    let idempotency = match header("Idempotency-Key") {
        None => None,
        Some(key) if key.is_empty() || key.len() > 255 => {
            return Err(Problem::invalid(vec![InvalidParam::new(
                "header.Idempotency-Key",
                Foutcode::InvalidLength,
                "Een Idempotency-Key is 1 tot 255 tekens lang.",
            )]))
        }
        Some(key) => Some(IdempotencyClaim {
            // Scoped to the caller, the method and the path.
            key: format!("{} {} {} {key}", caller.scope(), req.method(), req.path()),
            fingerprint: fingerprint(req.method().as_str(), req.path(), body),
        }),
    };
    let toelichting = header("X-Audit-Toelichting")
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            body.get("toelichting")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let bijsturing_id = match header(BIJSTURING_HEADER) {
        None => None,
        Some(raw) => Some(Uuid::parse_str(raw).map_err(|_| {
            Problem::invalid(vec![InvalidParam::new(
                format!("header.{BIJSTURING_HEADER}"),
                Foutcode::InvalidUuid,
                format!(
                    "{BIJSTURING_HEADER} {raw:?} is geen UUID; geef het id van een bijsturing."
                ),
            )])
        })?),
    };
    Ok(WriteContext {
        metadata: Metadata {
            actor: caller.actor(),
            correlation_id: Some(Uuid::now_v7()),
            toelichting,
            bijsturing_id,
            ..Metadata::default()
        },
        idempotency,
        if_match: expected,
    })
}

/// Header naming the bijsturing (PDCA "Act") a write carries out; stored in
/// `metadata.bijsturingId`. Its existence is checked by the service.
pub const BIJSTURING_HEADER: &str = "X-Bijsturing-Id";

fn parse_etag(raw: &str) -> Option<u64> {
    raw.trim_start_matches("W/").trim_matches('"').parse().ok()
}

/// The ETag header value of a stream version.
pub fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

impl From<ServiceError> for Problem {
    fn from(error: ServiceError) -> Self {
        service_problem(error)
    }
}

pub fn service_problem(error: ServiceError) -> Problem {
    match error {
        ServiceError::Domain(DomainError::Invalid(fields)) => Problem::invalid(
            fields
                .into_iter()
                .map(|f| InvalidParam::new(format!("body.{}", f.field), f.code, f.message))
                .collect(),
        ),
        ServiceError::Domain(DomainError::Conflict { code, message }) => {
            Problem::new(StatusCode::CONFLICT, code, "Conflict met de huidige toestand", message)
        }
        ServiceError::NotFound(what) => Problem::not_found(what),
        ServiceError::Domain(e @ DomainError::NotFound { .. }) => Problem::not_found(e.to_string()),
        ServiceError::InvalidBijsturing(reason) => Problem::invalid(vec![InvalidParam::new(
            format!("header.{BIJSTURING_HEADER}"),
            Foutcode::UnknownBijsturing,
            reason,
        )]),
        ServiceError::PreconditionFailed { expected, current } => Problem::new(
            StatusCode::PRECONDITION_FAILED,
            Foutcode::StaleEtag,
            "Verouderde versie",
            format!("De resource is inmiddels versie {current}; u stuurde If-Match {expected}. Haal haar opnieuw op, bekijk de wijziging en probeer het dan opnieuw."),
        ),
        ServiceError::IdempotencyMismatch => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Foutcode::IdempotencyKeyReused,
            "Idempotency-Key hergebruikt",
            "Deze Idempotency-Key is al gebruikt voor een ander verzoek. Gebruik per nieuw verzoek een nieuwe sleutel.",
        ),
        ServiceError::Store(StoreError::Unavailable(detail)) => {
            tracing::error!(%detail, "store unavailable");
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                Foutcode::StoreUnavailable,
                "Opslag niet beschikbaar",
                "De wijziging kon niet worden opgeslagen en is niet doorgevoerd. Probeer het later opnieuw.",
            )
        }
        ServiceError::Store(StoreError::EventTooLarge { limit, .. }) => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            Foutcode::PayloadTooLarge,
            "Verzoek te groot",
            format!("De wijziging is groter dan {limit} bytes; kort de tekst in."),
        ),
        ServiceError::Store(other) => {
            tracing::error!(error = %other, "store error");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                Foutcode::InternalError,
                "Interne fout",
                "Er ging iets mis aan onze kant; er is niets gewijzigd.",
            )
        }
    }
}

/// Reads a JSON object field by field, collecting every problem.
pub struct Body<'a> {
    map: Option<&'a Map<String, Value>>,
    allowed: &'static [&'static str],
    pub errors: Vec<InvalidParam>,
}

#[allow(dead_code)] // every handler group is typed now (issue 17): Body goes with the last merge
impl<'a> Body<'a> {
    pub fn new(value: &'a Value, allowed: &'static [&'static str]) -> Self {
        let mut errors = Vec::new();
        let map = value.as_object();
        match map {
            None => errors.push(InvalidParam::new(
                "body",
                Foutcode::InvalidType,
                "De body moet een JSON-object zijn.",
            )),
            Some(m) => {
                for key in m.keys() {
                    if !allowed.contains(&key.as_str()) {
                        errors.push(InvalidParam::new(
                            format!("body.{key}"),
                            Foutcode::UnknownField,
                            format!("Onbekend veld '{key}'. Toegestaan: {}.", allowed.join(", ")),
                        ));
                    }
                }
            }
        }
        Self {
            map,
            allowed,
            errors,
        }
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        debug_assert!(self.allowed.contains(&name));
        self.map.and_then(|m| m.get(name)).filter(|v| !v.is_null())
    }

    pub fn error(&mut self, name: &str, code: Foutcode, reason: impl Into<String>) {
        self.errors
            .push(InvalidParam::new(format!("body.{name}"), code, reason));
    }

    pub fn string(&mut self, name: &str, required: bool) -> Option<String> {
        match self.get(name) {
            None if required => {
                self.error(
                    name,
                    Foutcode::Required,
                    format!("Veld '{name}' is verplicht."),
                );
                None
            }
            None => None,
            Some(Value::String(s)) if required && s.trim().is_empty() => {
                self.error(
                    name,
                    Foutcode::Required,
                    format!("Veld '{name}' mag niet leeg zijn."),
                );
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.error(
                    name,
                    Foutcode::InvalidType,
                    format!("Veld '{name}' moet tekst zijn."),
                );
                None
            }
        }
    }

    /// A date `YYYY-MM-DD` in the API's range ([`crate::domain::datum`]).
    pub fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let raw = self.get(name)?;
        let Some(text) = raw.as_str() else {
            self.error(
                name,
                Foutcode::InvalidDate,
                format!(
                    "Veld '{name}' moet een datum zijn als JJJJ-MM-DD (van {}).",
                    crate::domain::datum::RANGE
                ),
            );
            return None;
        };
        match super::datum::date("body", name, text) {
            Ok(d) => Some(d),
            Err(problem) => {
                self.errors.push(problem);
                None
            }
        }
    }

    /// An RFC 3339 instant in the API's range ([`crate::domain::datum`]).
    #[allow(dead_code)] // no caller since tokens are typed; `Body` goes when every group is typed
    pub fn instant(&mut self, name: &str) -> Option<DateTime<Utc>> {
        let raw = self.get(name)?;
        let Some(text) = raw.as_str() else {
            self.error(
                name,
                Foutcode::InvalidDateTime,
                format!(
                    "Veld '{name}' moet een tijdstip zijn als 2026-12-31T23:59:59Z (van {}).",
                    crate::domain::datum::RANGE
                ),
            );
            return None;
        };
        match super::datum::instant("body", name, text) {
            Ok(t) => Some(t),
            Err(problem) => {
                self.errors.push(problem);
                None
            }
        }
    }

    pub fn uuid(&mut self, name: &str, required: bool) -> Option<Uuid> {
        let raw = self.string(name, required)?;
        match Uuid::parse_str(&raw) {
            Ok(id) => Some(id),
            Err(_) => {
                self.error(
                    name,
                    Foutcode::InvalidUuid,
                    format!("Veld '{name}' moet een UUID zijn."),
                );
                None
            }
        }
    }

    /// A string that must be one of `options`.
    pub fn choice<T: Copy>(
        &mut self,
        name: &str,
        required: bool,
        options: &[(&str, T)],
    ) -> Option<T> {
        let raw = self.string(name, required)?;
        match options.iter().find(|(k, _)| *k == raw) {
            Some((_, v)) => Some(*v),
            None => {
                let list: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
                self.error(
                    name,
                    Foutcode::InvalidValue,
                    format!(
                        "'{raw}' is geen geldige waarde voor '{name}'; kies uit: {}.",
                        list.join(", ")
                    ),
                );
                None
            }
        }
    }

    pub fn bool(&mut self, name: &str) -> Option<bool> {
        match self.get(name)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.error(
                    name,
                    Foutcode::InvalidType,
                    format!("Veld '{name}' moet true of false zijn."),
                );
                None
            }
        }
    }

    pub fn integer(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        match self.get(name)?.as_i64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.error(
                    name,
                    Foutcode::InvalidNumber,
                    format!("Veld '{name}' moet een geheel getal van {min} tot en met {max} zijn."),
                );
                None
            }
        }
    }

    #[allow(dead_code)] // no untyped body reads a number any more; Body goes when all are typed
    pub fn number(&mut self, name: &str, required: bool) -> Option<f64> {
        match self.get(name) {
            None if required => {
                self.error(
                    name,
                    Foutcode::Required,
                    format!("Veld '{name}' is verplicht."),
                );
                None
            }
            None => None,
            Some(v) => match v.as_f64().filter(|f| f.is_finite()) {
                Some(f) => Some(f),
                None => {
                    self.error(
                        name,
                        Foutcode::InvalidNumber,
                        format!("Veld '{name}' moet een getal zijn."),
                    );
                    None
                }
            },
        }
    }

    /// A list of UUIDs (e.g. partners); each bad entry is reported.
    #[allow(dead_code)] // no caller left; Body goes when every group is typed (issue 17)
    pub fn uuids(&mut self, name: &str) -> Option<Vec<Uuid>> {
        let Value::Array(items) = self.get(name)? else {
            self.error(
                name,
                Foutcode::InvalidType,
                format!("Veld '{name}' moet een lijst van UUID's zijn."),
            );
            return None;
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                Some(id) => out.push(id),
                None => self.error(
                    &format!("{name}[{i}]"),
                    Foutcode::InvalidUuid,
                    "Moet een UUID zijn.",
                ),
            }
        }
        Some(out)
    }

    /// A list of non-empty strings.
    #[allow(dead_code)] // its last user (POST /agendas) is typed now; Body goes when all are
    pub fn strings(&mut self, name: &str) -> Option<Vec<String>> {
        let Value::Array(items) = self.get(name)? else {
            self.error(
                name,
                Foutcode::InvalidType,
                format!("Veld '{name}' moet een lijst van teksten zijn."),
            );
            return None;
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => out.push(s.to_owned()),
                None => self.error(
                    &format!("{name}[{i}]"),
                    Foutcode::InvalidType,
                    "Moet een niet-lege tekst zijn.",
                ),
            }
        }
        Some(out)
    }

    /// A nested object (validated by the caller with its own `Body`).
    #[allow(dead_code)] // no caller left; Body goes when every group is typed (issue 17)
    pub fn object(&mut self, name: &str) -> Option<&'a Value> {
        let v = self.get(name)?;
        if !v.is_object() {
            self.error(
                name,
                Foutcode::InvalidType,
                format!("Veld '{name}' moet een object zijn."),
            );
            return None;
        }
        Some(v)
    }

    /// The raw value of a field (not null).
    pub fn get_raw(&self, name: &str) -> Option<&'a Value> {
        self.get(name)
    }

    /// Whether a problem was already reported for this field.
    #[allow(dead_code)] // no caller since agendas and indicatoren are typed; Body goes when all are
    pub fn has_error(&self, name: &str) -> bool {
        let full = format!("body.{name}");
        self.errors.iter().any(|e| e.name == full)
    }

    /// Whether the field is present (also when it is `null`).
    pub fn has(&self, name: &str) -> bool {
        self.map.is_some_and(|m| m.contains_key(name))
    }

    /// Takes over the problems of a nested body under `prefix`.
    pub fn absorb(&mut self, prefix: &str, nested: Body) {
        for mut e in nested.errors {
            e.name = e.name.replacen("body.", &format!("body.{prefix}."), 1);
            self.errors.push(e);
        }
    }

    pub fn finish(self) -> Result<(), Problem> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Problem::invalid(self.errors))
        }
    }
}
