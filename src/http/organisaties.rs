//! `/organisaties`: the gemeente, partner organisations and networks.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::dto::{OrganisatieDto, Pagina, Paging};
use super::invoer::{Invoer, Patch, Tekst};
use super::paging;
use super::peil::view::View;
use super::peil::PeilQuery;
use super::problem::Problem;
use super::write::{context, etag, IfMatch};
use crate::access::policy::Action;
use crate::domain::organisatie::{OrganisatieCommand, OrganisatieSoort};
use crate::http::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganisatiesQuery {
    /// Alleen organisaties waarvan de naam dit bevat (hoofdletterongevoelig).
    pub naam: Option<String>,
    /// Paginanummer, vanaf 1.
    #[param(minimum = 1, example = 1)]
    pub page: Option<u32>,
    /// Aantal per pagina (standaard 20, maximaal 500).
    #[param(minimum = 1, maximum = 500, example = 20)]
    pub page_size: Option<u32>,
}

/// Lijst van organisaties, op naam.
#[utoipa::path(get, path = "/organisaties", tag = "Organisaties", params(OrganisatiesQuery, PeilQuery),
    responses((status = 200, description = "Een pagina organisaties", body = Pagina<OrganisatieDto>), super::responses::ReadErrors))]
pub async fn list_organisaties(
    view: View,
    req: HttpRequest,
    q: web::Query<OrganisatiesQuery>,
) -> Result<HttpResponse, Problem> {
    // Organisaties belong to no agenda: everyone may read them.
    let seen = view.read();
    let model = seen.model();
    let needle = q.naam.as_deref().map(str::to_lowercase);
    let mut items: Vec<OrganisatieDto> = model
        .organisaties
        .values()
        .filter(|o| {
            needle
                .as_ref()
                .is_none_or(|n| o.state.naam.to_lowercase().contains(n))
        })
        .map(|o| OrganisatieDto::from(o))
        .collect();
    items.sort_by_key(|a| a.naam.to_lowercase());
    paging::respond(
        &req,
        &Paging {
            page: q.page,
            page_size: q.page_size,
        },
        items,
        model.position,
    )
}

fn respond(state: &AppState, id: Uuid, status: StatusCode) -> Result<HttpResponse, Problem> {
    let model = state.projection.read();
    crate::http::write::geschreven(
        status,
        model.organisaties.get(&id),
        "organisatie",
        "organisaties",
        id,
        OrganisatieDto::from,
    )
}

/// Eén organisatie.
#[utoipa::path(get, path = "/organisaties/{id}", tag = "Organisaties", params(("id" = Uuid, Path, description = "Id van de organisatie"), PeilQuery),
    responses((status = 200, description = "De organisatie", body = OrganisatieDto), super::responses::ReadErrors))]
pub async fn get_organisatie(view: View, id: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    // Organisaties belong to no agenda: everyone may read them.
    let seen = view.read();
    let o = seen
        .model()
        .organisaties
        .get(&id)
        .ok_or_else(|| view.not_found(crate::domain::niet_gevonden("organisatie", *id), *id))?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(o.version)))
        .json(OrganisatieDto::from(o)))
}

/// Body to register an organisatie.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganisatieNieuw {
    #[schema(example = "Stichting Welzijn Twenterand")]
    naam: Tekst,
    #[schema(example = "welzijn")]
    soort: OrganisatieSoort,
    /// Een functioneel adres (info@, mag@), nooit dat van een persoon.
    #[schema(format = "email", example = "info@welzijntwenterand.nl")]
    contactadres: Option<String>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

/// Body to change an organisatie (JSON Merge Patch: only the fields given
/// change; `contactadres: null` removes the address).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganisatieWijziging {
    #[schema(nullable = false)]
    naam: Option<Tekst>,
    #[schema(nullable = false)]
    soort: Option<OrganisatieSoort>,
    /// Een functioneel adres (info@, mag@); `null` haalt het weg.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "email")]
    contactadres: Patch<String>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

/// Registreer een organisatie.
#[utoipa::path(post, path = "/organisaties", tag = "Organisaties",
    params(("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel maakt niets nieuws aan")),
    request_body = OrganisatieNieuw,
    responses((status = 201, description = "Geregistreerd", body = OrganisatieDto), super::responses::WriteErrors))]
pub async fn post_organisatie(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Invoer<OrganisatieNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::OrganisatiesBeheren)?;
    let b = body.waarde;
    let ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    let command = OrganisatieCommand::Registreer {
        id: Uuid::now_v7(),
        naam: b.naam.into_string(),
        soort: b.soort,
        contactadres: b.contactadres,
    };
    let outcome = state.service.execute(ctx, &command).await?;
    respond(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig een organisatie (alleen de meegegeven velden).
#[utoipa::path(patch, path = "/organisaties/{id}", tag = "Organisaties",
    params(("id" = Uuid, Path, description = "Id van de organisatie"),
        ("If-Match" = String, Header, description = "ETag van de organisatie (verplicht)")),
    request_body(content(
        (OrganisatieWijziging = "application/merge-patch+json"),
        (OrganisatieWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd", body = OrganisatieDto), super::responses::WriteErrors))]
pub async fn patch_organisatie(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<OrganisatieWijziging>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::OrganisatiesBeheren)?;
    let id = *id;
    let b = body.waarde;
    let ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    let command = OrganisatieCommand::Wijzig {
        id,
        naam: b.naam.map(Tekst::into_string),
        soort: b.soort,
        contactadres: b.contactadres.into_change(),
    };
    state.service.execute(ctx, &command).await?;
    respond(&state, id, StatusCode::OK)
}

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/organisaties", web::get().to(list_organisaties))
        .route("/organisaties", web::post().to(post_organisatie))
        .route("/organisaties/{id}", web::get().to(get_organisatie))
        .route("/organisaties/{id}", web::patch().to(patch_organisatie));
}

#[derive(OpenApi)]
#[openapi(paths(
    list_organisaties,
    get_organisatie,
    post_organisatie,
    patch_organisatie
))]
pub struct Api;
