//! The REST API (`/v1`): handlers, DTOs, problem+json, OpenAPI.
//!
//! Everything HTTP lives here; the layers below know nothing of actix.

// Handlers return `Result<_, Problem>`; a problem is built once per failed
// request, so its size (≈150 bytes) does not matter on this path.
#![allow(clippy::result_large_err)]

mod abonnementen;
pub mod access;
mod actie_cache;
mod actiebeheer;
mod acties;
pub mod agendabestand;
mod agendas;
mod audittrail;
mod bijsturingen;
mod checkmoment_dto;
mod checkmomenten;
mod clock_map;
mod datum;
pub mod dto;
mod enums;
mod gate;
pub mod gebeurtenissen;
mod gemeente;
mod indicatoren;
pub mod invoer;
pub mod links;
mod methods;
mod organisaties;
mod paging;
mod params;
mod pdca;
pub mod peil;
pub mod positie_wacht;
pub mod problem;
mod reflecties;
mod responses;
mod serde_errors;
pub mod site;
mod spec;
mod spec_dates;
mod spec_headers;
mod spec_rules;
mod sse;
mod state;
mod structuur;
mod structuurwijzigingen;
mod tokens;
mod uitwisseling;
mod voortgang;
mod wijzigingen;
mod write;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa_swagger_ui::SwaggerUi;

use crate::domain::Foutcode;
pub use actie_cache::ActieCache;
pub use gate::{gate, STREAM_PATH};
pub use pdca::PdcaCache;
pub use problem::{InvalidParam, Problem};
pub use spec::ApiDoc;
pub use state::AppState;

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
    params::warm();
    cfg.app_data(web::PayloadConfig::new(gate::MAX_BODY_BYTES))
        .app_data(
            web::JsonConfig::default()
                .limit(256 * 1024)
                .error_handler(json_error),
        )
        .app_data(
            web::QueryConfig::default().error_handler(|err, _req| serde_errors::query(&err).into()),
        )
        .app_data(
            web::PathConfig::default()
                .error_handler(|err, req| serde_errors::path(&err, req).into()),
        )
        .service({
            let mut routes = Routes::default();
            for configure in [
                agendas::configure,
                acties::configure,
                organisaties::configure,
                structuur::configure,
                actiebeheer::configure,
                reflecties::configure,
                indicatoren::configure,
                checkmomenten::configure,
                bijsturingen::configure,
                pdca::configure,
                voortgang::configure,
                uitwisseling::configure,
                gebeurtenissen::configure,
                audittrail::configure,
                wijzigingen::configure,
                tokens::configure,
                abonnementen::configure,
            ] {
                configure(&mut routes);
            }
            routes
                .register(web::scope("/v1"))
                .route("/openapi.json", web::get().to(openapi_document))
                .route(
                    "/docs",
                    web::get().to(|| async {
                        HttpResponse::PermanentRedirect()
                            .insert_header((header::LOCATION, "/v1/docs/"))
                            .finish()
                    }),
                )
                .service(SwaggerUi::new("/docs/{_:.*}").url("/v1/openapi.json", ApiDoc::document()))
                .wrap(actix_web::middleware::from_fn(peil::position_header))
                .wrap(actix_web::middleware::from_fn(params::known_params))
        })
        .configure(site::configure)
        .default_service(web::to(unknown_route));
}

/// Second segment (`""`: none, or a static one) → [(rest of the path, route)].
type Group = (&'static str, Vec<(&'static str, actix_web::Route)>);

/// The routes of the API modules, collected so that [`configure`] can
/// register them as a tree of scopes by path segment: a request is then
/// matched against the handful of routes under its first two segments
/// instead of, one pattern after the other, every route of the API.
///
/// Registration order is kept within each group, and routes of different
/// groups cannot match the same path, so which handler answers a request
/// does not change.
#[derive(Default)]
pub struct Routes {
    /// First segment → its groups.
    groups: Vec<(&'static str, Vec<Group>)>,
    resources: Vec<actix_web::Resource>,
}

impl Routes {
    /// Like [`web::ServiceConfig::route`].
    pub fn route(&mut self, path: &'static str, route: actix_web::Route) -> &mut Self {
        let (first, rest) = split_segment(path);
        assert!(
            !first.is_empty() && !first.contains('{'),
            "route {path}: the first segment must be static"
        );
        let (second, rest) = match split_segment(rest) {
            // A static second segment is matched in the first segment's scope.
            (second, _) if !second.contains('{') => ("", rest),
            split => split,
        };
        let group = match self.groups.iter().position(|g| g.0 == first) {
            Some(i) => &mut self.groups[i].1,
            None => {
                self.groups.push((first, Vec::new()));
                &mut self.groups.last_mut().expect("just pushed").1
            }
        };
        // A dynamic second segment would also match a static one: they may
        // not share a first segment (a route of the first segment alone may).
        let dynamic = group.iter().find(|g| !g.0.is_empty()).map(|g| g.0);
        let static_second = group
            .iter()
            .any(|g| g.0.is_empty() && g.1.iter().any(|r| !r.0.is_empty()));
        assert!(
            second.is_empty() || second == "{id}",
            "route {path}: a dynamic second segment is spelled {{id}}"
        );
        let clash = if second.is_empty() {
            !rest.is_empty() && dynamic.is_some()
        } else {
            static_second || dynamic.is_some_and(|d| d != second)
        };
        assert!(
            !clash,
            "route {path}: under /{first} either one dynamic second segment, spelled the same way, or static ones"
        );
        match group.iter().position(|g| g.0 == second) {
            Some(i) => group[i].1.push((rest, route)),
            None => group.push((second, vec![(rest, route)])),
        }
        self
    }

