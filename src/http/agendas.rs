//! `/agendas`, `/agendas/{id}`, `/agendas/{id}/opgaven`, `/opgaven/{id}`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::{AgendaDto, OpgaveDto, Pagina, Paging};
use super::paging;
use super::peil::view::View;
use super::peil::PeilQuery;
use super::problem::{InvalidParam, Problem};
use super::structuur::bijdrage::{soort_opgave, BijdrageSoort};
use super::write::etag;
use crate::domain::opgave::Opgave;
use crate::domain::Code;
use crate::domain::Foutcode;
use crate::projections::codes::{code_past, sorteer};
use crate::projections::Entity;

/// Lijst van agenda's.
#[utoipa::path(get, path = "/agendas", tag = "Agenda", params(Paging, PeilQuery),
    responses(
        (status = 200, description = "Een pagina agenda's", body = Pagina<AgendaDto>),
        (status = 400, description = "Ongeldige parameters", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_agendas(
    view: View,
    req: HttpRequest,
    paging_q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    // what the caller may read now, also when reading a past state
    let seen = view.read();
    let model = seen.model();
    let mut items: Vec<AgendaDto> = model
        .agendas
        .values()
        .filter(|a| seen.sees(a.id))
        .map(|a| AgendaDto::from(a, model))
        .collect();
    items.sort_by(|a, b| a.naam.cmp(&b.naam).then(a.id.cmp(&b.id)));
    paging::respond(&req, &paging_q, items, model.position)
}

/// Eén agenda.
#[utoipa::path(get, path = "/agendas/{id}", tag = "Agenda", params(("id" = Uuid, Path, description = "Id van de agenda"), PeilQuery),
    responses(
        (status = 200, description = "De agenda", body = AgendaDto),
        super::responses::ReadErrors,
    ))]
pub async fn get_agenda(view: View, id: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    let agenda = seen.agenda(*id)?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(agenda.version)))
        .json(AgendaDto::from(agenda, seen.model())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OpgavenQuery {
    /// Alleen de opgave(n) met deze weergavecode (bijv. 1.1), of met deze
    /// eigen code binnen de gevraagde groepering; hoofdletters tellen niet.
    #[param(
        example = "1.1",
        pattern = r"^[0-9A-Za-z]{1,4}(\.[0-9A-Za-z]{1,4}){0,11}$"
    )]
    pub code: Option<String>,
    /// Alleen de opgaven van deze groepering (id): die er zelf in staan
    /// (`soort: primair`), daarna die eraan bijdragen (`soort: bijdrage`),
    /// elk op code; zoals `/groeperingen/{id}/opgaven`.
    pub groepering: Option<Uuid>,
    /// Paginanummer, vanaf 1.
    #[param(minimum = 1, example = 1)]
    pub page: Option<u32>,
    /// Aantal per pagina (standaard 20, maximaal 500).
    #[param(minimum = 1, maximum = 500, example = 20)]
    pub page_size: Option<u32>,
}

/// An opgave of the agenda's list; with `?groepering=` also how it
/// belongs to that groepering.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaOpgaveDto {
    /// Alleen met ?groepering=: primair (de opgave staat in de groepering) of bijdrage (de opgave staat elders en draagt eraan bij).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soort: Option<BijdrageSoort>,
    #[serde(flatten)]
    pub opgave: OpgaveDto,
}

/// Opgaven van een agenda, op code gesorteerd (met ?groepering= eerst de primaire, dan de bijdragende).
#[utoipa::path(get, path = "/agendas/{id}/opgaven", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de agenda"), OpgavenQuery, PeilQuery),
    responses(
        (status = 200, description = "Een pagina opgaven", body = Pagina<AgendaOpgaveDto>),
        (status = 400, description = "Ongeldige parameters", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Onbekende agenda", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_opgaven(
    view: View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<OpgavenQuery>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    seen.agenda(*id)?;
    let model = seen.model();
    let code = match &q.code {
        None => None,
        Some(raw) => Some(Code::parse_weergave(raw).map_err(|r| {
            Problem::invalid(vec![InvalidParam::new(
                "query.code",
                Foutcode::InvalidCode,
                r,
            )])
        })?),
    };
    if let Some(g) = q.groepering {
        if model
            .groeperingen
            .get(&g)
            .is_none_or(|x| x.state.agenda_id != *id)
        {
            return Err(Problem::invalid(vec![InvalidParam::new(
                "query.groepering",
                Foutcode::UnknownGroepering,
                format!("Er is geen groepering {g} in deze agenda."),
            )]));
        }
    }
    // With a groepering: its opgaven and those contributing to it, in the
    // order and with the soort of `/groeperingen/{id}/opgaven`.
    let soort = |o: &Entity<Opgave>| match q.groepering {
        None => Some(None),
        Some(g) => soort_opgave(&o.state, g).map(Some),
    };
    let mut opgaven: Vec<_> = model
        .opgaven
        .values()
        .filter(|o| o.state.agenda_id == *id)
        .filter_map(|o| soort(o).map(|s| (o, s, model.opgave_weergavecode(o.id))))
        .filter(|(o, s, w)| {
            code.as_ref().is_none_or(|c| {
                // Within a given groepering its own code counts too (not
                // that of an opgave placed elsewhere that contributes).
                let own = o
                    .state
                    .code
                    .as_ref()
                    .filter(|_| *s == Some(BijdrageSoort::Primair));
                code_past(c, w.as_ref(), own)
            })
        })
        .collect();
    opgaven.sort_by_key(|(o, s, w)| (*s, sorteer(w.as_ref()), o.aangemaakt, o.id));
    let items: Vec<AgendaOpgaveDto> = opgaven
        .into_iter()
        .map(|(o, soort, _)| AgendaOpgaveDto {
            soort,
            opgave: OpgaveDto::from(o, model),
        })
        .collect();
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

/// Eén opgave.
#[utoipa::path(get, path = "/opgaven/{id}", tag = "Agenda", params(("id" = Uuid, Path, description = "Id van de opgave"), PeilQuery),
    responses(
        (status = 200, description = "De opgave", body = OpgaveDto),
        (status = 400, description = "Ongeldig id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Onbekende opgave", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_opgave(view: View, id: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    let o = seen.opgave(*id)?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(o.version)))
        .json(OpgaveDto::from(o, seen.model())))
}

#[derive(OpenApi)]
#[openapi(paths(list_agendas, get_agenda, list_opgaven, get_opgave))]
pub struct Api;

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/agendas", web::get().to(list_agendas))
        .route("/agendas/{id}", web::get().to(get_agenda))
        .route("/agendas/{id}/opgaven", web::get().to(list_opgaven))
        .route("/opgaven/{id}", web::get().to(get_opgave));
}
