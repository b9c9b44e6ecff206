//! Every date and instant query parameter follows the API's one date rule
//! (`crate::domain::datum`: years 1900–2200); the spec says so with the
//! same pattern the request bodies' `Datum`/`Tijdstip` carry, so a client
//! (and Schemathesis) never sends a date the server refuses for its year.

use utoipa::openapi::schema::{Schema, SchemaFormat};
use utoipa::openapi::{KnownFormat, RefOr};
use utoipa::Modify;

use super::invoer::waarden::YEAR_PATTERN;

pub struct QueryDates;

impl Modify for QueryDates {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                for p in op.parameters.iter_mut().flatten() {
                    if let Some(RefOr::T(Schema::Object(o))) = &mut p.schema {
                        let dated = matches!(
                            o.format,
                            Some(SchemaFormat::KnownFormat(
                                KnownFormat::Date | KnownFormat::DateTime
                            ))
                        );
                        if dated && o.pattern.is_none() {
                            o.pattern = Some(YEAR_PATTERN.to_owned());
                        }
                    }
                }
            }
        }
    }
}
