//! Building and restructuring the agenda: create/patch agendas,
//! groeperingen (themalijnen, effecten, ...), opgaven and doelen. Codes are
//! unique within an agenda (409 otherwise); renumbering, moving and dropping
//! (vervallen) are events, so history keeps every earlier shape.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::dto::{AgendaDto, OpgaveDto, Pagina, Paging};
use super::invoer::{Datum, Invoer, Patch, Tekst};
use super::paging;
use super::peil::view::View;
use super::peil::PeilQuery;
use super::problem::Problem;
use super::write::{context, etag, service_problem, IfMatch};
use crate::access::policy::{Action, Target};
use crate::app::AppState;
use crate::domain::agenda::{AgendaCommand, AgendaStatus, GroeperingCommand, Niveau};
use crate::domain::doel::DoelCommand;
use crate::domain::opgave::OpgaveCommand;
use crate::domain::structuur::Vervalstatus;
use crate::domain::Code;
use crate::projections::{Entity, ReadModel};

// ---------- agenda ----------

/// Body to create an agenda.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgendaNieuw {
    #[schema(example = "Maatschappelijke Agenda Twenterand 2025")]
    naam: Tekst,
    omschrijving: Option<String>,
    /// Eén of meer gemeenten (een nota kan gedeeld zijn).
    #[schema(min_items = 1)]
    gemeenten: Vec<Tekst>,
    periode_start_datum: Datum,
    /// Niet vóór de startdatum.
    periode_eind_datum: Datum,
    /// Standaard concept.
    #[schema(nullable = false)]
    status: Option<AgendaStatus>,
    /// Mag iedereen (ook zonder token) de agenda lezen? Standaard ja.
    #[schema(nullable = false)]
    gepubliceerd: Option<bool>,
    /// Na hoeveel dagen zonder update een actie 'stil' is (standaard 90).
    #[schema(nullable = false, minimum = 1, maximum = 3650)]
    signaleringstermijn_dagen: Option<u32>,
    /// Namen van de niveaus boven opgave, buitenste eerst.
    #[schema(nullable = false)]
    groeperingsniveaus: Option<Vec<NiveauNieuw>>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

/// The name of a grouping level, singular and plural.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NiveauNieuw {
    #[schema(example = "maatschappelijk effect")]
    enkelvoud: Tekst,
    #[schema(example = "maatschappelijke effecten")]
    meervoud: Tekst,
}

/// Body to change an agenda (JSON Merge Patch: only the fields given change;
/// none of them can be cleared).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgendaWijziging {
    #[schema(nullable = false)]
    naam: Option<Tekst>,
    #[schema(nullable = false)]
    omschrijving: Option<String>,
    #[schema(nullable = false)]
    status: Option<AgendaStatus>,
    #[schema(nullable = false)]
    gepubliceerd: Option<bool>,
    /// Na hoeveel dagen zonder update een actie 'stil' is.
    #[schema(nullable = false, minimum = 1, maximum = 3650)]
    signaleringstermijn_dagen: Option<u32>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

fn agenda_response(
    state: &AppState,
    id: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let model = state.projection.read();
    let a = model
        .agendas
        .get(&id)
        .ok_or_else(|| Problem::not_found(format!("Er is geen agenda met id {id}.")))?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(a.version)))
        .insert_header(("Location", format!("/v1/agendas/{id}")))
        .json(AgendaDto::from(a, &model)))
}

/// Maak een (lege) agenda aan.
#[utoipa::path(post, path = "/agendas", tag = "Agenda",
    params(("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel maakt niets nieuws aan")),
    request_body = AgendaNieuw,
    responses((status = 201, description = "Aangemaakt", body = AgendaDto), super::responses::WriteErrors))]
