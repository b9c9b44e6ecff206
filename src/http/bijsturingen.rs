//! Bijsturingen (PDCA "Act"): decisions with a rationale, recorded at a
//! checkmoment, listing the changes they intend. The changes themselves are
//! ordinary writes sent with header `X-Bijsturing-Id`; when they are in, the
//! bijsturing is marked doorgevoerd with
//! `PATCH /checkmomenten/{id}/bijsturingen/{bijsturingId}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::checkmoment_dto::{bijsturing_dto, BijsturingDto, VoorgenomenWijzigingDto};
use super::checkmomenten::checkmoment_not_found;
use super::dto::{Pagina, Paging};
use super::paging;
use super::problem::Problem;
use super::write::{context, etag, service_problem, Body, IfMatch};
use crate::access::policy::{Action, Target};
use crate::app::AppState;
use crate::domain::checkmoment::{VoorgenomenWijziging, WijzigingSoort};
use crate::domain::events::{BijsturingVastgelegd, Event};
use crate::projections::ReadModel;
use crate::service::ServiceError;

const SOORTEN: [(&str, WijzigingSoort); 7] = [
    ("actieToevoegen", WijzigingSoort::ActieToevoegen),
    ("actieLatenVervallen", WijzigingSoort::ActieLatenVervallen),
    ("actieWijzigen", WijzigingSoort::ActieWijzigen),
    ("trekkerWijzigen", WijzigingSoort::TrekkerWijzigen),
    (
        "streefwaardeBijstellen",
        WijzigingSoort::StreefwaardeBijstellen,
    ),
    ("doelWijzigen", WijzigingSoort::DoelWijzigen),
    ("overig", WijzigingSoort::Overig),
];

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
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct BijsturingIn {
    #[schema(example = "Taalcafés krijgen een andere trekker")]
    besluit: String,
    /// Waarom wordt bijgestuurd?
    #[schema(example = "De gemeente heeft geen capaciteit; de bibliotheek wel.")]
    onderbouwing: String,
    /// Datum van het besluit (standaard vandaag; niet vóór het checkmoment). Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    datum: Option<NaiveDate>,
    /// Wat het besluit wijzigt. De wijzigingen zelf zijn gewone schrijfacties met header X-Bijsturing-Id.
    voorgenomen_wijzigingen: Option<Vec<VoorgenomenWijzigingDto>>,
    toelichting: Option<String>,
}

/// Reads `voorgenomenWijzigingen`; each `onderwerpId` must be an actie, doel,
/// opgave or indicator of the agenda.
fn wijzigingen_field(b: &mut Body, m: &ReadModel, agenda_id: Uuid) -> Vec<VoorgenomenWijziging> {
    let Some(raw) = b.get_raw("voorgenomenWijzigingen") else {
        return Vec::new();
    };
    let Some(items) = raw.as_array() else {
        b.error(
            "voorgenomenWijzigingen",
            "invalid-type",
            "Een lijst van {soort, omschrijving, onderwerpId}.",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut w = Body::new(item, &["soort", "omschrijving", "onderwerpId"]);
        let soort = w.choice("soort", true, &SOORTEN);
        let omschrijving = w.string("omschrijving", true);
        let onderwerp = w.uuid("onderwerpId", false);
        if let Some(id) = onderwerp {
            let in_agenda = m
                .opgave_of_subject(id)
                .and_then(|o| m.opgaven.get(&o))
                .is_some_and(|o| o.state.agenda_id == agenda_id);
            if !in_agenda {
                w.error(
                    "onderwerpId",
                    "unknown-onderwerp",
                    format!("{id} is geen actie, doel, opgave of indicator van deze agenda."),
                );
            }
        }
        b.absorb(&format!("voorgenomenWijzigingen[{i}]"), w);
        if let (Some(soort), Some(omschrijving)) = (soort, omschrijving) {
            out.push(VoorgenomenWijziging {
                soort,
                omschrijving: omschrijving.trim().to_owned(),
                onderwerp_id: onderwerp,
            });
        }
    }
    out
}

/// Leg een bijsturing (PDCA "Act") vast bij een checkmoment. De betrokken opgaven staan in de fase Act tot ze is doorgevoerd.
#[utoipa::path(post, path = "/checkmomenten/{id}/bijsturingen", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van het checkmoment"),
        ("If-Match" = Option<String>, Header, description = "ETag van het checkmoment (optioneel)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel voegt niets toe")),
    request_body = BijsturingIn,
    responses((status = 201, description = "Vastgelegd", body = BijsturingDto), super::responses::WriteErrors))]
