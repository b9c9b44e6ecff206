//! Access control for handlers: the caller of a request and the one call
//! every write handler makes before it changes anything:
//!
//! ```ignore
//! let bevoegd = require(&req, &state, Action::StatusWijzigen(id))?;
//! let ctx = context(&bevoegd, &req, &body.json, IfMatch::Required)?;
//! ```
//!
//! `require` asks [`crate::access::policy::check`] and answers 401/403/404
//! problem+json when the caller may not; otherwise it returns a [`Bevoegd`]
//! proof, which [`super::write::context`] needs: a write endpoint without a
//! check does not compile.

use std::future::{ready, Ready};

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use super::problem::Problem;
use crate::access::policy::{self, Action, Denied};
use crate::access::Caller;
use crate::domain::Foutcode;
use crate::http::AppState;

/// Proof that [`require`] let this caller do this write. Only `require`
/// makes one, and [`super::write::context`] (the only way to a write
/// context) takes one: a write endpoint that forgets the check does not
/// compile.
#[must_use = "pass the proof to write::context"]
pub struct Bevoegd {
    caller: Caller,
}

impl std::ops::Deref for Bevoegd {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.caller
    }
}

/// The caller the authentication middleware resolved (anonymous if none).
pub fn caller(req: &HttpRequest) -> Caller {
    req.extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or(Caller::Anonymous)
}

/// Refuses the request unless its caller may perform `action`.
pub fn require(req: &HttpRequest, state: &AppState, action: Action) -> Result<Bevoegd, Problem> {
    let caller = caller(req);
    policy::check(&caller, &state.projection.read(), action).map_err(denied)?;
    Ok(Bevoegd { caller })
}

/// A refusal as problem+json.
pub fn denied(d: Denied) -> Problem {
    match d {
        Denied::Unauthenticated => unauthenticated(),
        Denied::Forbidden(reason) => Problem::new(
            StatusCode::FORBIDDEN,
            Foutcode::Forbidden,
            "Niet toegestaan",
            reason,
        ),
        Denied::OutsideScope(reason) => Problem::new(
            StatusCode::FORBIDDEN,
            Foutcode::GemeenteScope,
            "Niet toegestaan voor dit gemeentetoken",
            reason,
        ),
        Denied::NotFound(what) => Problem::not_found(what),
    }
}

/// 401 for a request that needs a token and has none.
pub fn unauthenticated() -> Problem {
    Problem::new(
        StatusCode::UNAUTHORIZED,
        Foutcode::AuthenticationRequired,
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
