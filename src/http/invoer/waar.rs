//! [`Waar`]: a flag whose only value is `true` (`ingetrokken`,
//! `doorgevoerd`: steps that cannot be undone). The schema says so
//! (`enum: [true]`), so `false` is refused by the schema check, naming the
//! field, instead of by a rule the spec does not show.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waar;

impl<'de> Deserialize<'de> for Waar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if bool::deserialize(d)? {
            Ok(Self)
        } else {
            Err(serde::de::Error::custom("alleen true kan hier"))
        }
    }
}

impl PartialSchema for Waar {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Boolean)
            .enum_values(Some([true]))
            .into()
    }
}

impl ToSchema for Waar {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Waar")
    }
}
