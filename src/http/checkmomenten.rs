//! Checkmomenten (PDCA "Check") on an opgave or on the whole agenda:
//! open one, list them, correct date, subject or participants, and close it.
//! The bijsturingen decided at a checkmoment live in `bijsturingen.rs`.
//!
//! Also documents the `X-Bijsturing-Id` header that every write accepts (see
//! [`BijsturingHeader`]).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::checkmoment_dto::{checkmoment_dto, CheckmomentDto};
use super::dto::Pagina;
use super::invoer::{Datum, Invoer, Tekst};
use super::paging;
use super::problem::{InvalidParam, Problem};
use super::write::{context, etag, IfMatch, BIJSTURING_HEADER};
use crate::access::policy::{Action, Target};
use crate::domain::checkmoment::{Checkmoment, CheckmomentCommand, CheckmomentStatus, Niveau};
use crate::domain::Foutcode;
use crate::http::AppState;
use crate::projections::Entity;

pub fn checkmoment_not_found(id: Uuid) -> String {
    crate::domain::niet_gevonden("checkmoment", id)
}

fn checkmoment_response(
    state: &AppState,
    id: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    crate::http::write::geschreven(
        status,
        m.checkmomenten.get(&id),
        "checkmoment",
        "checkmomenten",
        id,
        |c| checkmoment_dto(c, &m),
    )
}

// ---------- listing ----------

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CheckmomentenQuery {
    /// Alleen open of alleen gesloten checkmomenten.
    #[param(value_type = Option<crate::domain::checkmoment::CheckmomentStatus>, example = "open")]
    pub status: Option<String>,
    /// Paginanummer, vanaf 1.
    #[param(minimum = 1, example = 1)]
    pub page: Option<u32>,
    /// Aantal per pagina (standaard 20, maximaal 500).
    #[param(minimum = 1, maximum = 500, example = 20)]
    pub page_size: Option<u32>,
}

fn list(
    view: &super::peil::view::View,
    req: &HttpRequest,
    q: &CheckmomentenQuery,
    filter: impl Fn(&Checkmoment) -> bool,
) -> Result<HttpResponse, Problem> {
    let open = match q.status.as_deref() {
        None => None,
        Some("open") => Some(true),
        Some("gesloten") => Some(false),
        Some(other) => {
            return Err(Problem::invalid(vec![InvalidParam::new(
                "query.status",
                Foutcode::InvalidValue,
                format!("'{other}' is geen status van een checkmoment; kies open of gesloten."),
            )]))
        }
    };
    let seen = view.read();
    let m = seen.model();
    let mut items: Vec<&Entity<Checkmoment>> = m
        .checkmomenten
        .values()
        .map(|e| &**e)
        .filter(|c| filter(&c.state) && open.is_none_or(|o| c.state.is_open() == o))
        .filter(|c| seen.sees(c.state.agenda_id))
        .collect();
    items.sort_by_key(|c| (std::cmp::Reverse(c.state.datum), std::cmp::Reverse(c.id)));
    let items = items.into_iter().map(|c| checkmoment_dto(c, m)).collect();
    let paging = super::dto::Paging {
        page: q.page,
        page_size: q.page_size,
    };
    paging::respond(req, &paging, items, m.position)
}

/// De checkmomenten van een opgave (niet die over de hele agenda), nieuwste eerst.
#[utoipa::path(get, path = "/opgaven/{id}/checkmomenten", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van de opgave"), CheckmomentenQuery, super::peil::PeilQuery),
    responses((status = 200, description = "Een pagina checkmomenten", body = Pagina<CheckmomentDto>), super::responses::ReadErrors))]
pub async fn list_opgave_checkmomenten(
    view: super::peil::view::View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<CheckmomentenQuery>,
) -> Result<HttpResponse, Problem> {
    let id = *id;
    view.read().opgave(id)?;
    list(&view, &req, &q, |c| c.opgave_id == Some(id))
}

