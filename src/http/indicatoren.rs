//! Indicatoren on a doel ("tellen") and their metingen. Revising a
//! streefwaarde is a PATCH that appends `StreefwaardeVastgesteld` (with the
//! previous value), so `GET /indicatoren/{id}/streefwaarden` shows every
//! value ever set. A later meting for the same period supersedes the earlier
//! one; both stay and the list marks the old one `vervangen`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::access::require;
use super::dto::{enum_str, Pagina, Paging};
use super::paging;
use super::problem::Problem;
use super::write::{context, etag, service_problem, Body, IfMatch};
use crate::access::policy::{Action, Target};
use crate::app::AppState;
use crate::domain::events::{Event, IndicatorAangemaakt, IndicatorGewijzigd, MetingVastgelegd};
use crate::domain::indicator::{
    self, periode_jaar, Indicator, Koers, Meting, MetingStatus, Richting, Waarde,
};
use crate::event_store::ExpectedVersion;
use crate::projections::{Entity, ReadModel};
use crate::service::{ServiceError, StreamEvents};

const RICHTINGEN: [(&str, Richting); 3] = [
    ("hogerIsBeter", Richting::HogerIsBeter),
    ("lagerIsBeter", Richting::LagerIsBeter),
    ("binnenBandbreedte", Richting::BinnenBandbreedte),
];

const METING_STATUSSEN: [(&str, MetingStatus); 2] = [
    ("voorlopig", MetingStatus::Voorlopig),
    ("definitief", MetingStatus::Definitief),
];

/// A value for a year (nulmeting or streefwaarde).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaardeDto {
    #[schema(example = 2026)]
    pub jaar: i32,
    #[schema(example = 40.0)]
    pub waarde: f64,
    /// Alleen bij richting binnenBandbreedte.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ondergrens: Option<f64>,
    /// Alleen bij richting binnenBandbreedte.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bovengrens: Option<f64>,
}

impl From<&Waarde> for WaardeDto {
    fn from(w: &Waarde) -> Self {
        Self {
            jaar: w.jaar,
            waarde: w.waarde,
            ondergrens: w.ondergrens,
            bovengrens: w.bovengrens,
        }
    }
}

/// Whether the indicator is on track in the peiljaar.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KoersDto {
    /// Het peiljaar: ?jaar=, anders het lopende jaar zolang de periode van de agenda loopt, daarbuiten het dichtstbijzijnde jaar van de periode (dezelfde regel als de PDCA-toestand; zie docs/pdca.md).
    pub jaar: i32,
    /// opKoers, nietOpKoers, of onbekend (geen meting of geen streefwaarde voor dit jaar).
    #[schema(value_type = crate::http::enums::KoersStatus, example = "opKoers")]
    pub status: String,
    /// De laatste geldende meting van dit jaar.
    pub waarde: Option<f64>,
    pub streefwaarde: Option<WaardeDto>,
    /// In gewone taal waarom.
    pub uitleg: String,
    /// Een gemiste streefwaarde van een eerder jaar: het laatste jaar vóór het peiljaar met een definitieve meting, als die niet op koers was (anders leeg).
    pub vorig_jaar: Option<super::pdca::VorigJaarDto>,
}

/// One meting; `vervangen` when a later meting for the same period replaced it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetingDto {
    pub id: Uuid,
    pub indicator_id: Uuid,
    /// 2024, 2024-Q2 of 2024-03.
    #[schema(example = "2024")]
    pub periode: String,
    pub meet_datum: Option<NaiveDate>,
    #[schema(example = 42.5)]
    pub waarde: f64,
    /// voorlopig of definitief.
    #[schema(value_type = crate::domain::indicator::MetingStatus, example = "definitief")]
    pub status: String,
    pub bron: Option<String>,
    pub toelichting: Option<String>,
    pub door_organisatie_id: Option<Uuid>,
    pub door_organisatie_naam: Option<String>,
    pub vervangen: bool,
    #[schema(value_type = String, format = DateTime, example = "2024-03-01T09:30:00Z")]
    pub registratie_tijdstip: DateTime<Utc>,
}