    /// A resource with its own configuration, registered as it is.
    pub fn service(&mut self, resource: actix_web::Resource) -> &mut Self {
        self.resources.push(resource);
        self
    }

    fn register(self, mut scope: actix_web::Scope) -> actix_web::Scope {
        for (first, group) in self.groups {
            let mut outer = web::scope(&format!("/{first}"));
            for (second, routes) in group {
                if second.is_empty() {
                    for (rest, route) in routes {
                        outer = outer.route(rest, route);
                    }
                } else {
                    // `/{id}`: taken off the path by `take_id`, so the
                    // routes below it are static.
                    let mut inner = web::scope("");
                    for (rest, route) in routes {
                        inner = inner.route(rest, route);
                    }
                    outer = outer.service(inner.wrap(actix_web::middleware::from_fn(take_id)));
                }
            }
            scope = scope.service(outer);
        }
        for resource in self.resources {
            // A method the resource lacks gets the API's 405 (with `Allow`
            // from the spec), not actix's bare one.
            scope = scope.service(resource.default_service(web::to(unknown_route)));
        }
        scope
    }
}

/// Matches the `/{id}` segment of a path by hand (the router would run a
/// regular expression for it, which costs more than the rest of a small
/// GET's routing): records the segment as the path parameter `id`, as the
/// router would, and moves on to the static routes below it. Without a
/// segment there, no route below matches: the answer of an unknown route.
async fn take_id(
    mut req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let rest = req.match_info().unprocessed();
    let segment = rest
        .strip_prefix('/')
        .map(|r| r.split('/').next().unwrap_or_default())
        .unwrap_or_default();
    let skip = u16::try_from(1 + segment.len()).ok();
    let Some(skip) = skip.filter(|_| !segment.is_empty()) else {
        let res = unmatched(req.request());
        // `ServiceResponse::new` keeps the problem in the response, so
        // `error_bodies` can fill its `instance`.
        return Ok(ServiceResponse::new(req.into_parts().0, res));
    };
    let value = segment.to_owned();
    let path = req.match_info_mut();
    path.add_static("id", value);
    path.skip(skip);
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// `"/a/b/c"` → `("a", "/b/c")`; `"/a"` → `("a", "")`; `""` → `("", "")`.
fn split_segment(path: &'static str) -> (&'static str, &'static str) {
    let path = path.strip_prefix('/').unwrap_or(path);
    match path.find('/') {
        Some(i) => (&path[..i], &path[i..]),
        None => (path, ""),
    }
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

async fn unknown_route(req: HttpRequest) -> HttpResponse {
    // Outside the API a browser asked for a page: a page in Dutch says so.
    let path = req.path();
    if path != "/v1" && !path.starts_with("/v1/") && !path.starts_with("/bench/") {
        return site::not_found_page(&req);
    }
    unmatched(&req)
}

/// The answer when no route matched: 405 with `Allow` for a path of the
/// API whose method is wrong (`http::methods`), otherwise 404.
fn unmatched(req: &HttpRequest) -> HttpResponse {
    // The path as the router matched it (as `http::params` reads it).
    methods::not_allowed(req.method().as_str(), req.match_info().as_str()).unwrap_or_else(|| {
        HttpResponse::from_error(Problem::not_found(format!(
            "Er bestaat geen resource op {} {}. Zie /v1/docs/ voor de beschikbare endpoints.",
            req.method(),
            req.path()
        )))
    })
}

fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let problem = match &err {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => Problem::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            Foutcode::PayloadTooLarge,
            "Verzoek te groot",
            "De body is groter dan de toegestane 256 KiB.",
        ),
        E::ContentType => Problem::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Foutcode::UnsupportedMediaType,
            "Niet-ondersteund mediatype",
            "Stuur de body als JSON met Content-Type: application/json.",
        ),
        other => Problem::invalid(vec![InvalidParam::new(
            "body",
            Foutcode::MalformedJson,
            format!("De body is geen geldige JSON: {other}"),
        )]),
    };
    problem.into()
}

/// Turns any error response that is not problem+json yet into one, and fills
/// `instance` with the request path.
fn problem_body(res: ServiceResponse<BoxBody>) -> actix_web::Result<ErrorHandlerResponse<BoxBody>> {
    let content_type = res.headers().get(header::CONTENT_TYPE);
    if content_type.is_some_and(|v| v.as_bytes().starts_with(b"text/html")) {
        // A page of the public site (`site`): its own Dutch error page.
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let is_problem =
        content_type.is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
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
        S::METHOD_NOT_ALLOWED => (Foutcode::MethodNotAllowed, "Methode niet toegestaan", "Deze resource ondersteunt deze HTTP-methode niet."),
        S::NOT_ACCEPTABLE => (Foutcode::NotAcceptable, "Niet aanvaardbaar", "Het gevraagde formaat (Accept) wordt niet ondersteund."),
        S::PAYLOAD_TOO_LARGE => (Foutcode::PayloadTooLarge, "Verzoek te groot", "De body is groter dan toegestaan."),
        S::UNSUPPORTED_MEDIA_TYPE => (Foutcode::UnsupportedMediaType, "Niet-ondersteund mediatype", "Stuur de body als application/json."),
        S::NOT_FOUND => (Foutcode::NotFound, "Niet gevonden", "De gevraagde resource bestaat niet."),
        s if s.is_client_error() => (Foutcode::BadRequest, "Ongeldig verzoek", "Het verzoek kon niet worden verwerkt."),
        _ => (Foutcode::InternalError, "Interne fout", "Er ging iets mis aan onze kant. Probeer het later opnieuw; blijft het misgaan, meld dan het tijdstip."),
    };
    Problem::new(status, code, title, detail)
}
