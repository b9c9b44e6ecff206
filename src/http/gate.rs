//! The middleware every request passes before a handler: it resolves the
//! `Authorization` header into a [`Caller`] (401 for a malformed, unknown,
//! revoked or expired token), applies the rate limit (429), refuses writes
//! without a token (401) or with a lezer token (403), and marks authenticated
//! responses `Cache-Control: no-store`, anonymous ones `no-cache`. It puts the
//! caller in the request's extensions; what that caller may read is decided
//! where the data is read (`src/http/peil/view.rs`), never here from the URL.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use chrono::Utc;

use super::access::unauthenticated;
use super::problem::Problem;
use crate::access::policy;
use crate::access::rate::Key;
use crate::access::{authenticate, Caller, Rol};
use crate::domain::Foutcode;
use crate::http::AppState;

/// The live feed keeps its connection open; it is exempt from the rate limit.
pub const STREAM_PATH: &str = "/v1/gebeurtenissen/stream";

/// Largest request body, for every content type (413 above it).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Deepest nesting of arrays and objects a JSON body may have.
pub const MAX_JSON_DEPTH: usize = 32;

/// The API answers JSON only: nothing on its pages may load or frame anything.
const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// The Swagger UI page: its own scripts, styles and images only (inline styles and data: images
/// are what Swagger UI 5 needs); no inline scripts, no other origins, no framing.
const HTML_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub async fn gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let anonymous = !req.headers().contains_key(header::AUTHORIZATION);
    let mut res = decide(req, next).await?;
    if !res.headers().contains_key(header::CACHE_CONTROL) {
        // Anonymous answers are public data: a cache may keep them but must
        // ask again before each use; anything sent with a token is no-store.
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static(if anonymous { "no-cache" } else { "no-store" }),
        );
    }
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let headers = res.headers_mut();
    // The public site's pages set their own, stricter policy (`site::CSP`).
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static(if html { HTML_CSP } else { API_CSP }),
        );
    }
    if !headers.contains_key(header::REFERRER_POLICY) {
        headers.insert(
            header::REFERRER_POLICY,
            header::HeaderValue::from_static("no-referrer"),
        );
    }
    headers.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    Ok(res)
}

async fn decide(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let now = Utc::now();
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes());
    let resolved = authenticate(&state.projection.read(), header, now);
    let ip_key = || {
        Key::Ip(
            req.peer_addr()
                .map(|a| a.ip())
                .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED.into()),
        )
    };
    let caller = match resolved {
        Ok(c) => c,
        Err(e) => {
            // Failed attempts count against the address, so guessing is slow too.
            if let Err(wait) = state.access.rate.check(&ip_key()) {
                return Ok(limited(req, wait));
            }
            let problem = Problem::new(
                StatusCode::UNAUTHORIZED,
                e.code(),
                "Ongeldig token",
                e.message(),
            );
            return Ok(req.error_response(problem));
        }
    };
    if req.path() != STREAM_PATH {
        let key = match &caller {
            Caller::Token(t) => Key::Token(t.token_id),
            Caller::Anonymous => ip_key(),
        };
        if let Err(wait) = state.access.rate.check(&key) {
            return Ok(limited(req, wait));
        }
    }
    if let Caller::Token(t) = &caller {
        state.access.usage.touch(t.token_id, now);
    }
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !reads
        && !matches!(caller.rol(), Some(r) if r != Rol::Lezer || req.path().starts_with("/v1/abonnementen"))
    {
        // A method the path does not have is a 405 for every caller.
        let path = req.match_info().as_str();
        if let Some(res) = super::methods::not_allowed(req.method().as_str(), path) {
            return Ok(ServiceResponse::new(req.into_parts().0, res));
        }
    }
    // A lezer may manage its own webhook subscriptions (they only receive
    // what it may read); `http::abonnementen` decides the rest.
    let subscribing = req.path().starts_with("/v1/abonnementen");
    if !reads {
        match caller.rol() {
            None => return Ok(req.error_response(unauthenticated())),
            Some(Rol::Lezer) if !subscribing => {
                return Ok(req.error_response(super::access::denied(policy::Denied::Forbidden(
                    "Dit is een lezer-token: het mag alleen lezen. Vraag de beheerder om een token met een rol die mag schrijven.".into(),
                ))))
            }
            Some(_) => {}
        }
    }
    // Agenda files have their own, larger limit on their resource (8 MiB).
    if !reads && req.path() != "/v1/agenda-imports" {
        if let Err(problem) = check_body(&mut req).await {
            return Ok(req.error_response(problem));
        }
    }
    let authenticated = !caller.is_anonymous();
    req.extensions_mut().insert(caller);
    let mut res = next.call(req).await?.map_into_boxed_body();
    if authenticated {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    Ok(res)
}

/// Reads the body once (any content type) to enforce the size limit and,
/// for JSON, the depth limit; then hands it on to the handler unchanged.
async fn check_body(req: &mut ServiceRequest) -> Result<(), Problem> {
    let too_large = || {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            Foutcode::PayloadTooLarge,
            "Verzoek te groot",
            format!(
                "De body is groter dan de toegestane {} KiB.",
                MAX_BODY_BYTES / 1024
            ),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(too_large());
    }
    let bytes = req.extract::<web::Bytes>().await.map_err(|e| {
        if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            Problem::invalid(vec![super::problem::InvalidParam::new(
                "body",
                Foutcode::Unreadable,
                "De body kon niet worden gelezen; stuur hem opnieuw.",
            )])
        }
    })?;
    let json = req.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"json"))
    });
    if json && json_depth(&bytes) > MAX_JSON_DEPTH {
        return Err(Problem::invalid(vec![super::problem::InvalidParam::new(
            "body",
            Foutcode::JsonTooDeep,
            format!("De JSON is dieper genest dan {MAX_JSON_DEPTH} niveaus."),
        )]));
    }
    req.set_payload(actix_web::dev::Payload::from(bytes));
    Ok(())
}

/// The deepest nesting of `[`/`{` outside strings (malformed JSON is left to the parser).
fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// 429 with `Retry-After` in whole seconds.
fn limited(req: ServiceRequest, wait: std::time::Duration) -> ServiceResponse<BoxBody> {
    let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let mut res = req.error_response(too_many(secs));
    res.headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    res
}

fn too_many(secs: u64) -> Problem {
    Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        Foutcode::RateLimited,
        "Te veel verzoeken",
        format!("U stuurt meer verzoeken dan toegestaan. Wacht {secs} seconde(n) (zie Retry-After) en probeer het dan opnieuw."),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_depth_ignores_brackets_in_strings() {
        assert_eq!(super::json_depth(br#"{"a":[1,{"b":"[[[{"}]}"#), 3);
        assert_eq!(super::json_depth(br#"{"a":"\"[["}"#), 1);
        assert_eq!(super::json_depth(b"1"), 0);
    }
}
