//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::{ObjectBuilder, RefOr, Type};
use utoipa::{Modify, OpenApi};

use super::problem::{InvalidParam, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mag-tracker API",
        description = "REST API voor een Maatschappelijke Agenda (MAG): opgaven, doelen, acties, trekkers, reflecties, indicatoren en de PDCA-cyclus. Elke wijziging is een onveranderlijke gebeurtenis. Een methode die een pad niet kent, geeft 405 (application/problem+json, code method-not-allowed) met de header Allow: de methoden die dat pad wel heeft, zoals dit document ze noemt; een onbekend pad geeft 404. If-Match: * past op elke huidige versie van een bestaande resource.",
        contact(name = "mag-tracker", email = "mag-tracker@example.org", url = "https://mag-tracker.nl"),
        license(name = "EUPL-1.2", identifier = "EUPL-1.2")
    ),
    servers((url = "/v1", description = "Deze server, versie 1 van de API")),
    components(schemas(Problem, InvalidParam))
)]
pub struct ApiDoc;

impl ApiDoc {
    /// The whole document: the base above plus every module's operations.
    pub fn document() -> utoipa::openapi::OpenApi {
        let mut doc = Self::openapi();
        for part in [
            super::agendas::Api::openapi(),
            super::acties::Api::openapi(),
            super::organisaties::Api::openapi(),
            super::structuur::Api::openapi(),
            super::actiebeheer::Api::openapi(),
            super::reflecties::Api::openapi(),
            super::indicatoren::Api::openapi(),
            super::checkmomenten::Api::openapi(),
            super::bijsturingen::Api::openapi(),
            super::pdca::Api::openapi(),
            super::voortgang::Api::openapi(),
            super::uitwisseling::Api::openapi(),
            super::gebeurtenissen::Api::openapi(),
            super::audittrail::Api::openapi(),
            super::wijzigingen::Api::openapi(),
            super::tokens::Api::openapi(),
            super::abonnementen::Api::openapi(),
        ] {
            doc.merge(part);
        }
        ApiVersionHeader.modify(&mut doc);
        super::spec_headers::ResponseHeaders.modify(&mut doc);
        super::checkmomenten::BijsturingHeader.modify(&mut doc);
        super::peil::PositieHeader.modify(&mut doc);
        super::positie_wacht::WachtHeaders.modify(&mut doc);
        BearerTokens.modify(&mut doc);
        super::spec_dates::QueryDates.modify(&mut doc);
        super::spec_rules::CrossFieldRules.modify(&mut doc);
        doc
    }
}

/// Declares the `API-Version` header on every 2xx and 3xx response.
struct ApiVersionHeader;

impl Modify for ApiVersionHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let header = HeaderBuilder::new()
            .schema(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .examples([super::API_VERSION]),
            )
            .description(Some("De volledige versie van de API (semver)."))
            .build();
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                for (status, response) in op.responses.responses.iter_mut() {
                    if !(status.starts_with('2') || status.starts_with('3')) {
                        continue;
                    }
                    if let RefOr::T(r) = response {
                        r.headers.insert("API-Version".into(), header.clone());
                    }
                }
            }
        }
    }
}

/// Declares the bearer tokens (`docs/authorisatie.md`): optional for reads
/// of published agendas, required for writes.
struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("mag_<id>_<geheim>")
            .description(Some("Een token van een organisatie met een rol (beheerder, programmamanager, partner, lezer). Zonder token: alleen lezen van gepubliceerde agenda's."))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("token", SecurityScheme::Http(scheme));
        openapi.security = Some(vec![
            SecurityRequirement::default(),
            SecurityRequirement::new("token", Vec::<String>::new()),
        ]);
    }
}
