//! Issuing a token: the one path used by `POST /v1/tokens`, the
//! `mag-tracker token create` command and the tests.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::secret::{self, TokenSecret};
use super::Rol;
use crate::domain::token::{self, TokenAangemaakt};
use crate::domain::{DomainError, FieldError};
use crate::event_store::{Actor, AppendOutcome, ExpectedVersion, Metadata};
use crate::service::{Service, ServiceError, StreamEvents, WriteContext};

/// What to issue.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub organisatie_id: Uuid,
    pub rol: Rol,
    pub omschrijving: String,
    pub agendas: Vec<Uuid>,
    pub verloop: Option<DateTime<Utc>>,
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
    let issued = secret::issue()
        .map_err(|e| ServiceError::Store(crate::event_store::StoreError::Unavailable(e)))?;
    let event = TokenAangemaakt {
        organisatie_id: new.organisatie_id,
        rol: new.rol,
        omschrijving: new.omschrijving,
        agendas: new.agendas,
        verloop_tijdstip: new.verloop,
        geheim_hash: issued.hash,
    };
    let id = issued.id;
    let outcome = service
        .structural(ctx, |m| {
            let mut errors = Vec::new();
            if !m.organisaties.contains_key(&event.organisatie_id) {
                errors.push(FieldError {
                    field: "organisatieId".into(),
                    code: "unknown-organisatie",
                    message: format!("Er is geen organisatie met id {}.", event.organisatie_id),
                });
            }
            for (i, a) in event.agendas.iter().enumerate() {
                if !m.agendas.contains_key(a) {
                    errors.push(FieldError {
                        field: format!("agendas[{i}]"),
                        code: "unknown-agenda",
                        message: format!("Er is geen agenda met id {a}."),
                    });
                }
            }
            if !errors.is_empty() {
                return Err(DomainError::Invalid(errors).into());
            }
            Ok(vec![StreamEvents {
                stream_id: id,
                expected: ExpectedVersion::NoStream,
                events: token::create(event, Utc::now())?,
            }])
        })
        .await?;
    Ok(IssuedToken {
        id: outcome.streams.first().map_or(id, |s| s.stream_id),
        secret: issued.secret,
        outcome,
    })
}

/// Issues a token as the system itself (CLI bootstrap, tests).
pub async fn issue_as_system(
    service: &Service,
    label: &str,
    new: NewToken,
) -> Result<IssuedToken, ServiceError> {
    let ctx = WriteContext {
        metadata: Metadata {
            actor: Actor::system(label),
            correlation_id: Some(Uuid::now_v7()),
            ..Metadata::default()
        },
        ..WriteContext::default()
    };
    issue(service, ctx, new).await
}

/// The actor label of the organisatie registered by the first `token create`.
pub const BOOTSTRAP_ACTOR: &str = "system (bootstrap)";

/// On a store with no organisatie at all, registers the first one (an
/// ordinary `OrganisatieGeregistreerd`, actor "system (bootstrap)"), so a new
/// installation without the demo can issue its first beheerder token.
/// Refused once any organisatie exists: then they are registered over the API.
pub async fn register_first_organisatie(
    service: &Service,
    naam: &str,
    soort: crate::domain::organisatie::OrganisatieSoort,
) -> Result<Uuid, ServiceError> {
    let ctx = WriteContext {
        metadata: Metadata {
            actor: Actor::system(BOOTSTRAP_ACTOR),
            correlation_id: Some(Uuid::now_v7()),
            ..Metadata::default()
        },
        ..WriteContext::default()
    };
    let event = crate::domain::events::OrganisatieGeregistreerd {
        naam: naam.trim().to_owned(),
        soort,
        contactadres: None,
    };
    let id = Uuid::now_v7();
    let outcome = service
        .structural(ctx, |m| {
            if !m.organisaties.is_empty() {
                return Err(DomainError::invalid(
                    "organisatie",
                    "not-first-organisatie",
                    "Er zijn al organisaties; registreer nieuwe via de API.",
                )
                .into());
            }
            Ok(vec![StreamEvents {
                stream_id: id,
                expected: ExpectedVersion::NoStream,
                events: crate::domain::organisatie::register(event)?,
            }])
        })
        .await?;
    Ok(outcome.streams.first().map_or(id, |s| s.stream_id))
}
