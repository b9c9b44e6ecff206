//! Access control: who is calling ([`Caller`]), whether they may do what
//! they ask ([`policy`]), and the tokens that say who they are ([`secret`]).
//!
//! No actix here: the http layer resolves the `Authorization` header with
//! [`authenticate`], asks [`policy::check`] before every write, and turns a
//! refusal into 401/403/404 problem+json.

pub mod bootstrap;
pub mod policy;
pub mod rate;
pub mod secret;
pub mod usage;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use crate::domain::token::Rol;
use crate::domain::Foutcode;
use crate::event_store::{Actor, ActorKind};
use crate::projections::ReadModel;

/// What the http layer keeps for access control besides the read model.
#[derive(Default)]
pub struct AccessState {
    pub usage: usage::Usage,
    pub rate: rate::RateLimit,
}

/// Who is calling. Anonymous means: no `Authorization` header at all.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    Anonymous,
    Token(TokenCaller),
}

/// A caller with a valid token.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenCaller {
    pub token_id: Uuid,
    pub organisatie_id: Uuid,
    pub rol: Rol,
    /// The agendas of a programmamanager.
    pub agendas: Vec<Uuid>,
    /// The gemeente a programmamanager token is scoped to (none: the whole agenda).
    pub gemeente: Option<String>,
}

impl Caller {
    /// The actor recorded in the metadata of every event this caller causes.
    pub fn actor(&self) -> Actor {
        match self {
            Caller::Anonymous => Actor::system("anoniem"),
            Caller::Token(t) => Actor {
                kind: ActorKind::Token,
                organisatie_id: Some(t.organisatie_id),
                rol: Some(t.rol.as_str().to_owned()),
                token_id: Some(t.token_id),
                label: None,
            },
        }
    }

    /// What an `Idempotency-Key` is scoped to: the caller's token.
    pub fn scope(&self) -> String {
        match self {
            Caller::Anonymous => "anon".to_owned(),
            Caller::Token(t) => t.token_id.simple().to_string(),
        }
    }

    pub fn token(&self) -> Option<&TokenCaller> {
        match self {
            Caller::Anonymous => None,
            Caller::Token(t) => Some(t),
        }
    }

    /// The gemeente a scoped programmamanager token is limited to.
    pub fn gemeente(&self) -> Option<&str> {
        self.token().and_then(|t| t.gemeente.as_deref())
    }

    pub fn rol(&self) -> Option<Rol> {
        self.token().map(|t| t.rol)
    }

    /// True for anonymous callers, who see published agendas only.
    pub fn is_anonymous(&self) -> bool {
        matches!(self, Caller::Anonymous)
    }
}

/// Why a presented token was refused (401). The messages never repeat the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    Malformed,
    Unknown,
    Revoked,
    Expired,
}

impl AuthError {
    pub fn code(self) -> Foutcode {
        match self {
            AuthError::Malformed => Foutcode::TokenMalformed,
            AuthError::Unknown => Foutcode::TokenUnknown,
            AuthError::Revoked => Foutcode::TokenRevoked,
            AuthError::Expired => Foutcode::TokenExpired,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            AuthError::Malformed => "De Authorization-header is geen geldig token. Stuur 'Authorization: Bearer mag_…' met het token zoals u het bij het aanmaken kreeg, of laat de header weg om anoniem te lezen.",
            AuthError::Unknown => "Dit token is onbekend. Controleer of u het volledig hebt gekopieerd, of vraag de beheerder om een nieuw token.",
            AuthError::Revoked => "Dit token is ingetrokken. Vraag de beheerder om een nieuw token.",
            AuthError::Expired => "Dit token is verlopen. Vraag de beheerder om een nieuw token.",
        }
    }
}

/// The caller a token is now (for work done on its behalf without a
/// request: webhook deliveries), or why it no longer may act.
pub fn caller_of_token(
    model: &ReadModel,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Caller, AuthError> {
    let t = &model.tokens.get(&id).ok_or(AuthError::Unknown)?.state;
    if t.ingetrokken.is_some() {
        return Err(AuthError::Revoked);
    }
    if t.expired(now) {
        return Err(AuthError::Expired);
    }
    Ok(Caller::Token(TokenCaller {
        token_id: id,
        organisatie_id: t.organisatie_id,
        rol: t.rol,
        agendas: t.agendas.clone(),
        gemeente: t.gemeente.clone(),
    }))
}

/// Resolves the value of an `Authorization` header (`None`: no header).
pub fn authenticate(
    model: &ReadModel,
    header: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<Caller, AuthError> {
    let Some(raw) = header else {
        return Ok(Caller::Anonymous);
    };
    let raw = std::str::from_utf8(raw).map_err(|_| AuthError::Malformed)?;
    let (scheme, token) = raw.trim().split_once(' ').ok_or(AuthError::Malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Malformed);
    }
    let (id, presented) = secret::parse(token.trim()).ok_or(AuthError::Malformed)?;
    let entity = model.tokens.get(&id).ok_or(AuthError::Unknown)?;
    let t = &entity.state;
    let genuine = t.hash.is_some_and(|h| secret::matches(&h, &presented));
    if !genuine {
        return Err(AuthError::Unknown);
    }
    if t.ingetrokken.is_some() {
        return Err(AuthError::Revoked);
    }
    if t.expired(now) {
        return Err(AuthError::Expired);
    }
    Ok(Caller::Token(TokenCaller {
        token_id: id,
        organisatie_id: t.organisatie_id,
        rol: t.rol,
        agendas: t.agendas.clone(),
        gemeente: t.gemeente.clone(),
    }))
}
