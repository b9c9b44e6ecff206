//! The one way a GET handler gets "the model to read": [`Peil`].
//!
//! Without `peildatum`, `peiltijdstip` or `positie` it is the live read model;
//! with one of them, the model as the system had recorded it then (see
//! [`crate::history`]). Bad values are a 400 with every problem listed; the
//! response carries `X-Positie`, the log position the answer reflects (set by
//! [`position_header`] from what [`Peil::read`] saw). A resource that did not
//! exist yet at the peildatum is a 404 that says so ([`Peil::not_found`]).
//!
//! Handlers do not read a [`Peil`] themselves: they take a [`view::View`],
//! which reads it for them as the caller may see it ([`Peil::read`] is
//! private to this module and `view`).

pub mod view;

use std::collections::HashMap;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::{Arc, RwLockReadGuard};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::problem::{InvalidParam, Problem};
use crate::domain::Foutcode;
use crate::history::peil::position_at_end_of;
use crate::http::AppState;
use crate::projections::ReadModel;

/// The time-travel query parameters every GET accepts (documentation; the
/// values are read by [`Peil`]).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PeilQuery {
    /// Toon de toestand zoals het systeem die had vastgelegd aan het eind van deze dag (Europe/Amsterdam), precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[param(value_type = Option<String>, format = Date, example = "2024-07-01")]
    pub peildatum: Option<NaiveDate>,
    /// Toon de toestand zoals vastgelegd op dit tijdstip (RFC 3339 met tijdzone, bijv. 2024-07-01T12:00:00Z), van 1900-01-01 t/m 2200-12-31 (UTC).
    #[param(value_type = Option<String>, format = DateTime, example = "2024-07-01T12:00:00Z")]
    pub peiltijdstip: Option<String>,
    /// Toon de toestand na de gebeurtenis op deze positie in het log.
    #[param(minimum = 0, example = 120)]
    pub positie: Option<u64>,
}

/// The position a response reflects; copied into `X-Positie`.
#[derive(Clone, Copy)]
struct Positie(u64);

/// Which moment was asked for, for messages.
#[derive(Debug, Clone)]
struct At {
    position: u64,
    label: String,
    /// The moment asked for: what "now" is for a past state.
    instant: DateTime<Utc>,
}

/// The model a GET reads: live, or as of a peildatum/peiltijdstip/positie.
pub struct Peil {
    moment: PeilMoment,
    /// The whole model at the moment asked for (`None`: the live model).
    past: Option<Arc<ReadModel>>,
}

/// The moment a GET asks for, resolved to a log position, without building
/// the model of that moment: for a handler that needs only part of it (the
/// PDCA state of one opgave, see [`crate::history::AsOf::opgave_model_at`]).
/// [`Peil`] is this plus the whole model.
pub struct PeilMoment {
    state: web::Data<AppState>,
    req: HttpRequest,
    /// Set when the moment lies before the live model's position.
    at: Option<At>,
    instant: Option<DateTime<Utc>>,
}

/// A borrowed read model (the live one under its read lock, or a past one).
pub enum ModelRef<'a> {
    Live(RwLockReadGuard<'a, ReadModel>),
    Past(&'a ReadModel),
}

impl Deref for ModelRef<'_> {
    type Target = ReadModel;
    fn deref(&self) -> &ReadModel {
        match self {
            Self::Live(g) => g,
            Self::Past(m) => m,
        }
    }
}

impl Peil {
    /// The model to read. Remembers its position for `X-Positie`.
    fn read(&self) -> ModelRef<'_> {
        match &self.past {
            None => self.moment.live(),
            Some(m) => {
                self.moment.record_position(m.position);
                ModelRef::Past(m)
            }
        }
    }

    /// "Now" for the state read: see [`PeilMoment::now`].
    pub fn now(&self) -> DateTime<Utc> {
        self.moment.now()
    }

    pub fn state(&self) -> &AppState {
        self.moment.state()
    }

    /// Whether the request asked for a past state.
    pub fn is_past(&self) -> bool {
        self.past.is_some()
    }

    /// A 404 for `id`: see [`PeilMoment::not_found`].
    pub fn not_found(&self, detail: impl Into<String>, id: Uuid) -> Problem {
        self.moment.not_found(detail, id)
    }
}

