//! Groeperingen (themalijnen, maatschappelijke effecten, ...): read, add,
//! rename and renumber; the level hierarchy and what a renumber carries
//! along are [`GroeperingCommand`]'s rules.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::policy::{Action, Target};
use crate::domain::agenda::GroeperingCommand;
use crate::domain::Code;
use crate::http::access::require;
use crate::http::dto::{Pagina, Paging};
use crate::http::invoer::{Invoer, Patch, Tekst};
use crate::http::paging;
use crate::http::peil::view::View;
use crate::http::peil::PeilQuery;
use crate::http::problem::Problem;
use crate::http::write::{context, etag, IfMatch};
use crate::http::AppState;
use crate::projections::codes::sorteer;
use crate::projections::{Entity, ReadModel};

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
    /// De code zoals getoond (afgeleid, alleen-lezen): een code van één deel
    /// onder de weergavecode van de bovenliggende groepering; leeg zonder
    /// eigen code.
    #[schema(example = "1")]
    pub weergavecode: Option<String>,
    #[schema(example = "Zelfredzame Twenterander")]
    pub naam: String,
    pub omschrijving: String,
    /// De weergavecodes van de opgaven met een code in deze groepering.
    pub opgave_codes: Vec<String>,
    /// Wat aan deze groepering bijdraagt: de opgaven die er zelf in staan (primair), dan de opgaven en doelen die er daarnaast aan bijdragen (bijdrage).
    pub onderdelen: Vec<super::bijdrage::OnderdeelDto>,
    pub versie: u64,
}

fn groepering_dto(e: &Entity<crate::domain::agenda::Groepering>, m: &ReadModel) -> GroeperingDto {
    let g = &e.state;
    let mut codes: Vec<Code> = m
        .opgaven
        .values()
        .filter(|o| o.state.groepering_id == Some(e.id))
        .filter_map(|o| m.opgave_weergavecode(o.id))
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
        weergavecode: m.groepering_weergavecode(e.id).map(String::from),
        naam: g.naam.clone(),
        omschrijving: g.omschrijving.clone(),
        opgave_codes: codes.into_iter().map(|c| c.to_string()).collect(),
        onderdelen: super::bijdrage::onderdelen(m, e.id),
        versie: e.version,
    }
}

fn groepering_response(
    state: &AppState,
    id: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    crate::http::write::geschreven(
        status,
        m.groeperingen.get(&id),
        "groepering",
        "groeperingen",
        id,
        |g| groepering_dto(g, &m),
    )
}

/// De groeperingen boven de opgaven (bij Twenterand: themalijnen), op code.
#[utoipa::path(get, path = "/agendas/{id}/groeperingen", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de agenda"), Paging, PeilQuery),
    responses((status = 200, description = "Een pagina groeperingen", body = Pagina<GroeperingDto>), crate::http::responses::ReadErrors))]
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
        let code = g
            .weergavecode
            .as_deref()
            .and_then(|c| Code::parse_weergave(c).ok());
        (g.niveau, sorteer(code.as_ref()), g.naam.clone())
    });
    paging::respond(&req, &q, items, m.position)
}

/// Eén groepering.
#[utoipa::path(get, path = "/groeperingen/{id}", tag = "Agenda", params(("id" = Uuid, Path, description = "Id van de groepering"), PeilQuery),
    responses((status = 200, description = "De groepering", body = GroeperingDto), crate::http::responses::ReadErrors))]
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
/// change; only the code can be cleared).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroeperingWijziging {
    /// Hernummeren: uniek onder de groeperingen met dezelfde bovenliggende
    /// groepering; de uitgeschreven codes eronder (groeperingen, opgaven,
    /// doelen) schuiven mee; `null` haalt de code weg.
    #[serde(default)]
    #[schema(value_type = Option<Code>)]
    code: Patch<Code>,
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
    responses((status = 201, description = "Aangemaakt", body = GroeperingDto), crate::http::responses::WriteErrors))]
pub async fn post_groepering(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<GroeperingNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Agenda(*id)))?;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
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
    let outcome = state.service.execute(ctx, &command).await?;
    groepering_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig naam of omschrijving van een groepering, of hernummer haar (de uitgeschreven codes eronder schuiven mee).
#[utoipa::path(patch, path = "/groeperingen/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de groepering"), ("If-Match" = String, Header, description = "ETag (verplicht)")),
    request_body(content(
        (GroeperingWijziging = "application/merge-patch+json"),
        (GroeperingWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd", body = GroeperingDto), crate::http::responses::WriteErrors))]
pub async fn patch_groepering(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<GroeperingWijziging>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Groepering(*id)))?;
    let id = *id;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = state.projection.read().agenda_of(id);
    let command = GroeperingCommand::Wijzig {
        id,
        code: b.code.into_change(),
        naam: b.naam.map(Tekst::into_string),
        omschrijving: b.omschrijving,
    };
    state.service.execute(ctx, &command).await?;
    groepering_response(&state, id, StatusCode::OK)
}
