//! Bijdragen: an opgave or doel contributes to further groeperingen besides
//! its primary place (`POST /opgaven/{id}/bijdragen`, `DELETE
//! /opgaven/{id}/bijdragen/{groeperingId}`, the same under `/doelen`), and
//! the reads per groepering that show what contributes to it, primary or
//! not (`GET /groeperingen/{id}/opgaven`; [`onderdelen`] for
//! `GET /groeperingen/{id}`, [`overzicht_bijdragen`] for the overzicht).
//! The rules are [`BijdrageCommand`]'s.

mod lezen;

pub use lezen::*;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::policy::{Action, Target};
use crate::domain::bijdrage::{BijdrageCommand, Bijdrager};
use crate::http::access::require;
use crate::http::dto::{OpgaveDto, Pagina, Paging};
use crate::http::invoer::Invoer;
use crate::http::paging;
use crate::http::peil::view::View;
use crate::http::peil::PeilQuery;
use crate::http::problem::Problem;
use crate::http::write::{context, IfMatch};
use crate::http::AppState;

/// An opgave of a groepering's list: the opgave, and whether it is in the
/// groepering itself or contributes to it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroeperingOpgaveDto {
    pub soort: BijdrageSoort,
    #[serde(flatten)]
    pub opgave: OpgaveDto,
}

/// De opgaven van een groepering: die er zelf in staan (primair) en die eraan bijdragen (bijdrage).
#[utoipa::path(get, path = "/groeperingen/{id}/opgaven", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de groepering"), Paging, PeilQuery),
    responses((status = 200, description = "Een pagina opgaven, eerst de primaire, dan de bijdragende, elk op code", body = Pagina<GroeperingOpgaveDto>), crate::http::responses::ReadErrors))]
pub async fn list_groepering_opgaven(
    view: View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    seen.groepering(*id)?;
    let m = seen.model();
    let items = opgaven_van(m, *id);
    let items = items.into_iter().filter_map(|(o, soort)| {
        Some(GroeperingOpgaveDto {
            soort,
            opgave: OpgaveDto::from(m.opgaven.get(&o)?, m),
        })
    });
    paging::respond(&req, &q, items.collect::<Vec<_>>(), m.position)
}

/// Body to let an opgave or doel contribute to a further groepering.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BijdrageNieuw {
    /// Een groepering van dezelfde agenda, niet de eigen groepering van het onderdeel.
    groepering_id: Uuid,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

async fn voeg(
    state: &AppState,
    req: &HttpRequest,
    target: Target,
    bijdrager: Bijdrager,
    body: Invoer<BijdrageNieuw>,
) -> Result<(), Problem> {
    let bevoegd = require(req, state, Action::Beheren(target))?;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = target.agenda(&state.projection.read());
    let command = BijdrageCommand::Voeg {
        bijdrager,
        groepering_id: b.groepering_id,
    };
    state.service.execute(ctx, &command).await?;
    Ok(())
}

async fn verwijder(
    state: &AppState,
    req: &HttpRequest,
    target: Target,
    bijdrager: Bijdrager,
    groepering_id: Uuid,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(req, state, Action::Beheren(target))?;
    let mut ctx = context(&bevoegd, req, &Value::Null, IfMatch::Optional)?;
    ctx.metadata.agenda_id = target.agenda(&state.projection.read());
    let command = BijdrageCommand::Verwijder {
        bijdrager,
        groepering_id,
    };
    state.service.execute(ctx, &command).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Laat een opgave (ook) bijdragen aan een andere groepering, bijv. een tweede maatschappelijk effect.
#[utoipa::path(post, path = "/opgaven/{id}/bijdragen", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de opgave"),
        ("If-Match" = Option<String>, Header, description = "ETag van de opgave (optioneel)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel toevoegen bij herhalen")),
    request_body = BijdrageNieuw,
    responses((status = 201, description = "Toegevoegd: de opgave met haar bijdragen", body = OpgaveDto), crate::http::responses::WriteErrors))]
pub async fn post_opgave_bijdrage(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<BijdrageNieuw>,
) -> Result<HttpResponse, Problem> {
    let id = *id;
    voeg(
        &state,
        &req,
        Target::Opgave(id),
        Bijdrager::Opgave(id),
        body,
    )
    .await?;
    super::opgave::opgave_response(&state, id, StatusCode::CREATED)
}

/// Laat een doel (ook) bijdragen aan een andere groepering dan die van zijn opgave.
#[utoipa::path(post, path = "/doelen/{id}/bijdragen", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van het doel"),
        ("If-Match" = Option<String>, Header, description = "ETag van het doel (optioneel)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel toevoegen bij herhalen")),
    request_body = BijdrageNieuw,
    responses((status = 201, description = "Toegevoegd: het doel met zijn bijdragen", body = super::doel::DoelDto), crate::http::responses::WriteErrors))]
pub async fn post_doel_bijdrage(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<BijdrageNieuw>,
) -> Result<HttpResponse, Problem> {
    let id = *id;
    voeg(&state, &req, Target::Doel(id), Bijdrager::Doel(id), body).await?;
    super::doel::doel_response(&state, id, StatusCode::CREATED)
}

/// Beëindig de bijdrage van een opgave aan een groepering (de historie houdt haar).
#[utoipa::path(delete, path = "/opgaven/{id}/bijdragen/{groeperingId}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de opgave"),
        ("groeperingId" = Uuid, Path, description = "Id van de groepering waaraan de opgave bijdraagt"),
        ("If-Match" = Option<String>, Header, description = "ETag van de opgave (optioneel)"),
        ("X-Audit-Toelichting" = Option<String>, Header, description = "Waarom (komt in de audittrail)")),
    responses((status = 204, description = "Verwijderd"), crate::http::responses::WriteErrors))]
pub async fn delete_opgave_bijdrage(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, Problem> {
    let (id, g) = *path;
    verwijder(&state, &req, Target::Opgave(id), Bijdrager::Opgave(id), g).await
}

/// Beëindig de bijdrage van een doel aan een groepering (de historie houdt haar).
#[utoipa::path(delete, path = "/doelen/{id}/bijdragen/{groeperingId}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van het doel"),
        ("groeperingId" = Uuid, Path, description = "Id van de groepering waaraan het doel bijdraagt"),
        ("If-Match" = Option<String>, Header, description = "ETag van het doel (optioneel)"),
        ("X-Audit-Toelichting" = Option<String>, Header, description = "Waarom (komt in de audittrail)")),
    responses((status = 204, description = "Verwijderd"), crate::http::responses::WriteErrors))]
pub async fn delete_doel_bijdrage(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, Problem> {
    let (id, g) = *path;
    verwijder(&state, &req, Target::Doel(id), Bijdrager::Doel(id), g).await
}
