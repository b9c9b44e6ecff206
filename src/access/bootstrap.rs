//! Issuing a token: the one path used by `POST /v1/tokens`, the
//! `mag-tracker token create` command and the tests.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::secret::{self, TokenSecret};
use super::Rol;
use crate::domain::events::OrganisatieGeregistreerd;
use crate::domain::token::TokenCommand;
use crate::event_store::{Actor, AppendOutcome, Metadata};
use crate::service::{Service, ServiceError, WriteContext};

/// What to issue.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub organisatie_id: Uuid,
    pub rol: Rol,
    pub omschrijving: String,
    pub agendas: Vec<Uuid>,
    pub verloop: Option<DateTime<Utc>>,
    /// Scope a programmamanager token to one gemeente of its agendas.
    pub gemeente: Option<String>,
}

/// An issued token: the secret is shown once and then forgotten.
pub struct IssuedToken {
    pub id: Uuid,
    pub secret: TokenSecret,
    pub outcome: AppendOutcome,
}

/// Appends `TokenAangemaakt` (with the hash, never the secret).
pub async fn issue(
    service: &Service,
    ctx: WriteContext,
    new: NewToken,
) -> Result<IssuedToken, ServiceError> {
    issue_with(service, ctx, new, None).await
}

/// [`issue`], on a store without organisaties also registering the token's
/// organisatie (`first`, whose id is `new.organisatie_id`) in the same
/// atomic append: both or neither.
async fn issue_with(
    service: &Service,
    ctx: WriteContext,
    new: NewToken,
    first: Option<OrganisatieGeregistreerd>,
) -> Result<IssuedToken, ServiceError> {
    let issued = secret::issue()
        .map_err(|e| ServiceError::Store(crate::event_store::StoreError::Unavailable(e)))?;
    let id = issued.id;
    let command = TokenCommand::Maak {
        id,
        organisatie_id: new.organisatie_id,
        rol: new.rol,
        omschrijving: new.omschrijving,
        agendas: new.agendas,
        verloop_tijdstip: new.verloop,
        geheim_hash: issued.hash,
        gemeente: new.gemeente,
        eerste_organisatie: first,
        nu: Utc::now(),
    };
    let outcome = service.execute(ctx, &command).await?;
    Ok(IssuedToken {
        id: outcome.streams.last().map_or(id, |s| s.stream_id),
        secret: issued.secret,
        outcome,
    })
}

/// A write by the system itself, under `label` (the actor's omschrijving).
fn system_context(label: &str) -> WriteContext {
    WriteContext {
        metadata: Metadata {
            actor: Actor::system(label),
            correlation_id: Some(Uuid::now_v7()),
            ..Metadata::default()
        },
        ..WriteContext::default()
    }
}

/// Issues a token as the system itself (CLI bootstrap, tests).
pub async fn issue_as_system(
    service: &Service,
    label: &str,
    new: NewToken,
) -> Result<IssuedToken, ServiceError> {
    issue(service, system_context(label), new).await
}

/// The actor label of the organisatie registered by the first `token create`.
pub const BOOTSTRAP_ACTOR: &str = "system (bootstrap)";

/// On a store with no organisatie at all, registers the first one (an
/// ordinary `OrganisatieGeregistreerd`, actor "system (bootstrap)") and
/// issues the token `new` for it (its `organisatie_id` is ignored) in one
/// atomic append (the organisatie's id and the token), so a new installation without the demo gets its first
/// beheerder token, and a refused token leaves no organisatie behind.
/// Refused once any organisatie exists: then they are registered over the API.
pub async fn issue_with_first_organisatie(
    service: &Service,
    naam: &str,
    soort: crate::domain::organisatie::OrganisatieSoort,
    new: NewToken,
) -> Result<(Uuid, IssuedToken), ServiceError> {
    let first = OrganisatieGeregistreerd {
        naam: naam.trim().to_owned(),
        soort,
        contactadres: None,
    };
    let new = NewToken {
        organisatie_id: Uuid::now_v7(),
        ..new
    };
    let organisatie_id = new.organisatie_id;
    let issued = issue_with(service, system_context(BOOTSTRAP_ACTOR), new, Some(first)).await?;
    Ok((organisatie_id, issued))
}
