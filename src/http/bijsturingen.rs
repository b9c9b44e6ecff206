//! Bijsturingen (PDCA "Act"): decisions with a rationale, recorded at a
//! checkmoment, listing the changes they intend. The changes themselves are
//! ordinary writes sent with header `X-Bijsturing-Id`; when they are in, the
//! bijsturing is marked doorgevoerd with
//! `PATCH /checkmomenten/{id}/bijsturingen/{bijsturingId}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::checkmoment_dto::{bijsturing_dto, BijsturingDto};
use super::checkmomenten::checkmoment_not_found;
use super::dto::{Pagina, Paging};
use super::invoer::{Datum, Invoer, Tekst, Waar};
use super::paging;
use super::problem::Problem;
use super::write::{context, etag, IfMatch};
use crate::access::policy::{Action, Target};
use crate::domain::checkmoment::{CheckmomentCommand, VoorgenomenWijziging, WijzigingSoort};
use crate::domain::events::Event;
use crate::http::AppState;

fn bijsturing_response(
    state: &AppState,
    checkmoment_id: Uuid,
    bijsturing_id: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    let c = m
        .checkmomenten
        .get(&checkmoment_id)
        .ok_or_else(|| Problem::not_found(checkmoment_not_found(checkmoment_id)))?;
    let b = c
        .state
        .bijsturingen
        .iter()
        .find(|b| b.id == bijsturing_id)
        .ok_or_else(|| {
            Problem::not_found(format!(
                "Er is geen bijsturing {bijsturing_id} bij checkmoment {checkmoment_id}."
            ))
        })?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(c.version)))
        .insert_header((
            "Location",
            format!("/v1/checkmomenten/{checkmoment_id}/bijsturingen/{bijsturing_id}"),
        ))
        .json(bijsturing_dto(&m, checkmoment_id, b)))
}

/// De bijsturingen van een checkmoment, in volgorde van vastleggen.
#[utoipa::path(get, path = "/checkmomenten/{id}/bijsturingen", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van het checkmoment"), Paging, super::peil::PeilQuery),
    responses((status = 200, description = "Een pagina bijsturingen", body = Pagina<BijsturingDto>), super::responses::ReadErrors))]
pub async fn list_bijsturingen(
    view: super::peil::view::View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    let c = seen.checkmoment(*id)?;
    let m = seen.model();
    let items = c
        .state
        .bijsturingen
        .iter()
        .map(|b| bijsturing_dto(m, *id, b))
        .collect();
    paging::respond(&req, &q, items, m.position)
}

/// Eén bijsturing, met de wijzigingen die haar uitvoerden.
#[utoipa::path(get, path = "/checkmomenten/{id}/bijsturingen/{bijsturingId}", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van het checkmoment"), ("bijsturingId" = Uuid, Path, description = "Id van de bijsturing"), super::peil::PeilQuery),
    responses((status = 200, description = "De bijsturing; ETag is de versie van het checkmoment", body = BijsturingDto), super::responses::ReadErrors))]
pub async fn get_bijsturing(
    view: super::peil::view::View,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, Problem> {
    let (id, bijsturing) = *path;
    let seen = view.read();
    let c = seen.checkmoment(id)?;
    let m = seen.model();
    let b = c
        .state
        .bijsturingen
        .iter()
        .find(|b| b.id == bijsturing)
        .ok_or_else(|| {
            view.not_found(
                format!("Er is geen bijsturing {bijsturing} bij checkmoment {id}."),
                bijsturing,
            )
        })?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(c.version)))
        .json(bijsturing_dto(m, id, b)))
}

/// Body to record a bijsturing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BijsturingNieuw {
    #[schema(example = "Taalcafés krijgen een andere trekker")]
    besluit: Tekst,
    /// Waarom wordt bijgestuurd?
    #[schema(example = "De gemeente heeft geen capaciteit; de bibliotheek wel.")]
    onderbouwing: Tekst,
    /// Datum van het besluit (standaard vandaag, of de datum van het checkmoment als die later is; niet vóór het checkmoment).
    #[schema(nullable = false)]
    datum: Option<Datum>,
    /// Wat het besluit wijzigt. De wijzigingen zelf zijn gewone schrijfacties met header X-Bijsturing-Id.
    #[schema(nullable = false)]
    voorgenomen_wijzigingen: Option<Vec<VoorgenomenWijzigingNieuw>>,
    /// Toelichting voor de audittrail (of header X-Audit-Toelichting).
    toelichting: Option<String>,
}

/// One change a bijsturing intends.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VoorgenomenWijzigingNieuw {
    #[schema(example = "trekkerWijzigen")]
    soort: WijzigingSoort,
    #[schema(example = "Bibliotheek Twenterand wordt trekker van de taalcafés.")]
    omschrijving: Tekst,
    /// De actie, het doel, de opgave of de indicator van deze agenda waar het om gaat (als die al bestaat).
    onderwerp_id: Option<Uuid>,
}