pub async fn post_agenda(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Invoer<AgendaNieuw>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::AgendaAanmaken)?;
    let b = body.waarde;
    let ctx = context(&req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    let command = AgendaCommand::Maak {
        id: Uuid::now_v7(),
        naam: b.naam.into_string(),
        omschrijving: b.omschrijving.unwrap_or_default(),
        gemeenten: b.gemeenten.into_iter().map(Tekst::into_string).collect(),
        periode_start_datum: b.periode_start_datum.0,
        periode_eind_datum: b.periode_eind_datum.0,
        status: b.status.unwrap_or(AgendaStatus::Concept),
        gepubliceerd: b.gepubliceerd.unwrap_or(true),
        signaleringstermijn_dagen: b.signaleringstermijn_dagen.unwrap_or(90),
        groeperingsniveaus: (b.groeperingsniveaus.unwrap_or_default().into_iter())
            .map(|n| Niveau {
                enkelvoud: n.enkelvoud.into_string(),
                meervoud: n.meervoud.into_string(),
            })
            .collect(),
    };
    let outcome = state
        .service
        .execute(ctx, &command)
        .await
        .map_err(service_problem)?;
    agenda_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig naam, omschrijving, status, publicatie of signaleringstermijn van een agenda.
#[utoipa::path(patch, path = "/agendas/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de agenda"), ("If-Match" = String, Header, description = "ETag van de agenda (verplicht)")),
    request_body(content(
        (AgendaWijziging = "application/merge-patch+json"),
        (AgendaWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd", body = AgendaDto), super::responses::WriteErrors))]
pub async fn patch_agenda(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<AgendaWijziging>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Agenda(*id)))?;
    let id = *id;
    let b = body.waarde;
    let mut ctx = context(&req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = Some(id);
    let command = AgendaCommand::Wijzig {
        id,
        naam: b.naam.map(Tekst::into_string),
        omschrijving: b.omschrijving,
        status: b.status,
        gepubliceerd: b.gepubliceerd,
        signaleringstermijn_dagen: b.signaleringstermijn_dagen,
    };
    state
        .service
        .execute(ctx, &command)
        .await
        .map_err(service_problem)?;
    agenda_response(&state, id, StatusCode::OK)
}

// ---------- groeperingen ----------

/// A groepering: a themalijn, maatschappelijk effect, ... (the agenda names the level).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroeperingDto {
    pub id: Uuid,
    pub agenda_id: Uuid,
    /// Index in de groeperingsniveaus van de agenda (0 = buitenste).
    pub niveau: usize,
    /// Naam van het niveau, bijv. "themalijn".
    pub niveau_naam: String,
    pub bovenliggende_groepering_id: Option<Uuid>,
    #[schema(example = "1")]
    pub code: Option<String>,
    #[schema(example = "Zelfredzame Twenterander")]
    pub naam: String,
    pub omschrijving: String,
    pub opgave_codes: Vec<String>,
    pub versie: u64,
}

fn groepering_dto(e: &Entity<crate::domain::agenda::Groepering>, m: &ReadModel) -> GroeperingDto {
    let g = &e.state;
    let mut codes: Vec<&Code> = m
        .opgaven
        .values()
        .filter(|o| o.state.groepering_id == Some(e.id))
        .map(|o| &o.state.code)
        .collect();
    codes.sort_by_key(|c| c.sort_key());
    GroeperingDto {
        id: e.id,
        agenda_id: g.agenda_id,
        niveau: g.niveau,
        niveau_naam: m
            .agendas
            .get(&g.agenda_id)
            .and_then(|a| a.state.groeperingsniveaus.get(g.niveau))
            .map(|n| n.enkelvoud.clone())
            .unwrap_or_default(),
        bovenliggende_groepering_id: g.bovenliggende_groepering_id,
        code: g.code.as_ref().map(|c| c.to_string()),
        naam: g.naam.clone(),
        omschrijving: g.omschrijving.clone(),
        opgave_codes: codes.into_iter().map(|c| c.to_string()).collect(),
        versie: e.version,
    }
}

fn groepering_response(
    state: &AppState,
    id: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    let g = m
        .groeperingen
        .get(&id)
        .ok_or_else(|| Problem::not_found(format!("Er is geen groepering met id {id}.")))?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(g.version)))
        .insert_header(("Location", format!("/v1/groeperingen/{id}")))
        .json(groepering_dto(g, &m)))
}

