//! What every write shares: reading `If-Match`, `Idempotency-Key` and
//! `X-Audit-Toelichting` into a write context (which needs the caller's
//! authorisation proof), and mapping service errors to problems. Bodies are
//! typed requests checked against their schema: `super::invoer`.

use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use serde_json::Value;
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

/// An ETag of this API: `"3"` or `W/"3"` (the spec's pattern
/// [`IF_MATCH_PATTERN`]; `*` is handled by the caller).
fn parse_etag(raw: &str) -> Option<u64> {
    let quoted = raw.strip_prefix("W/").unwrap_or(raw);
    let digits = quoted.strip_prefix('"')?.strip_suffix('"')?;
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// What `If-Match` takes, as the spec publishes it.
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"[0-9]{1,19}")$"#;

/// The ETag header value of a stream version.
pub fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

/// The answer to a write: the resource as it is now, with its `ETag` and
/// its `Location` (`/v1/{pad}/{id}`), or the not-found problem of `soort`
/// when it is not (or no longer) there.
pub fn geschreven<T, D: serde::Serialize>(
    status: StatusCode,
    entity: Option<&std::sync::Arc<crate::projections::Entity<T>>>,
    soort: &str,
    pad: &str,
    id: Uuid,
    dto: impl FnOnce(&crate::projections::Entity<T>) -> D,
) -> Result<actix_web::HttpResponse, Problem> {
    let e = entity.ok_or_else(|| Problem::not_found(crate::domain::niet_gevonden(soort, id)))?;
    Ok(actix_web::HttpResponse::build(status)
        .insert_header(("ETag", etag(e.version)))
        .insert_header(("Location", format!("/v1/{pad}/{id}")))
        .json(dto(e)))
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
        ServiceError::Domain(DomainError::Forbidden { code, message }) => {
            Problem::new(StatusCode::FORBIDDEN, code, "Niet toegestaan", message)
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

#[cfg(test)]
mod tests {
    use super::parse_etag;

    /// Exactly what the spec's If-Match pattern admits (besides `*`).
    #[test]
    fn an_etag_is_a_quoted_version_weak_or_strong() {
        for (raw, v) in [
            ("\"3\"", 3),
            ("W/\"12\"", 12),
            ("\"9999999999999999999\"", 9_999_999_999_999_999_999),
        ] {
            assert_eq!(parse_etag(raw), Some(v), "{raw}");
        }
        for raw in [
            "3",
            "\"\"",
            "W/\"\"",
            "\"+3\"",
            "W/W/\"3\"",
            "\"3",
            "\"3\", \"4\"",
            "\"a\"",
            "\"10000000000000000000\"",
        ] {
            assert_eq!(parse_etag(raw), None, "{raw}");
        }
    }
}
