//! `POST /agendas` and `PATCH /agendas/{id}`: typed bodies, decided by
//! [`AgendaCommand`].

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::policy::{Action, Target};
use crate::domain::agenda::{AgendaCommand, AgendaStatus, Niveau};
use crate::domain::gemeente::Uitvoeringsperiode;
use crate::http::access::require;
use crate::http::dto::AgendaDto;
use crate::http::invoer::{Datum, Invoer, Tekst};
use crate::http::problem::Problem;
use crate::http::write::{context, IfMatch};
use crate::http::AppState;

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
    /// Per gemeente de periode waarin zij haar deel uitvoert (binnen de periode van de agenda, hoogstens één per gemeente). Acties van die gemeente moeten erin vallen.
    #[schema(nullable = false)]
    uitvoeringsperioden: Option<Vec<UitvoeringsperiodeNieuw>>,
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

/// The period in which one gemeente of a shared agenda carries out its acties.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UitvoeringsperiodeNieuw {
    /// Een van de gemeenten van de agenda.
    #[schema(example = "Borne")]
    gemeente: Tekst,
    start_datum: Datum,
    /// Niet vóór de startdatum.
    eind_datum: Datum,
}

fn uitvoeringsperioden(v: Vec<UitvoeringsperiodeNieuw>) -> Vec<Uitvoeringsperiode> {
    v.into_iter()
        .map(|p| Uitvoeringsperiode {
            gemeente: p.gemeente.into_string(),
            start_datum: p.start_datum.0,
            eind_datum: p.eind_datum.0,
        })
        .collect()
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
    /// Vervangt de uitvoeringsperioden per gemeente (een lege lijst: geen).
    #[schema(nullable = false)]
    uitvoeringsperioden: Option<Vec<UitvoeringsperiodeNieuw>>,
    /// Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.
    toelichting: Option<String>,
}

fn agenda_response(
    state: &AppState,
    id: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let model = state.projection.read();
    crate::http::write::geschreven(
        status,
        model.agendas.get(&id),
        "agenda",
        "agendas",
        id,
        |a| AgendaDto::from(a, &model),
    )
}

/// Maak een (lege) agenda aan.
#[utoipa::path(post, path = "/agendas", tag = "Agenda",
    params(("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel maakt niets nieuws aan")),
    request_body = AgendaNieuw,
    responses((status = 201, description = "Aangemaakt", body = AgendaDto), crate::http::responses::WriteErrors))]
pub async fn post_agenda(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Invoer<AgendaNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::AgendaAanmaken)?;
    let b = body.waarde;
    let ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
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
        uitvoeringsperioden: uitvoeringsperioden(b.uitvoeringsperioden.unwrap_or_default()),
    };
    let outcome = state.service.execute(ctx, &command).await?;
    agenda_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig naam, omschrijving, status, publicatie, signaleringstermijn of uitvoeringsperioden van een agenda.
#[utoipa::path(patch, path = "/agendas/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de agenda"), ("If-Match" = String, Header, description = "ETag van de agenda (verplicht)")),
    request_body(content(
        (AgendaWijziging = "application/merge-patch+json"),
        (AgendaWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd", body = AgendaDto), crate::http::responses::WriteErrors))]
pub async fn patch_agenda(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<AgendaWijziging>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Agenda(*id)))?;
    let id = *id;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = Some(id);
    let command = AgendaCommand::Wijzig {
        id,
        naam: b.naam.map(Tekst::into_string),
        omschrijving: b.omschrijving,
        status: b.status,
        gepubliceerd: b.gepubliceerd,
        signaleringstermijn_dagen: b.signaleringstermijn_dagen,
        uitvoeringsperioden: b.uitvoeringsperioden.map(uitvoeringsperioden),
    };
    state.service.execute(ctx, &command).await?;
    agenda_response(&state, id, StatusCode::OK)
}