/// An indicator with its latest value and whether it is on track.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorDto {
    pub id: Uuid,
    pub agenda_id: Uuid,
    pub doel_id: Uuid,
    #[schema(example = "1.1.1")]
    pub doel_code: Option<String>,
    #[schema(example = "Inwoners met een betalingsachterstand")]
    pub naam: String,
    #[schema(example = "%")]
    pub eenheid: String,
    /// hogerIsBeter, lagerIsBeter of binnenBandbreedte.
    #[schema(value_type = crate::domain::indicator::Richting, example = "lagerIsBeter")]
    pub richting: String,
    pub bron: Option<String>,
    /// De organisatie die de metingen aanlevert (mag ze vastleggen).
    pub eigenaar_organisatie_id: Option<Uuid>,
    pub eigenaar_organisatie_naam: Option<String>,
    pub nulmeting: Option<WaardeDto>,
    /// De geldende streefwaarde per jaar; eerdere waarden via /indicatoren/{id}/streefwaarden.
    pub streefwaarden: Vec<WaardeDto>,
    /// De laatste meting die niet vervangen is.
    pub laatste_meting: Option<MetingDto>,
    pub koers: KoersDto,
    pub aantal_metingen: usize,
    pub versie: u64,
}

fn org_naam(m: &ReadModel, id: Option<Uuid>) -> Option<String> {
    id.and_then(|o| m.organisaties.get(&o))
        .map(|o| o.state.naam.clone())
}

fn meting_dto(indicator_id: Uuid, x: &Meting, m: &ReadModel) -> MetingDto {
    MetingDto {
        id: x.id,
        indicator_id,
        periode: x.periode.clone(),
        meet_datum: x.meet_datum,
        waarde: x.waarde,
        status: enum_str(&x.status),
        bron: x.bron.clone(),
        toelichting: x.toelichting.clone(),
        door_organisatie_id: x.door_organisatie_id,
        door_organisatie_naam: org_naam(m, x.door_organisatie_id),
        vervangen: x.vervangen,
        registratie_tijdstip: x.geregistreerd,
    }
}

fn koers_dto(i: &Indicator, jaar: i32) -> KoersDto {
    let stand = i.stand(jaar);
    let richting = match i.richting {
        Richting::HogerIsBeter => "hoger is beter",
        Richting::LagerIsBeter => "lager is beter",
        Richting::BinnenBandbreedte => "binnen de bandbreedte",
    };
    let (status, uitleg) = match (stand.koers, stand.waarde, stand.streefwaarde) {
        (Some(k), Some(w), Some(s)) => {
            let doel = match (s.ondergrens, s.bovengrens) {
                (Some(lo), Some(hi)) => format!("{lo} tot {hi}"),
                _ => s.waarde.to_string(),
            };
            let (code, woord) = match k {
                Koers::OpKoers => ("opKoers", "op koers"),
                Koers::NietOpKoers => ("nietOpKoers", "niet op koers"),
            };
            (
                code,
                format!(
                    "{woord}: {w} {} tegen streefwaarde {doel} voor {jaar} ({richting}).",
                    i.eenheid
                ),
            )
        }
        (_, None, Some(_)) => ("onbekend", format!("Nog geen meting voor {jaar}.")),
        _ => ("onbekend", format!("Geen streefwaarde voor {jaar}.")),
    };
    let vorig_jaar = i.vorig_jaar(jaar).and_then(|v| {
        let s = v.streefwaarde?;
        Some(super::pdca::VorigJaarDto::from(
            &crate::projections::VorigJaar {
                jaar: v.jaar,
                waarde: v.waarde?,
                streefwaarde: s.waarde,
                bandbreedte: (i.richting == Richting::BinnenBandbreedte)
                    .then_some(())
                    .and_then(|_| Some((s.ondergrens?, s.bovengrens?))),
            },
        ))
    });
    KoersDto {
        jaar,
        status: status.to_owned(),
        waarde: stand.waarde,
        streefwaarde: stand.streefwaarde.map(WaardeDto::from),
        uitleg,
        vorig_jaar,
    }
}

