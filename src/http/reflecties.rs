//! `/reflecties`: looking back ("vertellen") on an actie, doel or opgave —
//! what went well, what could be better, next steps — in a PDCA phase. The
//! author may correct or withdraw a reflectie (`PATCH`); both are new events,
//! so the original stays in history.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::dto::{enum_str, Pagina, Paging};
use super::paging;
use super::problem::{InvalidParam, Problem};
use super::write::{context, etag, service_problem, Body, IfMatch};
use crate::access::policy::{Action, Target};
use crate::app::AppState;
use crate::domain::events::{ReflectieGecorrigeerd, ReflectieToegevoegd};
use crate::domain::reflectie::{self, Onderwerp, OnderwerpSoort, PdcaFase, Reflectie};
use crate::event_store::ExpectedVersion;
use crate::projections::{Entity, ReadModel};
use crate::service::{ServiceError, StreamEvents};

const FASEN: [(&str, PdcaFase); 4] = [
    ("plan", PdcaFase::Plan),
    ("do", PdcaFase::Do),
    ("check", PdcaFase::Check),
    ("act", PdcaFase::Act),
];

const TEXTS: [&str; 4] = ["watGingGoed", "watKanBeter", "volgendeStappen", "tekst"];

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
            (Some(m.actie_code(&a.state)), a.state.omschrijving.clone())
        }),
        OnderwerpSoort::Doel => m.doelen.get(&o.id).map_or((None, String::new()), |d| {
            (
                d.state.code.as_ref().map(|c| c.to_string()),
                d.state.titel.clone(),
            )
        }),
        OnderwerpSoort::Opgave => m.opgaven.get(&o.id).map_or((None, String::new()), |x| {
            (Some(x.state.code.to_string()), x.state.titel.clone())
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
        wat_ging_goed: r.wat_ging_goed.clone(),
        wat_kan_beter: r.wat_kan_beter.clone(),
        volgende_stappen: r.volgende_stappen.clone(),
        tekst: r.tekst.clone(),
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
    let r = m
        .reflecties
        .get(&id)
        .ok_or_else(|| Problem::not_found(format!("Er is geen reflectie met id {id}.")))?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(r.version)))
        .insert_header(("Location", format!("/v1/reflecties/{id}")))
        .json(reflectie_dto(r, &m)))
}

