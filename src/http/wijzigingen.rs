//! `GET /agendas/{id}/wijzigingen?sinds=&tot=` (or `sindsPositie`/`totPositie`):
//! what changed in an agenda between two moments, for evaluations and council
//! reports — acties added and dropped (with reason), status and trekker
//! changes, streefwaarden revised, reflecties added. Read from the log, so it
//! reflects what the system recorded in that period.

use std::ops::ControlFlow;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::dto::TrekkerDto;
use super::gemeente::GemeenteQuery;
use super::problem::{InvalidParam, Problem};
use super::write::service_problem;
use crate::domain::actie::Trekker;
use crate::domain::Event;
use crate::domain::Foutcode;
use crate::event_store::RecordedEvent;
use crate::history::peil::end_of_day;
use crate::http::AppState;
use crate::projections::ReadModel;
use crate::service::ServiceError;

/// Not closed: `?gemeente=` is read by [`GemeenteQuery`] beside it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct WijzigingenQuery {
    /// Vanaf het begin van deze dag (Europe/Amsterdam), precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[param(value_type = Option<String>, format = Date, example = "2024-01-01")]
    pub sinds: Option<String>,
    /// Tot en met het eind van deze dag (Europe/Amsterdam), precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[param(value_type = Option<String>, format = Date, example = "2024-12-31")]
    pub tot: Option<String>,
    /// Alleen gebeurtenissen ná deze positie (in plaats van sinds).
    #[param(minimum = 0)]
    pub sinds_positie: Option<u64>,
    /// Tot en met deze positie (in plaats van tot).
    #[param(minimum = 0)]
    pub tot_positie: Option<u64>,
}

/// What every line of the report shares.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Moment {
    pub positie: u64,
    #[schema(value_type = String, format = DateTime)]
    pub registratie_tijdstip: DateTime<Utc>,
    pub toelichting: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActieRegel {
    #[serde(flatten)]
    pub moment: Moment,
    pub actie_id: Uuid,
    /// Het kenmerk van de actie (uniek in de agenda).
    #[schema(example = "1.1.3-2")]
    pub kenmerk: Option<String>,
    pub omschrijving: String,
    pub opgave_code: Option<String>,
    pub doel_code: Option<String>,
    /// Bij een statuswijziging: de oude status.
    #[schema(value_type = Option<crate::domain::actie::ActieStatus>)]
    pub van: Option<String>,
    /// Bij een statuswijziging: de nieuwe status.
    #[schema(value_type = Option<crate::domain::actie::ActieStatus>)]
    pub naar: Option<String>,
    pub ingangs_datum: Option<NaiveDate>,
    /// Bij vervallen of heropenen.
    pub reden: Option<String>,
    /// Bij een trekkerwissel.
    pub vorige_trekker: Option<TrekkerDto>,
    pub nieuwe_trekker: Option<TrekkerDto>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreefwaardeRegel {
    #[serde(flatten)]
    pub moment: Moment,
    pub indicator_id: Uuid,
    pub indicator_naam: String,
    /// Leeg: een streefwaarde voor de hele periode van de agenda.
    pub jaar: Option<i32>,
    pub vorige_waarde: Option<f64>,
    pub nieuwe_waarde: f64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReflectieRegel {
    #[serde(flatten)]
    pub moment: Moment,
    pub reflectie_id: Uuid,
    /// plan, do, check of act.
    #[schema(value_type = crate::domain::reflectie::PdcaFase)]
    pub fase: String,
    /// actie, doel of opgave.
    #[schema(value_type = crate::domain::reflectie::OnderwerpSoort)]
    pub over_soort: String,
    pub over_id: Uuid,
    pub datum: NaiveDate,
}

/// What changed in an agenda in a period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WijzigingenDto {
    pub agenda_id: Uuid,
    /// Gebeurtenissen ná deze positie ...
    pub na_positie: u64,
    /// ... tot en met deze.
    pub tot_en_met_positie: u64,
    pub acties_toegevoegd: Vec<ActieRegel>,
    /// Met reden.
    pub acties_vervallen: Vec<ActieRegel>,
    /// Alle andere statuswijzigingen.
    pub statuswijzigingen: Vec<ActieRegel>,
    pub trekkerwijzigingen: Vec<ActieRegel>,
    pub streefwaarden_herzien: Vec<StreefwaardeRegel>,
    pub reflecties_toegevoegd: Vec<ReflectieRegel>,
    /// Groeperingen, opgaven en doelen met een nieuwe code.
    pub hernummeringen: Vec<super::structuurwijzigingen::HernummeringRegel>,
    /// Doelen en acties die naar een andere opgave of ander doel gingen.
    pub verplaatsingen: Vec<super::structuurwijzigingen::VerplaatsingRegel>,
    /// Bijsturingen vastgelegd of doorgevoerd.
    pub bijsturingen: Vec<super::structuurwijzigingen::BijsturingRegel>,
    /// Opgaven en doelen die (niet langer) bijdragen aan een andere groepering dan hun eigen.
    pub bijdragen: Vec<super::structuurwijzigingen::BijdrageRegel>,
}

fn date_param(
    raw: &Option<String>,
    name: &str,
    errors: &mut Vec<InvalidParam>,
) -> Option<NaiveDate> {
    let raw = raw.as_ref()?;
    super::datum::date("query", name, raw)
        .map_err(|p| errors.push(p))
        .ok()
}

fn actie_regel(m: &ReadModel, e: &RecordedEvent) -> ActieRegel {
    let a = m.acties.get(&e.stream_id);
    ActieRegel {
        moment: moment(e),
        actie_id: e.stream_id,
        kenmerk: a.map(|a| a.state.kenmerk.to_string()),
        omschrijving: a.map(|a| a.state.omschrijving.clone()).unwrap_or_default(),
        opgave_code: a
            .and_then(|a| m.opgave_weergavecode(m.opgave_of(&a.state)))
            .map(String::from),
        doel_code: a
            .and_then(|a| a.state.doel_id)
            .and_then(|d| m.doel_weergavecode(d))
            .map(String::from),
        van: None,
        naar: None,
        ingangs_datum: None,
        reden: None,
        vorige_trekker: None,
        nieuwe_trekker: None,
    }
}

pub(super) fn moment(e: &RecordedEvent) -> Moment {
    Moment {
        positie: e.position,
        registratie_tijdstip: e.recorded_at,
        toelichting: e.metadata.toelichting.clone(),
    }
}

fn trekker(t: &Option<Trekker>, m: &ReadModel) -> Option<TrekkerDto> {
    t.as_ref().map(|t| TrekkerDto::from(t, m))
}

fn name(v: Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// Wat er in een agenda veranderde tussen twee momenten (voor evaluaties en raadsrapportages).
#[utoipa::path(get, path = "/agendas/{id}/wijzigingen", tag = "Historie",
    params(("id" = Uuid, Path, description = "Id van de agenda"), WijzigingenQuery, GemeenteQuery),
    responses(
        (status = 200, description = "De wijzigingen in de periode, per soort, oudste eerst", body = WijzigingenDto),
        super::responses::ReadErrors,
    ))]
