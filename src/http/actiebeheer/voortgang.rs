//! Voortgangsberichten of an actie: the list, one bericht, a new one, and
//! a correction or withdrawal (as new events; the original stays in the
//! history).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::agenda_van;
use crate::access::policy::Action;
use crate::domain::actie::{ActieCommand, Voortgangsbericht};
use crate::domain::events::Event;
use crate::event_store::AppendOutcome;
use crate::http::access::require;
use crate::http::dto::{Pagina, Paging};
use crate::http::invoer::{Datum, Invoer, Tekst};
use crate::http::paging;
use crate::http::peil::view::View;
use crate::http::peil::PeilQuery;
use crate::http::problem::Problem;
use crate::http::write::{context, etag, IfMatch};
use crate::http::AppState;
use crate::projections::ReadModel;

/// A progress note on an actie.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VoortgangsberichtDto {
    pub id: Uuid,
    pub actie_id: Uuid,
    /// Waar het bericht over gaat (datum in de wereld).
    pub datum: NaiveDate,
    pub auteur_organisatie_id: Option<Uuid>,
    pub auteur_organisatie_naam: Option<String>,
    pub tekst: String,
    pub gecorrigeerd: bool,
    pub ingetrokken: bool,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
}

fn bericht_dto(m: &ReadModel, actie_id: Uuid, v: &Voortgangsbericht) -> VoortgangsberichtDto {
    VoortgangsberichtDto {
        id: v.id,
        actie_id,
        datum: v.datum,
        auteur_organisatie_id: v.auteur_organisatie_id,
        auteur_organisatie_naam: v
            .auteur_organisatie_id
            .and_then(|o| m.organisaties.get(&o))
            .map(|o| o.state.naam.clone()),
        tekst: v.tekst.to_string(),
        gecorrigeerd: v.gecorrigeerd,
        ingetrokken: v.ingetrokken,
        registratie_tijdstip: v.geregistreerd,
    }
}

/// The berichten of an actie, newest first, rendered lazily (a page of a
/// long list renders only that page).
fn berichten(
    m: &ReadModel,
    actie_id: Uuid,
) -> Option<impl ExactSizeIterator<Item = VoortgangsberichtDto> + '_> {
    let a = m.acties.get(&actie_id)?;
    Some(
        a.state
            .voortgangsberichten
            .iter()
            .rev()
            .map(move |v| bericht_dto(m, actie_id, v)),
    )
}

/// De voortgangsberichten van een actie, nieuwste eerst (ingetrokken berichten blijven zichtbaar als ingetrokken).
#[utoipa::path(get, path = "/acties/{id}/voortgangsberichten", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de actie"), Paging, PeilQuery),
    responses((status = 200, description = "Een pagina berichten", body = Pagina<VoortgangsberichtDto>), crate::http::responses::ReadErrors))]
pub async fn list_voortgang(
    view: View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    seen.actie(*id)?;
    let m = seen.model();
    let items = berichten(m, *id)
        .ok_or_else(|| view.not_found(crate::domain::niet_gevonden("actie", *id), *id))?;
    paging::respond_iter(&req, &q, items, m.position)
}

/// Eén voortgangsbericht van een actie (de `Location` van een nieuw bericht). Een ingetrokken
/// bericht blijft leesbaar, met `ingetrokken: true`; de `ETag` is die van de actie (nodig om het
/// bericht te corrigeren of in te trekken).
#[utoipa::path(get, path = "/acties/{id}/voortgangsberichten/{berichtId}", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de actie"), ("berichtId" = Uuid, Path, description = "Id van het bericht"), PeilQuery),
    responses((status = 200, description = "Het bericht", body = VoortgangsberichtDto,
        headers(("ETag" = String, description = "Versie van de actie"))), crate::http::responses::ReadErrors))]
pub async fn get_bericht(
    view: View,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, Problem> {
    let (id, bericht) = *path;
    let seen = view.read();
    seen.actie(id)?;
    let m = seen.model();
    let a = m
        .acties
        .get(&id)
        .ok_or_else(|| view.not_found(crate::domain::niet_gevonden("actie", id), id))?;
    let b = a
        .state
        .voortgangsberichten
        .iter()
        .find(|b| b.id == bericht)
        .ok_or_else(|| {
            Problem::not_found(format!(
                "Er is geen voortgangsbericht {bericht} bij actie {id}."
            ))
        })?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(a.version)))
        .json(bericht_dto(m, id, b)))
}

/// Body of a new voortgangsbericht.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VoortgangsberichtNieuw {
    #[schema(example = "Eerste informatieavond gehouden met 40 deelnemers.")]
    tekst: Tekst,
    /// Waar het bericht over gaat; standaard vandaag. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[schema(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-")]
    datum: Option<Datum>,
    /// Namens welke organisatie; een partner-token schrijft namens de eigen organisatie.
    auteur_organisatie_id: Option<Uuid>,
}

