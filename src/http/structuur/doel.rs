//! Doelen: read, add (or a sub-doel, one level deep), change, renumber,
//! move and drop; every rule is [`DoelCommand`]'s.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::policy::{Action, Target};
use crate::domain::doel::DoelCommand;
use crate::domain::structuur::Vervalstatus;
use crate::domain::Code;
use crate::http::access::require;
use crate::http::dto::{Pagina, Paging};
use crate::http::invoer::{Invoer, Tekst};
use crate::http::paging;
use crate::http::peil::view::View;
use crate::http::peil::PeilQuery;
use crate::http::problem::Problem;
use crate::http::write::{context, etag, IfMatch};
use crate::http::AppState;
use crate::projections::{Entity, ReadModel};

/// A doel (or sub-doel) under an opgave.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DoelDto {
    pub id: Uuid,
    pub agenda_id: Uuid,
    pub opgave_id: Uuid,
    #[schema(example = "1.1")]
    pub opgave_code: String,
    /// Leeg bij een sub-doel zonder code.
    #[schema(example = "1.1.1")]
    pub code: Option<String>,
    pub bovenliggend_doel_id: Option<Uuid>,
    #[schema(example = "Aanbod efficiënt inrichten")]
    pub titel: String,
    /// De toelichting (waarom) boven de acties.
    pub omschrijving: String,
    pub geprioriteerd: bool,
    /// actief of vervallen.
    #[schema(value_type = crate::http::enums::OnderdeelStatus, example = "actief")]
    pub status: String,
    pub vervalreden: Option<String>,
    pub aantal_acties: usize,
    pub aantal_subdoelen: usize,
    pub aantal_indicatoren: usize,
    /// De groeperingen waaraan het doel bijdraagt naast die van zijn opgave.
    pub bijdragen: Vec<super::bijdrage::BijdrageDto>,
    pub versie: u64,
}

pub fn doel_dto(e: &Entity<crate::domain::doel::Doel>, m: &ReadModel) -> DoelDto {
    let d = &e.state;
    DoelDto {
        id: e.id,
        agenda_id: d.agenda_id,
        opgave_id: d.opgave_id,
        opgave_code: m
            .opgaven
            .get(&d.opgave_id)
            .map(|o| o.state.code.to_string())
            .unwrap_or_default(),
        code: d.code.as_ref().map(|c| c.to_string()),
        bovenliggend_doel_id: d.bovenliggend_doel_id,
        titel: d.titel.clone(),
        omschrijving: d.omschrijving.clone(),
        geprioriteerd: d.geprioriteerd,
        status: if d.vervallen.is_some() {
            "vervallen".into()
        } else {
            "actief".into()
        },
        vervalreden: d.vervallen.clone(),
        aantal_acties: m
            .acties
            .values()
            .filter(|a| a.state.doel_id == Some(e.id))
            .count(),
        aantal_subdoelen: m
            .doelen
            .values()
            .filter(|x| x.state.bovenliggend_doel_id == Some(e.id))
            .count(),
        aantal_indicatoren: m
            .indicatoren
            .values()
            .filter(|i| i.state.doel_id == e.id)
            .count(),
        bijdragen: super::bijdrage::bijdragen_dto(m, &d.bijdragen),
        versie: e.version,
    }
}

pub(super) fn doel_response(
    state: &AppState,
    id: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    let d = m
        .doelen
        .get(&id)
        .ok_or_else(|| Problem::not_found(crate::domain::niet_gevonden("doel", id)))?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(d.version)))
        .insert_header(("Location", format!("/v1/doelen/{id}")))
        .json(doel_dto(d, &m)))
}

/// De doelen van een opgave (sub-doelen na hun bovenliggende doel).
#[utoipa::path(get, path = "/opgaven/{id}/doelen", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de opgave"), Paging, PeilQuery),
    responses((status = 200, description = "Een pagina doelen", body = Pagina<DoelDto>), crate::http::responses::ReadErrors))]