/// Leg een bijsturing (PDCA "Act") vast bij een checkmoment. De betrokken opgaven staan in de fase Act tot ze is doorgevoerd.
#[utoipa::path(post, path = "/checkmomenten/{id}/bijsturingen", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van het checkmoment"),
        ("If-Match" = Option<String>, Header, description = "ETag van het checkmoment (optioneel)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel voegt niets toe")),
    request_body = BijsturingNieuw,
    responses((status = 201, description = "Vastgelegd", body = BijsturingDto), super::responses::WriteErrors))]
pub async fn post_bijsturing(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<BijsturingNieuw>,
) -> Result<HttpResponse, Problem> {
    let target = Target::Checkmoment(*id);
    let bevoegd = require(&req, &state, Action::Beheren(target))?;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = target.agenda(&state.projection.read());
    let mut bijsturing = Uuid::now_v7();
    let command = CheckmomentCommand::LegBijsturingVast {
        id: *id,
        bijsturing_id: bijsturing,
        besluit: b.besluit.into_string(),
        onderbouwing: b.onderbouwing.into_string(),
        datum: b.datum.map(|d| d.0),
        voorgenomen_wijzigingen: b
            .voorgenomen_wijzigingen
            .unwrap_or_default()
            .into_iter()
            .map(|w| VoorgenomenWijziging {
                soort: w.soort,
                omschrijving: w.omschrijving.into_string(),
                onderwerp_id: w.onderwerp_id,
            })
            .collect(),
        nu: Utc::now(),
    };
    let outcome = state.service.execute(ctx, &command).await?;
    if outcome.duplicate {
        // A retry: answer with the bijsturing the original request recorded.
        if let Ok(Some(e)) = state.store.event_at(outcome.last_position) {
            if let Ok(Event::BijsturingVastgelegd(v)) =
                Event::decode(&e.event_type, e.schema_version, &e.data)
            {
                bijsturing = v.bijsturing_id;
            }
        }
    }
    bijsturing_response(&state, *id, bijsturing, StatusCode::CREATED)
}

/// Body to mark a bijsturing doorgevoerd.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BijsturingWijziging {
    /// true: de wijzigingen van deze bijsturing zijn doorgevoerd (kan niet terug naar false).
    #[allow(dead_code)]
    doorgevoerd: Waar,
    /// Wanneer (standaard vandaag, of de datum van het besluit als die later is; niet vóór het besluit).
    #[schema(nullable = false)]
    doorgevoerd_datum: Option<Datum>,
    /// Toelichting voor de audittrail (of header X-Audit-Toelichting).
    toelichting: Option<String>,
}

/// Markeer een bijsturing als doorgevoerd: haar wijzigingen zijn verwerkt. De opgave verlaat daarmee de fase Act.
#[utoipa::path(patch, path = "/checkmomenten/{id}/bijsturingen/{bijsturingId}", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van het checkmoment"), ("bijsturingId" = Uuid, Path, description = "Id van de bijsturing"),
        ("If-Match" = String, Header, description = "ETag van het checkmoment (verplicht)")),
    request_body(content(
        (BijsturingWijziging = "application/merge-patch+json"),
        (BijsturingWijziging = "application/json"))),
    responses((status = 200, description = "Doorgevoerd", body = BijsturingDto), super::responses::WriteErrors))]
pub async fn patch_bijsturing(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: Invoer<BijsturingWijziging>,
) -> Result<HttpResponse, Problem> {
    let (id, bijsturing) = *path;
    let target = Target::Checkmoment(id);
    let bevoegd = require(&req, &state, Action::Beheren(target))?;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = target.agenda(&state.projection.read());
    let command = CheckmomentCommand::VoerBijsturingDoor {
        id,
        bijsturing_id: bijsturing,
        datum: b.doorgevoerd_datum.map(|d| d.0),
        nu: Utc::now(),
    };
    state.service.execute(ctx, &command).await?;
    bijsturing_response(&state, id, bijsturing, StatusCode::OK)
}

pub fn configure(cfg: &mut super::Routes) {
    cfg.route(
        "/checkmomenten/{id}/bijsturingen",
        web::get().to(list_bijsturingen),
    )
    .route(
        "/checkmomenten/{id}/bijsturingen",
        web::post().to(post_bijsturing),
    )
    .route(
        "/checkmomenten/{id}/bijsturingen/{bijsturing_id}",
        web::get().to(get_bijsturing),
    )
    .route(
        "/checkmomenten/{id}/bijsturingen/{bijsturing_id}",
        web::patch().to(patch_bijsturing),
    );
}

#[derive(OpenApi)]
#[openapi(paths(list_bijsturingen, get_bijsturing, post_bijsturing, patch_bijsturing))]
pub struct Api;