/// Body to correct a voortgangsbericht (`tekst`) or to withdraw it
/// (`ingetrokken: true`, optionally with a `reden`); one of the two.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VoortgangsberichtWijziging {
    /// De gecorrigeerde tekst.
    #[schema(nullable = false)]
    tekst: Option<Tekst>,
    /// `true` trekt het bericht in (niet samen met `tekst`).
    #[schema(nullable = false)]
    ingetrokken: Option<bool>,
    /// Bij intrekken: waarom.
    #[schema(nullable = false)]
    reden: Option<String>,
}

/// Meld voortgang op een actie.
#[utoipa::path(post, path = "/acties/{id}/voortgangsberichten", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de actie"),
        ("If-Match" = Option<String>, Header, description = "ETag van de actie (optioneel)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel voegt niets toe")),
    request_body = VoortgangsberichtNieuw,
    responses((status = 201, description = "Toegevoegd", body = VoortgangsberichtDto,
        headers(("Location" = String, description = "Het nieuwe bericht (GET /v1/acties/{id}/voortgangsberichten/{berichtId})"),
            ("ETag" = String, description = "Versie van de actie"))), crate::http::responses::WriteErrors))]
pub async fn post_voortgang(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<VoortgangsberichtNieuw>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::VoortgangToevoegen(*id))?;
    let id = *id;
    let b = body.waarde;
    let auteur = crate::access::policy::namens(&bevoegd, b.auteur_organisatie_id)
        .map_err(crate::http::access::denied)?;
    let mut ctx = context(&bevoegd, &req, &body.json, IfMatch::Optional)?;
    ctx.metadata.agenda_id = agenda_van(&state, id);
    let bericht_id = Uuid::now_v7();
    let command = ActieCommand::MeldVoortgang {
        id,
        bericht_id,
        datum: b.datum.map_or_else(crate::kalender::today, |d| d.0),
        auteur_organisatie_id: auteur,
        tekst: b.tekst.into_string(),
    };
    let outcome = state.service.execute(ctx, &command).await?;
    bericht_response(
        &state,
        id,
        outcome_bericht(&state, bericht_id, &outcome),
        StatusCode::CREATED,
    )
}

/// On an idempotent retry the bericht the first request added is returned
/// (read from the event at the stored outcome's position).
fn outcome_bericht(state: &AppState, fresh: Uuid, outcome: &AppendOutcome) -> Uuid {
    if !outcome.duplicate {
        return fresh;
    }
    state
        .store
        .event_at(outcome.first_position)
        .ok()
        .flatten()
        .and_then(
            |e| match Event::decode(&e.event_type, e.schema_version, &e.data) {
                Ok(Event::VoortgangsberichtToegevoegd(v)) => Some(v.bericht_id),
                _ => None,
            },
        )
        .unwrap_or(fresh)
}

fn bericht_response(
    state: &AppState,
    actie: Uuid,
    bericht: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    let version = m.acties.get(&actie).map(|a| a.version).unwrap_or_default();
    // The bericht just written is normally the newest: search from the end.
    let dto = m
        .acties
        .get(&actie)
        .and_then(|a| {
            a.state
                .voortgangsberichten
                .iter()
                .rev()
                .find(|b| b.id == bericht)
        })
        .map(|b| bericht_dto(&m, actie, b))
        .ok_or_else(|| {
            Problem::not_found(format!(
                "Er is geen voortgangsbericht {bericht} bij actie {actie}."
            ))
        })?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(version)))
        .insert_header((
            "Location",
            format!("/v1/acties/{actie}/voortgangsberichten/{bericht}"),
        ))
        .json(dto))
}

/// Corrigeer de tekst van een voortgangsbericht, of trek het in. Het origineel blijft in de historie.
#[utoipa::path(patch, path = "/acties/{id}/voortgangsberichten/{berichtId}", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de actie"), ("berichtId" = Uuid, Path, description = "Id van het bericht"),
        ("If-Match" = String, Header, description = "ETag van de actie (verplicht)")),
    request_body(content(
        (VoortgangsberichtWijziging = "application/merge-patch+json"),
        (VoortgangsberichtWijziging = "application/json"))),
    responses((status = 200, description = "Gecorrigeerd of ingetrokken", body = VoortgangsberichtDto), crate::http::responses::WriteErrors))]
pub async fn patch_voortgang(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: Invoer<VoortgangsberichtWijziging>,
) -> Result<HttpResponse, Problem> {
    let (id, bericht_id) = *path;
    let action = Action::VoortgangWijzigen {
        actie: id,
        bericht: bericht_id,
    };
    let bevoegd = require(&req, &state, action)?;
    let b = body.waarde;
    let mut ctx = context(&bevoegd, &req, &body.json, IfMatch::Required)?;
    ctx.metadata.agenda_id = agenda_van(&state, id);
    let command = ActieCommand::WijzigVoortgang {
        id,
        bericht_id,
        tekst: b.tekst.map(Tekst::into_string),
        intrekken: b.ingetrokken.unwrap_or(false),
        reden: b.reden,
    };
    state.service.execute(ctx, &command).await?;
    bericht_response(&state, id, bericht_id, StatusCode::OK)
}