/// De groeperingen boven de opgaven (bij Twenterand: themalijnen), op code.
#[utoipa::path(get, path = "/agendas/{id}/groeperingen", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de agenda"), Paging, PeilQuery),
    responses((status = 200, description = "Een pagina groeperingen", body = Pagina<GroeperingDto>), super::responses::ReadErrors))]
pub async fn list_groeperingen(
    view: View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    seen.agenda(*id)?;
    let m = seen.model();
    let mut items: Vec<GroeperingDto> = m
        .groeperingen
        .values()
        .filter(|g| g.state.agenda_id == *id)
        .map(|g| groepering_dto(g, m))
        .collect();
    items.sort_by_key(|g| {
        (
            g.niveau,
            g.code
                .as_deref()
                .and_then(|c| Code::parse(c).ok())
                .map(|c| c.sort_key()),
            g.naam.clone(),
        )
    });
    paging::respond(&req, &q, items, m.position)
}

/// Eén groepering.
#[utoipa::path(get, path = "/groeperingen/{id}", tag = "Agenda", params(("id" = Uuid, Path, description = "Id van de groepering"), PeilQuery),
    responses((status = 200, description = "De groepering", body = GroeperingDto), super::responses::ReadErrors))]
pub async fn get_groepering(view: View, id: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    let g = seen.groepering(*id)?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(g.version)))
        .json(groepering_dto(g, seen.model())))
}

/// Body to add a groepering to an agenda.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroeperingNieuw {
    #[schema(example = "Zelfredzame Twenterander")]
    naam: Tekst,
    /// Uniek binnen de agenda; mag leeg zijn.
    code: Option<Code>,
    omschrijving: Option<String>,
    /// Niveau (0 = buitenste, standaard); de agenda moet het niveau hebben.
    #[schema(nullable = false, minimum = 0, maximum = 5)]
    niveau: Option<u32>,
    /// Verplicht vanaf niveau 1: een groepering van het niveau erboven.
    bovenliggende_groepering_id: Option<Uuid>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

/// Body to change a groepering (JSON Merge Patch: only the fields given
/// change; none of them can be cleared).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroeperingWijziging {
    #[schema(nullable = false)]
    naam: Option<Tekst>,
    #[schema(nullable = false)]
    omschrijving: Option<String>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

/// Voeg een groepering (bijv. een themalijn) toe aan een agenda.
#[utoipa::path(post, path = "/agendas/{id}/groeperingen", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de agenda"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = GroeperingNieuw,
    responses((status = 201, description = "Aangemaakt", body = GroeperingDto), super::responses::WriteErrors))]
