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

#[path = "openapi/formats.rs"]
mod formats;
