//! `GET /{resource}/{id}/audittrail` for every resource: one entry per event
//! that touched it, with who, when, what kind of change, the fields that
//! changed (old and new value), the toelichting and the bijsturing. Paged,
//! oldest first. Built generically by [`crate::history::audit`].

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::dto::{Pagina, Paging};
use super::paging;
use super::peil::view::Reader;
use super::problem::Problem;
use super::write::service_problem;
use crate::access::policy::Target;
use crate::event_store::ActorKind;
use crate::history::audit;
use crate::history::names::Names;
use crate::http::AppState;
use crate::service::ServiceError;

/// Who made a change: an organisation and role, or the system. No persons.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActorDto {
    /// systeem of token.
    #[schema(value_type = crate::http::enums::ActorSoort, example = "token")]
    pub soort: String,
    pub organisatie_id: Option<Uuid>,
    /// De naam van de organisatie zoals die toen was.
    #[schema(example = "Gemeente Twenterand")]
    pub organisatie_naam: Option<String>,
    #[schema(value_type = Option<crate::domain::token::Rol>, example = "programmamanager")]
    pub rol: Option<String>,
    /// Bij een token: de omschrijving van het token (zoals toen); bij het systeem: welk deel, bijv. "system (demo import)".
    pub omschrijving: Option<String>,
}

/// One field that changed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VeldwijzigingDto {
    #[schema(example = "status")]
    pub veld: String,
    /// De waarde ervoor (null: was er niet); elk JSON-type.
    pub oud: Value,
    /// De waarde erna; elk JSON-type.
    pub nieuw: Value,
    /// Bij een verwijzing (trekker, partners, opgaveId, doelId, groeperingId, organisaties, ...): de naam of code waarnaar `oud` verwees, zoals die toen was.
    #[schema(example = "Gemeente Twenterand")]
    pub oud_weergave: Option<String>,
    /// Idem voor `nieuw`.
    #[schema(example = "Stichting Mijande")]
    pub nieuw_weergave: Option<String>,
}

/// One entry of an audittrail: one event.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditregelDto {
    pub positie: u64,
    /// Versie van de resource na deze wijziging.
    pub versie: u64,
    #[schema(value_type = String, format = DateTime, example = "2024-03-01T09:30:00Z")]
    pub registratie_tijdstip: DateTime<Utc>,
    pub actor: ActorDto,
    /// Het soort wijziging in gewone taal (aangemaakt, gewijzigd, status gewijzigd, …; de volledige lijst staat in de enum).
    #[schema(value_type = crate::http::enums::SoortWijziging, example = "status gewijzigd")]
    pub soort_wijziging: String,
    #[schema(schema_with = crate::http::enums::event_type)]
    pub gebeurtenis_type: String,
    pub wijzigingen: Vec<VeldwijzigingDto>,
    pub toelichting: Option<String>,
    pub bijsturing_id: Option<Uuid>,
    pub correlatie_id: Option<Uuid>,
}

impl AuditregelDto {
    /// The entry in words: names and codes as they were at its position.
    fn new(a: audit::AuditEntry, names: &mut Names) -> Self {
        let e = a.event;
        // The actor and old values as they were when the change was made
        // (just before it), new values as it left them.
        let at = e.position;
        let before = at.saturating_sub(1);
        let actor = e.metadata.actor;
        let omschrijving = actor
            .label
            .or_else(|| actor.token_id.and_then(|t| names.omschrijving(t, at)));
        Self {
            positie: e.position,
            versie: e.version,
            registratie_tijdstip: e.recorded_at,
            actor: ActorDto {
                soort: match actor.kind {
                    ActorKind::Systeem => "systeem".into(),
                    ActorKind::Token => "token".into(),
                },
                organisatie_id: actor.organisatie_id,
                organisatie_naam: actor.organisatie_id.and_then(|o| names.label(o, before)),
                rol: actor.rol,
                omschrijving,
            },
            soort_wijziging: a.soort.to_owned(),
            gebeurtenis_type: e.event_type,
            wijzigingen: a
                .changes
                .into_iter()
                .map(|c| VeldwijzigingDto {
                    oud_weergave: names.describe(&c.field, &c.old, before),
                    nieuw_weergave: names.describe(&c.field, &c.new, at),
                    veld: c.field,
                    oud: c.old,
                    nieuw: c.new,
                })
                .collect(),
            toelichting: e.metadata.toelichting,
            bijsturing_id: e.metadata.bijsturing_id,
            correlatie_id: e.metadata.correlation_id,
        }
    }
}

