//! Where links point. The handlers write `Location` and `Link` as paths
//! (`/v1/acties/…`), relative to the server's own root. Behind a proxy,
//! `--public-url` says where that root is for clients, and this middleware
//! puts it in front of those paths. Nothing here, nor in the Atom feed
//! ([`super::voortgang::base_url`]), ever reads `Host`, `X-Forwarded-Host`,
//! `Forwarded` or other headers a client chooses: a shared cache in front
//! could otherwise be made to hand out links to another site.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::http::AppState;

/// Prefixes the paths in `Location` and `Link` with `--public-url`, when set.
pub async fn public_links(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let public = req
        .app_data::<web::Data<AppState>>()
        .and_then(|s| s.public_url.clone());
    let mut res = next.call(req).await?;
    let Some(public) = public else {
        return Ok(res);
    };
    let public = public.trim_end_matches('/');
    let headers = res.headers_mut();
    let rewrite = |v: &HeaderValue, f: &dyn Fn(&str) -> String| {
        v.to_str()
            .ok()
            .and_then(|s| HeaderValue::from_str(&f(s)).ok())
    };
    if let Some(v) = headers.get(header::LOCATION).and_then(|v| {
        rewrite(v, &|s| match s.starts_with('/') && !s.starts_with("//") {
            true => format!("{public}{s}"),
            false => s.to_owned(),
        })
    }) {
        headers.insert(header::LOCATION, v);
    }
    if let Some(v) = headers
        .get(header::LINK)
        .and_then(|v| rewrite(v, &|s| s.replace("</", &format!("<{public}/"))))
    {
        headers.insert(header::LINK, v);
    }
    Ok(res)
}