impl PeilMoment {
    /// The position asked for when it lies before the live model's;
    /// `None`: read the live model ([`PeilMoment::live`]).
    pub fn past_position(&self) -> Option<u64> {
        self.at.as_ref().map(|at| at.position)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The live model. Remembers its position for `X-Positie`.
    pub fn live(&self) -> ModelRef<'_> {
        let model = ModelRef::Live(self.state.projection.read());
        self.record_position(model.position);
        model
    }

    /// Remembers the position the response reflects, for `X-Positie`.
    pub fn record_position(&self, position: u64) {
        self.req.extensions_mut().insert(Positie(position));
    }

    /// "Now" for the state read: the current time for the live model, the
    /// moment asked for (end of the peildatum, the peiltijdstip, or when the
    /// event at the positie was recorded) for a past one. Time-dependent
    /// signals (e.g. an actie without updates for too long) use it.
    pub fn now(&self) -> DateTime<Utc> {
        self.instant.unwrap_or_else(Utc::now)
    }

    /// Whether this is the live model read at the current time (no
    /// peildatum, peiltijdstip or positie given at all).
    pub fn is_live_now(&self) -> bool {
        self.at.is_none() && self.instant.is_none()
    }

    /// A 404 for `id`; when reading the past and the resource exists now,
    /// the problem says it did not exist yet at that moment.
    pub fn not_found(&self, detail: impl Into<String>, id: Uuid) -> Problem {
        let detail = detail.into();
        match &self.at {
            Some(at) if exists(&self.state.projection.read(), id) => Problem::new(
                StatusCode::NOT_FOUND,
                Foutcode::NotYetExisting,
                "Bestond toen nog niet",
                format!(
                    "Deze resource ({id}) bestond op {} nog niet. Kies een latere peildatum of laat de peildatum weg voor de huidige toestand.",
                    // "positie 3", or "2024-07-01 (positie 812)".
                    if at.label.starts_with("positie") {
                        at.label.clone()
                    } else {
                        format!("{} (positie {})", at.label, at.position)
                    }
                ),
            ),
            _ => Problem::not_found(detail),
        }
    }
}

/// Whether any resource of the model has this id.
pub fn exists(m: &ReadModel, id: Uuid) -> bool {
    m.agendas.contains_key(&id)
        || m.acties.contains_key(&id)
        || m.opgaven.contains_key(&id)
        || m.doelen.contains_key(&id)
        || m.groeperingen.contains_key(&id)
        || m.organisaties.contains_key(&id)
        || m.indicatoren.contains_key(&id)
        || m.reflecties.contains_key(&id)
        || m.checkmomenten.contains_key(&id)
        || m.bijsturingen.contains_key(&id)
}

fn bad(name: &str, code: Foutcode, reason: impl Into<String>) -> InvalidParam {
    InvalidParam::new(format!("query.{name}"), code, reason)
}

/// The time-travel parameters of a GET, taken out of its query string by
/// [`position_header`] (so the handlers' own strict query structs never see
/// them), in the order given.
#[derive(Clone, Default)]
struct PeilParams(Vec<(String, String)>);

const KEYS: [&str; 3] = ["peildatum", "peiltijdstip", "positie"];

/// Asks for a time-travel parameter on a request that did not pass
/// [`position_header`] (the public site, `src/http/site/`): the [`Peil`]
/// and [`view::View`] extracted after this read it as if it came in the
/// query of an API GET.
pub fn ask(req: &HttpRequest, key: &str, value: &str) {
    req.extensions_mut()
        .insert(PeilParams(vec![(key.to_owned(), value.to_owned())]));
}

