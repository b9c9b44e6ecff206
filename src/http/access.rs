//! Access control for handlers: the caller of a request and the one call
//! every write handler makes before it changes anything:
//!
//! ```ignore
//! let caller = require(&req, &state, Action::StatusWijzigen(id))?;
//! ```
//!
//! `require` asks [`crate::access::policy::check`] and answers 401/403/404
//! problem+json when the caller may not. It also marks the request as
//! checked; [`super::write::context`] refuses to build a write context for a
//! request that was never checked, so a new write endpoint without a check
//! fails loudly (500) instead of silently letting every token write.

use std::future::{ready, Ready};

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use super::problem::Problem;
use crate::access::policy::{self, Action, Denied};
use crate::access::Caller;
use crate::http::AppState;

/// Marks a request whose write was authorized by [`require`].
#[derive(Clone, Copy)]
pub(crate) struct Authorized;

/// The caller the authentication middleware resolved (anonymous if none).
pub fn caller(req: &HttpRequest) -> Caller {
    req.extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or(Caller::Anonymous)
}

/// Refuses the request unless its caller may perform `action`.
pub fn require(req: &HttpRequest, state: &AppState, action: Action) -> Result<Caller, Problem> {
    let caller = caller(req);
    policy::check(&caller, &state.projection.read(), action).map_err(denied)?;
    req.extensions_mut().insert(Authorized);
    Ok(caller)
}

/// Whether `require` was called for this request.
pub(crate) fn was_authorized(req: &HttpRequest) -> bool {
    req.extensions().get::<Authorized>().is_some()
}

/// A refusal as problem+json.
pub fn denied(d: Denied) -> Problem {
    match d {
        Denied::Unauthenticated => unauthenticated(),
        Denied::Forbidden(reason) => Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Niet toegestaan",
            reason,
        ),
        Denied::NotFound(what) => Problem::not_found(what),
    }
}

/// 401 for a request that needs a token and has none.
pub fn unauthenticated() -> Problem {
    Problem::new(
        StatusCode::UNAUTHORIZED,
        "authentication-required",
        "Token vereist",
        "Dit verzoek vraagt om een token: stuur 'Authorization: Bearer mag_…'. Zonder token kunt u alleen gepubliceerde agenda's lezen.",
    )
}

impl FromRequest for Caller {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Ok(caller(req)))
    }
}
