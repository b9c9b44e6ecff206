//! Building and restructuring the agenda: create/patch agendas,
//! groeperingen (themalijnen, effecten, ...), opgaven and doelen. Codes are
//! unique within an agenda (409 otherwise); renumbering, moving and dropping
//! (vervallen) are events, so history keeps every earlier shape.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::dto::{AgendaDto, OpgaveDto, Pagina, Paging};
use super::paging;
use super::peil::view::View;
use super::peil::PeilQuery;
use super::problem::Problem;
use super::write::{context, etag, service_problem, Body, IfMatch};
use crate::access::policy::{Action, Target};
use crate::app::AppState;
use crate::domain::agenda::{self, AgendaStatus, Niveau};
use crate::domain::events::*;
use crate::domain::{doel, opgave, Code, DomainError};
use crate::event_store::ExpectedVersion;
use crate::projections::{Entity, ReadModel};
use crate::service::{check_if_match, ServiceError, StreamEvents};

const AGENDA_STATUSES: [(&str, AgendaStatus); 3] = [
    ("concept", AgendaStatus::Concept),
    ("vastgesteld", AgendaStatus::Vastgesteld),
    ("gearchiveerd", AgendaStatus::Gearchiveerd),
];

fn not_found(kind: &str, id: Uuid) -> ServiceError {
    ServiceError::NotFound(format!("Er is geen {kind} met id {id}."))
}

fn duplicate_code(code: &Code) -> ServiceError {
    ServiceError::Domain(DomainError::conflict(
        "duplicate-code",
        format!("Code {code} is in deze agenda al in gebruik. Kies een andere code of hernummer eerst de bestaande."),
    ))
}

fn new_stream(events: Vec<Event>) -> Vec<StreamEvents> {
    vec![StreamEvents {
        stream_id: uuid::Uuid::now_v7(),
        expected: ExpectedVersion::NoStream,
        events,
    }]
}

fn existing(id: Uuid, version: u64, events: Vec<Event>) -> Vec<StreamEvents> {
    vec![StreamEvents {
        stream_id: id,
        expected: ExpectedVersion::Exact(version),
        events,
    }]
}

fn code_field(b: &mut Body, name: &str, required: bool) -> Option<Code> {
    let raw = b.string(name, required)?;
    match Code::parse(&raw) {
        Ok(c) => Some(c),
        Err(reason) => {
            b.error(name, "invalid-code", reason);
            None
        }
    }
}

// ---------- agenda ----------

/// Body to create or change an agenda.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct AgendaIn {
    #[schema(example = "Maatschappelijke Agenda Twenterand 2025")]
    naam: Option<String>,
    omschrijving: Option<String>,
    /// Eén of meer gemeenten (een nota kan gedeeld zijn). Alleen bij aanmaken.
    gemeenten: Option<Vec<String>>,
    /// Alleen bij aanmaken. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    periode_start_datum: Option<NaiveDate>,
    /// Alleen bij aanmaken. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    periode_eind_datum: Option<NaiveDate>,
    /// concept, vastgesteld of gearchiveerd.
    status: Option<String>,
    /// Mag iedereen (ook zonder token) de agenda lezen? Standaard ja.
    gepubliceerd: Option<bool>,
    /// Na hoeveel dagen zonder update een actie 'stil' is (standaard 90).
    signaleringstermijn_dagen: Option<u32>,
    /// Namen van de niveaus boven opgave, buitenste eerst. Alleen bij aanmaken.
    groeperingsniveaus: Option<Vec<NiveauIn>>,
    toelichting: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct NiveauIn {
    #[schema(example = "maatschappelijk effect")]
    enkelvoud: String,
    #[schema(example = "maatschappelijke effecten")]
    meervoud: String,
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

fn niveaus(b: &mut Body) -> Vec<Niveau> {
    let Some(v) = b.get_raw("groeperingsniveaus") else {
        return Vec::new();
    };
    let Some(items) = v.as_array() else {
        b.error(
            "groeperingsniveaus",
            "invalid-type",
            "Een lijst van {enkelvoud, meervoud}.",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut nb = Body::new(item, &["enkelvoud", "meervoud"]);
        let e = nb.string("enkelvoud", true);
        let m = nb.string("meervoud", true);
        b.absorb(&format!("groeperingsniveaus[{i}]"), nb);
        if let (Some(enkelvoud), Some(meervoud)) = (e, m) {
            out.push(Niveau {
                enkelvoud,
                meervoud,
            });
        }
    }
    out
}

/// Maak een (lege) agenda aan.
#[utoipa::path(post, path = "/agendas", tag = "Agenda",
    params(("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel maakt niets nieuws aan")),
    request_body = AgendaIn,
    responses((status = 201, description = "Aangemaakt", body = AgendaDto), super::responses::WriteErrors))]
