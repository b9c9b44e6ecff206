//! The response headers the handlers send by one rule, declared by the same
//! rule in the OpenAPI document, so a generated client sees them:
//!
//! - `ETag` on every 200 of a GET, except the event feed and its live
//!   stream (a cursor, `?na=`, is what a consumer keeps there): strong, the
//!   resource's version, where the path ends in an id; weak, `W/"<positie>"`
//!   (the global log position the answer reflects), on a collection or a
//!   derived view (PDCA state, overzicht, voortgang, audittrail, …).
//! - `ETag` and `Location` on every 201 of a POST and every 200 of a PATCH
//!   or PUT: the version after the write and the URL of what was written.
//! - `If-Match`: every description says that `*` matches any current
//!   version.
//!
//! A header a handler declared itself keeps its own description.
//! `tests/api/contract_truth.rs` calls every operation against the demo and
//! fails when a response sends one of these headers its operation does not
//! declare, or declares one it does not send.

use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ObjectBuilder, RefOr, Type};
use utoipa::Modify;

/// GET operations that send no `ETag`: the feed and its stream.
const WITHOUT_ETAG: [&str; 2] = ["/gebeurtenissen", "/gebeurtenissen/stream"];

/// What `If-Match: *` means, appended to every `If-Match` description.
pub const IF_MATCH_STAR: &str = "`*` past op elke huidige versie (RFC 9110): de wijziging gaat dan door zolang de resource bestaat (anders 404).";

pub struct ResponseHeaders;

fn header(description: &str, example: &str) -> Header {
    HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .examples([example]),
        )
        .description(Some(description))
        .build()
}

impl Modify for ResponseHeaders {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let strong_get = header(
            "De versie van de resource (\"3\"); stuur hem in If-Match mee bij een wijziging. Bij een voortgangsbericht, bijsturing of meting: de versie van de actie, het checkmoment of de indicator waaronder het valt.",
            "\"3\"",
        );
        let weak_get = header(
            "Zwakke ETag met de globale positie in het log die dit antwoord weergeeft (W/\"<positie>\").",
            "W/\"145\"",
        );
        let written = header(
            "De versie na de wijziging (\"4\"): de ETag voor If-Match bij de volgende wijziging. Bij een voortgangsbericht, statuswijziging, bijsturing of meting: de versie van de actie, het checkmoment of de indicator.",
            "\"4\"",
        );
        let location = header(
            "Waar de geschreven resource te lezen is (GET); met --public-url ervoor als de server die heeft. Bij een statuswijziging: de actie, bij een import: de nieuwe agenda.",
            "/v1/acties/0190a000-0000-7000-8000-000000000000",
        );
        for (path, item) in openapi.paths.paths.iter_mut() {
            let by_id = path.ends_with('}');
            let get_etag = if by_id { &strong_get } else { &weak_get };
            let get_sends = !WITHOUT_ETAG.contains(&path.as_str());
            // (operation, whether a 200/201 of it is a write's answer)
            for (op, write) in [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
            ] {
                let Some(op) = op else { continue };
                describe_if_match(op);
                for (status, response) in op.responses.responses.iter_mut() {
                    let RefOr::T(response) = response else {
                        continue;
                    };
                    let headers = &mut response.headers;
                    match (write, status.as_str()) {
                        (false, "200") if get_sends => {
                            headers
                                .entry("ETag".into())
                                .or_insert_with(|| get_etag.clone());
                        }
                        (true, "200" | "201") => {
                            headers
                                .entry("ETag".into())
                                .or_insert_with(|| written.clone());
                            headers
                                .entry("Location".into())
                                .or_insert_with(|| location.clone());
                        }
                        _ => {}
                    }
                }
            }
            // A DELETE answers 204 without either header; its If-Match counts.
            if let Some(op) = &mut item.delete {
                describe_if_match(op);
            }
        }
    }
}

/// Appends what `*` means to the operation's `If-Match` parameter.
fn describe_if_match(op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten() {
        if matches!(p.parameter_in, ParameterIn::Header) && p.name == "If-Match" {
            if let Some(utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(o))) =
                &mut p.schema
            {
                o.pattern = Some(super::write::IF_MATCH_PATTERN.to_owned());
            }
            let own = p.description.take().unwrap_or_default();
            p.description = Some(
                format!("{own}. {IF_MATCH_STAR}")
                    .trim_start_matches(". ")
                    .to_owned(),
            );
        }
    }
}
