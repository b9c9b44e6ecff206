//! The REST API (`/v1`): handlers, DTOs, problem+json, OpenAPI.
//!
//! Everything HTTP lives here; the layers below know nothing of actix.

// Handlers return `Result<_, Problem>`; a problem is built once per failed
// request, so its size (≈150 bytes) does not matter on this path.
#![allow(clippy::result_large_err)]

pub mod access;
mod actiebeheer;
mod acties;
mod agendas;
mod audittrail;
mod bijsturingen;
mod checkmoment_dto;
mod checkmomenten;
pub mod dto;
mod gate;
pub mod gebeurtenissen;
mod indicatoren;
mod organisaties;
mod paging;
mod pdca;
pub mod peil;
pub mod problem;
mod reflecties;
mod responses;
mod spec;
mod sse;
mod structuur;
mod tokens;
mod uitwisseling;
mod voortgang;
mod wijzigingen;
mod write;

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa_swagger_ui::SwaggerUi;

pub use gate::{gate, STREAM_PATH};
pub use problem::{InvalidParam, Problem};
pub use spec::ApiDoc;

/// The full semver version sent as `API-Version` on every response.
pub const API_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The OpenAPI document as pretty JSON (what `openapi/openapi.json` holds).
pub fn openapi_json() -> String {
    ApiDoc::document()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
}

/// Registers every route of the API. `cfg` is the application root.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(gate::MAX_BODY_BYTES))
        .app_data(
            web::JsonConfig::default()
                .limit(256 * 1024)
                .error_handler(json_error),
        )
        .app_data(web::QueryConfig::default().error_handler(|err, _req| {
            Problem::invalid(vec![InvalidParam::new(
                "query",
                "invalid",
                format!("Ongeldige queryparameter: {err}"),
            )])
            .into()
        }))
        .app_data(web::PathConfig::default().error_handler(|err, _req| {
            Problem::invalid(vec![InvalidParam::new(
                "path",
                "invalid",
                format!("Ongeldige padparameter: {err}"),
            )])
            .into()
        }))
        .service(
            web::scope("/v1")
                .wrap(actix_web::middleware::from_fn(peil::position_header))
                .configure(agendas::configure)
                .configure(acties::configure)
                .configure(organisaties::configure)
                .configure(structuur::configure)
                .configure(actiebeheer::configure)
                .configure(reflecties::configure)
                .configure(indicatoren::configure)
                .configure(checkmomenten::configure)
                .configure(bijsturingen::configure)
                .configure(pdca::configure)
                .configure(voortgang::configure)
                .configure(uitwisseling::configure)
                .configure(gebeurtenissen::configure)
                .configure(audittrail::configure)
                .configure(wijzigingen::configure)
                .configure(tokens::configure)
                .route("/openapi.json", web::get().to(openapi_document))
                .route(
                    "/docs",
                    web::get().to(|| async {
                        HttpResponse::PermanentRedirect()
                            .insert_header((header::LOCATION, "/v1/docs/"))
                            .finish()
                    }),
                )
                .service(
                    SwaggerUi::new("/docs/{_:.*}").url("/v1/openapi.json", ApiDoc::document()),
                ),
        )
        .default_service(web::to(unknown_route));
}

/// Middleware every response passes: version and security headers, and the
/// conversion of any non-problem error body into problem+json.
pub fn default_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("API-Version", API_VERSION))
        .add(("X-Content-Type-Options", "nosniff"))
}

pub fn error_bodies() -> ErrorHandlers<BoxBody> {
    ErrorHandlers::new().default_handler(problem_body)
}

async fn openapi_document() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .content_type("application/json")
        .body(openapi_json())
}

async fn unknown_route(req: HttpRequest) -> Result<HttpResponse, Problem> {
    Err(Problem::not_found(format!(
        "Er bestaat geen resource op {} {}. Zie /v1/docs/ voor de beschikbare endpoints.",
        req.method(),
        req.path()
    )))
}

fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let problem = match &err {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => Problem::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Verzoek te groot",
            "De body is groter dan de toegestane 256 KiB.",
        ),
        E::ContentType => Problem::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Niet-ondersteund mediatype",
            "Stuur de body als JSON met Content-Type: application/json.",
        ),
        other => Problem::invalid(vec![InvalidParam::new(
            "body",
            "malformed-json",
            format!("De body is geen geldige JSON: {other}"),
        )]),
    };
    problem.into()
}

/// Turns any error response that is not problem+json yet into one, and fills
/// `instance` with the request path.
fn problem_body(res: ServiceResponse<BoxBody>) -> actix_web::Result<ErrorHandlerResponse<BoxBody>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    let status = res.status();
    let (req, response) = res.into_parts();
    let problem = match (is_problem, response.error()) {
        (true, Some(err)) => err.as_error::<Problem>().cloned(),
        _ => None,
    };
    let mut problem = match problem {
        Some(p) => p,
        None if is_problem => {
            // A problem body we cannot see into: keep it as it is.
            let res = ServiceResponse::new(req, response);
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        None => generic_problem(status),
    };
    problem.instance = Some(req.path().to_owned());
    let mut new = HttpResponse::build(status);
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.append_header((name.clone(), value.clone()));
        }
    }
    new.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    ));
    let body = serde_json::to_string(&problem).unwrap_or_default();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new.body(body)).map_into_right_body(),
    ))
}

fn generic_problem(status: actix_web::http::StatusCode) -> Problem {
    use actix_web::http::StatusCode as S;
    let (code, title, detail) = match status {
        S::METHOD_NOT_ALLOWED => ("method-not-allowed", "Methode niet toegestaan", "Deze resource ondersteunt deze HTTP-methode niet."),
        S::NOT_ACCEPTABLE => ("not-acceptable", "Niet aanvaardbaar", "Het gevraagde formaat (Accept) wordt niet ondersteund."),
        S::PAYLOAD_TOO_LARGE => ("payload-too-large", "Verzoek te groot", "De body is groter dan toegestaan."),
        S::UNSUPPORTED_MEDIA_TYPE => ("unsupported-media-type", "Niet-ondersteund mediatype", "Stuur de body als application/json."),
        S::NOT_FOUND => ("not-found", "Niet gevonden", "De gevraagde resource bestaat niet."),
        s if s.is_client_error() => ("bad-request", "Ongeldig verzoek", "Het verzoek kon niet worden verwerkt."),
        _ => ("internal-error", "Interne fout", "Er ging iets mis aan onze kant. Probeer het later opnieuw; blijft het misgaan, meld dan het tijdstip."),
    };
    Problem::new(status, code, title, detail)
}
