//! `/reflecties`: looking back ("vertellen") on an actie, doel or opgave —
//! what went well, what could be better, next steps — in a PDCA phase. The
//! author may correct or withdraw a reflectie (`PATCH`); both are new events,
//! so the original stays in history.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::access::{denied, require};
use super::dto::{enum_str, Pagina, Paging};
use super::invoer::{Datum, Invoer, Patch, Waar};
use super::paging;
use super::problem::{InvalidParam, Problem};
use super::write::{context, etag, service_problem, IfMatch};
use crate::access::policy::{namens, Action, Target};
use crate::domain::reflectie::{
    Onderwerp, OnderwerpSoort, PdcaFase, Reflectie, ReflectieCommand, ReflectieView,
    TekstCorrectie, Teksten,
};
use crate::domain::Foutcode;
use crate::http::AppState;
use crate::projections::{Entity, ReadModel};
use crate::service::ServiceError;

/// What a reflectie is about.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OnderwerpDto {
    /// actie, doel of opgave.
    #[schema(value_type = crate::domain::reflectie::OnderwerpSoort, example = "actie")]
    pub soort: String,
    pub id: Uuid,
    /// Code van het doel of de opgave (bij een actie: van haar doel of opgave).
    #[schema(example = "1.1.1")]
    pub code: Option<String>,
    /// Titel van het doel of de opgave, of de omschrijving van de actie.
    pub titel: String,
    /// Bij een actie: haar kenmerk (uniek in de agenda).
    #[schema(example = "1.1.1-2")]
    pub kenmerk: Option<String>,
}

/// A reflectie as it is now (corrected texts; withdrawn ones stay listed as ingetrokken).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReflectieDto {
    pub id: Uuid,
    pub agenda_id: Uuid,
    pub over: OnderwerpDto,
    pub auteur_organisatie_id: Option<Uuid>,
    pub auteur_organisatie_naam: Option<String>,
    /// plan, do, check of act.
    #[schema(value_type = crate::domain::reflectie::PdcaFase, example = "check")]
    pub fase: String,
    /// Waar de reflectie over gaat (datum in de wereld).
    pub datum: NaiveDate,
    pub wat_ging_goed: Option<String>,
    pub wat_kan_beter: Option<String>,
    pub volgende_stappen: Option<String>,
    /// Vrije tekst (in plaats van of naast de drie vragen).
    pub tekst: Option<String>,
    pub gecorrigeerd: bool,
    pub ingetrokken: bool,
    pub intrekkingsreden: Option<String>,
    #[schema(value_type = String, format = DateTime, example = "2024-03-01T09:30:00Z")]
    pub registratie_tijdstip: DateTime<Utc>,
    #[schema(value_type = String, format = DateTime, example = "2024-03-02T10:00:00Z")]
    pub gewijzigd_tijdstip: DateTime<Utc>,
    pub versie: u64,
}

fn onderwerp_dto(o: &Onderwerp, m: &ReadModel) -> OnderwerpDto {
    let (code, titel) = match o.soort {
        OnderwerpSoort::Actie => m.acties.get(&o.id).map_or((None, String::new()), |a| {
            (m.actie_code(&a.state), a.state.omschrijving.clone())
        }),
        OnderwerpSoort::Doel => m.doelen.get(&o.id).map_or((None, String::new()), |d| {
            (
                m.doel_weergavecode(o.id).map(String::from),
                d.state.titel.clone(),
            )
        }),
        OnderwerpSoort::Opgave => m.opgaven.get(&o.id).map_or((None, String::new()), |x| {
            (
                m.opgave_weergavecode(o.id).map(String::from),
                x.state.titel.clone(),
            )
        }),
    };
    let kenmerk = match o.soort {
        OnderwerpSoort::Actie => m.acties.get(&o.id).map(|a| a.state.kenmerk.to_string()),
        OnderwerpSoort::Doel | OnderwerpSoort::Opgave => None,
    };
    OnderwerpDto {
        soort: enum_str(&o.soort),
        id: o.id,
        code: code.filter(|c| !c.is_empty()),
        titel,
        kenmerk,
    }
}

pub fn reflectie_dto(e: &Entity<Reflectie>, m: &ReadModel) -> ReflectieDto {
    let r = &e.state;
    ReflectieDto {
        id: e.id,
        agenda_id: r.agenda_id,
        over: onderwerp_dto(&r.over, m),
        auteur_organisatie_id: r.auteur_organisatie_id,
        auteur_organisatie_naam: r
            .auteur_organisatie_id
            .and_then(|o| m.organisaties.get(&o))
            .map(|o| o.state.naam.clone()),
        fase: r.fase.as_str().to_owned(),
        datum: r.datum,
        wat_ging_goed: r.wat_ging_goed.as_deref().map(str::to_owned),
        wat_kan_beter: r.wat_kan_beter.as_deref().map(str::to_owned),
        volgende_stappen: r.volgende_stappen.as_deref().map(str::to_owned),
        tekst: r.tekst.as_deref().map(str::to_owned),
        gecorrigeerd: r.gecorrigeerd,
        ingetrokken: r.ingetrokken,
        intrekkingsreden: r.intrekkingsreden.clone(),
        registratie_tijdstip: e.aangemaakt,
        gewijzigd_tijdstip: e.gewijzigd,
        versie: e.version,
    }
}