pub async fn post_agenda(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::AgendaAanmaken)?;
    let mut b = Body::new(
        &body,
        &[
            "naam",
            "omschrijving",
            "gemeenten",
            "periodeStartDatum",
            "periodeEindDatum",
            "status",
            "gepubliceerd",
            "signaleringstermijnDagen",
            "groeperingsniveaus",
            "toelichting",
        ],
    );
    let naam = b.string("naam", true);
    let omschrijving = b.string("omschrijving", false).unwrap_or_default();
    let gemeenten = b.strings("gemeenten");
    if gemeenten.as_ref().is_none_or(|g| g.is_empty()) && !b.has_error("gemeenten") {
        b.error("gemeenten", "required", "Noem minstens één gemeente.");
    }
    let start = b.date("periodeStartDatum");
    let eind = b.date("periodeEindDatum");
    for (name, v) in [("periodeStartDatum", start), ("periodeEindDatum", eind)] {
        if v.is_none() && !b.has_error(name) {
            b.error(
                name,
                "required",
                format!("Veld '{name}' is verplicht (JJJJ-MM-DD)."),
            );
        }
    }
    let status = b
        .choice("status", false, &AGENDA_STATUSES)
        .unwrap_or(AgendaStatus::Concept);
    let gepubliceerd = b.bool("gepubliceerd").unwrap_or(true);
    let termijn = b
        .integer("signaleringstermijnDagen", 1, 3650)
        .map_or(90, |n| n as u32);
    let niveaus = niveaus(&mut b);
    b.string("toelichting", false);
    b.finish()?;
    let ctx = context(&req, &body, IfMatch::Optional)?;
    let event = AgendaAangemaakt {
        naam: naam.unwrap_or_default(),
        omschrijving,
        gemeenten: gemeenten.unwrap_or_default(),
        periode_start_datum: start.expect("validated"),
        periode_eind_datum: eind.expect("validated"),
        status,
        gepubliceerd,
        signaleringstermijn_dagen: termijn,
        groeperingsniveaus: niveaus,
    };
    let outcome = state
        .service
        .structural(ctx, |_| Ok(new_stream(agenda::create(event)?)))
        .await
        .map_err(service_problem)?;
    agenda_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig naam, omschrijving, status, publicatie of signaleringstermijn van een agenda.
#[utoipa::path(patch, path = "/agendas/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de agenda"), ("If-Match" = String, Header, description = "ETag van de agenda (verplicht)")),
    request_body = AgendaIn,
    responses((status = 200, description = "Gewijzigd", body = AgendaDto), super::responses::WriteErrors))]
pub async fn patch_agenda(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Agenda(*id)))?;
    let id = *id;
    let mut b = Body::new(
        &body,
        &[
            "naam",
            "omschrijving",
            "status",
            "gepubliceerd",
            "signaleringstermijnDagen",
            "toelichting",
        ],
    );
    let change = AgendaGewijzigd {
        naam: b.string("naam", false),
        omschrijving: b.string("omschrijving", false),
        status: b.choice("status", false, &AGENDA_STATUSES),
        gepubliceerd: b.bool("gepubliceerd"),
        signaleringstermijn_dagen: b
            .integer("signaleringstermijnDagen", 1, 3650)
            .map(|n| n as u32),
    };
    b.string("toelichting", false);
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Required)?;
    ctx.metadata.agenda_id = Some(id);
    state
        .service
        .update(id, ctx, |m| {
            let a = m.agendas.get(&id).ok_or_else(|| not_found("agenda", id))?;
            Ok((a.version, a.state.update(change.clone())?))
        })
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