/// The indicator as the API shows it, judged in its agenda's peiljaar today.
pub fn indicator_dto(e: &Entity<Indicator>, m: &ReadModel) -> IndicatorDto {
    indicator_dto_in(e, m, Utc::now(), None)
}

/// [`indicator_dto`] as of `now`, judged in `jaar` (`None`: the agenda's
/// [`crate::domain::agenda::Agenda::peiljaar`], as the PDCA state does).
pub fn indicator_dto_in(
    e: &Entity<Indicator>,
    m: &ReadModel,
    now: DateTime<Utc>,
    jaar: Option<i32>,
) -> IndicatorDto {
    let i = &e.state;
    let jaar = jaar.unwrap_or_else(|| {
        m.agendas
            .get(&i.agenda_id)
            .map_or(now.year(), |a| a.state.peiljaar(now.date_naive()))
    });
    IndicatorDto {
        id: e.id,
        agenda_id: i.agenda_id,
        doel_id: i.doel_id,
        doel_code: m
            .doelen
            .get(&i.doel_id)
            .and_then(|d| d.state.code.as_ref().map(|c| c.to_string())),
        naam: i.naam.clone(),
        eenheid: i.eenheid.clone(),
        richting: enum_str(&i.richting),
        bron: i.bron.clone(),
        eigenaar_organisatie_id: i.eigenaar_organisatie_id,
        eigenaar_organisatie_naam: org_naam(m, i.eigenaar_organisatie_id),
        nulmeting: i.nulmeting.as_ref().map(WaardeDto::from),
        streefwaarden: i.streefwaarden.iter().map(WaardeDto::from).collect(),
        laatste_meting: i.laatste_meting().map(|x| meting_dto(e.id, x, m)),
        koers: koers_dto(i, jaar),
        aantal_metingen: i.metingen.len(),
        versie: e.version,
    }
}

/// `?jaar=` with paging, for the indicatoren of a doel.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IndicatorenQuery {
    pub jaar: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

fn not_found(id: Uuid) -> Problem {
    Problem::not_found(format!("Er is geen indicator met id {id}."))
}

fn respond(state: &AppState, id: Uuid, status: StatusCode) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    let i = m.indicatoren.get(&id).ok_or_else(|| not_found(id))?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(i.version)))
        .insert_header(("Location", format!("/v1/indicatoren/{id}")))
        .json(indicator_dto(i, &m)))
}

// ---------- reading values from a body ----------

/// `{jaar, waarde}` (and for a streefwaarde `ondergrens`, `bovengrens`).
fn waarde(b: &mut Body, name: &str, v: &Value, band: bool) -> Option<Waarde> {
    const WITH_BAND: &[&str] = &["jaar", "waarde", "ondergrens", "bovengrens"];
    const PLAIN: &[&str] = &["jaar", "waarde"];
    let mut w = Body::new(v, if band { WITH_BAND } else { PLAIN });
    if !v.is_object() {
        b.error(name, "invalid-type", "Verwacht een object {jaar, waarde}.");
        return None;
    }
    let jaar = w.integer("jaar", 1900, 2200).map(|j| j as i32);
    if !w.has_error("jaar") && jaar.is_none() {
        w.error("jaar", "required", "Veld 'jaar' is verplicht.");
    }
    let waarde = w.number("waarde", true);
    let (ondergrens, bovengrens) = if band {
        (w.number("ondergrens", false), w.number("bovengrens", false))
    } else {
        (None, None)
    };
    let ok = w.errors.is_empty();
    b.absorb(name, w);
    match (ok, jaar, waarde) {
        (true, Some(jaar), Some(waarde)) => Some(Waarde {
            jaar,
            waarde,
            ondergrens,
            bovengrens,
        }),
        _ => None,
    }
}

fn streefwaarden(b: &mut Body) -> Vec<Waarde> {
    let Some(v) = b.get_raw("streefwaarden") else {
        return Vec::new();
    };
    let Some(items) = v.as_array() else {
        b.error(
            "streefwaarden",
            "invalid-type",
            "Een lijst van {jaar, waarde} (met ondergrens en bovengrens bij binnenBandbreedte).",
        );
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| waarde(b, &format!("streefwaarden[{i}]"), item, true))
        .collect()
}