/// Reads the time-travel parameters; `Ok(None)` for the live model.
fn resolve(state: &AppState, req: &HttpRequest) -> Result<Option<At>, Problem> {
    let params = req
        .extensions()
        .get::<PeilParams>()
        .cloned()
        .unwrap_or_default();
    let query: HashMap<String, String> = params.0.into_iter().collect();
    let given: Vec<&str> = KEYS
        .into_iter()
        .filter(|k| query.contains_key(*k))
        .collect();
    if given.is_empty() {
        return Ok(None);
    }
    if given.len() > 1 {
        return Err(Problem::invalid(
            given
                .iter()
                .map(|k| {
                    bad(
                        k,
                        Foutcode::ConflictingParameters,
                        "Geef één van peildatum, peiltijdstip of positie, niet meer.",
                    )
                })
                .collect(),
        ));
    }
    let store = state.store.as_ref();
    let head = store.head();
    let internal = |e: crate::event_store::StoreError| {
        tracing::error!(error = %e, "time travel could not read the log");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Foutcode::InternalError,
            "Interne fout",
            "Het log kon niet worden gelezen; probeer het later opnieuw.",
        )
    };
    let key = given[0];
    let raw = query[key].trim();
    let at = match key {
        "peildatum" => {
            // Exactly YYYY-MM-DD in the API's range: end_of_day cannot overflow.
            let date = super::datum::date("query", "peildatum", &query[key])
                .map_err(|p| Problem::invalid(vec![p]))?;
            At {
                position: position_at_end_of(store, date).map_err(internal)?,
                label: format!("peildatum {date}"),
                instant: crate::history::peil::end_of_day(date),
            }
        }
        "peiltijdstip" => {
            // An unencoded '+' of an offset arrives as a space.
            let raw = &query[key].replace(' ', "+");
            let instant = super::datum::instant("query", "peiltijdstip", raw)
                .map_err(|p| Problem::invalid(vec![p]))?;
            At {
                position: store.position_at(instant).map_err(internal)?,
                label: format!("peiltijdstip {}", instant.to_rfc3339()),
                instant,
            }
        }
        _ => {
            let position = raw.parse::<u64>().map_err(|_| {
                Problem::invalid(vec![bad(
                    "positie",
                    Foutcode::InvalidPosition,
                    format!("positie {raw:?} is geen geheel getal vanaf 0."),
                )])
            })?;
            if position > head {
                return Err(Problem::invalid(vec![bad(
                    "positie",
                    Foutcode::BeyondHead,
                    format!(
                        "positie {position} bestaat nog niet; het log loopt tot positie {head}."
                    ),
                )]));
            }
            At {
                position,
                label: format!("positie {position}"),
                instant: store
                    .event_at(position)
                    .map_err(internal)?
                    .map_or(DateTime::<Utc>::MIN_UTC, |e| e.recorded_at),
            }
        }
    };
    Ok(Some(at))
}

/// What [`Peil`]'s extractor returns: at once for the live model (the
/// common case, no allocation), or the boxed work of a past state.
pub enum PeilFuture {
    Ready(Option<Result<Peil, Problem>>),
    Pending(Pin<Box<dyn Future<Output = Result<Peil, Problem>>>>),
}

impl Future for PeilFuture {
    type Output = Result<Peil, Problem>;

    fn poll(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        match self.get_mut() {
            Self::Ready(value) => {
                std::task::Poll::Ready(value.take().expect("PeilFuture polled after completion"))
            }
            Self::Pending(future) => future.as_mut().poll(cx),
        }
    }
}

impl PeilMoment {
    fn resolve(req: &HttpRequest) -> Result<Self, Problem> {
        let req = req.clone();
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| Problem::not_found("Geen toestand beschikbaar."))?;
        let Some(at) = resolve(&state, &req)? else {
            return Ok(PeilMoment {
                state,
                req,
                at: None,
                instant: None,
            });
        };
        if at.position >= state.projection.read().position {
            // Nothing recorded since: the live model is that state.
            return Ok(PeilMoment {
                state,
                req,
                at: None,
                instant: Some(at.instant.min(Utc::now())),
            });
        }
        Ok(PeilMoment {
            state,
            req,
            instant: Some(at.instant),
            at: Some(at),
        })
    }
}

impl FromRequest for PeilMoment {
    type Error = Problem;
    type Future = std::future::Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(PeilMoment::resolve(req))
    }
}

/// Runs a replay for time travel off the async workers; its failure is a 500.
pub async fn replay<T: Send + 'static>(
    position: u64,
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, Problem> {
    web::block(f)
        .await
        .map_err(|_| Problem::not_found("Geen toestand beschikbaar."))?
        .map_err(|error| {
            tracing::error!(%error, position, "time travel replay failed");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                Foutcode::InternalError,
                "Interne fout",
                "De toestand op die peildatum kon niet worden opgebouwd.",
            )
        })
}