/// Body for a groepering.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct GroeperingIn {
    #[schema(example = "Zelfredzame Twenterander")]
    naam: Option<String>,
    #[schema(example = "1")]
    code: Option<String>,
    omschrijving: Option<String>,
    /// Niveau (0 = buitenste); alleen bij aanmaken.
    niveau: Option<u32>,
    /// Alleen bij aanmaken, voor een dieper niveau.
    bovenliggende_groepering_id: Option<Uuid>,
    toelichting: Option<String>,
}

/// Voeg een groepering (bijv. een themalijn) toe aan een agenda.
#[utoipa::path(post, path = "/agendas/{id}/groeperingen", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de agenda"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = GroeperingIn,
    responses((status = 201, description = "Aangemaakt", body = GroeperingDto), super::responses::WriteErrors))]
pub async fn post_groepering(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Agenda(*id)))?;
    let agenda_id = *id;
    let mut b = Body::new(
        &body,
        &[
            "naam",
            "code",
            "omschrijving",
            "niveau",
            "bovenliggendeGroeperingId",
            "toelichting",
        ],
    );
    let naam = b.string("naam", true);
    let code = code_field(&mut b, "code", false);
    let omschrijving = b.string("omschrijving", false).unwrap_or_default();
    let niveau = b.integer("niveau", 0, 5).unwrap_or(0) as usize;
    let parent = b.uuid("bovenliggendeGroeperingId", false);
    b.string("toelichting", false);
    {
        let m = state.projection.read();
        let Some(agenda) = m.agendas.get(&agenda_id) else {
            return Err(Problem::not_found(format!(
                "Er is geen agenda met id {agenda_id}."
            )));
        };
        if niveau >= agenda.state.groeperingsniveaus.len() {
            b.error("niveau", "unknown-level", format!("De agenda heeft {} groeperingsniveau(s); voeg eerst een niveau toe of kies een lager niveau.", agenda.state.groeperingsniveaus.len()));
        }
        match (niveau, parent.and_then(|p| m.groeperingen.get(&p))) {
            (0, None) if parent.is_none() => {}
            (n, Some(p)) if p.state.agenda_id == agenda_id && p.state.niveau + 1 == n => {}
            _ => b.error("bovenliggendeGroeperingId", "invalid-parent", "Een groepering op niveau 0 heeft geen bovenliggende; op niveau n hoort een bovenliggende groepering van niveau n-1 in dezelfde agenda."),
        }
    }
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Optional)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let outcome = state
        .service
        .structural(ctx, |m| {
            if let Some(c) = &code {
                if m.code_in_use(agenda_id, c) {
                    return Err(duplicate_code(c));
                }
            }
            Ok(new_stream(vec![Event::GroeperingAangemaakt(
                GroeperingAangemaakt {
                    agenda_id,
                    niveau,
                    bovenliggende_groepering_id: parent,
                    code: code.clone(),
                    naam: naam.clone().unwrap_or_default(),
                    omschrijving: omschrijving.clone(),
                },
            )]))
        })
        .await
        .map_err(service_problem)?;
    groepering_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig naam of omschrijving van een groepering.
#[utoipa::path(patch, path = "/groeperingen/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de groepering"), ("If-Match" = String, Header, description = "ETag (verplicht)")),
    request_body = GroeperingIn,
    responses((status = 200, description = "Gewijzigd", body = GroeperingDto), super::responses::WriteErrors))]
pub async fn patch_groepering(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Groepering(*id)))?;
    let id = *id;
    let mut b = Body::new(&body, &["naam", "omschrijving", "toelichting"]);
    let change = GroeperingGewijzigd {
        naam: b.string("naam", false),
        omschrijving: b.string("omschrijving", false),
    };
    b.string("toelichting", false);
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Required)?;
    ctx.metadata.agenda_id = state
        .projection
        .read()
        .groeperingen
        .get(&id)
        .map(|g| g.state.agenda_id);
    state
        .service
        .update(id, ctx, |m| {
            let g = m
                .groeperingen
                .get(&id)
                .ok_or_else(|| not_found("groepering", id))?;
            Ok((
                g.version,
                agenda::update_groepering(&g.state, change.clone())?,
            ))
        })
        .await
        .map_err(service_problem)?;
    groepering_response(&state, id, StatusCode::OK)
}

// ---------- opgaven ----------

