//! One rule for every endpoint: a query parameter the operation does not
//! declare in the OpenAPI document is refused (400, `unknown-parameter`,
//! naming it and listing the accepted ones), never silently ignored. So is
//! a declared one given twice (`duplicate-parameter`; no parameter of the
//! API is a list), and an integer or boolean one whose value is not exactly
//! that type (`invalid-number`, `invalid-boolean`: `2024`, not ` 2024`,
//! `+2024` or `2024 `). Every problem is named `query.<parameter>` with a
//! Dutch reason, all in one answer, before any handler runs.
//!
//! The spec is the single source of truth: at the first request the table
//! of each operation's declared query parameters is built from
//! [`super::ApiDoc::document`], and this middleware (on `/v1`, outside the
//! time-travel one, so it sees `peildatum`/`peiltijdstip`/`positie` too)
//! checks the keys of the query string against it. A path no operation
//! matches is left to the router (404/405).

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use utoipa::openapi::path::{Operation, ParameterIn};

use super::problem::{InvalidParam, Problem};
use crate::domain::Foutcode;

/// The type of a query parameter's value, as far as it is checked here.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Int32,
    Int64,
    Boolean,
    /// Strings (dates, ids, enums): checked by the handler.
    Other,
}

fn kind(schema: Option<&utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>) -> Kind {
    let v = schema
        .and_then(|s| serde_json::to_value(s).ok())
        .unwrap_or_default();
    let has = |t: &str| {
        v["type"] == t
            || v["type"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == t))
    };
    if has("integer") {
        if v["format"] == "int32" {
            Kind::Int32
        } else {
            Kind::Int64
        }
    } else if has("boolean") {
        Kind::Boolean
    } else {
        Kind::Other
    }
}

/// One operation of the spec: its path template's segments (`None` for a
/// `{parameter}`) and its declared query parameters with their kinds.
pub(super) struct Declared {
    pub(super) segments: Vec<Option<String>>,
    query: Vec<String>,
    kinds: Vec<Kind>,
}

/// Method → operations, from the spec.
pub(super) type Table = HashMap<&'static str, Vec<Declared>>;

/// Builds the table now (at startup) rather than on the first request that
/// carries a query string.
pub fn warm() {
    table();
}

pub(super) fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| build(&super::ApiDoc::document()))
}

fn build(doc: &utoipa::openapi::OpenApi) -> Table {
    let mut table = Table::new();
    for (path, item) in &doc.paths.paths {
        let segments: Vec<Option<String>> = path
            .trim_start_matches('/')
            .split('/')
            .map(|s| (!s.contains('{')).then(|| s.to_owned()))
            .collect();
        let ops: [(&'static str, &Option<Operation>); 5] = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let params: Vec<_> = op
                .parameters
                .iter()
                .flatten()
                .filter(|p| matches!(p.parameter_in, ParameterIn::Query))
                .collect();
            table.entry(method).or_default().push(Declared {
                segments: segments.clone(),
                query: params.iter().map(|p| p.name.clone()).collect(),
                kinds: params.iter().map(|p| kind(p.schema.as_ref())).collect(),
            });
        }
    }
    table
}

/// The declared query parameters of the operation `method path` (`path`
/// below `/v1`), or `None` when no operation matches. Where templates
/// overlap, the one with the most literal segments wins.
fn declared(method: &str, path: &str) -> Option<&'static Declared> {
    let ops = table().get(method)?;
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    ops.iter()
        .filter(|op| {
            op.segments.len() == parts.len()
                && op
                    .segments
                    .iter()
                    .zip(&parts)
                    .all(|(s, p)| s.as_deref().is_none_or(|s| s == *p))
        })
        .max_by_key(|op| op.segments.iter().filter(|s| s.is_some()).count())
}

/// The pairs of a query string, decoded, in order.
fn pairs(query: &str) -> Vec<(String, String)> {
    web::Query::<Vec<(String, String)>>::from_query(query)
        .map(|q| q.into_inner())
        .unwrap_or_default()
}