pub async fn wijzigingen(
    state: web::Data<AppState>,
    reader: super::peil::view::Reader,
    id: web::Path<Uuid>,
    q: web::Query<WijzigingenQuery>,
    g: web::Query<GemeenteQuery>,
) -> Result<HttpResponse, Problem> {
    let id = *id;
    reader.check(crate::access::policy::Target::Agenda(id))?;
    let gemeente = super::voortgang::gemeente(&state, id, &g)?;
    let mut errors = Vec::new();
    let sinds = date_param(&q.sinds, "sinds", &mut errors);
    let tot = date_param(&q.tot, "tot", &mut errors);
    if q.sinds.is_some() && q.sinds_positie.is_some() {
        errors.push(InvalidParam::new(
            "query.sindsPositie",
            Foutcode::ConflictingParameters,
            "Geef sinds óf sindsPositie, niet allebei.",
        ));
    }
    if q.tot.is_some() && q.tot_positie.is_some() {
        errors.push(InvalidParam::new(
            "query.totPositie",
            Foutcode::ConflictingParameters,
            "Geef tot óf totPositie, niet allebei.",
        ));
    }
    if let (Some(s), Some(t)) = (sinds, tot) {
        if s > t {
            errors.push(InvalidParam::new(
                "query.tot",
                Foutcode::InvalidRange,
                "tot ligt vóór sinds.",
            ));
        }
    }
    let store = state.store.as_ref();
    let head = store.head();
    check_position_range(q.sinds_positie, q.tot_positie, head, &mut errors);
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let store_err = |e| service_problem(ServiceError::Store(e));
    let after = match (sinds, q.sinds_positie) {
        (Some(d), _) => store
            .position_at(end_of_day(d - Duration::days(1)))
            .map_err(store_err)?,
        (_, Some(p)) => p.min(head),
        _ => 0,
    };
    let until = match (tot, q.tot_positie) {
        (Some(d), _) => store.position_at(end_of_day(d)).map_err(store_err)?,
        (_, Some(p)) => p.min(head),
        _ => head,
    };
    let model = state.projection.read();
    if !model.agendas.contains_key(&id) {
        return Err(Problem::not_found(crate::domain::niet_gevonden(
            "agenda", id,
        )));
    }
    let mut out = WijzigingenDto {
        agenda_id: id,
        na_positie: after,
        tot_en_met_positie: until.max(after),
        acties_toegevoegd: Vec::new(),
        acties_vervallen: Vec::new(),
        statuswijzigingen: Vec::new(),
        trekkerwijzigingen: Vec::new(),
        streefwaarden_herzien: Vec::new(),
        reflecties_toegevoegd: Vec::new(),
        hernummeringen: Vec::new(),
        verplaatsingen: Vec::new(),
        bijsturingen: Vec::new(),
        bijdragen: Vec::new(),
    };
    let mut structuur = super::structuurwijzigingen::Regels::new(store);
    let m = &*model;
    store
        .scan(after, until, &mut |e| {
            let of_agenda = e.metadata.agenda_id == Some(id)
                || (e.metadata.agenda_id.is_none() && m.agenda_of(e.stream_id) == Some(id));
            if !of_agenda {
                return ControlFlow::Continue(());
            }
            let Ok(event) = Event::decode(&e.event_type, e.schema_version, &e.data) else {
                return ControlFlow::Continue(());
            };
            if let Some(g) = &gemeente {
                if !voor_gemeente(m, &e, &event, g) {
                    return ControlFlow::Continue(());
                }
            }
            match event {
                Event::ActieAangemaakt(_) => out.acties_toegevoegd.push(actie_regel(m, &e)),
                Event::ActieStatusGewijzigd(s) => {
                    let mut r = actie_regel(m, &e);
                    r.van = Some(s.van.as_str().to_owned());
                    r.naar = Some(s.naar.as_str().to_owned());
                    r.ingangs_datum = Some(s.ingangs_datum);
                    r.reden = s.reden;
                    if r.naar.as_deref() == Some("vervallen") {
                        out.acties_vervallen.push(r);
                    } else {
                        out.statuswijzigingen.push(r);
                    }
                }
                Event::TrekkerGewijzigd(t) => {
                    let mut r = actie_regel(m, &e);
                    r.vorige_trekker = trekker(&t.vorige_trekker, m);
                    r.nieuwe_trekker = trekker(&t.nieuwe_trekker, m);
                    out.trekkerwijzigingen.push(r);
                }
                Event::StreefwaardeVastgesteld(s) => {
                    out.streefwaarden_herzien.push(StreefwaardeRegel {
                        moment: moment(&e),
                        indicator_id: e.stream_id,
                        indicator_naam: m
                            .indicatoren
                            .get(&e.stream_id)
                            .map(|i| i.state.naam.clone())
                            .unwrap_or_default(),
                        jaar: s.streefwaarde.jaar,
                        vorige_waarde: s.vorige.map(|v| v.waarde),
                        nieuwe_waarde: s.streefwaarde.waarde,
                    })
                }
                Event::ReflectieToegevoegd(r) => out.reflecties_toegevoegd.push(ReflectieRegel {
                    moment: moment(&e),
                    reflectie_id: e.stream_id,
                    fase: name(serde_json::to_value(r.fase).unwrap_or_default()),
                    over_soort: name(serde_json::to_value(r.over.soort).unwrap_or_default()),
                    over_id: r.over.id,
                    datum: r.datum,
                }),
                other => structuur.collect(m, &e, &other),
            }
            ControlFlow::Continue(())
        })
        .map_err(store_err)?;
    out.hernummeringen = structuur.hernummeringen;
    out.verplaatsingen = structuur.verplaatsingen;
    out.bijsturingen = structuur.bijsturingen;
    out.bijdragen = structuur.bijdragen;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", format!("W/\"{until}\"")))
        .insert_header(("X-Positie", until.to_string()))
        .json(out))
}