pub async fn post_groepering(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<GroeperingNieuw>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Agenda(*id)))?;
    let b = body.waarde;
    let mut ctx = context(&req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = Some(*id);
    let command = GroeperingCommand::Maak {
        id: Uuid::now_v7(),
        agenda_id: *id,
        niveau: b.niveau.unwrap_or(0) as usize,
        bovenliggende_groepering_id: b.bovenliggende_groepering_id,
        code: b.code,
        naam: b.naam.into_string(),
        omschrijving: b.omschrijving.unwrap_or_default(),
    };
    let outcome = state
        .service
        .execute(ctx, &command)
        .await
        .map_err(service_problem)?;
    groepering_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig naam of omschrijving van een groepering.
#[utoipa::path(patch, path = "/groeperingen/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de groepering"), ("If-Match" = String, Header, description = "ETag (verplicht)")),
    request_body(content(
        (GroeperingWijziging = "application/merge-patch+json"),
        (GroeperingWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd", body = GroeperingDto), super::responses::WriteErrors))]
pub async fn patch_groepering(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<GroeperingWijziging>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Groepering(*id)))?;
    let id = *id;
    let b = body.waarde;
    let mut ctx = context(&req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = state.projection.read().agenda_of(id);
    let command = GroeperingCommand::Wijzig {
        id,
        naam: b.naam.map(Tekst::into_string),
        omschrijving: b.omschrijving,
    };
    state
        .service
        .execute(ctx, &command)
        .await
        .map_err(service_problem)?;
    groepering_response(&state, id, StatusCode::OK)
}

// ---------- opgaven ----------

/// Body to add an opgave to an agenda.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpgaveNieuw {
    /// Uniek binnen de agenda.
    code: Code,
    #[schema(example = "Eenzaamheid verminderen")]
    titel: Tekst,
    omschrijving: Option<String>,
    /// Standaard true.
    geprioriteerd: Option<bool>,
    /// De groepering (bijv. themalijn) van deze agenda.
    groepering_id: Option<Uuid>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

/// Body to change an opgave (JSON Merge Patch: only the fields given change;
/// `groeperingId: null` takes the opgave out of its groepering).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpgaveWijziging {
    /// Hernummeren: de codes van de doelen schuiven mee.
    #[schema(nullable = false)]
    code: Option<Code>,
    #[schema(nullable = false)]
    titel: Option<Tekst>,
    #[schema(nullable = false)]
    omschrijving: Option<String>,
    #[schema(nullable = false)]
    geprioriteerd: Option<bool>,
    /// Een groepering van dezelfde agenda; `null` haalt de opgave eruit.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    groepering_id: Patch<Uuid>,
    /// "vervallen" laat de opgave vervallen (met reden).
    #[schema(nullable = false)]
    status: Option<Vervalstatus>,
    /// Verplicht bij status vervallen.
    reden: Option<String>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

fn opgave_response(
    state: &AppState,
    id: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    let o = m
        .opgaven
        .get(&id)
        .ok_or_else(|| Problem::not_found(format!("Er is geen opgave met id {id}.")))?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(o.version)))
        .insert_header(("Location", format!("/v1/opgaven/{id}")))
        .json(OpgaveDto::from(o, &m)))
}

/// Voeg een opgave toe aan een agenda.
#[utoipa::path(post, path = "/agendas/{id}/opgaven", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de agenda"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = OpgaveNieuw,
    responses((status = 201, description = "Aangemaakt", body = OpgaveDto), super::responses::WriteErrors))]
pub async fn post_opgave(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<OpgaveNieuw>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Agenda(*id)))?;
    let b = body.waarde;
    let mut ctx = context(&req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = Some(*id);
    let command = OpgaveCommand::Maak {
        id: Uuid::now_v7(),
        agenda_id: *id,
        groepering_id: b.groepering_id,
        code: b.code,
        titel: b.titel.into_string(),
        omschrijving: b.omschrijving.unwrap_or_default(),
        geprioriteerd: b.geprioriteerd.unwrap_or(true),
    };
    let outcome = state
        .service
        .execute(ctx, &command)
        .await
        .map_err(service_problem)?;
    opgave_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig, hernummer, verplaats naar een andere groepering of laat vervallen.
#[utoipa::path(patch, path = "/opgaven/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de opgave"), ("If-Match" = String, Header, description = "ETag (verplicht)")),
    request_body(content(
        (OpgaveWijziging = "application/merge-patch+json"),
        (OpgaveWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd", body = OpgaveDto), super::responses::WriteErrors))]
pub async fn patch_opgave(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<OpgaveWijziging>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Opgave(*id)))?;
    let id = *id;
    let b = body.waarde;
    let mut ctx = context(&req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = state.projection.read().agenda_of(id);
    let command = OpgaveCommand::Wijzig {
        id,
        code: b.code,
        titel: b.titel.map(Tekst::into_string),
        omschrijving: b.omschrijving,
        geprioriteerd: b.geprioriteerd,
        groepering_id: b.groepering_id.into_change(),
        vervalt: b.status.is_some(),
        reden: b.reden,
    };
    state
        .service
        .execute(ctx, &command)
        .await
        .map_err(service_problem)?;
    opgave_response(&state, id, StatusCode::OK)
}

// ---------- doelen ----------

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
    #[schema(example = "actief")]
    pub status: String,
    pub vervalreden: Option<String>,
    pub aantal_acties: usize,
    pub aantal_subdoelen: usize,
    pub aantal_indicatoren: usize,
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
        versie: e.version,
    }
}

fn doel_response(state: &AppState, id: Uuid, status: StatusCode) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    let d = m
        .doelen
        .get(&id)
        .ok_or_else(|| Problem::not_found(format!("Er is geen doel met id {id}.")))?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(d.version)))
        .insert_header(("Location", format!("/v1/doelen/{id}")))
        .json(doel_dto(d, &m)))
}

