//! Checkmomenten (PDCA "Check") on an opgave or on the whole agenda:
//! open one, list them, correct date, subject or participants, and close it.
//! The bijsturingen decided at a checkmoment live in `bijsturingen.rs`.
//!
//! Also documents the `X-Bijsturing-Id` header that every write accepts (see
//! [`BijsturingHeader`]).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::checkmoment_dto::{checkmoment_dto, CheckmomentDto};
use super::dto::Pagina;
use super::paging;
use super::problem::{InvalidParam, Problem};
use super::write::{context, etag, service_problem, Body, IfMatch, BIJSTURING_HEADER};
use crate::access::policy::{Action, Target};
use crate::app::AppState;
use crate::domain::checkmoment::{self, Checkmoment};
use crate::domain::events::{CheckmomentGeopend, CheckmomentGewijzigd};
use crate::event_store::ExpectedVersion;
use crate::projections::{Entity, ReadModel};
use crate::service::{ServiceError, StreamEvents};

pub fn checkmoment_not_found(id: Uuid) -> String {
    format!("Er is geen checkmoment met id {id}.")
}

fn checkmoment_response(
    state: &AppState,
    id: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    let c = m
        .checkmomenten
        .get(&id)
        .ok_or_else(|| Problem::not_found(checkmoment_not_found(id)))?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(c.version)))
        .insert_header(("Location", format!("/v1/checkmomenten/{id}")))
        .json(checkmoment_dto(c, &m)))
}

/// Reads `deelnemers`: known organisaties.
fn deelnemers_field(b: &mut Body, m: &ReadModel) -> Option<Vec<Uuid>> {
    let raw = b.get_raw("deelnemers");
    let ids = b.uuids("deelnemers")?;
    // Index by the position in the request (malformed entries are reported by `uuids`).
    let given = raw.and_then(|v| v.as_array()).into_iter().flatten();
    for (i, id) in given.enumerate() {
        let Some(id) = id.as_str().and_then(|s| Uuid::parse_str(s).ok()) else {
            continue;
        };
        if !m.organisaties.contains_key(&id) {
            b.error(
                &format!("deelnemers[{i}]"),
                "unknown-organisatie",
                format!("Er is geen organisatie met id {id}; deelnemers zijn organisaties."),
            );
        }
    }
    Some(ids)
}

fn period_check(b: &mut Body, m: &ReadModel, agenda_id: Uuid, datum: Option<NaiveDate>) {
    let Some(agenda) = m.agendas.get(&agenda_id) else {
        return;
    };
    if let Some(d) = datum.filter(|d| !agenda.state.covers(*d)) {
        b.error(
            "datum",
            "outside-period",
            format!(
                "{d} ligt buiten de periode van de agenda ({} t/m {}).",
                agenda.state.periode_start, agenda.state.periode_eind
            ),
        );
    }
}

// ---------- listing ----------

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CheckmomentenQuery {
    /// Alleen open of alleen gesloten checkmomenten.
    #[param(example = "open")]
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
                "invalid-value",
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

/// Body to open a checkmoment, or (PATCH) to correct or close one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct CheckmomentIn {
    /// Datum van het checkmoment, binnen de periode van de agenda. Verplicht bij openen. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[schema(example = "2024-06-15")]
    datum: Option<NaiveDate>,
    /// Verplicht bij openen.
    #[schema(example = "Halfjaarlijkse check bestaanszekerheid")]
    onderwerp: Option<String>,
    /// Id's van de deelnemende organisaties (de hele lijst; nooit personen).
    deelnemers: Option<Vec<Uuid>>,
    /// Alleen bij wijzigen: gesloten sluit het checkmoment (heropenen kan niet).
    #[schema(example = "gesloten")]
    status: Option<String>,
    /// Alleen bij sluiten: wanneer (standaard vandaag; niet vóór de datum). Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    gesloten_datum: Option<NaiveDate>,
    /// Alleen bij sluiten: korte samenvatting van de uitkomst.
    samenvatting: Option<String>,
    toelichting: Option<String>,
}

