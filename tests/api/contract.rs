//! The contract where the spec and the server meet outside the bodies:
//! 405 with `Allow` for a method a path does not have (walked over every
//! path of the spec), and `If-Match: *`.

use serde_json::{json, Value};

use crate::support::*;
use crate::zichtbaarheid::{hidden_agenda, id_in};

/// Every method a client might try; the spec declares the first five.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// A request with any method and exactly this token (`None`: anonymous).
fn any(app: &TestApp, method: &str, path: &str, token: Option<&str>) -> Reply {
    let mut req = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into();
    let with_body = matches!(method, "POST" | "PUT" | "PATCH");
    let sent = if with_body {
        let req = req
            .header("Content-Type", "application/json")
            .body("{}")
            .unwrap();
        agent.run(req)
    } else {
        agent.run(req.body(()).unwrap())
    };
    let mut r = sent.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    // a HEAD answer has no body, whatever its Content-Length says, and the
    // live stream's body never ends
    let live = method == "GET" && path.ends_with("/stream") && r.status() == 200;
    let text = match method {
        "HEAD" => String::new(),
        _ if live => String::new(),
        _ => r.body_mut().read_to_string().unwrap_or_default(),
    };
    Reply {
        status: r.status().as_u16(),
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// The spec's paths with the methods each declares (in `Allow` order).
fn spec_paths() -> Vec<(String, Vec<&'static str>)> {
    let spec: Value = serde_json::from_str(&mag_tracker::http::openapi_json()).unwrap();
    spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, item)| {
            let declared = METHODS[..5]
                .iter()
                .copied()
                .filter(|m| item.get(m.to_lowercase()).is_some())
                .collect();
            (path.clone(), declared)
        })
        .collect()
}

/// `path` with each `{parameter}` replaced by `id(parameter, collection)`.
fn fill(path: &str, id: impl Fn(&str, &str) -> String) -> String {
    let mut out = String::new();
    let mut collection = "";
    for segment in path.split('/').skip(1) {
        let part = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => id(param, collection),
            None => {
                collection = segment;
                segment.to_owned()
            }
        };
        out.push('/');
        out.push_str(&part);
    }
    out
}

/// Checks one 405; returns what is wrong, if anything.
fn check_405(r: &Reply, method: &str, path: &str, allowed: &str) -> Option<String> {
    let problem = r
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/problem+json"));
    let body_ok = method == "HEAD"
        || (problem
            && r.body["status"] == 405
            && r.body["code"] == "method-not-allowed"
            && r.body["title"] == "Methode niet toegestaan"
            && r.body["detail"].as_str().is_some_and(|d| {
                d.contains(&format!(
                    "kent de methode {method} niet; toegestaan: {allowed}"
                ))
            })
            && r.body["instance"] == format!("/v1{path}"));
    (r.status != 405 || r.header("allow") != Some(allowed) || !body_ok).then(|| {
        format!(
            "{method} {path}: {} Allow={:?} {}",
            r.status,
            r.header("allow"),
            r.body
        )
    })
}