/// The actie, doel or opgave with this id: its kind, agenda and opgave (for the PDCA phase).
fn onderwerp(m: &ReadModel, id: Uuid) -> Option<(OnderwerpSoort, Uuid, Uuid)> {
    if let Some(a) = m.acties.get(&id) {
        return Some((
            OnderwerpSoort::Actie,
            a.state.agenda_id,
            m.opgave_of(&a.state),
        ));
    }
    if let Some(d) = m.doelen.get(&id) {
        return Some((OnderwerpSoort::Doel, d.state.agenda_id, d.state.opgave_id));
    }
    m.opgaven
        .get(&id)
        .map(|o| (OnderwerpSoort::Opgave, o.state.agenda_id, id))
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
    let unknown = |o: &Uuid| onderwerp(m, *o).is_none_or(|(_, agenda, _)| !seen.sees(agenda));
    if let Some(o) = q.over.filter(unknown) {
        errors.push(InvalidParam::new(
            "query.over",
            "unknown-onderwerp",
            format!("Er is geen actie, doel of opgave met id {o}."),
        ));
    }
    if let Some(a) = q
        .agenda
        .filter(|a| !m.agendas.contains_key(a) || !seen.sees(*a))
    {
        errors.push(InvalidParam::new(
            "query.agenda",
            "unknown-agenda",
            format!("Er is geen agenda met id {a}."),
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

/// Body of a reflectie.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ReflectieIn {
    /// Alleen bij aanmaken: id van de actie, het doel of de opgave waar de reflectie over gaat.
    over: Option<Uuid>,
    /// Alleen bij aanmaken: de organisatie die reflecteert.
    auteur_organisatie_id: Option<Uuid>,
    /// Alleen bij aanmaken: plan, do, check of act. Standaard de huidige PDCA-fase van de opgave.
    #[schema(example = "check")]
    fase: Option<String>,
    /// Alleen bij aanmaken; standaard vandaag. Niet in de toekomst. Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    datum: Option<NaiveDate>,
    #[schema(example = "De taalcafés trokken meer bezoekers dan verwacht.")]
    wat_ging_goed: Option<String>,
    #[schema(example = "Kernen buiten Vriezenveen bereiken we nog slecht.")]
    wat_kan_beter: Option<String>,
    #[schema(example = "Een taalcafé in Westerhaar proberen.")]
    volgende_stappen: Option<String>,
    /// Vrije tekst, in plaats van (of naast) de drie vragen. Minstens één tekst is verplicht.
    tekst: Option<String>,
    /// Alleen bij wijzigen: true trekt de reflectie in.
    ingetrokken: Option<bool>,
    /// Bij intrekken: waarom.
    reden: Option<String>,
    /// Toelichting voor de audittrail (of header X-Audit-Toelichting).
    toelichting: Option<String>,
}

/// Leg een reflectie vast over een actie, doel of opgave.
#[utoipa::path(post, path = "/reflecties", tag = "Reflecties",
    params(("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel maakt niets nieuws aan")),
    request_body = ReflectieIn,
    responses((status = 201, description = "Vastgelegd", body = ReflectieDto), super::responses::WriteErrors))]
pub async fn post_reflectie(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    let mut b = Body::new(
        &body,
        &[
            "over",
            "auteurOrganisatieId",
            "fase",
            "datum",
            "watGingGoed",
            "watKanBeter",
            "volgendeStappen",
            "tekst",
            "toelichting",
        ],
    );
    let over = b.uuid("over", true);
    let auteur = b.uuid("auteurOrganisatieId", false);
    // an unknown or missing subject is reported by the validation below
    let subject = over.and_then(|o| Target::subject(&state.projection.read(), o));
    let caller = match subject {
        Some(t) => require(&req, &state, Action::ReflectieToevoegen(t))?,
        None => super::access::caller(&req),
    };
    let auteur = crate::access::policy::namens(&caller, auteur).map_err(super::access::denied)?;
    let fase = b.choice("fase", false, &FASEN);
    let datum = b.date("datum");
    let texts: Vec<Option<String>> = TEXTS.iter().map(|t| b.string(t, false)).collect();
    b.string("toelichting", false);
    let today = Utc::now().date_naive();
    if let Some(d) = datum.filter(|d| *d > today) {
        b.error(
            "datum",
            "future-date",
            format!("{d} ligt in de toekomst; een reflectie kijkt terug."),
        );
    }
    let (agenda_id, soort, fase) = {
        let m = state.projection.read();
        if let Some(o) = auteur.filter(|o| !m.organisaties.contains_key(o)) {
            b.error(
                "auteurOrganisatieId",
                "unknown-organisatie",
                format!("Er is geen organisatie met id {o}."),
            );
        }
        match over.map(|o| (o, onderwerp(&m, o))) {
            Some((_, Some((soort, agenda, opgave)))) => {
                let fase = fase.or_else(|| m.pdca(opgave, Utc::now()).map(|p| p.fase));
                (agenda, soort, fase.unwrap_or(PdcaFase::Plan))
            }
            Some((o, None)) => {
                b.error(
                    "over",
                    "unknown-onderwerp",
                    format!("Er is geen actie, doel of opgave met id {o}."),
                );
                (Uuid::nil(), OnderwerpSoort::Opgave, PdcaFase::Plan)
            }
            None => (Uuid::nil(), OnderwerpSoort::Opgave, PdcaFase::Plan),
        }
    };
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Optional)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let mut texts = texts.into_iter();
    let mut next = || texts.next().flatten();
    let event = ReflectieToegevoegd {
        agenda_id,
        over: Onderwerp {
            soort,
            id: over.expect("validated"),
        },
        auteur_organisatie_id: auteur,
        fase,
        datum: datum.unwrap_or(today),
        wat_ging_goed: next(),
        wat_kan_beter: next(),
        volgende_stappen: next(),
        tekst: next(),
    };
    let outcome = state
        .service
        .structural(ctx, |_| {
            Ok(vec![StreamEvents {
                stream_id: Uuid::now_v7(),
                expected: ExpectedVersion::NoStream,
                events: reflectie::add(event)?,
            }])
        })
        .await
        .map_err(service_problem)?;
    respond(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Corrigeer de teksten van een reflectie (alleen de meegegeven velden; null maakt een veld leeg), of trek haar in met `ingetrokken: true`. Het origineel blijft in de historie.
#[utoipa::path(patch, path = "/reflecties/{id}", tag = "Reflecties",
    params(("id" = Uuid, Path, description = "Id van de reflectie"),
        ("If-Match" = String, Header, description = "ETag van de reflectie (verplicht)")),
    request_body = ReflectieIn,
    responses((status = 200, description = "Gecorrigeerd of ingetrokken", body = ReflectieDto), super::responses::WriteErrors))]
