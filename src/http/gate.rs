//! The middleware every request passes before a handler: it resolves the
//! `Authorization` header into a [`Caller`] (401 for a malformed, unknown,
//! revoked or expired token), applies the rate limit (429), refuses writes
//! without a token (401) or with a lezer token (403), hides unpublished
//! agendas from anonymous callers (404), and marks authenticated responses
//! `Cache-Control: no-store`.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use chrono::Utc;
use uuid::Uuid;

use super::access::unauthenticated;
use super::problem::Problem;
use crate::access::policy::{self, Target};
use crate::access::rate::Key;
use crate::access::{authenticate, Caller, Rol};
use crate::app::AppState;

/// The live feed keeps its connection open; it is exempt from the rate limit.
pub const STREAM_PATH: &str = "/v1/gebeurtenissen/stream";

pub async fn gate(
    req: ServiceRequest,
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
            let _ = state.access.rate.check(&ip_key());
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
            let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            let mut res = req.error_response(too_many(secs));
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
            return Ok(res);
        }
    }
    if let Caller::Token(t) = &caller {
        state.access.usage.touch(t.token_id, now);
    }
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !reads {
        match caller.rol() {
            None => return Ok(req.error_response(unauthenticated())),
            Some(Rol::Lezer) => {
                return Ok(req.error_response(super::access::denied(policy::Denied::Forbidden(
                    "Dit is een lezer-token: het mag alleen lezen. Vraag de beheerder om een token met een rol die mag schrijven.".into(),
                ))))
            }
            Some(_) => {}
        }
    }
    if caller.is_anonymous() {
        if let Some(what) = hidden(&state, &req) {
            return Ok(req.error_response(Problem::not_found(what)));
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

/// For an anonymous caller: a "not found" message when the path (or an
/// `agenda`/`agendaId` query parameter) names something in an unpublished
/// agenda. Anything under `/v1/<collection>/<id>` is covered, so new
/// endpoints under an existing resource are hidden without extra code.
fn hidden(state: &AppState, req: &ServiceRequest) -> Option<String> {
    let model = state.projection.read();
    let anonymous = Caller::Anonymous;
    let segments: Vec<&str> = req.path().trim_start_matches("/v1/").split('/').collect();
    for pair in segments.windows(2) {
        let Ok(id) = Uuid::parse_str(pair[1]) else {
            continue;
        };
        if let Some(agenda) = Target::from_path(pair[0], id).and_then(|t| t.agenda(&model)) {
            if !policy::visible(&anonymous, &model, agenda) {
                return Some(format!("Er is geen resource op {}.", req.path()));
            }
        }
    }
    for (k, v) in form_pairs(req.query_string()) {
        if k == "agenda" || k == "agendaId" {
            if let Ok(id) = Uuid::parse_str(&v) {
                if model.agendas.contains_key(&id) && !policy::visible(&anonymous, &model, id) {
                    return Some(format!("Er is geen agenda met id {id}."));
                }
            }
        }
    }
    None
}

fn form_pairs(q: &str) -> impl Iterator<Item = (String, String)> + '_ {
    q.split('&').filter_map(|p| {
        let (k, v) = p.split_once('=')?;
        Some((k.to_owned(), v.to_owned()))
    })
}

fn too_many(secs: u64) -> Problem {
    Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "Te veel verzoeken",
        format!("U stuurt meer verzoeken dan toegestaan. Wacht {secs} seconde(n) (zie Retry-After) en probeer het dan opnieuw."),
    )
}
