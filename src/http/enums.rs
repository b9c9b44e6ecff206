//! The schemas of enumerated strings that responses derive and no domain
//! type names (a koers, the kind of a row in a report, the soort of a
//! change in the audittrail), so the OpenAPI document lists their values as
//! `enum`. They are only ever named as a DTO field's `value_type`: the field
//! stays a string and its JSON does not change. Where a domain type exists
//! (`ActieStatus`, `Richting`, `PdcaFase`, …) the DTOs name that instead.
//! `tests/openapi.rs` fails when a response property with one of the
//! enumerated names has no `enum`.

// Schema-only types: never constructed.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::openapi::{ObjectBuilder, Type};
use utoipa::ToSchema;

/// Hoe een waarde zich verhoudt tot de streefwaarde.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum KoersWaarde {
    OpKoers,
    NietOpKoers,
}

/// De koers van een indicator in een jaar, of `onbekend`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum KoersStatus {
    OpKoers,
    NietOpKoers,
    Onbekend,
}

/// De ontwikkeling ten opzichte van de nulmeting.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Ontwikkeling {
    Verbeterd,
    Verslechterd,
    Gelijk,
}

/// Het niveau van een checkmoment.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum CheckmomentNiveau {
    Opgave,
    Agenda,
}

/// De status van een opgave of doel.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum OnderdeelStatus {
    Actief,
    Vervallen,
}

/// Wie een gebeurtenis vastlegde: het systeem of een token.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum ActorSoort {
    Systeem,
    Token,
}

/// Een trekker is een organisatie of een benoemde groep.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum TrekkerSoort {
    Organisatie,
    Groep,
}

/// Een bijsturing vastgelegd of doorgevoerd.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum BijsturingSoort {
    Vastgelegd,
    Doorgevoerd,
}

/// Wat hernummerd is.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum HernummeringSoort {
    Groepering,
    Opgave,
    Doel,
}

/// Wat verplaatst is.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum VerplaatsingSoort {
    Doel,
    Actie,
}

/// Het soort wijziging van een regel in de audittrail (`history::audit`).
#[derive(Serialize, ToSchema)]
pub enum SoortWijziging {
    #[serde(rename = "aangemaakt")]
    Aangemaakt,
    #[serde(rename = "gewijzigd")]
    Gewijzigd,
    #[serde(rename = "status gewijzigd")]
    StatusGewijzigd,
    #[serde(rename = "trekker gewijzigd")]
    TrekkerGewijzigd,
    #[serde(rename = "partners gewijzigd")]
    PartnersGewijzigd,
    #[serde(rename = "voortgang gemeld")]
    VoortgangGemeld,
    #[serde(rename = "streefwaarde vastgesteld")]
    StreefwaardeVastgesteld,
    #[serde(rename = "meting vastgelegd")]
    MetingVastgelegd,
    #[serde(rename = "gesloten")]
    Gesloten,
    #[serde(rename = "bijsturing vastgelegd")]
    BijsturingVastgelegd,
    #[serde(rename = "bijsturing doorgevoerd")]
    BijsturingDoorgevoerd,
    #[serde(rename = "vervallen")]
    Vervallen,
    #[serde(rename = "hernummerd")]
    Hernummerd,
    #[serde(rename = "verplaatst")]
    Verplaatst,
    #[serde(rename = "gecorrigeerd")]
    Gecorrigeerd,
    #[serde(rename = "ingetrokken")]
    Ingetrokken,
    #[serde(rename = "bijdrage toegevoegd")]
    BijdrageToegevoegd,
    #[serde(rename = "bijdrage verwijderd")]
    BijdrageVerwijderd,
}

/// Het soort stream (resource) waartoe een gebeurtenis hoort.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum StreamType {
    Organisatie,
    Agenda,
    Groepering,
    Opgave,
    Doel,
    Actie,
    Reflectie,
    Indicator,
    Checkmoment,
    Token,
    Abonnement,
}

/// The type of an event (`docs/events.md`): every name the domain knows.
pub fn event_type() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(crate::domain::events::EVENT_TYPES.iter().copied()))
        .description(Some(
            "Het type gebeurtenis (zie docs/events.md), bijv. ActieStatusGewijzigd.",
        ))
        .examples(["ActieStatusGewijzigd"])
        .build()
}

#[cfg(test)]
mod tests {
    use utoipa::{PartialSchema, ToSchema};

    use super::*;

    /// Two types with one schema name would leave one of them out of the
    /// document silently: each of these must be the schema by its name.
    #[test]
    fn each_schema_is_the_one_the_document_has_by_its_name() {
        fn own<T: ToSchema + PartialSchema>() -> (String, serde_json::Value) {
            (
                T::name().into_owned(),
                serde_json::to_value(T::schema()).unwrap(),
            )
        }
        let doc = serde_json::to_value(crate::http::ApiDoc::document()).unwrap();
        for (name, schema) in [
            own::<KoersWaarde>(),
            own::<KoersStatus>(),
            own::<Ontwikkeling>(),
            own::<CheckmomentNiveau>(),
            own::<OnderdeelStatus>(),
            own::<ActorSoort>(),
            own::<TrekkerSoort>(),
            own::<BijsturingSoort>(),
            own::<HernummeringSoort>(),
            own::<VerplaatsingSoort>(),
            own::<SoortWijziging>(),
            own::<StreamType>(),
        ] {
            assert_eq!(doc["components"]["schemas"][&name], schema, "{name}");
        }
    }
}
