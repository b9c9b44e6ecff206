//! The trekker in a request body: [`TrekkerNieuw`] (in a new actie) and
//! [`TrekkerToewijzing`] (`PUT /acties/{id}/trekker`), tagged by `soort`,
//! with their schemas written out so that every variant is closed.

use serde::Deserialize;
use uuid::Uuid;

use crate::domain::actie::Trekker;
use crate::http::invoer::Tekst;

/// The trekker of a new actie: an organisatie or a named group.
#[derive(Debug, Deserialize)]
#[serde(tag = "soort", rename_all = "lowercase", deny_unknown_fields)]
pub enum TrekkerNieuw {
    #[serde(rename_all = "camelCase")]
    Organisatie {
        organisatie_id: Uuid,
    },
    Groep {
        naam: Tekst,
    },
}

impl From<TrekkerNieuw> for Trekker {
    fn from(t: TrekkerNieuw) -> Self {
        match t {
            TrekkerNieuw::Organisatie { organisatie_id } => Trekker::Organisatie { organisatie_id },
            TrekkerNieuw::Groep { naam } => Trekker::Groep {
                naam: naam.into_string(),
            },
        }
    }
}

/// Body of `PUT /acties/{id}/trekker`: an organisatie, a named group, or
/// nobody (the trekkersrol still to be filled).
#[derive(Debug, Deserialize)]
#[serde(tag = "soort", rename_all = "lowercase", deny_unknown_fields)]
pub enum TrekkerToewijzing {
    #[serde(rename_all = "camelCase")]
    Organisatie {
        organisatie_id: Uuid,
        toelichting: Option<String>,
    },
    Groep {
        naam: Tekst,
        toelichting: Option<String>,
    },
    Geen {
        toelichting: Option<String>,
    },
}

/// The schema of a trekker body, written out: utoipa does not close the
/// variants of a tagged enum (`additionalProperties: false`), and the
/// schema is what the body is checked against.
mod schema {
    use std::borrow::Cow;

    use utoipa::openapi::schema::{
        AdditionalProperties, Discriminator, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
    };
    use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};
    use utoipa::{PartialSchema, ToSchema};

    use super::{Tekst, TrekkerNieuw, TrekkerToewijzing};

    /// One closed variant: `soort` fixed, plus its own field.
    fn variant(
        soort: &str,
        description: &str,
        field: Option<(&str, RefOr<Schema>)>,
        toelichting: bool,
    ) -> RefOr<Schema> {
        let mut o = ObjectBuilder::new()
            .description(Some(description))
            .property(
                "soort",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([soort])),
            )
            .required("soort");
        if let Some((name, schema)) = field {
            o = o.property(name, schema).required(name);
        }
        if toelichting {
            o = o.property(
                "toelichting",
                ObjectBuilder::new()
                    .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
                    .description(Some(
                        "Waarom (komt in de audittrail); ook als header X-Audit-Toelichting.",
                    )),
            );
        }
        o.additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }

    fn organisatie(toelichting: bool) -> RefOr<Schema> {
        let id = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .into();
        variant(
            "organisatie",
            "Een organisatie trekt de actie.",
            Some(("organisatieId", id)),
            toelichting,
        )
    }

    fn groep(toelichting: bool) -> RefOr<Schema> {
        let naam = ("naam", Tekst::schema());
        variant(
            "groep",
            "Een benoemde groep, bijv. \"Werkgroep Armoede\".",
            Some(naam),
            toelichting,
        )
    }

    impl PartialSchema for TrekkerNieuw {
        fn schema() -> RefOr<Schema> {
            OneOfBuilder::new()
                .discriminator(Some(Discriminator::new("soort")))
                .description(Some("De trekker: een organisatie of een benoemde groep."))
                .item(organisatie(false))
                .item(groep(false))
                .into()
        }
    }

    impl ToSchema for TrekkerNieuw {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("TrekkerNieuw")
        }
    }

    impl PartialSchema for TrekkerToewijzing {
        fn schema() -> RefOr<Schema> {
            OneOfBuilder::new()
                .discriminator(Some(Discriminator::new("soort")))
                .description(Some("De nieuwe trekker: een organisatie, een benoemde groep, of niemand (de trekkersrol is dan nog in te vullen)."))
                .item(organisatie(true))
                .item(groep(true))
                .item(variant("geen", "Niemand: de trekkersrol is nog in te vullen.", None, true))
                .into()
        }
    }

    impl ToSchema for TrekkerToewijzing {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("TrekkerToewijzing")
        }
    }
}

impl TrekkerToewijzing {
    /// The trekker (`None`: nobody) and the toelichting.
    pub fn into_parts(self) -> (Option<Trekker>, Option<String>) {
        match self {
            Self::Organisatie {
                organisatie_id,
                toelichting,
            } => (Some(Trekker::Organisatie { organisatie_id }), toelichting),
            Self::Groep { naam, toelichting } => (
                Some(Trekker::Groep {
                    naam: naam.into_string(),
                }),
                toelichting,
            ),
            Self::Geen { toelichting } => (None, toelichting),
        }
    }
}