/// Body for an opgave.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct OpgaveIn {
    /// Uniek binnen de agenda; bij wijzigen: hernummeren (de codes van de doelen schuiven mee).
    #[schema(example = "1.5")]
    code: Option<String>,
    #[schema(example = "Eenzaamheid verminderen")]
    titel: Option<String>,
    omschrijving: Option<String>,
    /// Standaard true.
    geprioriteerd: Option<bool>,
    /// De groepering (bijv. themalijn); null haalt de opgave eruit.
    groepering_id: Option<Uuid>,
    /// Alleen bij wijzigen: "vervallen" laat de opgave vervallen (met reden).
    status: Option<String>,
    /// Verplicht bij status vervallen.
    reden: Option<String>,
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

fn check_groepering(b: &mut Body, m: &ReadModel, agenda_id: Uuid, groepering: Option<Uuid>) {
    if let Some(g) = groepering {
        if m.groeperingen
            .get(&g)
            .is_none_or(|x| x.state.agenda_id != agenda_id)
        {
            b.error(
                "groeperingId",
                "unknown-groepering",
                format!("Er is geen groepering {g} in deze agenda."),
            );
        }
    }
}

/// Voeg een opgave toe aan een agenda.
#[utoipa::path(post, path = "/agendas/{id}/opgaven", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de agenda"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = OpgaveIn,
    responses((status = 201, description = "Aangemaakt", body = OpgaveDto), super::responses::WriteErrors))]
pub async fn post_opgave(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Agenda(*id)))?;
    let agenda_id = *id;
    let mut b = Body::new(
        &body,
        &[
            "code",
            "titel",
            "omschrijving",
            "geprioriteerd",
            "groeperingId",
            "toelichting",
        ],
    );
    let code = code_field(&mut b, "code", true);
    let titel = b.string("titel", true);
    let omschrijving = b.string("omschrijving", false).unwrap_or_default();
    let geprioriteerd = b.bool("geprioriteerd").unwrap_or(true);
    let groepering = b.uuid("groeperingId", false);
    b.string("toelichting", false);
    {
        let m = state.projection.read();
        if !m.agendas.contains_key(&agenda_id) {
            return Err(Problem::not_found(format!(
                "Er is geen agenda met id {agenda_id}."
            )));
        }
        check_groepering(&mut b, &m, agenda_id, groepering);
    }
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Optional)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let code = code.expect("validated");
    let outcome = state
        .service
        .structural(ctx, |m| {
            if m.code_in_use(agenda_id, &code) {
                return Err(duplicate_code(&code));
            }
            Ok(new_stream(opgave::create(OpgaveAangemaakt {
                agenda_id,
                groepering_id: groepering,
                code: code.clone(),
                titel: titel.clone().unwrap_or_default(),
                omschrijving: omschrijving.clone(),
                geprioriteerd,
            })?))
        })
        .await
        .map_err(service_problem)?;
    opgave_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig, hernummer, verplaats naar een andere groepering of laat vervallen.
#[utoipa::path(patch, path = "/opgaven/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de opgave"), ("If-Match" = String, Header, description = "ETag (verplicht)")),
    request_body = OpgaveIn,
    responses((status = 200, description = "Gewijzigd", body = OpgaveDto), super::responses::WriteErrors))]
pub async fn patch_opgave(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Opgave(*id)))?;
    let id = *id;
    let mut b = Body::new(
        &body,
        &[
            "code",
            "titel",
            "omschrijving",
            "geprioriteerd",
            "groeperingId",
            "status",
            "reden",
            "toelichting",
        ],
    );
    let code = code_field(&mut b, "code", false);
    let mut change = OpgaveGewijzigd {
        titel: b.string("titel", false),
        omschrijving: b.string("omschrijving", false),
        geprioriteerd: b.bool("geprioriteerd"),
        groepering_id: None,
    };
    if b.has("groeperingId") {
        change.groepering_id = Some(b.uuid("groeperingId", false));
    }
    let vervallen = vervallen_field(&mut b);
    b.string("toelichting", false);
    let agenda_id = {
        let m = state.projection.read();
        let o = m
            .opgaven
            .get(&id)
            .ok_or_else(|| Problem::not_found(format!("Er is geen opgave met id {id}.")))?;
        check_groepering(
            &mut b,
            &m,
            o.state.agenda_id,
            change.groepering_id.flatten(),
        );
        o.state.agenda_id
    };
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Required)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let if_ctx = ctx.clone();
    state
        .service
        .structural(ctx, |m| {
            let o = m.opgaven.get(&id).ok_or_else(|| not_found("opgave", id))?;
            check_if_match(&if_ctx, o.version)?;
            let renumbered = code.as_ref().filter(|c| **c != o.state.code);
            if let Some(c) = renumbered {
                if m.code_in_use(agenda_id, c) {
                    return Err(duplicate_code(c));
                }
            }
            let mut streams = existing(
                id,
                o.version,
                o.state
                    .update(change.clone(), code.clone(), vervallen.clone())?,
            );
            // The doelen's codes follow, in the same append.
            if let Some(to) = renumbered {
                streams.extend(crate::service::renumber::opgave(
                    m,
                    agenda_id,
                    id,
                    &o.state.code,
                    to,
                )?);
            }
            Ok(streams)
        })
        .await
        .map_err(service_problem)?;
    opgave_response(&state, id, StatusCode::OK)
}

