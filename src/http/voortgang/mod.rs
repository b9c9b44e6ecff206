//! `GET /agendas/{id}/voortgang` (JSON, Markdown, HTML) and
//! `GET /agendas/{id}/voortgang.atom`: what changed in an agenda between two
//! dates or two log positions, for the nieuwsbrief and for feed readers.
//!
//! A script keeps `totPositie` of one edition and asks the next one with
//! `sindsPositie=<that>`: positions are gap-free, so no change is missed or
//! counted twice.

mod atom;
mod groepering;
pub mod items;
pub mod model;
pub mod render;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};
use uuid::Uuid;

use super::gemeente::GemeenteQuery;
use super::problem::{InvalidParam, Problem};
use crate::domain::Foutcode;
use crate::http::AppState;
use crate::kalender;
use model::{Voortgang, Window};

/// Not closed: `?gemeente=` is read by [`GemeenteQuery`] beside it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct VoortgangQuery {
    /// Eerste dag van de periode (precies JJJJ-MM-DD, Europe/Amsterdam, van 1900-01-01 t/m 2200-12-31). Of gebruik sindsPositie.
    #[param(value_type = Option<String>, format = Date, example = "2024-03-01")]
    pub sinds: Option<String>,
    /// Laatste dag van de periode, inclusief (standaard: tot nu); precies JJJJ-MM-DD, van 1900-01-01 t/m 2200-12-31.
    #[param(value_type = Option<String>, format = Date, example = "2024-03-31")]
    pub tot: Option<String>,
    /// Wijzigingen ná deze positie (de totPositie van de vorige editie).
    #[param(minimum = 0, example = 1200)]
    pub sinds_positie: Option<u64>,
    /// Tot en met deze positie (standaard: de laatste).
    #[param(minimum = 0)]
    pub tot_positie: Option<u64>,
    /// json (application/json), markdown (text/markdown) of html (text/html); gaat voor de Accept-header (voor tools die geen headers kunnen zetten).
    #[param(inline, value_type = Option<Formaat>, example = "markdown")]
    pub formaat: Option<String>,
    /// Alleen wat een groepering (bijv. een maatschappelijk effect) aangaat: de opgaven erin, de opgaven die eraan bijdragen en de wijzigingen van doelen die eraan bijdragen.
    pub groepering: Option<Uuid>,
}

/// `?groepering=` on the voortgang's feed. Not closed: `?gemeente=` is
/// read by [`GemeenteQuery`] beside it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct GroeperingQuery {
    /// Alleen wat een groepering (bijv. een maatschappelijk effect) aangaat: de opgaven erin, de opgaven die eraan bijdragen en de wijzigingen van doelen die eraan bijdragen.
    pub groepering: Option<Uuid>,
}

/// The groepering of `?groepering=`, which must be one of the agenda's
/// (400 naming the parameter otherwise).
pub fn groepering_param(
    state: &AppState,
    agenda_id: Uuid,
    groepering: Option<Uuid>,
) -> Result<Option<Uuid>, Problem> {
    let Some(g) = groepering else {
        return Ok(None);
    };
    let m = state.projection.read();
    match m.groeperingen.get(&g) {
        Some(x) if x.state.agenda_id == agenda_id => Ok(Some(g)),
        _ => Err(Problem::invalid(vec![InvalidParam::new(
            "query.groepering",
            Foutcode::UnknownGroepering,
            format!("Er is geen groepering {g} in deze agenda."),
        )])),
    }
}

// The formats of the voortgang. The query keeps a `String` so that an
// unknown value gets the Dutch problem of `negotiate`; the spec lists these
// as its `enum` (a plain comment: a doc comment would become its description).
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Formaat {
    Json,
    Markdown,
    Html,
}

/// `?formaat=` wins; otherwise the best supported type in `Accept`.
pub fn negotiate(req: &HttpRequest, formaat: Option<&str>) -> Result<Formaat, Problem> {
    if let Some(f) = formaat {
        return match f {
            "json" => Ok(Formaat::Json),
            "markdown" => Ok(Formaat::Markdown),
            "html" => Ok(Formaat::Html),
            other => Err(Problem::invalid(vec![InvalidParam::new(
                "query.formaat",
                Foutcode::InvalidValue,
                format!("'{other}' is geen formaat; kies uit json, markdown, html."),
            )])),
        };
    }
    let Some(accept) = req
        .headers()
        .get("Accept")
        .and_then(|v| v.to_str().ok())
        .filter(|a| !a.trim().is_empty())
    else {
        return Ok(Formaat::Json);
    };
    let mut offers: Vec<(f32, usize, &str)> = accept
        .split(',')
        .enumerate()
        .map(|(i, part)| {
            let mut it = part.split(';');
            let media = it.next().unwrap_or("").trim();
            let q = it
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q, i, media)
        })
        .filter(|(q, _, _)| *q > 0.0)
        .collect();
    offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, _, media) in offers {
        match media.to_ascii_lowercase().as_str() {
            "application/json" | "application/*" | "*/*" => return Ok(Formaat::Json),
            "text/markdown" | "text/*" => return Ok(Formaat::Markdown),
            "text/html" => return Ok(Formaat::Html),
            _ => {}
        }
    }
    Err(Problem::new(
        StatusCode::NOT_ACCEPTABLE,
        Foutcode::NotAcceptable,
        "Niet aanvaardbaar",
        "De voortgang is er als application/json, text/markdown en text/html; vraag een daarvan in Accept of gebruik ?formaat=.",
    ))
}

