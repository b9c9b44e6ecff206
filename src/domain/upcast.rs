//! Event schema evolution: the current schema version of each event type and
//! the upcasters that turn stored old versions into the current layout when
//! read. Stored events are never rewritten; [`super::Event::decode`] calls
//! [`upcast`] before deserializing, so the domain only ever sees the newest
//! layout. How to add a version: `docs/events.md`, "Evolving an event".

use std::borrow::Cow;

use serde_json::Value;

/// The schema version new events of this type are written with.
pub fn current_version(event_type: &str) -> u32 {
    match event_type {
        // v2 (November 2026): adds `vorigeTekst`, the text before the correction.
        "VoortgangsberichtGecorrigeerd" => 2,
        // v2 (December 2026): adds `kenmerk`, the actie's own reference.
        "ActieAangemaakt" => 2,
        _ => 1,
    }
}

/// One step: the data of `event_type` at `version` in the layout of `version + 1`.
fn step(event_type: &str, version: u32, mut data: Value) -> Result<Value, String> {
    match (event_type, version) {
        ("VoortgangsberichtGecorrigeerd", 1) => {
            // v1 did not record the previous text; it is unknown (null).
            let map = data
                .as_object_mut()
                .ok_or_else(|| format!("{event_type} v1: data is not an object"))?;
            map.entry("vorigeTekst").or_insert(Value::Null);
            Ok(data)
        }
        ("ActieAangemaakt", 1) => {
            // v1 did not record a kenmerk; the projection derives it in log
            // order (`null` here).
            let map = data
                .as_object_mut()
                .ok_or_else(|| format!("{event_type} v1: data is not an object"))?;
            map.entry("kenmerk").or_insert(Value::Null);
            Ok(data)
        }
        _ => Err(format!(
            "{event_type}: no upcaster from schema version {version}"
        )),
    }
}

/// The data of a stored event in its type's current layout.
pub fn upcast<'a>(
    event_type: &str,
    schema_version: u32,
    data: &'a Value,
) -> Result<Cow<'a, Value>, String> {
    let current = current_version(event_type);
    if schema_version > current {
        return Err(format!(
            "{event_type} has schema version {schema_version}, newer than this program knows ({current})"
        ));
    }
    if schema_version == 0 {
        return Err(format!("{event_type}: schema version 0 does not exist"));
    }
    if schema_version == current {
        return Ok(Cow::Borrowed(data));
    }
    let mut data = data.clone();
    for v in schema_version..current {
        data = step(event_type, v, data)?;
    }
    Ok(Cow::Owned(data))
}