/// Alle checkmomenten van een agenda (over de hele agenda én per opgave; zie `niveau`), nieuwste eerst.
#[utoipa::path(get, path = "/agendas/{id}/checkmomenten", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van de agenda"), CheckmomentenQuery, super::peil::PeilQuery),
    responses((status = 200, description = "Een pagina checkmomenten", body = Pagina<CheckmomentDto>), super::responses::ReadErrors))]
pub async fn list_agenda_checkmomenten(
    view: super::peil::view::View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<CheckmomentenQuery>,
) -> Result<HttpResponse, Problem> {
    let id = *id;
    view.read().agenda(id)?;
    list(&view, &req, &q, |c| c.agenda_id == id)
}

/// Eén checkmoment, met zijn bijsturingen.
#[utoipa::path(get, path = "/checkmomenten/{id}", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van het checkmoment"), super::peil::PeilQuery),
    responses((status = 200, description = "Het checkmoment; ETag is zijn versie", body = CheckmomentDto), super::responses::ReadErrors))]
pub async fn get_checkmoment(
    view: super::peil::view::View,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    let c = seen.checkmoment(*id)?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(c.version)))
        .json(checkmoment_dto(c, seen.model())))
}

// ---------- opening ----------

/// Body to open a checkmoment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckmomentNieuw {
    /// Datum van het checkmoment, binnen de periode van de agenda.
    #[schema(example = "2024-06-15")]
    datum: Datum,
    #[schema(example = "Halfjaarlijkse check bestaanszekerheid")]
    onderwerp: Tekst,
    /// Id's van de deelnemende organisaties (nooit personen), elk één keer.
    #[schema(nullable = false)]
    deelnemers: Option<Vec<Uuid>>,
    /// Toelichting voor de audittrail (of header X-Audit-Toelichting).
    toelichting: Option<String>,
}

/// Body to correct or close a checkmoment (JSON Merge Patch: only the
/// fields given change; none of them can be emptied).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckmomentWijziging {
    /// Binnen de periode van de agenda; bij een gesloten checkmoment niet na de sluitdatum.
    #[schema(nullable = false)]
    datum: Option<Datum>,
    #[schema(nullable = false)]
    onderwerp: Option<Tekst>,
    /// De hele nieuwe lijst deelnemende organisaties ([] maakt haar leeg).
    #[schema(nullable = false)]
    deelnemers: Option<Vec<Uuid>>,
    /// gesloten sluit het checkmoment (heropenen kan niet).
    #[schema(nullable = false, example = "gesloten")]
    status: Option<CheckmomentStatus>,
    /// Alleen met status gesloten: wanneer (standaard vandaag; niet vóór de datum).
    #[schema(nullable = false)]
    gesloten_datum: Option<Datum>,
    /// Alleen met status gesloten: korte samenvatting van de uitkomst.
    samenvatting: Option<String>,
    /// Toelichting voor de audittrail (of header X-Audit-Toelichting).
    toelichting: Option<String>,
}

async fn open(
    state: &AppState,
    req: &HttpRequest,
    body: Invoer<CheckmomentNieuw>,
    niveau: Niveau,
    target: Target,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(req, state, Action::Beheren(target))?;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = target.agenda(&state.projection.read());
    let command = CheckmomentCommand::Open {
        id: Uuid::now_v7(),
        niveau,
        datum: b.datum.0,
        onderwerp: b.onderwerp.into_string(),
        deelnemers: b.deelnemers.unwrap_or_default(),
    };
    let outcome = state.service.execute(ctx, &command).await?;
    checkmoment_response(state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Open een checkmoment (PDCA "Check") op een opgave. De opgave staat daarna in de fase Check tot het gesloten is.
#[utoipa::path(post, path = "/opgaven/{id}/checkmomenten", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van de opgave"),
        ("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel maakt niets nieuws aan")),
    request_body = CheckmomentNieuw,
    responses((status = 201, description = "Geopend", body = CheckmomentDto), super::responses::WriteErrors))]
