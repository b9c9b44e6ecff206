//! A request no route answers: 405 with `Allow` when the path is one of the
//! API's and only the method is wrong, otherwise 404.
//!
//! Which methods a path has comes from one place, the OpenAPI document (the
//! table `http::params` builds from it at startup), so `Allow` lists exactly
//! the operations the spec declares for the path template. The decision
//! looks at the path's shape only, never at the data: `DELETE
//! /v1/agendas/{id}` is the same 405 for an existing, a hidden and an
//! unknown id. HEAD and OPTIONS are not served (actix answers neither by
//! itself here), so they are never listed and get a 405 like any other
//! method a path does not have.
//!
//! Two places ask: the application's default service (no route matched)
//! and the gate, which would otherwise refuse an anonymous or lezer write
//! with 401/403 before routing: a method the path does not have is a 405
//! for every caller.

use actix_web::http::header::{HeaderValue, ALLOW};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::params::{self, Declared};
use super::problem::Problem;
use crate::domain::Foutcode;

/// The 405 for `method` on `path` (the full path, `/v1/…`), or `None` when
/// the path is not one of the API's or has this method after all.
pub fn not_allowed(method: &str, path: &str) -> Option<HttpResponse> {
    let rel = path.strip_prefix("/v1")?;
    let allowed = methods(rel);
    if allowed.is_empty() || allowed.contains(&method) {
        return None;
    }
    let list = allowed.join(", ");
    let problem = Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        Foutcode::MethodNotAllowed,
        "Methode niet toegestaan",
        format!(
            "{path} kent de methode {method} niet; toegestaan: {list} (zie de header Allow en /v1/docs/)."
        ),
    );
    let mut res = HttpResponse::from_error(problem);
    if let Ok(value) = HeaderValue::from_str(&list) {
        res.headers_mut().insert(ALLOW, value);
    }
    Some(res)
}

/// The methods the spec declares for `path` (below `/v1`), in the order
/// GET, POST, PUT, PATCH, DELETE; empty when no path template matches. A
/// `{parameter}` matches one non-empty segment; where templates overlap,
/// only those with the most literal segments count (as `http::params` does).
fn methods(path: &str) -> Vec<&'static str> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let best = |ops: &'static [Declared]| {
        ops.iter()
            .filter(|op| {
                op.segments.len() == parts.len()
                    && op.segments.iter().zip(&parts).all(|(s, p)| match s {
                        Some(s) => s == p,
                        None => !p.is_empty(),
                    })
            })
            .map(|op| op.segments.iter().filter(|s| s.is_some()).count())
            .max()
    };
    let found: Vec<(&'static str, usize)> = METHODS
        .iter()
        .filter_map(|m| Some((*m, best(params::table().get(m)?)?)))
        .collect();
    let most = found.iter().map(|(_, n)| *n).max();
    found
        .into_iter()
        .filter(|(_, n)| Some(*n) == most)
        .map(|(m, _)| m)
        .collect()
}

/// The methods an operation of the spec can have, in the order `Allow` lists them.
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

#[cfg(test)]
mod tests {
    use super::not_allowed;

    #[test]
    fn allow_lists_the_methods_of_the_path_template() {
        let id = "0190a000-0000-7000-8000-000000000000";
        let res = not_allowed("DELETE", &format!("/v1/agendas/{id}")).expect("405");
        assert_eq!(res.status(), 405);
        assert_eq!(res.headers().get("allow").unwrap(), "GET, PATCH");
        let res = not_allowed("PUT", "/v1/agendas").expect("405");
        assert_eq!(res.headers().get("allow").unwrap(), "GET, POST");
        let res = not_allowed("GET", "/v1/agenda-imports").expect("405");
        assert_eq!(res.headers().get("allow").unwrap(), "POST");
    }

    #[test]
    fn unknown_paths_and_declared_methods_are_not_a_405() {
        assert!(not_allowed("GET", "/v1/agendas").is_none());
        assert!(not_allowed("DELETE", "/v1/bestaat-niet").is_none());
        // an empty segment is no id
        assert!(not_allowed("DELETE", "/v1/agendas/").is_none());
        assert!(not_allowed("POST", "/v1/acties//voortgangsberichten").is_none());
        // outside the API's paths
        assert!(not_allowed("POST", "/v1/openapi.json").is_none());
        assert!(not_allowed("DELETE", "/elders").is_none());
    }
}
