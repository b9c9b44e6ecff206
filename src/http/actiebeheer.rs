//! Creating and editing acties, their voortgangsberichten, and the history of
//! their status changes. Each write reads a typed body ([`Invoer`]), builds
//! an [`ActieCommand`] and lets the service execute it; the rules are the
//! domain's (`crate::domain::actie::command`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::access::{require, Bevoegd};
use super::dto::{ActieDto, Pagina, Paging};
use super::invoer::{Datum, Invoer, Patch, Tekst};
use super::paging;
use super::peil::view::View;
use super::peil::PeilQuery;
use super::problem::Problem;
use super::write::{context, service_problem, IfMatch};
use crate::access::policy::{Action, Target};
use crate::domain::actie::{
    ActieCommand, ActieWijziging as Wijziging, NieuweActie, Ouder, Trekker,
};
use crate::domain::events::Event;
use crate::http::AppState;
use crate::service::ServiceError;

use super::acties::{actie_response, TrekkerNieuw};

mod voortgang;
use voortgang::{get_bericht, list_voortgang, patch_voortgang, post_voortgang};

/// Body to create an actie (under an opgave or a doel).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActieNieuw {
    #[schema(example = "De bibliotheek organiseert vier taalcafés per kern.")]
    omschrijving: Tekst,
    /// Standaard het beginjaar van de agenda.
    #[schema(minimum = 1900, maximum = 2200, example = 2024)]
    jaar: Option<i32>,
    /// Binnen de periode van de agenda. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[schema(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    geplande_start_datum: Option<Datum>,
    /// Binnen de periode van de agenda, niet vóór de startdatum. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[schema(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    geplande_eind_datum: Option<Datum>,
    /// Daarna via PUT /acties/{id}/trekker. Weglaten: trekkersrol nog in te vullen.
    #[schema(nullable = false)]
    trekker: Option<TrekkerNieuw>,
    /// Id's van samenwerkingspartners (organisaties), elk hoogstens één keer.
    partners: Option<Vec<Uuid>>,
    /// De gemeenten van de agenda waarvoor de actie is, elk hoogstens één keer. Weglaten of leeg: de hele agenda (een token dat tot één gemeente beperkt is: die gemeente).
    #[schema(example = json!(["Borne"]))]
    gemeenten: Option<Vec<Tekst>>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

/// Body to change an actie (JSON Merge Patch: only the fields given change;
/// a planned date `null` clears it, `doelId: null` puts the actie directly
/// under its opgave).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActieWijziging {
    #[schema(nullable = false)]
    omschrijving: Option<Tekst>,
    #[schema(nullable = false, minimum = 1900, maximum = 2200)]
    jaar: Option<i32>,
    /// Binnen de periode van de agenda; `null` haalt hem weg. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    geplande_start_datum: Patch<Datum>,
    /// Binnen de periode van de agenda; `null` haalt hem weg. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    geplande_eind_datum: Patch<Datum>,
    /// Vervangt de lijst samenwerkingspartners (organisaties).
    #[schema(nullable = false)]
    partners: Option<Vec<Uuid>>,
    /// Verplaats naar een andere opgave (van dezelfde agenda).
    #[schema(nullable = false)]
    opgave_id: Option<Uuid>,
    /// Verplaats naar een ander doel (van dezelfde agenda), of `null`: direct onder de opgave.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    doel_id: Patch<Uuid>,
    /// Vervangt de gemeenten van de actie (gemeenten van de agenda, elk hoogstens één keer); een lege lijst: de hele agenda.
    #[schema(nullable = false, example = json!(["Borne"]))]
    gemeenten: Option<Vec<Tekst>>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

async fn create(
    bevoegd: &Bevoegd,
    state: &AppState,
    req: &HttpRequest,
    body: Invoer<ActieNieuw>,
    onder: Ouder,
    agenda_id: Option<Uuid>,
) -> Result<HttpResponse, Problem> {
    let b = body.waarde;
    let mut ctx =
        context(bevoegd, req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = agenda_id;
    let command = ActieCommand::MaakAan {
        id: Uuid::now_v7(),
        onder,
        actie: NieuweActie {
            omschrijving: b.omschrijving.into_string(),
            jaar: b.jaar,
            geplande_start_datum: b.geplande_start_datum.map(|d| d.0),
            geplande_eind_datum: b.geplande_eind_datum.map(|d| d.0),
            trekker: b.trekker.map(Trekker::from),
            partners: b.partners.unwrap_or_default(),
            gemeenten: teksten(b.gemeenten.unwrap_or_default()),
        },
        beperkt_tot: bevoegd.gemeente().map(str::to_owned),
    };
    let outcome = state.service.execute(ctx, &command).await?;
    actie_response(state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Voeg een actie toe aan een doel.
#[utoipa::path(post, path = "/doelen/{id}/acties", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van het doel"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = ActieNieuw,
    responses((status = 201, description = "Aangemaakt, status gepland", body = ActieDto), super::responses::WriteErrors))]
pub async fn post_actie_onder_doel(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<ActieNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::ActieAanmaken(Target::Doel(*id)))?;
    let agenda = state
        .projection
        .read()
        .doelen
        .get(&id)
        .map(|d| d.state.agenda_id);
    create(&bevoegd, &state, &req, body, Ouder::Doel(*id), agenda).await
}

/// Voeg een actie direct onder een opgave toe (zonder doel, zoals opgave 2.1).
#[utoipa::path(post, path = "/opgaven/{id}/acties", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de opgave"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = ActieNieuw,
    responses((status = 201, description = "Aangemaakt, status gepland", body = ActieDto), super::responses::WriteErrors))]