pub async fn post_opgave_checkmoment(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<CheckmomentNieuw>,
) -> Result<HttpResponse, Problem> {
    open(&state, &req, body, Niveau::Opgave(*id), Target::Opgave(*id)).await
}

/// Open een checkmoment over de hele agenda. Alle opgaven staan daarna in de fase Check tot het gesloten is.
#[utoipa::path(post, path = "/agendas/{id}/checkmomenten", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van de agenda"),
        ("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel maakt niets nieuws aan")),
    request_body = CheckmomentNieuw,
    responses((status = 201, description = "Geopend", body = CheckmomentDto), super::responses::WriteErrors))]
pub async fn post_agenda_checkmoment(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<CheckmomentNieuw>,
) -> Result<HttpResponse, Problem> {
    open(&state, &req, body, Niveau::Agenda(*id), Target::Agenda(*id)).await
}

// ---------- correcting and closing ----------

/// Wijzig datum, onderwerp of deelnemers van een checkmoment, of sluit het (`status: gesloten`).
#[utoipa::path(patch, path = "/checkmomenten/{id}", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van het checkmoment"),
        ("If-Match" = String, Header, description = "ETag van het checkmoment (verplicht)")),
    request_body(content(
        (CheckmomentWijziging = "application/merge-patch+json"),
        (CheckmomentWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd of gesloten", body = CheckmomentDto), super::responses::WriteErrors))]
pub async fn patch_checkmoment(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<CheckmomentWijziging>,
) -> Result<HttpResponse, Problem> {
    let target = Target::Checkmoment(*id);
    let bevoegd = require(&req, &state, Action::Beheren(target))?;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = target.agenda(&state.projection.read());
    let command = CheckmomentCommand::Wijzig {
        id: *id,
        datum: b.datum.map(|d| d.0),
        onderwerp: b.onderwerp.map(Tekst::into_string),
        deelnemers: b.deelnemers,
        status: b.status,
        gesloten_datum: b.gesloten_datum.map(|d| d.0),
        samenvatting: b.samenvatting,
        nu: Utc::now(),
    };
    state.service.execute(ctx, &command).await?;
    checkmoment_response(&state, *id, StatusCode::OK)
}

pub fn configure(cfg: &mut super::Routes) {
    cfg.route(
        "/opgaven/{id}/checkmomenten",
        web::get().to(list_opgave_checkmomenten),
    )
    .route(
        "/opgaven/{id}/checkmomenten",
        web::post().to(post_opgave_checkmoment),
    )
    .route(
        "/agendas/{id}/checkmomenten",
        web::get().to(list_agenda_checkmomenten),
    )
    .route(
        "/agendas/{id}/checkmomenten",
        web::post().to(post_agenda_checkmoment),
    )
    .route("/checkmomenten/{id}", web::get().to(get_checkmoment))
    .route("/checkmomenten/{id}", web::patch().to(patch_checkmoment));
}

#[derive(OpenApi)]
#[openapi(paths(
    list_opgave_checkmomenten,
    post_opgave_checkmoment,
    list_agenda_checkmomenten,
    post_agenda_checkmoment,
    get_checkmoment,
    patch_checkmoment
))]
pub struct Api;

/// Declares the optional `X-Bijsturing-Id` header on every write operation
/// (POST, PUT, PATCH) of the document.
pub struct BijsturingHeader;

impl Modify for BijsturingHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let parameter = ParameterBuilder::new()
            .name(BIJSTURING_HEADER)
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Id van de bijsturing (PDCA \"Act\") die deze wijziging uitvoert; vastgelegd in metadata.bijsturingId van de gebeurtenis. Een onbekende bijsturing geeft 400.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Uuid,
                    ))),
            ))
            .build();
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.put, &mut item.post, &mut item.patch]
                .into_iter()
                .flatten()
            {
                let params = op.parameters.get_or_insert_with(Vec::new);
                if !params.iter().any(|p| p.name == BIJSTURING_HEADER) {
                    params.push(parameter.clone());
                }
            }
        }
    }
}
