//! The global event feed: `GET /gebeurtenissen?na=<positie>&pageSize=` (a
//! page of envelopes in log order) and `GET /gebeurtenissen/stream`
//! (Server-Sent Events, see [`super::sse`]).
//!
//! Positions are gap-free. A filtered page skips events that do not match,
//! so its positions have gaps by design; `volgende` is the position to ask
//! for next (the last position *scanned*, not the last one returned), which
//! is what a consumer stores: it never misses an event it may see and never
//! sees one twice.

mod gemeente;

use std::ops::ControlFlow;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::problem::{InvalidParam, Problem};
use crate::domain::Foutcode;
use crate::event_store::RecordedEvent;
use crate::http::AppState;
use crate::service::ServiceError;

pub const DEFAULT_FEED_PAGE: u32 = 20;
pub const MAX_FEED_PAGE: u32 = 500;
/// Most events one request scans when a filter skips many of them; the
/// answer's `volgende` then points past what was scanned.
const MAX_SCAN: usize = 20_000;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Geef de gebeurtenissen ná deze positie (standaard 0: vanaf het begin).
    #[param(minimum = 0, example = 0)]
    pub na: Option<u64>,
    /// Hoeveel gebeurtenissen per pagina (standaard 20, maximaal 500).
    #[param(minimum = 1, maximum = 500, example = 20)]
    pub page_size: Option<u32>,
    /// Alleen gebeurtenissen van deze agenda (`metadata.agendaId`).
    pub agenda: Option<Uuid>,
    /// Alleen dit soort stream: actie, opgave, doel, agenda, groepering, organisatie, reflectie, indicator, checkmoment.
    #[param(value_type = Option<super::enums::StreamType>, example = "actie")]
    pub stream_type: Option<String>,
    /// Alleen dit gebeurtenistype; komma's scheiden meerdere (bijv. ActieStatusGewijzigd,TrekkerGewijzigd).
    #[param(example = "ActieStatusGewijzigd")]
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// Alleen wat voor deze gemeente geldt: gebeurtenissen van agenda's van die gemeente, van acties alleen die van die gemeente of van de hele agenda. Hoofdletters tellen niet.
    #[param(example = "Borne", min_length = 1, pattern = r"\S")]
    pub gemeente: Option<String>,
}

/// The filters of the feed and the stream.
#[derive(Clone, Default)]
pub struct Filter {
    /// What the caller may see at all (`docs/authorisatie.md`), judged per
    /// event on the live model when the event is read; `None`: everything.
    pub access: Option<(
        crate::access::policy::Sight,
        std::sync::Arc<crate::projections::Projection>,
    )>,
    pub agenda: Option<Uuid>,
    pub stream_type: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// Only what holds for this gemeente (see `gemeente.rs`); judged on the
    /// live model, so it needs `access`.
    pub gemeente: Option<String>,
}

impl Filter {
    pub fn new(agenda: Option<Uuid>, stream_type: Option<String>, types: Option<&str>) -> Self {
        Self {
            access: None,
            agenda,
            stream_type,
            event_types: types.map(|t| {
                t.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            }),
            gemeente: None,
        }
    }

    /// Only these event types (none: every type).
    pub fn types(mut self, types: &[String]) -> Self {
        if !types.is_empty() {
            self.event_types = Some(types.to_vec());
        }
        self
    }

    /// Limits the filter to what `caller` may see, judged on the live model
    /// at every event (a webhook subscription's token).
    pub fn with_access(
        mut self,
        caller: crate::access::Caller,
        live: std::sync::Arc<crate::projections::Projection>,
    ) -> Self {
        self.access = Some((crate::access::policy::Sight::live(caller), live));
        self
    }

    /// Only what holds for gemeente `g` (in an agenda's spelling).
    pub fn gemeente(mut self, g: Option<String>) -> Self {
        self.gemeente = g;
        self
    }

