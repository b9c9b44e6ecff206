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

fn spec() -> serde_json::Value {
    serde_json::from_str(&mag_tracker::http::openapi_json()).unwrap()
}

/// Every `(method, path, schema name)` with a JSON request body.
fn request_bodies(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(content) = op
                .pointer("/requestBody/content")
                .and_then(|c| c.as_object())
            else {
                continue;
            };
            for (media, body) in content {
                if !media.contains("json") {
                    continue;
                }
                if let Some(r) = body.pointer("/schema/$ref").and_then(|r| r.as_str()) {
                    let name = r.trim_start_matches("#/components/schemas/").to_owned();
                    out.push((method.clone(), path.clone(), name));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Walks a schema and its `$ref`s, calling `f` on every schema object.
fn walk<'a>(
    doc: &'a serde_json::Value,
    schema: &'a serde_json::Value,
    seen: &mut std::collections::BTreeSet<String>,
    f: &mut dyn FnMut(&'a serde_json::Value),
) {
    if let Some(r) = schema.get("$ref").and_then(|r| r.as_str()) {
        let name = r.trim_start_matches("#/components/schemas/");
        if seen.insert(name.to_owned()) {
            walk(doc, &doc["components"]["schemas"][name], seen, f);
        }
        return;
    }
    f(schema);
    for key in ["items", "additionalProperties", "not", "if", "then", "else"] {
        if let Some(s) = schema.get(key).filter(|s| s.is_object()) {
            walk(doc, s, seen, f);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for s in schema
            .get(key)
            .and_then(|s| s.as_array())
            .into_iter()
            .flatten()
        {
            walk(doc, s, seen, f);
        }
    }
    for s in schema
        .get("properties")
        .and_then(|p| p.as_object())
        .into_iter()
        .flat_map(|p| p.values())
    {
        walk(doc, s, seen, f);
    }
}

/// The request schemas tell the truth: every object in a typed request body
/// is closed (`additionalProperties: false`) and its `required` list names
/// the fields the server needs; no schema serves both a create (POST/PUT)
/// and a change (PATCH); every keyword and pattern is one the server's
/// checker enforces (`mag_tracker::http::invoer::schema`).
#[test]
fn request_schemas_are_closed_and_say_what_they_require() {
    use mag_tracker::http::invoer::schema::{KNOWN_KEYWORDS, PATTERNS};
    let doc = spec();
    let bodies = request_bodies(&doc);
    assert!(
        bodies.len() >= 20,
        "found only {} request bodies",
        bodies.len()
    );
    let mut problems = Vec::new();
    let mut use_of: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        Default::default();
    for (method, path, name) in &bodies {
        let kind = if method == "patch" { "patch" } else { "create" };
        use_of.entry(name).or_default().insert(kind);
        let root = &doc["components"]["schemas"][name.as_str()];
        let mut seen = Default::default();
        walk(&doc, root, &mut seen, &mut |s| {
            for key in s.as_object().unwrap().keys() {
                if !KNOWN_KEYWORDS.contains(&key.as_str()) {
                    problems.push(format!(
                        "{method} {path} ({name}): keyword {key} is not enforced"
                    ));
                }
            }
            if let Some(p) = s.get("pattern").and_then(|p| p.as_str()) {
                if !PATTERNS.iter().any(|known| known.regex == p) {
                    problems.push(format!(
                        "{method} {path} ({name}): pattern {p} is unknown to the checker"
                    ));
                }
            }
            // Rule fragments (`src/http/spec_rules.rs`) name properties
            // without being objects of their own: only typed objects count.
            if s.get("properties").is_some()
                && s.get("type").is_some()
                && s.get("additionalProperties") != Some(&serde_json::json!(false))
            {
                problems.push(format!(
                    "{method} {path} ({name}): an object without additionalProperties: false"
                ));
            }
        });
        // A tagged union (`oneOf` at the root) requires per option.
        let options = root.get("oneOf").and_then(|o| o.as_array());
        let required = match options {
            Some(options) => options.iter().all(|o| o.get("required").is_some()),
            None => root.get("required").is_some(),
        };
        if method != "patch" && !required {
            problems.push(format!("{method} {path} ({name}): no required list"));
        }
    }
    for (name, kinds) in &use_of {
        if kinds.len() > 1 {
            problems.push(format!("{name} serves both a create and a PATCH"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every PATCH accepts JSON Merge Patch (RFC 7396) and says so.
#[test]
fn every_typed_patch_declares_merge_patch() {
    let doc = spec();
    for (method, path, _) in request_bodies(&doc) {
        if method != "patch" {
            continue;
        }
        let content = &doc["paths"][&path]["patch"]["requestBody"]["content"];
        assert!(
            content.get("application/merge-patch+json").is_some(),
            "PATCH {path} does not declare application/merge-patch+json"
        );
    }
}

#[path = "openapi/formats.rs"]
mod formats;

/// Properties whose values are a fixed list: wherever one of these names is
/// a string (other than an id or a date: no `format`) in a response schema or
/// a typed request schema (not in [`NOT_YET_TYPED`]), the spec must give its
/// `enum` (a generated client then gets a type, not a bare string).
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
fn enumerated_properties_list_their_values() {
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
    for (method, path, name) in request_bodies(&spec) {
        let schema = serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
        todo.push((format!("{method} {path} request {name}"), schema));
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
            let plain = resolve(prop).get("format").is_none();
            if ENUMERATED.contains(&name.as_str()) && plain && string_like(prop, &resolve) {
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

/// A query parameter that looks a code up takes a weergavecode (up to 12
/// levels: a local code under coded parents) and publishes one pattern for
/// it (`invoer::waarden::WEERGAVECODE_PATTERN`), the code fields of the
/// bodies another (`CODE_PATTERN`, up to 6 levels).
#[test]
fn the_code_query_parameter_has_the_code_pattern() {
    let doc = spec();
    for path in ["/agendas/{id}/opgaven", "/opgaven/{id}/doelen"] {
        let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
        let code = params.iter().find(|p| p["name"] == "code").unwrap();
        assert_eq!(
            code["schema"]["pattern"],
            mag_tracker::http::invoer::waarden::WEERGAVECODE_PATTERN,
            "{path}"
        );
    }
}
