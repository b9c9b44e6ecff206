//! `/agendas/{id}/acties`, `/acties/{id}`, `/acties/{id}/statuswijzigingen`,
//! `PUT /acties/{id}/trekker`.

use actix_web::http::header::ContentType;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::OpenApi;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::dto::{ActieDto, Pagina, Paging};
use super::gemeente::GemeenteQuery;
use super::invoer::{Datum, Invoer};
use super::paging;
use super::peil::view::View;
use super::peil::PeilQuery;
use super::problem::Problem;
use super::write::{context, etag, IfMatch};
use crate::access::policy::Action;
use crate::domain::actie::{ActieCommand, ActieStatus, Kenmerk, Trekker};
use crate::domain::gemeente::hoort_bij;
use crate::domain::zoeken::Zoekvraag;
use crate::domain::Foutcode;
use crate::http::AppState;

mod trekker;
pub use trekker::{TrekkerNieuw, TrekkerToewijzing};

const STATUSES: [(&str, ActieStatus); 5] = [
    ("gepland", ActieStatus::Gepland),
    ("lopend", ActieStatus::Lopend),
    ("gepauzeerd", ActieStatus::Gepauzeerd),
    ("afgerond", ActieStatus::Afgerond),
    ("vervallen", ActieStatus::Vervallen),
];

/// Not closed: `?gemeente=` is read by [`GemeenteQuery`] beside it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ActiesQuery {
    /// Alleen acties met deze status.
    #[param(value_type = Option<crate::domain::actie::ActieStatus>, example = "lopend")]
    pub status: Option<String>,
    /// Alleen acties zonder trekker (trekkersrol nog in te vullen).
    pub zonder_trekker: Option<bool>,
    /// Alleen acties van deze trekker (organisatie-id).
    pub trekker: Option<Uuid>,
    /// Alleen acties van dit jaar.
    pub jaar: Option<i32>,
    /// Alleen acties onder de opgave met deze weergavecode.
    #[param(example = "1.1")]
    pub opgave: Option<String>,
    /// De actie met dit kenmerk (uniek in de agenda): een code met een volgnummer (1.1.3-2) of alleen een volgnummer (7).
    #[param(
        example = "1.1.3-2",
        pattern = r"^([0-9A-Za-z]{1,4}(\.[0-9A-Za-z]{1,4}){0,11}-)?[1-9][0-9]{0,8}$"
    )]
    pub kenmerk: Option<String>,
    /// Woorden die alle in de omschrijving moeten voorkomen; hoofdletters
    /// en accenten tellen niet ("cafe" vindt "Taalcafé").
    #[param(example = "taalcafe kern", min_length = 1, pattern = r"\S")]
    pub zoek: Option<String>,
    /// Paginanummer, vanaf 1.
    #[param(minimum = 1, example = 1)]
    pub page: Option<u32>,
    /// Aantal per pagina (standaard 20, maximaal 500).
    #[param(minimum = 1, maximum = 500, example = 20)]
    pub page_size: Option<u32>,
}

/// Acties van een agenda, gefilterd.
#[utoipa::path(get, path = "/agendas/{id}/acties", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de agenda"), ActiesQuery, GemeenteQuery, PeilQuery),
    responses(
        (status = 200, description = "Een pagina acties, op code van opgave/doel", body = Pagina<ActieDto>),
        (status = 400, description = "Ongeldige parameters", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Onbekende agenda", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_acties(
    view: View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<ActiesQuery>,
    g: web::Query<GemeenteQuery>,
) -> Result<HttpResponse, Problem> {
    let status = match &q.status {
        None => None,
        Some(raw) => Some(STATUSES.iter().find(|(k, _)| k == raw).map(|(_, s)| *s).ok_or_else(|| {
            Problem::invalid(vec![super::InvalidParam::new("query.status", Foutcode::InvalidValue, format!("'{raw}' is geen status; kies uit gepland, lopend, gepauzeerd, afgerond, vervallen."))])
        })?),
    };
    let (kenmerk, zoek) = search_params(&q)?;
    let seen = view.read();
    let gemeente = g.van(&seen.agenda(*id)?.state)?;
    let model = seen.model();
    let mut items: Vec<ActieDto> = model
        .acties
        .values()
        .filter(|a| a.state.agenda_id == *id)
        .filter(|a| {
            gemeente
                .as_deref()
                .is_none_or(|g| hoort_bij(&a.state.gemeenten, g))
        })
        .filter(|a| kenmerk.as_ref().is_none_or(|k| a.state.kenmerk == *k))
        .filter(|a| {
            zoek.as_ref()
                .is_none_or(|z| z.matches(&a.state.omschrijving))
        })
        .filter(|a| status.is_none_or(|s| a.state.status == s))
        .filter(|a| {
            q.zonder_trekker
                .is_none_or(|z| a.state.trekker.is_none() == z)
        })
        .filter(|a| {
            q.trekker
                .is_none_or(|t| a.state.trekker == Some(Trekker::Organisatie { organisatie_id: t }))
        })
        .filter(|a| q.jaar.is_none_or(|j| a.state.jaar == j))
        .map(|a| ActieDto::from(a, model))
        .filter(|a| {
            q.opgave.as_ref().is_none_or(|c| {
                a.opgave_code
                    .as_deref()
                    .is_some_and(|o| o.eq_ignore_ascii_case(c))
            })
        })
        .collect();
    items.sort_by(|a, b| {
        let key = |x: &ActieDto| {
            let code = x.doel_code.as_deref().or(x.opgave_code.as_deref());
            (
                code.is_none(),
                code.map(crate::domain::code::sort_key).unwrap_or_default(),
                x.id,
            )
        };
        key(a).cmp(&key(b))
    });
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

/// `?kenmerk=` and `?zoek=` parsed; a malformed one is a 400 naming it.
fn search_params(q: &ActiesQuery) -> Result<(Option<Kenmerk>, Option<Zoekvraag>), Problem> {
    let mut problems = Vec::new();
    let kenmerk = q.kenmerk.as_deref().and_then(|raw| {
        Kenmerk::parse(raw)
            .map_err(|reason| {
                problems.push(super::InvalidParam::new(
                    "query.kenmerk",
                    Foutcode::InvalidKenmerk,
                    reason,
                ))
            })
            .ok()
    });
    let zoek = q.zoek.as_deref().and_then(|raw| {
        let z = Zoekvraag::parse(raw);
        if z.is_none() {
            problems.push(super::InvalidParam::new(
                "query.zoek",
                Foutcode::Required,
                "Geef minstens één woord om op te zoeken.",
            ));
        }
        z
    });
    if problems.is_empty() {
        Ok((kenmerk, zoek))
    } else {
        Err(Problem::invalid(problems))
    }
}

/// The actie as it is after a write: rendered afresh from the live model
/// (and kept in the [`super::ActieCache`] for the reads that follow).
pub(super) fn actie_response(
    state: &AppState,
    id: Uuid,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, Problem> {
    let model = state.projection.read();
    let a = model
        .acties
        .get(&id)
        .ok_or_else(|| Problem::not_found(crate::domain::niet_gevonden("actie", id)))?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(a.version)))
        .insert_header(("Location", format!("/v1/acties/{id}")))
        .content_type(ContentType::json())
        .body(state.actie_cache.refresh(&model, a)))
}