fn eigenaar(b: &mut Body, m: &ReadModel) -> Option<Uuid> {
    let id = b.uuid("eigenaarOrganisatieId", false)?;
    if !m.organisaties.contains_key(&id) {
        b.error(
            "eigenaarOrganisatieId",
            "unknown-organisatie",
            format!("Er is geen organisatie met id {id}."),
        );
    }
    Some(id)
}

fn text(b: &mut Body, name: &str) -> Option<String> {
    b.string(name, false)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

// ---------- indicatoren ----------

/// De indicatoren van een doel, op naam.
#[utoipa::path(get, path = "/doelen/{id}/indicatoren", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van het doel"), super::pdca::JaarQuery, Paging, super::peil::PeilQuery),
    responses((status = 200, description = "Een pagina indicatoren", body = Pagina<IndicatorDto>), super::responses::ReadErrors))]
pub async fn list_indicatoren(
    view: super::peil::view::View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<IndicatorenQuery>,
) -> Result<HttpResponse, Problem> {
    let jaar = super::pdca::JaarQuery {
        jaar: q.jaar.clone(),
    }
    .checked()?;
    let q = Paging {
        page: q.page,
        page_size: q.page_size,
    };
    let seen = view.read();
    seen.doel(*id)?;
    let m = seen.model();
    let mut list: Vec<_> = m
        .indicatoren
        .values()
        .filter(|i| i.state.doel_id == *id)
        .collect();
    list.sort_by(|a, b| {
        (a.state.naam.to_lowercase(), a.aangemaakt)
            .cmp(&(b.state.naam.to_lowercase(), b.aangemaakt))
    });
    let now = view.now();
    let items = list
        .into_iter()
        .map(|i| indicator_dto_in(i, m, now, jaar))
        .collect();
    paging::respond(&req, &q, items, m.position)
}

/// Eén indicator, met de laatste meting en of ze in het peiljaar op koers ligt.
#[utoipa::path(get, path = "/indicatoren/{id}", tag = "Indicatoren", params(("id" = Uuid, Path, description = "Id van de indicator"), super::pdca::JaarQuery, super::peil::PeilQuery),
    responses((status = 200, description = "De indicator; ETag is haar versie", body = IndicatorDto), super::responses::ReadErrors))]
pub async fn get_indicator(
    view: super::peil::view::View,
    id: web::Path<Uuid>,
    q: web::Query<super::pdca::JaarQuery>,
) -> Result<HttpResponse, Problem> {
    let jaar = q.checked()?;
    let seen = view.read();
    let i = seen.indicator(*id)?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(i.version)))
        .json(indicator_dto_in(i, seen.model(), view.now(), jaar)))
}

/// Body of an indicator.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct IndicatorIn {
    #[schema(example = "Inwoners met een betalingsachterstand")]
    naam: Option<String>,
    #[schema(example = "%")]
    eenheid: Option<String>,
    /// hogerIsBeter, lagerIsBeter of binnenBandbreedte.
    #[schema(example = "lagerIsBeter")]
    richting: Option<String>,
    /// Waar de cijfers vandaan komen; null maakt leeg.
    #[schema(example = "CBS Wijk- en buurtmonitor")]
    bron: Option<String>,
    /// De organisatie die de metingen aanlevert; null maakt leeg.
    eigenaar_organisatie_id: Option<Uuid>,
    /// {jaar, waarde}; null maakt leeg.
    nulmeting: Option<WaardeIn>,
    /// Per jaar {jaar, waarde} (bij binnenBandbreedte ook ondergrens en bovengrens); elk getal van -1e15 t/m 1e15. Bij wijzigen: stelt de genoemde jaren (opnieuw) vast; andere jaren blijven staan.
    streefwaarden: Option<Vec<WaardeIn>>,
    toelichting: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct WaardeIn {
    #[schema(example = 2026)]
    jaar: i32,
    #[schema(example = 40.0)]
    waarde: f64,
    ondergrens: Option<f64>,
    bovengrens: Option<f64>,
}