    /// Limits the filter to what `req`'s caller may see.
    pub fn for_caller(mut self, req: &HttpRequest, state: &AppState) -> Self {
        let caller = super::access::caller(req);
        self.access = Some((
            crate::access::policy::Sight::new(caller),
            state.projection.clone(),
        ));
        self
    }

    /// For a stream: judge every event on the model as it is when the event
    /// is sent (a page of the feed judges each agenda once).
    pub fn live(mut self) -> Self {
        if let Some((sight, _)) = &mut self.access {
            *sight = crate::access::policy::Sight::live(sight.caller().clone());
        }
        self
    }

    /// The caller this filter shows events to (`None`: unrestricted).
    pub fn caller(&self) -> Option<&crate::access::Caller> {
        self.access.as_ref().map(|(sight, _)| sight.caller())
    }

    /// Whether the event passes the filters and the caller may read it now.
    pub fn matches(&self, e: &RecordedEvent) -> bool {
        // The cheap filters first: no read of the model for what they drop.
        self.selects(e) && self.matches_each([e])[0]
    }

    /// [`Filter::matches`] for each of `events`, under one read of the live
    /// model (a webhook subscription judges a batch at a time).
    pub fn matches_each<'a>(
        &self,
        events: impl IntoIterator<Item = &'a RecordedEvent>,
    ) -> Vec<bool> {
        let live = self
            .access
            .as_ref()
            .map(|(sight, live)| (sight, live.read()));
        events
            .into_iter()
            .map(|e| {
                self.selects(e)
                    && live.as_ref().is_none_or(|(sight, m)| {
                        sight.sees_event(m, e)
                            && self
                                .gemeente
                                .as_deref()
                                .is_none_or(|g| gemeente::holds_for(m, e, g))
                    })
            })
            .collect()
    }

    /// The caller's own filters (agenda, streamType, type), without access.
    fn selects(&self, e: &RecordedEvent) -> bool {
        self.agenda.is_none_or(|a| e.metadata.agenda_id == Some(a))
            && self
                .stream_type
                .as_ref()
                .is_none_or(|s| &e.stream_type == s)
            && self
                .event_types
                .as_ref()
                .is_none_or(|t| t.iter().any(|x| x == &e.event_type))
    }

    /// The filter as query parameters (for links).
    pub fn query(&self) -> String {
        let mut q = String::new();
        if let Some(a) = self.agenda {
            q.push_str(&format!("&agenda={a}"));
        }
        if let Some(s) = &self.stream_type {
            q.push_str(&format!("&streamType={}", encode(s)));
        }
        if let Some(t) = &self.event_types {
            q.push_str(&format!("&type={}", encode(&t.join(","))));
        }
        if let Some(g) = &self.gemeente {
            q.push_str(&format!("&gemeente={}", encode(g)));
        }
        q
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// One event as the feed shows it: the envelope documented in `docs/events.md`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Gebeurtenis {
    pub id: Uuid,
    /// Globale positie: vanaf 1, oplopend, zonder gaten.
    pub positie: u64,
    pub stream_id: Uuid,
    #[schema(value_type = crate::http::enums::StreamType, example = "actie")]
    pub stream_type: String,
    /// Versie binnen de stream (de ETag van de resource).
    pub versie: u64,
    #[serde(rename = "type")]
    #[schema(schema_with = crate::http::enums::event_type)]
    pub event_type: String,
    pub schema_versie: u32,
    /// Wanneer het systeem de gebeurtenis vastlegde (UTC).
    #[schema(value_type = String, format = DateTime, example = "2024-03-01T09:30:00Z")]
    pub registratie_tijdstip: DateTime<Utc>,
    /// De gegevens van de gebeurtenis; per type beschreven in docs/events.md.
    #[schema(value_type = Object)]
    pub data: Value,
    /// actor, correlatieId, causatieId, idempotentieSleutel, toelichting, bijsturingId, agendaId.
    #[schema(value_type = Object)]
    pub metadata: Value,
}

