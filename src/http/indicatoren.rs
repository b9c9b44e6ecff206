//! Indicatoren on a doel ("tellen") and their metingen. Revising a
//! streefwaarde is a PATCH that appends `StreefwaardeVastgesteld` (with the
//! previous value), so `GET /indicatoren/{id}/streefwaarden` shows every
//! value ever set. A later meting for the same period supersedes the earlier
//! one; both stay and the list marks the old one `vervangen`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::OpenApi;
use uuid::Uuid;

use super::access::require;
use super::dto::{Pagina, Paging};
use super::invoer::{Invoer, Tekst};
use super::paging;
use super::problem::Problem;
use super::write::{context, etag, service_problem, IfMatch};
use super::AppState;
use crate::access::policy::{Action, Target};
use crate::domain::events::Event;
use crate::domain::indicator::{periode_jaar, IndicatorCommand, Meting, Waarde};
use crate::domain::DomainError;
use crate::service::ServiceError;

pub(crate) mod dto;
mod invoer;
mod query;

use dto::{indicator_dto, indicator_dto_in, meting_dto, IndicatorDto, MetingDto, StreefwaardeDto};
use invoer::{waarden, IndicatorNieuw, IndicatorWijziging, MetingNieuw};
pub(crate) use query::gemeente_param;
use query::{GemeenteQuery, IndicatorQuery, IndicatorenQuery, MetingenQuery};

fn not_found(id: Uuid) -> Problem {
    Problem::not_found(DomainError::not_found("indicator", id).to_string())
}

fn respond(state: &AppState, id: Uuid, status: StatusCode) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    crate::http::write::geschreven(
        status,
        m.indicatoren.get(&id),
        "indicator",
        "indicatoren",
        id,
        |i| indicator_dto(i, &m),
    )
}

// ---------- indicatoren ----------

/// De indicatoren van een doel, op naam.
#[utoipa::path(get, path = "/doelen/{id}/indicatoren", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van het doel"), super::pdca::JaarQuery, GemeenteQuery, Paging, super::peil::PeilQuery),
    responses((status = 200, description = "Een pagina indicatoren", body = Pagina<IndicatorDto>), super::responses::ReadErrors))]
pub async fn list_indicatoren(
    view: super::peil::view::View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<IndicatorenQuery>,
) -> Result<HttpResponse, Problem> {
    let jaar = super::pdca::JaarQuery {
        jaar: q.jaar.clone(),
    }
    .checked()?;
    let q_gemeente = q.gemeente.clone();
    let q = Paging {
        page: q.page,
        page_size: q.page_size,
    };
    let seen = view.read();
    let doel = seen.doel(*id)?;
    let m = seen.model();
    let gemeente = gemeente_param(m, doel.state.agenda_id, q_gemeente.as_deref())?;
    let mut list: Vec<_> = m
        .indicatoren
        .values()
        .filter(|i| i.state.doel_id == *id)
        .collect();
    list.sort_by(|a, b| {
        (a.state.naam.to_lowercase(), a.aangemaakt)
            .cmp(&(b.state.naam.to_lowercase(), b.aangemaakt))
    });
    let now = view.now();
    let items = list
        .into_iter()
        .map(|i| indicator_dto_in(i, m, now, jaar, gemeente.as_deref()))
        .collect();
    paging::respond(&req, &q, items, m.position)
}

/// Eén indicator, met de laatste meting en of ze in het peiljaar op koers ligt; bij metingen per gemeente elke gemeente naast elkaar (perGemeente).
#[utoipa::path(get, path = "/indicatoren/{id}", tag = "Indicatoren", params(("id" = Uuid, Path, description = "Id van de indicator"), super::pdca::JaarQuery, GemeenteQuery, super::peil::PeilQuery),
    responses((status = 200, description = "De indicator; ETag is haar versie", body = IndicatorDto), super::responses::ReadErrors))]
pub async fn get_indicator(
    view: super::peil::view::View,
    id: web::Path<Uuid>,
    q: web::Query<IndicatorQuery>,
) -> Result<HttpResponse, Problem> {
    let jaar = super::pdca::JaarQuery {
        jaar: q.jaar.clone(),
    }
    .checked()?;
    let seen = view.read();
    let i = seen.indicator(*id)?;
    let gemeente = gemeente_param(seen.model(), i.state.agenda_id, q.gemeente.as_deref())?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(i.version)))
        .json(indicator_dto_in(
            i,
            seen.model(),
            view.now(),
            jaar,
            gemeente.as_deref(),
        )))
}

/// Voeg een indicator toe aan een doel.
#[utoipa::path(post, path = "/doelen/{id}/indicatoren", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van het doel"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = IndicatorNieuw,
    responses((status = 201, description = "Aangemaakt", body = IndicatorDto), super::responses::WriteErrors))]