/// De doelen van een opgave (sub-doelen na hun bovenliggende doel).
#[utoipa::path(get, path = "/opgaven/{id}/doelen", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de opgave"), Paging, PeilQuery),
    responses((status = 200, description = "Een pagina doelen", body = Pagina<DoelDto>), super::responses::ReadErrors))]
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
    responses((status = 200, description = "Het doel", body = DoelDto), super::responses::ReadErrors))]
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
    responses((status = 201, description = "Aangemaakt", body = DoelDto), super::responses::WriteErrors))]
pub async fn post_doel(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<DoelNieuw>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Opgave(*id)))?;
    let b = body.waarde;
    let mut ctx = context(&req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
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
    let outcome = state
        .service
        .execute(ctx, &command)
        .await
        .map_err(service_problem)?;
    doel_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig, hernummer, verplaats naar een andere opgave of laat vervallen.
#[utoipa::path(patch, path = "/doelen/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van het doel"), ("If-Match" = String, Header, description = "ETag (verplicht)")),
    request_body(content(
        (DoelWijziging = "application/merge-patch+json"),
        (DoelWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd", body = DoelDto), super::responses::WriteErrors))]
pub async fn patch_doel(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<DoelWijziging>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Doel(*id)))?;
    let id = *id;
    let b = body.waarde;
    let mut ctx = context(&req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
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
    state
        .service
        .execute(ctx, &command)
        .await
        .map_err(service_problem)?;
    doel_response(&state, id, StatusCode::OK)
}

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/agendas", web::post().to(post_agenda))
        .route("/agendas/{id}", web::patch().to(patch_agenda))
        .route(
            "/agendas/{id}/groeperingen",
            web::get().to(list_groeperingen),
        )
        .route(
            "/agendas/{id}/groeperingen",
            web::post().to(post_groepering),
        )
        .route("/groeperingen/{id}", web::get().to(get_groepering))
        .route("/groeperingen/{id}", web::patch().to(patch_groepering))
        .route("/agendas/{id}/opgaven", web::post().to(post_opgave))
        .route("/opgaven/{id}", web::patch().to(patch_opgave))
        .route("/opgaven/{id}/doelen", web::get().to(list_doelen))
        .route("/opgaven/{id}/doelen", web::post().to(post_doel))
        .route("/doelen/{id}", web::get().to(get_doel))
        .route("/doelen/{id}", web::patch().to(patch_doel));
}

#[derive(OpenApi)]
#[openapi(paths(
    post_agenda,
    patch_agenda,
    list_groeperingen,
    post_groepering,
    get_groepering,
    patch_groepering,
    post_opgave,
    patch_opgave,
    list_doelen,
    post_doel,
    get_doel,
    patch_doel
))]
pub struct Api;