fn respond(state: &AppState, id: Uuid, status: StatusCode) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    crate::http::write::geschreven(
        status,
        m.reflecties.get(&id),
        "reflectie",
        "reflecties",
        id,
        |r| reflectie_dto(r, &m),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReflectiesQuery {
    /// Alleen reflecties over deze actie, dit doel of deze opgave (precies dit onderwerp).
    pub over: Option<Uuid>,
    /// Alleen reflecties binnen deze agenda.
    pub agenda: Option<Uuid>,
    /// Paginanummer, vanaf 1.
    #[param(minimum = 1, example = 1)]
    pub page: Option<u32>,
    /// Aantal per pagina (standaard 20, maximaal 500).
    #[param(minimum = 1, maximum = 500, example = 20)]
    pub page_size: Option<u32>,
}

/// Reflecties, nieuwste eerst (op datum, dan op registratie). Ingetrokken reflecties blijven zichtbaar als ingetrokken.
#[utoipa::path(get, path = "/reflecties", tag = "Reflecties", params(ReflectiesQuery, super::peil::PeilQuery),
    responses((status = 200, description = "Een pagina reflecties", body = Pagina<ReflectieDto>), super::responses::ReadErrors))]
pub async fn list_reflecties(
    view: super::peil::view::View,
    req: HttpRequest,
    q: web::Query<ReflectiesQuery>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    let m = seen.model();
    let mut errors = Vec::new();
    // A subject or agenda the caller may not read is as unknown as one
    // that does not exist.
    let unknown =
        |o: &Uuid| ReflectieView::onderwerp(m, *o).is_none_or(|(_, agenda, _)| !seen.sees(agenda));
    if let Some(o) = q.over.filter(unknown) {
        errors.push(InvalidParam::new(
            "query.over",
            Foutcode::UnknownOnderwerp,
            format!("Er is geen actie, doel of opgave met id {o}."),
        ));
    }
    if let Some(a) = q
        .agenda
        .filter(|a| !m.agendas.contains_key(a) || !seen.sees(*a))
    {
        errors.push(InvalidParam::new(
            "query.agenda",
            Foutcode::UnknownAgenda,
            crate::domain::niet_gevonden("agenda", a),
        ));
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let mut reflecties: Vec<&Entity<Reflectie>> = m
        .reflecties
        .values()
        .map(|e| &**e)
        .filter(|r| q.over.is_none_or(|o| r.state.over.id == o))
        .filter(|r| q.agenda.is_none_or(|a| r.state.agenda_id == a))
        .filter(|r| seen.sees(r.state.agenda_id))
        .collect();
    reflecties.sort_by(|a, b| {
        (b.state.datum, b.aangemaakt, b.id).cmp(&(a.state.datum, a.aangemaakt, a.id))
    });
    let items = reflecties
        .into_iter()
        .map(|r| reflectie_dto(r, m))
        .collect();
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

/// Eén reflectie.
#[utoipa::path(get, path = "/reflecties/{id}", tag = "Reflecties", params(("id" = Uuid, Path, description = "Id van de reflectie"), super::peil::PeilQuery),
    responses((status = 200, description = "De reflectie; ETag is haar versie", body = ReflectieDto), super::responses::ReadErrors))]
pub async fn get_reflectie(
    view: super::peil::view::View,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    let r = seen.reflectie(*id)?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(r.version)))
        .json(reflectie_dto(r, seen.model())))
}

/// Body to record a reflectie.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReflectieNieuw {
    /// Id van de actie, het doel of de opgave waar de reflectie over gaat.
    over: Uuid,
    /// De organisatie die reflecteert (een partner-token: de eigen, ook als dit veld ontbreekt).
    auteur_organisatie_id: Option<Uuid>,
    /// Standaard de huidige PDCA-fase van de opgave.
    #[schema(nullable = false, example = "check")]
    fase: Option<PdcaFase>,
    /// Standaard vandaag. Niet in de toekomst.
    #[schema(nullable = false)]
    datum: Option<Datum>,
    #[schema(example = "De taalcafés trokken meer bezoekers dan verwacht.")]
    wat_ging_goed: Option<String>,
    #[schema(example = "Kernen buiten Vriezenveen bereiken we nog slecht.")]
    wat_kan_beter: Option<String>,
    #[schema(example = "Een taalcafé in Westerhaar proberen.")]
    volgende_stappen: Option<String>,
    /// Vrije tekst, in plaats van (of naast) de drie vragen. Minstens één van de vier teksten is verplicht.
    tekst: Option<String>,
    /// Toelichting voor de audittrail (of header X-Audit-Toelichting).
    toelichting: Option<String>,
}