#[test]
fn every_path_of_the_spec_answers_405_with_its_allow_for_every_other_method() {
    let app = spawn();
    let hidden = hidden_agenda(&app);
    let unknown = uuid::Uuid::now_v7().to_string();
    let before = app.head();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (template, declared) in spec_paths() {
        let allowed = declared.join(", ");
        let hidden_path = fill(&template, |p, c| id_in(&hidden, p, c).to_owned());
        let unknown_path = fill(&template, |_, _| unknown.clone());
        for method in METHODS.iter().filter(|m| !declared.contains(m)) {
            checked += 1;
            // anonymous on a hidden agenda's resource, and on an unknown id
            let on_hidden = any(&app, method, &hidden_path, None);
            failures.extend(check_405(&on_hidden, method, &hidden_path, &allowed));
            let on_unknown = any(&app, method, &unknown_path, None);
            failures.extend(check_405(&on_unknown, method, &unknown_path, &allowed));
            // the hidden resource's answer tells nothing an unknown id's does not
            let same = |r: &Reply, id_path: &str| {
                let mut headers: Vec<(String, String)> = r
                    .headers
                    .iter()
                    .filter(|(k, _)| !["date", "content-length"].contains(&k.as_str()))
                    .cloned()
                    .collect();
                headers.sort();
                (
                    r.status,
                    headers,
                    r.body.to_string().replace(id_path, "PATH"),
                )
            };
            if same(&on_hidden, &hidden_path) != same(&on_unknown, &unknown_path) {
                failures.push(format!(
                    "{method} {template}: a hidden id answers otherwise than an unknown one"
                ));
            }
            // with a token that may write: the same 405
            let with_token = any(&app, method, &hidden_path, Some(&app.pm));
            failures.extend(check_405(&with_token, method, &hidden_path, &allowed));
        }
        // the declared methods reach a handler (no unknown-route answer)
        for method in &declared {
            let r = any(&app, method, &unknown_path, Some(&app.beheerder));
            let unrouted = r.status == 405
                || r.body["detail"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("Er bestaat geen resource op"));
            if unrouted {
                failures.push(format!(
                    "{method} {template} is declared but not routed: {}",
                    r.body
                ));
            }
        }
    }
    assert!(checked > 200, "only {checked} method/path pairs checked");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(app.head(), before, "a refused method appended nothing");
    // unknown paths stay 404, whatever the method
    for (method, path) in [("DELETE", "/onbekend"), ("GET", "/agendas/x/onbekend")] {
        let r = any(&app, method, path, Some(&app.pm));
        assert_eq!(r.status, 404, "{method} {path}: {}", r.body);
        assert_eq!(r.header("allow"), None);
        assert_eq!(r.body["code"], "not-found");
    }
}

#[test]
fn if_match_star_writes_to_whatever_version_there_is() {
    let app = spawn();
    let opgave = opgave(&app, "1.1");
    let path = format!("/opgaven/{opgave}");
    let before = app.als_pm().call("GET", &path, &[], None);
    let r = app.als_pm().patch(
        &path,
        "*",
        &json!({"omschrijving": "Bijgewerkt met If-Match: *"}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["omschrijving"], "Bijgewerkt met If-Match: *");
    let version = before.body["versie"].as_u64().unwrap();
    assert_eq!(r.body["versie"].as_u64().unwrap(), version + 1);
    assert_eq!(r.etag, format!("\"{}\"", version + 1));
    let after = app.als_pm().call("GET", &path, &[], None);
    assert_eq!(after.body["omschrijving"], "Bijgewerkt met If-Match: *");
    // an actie with its required If-Match, and a sub-resource through its actie
    let actie = actie(&app, "1.1")["id"].as_str().unwrap().to_owned();
    let r = app.als_pm().call(
        "PUT",
        &format!("/acties/{actie}/trekker"),
        &[("If-Match", "*")],
        Some(&json!({"soort": "groep", "naam": "Werkgroep Ster"}).to_string()),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["trekker"]["naam"], "Werkgroep Ster");
    // no resource: `*` matches nothing, and the id is unknown
    let missing = uuid::Uuid::now_v7();
    let r = app.als_pm().refused(
        "PATCH",
        &format!("/opgaven/{missing}"),
        &[("If-Match", "*")],
        r#"{"omschrijving": "x"}"#,
        404,
    );
    assert!(r.body["detail"]
        .as_str()
        .unwrap()
        .contains(&missing.to_string()));
    // still required: no If-Match at all is a 428, an ill-formed one a 400
    app.als_pm()
        .refused("PATCH", &path, &[], r#"{"omschrijving": "y"}"#, 428);
    let r = app.als_pm().refused(
        "PATCH",
        &path,
        &[("If-Match", "**")],
        r#"{"omschrijving": "y"}"#,
        400,
    );
    assert!(r.body["detail"]
        .as_str()
        .unwrap()
        .contains("of * voor elke huidige versie"));
    // the spec says so on every If-Match
    let spec: Value = serde_json::from_str(&mag_tracker::http::openapi_json()).unwrap();
    let mut seen = 0;
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["name"] == "If-Match" {
                    seen += 1;
                    let d = p["description"].as_str().unwrap();
                    assert!(d.contains("`*` past op elke huidige versie"), "{d}");
                }
            }
        }
    }
    assert!(seen >= 17, "{seen} If-Match parameters");
}
