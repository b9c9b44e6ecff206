//! Creating and editing acties, their voortgangsberichten, and the history of
//! their status changes.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::dto::{ActieDto, Pagina, Paging};
use super::paging;
use super::peil::view::View;
use super::peil::PeilQuery;
use super::problem::Problem;
use super::write::{context, etag, service_problem, Body, IfMatch};
use crate::access::policy::{Action, Target};
use crate::domain::actie::ActieStatus;
use crate::domain::actie::{self, Trekker, Voortgangsbericht};
use crate::domain::events::{ActieAangemaakt, ActieGewijzigd, Event, VoortgangsberichtToegevoegd};
use crate::domain::DomainError;
use crate::event_store::{AppendOutcome, ExpectedVersion};
use crate::http::AppState;
use crate::projections::ReadModel;
use crate::service::{ServiceError, StreamEvents};

use super::acties::actie_response;
use crate::domain::Foutcode;

/// Reads `trekker` ({soort: organisatie|groep, organisatieId|naam} or null).
pub fn trekker_field(b: &mut Body, m: &ReadModel) -> Option<Trekker> {
    let v = b.object("trekker")?;
    let mut t = Body::new(v, &["soort", "organisatieId", "naam"]);
    let soort = t.choice("soort", true, &[("organisatie", 0u8), ("groep", 1)]);
    let org = t.uuid("organisatieId", soort == Some(0));
    let naam = t.string("naam", soort == Some(1));
    if let Some(o) = org {
        if !m.organisaties.contains_key(&o) {
            t.error(
                "organisatieId",
                Foutcode::UnknownOrganisatie,
                format!("Er is geen organisatie met id {o}."),
            );
        }
    }
    let ok = t.errors.is_empty();
    b.absorb("trekker", t);
    match (ok, soort, org, naam) {
        (true, Some(0), Some(organisatie_id), _) => Some(Trekker::Organisatie { organisatie_id }),
        (true, Some(1), _, Some(naam)) => Some(Trekker::Groep { naam }),
        _ => None,
    }
}

fn partners_field(b: &mut Body, m: &ReadModel) -> Option<Vec<Uuid>> {
    let raw = b.get_raw("partners").and_then(Value::as_array);
    let partners = b.uuids("partners")?;
    // Report by the index in the request (entries that are no UUID are skipped by `uuids`).
    let parsed = raw.into_iter().flatten().enumerate().filter_map(|(i, v)| {
        v.as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .map(|p| (i, p))
    });
    for (i, p) in parsed {
        if !m.organisaties.contains_key(&p) {
            b.error(
                &format!("partners[{i}]"),
                Foutcode::UnknownOrganisatie,
                format!("Er is geen organisatie met id {p}."),
            );
        }
    }
    Some(partners)
}

fn period_check(
    b: &mut Body,
    name: &str,
    date: Option<NaiveDate>,
    agenda: &crate::domain::agenda::Agenda,
) {
    if let Some(d) = date.filter(|d| !agenda.covers(*d)) {
        b.error(
            name,
            Foutcode::OutsidePeriod,
            format!(
                "{d} ligt buiten de periode van de agenda ({} t/m {}).",
                agenda.periode_start, agenda.periode_eind
            ),
        );
    }
}

/// Body for an actie.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ActieIn {
    #[schema(example = "De bibliotheek organiseert vier taalcafés per kern.")]
    omschrijving: Option<String>,
    /// Standaard het beginjaar van de agenda.
    #[schema(example = 2024)]
    jaar: Option<i32>,
    /// Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    geplande_start_datum: Option<NaiveDate>,
    /// Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    geplande_eind_datum: Option<NaiveDate>,
    /// Alleen bij aanmaken; daarna via PUT /acties/{id}/trekker. Leeg: trekkersrol nog in te vullen.
    trekker: Option<super::dto::TrekkerDto>,
    /// Id's van samenwerkingspartners (organisaties).
    partners: Option<Vec<Uuid>>,
    /// Alleen bij wijzigen: verplaats naar een andere opgave (van dezelfde agenda).
    opgave_id: Option<Uuid>,
    /// Alleen bij wijzigen: verplaats naar een ander doel (of null: direct onder de opgave).
    doel_id: Option<Uuid>,
    toelichting: Option<String>,
}