/// Voeg een indicator toe aan een doel.
#[utoipa::path(post, path = "/doelen/{id}/indicatoren", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van het doel"), ("Idempotency-Key" = Option<String>, Header, description = "Voorkomt dubbel aanmaken bij herhalen")),
    request_body = IndicatorIn,
    responses((status = 201, description = "Aangemaakt", body = IndicatorDto), super::responses::WriteErrors))]
pub async fn post_indicator(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Doel(*id)))?;
    let doel_id = *id;
    let mut b = Body::new(
        &body,
        &[
            "naam",
            "eenheid",
            "richting",
            "bron",
            "eigenaarOrganisatieId",
            "nulmeting",
            "streefwaarden",
            "toelichting",
        ],
    );
    let naam = b.string("naam", true);
    let eenheid = b.string("eenheid", true);
    let richting = b.choice("richting", true, &RICHTINGEN);
    let bron = text(&mut b, "bron");
    let nulmeting = b
        .get_raw("nulmeting")
        .and_then(|v| waarde(&mut b, "nulmeting", v, false));
    let streefwaarden = streefwaarden(&mut b);
    b.string("toelichting", false);
    let (agenda_id, opgave_id, eigenaar) = {
        let m = state.projection.read();
        let d = m
            .doelen
            .get(&doel_id)
            .ok_or_else(|| Problem::not_found(format!("Er is geen doel met id {doel_id}.")))?;
        (d.state.agenda_id, d.state.opgave_id, eigenaar(&mut b, &m))
    };
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Optional)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let event = IndicatorAangemaakt {
        agenda_id,
        doel_id,
        naam: naam.unwrap_or_default().trim().to_owned(),
        eenheid: eenheid.unwrap_or_default().trim().to_owned(),
        richting: richting.expect("validated"),
        bron,
        eigenaar_organisatie_id: eigenaar,
        nulmeting,
        streefwaarden,
    };
    let outcome = state
        .service
        .structural(ctx, |m| {
            super::actiebeheer::refuse_vervallen(m, opgave_id, Some(doel_id))?;
            Ok(vec![StreamEvents {
                stream_id: Uuid::now_v7(),
                expected: ExpectedVersion::NoStream,
                events: indicator::create(event)?,
            }])
        })
        .await
        .map_err(service_problem)?;
    respond(&state, outcome.streams[0].stream_id, StatusCode::CREATED)
}

/// Wijzig een indicator (alleen de meegegeven velden) of stel streefwaarden (opnieuw) vast. Een herziene streefwaarde blijft zichtbaar in /indicatoren/{id}/streefwaarden.
#[utoipa::path(patch, path = "/indicatoren/{id}", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van de indicator"), ("If-Match" = String, Header, description = "ETag van de indicator (verplicht)")),
    request_body = IndicatorIn,
    responses((status = 200, description = "Gewijzigd", body = IndicatorDto), super::responses::WriteErrors))]
pub async fn patch_indicator(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    require(&req, &state, Action::Beheren(Target::Indicator(*id)))?;
    let id = *id;
    let mut b = Body::new(
        &body,
        &[
            "naam",
            "eenheid",
            "richting",
            "bron",
            "eigenaarOrganisatieId",
            "nulmeting",
            "streefwaarden",
            "toelichting",
        ],
    );
    let mut change = IndicatorGewijzigd {
        naam: b.string("naam", false),
        eenheid: b.string("eenheid", false),
        richting: b.choice("richting", false, &RICHTINGEN),
        ..Default::default()
    };
    if b.has("bron") {
        change.bron = Some(text(&mut b, "bron"));
    }
    if b.has("nulmeting") {
        change.nulmeting = Some(
            b.get_raw("nulmeting")
                .and_then(|v| waarde(&mut b, "nulmeting", v, false)),
        );
    }
    let streefwaarden = streefwaarden(&mut b);
    b.string("toelichting", false);
    let agenda_id = {
        let m = state.projection.read();
        if b.has("eigenaarOrganisatieId") {
            change.eigenaar_organisatie_id = Some(eigenaar(&mut b, &m));
        }
        m.indicatoren.get(&id).map(|i| i.state.agenda_id)
    };
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Required)?;
    ctx.metadata.agenda_id = agenda_id;
    state
        .service
        .update(id, ctx, |m| {
            let i = m.indicatoren.get(&id).ok_or_else(|| {
                ServiceError::NotFound(format!("Er is geen indicator met id {id}."))
            })?;
            Ok((
                i.version,
                i.state.update(change.clone(), streefwaarden.clone())?,
            ))
        })
        .await
        .map_err(service_problem)?;
    respond(&state, id, StatusCode::OK)
}