/// `status: "vervallen"` with a required `reden`.
fn vervallen_field(b: &mut Body) -> Option<String> {
    let status = b.choice("status", false, &[("vervallen", ())]);
    let reden = b.string("reden", false);
    match (status, reden) {
        (Some(()), Some(r)) if !r.trim().is_empty() => Some(r.trim().to_owned()),
        (Some(()), _) => {
            b.error("reden", "required", "Laten vervallen vraagt een reden.");
            None
        }
        _ => None,
    }
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
    #[schema(value_type = crate::http::enums::OnderdeelStatus, example = "actief")]
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

/// Body for a doel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct DoelIn {
    /// Code onder die van de opgave (1.1 → 1.1.4); mag leeg zijn. Bij hernummeren of
    /// verplaatsen schuiven de codes van de sub-doelen mee.
    #[schema(example = "1.1.4")]
    code: Option<String>,
    titel: Option<String>,
    omschrijving: Option<String>,
    geprioriteerd: Option<bool>,
    /// Alleen bij aanmaken: maakt er een sub-doel van (van een doel dat zelf geen sub-doel is).
    bovenliggend_doel_id: Option<Uuid>,
    /// Alleen bij wijzigen: verplaats het doel naar een andere opgave van dezelfde agenda.
    opgave_id: Option<Uuid>,
    /// Alleen bij wijzigen: "vervallen" (met reden).
    status: Option<String>,
    reden: Option<String>,
    toelichting: Option<String>,
}

/// Voeg een doel toe aan een opgave.
#[utoipa::path(post, path = "/opgaven/{id}/doelen", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de opgave"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = DoelIn,
    responses((status = 201, description = "Aangemaakt", body = DoelDto), super::responses::WriteErrors))]
pub async fn post_doel(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Opgave(*id)))?;
    let opgave_id = *id;
    let mut b = Body::new(
        &body,
        &[
            "code",
            "titel",
            "omschrijving",
            "geprioriteerd",
            "bovenliggendDoelId",
            "toelichting",
        ],
    );
    let code = code_field(&mut b, "code", false);
    let titel = b.string("titel", true);
    let omschrijving = b.string("omschrijving", false).unwrap_or_default();
    let geprioriteerd = b.bool("geprioriteerd").unwrap_or(true);
    let parent = b.uuid("bovenliggendDoelId", false);
    b.string("toelichting", false);
    let agenda_id = {
        let m = state.projection.read();
        let o = m
            .opgaven
            .get(&opgave_id)
            .ok_or_else(|| Problem::not_found(format!("Er is geen opgave met id {opgave_id}.")))?;
        if let Some(c) = &code {
            if !c.is_under(&o.state.code) {
                b.error(
                    "code",
                    "code-outside-parent",
                    format!(
                        "Een doelcode onder opgave {} begint met {}. (bijv. {}.1).",
                        o.state.code, o.state.code, o.state.code
                    ),
                );
            }
        }
        if let Some(p) = parent {
            match m.doelen.get(&p).filter(|d| d.state.opgave_id == opgave_id) {
                None => b.error(
                    "bovenliggendDoelId",
                    "unknown-doel",
                    "Het bovenliggende doel hoort bij deze opgave te horen.",
                ),
                // One level: results under a strategic doel (what the
                // export's CSV and the agenda file can carry back).
                Some(d) if d.state.bovenliggend_doel_id.is_some() => b.error(
                    "bovenliggendDoelId",
                    "nested-subdoel",
                    "Een sub-doel kan zelf geen sub-doelen hebben; kies het bovenliggende doel.",
                ),
                Some(_) => {}
            }
        }
        o.state.agenda_id
    };
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Optional)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let outcome = state
        .service
        .structural(ctx, |m| {
            super::actiebeheer::refuse_vervallen(m, opgave_id, parent)?;
            if let Some(c) = &code {
                if m.code_in_use(agenda_id, c) {
                    return Err(duplicate_code(c));
                }
            }
            Ok(new_stream(doel::create(DoelAangemaakt {
                agenda_id,
                opgave_id,
                bovenliggend_doel_id: parent,
                code: code.clone(),
                titel: titel.clone().unwrap_or_default(),
                omschrijving: omschrijving.clone(),
                geprioriteerd,
            })?))
        })
        .await
        .map_err(service_problem)?;
    doel_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig, hernummer, verplaats naar een andere opgave of laat vervallen.