/// Body to correct the texts of a reflectie (JSON Merge Patch: only the
/// texts given change, `null` empties one), or to withdraw it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReflectieWijziging {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    wat_ging_goed: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    wat_kan_beter: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    volgende_stappen: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    tekst: Patch<String>,
    /// true trekt de reflectie in (niet samen met een correctie; kan niet terug).
    #[schema(nullable = false)]
    ingetrokken: Option<Waar>,
    /// Bij intrekken: waarom.
    reden: Option<String>,
    /// Toelichting voor de audittrail (of header X-Audit-Toelichting).
    toelichting: Option<String>,
}

/// Leg een reflectie vast over een actie, doel of opgave.
#[utoipa::path(post, path = "/reflecties", tag = "Reflecties",
    params(("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel maakt niets nieuws aan")),
    request_body = ReflectieNieuw,
    responses((status = 201, description = "Vastgelegd", body = ReflectieDto), super::responses::WriteErrors))]
pub async fn post_reflectie(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Invoer<ReflectieNieuw>,
) -> Result<HttpResponse, Problem> {
    let b = body.waarde;
    let auteur = namens(&super::access::caller(&req), b.auteur_organisatie_id).map_err(denied)?;
    let command = ReflectieCommand::VoegToe {
        id: Uuid::now_v7(),
        over: b.over,
        auteur_organisatie_id: auteur,
        fase: b.fase,
        datum: b.datum.map(|d| d.0),
        teksten: Teksten {
            wat_ging_goed: b.wat_ging_goed,
            wat_kan_beter: b.wat_kan_beter,
            volgende_stappen: b.volgende_stappen,
            tekst: b.tekst,
        },
        nu: Utc::now(),
    };
    let (target, agenda) = {
        let m = state.projection.read();
        match Target::subject(&m, b.over) {
            Some(t) => (t, t.agenda(&m)),
            // No subject to authorise against: the domain names it (400),
            // with every other problem of the body.
            None => return Err(refused(command.decide(&*m))),
        }
    };
    let bevoegd = require(&req, &state, Action::ReflectieToevoegen(target))?;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Optional)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = agenda;
    let outcome = state.service.execute(ctx, &command).await?;
    respond(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// The problem of a decision that had to refuse.
fn refused(decision: crate::domain::Besluit) -> Problem {
    match decision {
        Err(e) => service_problem(e.into()),
        Ok(_) => service_problem(ServiceError::NotFound(
            "Het onderwerp bestond nog niet toen dit verzoek binnenkwam; probeer het opnieuw."
                .into(),
        )),
    }
}

/// Corrigeer de teksten van een reflectie (alleen de meegegeven velden; null maakt een veld leeg), of trek haar in met `ingetrokken: true`. Het origineel blijft in de historie.
#[utoipa::path(patch, path = "/reflecties/{id}", tag = "Reflecties",
    params(("id" = Uuid, Path, description = "Id van de reflectie"),
        ("If-Match" = String, Header, description = "ETag van de reflectie (verplicht)")),
    request_body(content(
        (ReflectieWijziging = "application/merge-patch+json"),
        (ReflectieWijziging = "application/json"))),
    responses((status = 200, description = "Gecorrigeerd of ingetrokken", body = ReflectieDto), super::responses::WriteErrors))]
pub async fn patch_reflectie(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Invoer<ReflectieWijziging>,
) -> Result<HttpResponse, Problem> {
    let bevoegd = require(&req, &state, Action::ReflectieWijzigen(*id))?;
    let id = *id;
    let b = body.waarde;
    let mut ctx =
        context(&bevoegd, &req, &body.json, IfMatch::Required)?.met_toelichting(b.toelichting);
    ctx.metadata.agenda_id = Target::Reflectie(id).agenda(&state.projection.read());
    let command = ReflectieCommand::Wijzig {
        id,
        correctie: TekstCorrectie {
            wat_ging_goed: b.wat_ging_goed.into_change(),
            wat_kan_beter: b.wat_kan_beter.into_change(),
            volgende_stappen: b.volgende_stappen.into_change(),
            tekst: b.tekst.into_change(),
        },
        intrekken: b.ingetrokken.is_some(),
        reden: b.reden,
    };
    state.service.execute(ctx, &command).await?;
    respond(&state, id, StatusCode::OK)
}

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/reflecties", web::get().to(list_reflecties))
        .route("/reflecties", web::post().to(post_reflectie))
        .route("/reflecties/{id}", web::get().to(get_reflectie))
        .route("/reflecties/{id}", web::patch().to(patch_reflectie));
}

#[derive(OpenApi)]
#[openapi(paths(list_reflecties, get_reflectie, post_reflectie, patch_reflectie))]
pub struct Api;
