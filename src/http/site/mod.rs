//! The public website: the published agendas as server-rendered HTML pages
//! (`/`, `/agendas/{id}`, `/agendas/{id}/acties`, `/opgaven/{id}`,
//! `/acties/{id}`, `/indicatoren/{id}`, `/static/site.css`), outside `/v1`
//! and not in the OpenAPI document (docs/site.md, docs/adr/0006-public-site-maud.md).
//!
//! Every page reads the model through the API's caller-aware [`View`] as an
//! anonymous caller (published agendas only, whatever token was sent), with
//! the API's time travel (`?peildatum=`), and renders the API's own view
//! functions (PDCA state, overzicht, indicator koers); templates are `maud`
//! macros, so every value is escaped by the engine. Rendered pages are kept
//! in [`SiteCache`] by log position and query.

mod cache;
mod chart;
mod ctx;
mod fmt;
mod layout;
mod pages;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{guard, web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use maud::Markup;

pub use cache::SiteCache;
use ctx::Ctx;

use super::peil::view::View;
use super::problem::Problem;
use super::AppState;

/// The site's content security policy: nothing but its own stylesheet; no
/// scripts at all (inline SVG in the document needs nothing more).
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const CSS: &str = include_str!("site.css");
const ICON: &str = include_str!("favicon.svg");

/// A rendered page before the layout wraps it.
pub struct Page {
    /// `data-pagina` of the body: start, agenda, zoeken, opgave, actie, indicator.
    pub kind: &'static str,
    pub title: String,
    /// The breadcrumb trail above the title: (text, link).
    pub crumbs: Vec<(String, String)>,
    /// The agenda's gemeenten when it is a shared nota (the filter's options).
    pub gemeenten: Vec<String>,
    pub body: Markup,
    /// Until when the page holds for the same log position (the PDCA
    /// signals read the clock).
    pub valid_until: DateTime<Utc>,
}

/// Registers the site's routes (GET and HEAD) on the application root.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let get = || web::route().guard(guard::Any(guard::Get()).or(guard::Head()));
    cfg.route("/", get().to(start))
        .route("/static/site.css", get().to(stylesheet))
        .route("/static/favicon.svg", get().to(icon))
        .route("/agendas/{id}", get().to(agenda))
        .route("/agendas/{id}/acties", get().to(zoeken))
        .route("/opgaven/{id}", get().to(opgave))
        .route("/acties/{id}", get().to(actie))
        .route("/indicatoren/{id}", get().to(indicator));
}

async fn start(req: HttpRequest) -> HttpResponse {
    serve(req, None, pages::start::render).await
}

async fn agenda(req: HttpRequest) -> HttpResponse {
    let id = ctx::path_id(&req);
    serve(req, Some(id), pages::agenda::render).await
}

async fn zoeken(req: HttpRequest) -> HttpResponse {
    let id = ctx::path_id(&req);
    serve(req, Some(id), pages::zoeken::render).await
}

async fn opgave(req: HttpRequest) -> HttpResponse {
    let id = ctx::path_id(&req);
    serve(req, Some(id), pages::opgave::render).await
}

async fn actie(req: HttpRequest) -> HttpResponse {
    let id = ctx::path_id(&req);
    serve(req, Some(id), pages::actie::render).await
}

async fn indicator(req: HttpRequest) -> HttpResponse {
    let id = ctx::path_id(&req);
    serve(req, Some(id), pages::indicator::render).await
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::ETAG, cache::etag_of(0, CSS.as_bytes())))
        .body(CSS)
}

/// The site's icon (so a browser does not ask for `/favicon.ico`).
async fn icon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(ICON)
}

type Render = fn(&View, &Ctx, Option<uuid::Uuid>) -> Result<Page, Problem>;

/// One page request: from the cache when the log has not moved (and the
/// clock has not passed what the page reads), otherwise rendered from the
/// model as an anonymous caller sees it; `304` on a matching `If-None-Match`.
async fn serve(req: HttpRequest, id: Option<Option<uuid::Uuid>>, render: Render) -> HttpResponse {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return error_page(&Ctx::default(), &Problem::not_found("Geen toestand."));
    };
    let ctx = Ctx::of(&req);
    // An id that is no uuid in any spelling is a page that does not exist.
    let id = match id {
        Some(None) => return error_page(&ctx, &Problem::not_found("Deze pagina bestaat niet.")),
        Some(Some(id)) => Some(id),
        None => None,
    };
    let key = ctx.cache_key(req.path());
    let position = state.projection.read().position;
    let now = Utc::now();
    let cached = state.site_cache.get(&key, position, now);
    let (body, etag) = match cached {
        Some(hit) => hit,
        None => {
            // The site is public: it renders what an anonymous caller sees,
            // whatever token the request carried.
            req.extensions_mut()
                .insert(crate::access::Caller::Anonymous);
            if let Some(p) = &ctx.peildatum {
                super::peil::ask(&req, "peildatum", p);
            }
            let view = match View::extract(&req).await {
                Ok(v) => v,
                Err(problem) => return error_page(&ctx, &problem),
            };
            let page = match render(&view, &ctx, id) {
                Ok(p) => p,
                Err(problem) => return error_page(&ctx, &problem),
            };
            // A page judged at a past moment (a peildatum before today)
            // changes only with the log.
            let valid_until = if view.now() < now {
                DateTime::<Utc>::MAX_UTC
            } else {
                page.valid_until
            };
            let html = layout::page(&ctx, req.path(), page).into_string();
            let body = web::Bytes::from(html);
            let etag = cache::etag_of(position, &body);
            state.site_cache.put(
                &key,
                position,
                (now, valid_until),
                body.clone(),
                etag.clone(),
            );
            (body, etag)
        }
    };
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    with_headers(&mut res).insert_header((header::ETAG, etag));
    if unchanged {
        res.finish()
    } else {
        res.body(body)
    }
}

fn with_headers(res: &mut actix_web::HttpResponseBuilder) -> &mut actix_web::HttpResponseBuilder {
    res.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    ))
    .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
    .insert_header((header::REFERRER_POLICY, "same-origin"))
    .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
    .insert_header((header::CACHE_CONTROL, "no-cache"))
}

/// A page in Dutch for a problem: 404 for anything missing or hidden (the
/// same page for both), 400 saying what to fix, 500 otherwise.
pub fn error_page(ctx: &Ctx, problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = layout::error(ctx, status, problem).into_string();
    let mut res = HttpResponse::build(status);
    with_headers(&mut res).body(body)
}

/// The answer for a path that is no page (outside `/v1`).
pub fn not_found_page(req: &HttpRequest) -> HttpResponse {
    let ctx = Ctx::of(req);
    error_page(
        &ctx,
        &Problem::new(
            StatusCode::NOT_FOUND,
            crate::domain::Foutcode::NotFound,
            "Niet gevonden",
            "Deze pagina bestaat niet.",
        ),
    )
}