// ---------- streefwaarde history ----------

/// A streefwaarde as it was set; `vervangen` when a later one for the same year replaced it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreefwaardeDto {
    /// Positie van de gebeurtenis in het log.
    pub positie: u64,
    #[schema(example = 2026)]
    pub jaar: i32,
    pub waarde: f64,
    pub ondergrens: Option<f64>,
    pub bovengrens: Option<f64>,
    /// De waarde die deze verving (bij een herziening).
    pub vorige_waarde: Option<f64>,
    pub vervangen: bool,
    /// De reden uit de audittrail (X-Audit-Toelichting of toelichting).
    pub toelichting: Option<String>,
    /// De bijsturing die deze herziening uitvoert, als die is meegegeven.
    pub bijsturing_id: Option<Uuid>,
    #[schema(value_type = String, format = DateTime, example = "2024-03-01T09:30:00Z")]
    pub registratie_tijdstip: DateTime<Utc>,
}

/// Elke streefwaarde die ooit is vastgesteld, per jaar oudste eerst (uit het gebeurtenissenlog).
#[utoipa::path(get, path = "/indicatoren/{id}/streefwaarden", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van de indicator"), Paging, super::peil::PeilQuery),
    responses((status = 200, description = "Een pagina streefwaarden", body = Pagina<StreefwaardeDto>), super::responses::ReadErrors))]
pub async fn list_streefwaarden(
    state: web::Data<AppState>,
    view: super::peil::view::View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let position = {
        let seen = view.read();
        seen.indicator(*id)?;
        seen.model().position
    };
    let events = state
        .store
        .read_stream(*id, 1, usize::MAX)
        .map_err(|e| service_problem(ServiceError::Store(e)))?;
    let mut items: Vec<StreefwaardeDto> = Vec::new();
    for e in events.into_iter().filter(|e| e.position <= position) {
        let set: Vec<(Waarde, Option<f64>)> =
            match Event::decode(&e.event_type, e.schema_version, &e.data) {
                Ok(Event::IndicatorAangemaakt(a)) => {
                    a.streefwaarden.into_iter().map(|w| (w, None)).collect()
                }
                Ok(Event::StreefwaardeVastgesteld(s)) => {
                    vec![(s.streefwaarde, s.vorige.map(|v| v.waarde))]
                }
                _ => continue,
            };
        for (w, vorige) in set {
            for earlier in items.iter_mut().filter(|x| x.jaar == w.jaar) {
                earlier.vervangen = true;
            }
            items.push(StreefwaardeDto {
                positie: e.position,
                jaar: w.jaar,
                waarde: w.waarde,
                ondergrens: w.ondergrens,
                bovengrens: w.bovengrens,
                vorige_waarde: vorige,
                vervangen: false,
                toelichting: e.metadata.toelichting.clone(),
                bijsturing_id: e.metadata.bijsturing_id,
                registratie_tijdstip: e.recorded_at,
            });
        }
    }
    items.sort_by_key(|x| (x.jaar, x.positie));
    paging::respond(&req, &q, items, position)
}

// ---------- metingen ----------

/// De metingen van een indicator, nieuwste periode eerst (binnen een periode de laatst geregistreerde eerst); vervangen metingen blijven zichtbaar.
#[utoipa::path(get, path = "/indicatoren/{id}/metingen", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van de indicator"), Paging, super::peil::PeilQuery),
    responses((status = 200, description = "Een pagina metingen", body = Pagina<MetingDto>), super::responses::ReadErrors))]