impl From<RecordedEvent> for Gebeurtenis {
    fn from(e: RecordedEvent) -> Self {
        Self {
            id: e.id,
            positie: e.position,
            stream_id: e.stream_id,
            stream_type: e.stream_type,
            versie: e.version,
            event_type: e.event_type,
            schema_versie: e.schema_version,
            registratie_tijdstip: e.recorded_at,
            data: e.data,
            metadata: serde_json::to_value(&e.metadata).unwrap_or(Value::Null),
        }
    }
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GebeurtenissenPagina {
    pub gebeurtenissen: Vec<Gebeurtenis>,
    /// Vraag hierna `?na=<volgende>`; bewaar deze waarde als cursor. Bij een
    /// filter kan ze voorbij de laatst getoonde gebeurtenis liggen.
    pub volgende: u64,
    /// De laatste positie in het log op het moment van antwoorden.
    pub laatste_positie: u64,
}

/// Reads up to `size` matching events after `after`; returns them and the
/// last position scanned.
pub fn read_page(
    state: &AppState,
    after: u64,
    size: usize,
    filter: &Filter,
) -> Result<(Vec<RecordedEvent>, u64), ServiceError> {
    let head = state.store.head();
    let mut out = Vec::new();
    let mut last = after;
    let mut scanned = 0usize;
    state.store.scan(after, head, &mut |e| {
        last = e.position;
        scanned += 1;
        if filter.matches(&e) {
            out.push(e);
        }
        if out.len() >= size || scanned >= MAX_SCAN {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    Ok((out, last))
}

pub fn check_filter(stream_type: Option<&str>) -> Result<(), Problem> {
    const TYPES: [&str; 11] = [
        "token",
        "abonnement",
        "actie",
        "opgave",
        "doel",
        "agenda",
        "groepering",
        "organisatie",
        "reflectie",
        "indicator",
        "checkmoment",
    ];
    match stream_type {
        Some(s) if !TYPES.contains(&s) => Err(Problem::invalid(vec![InvalidParam::new(
            "query.streamType",
            Foutcode::InvalidValue,
            format!("'{s}' is geen streamtype; kies uit {}.", TYPES.join(", ")),
        )])),
        _ => Ok(()),
    }
}

/// Het gebeurtenissenlog in volgorde, zonder gaten, met filters.
#[utoipa::path(get, path = "/gebeurtenissen", tag = "Gebeurtenissen", params(FeedQuery),
    responses(
        (status = 200, description = "Een pagina gebeurtenissen; Link rel=next wijst naar de volgende", body = GebeurtenissenPagina),
        (status = 400, description = "Ongeldige parameters", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<FeedQuery>,
) -> Result<HttpResponse, Problem> {
    let size = q.page_size.unwrap_or(DEFAULT_FEED_PAGE);
    if size == 0 || size > MAX_FEED_PAGE {
        return Err(Problem::invalid(vec![InvalidParam::new(
            "query.pageSize",
            Foutcode::Range,
            format!("pageSize ligt tussen 1 en {MAX_FEED_PAGE}."),
        )]));
    }
    check_filter(q.stream_type.as_deref())?;
    let g = gemeente_of(&state, q.agenda, q.gemeente.as_deref())?;
    let filter = Filter::new(q.agenda, q.stream_type.clone(), q.event_type.as_deref())
        .gemeente(g)
        .for_caller(&req, &state);
    let after = q.na.unwrap_or(0);
    let head = state.store.head();
    beyond_head("query.na", after, head)?;
    let (events, last) = read_page(&state, after, size as usize, &filter)?;
    let next = format!(
        "<{}?na={last}&pageSize={size}{}>; rel=\"next\"",
        req.path(),
        filter.query()
    );
    Ok(HttpResponse::Ok()
        .insert_header(("Link", next))
        .insert_header(("X-Positie", head.to_string()))
        .json(GebeurtenissenPagina {
            gebeurtenissen: events.into_iter().map(Gebeurtenis::from).collect(),
            volgende: last,
            laatste_positie: head,
        }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Begin ná deze positie (als er geen Last-Event-ID is; standaard: alleen nieuwe gebeurtenissen).
    #[param(minimum = 0)]
    pub na: Option<u64>,
    /// Alleen gebeurtenissen van deze agenda.
    pub agenda: Option<Uuid>,
    /// Alleen dit soort stream.
    pub stream_type: Option<String>,
    /// Alleen deze gebeurtenistypes (komma-gescheiden).
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// Alleen wat voor deze gemeente geldt (zoals bij de feed).
    #[param(example = "Borne", min_length = 1, pattern = r"\S")]
    pub gemeente: Option<String>,
}

/// Live gebeurtenissen als Server-Sent Events. Elke gebeurtenis heeft `id:` = positie;
/// opnieuw verbinden met `Last-Event-ID` gaat precies daarna verder. Elke 15 s zonder
/// gebeurtenis een keep-alive-commentaar. Alleen gebeurtenissen die de aanroeper op het
/// moment van verzenden mag lezen. Een stroom met een token eindigt binnen enkele seconden
/// nadat het token is ingetrokken of verlopen, met als laatste bericht `event: einde`
/// (`data`: `code` token-revoked of token-expired en `detail`).
#[utoipa::path(get, path = "/gebeurtenissen/stream", tag = "Gebeurtenissen",
    params(StreamQuery, ("Last-Event-ID" = Option<String>, Header, description = "Laatst ontvangen positie; de stroom gaat daarna verder")),
    responses(
        (status = 200, description = "Een oneindige stroom `text/event-stream`; `data:` is de envelop als JSON", body = String, content_type = "text/event-stream"),
        (status = 400, description = "Ongeldige parameters", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn stream(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<StreamQuery>,
) -> Result<HttpResponse, Problem> {
    check_filter(q.stream_type.as_deref())?;
    let last_event_id = match req.headers().get("Last-Event-ID") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| {
                    Problem::invalid(vec![InvalidParam::new(
                        "header.Last-Event-ID",
                        Foutcode::InvalidPosition,
                        "Last-Event-ID moet een positie zijn (een geheel getal, de id van de laatst ontvangen gebeurtenis).",
                    )])
                })?,
        ),
    };
    let head = state.store.head();
    let after = last_event_id.or(q.na).unwrap_or(head);
    let name = if last_event_id.is_some() {
        "header.Last-Event-ID"
    } else {
        "query.na"
    };
    beyond_head(name, after, head)?;
    let g = gemeente_of(&state, q.agenda, q.gemeente.as_deref())?;
    let filter = Filter::new(q.agenda, q.stream_type.clone(), q.event_type.as_deref())
        .gemeente(g)
        .for_caller(&req, &state)
        .live();
    Ok(super::sse::respond(
        state.store.clone(),
        state.projection.clone(),
        after,
        filter,
    ))
}

/// `?gemeente=` in the spelling of the agendas (a 400 for an unknown one).
pub fn gemeente_of(
    state: &AppState,
    agenda: Option<Uuid>,
    raw: Option<&str>,
) -> Result<Option<String>, Problem> {
    raw.map(|g| gemeente::known(&state.projection.read(), agenda, g, "query.gemeente"))
        .transpose()
}

pub use gemeente::known as gemeente_known;

/// A cursor past the end of the log means the consumer knows a log this
/// server does not have (e.g. it was restored from an older backup): say so
/// rather than wait silently.
fn beyond_head(name: &str, after: u64, head: u64) -> Result<(), Problem> {
    if after > head {
        return Err(Problem::invalid(vec![InvalidParam::new(
            name,
            Foutcode::BeyondHead,
            format!("Positie {after} ligt voorbij het einde van het log (positie {head}). Is de server hersteld uit een oudere backup? Begin dan opnieuw vanaf een positie die u kent."),
        )]));
    }
    Ok(())
}

#[derive(OpenApi)]
#[openapi(paths(feed, stream))]
pub struct Api;

pub fn configure(cfg: &mut super::Routes) {
    cfg.route("/gebeurtenissen", web::get().to(feed))
        .route("/gebeurtenissen/stream", web::get().to(stream));
}