async fn open(
    state: &AppState,
    req: &HttpRequest,
    body: &Value,
    agenda_id: Uuid,
    opgave_id: Option<Uuid>,
) -> Result<HttpResponse, Problem> {
    let mut b = Body::new(body, &["datum", "onderwerp", "deelnemers", "toelichting"]);
    let datum = b.date("datum");
    if datum.is_none() && !b.has_error("datum") {
        b.error(
            "datum",
            "required",
            "Veld 'datum' is verplicht (JJJJ-MM-DD).",
        );
    }
    let onderwerp = b.string("onderwerp", true);
    b.string("toelichting", false);
    let deelnemers = {
        let m = state.projection.read();
        period_check(&mut b, &m, agenda_id, datum);
        deelnemers_field(&mut b, &m).unwrap_or_default()
    };
    b.finish()?;
    let mut ctx = context(req, body, IfMatch::Optional)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let event = CheckmomentGeopend {
        agenda_id,
        opgave_id,
        datum: datum.expect("validated"),
        onderwerp: onderwerp.unwrap_or_default().trim().to_owned(),
        deelnemers,
    };
    let outcome = state
        .service
        .structural(ctx, |_| {
            Ok(vec![StreamEvents {
                stream_id: Uuid::now_v7(),
                expected: ExpectedVersion::NoStream,
                events: checkmoment::open(event)?,
            }])
        })
        .await
        .map_err(service_problem)?;
    checkmoment_response(state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Open een checkmoment (PDCA "Check") op een opgave. De opgave staat daarna in de fase Check tot het gesloten is.
#[utoipa::path(post, path = "/opgaven/{id}/checkmomenten", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van de opgave"),
        ("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel maakt niets nieuws aan")),
    request_body = CheckmomentIn,
    responses((status = 201, description = "Geopend", body = CheckmomentDto), super::responses::WriteErrors))]
pub async fn post_opgave_checkmoment(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Opgave(*id)))?;
    let agenda = state
        .projection
        .read()
        .opgaven
        .get(&id)
        .map(|o| o.state.agenda_id);
    let agenda =
        agenda.ok_or_else(|| Problem::not_found(format!("Er is geen opgave met id {id}.")))?;
    open(&state, &req, &body, agenda, Some(*id)).await
}

/// Open een checkmoment over de hele agenda. Alle opgaven staan daarna in de fase Check tot het gesloten is.
#[utoipa::path(post, path = "/agendas/{id}/checkmomenten", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van de agenda"),
        ("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel maakt niets nieuws aan")),
    request_body = CheckmomentIn,
    responses((status = 201, description = "Geopend", body = CheckmomentDto), super::responses::WriteErrors))]
pub async fn post_agenda_checkmoment(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Agenda(*id)))?;
    if !state.projection.read().agendas.contains_key(&id) {
        return Err(Problem::not_found(format!(
            "Er is geen agenda met id {id}."
        )));
    }
    open(&state, &req, &body, *id, None).await
}

// ---------- correcting and closing ----------

/// Wijzig datum, onderwerp of deelnemers van een checkmoment, of sluit het (`status: gesloten`).
#[utoipa::path(patch, path = "/checkmomenten/{id}", tag = "PDCA",
    params(("id" = Uuid, Path, description = "Id van het checkmoment"),
        ("If-Match" = String, Header, description = "ETag van het checkmoment (verplicht)")),
    request_body = CheckmomentIn,
    responses((status = 200, description = "Gewijzigd of gesloten", body = CheckmomentDto), super::responses::WriteErrors))]
pub async fn patch_checkmoment(
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
            "datum",
            "onderwerp",
            "deelnemers",
            "status",
            "geslotenDatum",
            "samenvatting",
            "toelichting",
        ],
    );
    let mut change = CheckmomentGewijzigd {
        datum: b.date("datum"),
        onderwerp: b.string("onderwerp", false),
        deelnemers: None,
    };
    let sluiten = b.choice("status", false, &[("open", false), ("gesloten", true)]);
    let gesloten_datum = b.date("geslotenDatum");
    let samenvatting = b.string("samenvatting", false);
    b.string("toelichting", false);
    if sluiten != Some(true) {
        for name in ["geslotenDatum", "samenvatting"] {
            if b.has(name) {
                b.error(
                    name,
                    "requires-closing",
                    format!("'{name}' hoort bij sluiten; stuur ook status: gesloten."),
                );
            }
        }
    }
    let agenda_id = {
        let m = state.projection.read();
        let c = m
            .checkmomenten
            .get(&id)
            .ok_or_else(|| Problem::not_found(checkmoment_not_found(id)))?;
        period_check(&mut b, &m, c.state.agenda_id, change.datum);
        change.deelnemers = deelnemers_field(&mut b, &m);
        c.state.agenda_id
    };
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Required)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let today = Utc::now().date_naive();
    state
        .service
        .update(id, ctx, |m| {
            let c = m
                .checkmomenten
                .get(&id)
                .ok_or_else(|| ServiceError::NotFound(checkmoment_not_found(id)))?;
            let mut events = c.state.change(change.clone())?;
            match sluiten {
                Some(true) => {
                    let mut after = c.state.clone();
                    events.iter().for_each(|e| after.apply(e));
                    events.extend(after.close(
                        gesloten_datum.unwrap_or(today),
                        samenvatting.clone().map(|s| s.trim().to_owned()),
                    )?);
                }
                Some(false) if !c.state.is_open() => {
                    return Err(ServiceError::Domain(crate::domain::DomainError::conflict(
                        "checkmoment-gesloten",
                        "Een gesloten checkmoment kan niet heropend worden; open een nieuw checkmoment.",
                    )))
                }
                _ => {}
            }
            Ok((c.version, events))
        })
        .await
        .map_err(service_problem)?;
    checkmoment_response(&state, id, StatusCode::OK)
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