/// The keys of a query string, in order, without repeats.
fn keys(pairs: &[(String, String)]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for (k, _) in pairs {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    keys
}

/// Exactly an integer of the kind: an optional `-` and digits, nothing
/// around, within the range of the spec's format (`int32`: i32, `int64`:
/// i64, as OpenAPI defines them; `minimum`/`maximum` are the handler's to
/// check, with their own codes).
fn valid(kind: Kind, value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    match kind {
        Kind::Int32 => integer && value.parse::<i32>().is_ok(),
        Kind::Int64 => integer && value.parse::<i64>().is_ok(),
        Kind::Boolean => value == "true" || value == "false",
        Kind::Other => true,
    }
}

/// Problems with the declared parameters: repeats and values of the wrong type.
fn declared_problems(op: &Declared, pairs: &[(String, String)]) -> Vec<InvalidParam> {
    let mut problems = Vec::new();
    for k in keys(pairs) {
        let Some(i) = op.query.iter().position(|q| *q == k) else {
            continue;
        };
        let values: Vec<&str> = pairs
            .iter()
            .filter(|(key, _)| *key == k)
            .map(|(_, v)| v.as_str())
            .collect();
        if values.len() > 1 {
            problems.push(InvalidParam::new(
                format!("query.{k}"),
                Foutcode::DuplicateParameter,
                format!(
                    "Queryparameter '{k}' staat {} keer in het verzoek; geef hem één keer.",
                    values.len()
                ),
            ));
            continue;
        }
        // Time travel has its own strict parser and codes (`invalid-position`).
        let kind = match TIME_TRAVEL.contains(&k.as_str()) {
            true => Kind::Other,
            false => op.kinds[i],
        };
        if !valid(kind, values[0]) {
            let v = values[0];
            problems.push(match kind {
                Kind::Boolean => InvalidParam::new(
                    format!("query.{k}"),
                    Foutcode::InvalidBoolean,
                    format!("{k} is true of false, niet '{v}'."),
                ),
                _ => InvalidParam::new(
                    format!("query.{k}"),
                    Foutcode::InvalidNumber,
                    format!("{k} is een geheel getal van alleen cijfers, zonder spaties of '+' en niet te groot (bijvoorbeeld 2), niet '{v}'."),
                ),
            });
        }
    }
    problems
}

/// Time travel is declared where it is possible; elsewhere its parameters
/// keep their own code, `not-supported`.
const TIME_TRAVEL: [&str; 3] = ["peildatum", "peiltijdstip", "positie"];

/// The problem for unknown, repeated or ill-typed query parameters, or
/// `None` when all are well.
pub fn check(method: &str, path: &str, query: &str) -> Option<Problem> {
    if query.is_empty() {
        return None;
    }
    let rel = path.strip_prefix("/v1").unwrap_or(path);
    let op = declared(method, rel)?;
    let accepted = &op.query;
    let pairs = pairs(query);
    let unknown: Vec<String> = keys(&pairs)
        .into_iter()
        .filter(|k| !accepted.contains(k))
        .collect();
    let mut problems = declared_problems(op, &pairs);
    if unknown.is_empty() {
        return (!problems.is_empty()).then(|| Problem::invalid(problems));
    }
    let allowed = if accepted.is_empty() {
        "Deze operatie kent geen queryparameters.".to_owned()
    } else {
        format!("Toegestaan: {}.", accepted.join(", "))
    };
    let mut unknown: Vec<InvalidParam> = unknown
            .into_iter()
            .map(|k| {
                if TIME_TRAVEL.contains(&k.as_str()) {
                    InvalidParam::new(
                        format!("query.{k}"),
                        Foutcode::NotSupported,
                        format!("Deze resource kent geen peildatum, peiltijdstip of positie; laat '{k}' weg. {allowed}"),
                    )
                } else {
                    InvalidParam::new(
                        format!("query.{k}"),
                        Foutcode::UnknownParameter,
                        format!("Onbekende queryparameter '{k}'. {allowed}"),
                    )
                }
            })
            .collect();
    unknown.append(&mut problems);
    Some(Problem::invalid(unknown))
}

/// Middleware on `/v1`: refuses a request with an undeclared query parameter.
pub async fn known_params(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The path as the router matches it (percent-encoded unreserved
    // characters decoded), so `/acti%65s/…` is checked as `/acties/…`.
    let path = req.match_info().as_str().to_owned();
    if let Some(problem) = check(req.method().as_str(), &path, req.query_string()) {
        return Ok(req.error_response(problem));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn declared_parameters_pass_and_unknown_ones_are_named_with_the_accepted_ones() {
        assert!(check("GET", "/v1/agendas", "page=2&pageSize=5").is_none());
        assert!(check("GET", "/v1/agendas", "").is_none());
        let p = check("GET", "/v1/agendas", "page=2&sort=naam").expect("refused");
        assert_eq!(p.invalid_params.len(), 1);
        assert_eq!(p.invalid_params[0].name, "query.sort");
        assert_eq!(p.invalid_params[0].code, "unknown-parameter");
        assert!(p.invalid_params[0].reason.contains("page, pageSize"));
    }

    #[test]
    fn an_operation_without_query_parameters_says_so() {
        let p = check(
            "POST",
            "/v1/agendas/0190a000-0000-7000-8000-000000000000/opgaven",
            "x=1",
        )
        .expect("refused");
        assert!(p.invalid_params[0]
            .reason
            .contains("kent geen queryparameters"));
    }

    #[test]
    fn paths_no_operation_matches_are_left_to_the_router() {
        assert!(check("GET", "/v1/bestaat-niet", "x=1").is_none());
        assert!(check("GET", "/v1/openapi.json", "x=1").is_none());
        assert!(check("DELETE", "/v1/agendas", "x=1").is_none());
    }
}