async fn create(
    bevoegd: &super::access::Bevoegd,
    state: &AppState,
    req: &HttpRequest,
    body: &Value,
    opgave_id: Uuid,
    doel_id: Option<Uuid>,
) -> Result<HttpResponse, Problem> {
    let mut b = Body::new(
        body,
        &[
            "omschrijving",
            "jaar",
            "geplandeStartDatum",
            "geplandeEindDatum",
            "trekker",
            "partners",
            "toelichting",
        ],
    );
    let omschrijving = b.string("omschrijving", true);
    let jaar = b.integer("jaar", 1900, 2200).map(|j| j as i32);
    let start = b.date("geplandeStartDatum");
    let eind = b.date("geplandeEindDatum");
    b.string("toelichting", false);
    let (agenda_id, trekker, partners, default_year) = {
        let m = state.projection.read();
        let o = m
            .opgaven
            .get(&opgave_id)
            .ok_or_else(|| Problem::not_found(format!("Er is geen opgave met id {opgave_id}.")))?;
        let agenda = &m
            .agendas
            .get(&o.state.agenda_id)
            .ok_or_else(|| Problem::not_found("De agenda van deze opgave bestaat niet."))?
            .state;
        period_check(&mut b, "geplandeStartDatum", start, agenda);
        period_check(&mut b, "geplandeEindDatum", eind, agenda);
        let trekker = trekker_field(&mut b, &m);
        let partners = partners_field(&mut b, &m).unwrap_or_default();
        (
            o.state.agenda_id,
            trekker,
            partners,
            chrono::Datelike::year(&agenda.periode_start),
        )
    };
    b.finish()?;
    let mut ctx = context(bevoegd, req, body, IfMatch::Optional)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let mut event = ActieAangemaakt {
        kenmerk: None,
        agenda_id,
        opgave_id,
        doel_id,
        omschrijving: omschrijving.unwrap_or_default().trim().to_owned(),
        jaar: jaar.unwrap_or(default_year),
        geplande_start_datum: start,
        geplande_eind_datum: eind,
        trekker,
        partners,
        status: ActieStatus::Gepland,
    };
    let outcome = state
        .service
        .structural(ctx, |m| {
            refuse_vervallen(m, opgave_id, doel_id)?;
            // Under the structure lock: no other create takes the same kenmerk.
            event.kenmerk = Some(m.volgend_kenmerk(agenda_id, opgave_id, doel_id));
            Ok(vec![StreamEvents {
                stream_id: Uuid::now_v7(),
                expected: ExpectedVersion::NoStream,
                events: actie::create(event)?,
            }])
        })
        .await
        .map_err(service_problem)?;
    actie_response(state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// A vervallen opgave or doel takes no new acties (409).
pub fn refuse_vervallen(
    m: &ReadModel,
    opgave_id: Uuid,
    doel_id: Option<Uuid>,
) -> Result<(), ServiceError> {
    let opgave = m
        .opgaven
        .get(&opgave_id)
        .and_then(|o| o.state.vervallen.as_ref());
    let doel = doel_id
        .and_then(|d| m.doelen.get(&d))
        .and_then(|d| d.state.vervallen.as_ref());
    match (opgave, doel) {
        (Some(reden), _) => Err(DomainError::conflict(
            Foutcode::OpgaveVervallen,
            format!("Deze opgave is vervallen ({reden}); er kan niets meer onder."),
        )
        .into()),
        (_, Some(reden)) => Err(DomainError::conflict(
            Foutcode::DoelVervallen,
            format!("Dit doel is vervallen ({reden}); er kan niets meer onder."),
        )
        .into()),
        _ => Ok(()),
    }
}

/// Voeg een actie toe aan een doel.
#[utoipa::path(post, path = "/doelen/{id}/acties", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van het doel"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = ActieIn,
    responses((status = 201, description = "Aangemaakt, status gepland", body = ActieDto), super::responses::WriteErrors))]