pub async fn patch_reflectie(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::ReflectieWijzigen(*id))?;
    let id = *id;
    let mut b = Body::new(
        &body,
        &[
            "watGingGoed",
            "watKanBeter",
            "volgendeStappen",
            "tekst",
            "ingetrokken",
            "reden",
            "toelichting",
        ],
    );
    // Per text: None = keep, Some(None) = clear, Some(Some(t)) = replace.
    let texts: Vec<Option<Option<String>>> = TEXTS
        .iter()
        .map(|t| b.has(t).then(|| b.string(t, false)))
        .collect();
    let intrekken = b.bool("ingetrokken");
    let reden = b.string("reden", false);
    b.string("toelichting", false);
    let corrects = texts.iter().any(Option::is_some);
    match (corrects, intrekken) {
        (true, Some(true)) => b.error(
            "ingetrokken",
            "conflicting-fields",
            "Corrigeer óf trek in, niet beide tegelijk.",
        ),
        (false, Some(true)) => {}
        (_, Some(false)) => b.error(
            "ingetrokken",
            "invalid-value",
            "Een ingetrokken reflectie blijft ingetrokken; laat het veld weg of stuur true.",
        ),
        (false, None) => b.error(
            "tekst",
            "required",
            "Geef minstens één gecorrigeerde tekst (watGingGoed, watKanBeter, volgendeStappen, tekst), of ingetrokken: true.",
        ),
        (true, None) => {}
    }
    if reden.is_some() && intrekken != Some(true) {
        b.error(
            "reden",
            "conflicting-fields",
            "Een reden hoort alleen bij intrekken (ingetrokken: true).",
        );
    }
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Required)?;
    ctx.metadata.agenda_id = state
        .projection
        .read()
        .reflecties
        .get(&id)
        .map(|r| r.state.agenda_id);
    state
        .service
        .update(id, ctx, |m| {
            let r = m.reflecties.get(&id).ok_or_else(|| {
                ServiceError::NotFound(format!("Er is geen reflectie met id {id}."))
            })?;
            let events = if corrects {
                let pick = |i: usize, current: &Option<String>| {
                    texts[i].clone().unwrap_or_else(|| current.clone())
                };
                let s = &r.state;
                s.correct(ReflectieGecorrigeerd {
                    wat_ging_goed: pick(0, &s.wat_ging_goed),
                    wat_kan_beter: pick(1, &s.wat_kan_beter),
                    volgende_stappen: pick(2, &s.volgende_stappen),
                    tekst: pick(3, &s.tekst),
                })?
            } else {
                r.state.withdraw(reden.clone())?
            };
            Ok((r.version, events))
        })
        .await
        .map_err(service_problem)?;
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
