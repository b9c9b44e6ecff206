//! The values of a response body against the `enum`s of its schema.

use serde_json::Value;

fn resolve<'a>(spec: &'a Value, mut s: &'a Value) -> &'a Value {
    while let Some(r) = s["$ref"].as_str() {
        s = &spec["components"]["schemas"][r.trim_start_matches("#/components/schemas/")];
    }
    s
}

/// Collects the values of `value` that lie outside an `enum` of `schema`.
pub fn enum_values(spec: &Value, schema: &Value, value: &Value, at: &str, wrong: &mut Vec<String>) {
    let s = resolve(spec, schema);
    if let Some(values) = s["enum"].as_array() {
        if !value.is_null() && !values.contains(value) {
            wrong.push(format!("{at} = {value} is not one of {values:?}"));
        }
    }
    for m in s["allOf"].as_array().into_iter().flatten() {
        enum_values(spec, m, value, at, wrong);
    }
    let choices: Vec<&Value> = ["oneOf", "anyOf"]
        .iter()
        .flat_map(|k| s[*k].as_array().into_iter().flatten())
        .collect();
    if !choices.is_empty() && !value.is_null() {
        let fits: Vec<Vec<String>> = choices
            .iter()
            .map(|m| {
                let mut w = Vec::new();
                enum_values(spec, m, value, at, &mut w);
                w
            })
            .collect();
        if fits.iter().all(|w| !w.is_empty()) {
            wrong.extend(fits.into_iter().flatten());
        }
    }
    if let (Some(props), Some(obj)) = (s["properties"].as_object(), value.as_object()) {
        for (k, v) in obj {
            if let Some(p) = props.get(k) {
                enum_values(spec, p, v, &format!("{at}.{k}"), wrong);
            }
        }
    }
    if let (true, Some(items)) = (s["items"].is_object(), value.as_array()) {
        for (i, v) in items.iter().enumerate() {
            enum_values(spec, &s["items"], v, &format!("{at}[{i}]"), wrong);
        }
    }
}
