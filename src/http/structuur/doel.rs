//! Doelen: read, add (or a sub-doel, one level deep), change, renumber,
//! move and drop; every rule is [`DoelCommand`]'s.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::policy::{Action, Target};
use crate::domain::doel::DoelCommand;
use crate::domain::structuur::Vervalstatus;
use crate::domain::{Code, Foutcode};
use crate::http::access::require;
use crate::http::dto::{Pagina, Paging};
use crate::http::invoer::{Invoer, Patch, Tekst};
use crate::http::paging;
use crate::http::peil::view::View;
use crate::http::peil::PeilQuery;
use crate::http::problem::InvalidParam;
use crate::http::problem::Problem;
use crate::http::write::{context, etag, IfMatch};
use crate::http::AppState;
use crate::projections::codes::{code_past, sorteer};
use crate::projections::{Entity, ReadModel};

/// A doel (or sub-doel) under an opgave.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DoelDto {
    pub id: Uuid,
    pub agenda_id: Uuid,
    pub opgave_id: Uuid,
    /// De weergavecode van de opgave; leeg als die geen code heeft.
    #[schema(example = "1.1")]
    pub opgave_code: Option<String>,
    /// De eigen code zoals ingevoerd; leeg bij een doel zonder code.
    #[schema(example = "1.1.1")]
    pub code: Option<String>,
    /// De code zoals getoond (afgeleid, alleen-lezen): een code van één deel
    /// onder de weergavecode erboven (opgave `2.1` en doel `3` geeft
    /// `2.1.3`), een langere zoals geschreven; leeg zonder eigen code.
    #[schema(example = "1.1.1")]
    pub weergavecode: Option<String>,
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
    /// De groeperingen waaraan het doel bijdraagt naast die van zijn opgave.
    pub bijdragen: Vec<super::bijdrage::BijdrageDto>,
    pub versie: u64,
}

pub fn doel_dto(e: &Entity<crate::domain::doel::Doel>, m: &ReadModel) -> DoelDto {
    let d = &e.state;
    DoelDto {
        id: e.id,
        agenda_id: d.agenda_id,
        opgave_id: d.opgave_id,
        opgave_code: m.opgave_weergavecode(d.opgave_id).map(String::from),
        code: d.code.as_ref().map(|c| c.to_string()),
        weergavecode: m.doel_weergavecode(e.id).map(String::from),
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
        bijdragen: super::bijdrage::bijdragen_dto(m, &d.bijdragen),
        versie: e.version,
    }
}

pub(super) fn doel_response(
    state: &AppState,
    id: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    crate::http::write::geschreven(status, m.doelen.get(&id), "doel", "doelen", id, |d| {
        doel_dto(d, &m)
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DoelenQuery {
    /// Alleen het doel (of de doelen) met deze weergavecode (bijv. 1.1.1),
    /// of met deze eigen code onder deze opgave (bijv. 1); hoofdletters
    /// tellen niet.
    #[param(
        example = "1.1.1",
        pattern = r"^[0-9A-Za-z]{1,4}(\.[0-9A-Za-z]{1,4}){0,11}$"
    )]
    pub code: Option<String>,
    /// Paginanummer, vanaf 1.
    #[param(minimum = 1, example = 1)]
    pub page: Option<u32>,
    /// Aantal per pagina (standaard 20, maximaal 500).
    #[param(minimum = 1, maximum = 500, example = 20)]
    pub page_size: Option<u32>,
}

/// De doelen van een opgave (sub-doelen na hun bovenliggende doel), op code
/// (doelen zonder code na die met een code, in volgorde van aanmaken).
#[utoipa::path(get, path = "/opgaven/{id}/doelen", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van de opgave"), DoelenQuery, PeilQuery),
    responses(
        (status = 200, description = "Een pagina doelen", body = Pagina<DoelDto>),
        (status = 400, description = "Ongeldige parameters", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Onbekende opgave", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_doelen(
    view: View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<DoelenQuery>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    seen.opgave(*id)?;
    let m = seen.model();
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
    let mut doelen: Vec<_> = m
        .doel_ids_of_opgave(*id)
        .into_iter()
        .filter_map(|d| m.doelen.get(&d))
        .filter(|d| {
            code.as_ref().is_none_or(|c| {
                // Among the opgave's own doelen their own code counts too.
                let own = d
                    .state
                    .code
                    .as_ref()
                    .filter(|_| d.state.bovenliggend_doel_id.is_none());
                code_past(c, m.doel_weergavecode(d.id).as_ref(), own)
            })
        })
        .collect();
    let key = |d: &Entity<crate::domain::doel::Doel>| {
        let top = d
            .state
            .bovenliggend_doel_id
            .and_then(|p| m.doelen.get(&p))
            .map_or(d, |p| &**p);
        (
            sorteer(m.doel_weergavecode(top.id).as_ref()),
            top.aangemaakt,
            top.id,
            d.state.bovenliggend_doel_id.is_some(),
            sorteer(m.doel_weergavecode(d.id).as_ref()),
            d.aangemaakt,
            d.id,
        )
    };
    doelen.sort_by_key(|d| key(d));
    let items = doelen.into_iter().map(|d| doel_dto(d, m)).collect();
    paging::respond(
        &req,
        &Paging {
            page: q.page,
            page_size: q.page_size,
        },
        items,
        m.position,
    )
}

/// Eén doel.
#[utoipa::path(get, path = "/doelen/{id}", tag = "Agenda", params(("id" = Uuid, Path, description = "Id van het doel"), PeilQuery),
    responses((status = 200, description = "Het doel", body = DoelDto), crate::http::responses::ReadErrors))]
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
    /// Optioneel; uniek onder de doelen van dezelfde opgave (een sub-doel:
    /// onder dezelfde bovenliggende doel); hoofdletters tellen niet. Een
    /// code van één deel (`4`) toont onder de code erboven (`1.1.4`), een
    /// langere (`1.1.4`) zoals geschreven.
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
/// only the code can be cleared).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DoelWijziging {
    /// Hernummeren; de uitgeschreven codes van de sub-doelen schuiven mee;
    /// `null` haalt de code weg.
    #[serde(default)]
    #[schema(value_type = Option<Code>)]
    code: Patch<Code>,
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
    responses((status = 201, description = "Aangemaakt", body = DoelDto), crate::http::responses::WriteErrors))]
pub async fn post_doel(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<DoelNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Opgave(*id)))?;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
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
    let outcome = state.service.execute(ctx, &command).await?;
    doel_response(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig, hernummer, verplaats naar een andere opgave of laat vervallen.
#[utoipa::path(patch, path = "/doelen/{id}", tag = "Agenda",
    params(("id" = Uuid, Path, description = "Id van het doel"), ("If-Match" = String, Header, description = "ETag (verplicht)")),
    request_body(content(
        (DoelWijziging = "application/merge-patch+json"),
        (DoelWijziging = "application/json"))),
    responses((status = 200, description = "Gewijzigd", body = DoelDto), crate::http::responses::WriteErrors))]
pub async fn patch_doel(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<DoelWijziging>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Doel(*id)))?;
    let id = *id;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = state.projection.read().agenda_of(id);
    let command = DoelCommand::Wijzig {
        id,
        code: b.code.into_change(),
        titel: b.titel.map(Tekst::into_string),
        omschrijving: b.omschrijving,
        geprioriteerd: b.geprioriteerd,
        opgave_id: b.opgave_id,
        vervalt: b.status.is_some(),
        reden: b.reden,
    };
    state.service.execute(ctx, &command).await?;
    doel_response(&state, id, StatusCode::OK)
}