pub async fn list_doelen(
    view: View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    seen.opgave(*id)?;
    let m = seen.model();
    let mut doelen: Vec<_> = m
        .doel_ids_of_opgave(*id)
        .into_iter()
        .filter_map(|d| m.doelen.get(&d))
        .collect();
    let key = |d: &Entity<crate::domain::doel::Doel>| {
        let own = d.state.code.as_ref().map(|c| c.sort_key());
        let parent = d
            .state
            .bovenliggend_doel_id
            .and_then(|p| m.doelen.get(&p))
            .and_then(|p| p.state.code.as_ref().map(|c| c.sort_key()));
        (
            parent.or(own.clone()).unwrap_or_default(),
            d.state.bovenliggend_doel_id.is_some(),
            d.aangemaakt,
            d.id,
        )
    };
    doelen.sort_by_key(|d| key(d));
    let items = doelen.into_iter().map(|d| doel_dto(d, m)).collect();
    paging::respond(&req, &q, items, m.position)
}

/// Eén doel.
#[utoipa::path(get, path = "/doelen/{id}", tag = "Agenda", params(("id" = Uuid, Path, description = "Id van het doel"), PeilQuery),
    responses((status = 200, description = "Het doel", body = DoelDto), crate::http::responses::ReadErrors))]
pub async fn get_doel(view: View, id: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    let d = seen.doel(*id)?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(d.version)))
        .json(doel_dto(d, seen.model())))
}

/// Body to add a doel (or a sub-doel) to an opgave.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DoelNieuw {
    /// Code onder die van de opgave (1.1 → 1.1.4); mag leeg zijn.
    code: Option<Code>,
    #[schema(example = "Aanbod efficiënt inrichten")]
    titel: Tekst,
    omschrijving: Option<String>,
    /// Standaard true.
    geprioriteerd: Option<bool>,
    /// Maakt er een sub-doel van, onder een doel van deze opgave dat zelf geen sub-doel is.
    bovenliggend_doel_id: Option<Uuid>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

/// Body to change a doel (JSON Merge Patch: only the fields given change;
/// none of them can be cleared).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DoelWijziging {
    /// Hernummeren, onder de code van de opgave; de codes van de sub-doelen schuiven mee.
    #[schema(nullable = false)]
    code: Option<Code>,
    #[schema(nullable = false)]
    titel: Option<Tekst>,
    #[schema(nullable = false)]
    omschrijving: Option<String>,
    #[schema(nullable = false)]
    geprioriteerd: Option<bool>,
    /// Verplaats het doel (met zijn sub-doelen) naar een andere opgave van dezelfde agenda.
    #[schema(nullable = false)]
    opgave_id: Option<Uuid>,
    /// "vervallen" laat het doel vervallen (met reden).
    #[schema(nullable = false)]
    status: Option<Vervalstatus>,
    /// Verplicht bij status vervallen.
    reden: Option<String>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

/// Voeg een doel toe aan een opgave.
#[utoipa::path(post, path = "/opgaven/{id}/doelen", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de opgave"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = DoelNieuw,
    responses((status = 201, description = "Aangemaakt", body = DoelDto), crate::http::responses::WriteErrors))]
pub async fn post_doel(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<DoelNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Opgave(*id)))?;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = state.projection.read().agenda_of(*id);
    let command = DoelCommand::Maak {
        id: Uuid::now_v7(),
        opgave_id: *id,
        bovenliggend_doel_id: b.bovenliggend_doel_id,
        code: b.code,
        titel: b.titel.into_string(),
        omschrijving: b.omschrijving.unwrap_or_default(),
        geprioriteerd: b.geprioriteerd.unwrap_or(true),
    };
    let outcome = state.service.execute(ctx, &command).await?;
    doel_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig, hernummer, verplaats naar een andere opgave of laat vervallen.
#[utoipa::path(patch, path = "/doelen/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van het doel"), ("If-Match" = String, Header, description = "ETag (verplicht)")),
    request_body(content(
        (DoelWijziging = "application/merge-patch+json"),
        (DoelWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd", body = DoelDto), crate::http::responses::WriteErrors))]
pub async fn patch_doel(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<DoelWijziging>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Doel(*id)))?;
    let id = *id;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = state.projection.read().agenda_of(id);
    let command = DoelCommand::Wijzig {
        id,
        code: b.code,
        titel: b.titel.map(Tekst::into_string),
        omschrijving: b.omschrijving,
        geprioriteerd: b.geprioriteerd,
        opgave_id: b.opgave_id,
        vervalt: b.status.is_some(),
        reden: b.reden,
    };
    state.service.execute(ctx, &command).await?;
    doel_response(&state, id, StatusCode::OK)
}