/// Eén actie.
#[utoipa::path(get, path = "/acties/{id}", tag = "Acties", params(("id" = Uuid, Path, description = "Id van de actie"), PeilQuery),
    responses(
        (status = 200, description = "De actie; ETag is haar versie", body = ActieDto),
        (status = 400, description = "Ongeldig id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Onbekende actie", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_actie(view: View, id: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    let a = seen.actie(*id)?;
    let model = seen.model();
    // The live model's rendering is cached per actie while nothing it
    // reads changed (see `ReadModel::actie_stamp`); a past one is rendered.
    let body = if view.is_past() {
        super::actie_cache::render(model, a)
    } else {
        view.state().actie_cache.body(model, a)
    };
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(a.version)))
        .content_type(ContentType::json())
        .body(body))
}

/// Body of a statuswijziging.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatuswijzigingNieuw {
    /// De nieuwe status.
    #[schema(example = "lopend")]
    status: ActieStatus,
    /// Wanneer de wijziging inging (standaard vandaag). Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[schema(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    ingangs_datum: Option<Datum>,
    /// Verplicht bij vervallen en heropenen.
    reden: Option<String>,
    /// Toelichting voor de audittrail (of header X-Audit-Toelichting).
    toelichting: Option<String>,
}

/// Wijzig de status van een actie.
#[utoipa::path(post, path = "/acties/{id}/statuswijzigingen", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de actie"),
        ("If-Match" = Option<String>, Header, description = "ETag van de actie; 412 als die verouderd is"),
        ("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel voegt niets toe")),
    request_body = StatuswijzigingNieuw,
    responses(
        (status = 201, description = "Status gewijzigd; de actie zoals ze nu is", body = ActieDto),
        super::responses::WriteErrors,
    ))]
pub async fn post_statuswijziging(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<StatuswijzigingNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::StatusWijzigen(*id))?;
    let b = body.waarde;
    let ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    let command = ActieCommand::WijzigStatus {
        id: *id,
        naar: b.status,
        ingangs_datum: b.ingangs_datum.map_or_else(crate::kalender::today, |d| d.0),
        reden: b.reden,
    };
    state.service.execute(ctx, &command).await?;
    actie_response(&state, *id, actix_web::http::StatusCode::CREATED)
}

/// Wijs de trekker van een actie toe (of maak de rol leeg).
#[utoipa::path(put, path = "/acties/{id}/trekker", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de actie"),
        ("If-Match" = String, Header, description = "ETag van de actie (verplicht; 428 zonder)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel voegt niets toe")),
    request_body = TrekkerToewijzing,
    responses(
        (status = 200, description = "Trekker gewijzigd; de actie zoals ze nu is", body = ActieDto),
        super::responses::WriteErrors,
    ))]
pub async fn put_trekker(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<TrekkerToewijzing>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::TrekkerToewijzen(*id))?;
    let (trekker, toelichting) = body.waarde.into_parts();
    let ctx = context(&bevoegd, &req, &body.json, IfMatch::Required)?.met_toelichting(toelichting);
    let command = ActieCommand::WijsTrekkerToe { id: *id, trekker };
    state.service.execute(ctx, &command).await?;
    actie_response(&state, *id, actix_web::http::StatusCode::OK)
}

#[derive(OpenApi)]
#[openapi(paths(list_acties, get_actie, post_statuswijziging, put_trekker))]
pub struct Api;

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/agendas/{id}/acties", web::get().to(list_acties))
        .route("/acties/{id}", web::get().to(get_actie))
        .route(
            "/acties/{id}/statuswijzigingen",
            web::post().to(post_statuswijziging),
        )
        .route("/acties/{id}/trekker", web::put().to(put_trekker));
}