fn date_param(
    name: &str,
    raw: &Option<String>,
    errors: &mut Vec<InvalidParam>,
) -> Option<NaiveDate> {
    let raw = raw.as_deref()?;
    super::datum::date("query", name, raw)
        .map_err(|p| errors.push(p))
        .ok()
}

/// Turns the query into positions `(sinds, tot]`, reporting every problem.
fn window(state: &AppState, q: &VoortgangQuery) -> Result<Window, Problem> {
    let mut errors = Vec::new();
    let dates = q.sinds.is_some() || q.tot.is_some();
    let positions = q.sinds_positie.is_some() || q.tot_positie.is_some();
    if dates && positions {
        errors.push(InvalidParam::new(
            "query",
            Foutcode::MixedRange,
            "Gebruik óf sinds/tot (datums) óf sindsPositie/totPositie, niet beide.",
        ));
    }
    if q.sinds.is_none() && q.sinds_positie.is_none() {
        errors.push(InvalidParam::new(
            "query.sinds",
            Foutcode::IncompleteParameters,
            "Geef het begin: sinds=JJJJ-MM-DD of sindsPositie=N (de totPositie van de vorige editie).",
        ));
    }
    let sinds = date_param("sinds", &q.sinds, &mut errors);
    let tot = date_param("tot", &q.tot, &mut errors);
    if let (Some(s), Some(t)) = (sinds, tot) {
        if t < s {
            errors.push(InvalidParam::new(
                "query.tot",
                Foutcode::InvalidRange,
                "tot ligt vóór sinds.",
            ));
        }
    }
    let head = state.store.head();
    if let Some(s) = q.sinds_positie {
        if s > head {
            errors.push(InvalidParam::new(
                "query.sindsPositie",
                Foutcode::BeyondHead,
                format!("sindsPositie {s} ligt voorbij de laatste positie ({head})."),
            ));
        }
        if q.tot_positie.is_some_and(|t| t < s) {
            errors.push(InvalidParam::new(
                "query.totPositie",
                Foutcode::InvalidRange,
                "totPositie ligt vóór sindsPositie.",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let store = state.store.as_ref();
    let internal = |e: crate::event_store::StoreError| {
        super::write::service_problem(crate::service::ServiceError::Store(e))
    };
    let (from, until) = match sinds {
        Some(s) => (
            kalender::position_before_day(store, s).map_err(internal)?,
            match tot {
                Some(t) => crate::history::peil::position_at_end_of(store, t).map_err(internal)?,
                None => head,
            },
        ),
        None => (
            q.sinds_positie.unwrap_or(0),
            q.tot_positie.map_or(head, |t| t.min(head)),
        ),
    };
    Ok(Window {
        sinds_positie: from,
        tot_positie: until.max(from),
        sinds_datum: sinds,
        tot_datum: tot,
    })
}

/// Computes off the request thread (it replays the log).
pub async fn compute(
    state: &AppState,
    agenda_id: Uuid,
    window: Window,
    gemeente: Option<String>,
    groepering: Option<Uuid>,
) -> Result<Voortgang, Problem> {
    let store = state.store.clone();
    let result = web::block(move || {
        model::compute(
            store.as_ref(),
            agenda_id,
            window,
            gemeente.as_deref(),
            groepering,
        )
    })
    .await
    .map_err(|_| internal_problem("the voortgang computation was cancelled".into()))?;
    match result {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(Problem::not_found(crate::domain::niet_gevonden(
            "agenda", agenda_id,
        ))),
        Err(e) => Err(internal_problem(e)),
    }
}

/// `?gemeente=` in the spelling of the agenda (as it is now; 404 is the
/// caller's to give for an unknown agenda).
pub fn gemeente(
    state: &AppState,
    agenda_id: Uuid,
    g: &GemeenteQuery,
) -> Result<Option<String>, Problem> {
    match state.projection.read().agendas.get(&agenda_id) {
        Some(a) => g.van(&a.state),
        None => Ok(None),
    }
}

fn internal_problem(detail: String) -> Problem {
    tracing::error!(%detail, "voortgang failed");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        Foutcode::InternalError,
        "Interne fout",
        "De voortgang kon niet worden berekend. Probeer het later opnieuw; blijft het misgaan, meld dan het tijdstip.",
    )
}

/// The base of absolute links: `--public-url` when set; otherwise empty,
/// so links are paths relative to the server's root. Never taken from the
/// request (`Host`, `X-Forwarded-Host`, `Forwarded`): a client chooses those,
/// and a shared cache would hand the links it chose to everyone.
pub fn base_url(state: &AppState) -> String {
    state
        .public_url
        .as_deref()
        .map(|url| url.trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

/// Voortgang van een agenda sinds een datum of positie (nieuwsbrief).
///
/// Afgeronde, gestarte, gepauzeerde, vervallen en nieuwe acties, trekkerwijzigingen,
/// voortgangsberichten (gecorrigeerd zoals gecorrigeerd, ingetrokken niet), nieuwe reflecties, metingen (tegen streefwaarde en nulmeting, richting meegewogen),
/// PDCA-fasewijzigingen van opgaven en bijsturingen, gegroepeerd per groepering
/// (themalijn) en opgave. Als JSON, Markdown (klaar om te plakken) of een HTML-fragment:
/// kies met Accept of `?formaat=`. `totPositie` in het antwoord is de sindsPositie van
/// de volgende editie. Datums zijn kalenderdagen in Europe/Amsterdam.
#[utoipa::path(get, path = "/agendas/{id}/voortgang", tag = "Nieuwsbrief",
    params(("id" = Uuid, Path, description = "Id van de agenda"), VoortgangQuery, GemeenteQuery),
    responses(
        (status = 200, description = "De voortgang in het gevraagde formaat: application/json (formaat=json, of Accept: application/json; de standaard), text/markdown (formaat=markdown) of text/html (formaat=html, een HTML-fragment). Elk mediatype heeft een eigen schema; een client die per antwoord één mediatype leest (zoals openapi-python-client) leest Markdown en HTML als tekst van het ruwe antwoord (docs/client.md).",
            headers(("ETag" = String, description = "Zwakke ETag met de totPositie")),
            content(
                (Voortgang = "application/json"),
                (String = "text/markdown", example = "# Voortgang Maatschappelijke Agenda Twenterand 2024\n\nWijzigingen sinds 1 maart 2024 (volledig tot en met positie 412).\n\n## Themalijn 1 Zelfredzame Twenterander\n\n### Opgave 1.1 Borgen van bestaanszekerheid\n\n#### Afgeronde acties\n\n- **1.1.1** Schuldhulpverlening uitbreiden (trekker: Gemeente Twenterand), per 12 maart 2024\n"),
                (String = "text/html", example = "<article class=\"voortgang\">\n<h1>Voortgang Maatschappelijke Agenda Twenterand 2024</h1>\n</article>\n"),
            )),
        (status = 400, description = "Ongeldige parameters (alle tegelijk in invalidParams)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Onbekende agenda", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "Geen van de gevraagde mediatypen wordt ondersteund", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_voortgang(
    state: web::Data<AppState>,
    reader: crate::http::peil::view::Reader,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<VoortgangQuery>,
    g: web::Query<GemeenteQuery>,
) -> Result<HttpResponse, Problem> {
    reader.check(crate::access::policy::Target::Agenda(*id))?;
    let gemeente = gemeente(&state, *id, &g)?;
    let formaat = negotiate(&req, q.formaat.as_deref())?;
    let window = window(&state, &q)?;
    let groepering = groepering_param(&state, *id, q.groepering)?;
    let v = compute(&state, *id, window, gemeente, groepering).await?;
    let mut res = HttpResponse::Ok();
    res.insert_header(("ETag", format!("W/\"{}\"", v.tot_positie)))
        .insert_header(("Vary", "Accept"));
    Ok(match formaat {
        Formaat::Json => res.json(&v),
        Formaat::Markdown => res
            .content_type("text/markdown; charset=utf-8")
            .body(render::markdown(&v)),
        Formaat::Html => res
            .content_type("text/html; charset=utf-8")
            .insert_header(("Content-Security-Policy", "default-src 'none'"))
            .body(render::html(&v)),
    })
}

#[derive(OpenApi)]
#[openapi(
    paths(get_voortgang, atom::get_feed),
    components(schemas(
        Voortgang,
        model::GroeperingVoortgang,
        model::OpgaveVoortgang,
        model::FaseWijziging,
        model::ActieItem,
        model::TrekkerItem,
        model::VoortgangsberichtItem,
        model::ReflectieItem,
        model::MetingItem,
        model::BijsturingItem
    ))
)]
pub struct Api;

pub fn configure(cfg: &mut crate::http::Routes) {
    cfg.route("/agendas/{id}/voortgang", web::get().to(get_voortgang))
        .route(
            "/agendas/{id}/voortgang.atom",
            web::get().to(atom::get_feed),
        );
}
