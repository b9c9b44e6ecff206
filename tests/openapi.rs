//! The committed `openapi/openapi.json` must equal what the code generates.
//! Regenerate with: `UPDATE_OPENAPI=1 cargo test --test openapi`
//! (or `cargo run -- openapi > openapi/openapi.json`).

#[test]
fn committed_openapi_document_is_current() {
    let generated = format!("{}\n", mag_tracker::http::openapi_json());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test --test openapi` and commit it"
    );
}

/// Response properties whose values are a fixed list: wherever one of these
/// names is a string in a response schema, the spec must give its `enum`
/// (a generated client then gets a type, not a bare string).
const ENUMERATED: [&str; 16] = [
    "status",
    "soort",
    "rol",
    "richting",
    "fase",
    "koers",
    "niveau",
    "ontwikkeling",
    "over",
    "overSoort",
    "soortWijziging",
    "van",
    "naar",
    "type",
    "streamType",
    "gebeurtenisType",
];

#[test]
fn enumerated_response_properties_list_their_values() {
    use serde_json::Value;
    // The committed document (the test above pins it to the generated one;
    // while that test rewrites it, the generated one).
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let text = match std::env::var_os("UPDATE_OPENAPI") {
        Some(_) => mag_tracker::http::openapi_json(),
        None => std::fs::read_to_string(path).unwrap(),
    };
    let spec: Value = serde_json::from_str(&text).unwrap();
    let resolve = |s: &Value| -> Value {
        let mut s = s.clone();
        while let Some(r) = s["$ref"].as_str() {
            let name = r.trim_start_matches("#/components/schemas/");
            s = spec["components"]["schemas"][name].clone();
        }
        s
    };
    fn members(s: &Value) -> Vec<Value> {
        ["oneOf", "anyOf", "allOf"]
            .iter()
            .flat_map(|k| s[*k].as_array().cloned().unwrap_or_default())
            .collect()
    }
    fn is_null(s: &Value) -> bool {
        s["type"] == "null"
    }
    // a string (or a nullable one) whose values the schema lists
    fn string_like(s: &Value, resolve: &dyn Fn(&Value) -> Value) -> bool {
        let s = resolve(s);
        let t = &s["type"];
        t == "string"
            || t.as_array()
                .is_some_and(|a| a.iter().any(|x| x == "string"))
            || s.get("enum").is_some()
            || members(&s).iter().any(|m| string_like(m, resolve))
    }
    fn listed(s: &Value, resolve: &dyn Fn(&Value) -> Value) -> bool {
        let s = resolve(s);
        if s.get("enum").is_some() {
            return true;
        }
        let ms: Vec<Value> = members(&s).into_iter().filter(|m| !is_null(m)).collect();
        !ms.is_empty() && ms.iter().all(|m| listed(m, resolve))
    }
    // every schema a 2xx response reaches, with the path it was reached by
    let mut todo: Vec<(String, Value)> = Vec::new();
    for (p, item) in spec["paths"].as_object().unwrap() {
        for (m, op) in item.as_object().unwrap() {
            for (status, r) in op["responses"].as_object().into_iter().flatten() {
                if !status.starts_with('2') {
                    continue;
                }
                for (ct, c) in r["content"].as_object().into_iter().flatten() {
                    todo.push((format!("{m} {p} {status} {ct}"), c["schema"].clone()));
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    let (mut missing, mut checked) = (Vec::new(), 0);
    while let Some((at, s)) = todo.pop() {
        if let Some(r) = s["$ref"].as_str() {
            if !seen.insert(r.to_owned()) {
                continue;
            }
        }
        let s = resolve(&s);
        for (name, prop) in s["properties"].as_object().into_iter().flatten() {
            if ENUMERATED.contains(&name.as_str()) && string_like(prop, &resolve) {
                checked += 1;
                if !listed(prop, &resolve) {
                    missing.push(format!("{at}: {name}"));
                }
            }
            todo.push((format!("{at} > {name}"), prop.clone()));
        }
        for k in ["items", "additionalProperties"] {
            if s[k].is_object() {
                todo.push((at.clone(), s[k].clone()));
            }
        }
        for m in members(&s) {
            todo.push((at.clone(), m));
        }
    }
    assert!(checked > 30, "only {checked} enumerated properties found");
    assert!(
        missing.is_empty(),
        "response properties without enum:\n{}",
        missing.join("\n")
    );
}
