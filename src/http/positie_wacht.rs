//! Reading your own writes through another node (several servers on one
//! PostgreSQL database, see docs/deployment.md): every successful write
//! answers with `X-Positie`, the log position this node had reached when it
//! answered (the write included); a read sent with `X-Wacht-Op-Positie:
//! <positie>` waits until this node's read model has that position, at
//! most [`MAX_WAIT`], and otherwise gets 503 with `Retry-After`. On a
//! single node the wait is always over at once.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web;

use super::problem::{InvalidParam, Problem};
use crate::domain::Foutcode;
use crate::http::AppState;

/// The request header: wait until this node has reached the position.
pub const WAIT_HEADER: &str = "X-Wacht-Op-Positie";
/// Longest a read waits for its position.
pub const MAX_WAIT: Duration = Duration::from_secs(5);

pub async fn wait_for_position(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if let Some(value) = req.headers().get(WAIT_HEADER) {
        let Some(target) = value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        else {
            let problem = Problem::invalid(vec![InvalidParam::new(
                format!("header.{WAIT_HEADER}"),
                Foutcode::InvalidNumber,
                "Geef een positie in het log: een geheel getal vanaf 0 (de X-Positie van een eerder antwoord).",
            )]);
            return Ok(req.error_response(problem));
        };
        let mut head = state.store.watch_head();
        let reached = tokio::time::timeout(MAX_WAIT, head.wait_for(|h| *h >= target)).await;
        if !matches!(reached, Ok(Ok(_))) {
            let at = state.store.head();
            let problem = Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                Foutcode::PositionNotReached,
                "Positie nog niet bereikt",
                format!(
                    "Deze server is bij positie {at} en heeft positie {target} niet binnen {} seconden bereikt. Probeer het over enkele seconden opnieuw (zie Retry-After).",
                    MAX_WAIT.as_secs()
                ),
            );
            return Ok(req.error_response(problem));
        }
    }
    let write = ![Method::GET, Method::HEAD, Method::OPTIONS].contains(req.method());
    let mut res = next.call(req).await?.map_into_boxed_body();
    if write && res.status().is_success() {
        res.headers_mut().insert(
            HeaderName::from_static("x-positie"),
            HeaderValue::from(state.store.head()),
        );
    }
    Ok(res)
}

/// Declares the request header on every GET and `X-Positie` on every 2xx
/// of a write (POST, PUT, PATCH, DELETE).
pub struct WachtHeaders;

impl utoipa::Modify for WachtHeaders {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, RefOr, Required, Type};
        let integer = || {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
        };
        let parameter = ParameterBuilder::new()
            .name(WAIT_HEADER)
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Wacht met antwoorden tot deze server het gebeurtenissenlog tot en met deze positie verwerkt heeft (de X-Positie van een eerdere wijziging, ook via een andere server op dezelfde database). Hooguit 5 seconden; anders 503 met Retry-After.",
            ))
            .schema(Some(integer()))
            .build();
        let header = HeaderBuilder::new()
            .schema(integer())
            .description(Some(
                "De positie in het gebeurtenissenlog die deze server bij het antwoord had bereikt, deze wijziging inbegrepen; stuur haar als X-Wacht-Op-Positie mee om haar via een andere server te lezen.",
            ))
            .build();
        for item in openapi.paths.paths.values_mut() {
            if let Some(op) = item.get.as_mut() {
                let params = op.parameters.get_or_insert_with(Vec::new);
                if !params.iter().any(|p| p.name == WAIT_HEADER) {
                    params.push(parameter.clone());
                }
            }
            for op in [
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                for (status, response) in op.responses.responses.iter_mut() {
                    if let (true, RefOr::T(r)) = (status.starts_with('2'), response) {
                        r.headers.insert("X-Positie".into(), header.clone());
                    }
                }
            }
        }
    }
}