pub async fn post_actie_onder_doel(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Doel(*id)))?;
    let opgave = state
        .projection
        .read()
        .doelen
        .get(&id)
        .map(|d| d.state.opgave_id);
    let opgave =
        opgave.ok_or_else(|| Problem::not_found(format!("Er is geen doel met id {id}.")))?;
    create(&bevoegd, &state, &req, &body, opgave, Some(*id)).await
}

/// Voeg een actie direct onder een opgave toe (zonder doel, zoals opgave 2.1).
#[utoipa::path(post, path = "/opgaven/{id}/acties", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de opgave"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = ActieIn,
    responses((status = 201, description = "Aangemaakt, status gepland", body = ActieDto), super::responses::WriteErrors))]
pub async fn post_actie_onder_opgave(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Opgave(*id)))?;
    create(&bevoegd, &state, &req, &body, *id, None).await
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
    request_body = ActieIn,
    responses((status = 200, description = "Gewijzigd", body = ActieDto), super::responses::WriteErrors))]
pub async fn patch_actie(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::Beheren(Target::Actie(*id)))?;
    let id = *id;
    let mut b = Body::new(
        &body,
        &[
            "omschrijving",
            "jaar",
            "geplandeStartDatum",
            "geplandeEindDatum",
            "partners",
            "opgaveId",
            "doelId",
            "toelichting",
        ],
    );
    let mut change = ActieGewijzigd {
        omschrijving: b.string("omschrijving", false),
        jaar: b.integer("jaar", 1900, 2200).map(|j| j as i32),
        ..Default::default()
    };
    if b.has("geplandeStartDatum") {
        change.geplande_start_datum = Some(b.date("geplandeStartDatum"));
    }
    if b.has("geplandeEindDatum") {
        change.geplande_eind_datum = Some(b.date("geplandeEindDatum"));
    }
    b.string("toelichting", false);
    let opgave_in = b.uuid("opgaveId", false);
    let doel_in = if b.has("doelId") {
        Some(b.uuid("doelId", false))
    } else {
        None
    };
    let (agenda_id, partners, verplaats) = {
        let m = state.projection.read();
        let a = m
            .acties
            .get(&id)
            .ok_or_else(|| Problem::not_found(format!("Er is geen actie met id {id}.")))?;
        if let Some(agenda) = m.agendas.get(&a.state.agenda_id) {
            period_check(
                &mut b,
                "geplandeStartDatum",
                change.geplande_start_datum.flatten(),
                &agenda.state,
            );
            period_check(
                &mut b,
                "geplandeEindDatum",
                change.geplande_eind_datum.flatten(),
                &agenda.state,
            );
        }
        let partners = partners_field(&mut b, &m);
        let verplaats = match (opgave_in, doel_in) {
            (None, None) => None,
            (o, Some(Some(d))) => match m.doelen.get(&d) {
                Some(doel)
                    if doel.state.agenda_id == a.state.agenda_id
                        && o.is_none_or(|o| o == doel.state.opgave_id) =>
                {
                    Some((doel.state.opgave_id, Some(d)))
                }
                _ => {
                    b.error("doelId", Foutcode::UnknownDoel, "Verplaatsen kan naar een doel van dezelfde agenda (en, als opgaveId ook gegeven is, van die opgave).");
                    None
                }
            },
            (o, _) => {
                let opgave = o.unwrap_or(m.opgave_of(&a.state));
                match m.opgaven.get(&opgave) {
                    // Naming the current opgave keeps the actie under its doel.
                    Some(x) if x.state.agenda_id == a.state.agenda_id => Some((
                        opgave,
                        if doel_in.is_some() {
                            None
                        } else {
                            a.state.doel_id.filter(|_| opgave == m.opgave_of(&a.state))
                        },
                    )),
                    _ => {
                        b.error(
                            "opgaveId",
                            Foutcode::UnknownOpgave,
                            "Verplaatsen kan alleen naar een opgave van dezelfde agenda.",
                        );
                        None
                    }
                }
            }
        };
        // Where the actie is now: its doel may have moved to another opgave.
        let here = (m.opgave_of(&a.state), a.state.doel_id);
        (
            a.state.agenda_id,
            partners,
            verplaats.filter(|v| *v != here),
        )
    };
    b.finish()?;
    let mut ctx = context(&bevoegd, &req, &body, IfMatch::Required)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    state
        .service
        .update(id, ctx, |m| {
            let a = m
                .acties
                .get(&id)
                .ok_or_else(|| ServiceError::NotFound(format!("Er is geen actie met id {id}.")))?;
            // Decide against the opgave the actie is under now (its doel may have moved).
            let mut current = a.state.clone();
            current.opgave_id = m.opgave_of(&a.state);
            Ok((
                a.version,
                current.update(change.clone(), verplaats, partners.clone())?,
            ))
        })
        .await
        .map_err(service_problem)?;
    actie_response(&state, id, StatusCode::OK)
}

