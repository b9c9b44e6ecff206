//! Responses whose format depends on `formaat` (or `Accept`) are described
//! so that a generated client can ask for each format and read it: the
//! parameter lists its values as an `enum`, and every media type of the 200
//! answer has a schema of its own (structured JSON, plain text for the rest).
//! `scripts/client-journey` reads each of them through a generated client.

use serde_json::{json, Value};

fn spec() -> Value {
    serde_json::from_str(&mag_tracker::http::openapi_json()).unwrap()
}

fn formaat(spec: &Value, path: &str) -> Value {
    spec["paths"][path]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "formaat")
        .unwrap_or_else(|| panic!("{path} declares no formaat"))
        .clone()
}

#[test]
fn voortgang_lists_its_formats_and_gives_each_media_type_its_schema() {
    let spec = spec();
    let path = "/agendas/{id}/voortgang";
    assert_eq!(
        formaat(&spec, path)["schema"],
        json!({"type": "string", "enum": ["json", "markdown", "html"]})
    );
    let ok = &spec["paths"][path]["get"]["responses"]["200"];
    let content = &ok["content"];
    assert_eq!(
        content["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/Voortgang"})
    );
    for text in ["text/markdown", "text/html"] {
        assert_eq!(content[text]["schema"], json!({"type": "string"}), "{text}");
    }
    assert_eq!(content.as_object().unwrap().len(), 3);
    // JSON comes first: a generator that reads one media type per answer
    // (openapi-python-client) then types the default format.
    assert_eq!(
        content.as_object().unwrap().keys().next().unwrap(),
        "application/json"
    );
    let description = ok["description"].as_str().unwrap();
    for said in [
        "formaat=markdown",
        "formaat=html",
        "text/markdown",
        "text/html",
    ] {
        assert!(description.contains(said), "{said} in {description}");
    }
}

#[test]
fn export_lists_its_formats_and_gives_each_media_type_its_schema() {
    let spec = spec();
    let path = "/agendas/{id}/export";
    assert_eq!(
        formaat(&spec, path)["schema"],
        json!({"type": "string", "enum": ["csv", "json"]})
    );
    let content = &spec["paths"][path]["get"]["responses"]["200"]["content"];
    assert_eq!(content["text/csv"]["schema"], json!({"type": "string"}));
    assert!(content.get("application/json").is_some());
}
