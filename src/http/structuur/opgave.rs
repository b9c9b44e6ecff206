//! `POST /agendas/{id}/opgaven` and `PATCH /opgaven/{id}`: typed bodies,
//! decided by [`OpgaveCommand`] (optional code unique among the opgaven of
//! the same groepering, groepering of the agenda, the doelen's renumber).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::policy::{Action, Target};
use crate::domain::opgave::OpgaveCommand;
use crate::domain::structuur::Vervalstatus;
use crate::domain::Code;
use crate::http::access::require;
use crate::http::dto::OpgaveDto;
use crate::http::invoer::{Invoer, Patch, Tekst};
use crate::http::problem::Problem;
use crate::http::write::{context, IfMatch};
use crate::http::AppState;

/// Body to add an opgave to an agenda.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpgaveNieuw {
    /// Optioneel; uniek onder de opgaven van dezelfde groepering (of, zonder
    /// groepering, van de agenda); hoofdletters tellen niet. Een code van
    /// één deel (`2`) toont onder de code van de groepering (`1.2`).
    code: Option<Code>,
    #[schema(example = "Eenzaamheid verminderen")]
    titel: Tekst,
    omschrijving: Option<String>,
    /// Standaard true.
    geprioriteerd: Option<bool>,
    /// De groepering (bijv. themalijn) van deze agenda.
    groepering_id: Option<Uuid>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

/// Body to change an opgave (JSON Merge Patch: only the fields given change;
/// `groeperingId: null` takes the opgave out of its groepering).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpgaveWijziging {
    /// Hernummeren: de uitgeschreven codes van de doelen schuiven mee;
    /// `null` haalt de code weg.
    #[serde(default)]
    #[schema(value_type = Option<Code>)]
    code: Patch<Code>,
    #[schema(nullable = false)]
    titel: Option<Tekst>,
    #[schema(nullable = false)]
    omschrijving: Option<String>,
    #[schema(nullable = false)]
    geprioriteerd: Option<bool>,
    /// Een groepering van dezelfde agenda; `null` haalt de opgave eruit.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    groepering_id: Patch<Uuid>,
    /// "vervallen" laat de opgave vervallen (met reden).
    #[schema(nullable = false)]
    status: Option<Vervalstatus>,
    /// Verplicht bij status vervallen.
    reden: Option<String>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

pub(super) fn opgave_response(
    state: &AppState,
    id: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    crate::http::write::geschreven(status, m.opgaven.get(&id), "opgave", "opgaven", id, |o| {
        OpgaveDto::from(o, &m)
    })
}

/// Voeg een opgave toe aan een agenda.
#[utoipa::path(post, path = "/agendas/{id}/opgaven", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de agenda"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = OpgaveNieuw,
    responses((status = 201, description = "Aangemaakt", body = OpgaveDto), crate::http::responses::WriteErrors))]
pub async fn post_opgave(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<OpgaveNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Agenda(*id)))?;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = Some(*id);
    let command = OpgaveCommand::Maak {
        id: Uuid::now_v7(),
        agenda_id: *id,
        groepering_id: b.groepering_id,
        code: b.code,
        titel: b.titel.into_string(),
        omschrijving: b.omschrijving.unwrap_or_default(),
        geprioriteerd: b.geprioriteerd.unwrap_or(true),
    };
    let outcome = state.service.execute(ctx, &command).await?;
    opgave_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig, hernummer, verplaats naar een andere groepering of laat vervallen.
#[utoipa::path(patch, path = "/opgaven/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de opgave"), ("If-Match" = String, Header, description = "ETag (verplicht)")),
    request_body(content(
        (OpgaveWijziging = "application/merge-patch+json"),
        (OpgaveWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd", body = OpgaveDto), crate::http::responses::WriteErrors))]
pub async fn patch_opgave(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<OpgaveWijziging>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Opgave(*id)))?;
    let id = *id;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = state.projection.read().agenda_of(id);
    let command = OpgaveCommand::Wijzig {
        id,
        code: b.code.into_change(),
        titel: b.titel.map(Tekst::into_string),
        omschrijving: b.omschrijving,
        geprioriteerd: b.geprioriteerd,
        groepering_id: b.groepering_id.into_change(),
        vervalt: b.status.is_some(),
        reden: b.reden,
    };
    state.service.execute(ctx, &command).await?;
    opgave_response(&state, id, StatusCode::OK)
}