pub async fn post_bijsturing(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Checkmoment(*id)))?;
    let id = *id;
    let mut b = Body::new(
        &body,
        &[
            "besluit",
            "onderbouwing",
            "datum",
            "voorgenomenWijzigingen",
            "toelichting",
        ],
    );
    let besluit = b.string("besluit", true);
    let onderbouwing = b.string("onderbouwing", true);
    let datum = b.date("datum");
    b.string("toelichting", false);
    let (agenda_id, wijzigingen, datum) = {
        let m = state.projection.read();
        let c = m
            .checkmomenten
            .get(&id)
            .ok_or_else(|| Problem::not_found(checkmoment_not_found(id)))?;
        let wijzigingen = wijzigingen_field(&mut b, &m, c.state.agenda_id);
        let datum = datum.unwrap_or_else(|| Utc::now().date_naive().max(c.state.datum));
        if datum < c.state.datum {
            b.error(
                "datum",
                "before-checkmoment",
                format!(
                    "Een bijsturing wordt op of na het checkmoment ({}) besloten.",
                    c.state.datum
                ),
            );
        }
        (c.state.agenda_id, wijzigingen, datum)
    };
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Optional)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let event = BijsturingVastgelegd {
        bijsturing_id: Uuid::now_v7(),
        besluit: besluit.unwrap_or_default().trim().to_owned(),
        onderbouwing: onderbouwing.unwrap_or_default().trim().to_owned(),
        datum,
        voorgenomen_wijzigingen: wijzigingen,
    };
    let mut bijsturing = event.bijsturing_id;
    let outcome = state
        .service
        .update(id, ctx, |m| {
            let c = m
                .checkmomenten
                .get(&id)
                .ok_or_else(|| ServiceError::NotFound(checkmoment_not_found(id)))?;
            Ok((c.version, c.state.decide(event.clone())?))
        })
        .await
        .map_err(service_problem)?;
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
    bijsturing_response(&state, id, bijsturing, StatusCode::CREATED)
}

/// Body to mark a bijsturing doorgevoerd.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct BijsturingWijziging {
    /// true: de wijzigingen van deze bijsturing zijn doorgevoerd (kan niet terug naar false).
    doorgevoerd: bool,
    /// Wanneer (standaard vandaag; niet vóór het besluit). Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    doorgevoerd_datum: Option<NaiveDate>,
    toelichting: Option<String>,
}

/// Markeer een bijsturing als doorgevoerd: haar wijzigingen zijn verwerkt. De opgave verlaat daarmee de fase Act.
#[utoipa::path(patch, path = "/checkmomenten/{id}/bijsturingen/{bijsturingId}", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van het checkmoment"), ("bijsturingId" = Uuid, Path, description = "Id van de bijsturing"),
        ("If-Match" = String, Header, description = "ETag van het checkmoment (verplicht)")),
    request_body = BijsturingWijziging,
    responses((status = 200, description = "Doorgevoerd", body = BijsturingDto), super::responses::WriteErrors))]
pub async fn patch_bijsturing(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Checkmoment(path.0)))?;
    let (id, bijsturing) = *path;
    let mut b = Body::new(&body, &["doorgevoerd", "doorgevoerdDatum", "toelichting"]);
    match b.bool("doorgevoerd") {
        Some(true) => {}
        Some(false) => b.error(
            "doorgevoerd",
            "invalid-value",
            "Een doorgevoerde bijsturing kan niet terug; leg anders een nieuwe bijsturing vast.",
        ),
        None if !b.has_error("doorgevoerd") => b.error(
            "doorgevoerd",
            "required",
            "Stuur doorgevoerd: true als de wijzigingen van deze bijsturing zijn verwerkt.",
        ),
        None => {}
    }
    let datum = b.date("doorgevoerdDatum");
    b.string("toelichting", false);
    b.finish()?;
    let (agenda_id, datum) = {
        let m = state.projection.read();
        let c = m
            .checkmomenten
            .get(&id)
            .ok_or_else(|| Problem::not_found(checkmoment_not_found(id)))?;
        let besluit = c.state.bijsturingen.iter().find(|x| x.id == bijsturing);
        let Some(besluit) = besluit else {
            return Err(Problem::not_found(format!(
                "Er is geen bijsturing {bijsturing} bij checkmoment {id}."
            )));
        };
        let today = Utc::now().date_naive().max(besluit.datum);
        (c.state.agenda_id, datum.unwrap_or(today))
    };
    let mut ctx = context(&req, &body, IfMatch::Required)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    state
        .service
        .update(id, ctx, |m| {
            let c = m
                .checkmomenten
                .get(&id)
                .ok_or_else(|| ServiceError::NotFound(checkmoment_not_found(id)))?;
            Ok((c.version, c.state.complete(bijsturing, datum)?))
        })
        .await
        .map_err(service_problem)?;
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