pub async fn list_metingen(
    view: super::peil::view::View,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, Problem> {
    let seen = view.read();
    let i = seen.indicator(*id)?;
    let m = seen.model();
    let mut metingen: Vec<&Meting> = i.state.metingen.iter().collect();
    metingen.sort_by(|a, b| {
        (periode_jaar(&b.periode), &b.periode, b.geregistreerd).cmp(&(
            periode_jaar(&a.periode),
            &a.periode,
            a.geregistreerd,
        ))
    });
    let items = metingen
        .into_iter()
        .map(|x| meting_dto(*id, x, m))
        .collect();
    paging::respond(&req, &q, items, m.position)
}

fn meting_response(
    state: &AppState,
    id: Uuid,
    meting: Uuid,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let m = state.projection.read();
    let i = m.indicatoren.get(&id).ok_or_else(|| not_found(id))?;
    let x = i
        .state
        .metingen
        .iter()
        .find(|x| x.id == meting)
        .ok_or_else(|| {
            Problem::not_found(format!("Er is geen meting {meting} bij indicator {id}."))
        })?;
    Ok(HttpResponse::build(status)
        .insert_header(("ETag", etag(i.version)))
        .insert_header((
            "Location",
            format!("/v1/indicatoren/{id}/metingen/{meting}"),
        ))
        .json(meting_dto(id, x, &m)))
}

/// Eén meting.
#[utoipa::path(get, path = "/indicatoren/{id}/metingen/{metingId}", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van de indicator"), ("metingId" = Uuid, Path, description = "Id van de meting"), super::peil::PeilQuery),
    responses((status = 200, description = "De meting; ETag is de versie van de indicator", body = MetingDto), super::responses::ReadErrors))]
pub async fn get_meting(
    view: super::peil::view::View,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, Problem> {
    let (id, meting) = *path;
    let seen = view.read();
    let i = seen.indicator(id)?;
    let m = seen.model();
    let x = i
        .state
        .metingen
        .iter()
        .find(|x| x.id == meting)
        .ok_or_else(|| {
            Problem::not_found(format!("Er is geen meting {meting} bij indicator {id}."))
        })?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(i.version)))
        .json(meting_dto(id, x, m)))
}

/// Body of a meting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct MetingIn {
    /// 2024, 2024-Q2 of 2024-03. Zonder periode geldt het jaar van de meetdatum. Een latere meting voor dezelfde periode vervangt de eerdere.
    #[schema(example = "2024")]
    periode: Option<String>,
    /// Wanneer gemeten (niet in de toekomst). Precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    meet_datum: Option<NaiveDate>,
    /// Van -1e15 t/m 1e15 (een miljoen miljard); -0 wordt als 0 vastgelegd.
    #[schema(example = 42.5, minimum = -1e15, maximum = 1e15)]
    waarde: f64,
    /// voorlopig of definitief.
    #[schema(example = "voorlopig")]
    status: String,
    bron: Option<String>,
    toelichting: Option<String>,
    /// De organisatie die de meting aanlevert.
    door_organisatie_id: Option<Uuid>,
}

/// Leg een meting vast.
#[utoipa::path(post, path = "/indicatoren/{id}/metingen", tag = "Indicatoren",
    params(("id" = Uuid, Path, description = "Id van de indicator"),
        ("If-Match" = Option<String>, Header, description = "ETag van de indicator (optioneel)"),
        ("Idempotency-Key" = Option<String>, Header, description = "Een herhaald verzoek met dezelfde sleutel voegt niets toe")),
    request_body = MetingIn,
    responses((status = 201, description = "Vastgelegd", body = MetingDto), super::responses::WriteErrors))]