/// With `?gemeente=`: whether an event holds for it. Events of an actie,
/// and reflecties on one, only when the actie (as it is now) is for that
/// gemeente or for the whole agenda; everything else always.
fn voor_gemeente(m: &ReadModel, e: &RecordedEvent, event: &Event, gemeente: &str) -> bool {
    let actie = match event {
        Event::ReflectieToegevoegd(r)
            if r.over.soort == crate::domain::reflectie::OnderwerpSoort::Actie =>
        {
            r.over.id
        }
        _ => e.stream_id,
    };
    m.acties
        .get(&actie)
        .is_none_or(|a| crate::domain::gemeente::hoort_bij(&a.state.gemeenten, gemeente))
}

#[derive(OpenApi)]
#[openapi(paths(wijzigingen))]
pub struct Api;

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/agendas/{id}/wijzigingen", web::get().to(wijzigingen));
}

/// `sindsPositie`/`totPositie` that cannot describe a period of the log: a
/// start beyond its last position, or an end before the start. (The
/// voortgang checks the same; it can call this one.)
pub fn check_position_range(
    sinds: Option<u64>,
    tot: Option<u64>,
    head: u64,
    errors: &mut Vec<InvalidParam>,
) {
    let Some(s) = sinds else { return };
    if s > head {
        errors.push(InvalidParam::new(
            "query.sindsPositie",
            Foutcode::BeyondHead,
            format!("sindsPositie {s} ligt voorbij de laatste positie ({head})."),
        ));
    }
    if tot.is_some_and(|t| t < s) {
        errors.push(InvalidParam::new(
            "query.totPositie",
            Foutcode::InvalidRange,
            "totPositie ligt vóór sindsPositie.",
        ));
    }
}
