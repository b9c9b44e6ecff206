//! `/organisaties`: the gemeente, partner organisations and networks.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::dto::{OrganisatieDto, Pagina, Paging};
use super::paging;
use super::peil::view::View;
use super::peil::PeilQuery;
use super::problem::Problem;
use super::write::{context, etag, service_problem, Body, IfMatch};
use crate::access::policy::Action;
use crate::app::AppState;
use crate::domain::events::{OrganisatieGeregistreerd, OrganisatieGewijzigd};
use crate::domain::organisatie::{self, OrganisatieSoort};
use crate::domain::{naam, DomainError};
use crate::event_store::ExpectedVersion;
use crate::projections::ReadModel;
use crate::service::{ServiceError, StreamEvents};

pub const SOORTEN: [(&str, OrganisatieSoort); 15] = [
    ("gemeente", OrganisatieSoort::Gemeente),
    ("overheid", OrganisatieSoort::Overheid),
    ("welzijn", OrganisatieSoort::Welzijn),
    ("zorg", OrganisatieSoort::Zorg),
    ("jeugdbescherming", OrganisatieSoort::Jeugdbescherming),
    ("onderwijs", OrganisatieSoort::Onderwijs),
    ("kinderopvang", OrganisatieSoort::Kinderopvang),
    ("sport", OrganisatieSoort::Sport),
    ("cultuur", OrganisatieSoort::Cultuur),
    ("bibliotheek", OrganisatieSoort::Bibliotheek),
    ("woningcorporatie", OrganisatieSoort::Woningcorporatie),
    ("inwonersgroep", OrganisatieSoort::Inwonersgroep),
    (
        "samenwerkingsverband",
        OrganisatieSoort::Samenwerkingsverband,
    ),
    ("bedrijf", OrganisatieSoort::Bedrijf),
    ("overig", OrganisatieSoort::Overig),
];

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganisatiesQuery {
    /// Alleen organisaties waarvan de naam dit bevat (hoofdletterongevoelig).
    pub naam: Option<String>,
    pub page: Option<u32>,
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
    let o = model
        .organisaties
        .get(&id)
        .ok_or_else(|| Problem::not_found(format!("Er is geen organisatie met id {id}.")))?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(o.version)))
        .insert_header(("Location", format!("/v1/organisaties/{id}")))
        .json(OrganisatieDto::from(o)))
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
        .ok_or_else(|| view.not_found(format!("Er is geen organisatie met id {id}."), *id))?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(o.version)))
        .json(OrganisatieDto::from(o)))
}

/// Body to register or change an organisatie.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct OrganisatieIn {
    #[schema(example = "Stichting Welzijn Twenterand")]
    naam: Option<String>,
    /// gemeente, overheid, welzijn, zorg, jeugdbescherming, onderwijs, kinderopvang, sport, cultuur, bibliotheek, woningcorporatie, inwonersgroep, samenwerkingsverband, bedrijf of overig.
    #[schema(example = "welzijn")]
    soort: Option<String>,
    /// Een functioneel adres (info@, mag@), nooit dat van een persoon.
    contactadres: Option<String>,
    toelichting: Option<String>,
}

const FIELDS: &[&str] = &["naam", "soort", "contactadres", "toelichting"];

fn contactadres(b: &mut Body) -> Option<String> {
    let adres = b.string("contactadres", false)?;
    if !adres.contains('@') {
        b.error(
            "contactadres",
            "invalid-email",
            "Geef een e-mailadres, bijv. info@organisatie.nl.",
        );
    }
    Some(adres)
}

/// Names are unique: the same after [`naam::normalise`] (invisible
/// characters, spaces, Unicode composition), ignoring case; `own` is the
/// organisatie being renamed.
fn naam_taken(m: &ReadModel, naam: &str, own: Option<Uuid>) -> Option<DomainError> {
    m.organisaties
        .values()
        .any(|o| Some(o.id) != own && naam::same(&o.state.naam, naam))
        .then(|| {
            DomainError::invalid(
                "naam",
                "duplicate",
                format!("Er is al een organisatie met de naam {naam:?}."),
            )
        })
}

/// Registreer een organisatie.
#[utoipa::path(post, path = "/organisaties", tag = "Organisaties",
    params(("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel maakt niets nieuws aan")),
    request_body = OrganisatieIn,
    responses((status = 201, description = "Geregistreerd", body = OrganisatieDto), super::responses::WriteErrors))]
pub async fn post_organisatie(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::OrganisatiesBeheren)?;
    let mut b = Body::new(&body, FIELDS);
    let naam = b.string("naam", true);
    let soort = b.choice("soort", true, &SOORTEN);
    let contactadres = contactadres(&mut b);
    b.string("toelichting", false);
    b.finish()?;
    let ctx = context(&req, &body, IfMatch::Optional)?;
    let event = OrganisatieGeregistreerd {
        naam: naam::normalise(&naam.unwrap_or_default()),
        soort: soort.expect("validated"),
        contactadres,
    };
    let id = Uuid::now_v7();
    let outcome = state
        .service
        .structural(ctx, |m| {
            // Checked under the structure lock, after an idempotent retry was recognised.
            if let Some(taken) = naam_taken(m, &event.naam, None) {
                return Err(taken.into());
            }
            Ok(vec![StreamEvents {
                stream_id: id,
                expected: ExpectedVersion::NoStream,
                events: organisatie::register(event)?,
            }])
        })
        .await
        .map_err(service_problem)?;
    respond(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig een organisatie (alleen de meegegeven velden).
#[utoipa::path(patch, path = "/organisaties/{id}", tag = "Organisaties",
    params(("id" = Uuid, Path, description = "Id van de organisatie"),
        ("If-Match" = String, Header, description = "ETag van de organisatie (verplicht)")),
    request_body = OrganisatieIn,
    responses((status = 200, description = "Gewijzigd", body = OrganisatieDto), super::responses::WriteErrors))]
pub async fn patch_organisatie(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::OrganisatiesBeheren)?;
    let id = *id;
    let mut b = Body::new(&body, FIELDS);
    let change = OrganisatieGewijzigd {
        naam: b.string("naam", false).map(|n| naam::normalise(&n)),
        soort: b.choice("soort", false, &SOORTEN),
        contactadres: if body.get("contactadres").is_some() {
            Some(contactadres(&mut b))
        } else {
            None
        },
    };
    b.string("toelichting", false);
    if let Some(DomainError::Invalid(taken)) = change
        .naam
        .as_deref()
        .and_then(|n| naam_taken(&state.projection.read(), n, Some(id)))
    {
        b.error("naam", taken[0].code, taken[0].message.clone());
    }
    b.finish()?;
    let ctx = context(&req, &body, IfMatch::Required)?;
    state
        .service
        .update(id, ctx, |model| {
            let o = model.organisaties.get(&id).ok_or_else(|| {
                ServiceError::NotFound(format!("Er is geen organisatie met id {id}."))
            })?;
            Ok((o.version, o.state.update(change.clone())?))
        })
        .await
        .map_err(service_problem)?;
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