fn respond(
    state: &AppState,
    reader: &Reader,
    req: &HttpRequest,
    id: Uuid,
    q: &Paging,
    stream_type: &str,
    noun: &str,
) -> Result<HttpResponse, Problem> {
    if let Some(target) = Target::of_stream(stream_type, id) {
        reader.check(target)?;
    }
    let events = state
        .store
        .read_stream(id, 1, usize::MAX)
        .map_err(|e| service_problem(ServiceError::Store(e)))?;
    if events.first().is_none_or(|e| e.stream_type != stream_type) {
        return Err(Problem::not_found(format!(
            "Er is geen {noun} met id {id}."
        )));
    }
    let mut events = events;
    if stream_type == "actie" {
        // An actie created before kenmerken were recorded has the one the
        // projection gave it (it never changes): show it where it began.
        let kenmerk = state
            .projection
            .read()
            .acties
            .get(&id)
            .map(|a| a.state.kenmerk.to_string());
        if let (Some(k), Some(Value::Object(data))) =
            (kenmerk, events.first_mut().map(|e| &mut e.data))
        {
            if data.get("kenmerk").is_none_or(Value::is_null) {
                data.insert("kenmerk".into(), Value::String(k));
            }
        }
    }
    let position = state.store.head();
    let entries = audit::trail(events);
    // Only the requested page is put into words (each name is looked up as
    // of its entry's position).
    let mut names = Names::new(state.store.as_ref());
    let items = entries
        .into_iter()
        .map(|a| AuditregelDto::new(a, &mut names));
    paging::respond_iter(req, q, items, position)
}

macro_rules! audittrail {
    ($name:ident, $path:tt, $stream:tt, $noun:tt, $summary:tt) => {
        #[doc = $summary]
        #[utoipa::path(get, path = $path, tag = "Historie",
            params(("id" = Uuid, Path, description = "Id van de resource"), Paging),
            responses(
                (status = 200, description = "Een pagina auditregels, oudste eerst", body = Pagina<AuditregelDto>),
                super::responses::ReadErrors,
            ))]
        pub async fn $name(
            state: web::Data<AppState>,
            reader: Reader,
            req: HttpRequest,
            id: web::Path<Uuid>,
            q: web::Query<Paging>,
        ) -> Result<HttpResponse, Problem> {
            respond(&state, &reader, &req, *id, &q, $stream, $noun)
        }
    };
}

audittrail!(
    acties,
    "/acties/{id}/audittrail",
    "actie",
    "actie",
    "De audittrail van een actie: elke wijziging met wie, wanneer, wat en waarom."
);
audittrail!(
    opgaven,
    "/opgaven/{id}/audittrail",
    "opgave",
    "opgave",
    "De audittrail van een opgave."
);
audittrail!(
    doelen,
    "/doelen/{id}/audittrail",
    "doel",
    "doel",
    "De audittrail van een doel."
);
audittrail!(
    indicatoren,
    "/indicatoren/{id}/audittrail",
    "indicator",
    "indicator",
    "De audittrail van een indicator (ook streefwaarden en metingen)."
);
audittrail!(
    agendas,
    "/agendas/{id}/audittrail",
    "agenda",
    "agenda",
    "De audittrail van een agenda (de agenda zelf; zie /wijzigingen voor alles eronder)."
);
audittrail!(
    organisaties,
    "/organisaties/{id}/audittrail",
    "organisatie",
    "organisatie",
    "De audittrail van een organisatie."
);
audittrail!(
    groeperingen,
    "/groeperingen/{id}/audittrail",
    "groepering",
    "groepering",
    "De audittrail van een groepering."
);
audittrail!(
    reflecties,
    "/reflecties/{id}/audittrail",
    "reflectie",
    "reflectie",
    "De audittrail van een reflectie (correcties en intrekking)."
);
audittrail!(
    checkmomenten,
    "/checkmomenten/{id}/audittrail",
    "checkmoment",
    "checkmoment",
    "De audittrail van een checkmoment (bijsturingen en sluiting)."
);

#[derive(OpenApi)]
#[openapi(paths(
    acties,
    opgaven,
    doelen,
    indicatoren,
    agendas,
    organisaties,
    groeperingen,
    reflecties,
    checkmomenten
))]
pub struct Api;

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/acties/{id}/audittrail", web::get().to(acties))
        .route("/opgaven/{id}/audittrail", web::get().to(opgaven))
        .route("/doelen/{id}/audittrail", web::get().to(doelen))
        .route("/indicatoren/{id}/audittrail", web::get().to(indicatoren))
        .route("/agendas/{id}/audittrail", web::get().to(agendas))
        .route("/organisaties/{id}/audittrail", web::get().to(organisaties))
        .route("/groeperingen/{id}/audittrail", web::get().to(groeperingen))
        .route("/reflecties/{id}/audittrail", web::get().to(reflecties))
        .route(
            "/checkmomenten/{id}/audittrail",
            web::get().to(checkmomenten),
        );
}