impl FromRequest for Peil {
    type Error = Problem;
    type Future = PeilFuture;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if req.extensions().get::<PeilParams>().is_none() {
            // No peildatum, peiltijdstip or positie: the live model, now.
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| Problem::not_found("Geen toestand beschikbaar."));
            return PeilFuture::Ready(Some(state.map(|state| Peil {
                moment: PeilMoment {
                    state,
                    req: req.clone(),
                    at: None,
                    instant: None,
                },
                past: None,
            })));
        }
        let req = req.clone();
        PeilFuture::Pending(Box::pin(async move {
            let moment = PeilMoment::resolve(&req)?;
            let Some(position) = moment.past_position() else {
                return Ok(Peil { moment, past: None });
            };
            let history = moment.state.history.clone();
            let model = replay(position, move || history.model_at(position)).await?;
            Ok(Peil {
                moment,
                past: Some(model),
            })
        }))
    }
}

/// Middleware on `/v1`: takes `peildatum`/`peiltijdstip`/`positie` out of a
/// GET's query string for [`Peil`], sets `X-Positie` on responses whose
/// handler read a model, keeps the time-travel parameters in `Link` headers,
/// and refuses them (400) on a GET that cannot travel in time.
pub async fn position_header(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let mut taken = Vec::new();
    if req.method() == actix_web::http::Method::GET
        && KEYS.iter().any(|k| req.query_string().contains(k))
    {
        let mut kept = Vec::new();
        for pair in req.query_string().split('&').filter(|p| !p.is_empty()) {
            let key = pair.split('=').next().unwrap_or_default();
            if KEYS.contains(&key) {
                let value = pair.split_once('=').map(|(_, v)| v).unwrap_or_default();
                let decoded =
                    web::Query::<HashMap<String, String>>::from_query(&format!("v={value}"))
                        .ok()
                        .and_then(|q| q.get("v").cloned())
                        .unwrap_or_else(|| value.to_owned());
                taken.push((key.to_owned(), decoded, pair.to_owned()));
            } else {
                kept.push(pair);
            }
        }
        let path = req.path().to_owned();
        let uri = if kept.is_empty() {
            path
        } else {
            format!("{path}?{}", kept.join("&"))
        };
        if let Ok(uri) = uri.parse() {
            req.head_mut().uri = uri;
        }
        req.extensions_mut().insert(PeilParams(
            taken
                .iter()
                .map(|(k, v, _)| (k.clone(), v.clone()))
                .collect(),
        ));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    let position = res.request().extensions().get::<Positie>().copied();
    match position {
        Some(Positie(p)) => {
            res.headers_mut()
                .insert(HeaderName::from_static("x-positie"), HeaderValue::from(p));
        }
        None if !taken.is_empty() && res.status().is_success() => {
            let problem = Problem::invalid(
                taken
                    .iter()
                    .map(|(k, _, _)| bad(k, Foutcode::NotSupported, "Deze resource kent geen peildatum, peiltijdstip of positie; laat de parameter weg."))
                    .collect(),
            );
            let (req, _) = res.into_parts();
            return Ok(ServiceResponse::new(
                req,
                actix_web::ResponseError::error_response(&problem),
            ));
        }
        None => {}
    }
    if !taken.is_empty() {
        let extra: Vec<&str> = taken.iter().map(|(_, _, raw)| raw.as_str()).collect();
        let extra = extra.join("&");
        let link = actix_web::http::header::LINK;
        if let Some(v) = res.headers().get(&link).and_then(|v| v.to_str().ok()) {
            let rewritten = v.replace(">;", &format!("&{extra}>;"));
            if let Ok(value) = HeaderValue::from_str(&rewritten) {
                res.headers_mut().insert(link, value);
            }
        }
    }
    Ok(res)
}

/// Declares `X-Positie` on the 200 response of every GET that accepts a
/// `peildatum` (and on the feed).
pub struct PositieHeader;

impl utoipa::Modify for PositieHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::{ObjectBuilder, RefOr, Type};
        let header = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
            .description(Some(
                "De positie in het gebeurtenissenlog die dit antwoord weergeeft (bij peildatum, peiltijdstip of positie: de toestand zoals toen vastgelegd).",
            ))
            .build();
        for (path, item) in openapi.paths.paths.iter_mut() {
            let Some(op) = item.get.as_mut() else {
                continue;
            };
            let travels = op
                .parameters
                .iter()
                .flatten()
                .any(|p| p.name == "peildatum");
            if !travels && path != "/gebeurtenissen" {
                continue;
            }
            if let Some(RefOr::T(r)) = op.responses.responses.get_mut("200") {
                r.headers.insert("X-Positie".into(), header.clone());
            }
        }
    }
}