pub async fn post_indicator(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<IndicatorNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Doel(*id)))?;
    let doel_id = *id;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = {
        let m = state.projection.read();
        m.doelen.get(&doel_id).map(|d| d.state.agenda_id)
    };
    let command = IndicatorCommand::Maak {
        id: Uuid::now_v7(),
        doel_id,
        naam: b.naam.into_string(),
        eenheid: b.eenheid.into_string(),
        richting: b.richting,
        bron: b.bron,
        eigenaar_organisatie_id: b.eigenaar_organisatie_id,
        nulmeting: b.nulmeting.map(Waarde::from),
        streefwaarden: waarden(b.streefwaarden),
    };
    let outcome = state.service.execute(ctx, &command).await?;
    respond(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig een indicator (alleen de meegegeven velden) of stel streefwaarden (opnieuw) vast. Een herziene streefwaarde blijft zichtbaar in /indicatoren/{id}/streefwaarden.
#[utoipa::path(patch, path = "/indicatoren/{id}", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van de indicator"), ("If-Match" = String, Header, description = "ETag van de indicator (verplicht)")),
    request_body(content(
        (IndicatorWijziging = "application/merge-patch+json"),
        (IndicatorWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd", body = IndicatorDto), super::responses::WriteErrors))]
pub async fn patch_indicator(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<IndicatorWijziging>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Indicator(*id)))?;
    let id = *id;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = agenda_of(&state, id);
    let command = IndicatorCommand::Wijzig {
        id,
        naam: b.naam.map(Tekst::into_string),
        eenheid: b.eenheid.map(Tekst::into_string),
        richting: b.richting,
        bron: b.bron.into_change(),
        eigenaar_organisatie_id: b.eigenaar_organisatie_id.into_change(),
        nulmeting: b.nulmeting.map(Waarde::from).into_change(),
        streefwaarden: waarden(b.streefwaarden.unwrap_or_default()),
    };
    state.service.execute(ctx, &command).await?;
    respond(&state, id, StatusCode::OK)
}

// ---------- streefwaarde history ----------

/// Elke streefwaarde die ooit is vastgesteld, per jaar oudste eerst (uit het gebeurtenissenlog).
#[utoipa::path(get, path = "/indicatoren/{id}/streefwaarden", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van de indicator"), Paging, super::peil::PeilQuery),
    responses((status = 200, description = "Een pagina streefwaarden", body = Pagina<StreefwaardeDto>), super::responses::ReadErrors))]
pub async fn list_streefwaarden(
    state: web::Data<AppState>,
    view: super::peil::view::View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let position = {
        let seen = view.read();
        seen.indicator(*id)?;
        seen.model().position
    };
    let events = state
        .store
        .read_stream(*id, 1, usize::MAX)
        .map_err(|e| service_problem(ServiceError::Store(e)))?;
    let mut items: Vec<StreefwaardeDto> = Vec::new();
    for e in events.into_iter().filter(|e| e.position <= position) {
        let set: Vec<(Waarde, Option<f64>)> =
            match Event::decode(&e.event_type, e.schema_version, &e.data) {
                Ok(Event::IndicatorAangemaakt(a)) => {
                    a.streefwaarden.into_iter().map(|w| (w, None)).collect()
                }
                Ok(Event::StreefwaardeVastgesteld(s)) => {
                    vec![(s.streefwaarde, s.vorige.map(|v| v.waarde))]
                }
                _ => continue,
            };
        for (w, vorige) in set {
            for earlier in items.iter_mut().filter(|x| x.jaar == w.jaar) {
                earlier.vervangen = true;
            }
            items.push(StreefwaardeDto {
                positie: e.position,
                jaar: w.jaar,
                waarde: w.waarde,
                ondergrens: w.ondergrens,
                bovengrens: w.bovengrens,
                vorige_waarde: vorige,
                vervangen: false,
                toelichting: e.metadata.toelichting.clone(),
                bijsturing_id: e.metadata.bijsturing_id,
                registratie_tijdstip: e.recorded_at,
            });
        }
    }
    items.sort_by_key(|x| (x.jaar, x.positie));
    paging::respond(&req, &q, items, position)
}

// ---------- metingen ----------

/// De metingen van een indicator, nieuwste periode eerst (binnen een periode de laatst geregistreerde eerst); vervangen metingen blijven zichtbaar. Elke meting noemt haar gemeente (leeg: het hele gebied).
#[utoipa::path(get, path = "/indicatoren/{id}/metingen", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van de indicator"), GemeenteQuery, Paging, super::peil::PeilQuery),
    responses((status = 200, description = "Een pagina metingen", body = Pagina<MetingDto>), super::responses::ReadErrors))]
pub async fn list_metingen(
    view: super::peil::view::View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<MetingenQuery>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    let i = seen.indicator(*id)?;
    let m = seen.model();
    let gemeente = gemeente_param(m, i.state.agenda_id, q.gemeente.as_deref())?;
    let gebieden = i.state.gebieden_voor(gemeente.as_deref());
    let q = Paging {
        page: q.page,
        page_size: q.page_size,
    };
    let mut metingen: Vec<&Meting> = i
        .state
        .metingen
        .iter()
        .filter(|x| {
            gemeente.is_none()
                || gebieden.iter().any(|g| match (g, &x.gemeente) {
                    (None, None) => true,
                    (Some(g), Some(x)) => crate::domain::naam::same(g, x),
                    _ => false,
                })
        })
        .collect();
    metingen.sort_by(|a, b| {
        (periode_jaar(&b.periode), &b.periode, b.geregistreerd).cmp(&(
            periode_jaar(&a.periode),
            &a.periode,
            a.geregistreerd,
        ))
    });
    let items = metingen
        .into_iter()
        .map(|x| meting_dto(*id, x, m))
        .collect();
    paging::respond(&req, &q, items, m.position)
}