// ---------- voortgangsberichten ----------

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
        tekst: v.tekst.clone(),
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
    responses((status = 200, description = "Een pagina berichten", body = Pagina<VoortgangsberichtDto>), super::responses::ReadErrors))]
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
        .ok_or_else(|| view.not_found(format!("Er is geen actie met id {id}."), *id))?;
    paging::respond_iter(&req, &q, items, m.position)
}

/// Eén voortgangsbericht van een actie (de `Location` van een nieuw bericht). Een ingetrokken
/// bericht blijft leesbaar, met `ingetrokken: true`; de `ETag` is die van de actie (nodig om het
/// bericht te corrigeren of in te trekken).
#[utoipa::path(get, path = "/acties/{id}/voortgangsberichten/{berichtId}", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de actie"), ("berichtId" = Uuid, Path, description = "Id van het bericht"), PeilQuery),
    responses((status = 200, description = "Het bericht", body = VoortgangsberichtDto,
        headers(("ETag" = String, description = "Versie van de actie"))), super::responses::ReadErrors))]
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
        .ok_or_else(|| view.not_found(format!("Er is geen actie met id {id}."), id))?;
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

/// Body of a voortgangsbericht.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct VoortgangsberichtIn {
    #[schema(example = "Eerste informatieavond gehouden met 40 deelnemers.")]
    tekst: Option<String>,
    /// Standaard vandaag. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    datum: Option<NaiveDate>,
    auteur_organisatie_id: Option<Uuid>,
    /// Alleen bij wijzigen: true trekt het bericht in.
    ingetrokken: Option<bool>,
    /// Bij intrekken: waarom.
    reden: Option<String>,
}

/// Meld voortgang op een actie.
#[utoipa::path(post, path = "/acties/{id}/voortgangsberichten", tag = "Acties",
    params(("id" = Uuid, Path, description = "Id van de actie"),
        ("If-Match" = Option<String>, Header, description = "ETag van de actie (optioneel)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel voegt niets toe")),
    request_body = VoortgangsberichtIn,
    responses((status = 201, description = "Toegevoegd", body = VoortgangsberichtDto,
        headers(("Location" = String, description = "Het nieuwe bericht (GET /v1/acties/{id}/voortgangsberichten/{berichtId})"),
            ("ETag" = String, description = "Versie van de actie"))), super::responses::WriteErrors))]