pub async fn post_actie_onder_opgave(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<ActieNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::ActieAanmaken(Target::Opgave(*id)))?;
    let agenda = state
        .projection
        .read()
        .opgaven
        .get(&id)
        .map(|o| o.state.agenda_id);
    create(&bevoegd, &state, &req, body, Ouder::Opgave(*id), agenda).await
}

/// De acties van een doel.
#[utoipa::path(get, path = "/doelen/{id}/acties", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van het doel"), Paging, PeilQuery),
    responses((status = 200, description = "Een pagina acties", body = Pagina<ActieDto>), super::responses::ReadErrors))]
pub async fn list_acties_van_doel(
    view: View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    seen.doel(*id)?;
    let m = seen.model();
    let mut acties: Vec<_> = m
        .acties
        .values()
        .filter(|a| a.state.doel_id == Some(*id))
        .collect();
    acties.sort_by_key(|a| (a.aangemaakt, a.id));
    let items = acties.into_iter().map(|a| ActieDto::from(a, m)).collect();
    paging::respond(&req, &q, items, m.position)
}

/// Wijzig een actie: omschrijving, jaar, planning, partners, of verplaats haar.
#[utoipa::path(patch, path = "/acties/{id}", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de actie"), ("If-Match" = String, Header, description = "ETag (verplicht)")),
    request_body(content(
        (ActieWijziging = "application/merge-patch+json"),
        (ActieWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd", body = ActieDto), super::responses::WriteErrors))]
pub async fn patch_actie(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<ActieWijziging>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Actie(*id)))?;
    let id = *id;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = agenda_van(&state, id);
    let datum = |d: Patch<Datum>| d.map(|d| d.0).into_change();
    let command = ActieCommand::Wijzig {
        id,
        wijziging: Wijziging {
            omschrijving: b.omschrijving.map(Tekst::into_string),
            jaar: b.jaar,
            geplande_start_datum: datum(b.geplande_start_datum),
            geplande_eind_datum: datum(b.geplande_eind_datum),
            partners: b.partners,
            opgave_id: b.opgave_id,
            doel_id: b.doel_id.into_change(),
            gemeenten: b.gemeenten.map(teksten),
        },
        beperkt_tot: bevoegd.gemeente().map(str::to_owned),
    };
    state.service.execute(ctx, &command).await?;
    actie_response(&state, id, StatusCode::OK)
}

fn teksten(v: Vec<Tekst>) -> Vec<String> {
    v.into_iter().map(Tekst::into_string).collect()
}

/// The agenda of an actie (for the write's metadata), if it exists.
pub(super) fn agenda_van(state: &AppState, actie: Uuid) -> Option<Uuid> {
    state
        .projection
        .read()
        .acties
        .get(&actie)
        .map(|a| a.state.agenda_id)
}

// ---------- status history ----------

/// One status change, as recorded.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatuswijzigingDto {
    pub positie: u64,
    #[schema(value_type = crate::domain::actie::ActieStatus)]
    pub van: String,
    #[schema(value_type = crate::domain::actie::ActieStatus)]
    pub naar: String,
    pub ingangs_datum: NaiveDate,
    pub reden: Option<String>,
    pub toelichting: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
}

/// De statusgeschiedenis van een actie, oudste eerst (uit het gebeurtenissenlog).
#[utoipa::path(get, path = "/acties/{id}/statuswijzigingen", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de actie"), Paging, PeilQuery),
    responses((status = 200, description = "Een pagina statuswijzigingen", body = Pagina<StatuswijzigingDto>), super::responses::ReadErrors))]
pub async fn list_statuswijzigingen(
    state: web::Data<AppState>,
    view: View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let position = {
        let seen = view.read();
        seen.actie(*id)?;
        seen.model().position
    };
    let events = state
        .store
        .read_stream(*id, 1, usize::MAX)
        .map_err(|e| service_problem(ServiceError::Store(e)))?;
    let items = events
        .into_iter()
        .filter(|e| e.position <= position)
        .filter_map(
            |e| match Event::decode(&e.event_type, e.schema_version, &e.data) {
                Ok(Event::ActieStatusGewijzigd(s)) => Some(StatuswijzigingDto {
                    positie: e.position,
                    van: s.van.as_str().to_owned(),
                    naar: s.naar.as_str().to_owned(),
                    ingangs_datum: s.ingangs_datum,
                    reden: s.reden,
                    toelichting: e.metadata.toelichting,
                    registratie_tijdstip: e.recorded_at,
                }),
                _ => None,
            },
        )
        .collect();
    paging::respond(&req, &q, items, position)
}

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/doelen/{id}/acties", web::get().to(list_acties_van_doel))
        .route("/doelen/{id}/acties", web::post().to(post_actie_onder_doel))
        .route(
            "/opgaven/{id}/acties",
            web::post().to(post_actie_onder_opgave),
        )
        .route("/acties/{id}", web::patch().to(patch_actie))
        .route(
            "/acties/{id}/statuswijzigingen",
            web::get().to(list_statuswijzigingen),
        )
        .route(
            "/acties/{id}/voortgangsberichten",
            web::get().to(list_voortgang),
        )
        .route(
            "/acties/{id}/voortgangsberichten",
            web::post().to(post_voortgang),
        )
        .route(
            "/acties/{id}/voortgangsberichten/{bericht_id}",
            web::get().to(get_bericht),
        )
        .route(
            "/acties/{id}/voortgangsberichten/{bericht_id}",
            web::patch().to(patch_voortgang),
        );
}

#[derive(OpenApi)]
#[openapi(paths(
    voortgang::list_voortgang,
    voortgang::get_bericht,
    voortgang::post_voortgang,
    voortgang::patch_voortgang,
    post_actie_onder_doel,
    post_actie_onder_opgave,
    list_acties_van_doel,
    patch_actie,
    list_statuswijzigingen
))]
pub struct Api;