fn meting_response(
    state: &AppState,
    id: Uuid,
    meting: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    let i = m.indicatoren.get(&id).ok_or_else(|| not_found(id))?;
    let x = i
        .state
        .metingen
        .iter()
        .find(|x| x.id == meting)
        .ok_or_else(|| {
            Problem::not_found(format!("Er is geen meting {meting} bij indicator {id}."))
        })?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(i.version)))
        .insert_header((
            "Location",
            format!("/v1/indicatoren/{id}/metingen/{meting}"),
        ))
        .json(meting_dto(id, x, &m)))
}

/// Eén meting.
#[utoipa::path(get, path = "/indicatoren/{id}/metingen/{metingId}", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van de indicator"), ("metingId" = Uuid, Path, description = "Id van de meting"), super::peil::PeilQuery),
    responses((status = 200, description = "De meting; ETag is de versie van de indicator", body = MetingDto), super::responses::ReadErrors))]
pub async fn get_meting(
    view: super::peil::view::View,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, Problem> {
    let (id, meting) = *path;
    let seen = view.read();
    let i = seen.indicator(id)?;
    let m = seen.model();
    let x = i
        .state
        .metingen
        .iter()
        .find(|x| x.id == meting)
        .ok_or_else(|| {
            Problem::not_found(format!("Er is geen meting {meting} bij indicator {id}."))
        })?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(i.version)))
        .json(meting_dto(id, x, m)))
}

/// Leg een meting vast.
#[utoipa::path(post, path = "/indicatoren/{id}/metingen", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van de indicator"),
        ("If-Match" = Option<String>, Header, description = "ETag van de indicator (optioneel)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel voegt niets toe")),
    request_body = MetingNieuw,
    responses((status = 201, description = "Vastgelegd", body = MetingDto), super::responses::WriteErrors))]
pub async fn post_meting(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<MetingNieuw>,
) -> Result<HttpResponse, Problem> {
    let caller = require(&req, &state, Action::MetingVastleggen(*id))?;
    let id = *id;
    let b = body.waarde;
    let door = crate::access::policy::namens(&caller, b.door_organisatie_id)
        .map_err(super::access::denied)?;
    let mut ctx = context(&caller, &req, &body.json, IfMatch::Optional)?;
    ctx.metadata.agenda_id = agenda_of(&state, id);
    let fresh = Uuid::now_v7();
    let command = IndicatorCommand::LegMetingVast {
        id,
        meting_id: fresh,
        periode: b.periode,
        meet_datum: b.meet_datum.map(|d| d.0),
        waarde: b.waarde,
        status: b.status,
        bron: b.bron,
        toelichting: b.toelichting,
        door_organisatie_id: door,
        gemeente: b.gemeente,
        beperkt_tot: caller.gemeente().map(str::to_owned),
        vandaag: crate::kalender::today(),
    };
    let outcome = state.service.execute(ctx, &command).await?;
    // On an idempotent retry, answer with the meting the first request recorded.
    let meting = if outcome.duplicate {
        recorded_meting(&state, outcome.first_position).unwrap_or(fresh)
    } else {
        fresh
    };
    meting_response(&state, id, meting, StatusCode::CREATED)
}

/// The agenda of an indicator, for the audit metadata of a write.
fn agenda_of(state: &AppState, id: Uuid) -> Option<Uuid> {
    let m = state.projection.read();
    m.indicatoren.get(&id).map(|i| i.state.agenda_id)
}

/// The id of the meting recorded at `position` (an idempotent retry's).
fn recorded_meting(state: &AppState, position: u64) -> Option<Uuid> {
    let e = state.store.event_at(position).ok().flatten()?;
    match Event::decode(&e.event_type, e.schema_version, &e.data) {
        Ok(Event::MetingVastgelegd(m)) => Some(m.meting_id),
        _ => None,
    }
}

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/doelen/{id}/indicatoren", web::get().to(list_indicatoren))
        .route("/doelen/{id}/indicatoren", web::post().to(post_indicator))
        .route("/indicatoren/{id}", web::get().to(get_indicator))
        .route("/indicatoren/{id}", web::patch().to(patch_indicator))
        .route(
            "/indicatoren/{id}/streefwaarden",
            web::get().to(list_streefwaarden),
        )
        .route("/indicatoren/{id}/metingen", web::get().to(list_metingen))
        .route("/indicatoren/{id}/metingen", web::post().to(post_meting))
        .route(
            "/indicatoren/{id}/metingen/{meting_id}",
            web::get().to(get_meting),
        );
}

#[derive(OpenApi)]
#[openapi(paths(
    list_indicatoren,
    post_indicator,
    get_indicator,
    patch_indicator,
    list_streefwaarden,
    list_metingen,
    post_meting,
    get_meting
))]
pub struct Api;