pub async fn post_voortgang(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    let caller = require(&req, &state, Action::VoortgangToevoegen(*id))?;
    let id = *id;
    let mut b = Body::new(&body, &["tekst", "datum", "auteurOrganisatieId"]);
    let tekst = b.string("tekst", true);
    let datum = b.date("datum").unwrap_or_else(|| Utc::now().date_naive());
    let auteur = b.uuid("auteurOrganisatieId", false);
    let auteur = crate::access::policy::namens(&caller, auteur).map_err(super::access::denied)?;
    let agenda_id = {
        let m = state.projection.read();
        if let Some(o) = auteur.filter(|o| !m.organisaties.contains_key(o)) {
            b.error(
                "auteurOrganisatieId",
                Foutcode::UnknownOrganisatie,
                format!("Er is geen organisatie met id {o}."),
            );
        }
        m.acties.get(&id).map(|a| a.state.agenda_id)
    };
    let agenda_id =
        agenda_id.ok_or_else(|| Problem::not_found(format!("Er is geen actie met id {id}.")))?;
    b.finish()?;
    let mut ctx = context(&caller, &req, &body, IfMatch::Optional)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let bericht_id = Uuid::now_v7();
    let outcome = state
        .service
        .update(id, ctx, |m| {
            let a = m
                .acties
                .get(&id)
                .ok_or_else(|| ServiceError::NotFound(format!("Er is geen actie met id {id}.")))?;
            let event = VoortgangsberichtToegevoegd {
                bericht_id,
                datum,
                auteur_organisatie_id: auteur,
                tekst: tekst.clone().unwrap_or_default().trim().to_owned(),
            };
            Ok((a.version, a.state.add_voortgang(event)?))
        })
        .await
        .map_err(service_problem)?;
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
    request_body = VoortgangsberichtIn,
    responses((status = 200, description = "Gecorrigeerd of ingetrokken", body = VoortgangsberichtDto), super::responses::WriteErrors))]
pub async fn patch_voortgang(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(
        &req,
        &state,
        Action::VoortgangWijzigen {
            actie: path.0,
            bericht: path.1,
        },
    )?;
    let (id, bericht) = *path;
    let mut b = Body::new(&body, &["tekst", "ingetrokken", "reden"]);
    let tekst = b.string("tekst", false);
    let intrekken = b.bool("ingetrokken").unwrap_or(false);
    let reden = b.string("reden", false);
    match (&tekst, intrekken) {
        (Some(_), true) => b.error(
            "ingetrokken",
            Foutcode::ConflictingFields,
            "Corrigeer óf trek in, niet beide tegelijk.",
        ),
        (None, false) => b.error(
            "tekst",
            Foutcode::Required,
            "Geef een gecorrigeerde tekst, of ingetrokken: true.",
        ),
        _ => {}
    }
    b.finish()?;
    let mut ctx = context(&bevoegd, &req, &body, IfMatch::Required)?;
    ctx.metadata.agenda_id = state
        .projection
        .read()
        .acties
        .get(&id)
        .map(|a| a.state.agenda_id);
    state
        .service
        .update(id, ctx, |m| {
            let a = m
                .acties
                .get(&id)
                .ok_or_else(|| ServiceError::NotFound(format!("Er is geen actie met id {id}.")))?;
            if !a.state.voortgangsberichten.iter().any(|v| v.id == bericht) {
                return Err(ServiceError::NotFound(format!(
                    "Er is geen voortgangsbericht {bericht} bij actie {id}."
                )));
            }
            let events = match &tekst {
                Some(t) => a.state.correct_voortgang(bericht, t.trim().to_owned())?,
                None => a.state.withdraw_voortgang(bericht, reden.clone())?,
            };
            Ok((a.version, events))
        })
        .await
        .map_err(service_problem)?;
    bericht_response(&state, id, bericht, StatusCode::OK)
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
    post_actie_onder_doel,
    post_actie_onder_opgave,
    list_acties_van_doel,
    patch_actie,
    list_voortgang,
    get_bericht,
    post_voortgang,
    patch_voortgang,
    list_statuswijzigingen
))]
pub struct Api;