#[utoipa::path(patch, path = "/doelen/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van het doel"), ("If-Match" = String, Header, description = "ETag (verplicht)")),
    request_body = DoelIn,
    responses((status = 200, description = "Gewijzigd", body = DoelDto), super::responses::WriteErrors))]
pub async fn patch_doel(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Doel(*id)))?;
    let id = *id;
    let mut b = Body::new(
        &body,
        &[
            "code",
            "titel",
            "omschrijving",
            "geprioriteerd",
            "opgaveId",
            "status",
            "reden",
            "toelichting",
        ],
    );
    let code = code_field(&mut b, "code", false);
    let change = DoelGewijzigd {
        titel: b.string("titel", false),
        omschrijving: b.string("omschrijving", false),
        geprioriteerd: b.bool("geprioriteerd"),
    };
    let target = b.uuid("opgaveId", false);
    let vervallen = vervallen_field(&mut b);
    b.string("toelichting", false);
    let agenda_id = {
        let m = state.projection.read();
        let d = m
            .doelen
            .get(&id)
            .ok_or_else(|| Problem::not_found(format!("Er is geen doel met id {id}.")))?;
        let opgave = target.unwrap_or(d.state.opgave_id);
        match m.opgaven.get(&opgave) {
            Some(o) if o.state.agenda_id == d.state.agenda_id => {
                let new_code = code.as_ref().or(d.state.code.as_ref());
                if let Some(c) = new_code.filter(|c| !c.is_under(&o.state.code)) {
                    b.error("code", "code-outside-parent", format!("Code {c} past niet onder opgave {}; geef bij verplaatsen een nieuwe code onder {}.", o.state.code, o.state.code));
                }
            }
            _ => b.error(
                "opgaveId",
                "unknown-opgave",
                "Verplaatsen kan alleen naar een opgave van dezelfde agenda.",
            ),
        }
        if target.is_some_and(|t| t != d.state.opgave_id) && d.state.bovenliggend_doel_id.is_some()
        {
            b.error(
                "opgaveId",
                "subdoel",
                "Een sub-doel verhuist mee met zijn bovenliggende doel.",
            );
        }
        d.state.agenda_id
    };
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Required)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let if_ctx = ctx.clone();
    state
        .service
        .structural(ctx, |m| {
            let d = m.doelen.get(&id).ok_or_else(|| not_found("doel", id))?;
            check_if_match(&if_ctx, d.version)?;
            if let Some(t) = target.filter(|t| *t != d.state.opgave_id) {
                super::actiebeheer::refuse_vervallen(m, t, None)?;
            }
            if let Some(c) = code.as_ref().filter(|c| Some(*c) != d.state.code.as_ref()) {
                if m.code_in_use(agenda_id, c) {
                    return Err(duplicate_code(c));
                }
            }
            let mut streams = existing(
                id,
                d.version,
                d.state
                    .update(change.clone(), target, code.clone(), vervallen.clone())?,
            );
            // Sub-doelen move with their parent, and their codes follow.
            streams.extend(crate::service::renumber::doel(m, d, code.as_ref(), target)?);
            Ok(streams)
        })
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