pub async fn post_meting(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, Problem> {
    let caller = require(&req, &state, Action::MetingVastleggen(*id))?;
    let id = *id;
    let mut b = Body::new(
        &body,
        &[
            "periode",
            "meetDatum",
            "waarde",
            "status",
            "bron",
            "toelichting",
            "doorOrganisatieId",
        ],
    );
    let periode = text(&mut b, "periode");
    let meet_datum = b.date("meetDatum");
    let waarde = b.number("waarde", true);
    let status = b.choice("status", true, &METING_STATUSSEN);
    let bron = text(&mut b, "bron");
    let toelichting = text(&mut b, "toelichting");
    let door = b.uuid("doorOrganisatieId", false);
    let door = crate::access::policy::namens(&caller, door).map_err(super::access::denied)?;
    if let Some(p) = periode.as_ref().filter(|p| periode_jaar(p).is_none()) {
        b.error(
            "periode",
            "invalid-period",
            format!("Periode {p:?} is ongeldig: gebruik 2024, 2024-Q2 of 2024-03."),
        );
    }
    if let Some(d) = meet_datum.filter(|d| *d > Utc::now().date_naive()) {
        b.error(
            "meetDatum",
            "future-date",
            format!("{d} ligt in de toekomst; leg een meting vast als ze gedaan is."),
        );
    }
    if periode.is_none()
        && meet_datum.is_none()
        && !b.has_error("meetDatum")
        && !b.has_error("periode")
    {
        b.error(
            "periode",
            "required",
            "Geef een periode (2024, 2024-Q2, 2024-03) of een meetDatum.",
        );
    }
    let agenda_id = {
        let m = state.projection.read();
        if let Some(o) = door.filter(|o| !m.organisaties.contains_key(o)) {
            b.error(
                "doorOrganisatieId",
                "unknown-organisatie",
                format!("Er is geen organisatie met id {o}."),
            );
        }
        m.indicatoren.get(&id).map(|i| i.state.agenda_id)
    };
    let agenda_id = agenda_id.ok_or_else(|| not_found(id))?;
    b.finish()?;
    let mut ctx = context(&req, &body, IfMatch::Optional)?;
    ctx.metadata.agenda_id = Some(agenda_id);
    let event = MetingVastgelegd {
        meting_id: Uuid::now_v7(),
        periode: periode
            .or_else(|| meet_datum.map(|d| d.year().to_string()))
            .unwrap_or_default(),
        meet_datum,
        waarde: waarde.expect("validated"),
        status: status.expect("validated"),
        bron,
        toelichting,
        door_organisatie_id: door,
    };
    let fresh = event.meting_id;
    let outcome = state
        .service
        .update(id, ctx, |m| {
            let i = m.indicatoren.get(&id).ok_or_else(|| {
                ServiceError::NotFound(format!("Er is geen indicator met id {id}."))
            })?;
            Ok((i.version, i.state.record(event.clone())?))
        })
        .await
        .map_err(service_problem)?;
    // On an idempotent retry, answer with the meting the first request recorded.
    let meting = if outcome.duplicate {
        state
            .store
            .event_at(outcome.first_position)
            .ok()
            .flatten()
            .and_then(
                |e| match Event::decode(&e.event_type, e.schema_version, &e.data) {
                    Ok(Event::MetingVastgelegd(m)) => Some(m.meting_id),
                    _ => None,
                },
            )
            .unwrap_or(fresh)
    } else {
        fresh
    };
    meting_response(&state, id, meting, StatusCode::CREATED)
}

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/doelen/{id}/indicatoren", web::get().to(list_indicatoren))
        .route("/doelen/{id}/indicatoren", web::post().to(post_indicator))
        .route("/indicatoren/{id}", web::get().to(get_indicator))
        .route("/indicatoren/{id}", web::patch().to(patch_indicator))
        .route(
            "/indicatoren/{id}/streefwaarden",
            web::get().to(list_streefwaarden),
        )
        .route("/indicatoren/{id}/metingen", web::get().to(list_metingen))
        .route("/indicatoren/{id}/metingen", web::post().to(post_meting))
        .route(
            "/indicatoren/{id}/metingen/{meting_id}",
            web::get().to(get_meting),
        );
}

#[derive(OpenApi)]
#[openapi(paths(
    list_indicatoren,
    post_indicator,
    get_indicator,
    patch_indicator,
    list_streefwaarden,
    list_metingen,
    post_meting,
    get_meting
))]
pub struct Api;
