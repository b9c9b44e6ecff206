//! The spec tells the truth about `ETag` and `Location`: every operation of
//! `openapi/openapi.json` is called against the demo with real ids (a
//! successful call of every write, then every GET with a token that may read
//! it), and each response must send exactly the `ETag` and `Location` its
//! operation declares for that status. The values are checked too: a strong
//! ETag is the version the body shows (or, for a voortgangsbericht,
//! bijsturing or meting, the version of the actie, checkmoment or indicator
//! above it); a weak one is the log position the answer reflects; a
//! `Location` reads back (GET) as what the write answered.

use std::collections::BTreeSet;

use mag_tracker::access::Rol;
use serde_json::Value;

use crate::support::*;
use crate::zichtbaarheid::hidden_agenda;

mod ids;
mod values;
mod writes;

use ids::{demo_ids, id_for, on_demo, query_for};
use values::enum_values;
use writes::writes;

struct Truth {
    app: TestApp,
    spec: Value,
    /// A programmamanager of every agenda (the hidden one too).
    pm: String,
    covered: BTreeSet<(String, String)>,
    failures: Vec<String>,
}

impl Truth {
    /// The headers the spec declares on `method template` for `status`.
    fn declared(&self, method: &str, template: &str, status: u16) -> Vec<String> {
        let response =
            &self.spec["paths"][template][method.to_lowercase()]["responses"][status.to_string()];
        response["headers"]
            .as_object()
            .map(|h| h.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn token_for(&self, method: &str, path: &str) -> String {
        let beheer = method == "GET"
            || path.starts_with("/tokens")
            || path.starts_with("/organisaties")
            || path == "/agendas"
            || path == "/agenda-imports";
        if beheer {
            self.app.beheerder.clone()
        } else {
            self.pm.clone()
        }
    }

    fn read(&self, path: &str) -> Reply {
        request(&self.app, "GET", path, Some(&self.app.beheerder), &[], None)
    }

    fn etag_of(&self, path: &str) -> String {
        let r = self.read(path);
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        r.header("etag").expect("an ETag").to_owned()
    }

    /// Sends one request of the walk and checks its headers against the spec.
    fn call(
        &mut self,
        method: &str,
        template: &str,
        path: &str,
        if_match: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let token = self.token_for(method, path);
        let headers: Vec<(&str, &str)> = if_match.iter().map(|v| ("If-Match", *v)).collect();
        let text = body.map(|b| b.to_string());
        let r = request(
            &self.app,
            method,
            path,
            Some(&token),
            &headers,
            text.as_deref(),
        );
        self.covered
            .insert((method.to_owned(), template.to_owned()));
        if !(200..300).contains(&r.status) {
            self.failures
                .push(format!("{method} {path}: {} {}", r.status, r.body));
            return r;
        }
        let declared = self.declared(method, template, r.status);
        for name in ["ETag", "Location"] {
            let (sent, says) = (r.header(name).is_some(), declared.iter().any(|d| d == name));
            if sent != says {
                self.failures.push(format!(
                    "{method} {template} {}: {name} sent: {sent}, declared: {says}",
                    r.status
                ));
            }
        }
        self.check_enums(method, template, path, &r);
        self.check_etag(method, path, &r);
        if let Some(location) = r.header("location") {
            self.check_location(method, path, location, &r);
        }
        r
    }

    /// Every value of the JSON body where the schema lists an `enum` is
    /// one of its values.
    fn check_enums(&mut self, method: &str, template: &str, path: &str, r: &Reply) {
        let json = r
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json"));
        let schema = &self.spec["paths"][template][method.to_lowercase()]["responses"]
            [r.status.to_string()]["content"]["application/json"]["schema"];
        if !json || schema.is_null() {
            return;
        }
        let mut wrong = Vec::new();
        enum_values(&self.spec, schema, &r.body, "body", &mut wrong);
        for w in wrong {
            self.failures.push(format!("{method} {path}: {w}"));
        }
    }

    fn check_etag(&mut self, method: &str, path: &str, r: &Reply) {
        let Some(etag) = r.header("etag") else { return };
        if let Some(weak) = etag.strip_prefix("W/") {
            let expected = r
                .header("x-positie")
                .map(str::to_owned)
                .unwrap_or_else(|| self.app.head().to_string());
            if weak != format!("\"{expected}\"") {
                self.failures.push(format!(
                    "{method} {path}: weak ETag {etag}, position {expected}"
                ));
            }
        } else if let Some(version) = r.body["versie"].as_u64() {
            if etag != format!("\"{version}\"") {
                self.failures
                    .push(format!("{method} {path}: ETag {etag}, versie {version}"));
            }
        } else {
            // what the write made, as a GET shows it
            let target = r
                .header("location")
                .map(|l| l.trim_start_matches("/v1").to_owned())
                .unwrap_or_else(|| path.to_owned());
            if let Some(version) = self.read(&target).body["versie"].as_u64() {
                if etag != format!("\"{version}\"") {
                    self.failures.push(format!(
                        "{method} {path}: ETag {etag}, {target} shows versie {version}"
                    ));
                }
                return;
            }
            // a voortgangsbericht, bijsturing or meting: its parent's version
            let parent = target.rsplitn(3, '/').nth(2).unwrap_or_default().to_owned();
            let parent_etag = self.etag_of(&parent);
            if etag != parent_etag {
                self.failures.push(format!(
                    "{method} {path}: ETag {etag}, but {parent} has {parent_etag}"
                ));
            }
        }
    }

    fn check_location(&mut self, method: &str, path: &str, location: &str, r: &Reply) {
        let Some(target) = location.strip_prefix("/v1") else {
            self.failures
                .push(format!("{method} {path}: Location {location}"));
            return;
        };
        let again = self.read(target);
        // what the write answered, as a GET of its Location shows it (an
        // import answers its summary: the agenda it created)
        let same = match r.body.get("agendaId") {
            Some(agenda) if r.body.get("id").is_none() => again.body["id"] == *agenda,
            _ => again
                .body
                .as_object()
                .is_some_and(|read| read.iter().all(|(k, v)| r.body.get(k) == Some(v))),
        };
        if again.status != 200 || !same || again.header("etag") != r.header("etag") {
            self.failures.push(format!(
                "{method} {path}: Location {location} reads {} {:?} {} (the write answered {:?} {})",
                again.status,
                again.header("etag"),
                again.body,
                r.header("etag"),
                r.body
            ));
        }
    }

    fn id(&mut self, method: &str, template: &str, path: &str, body: Value) -> String {
        let r = self.call(method, template, path, None, Some(body));
        r.body["id"].as_str().unwrap_or_default().to_owned()
    }

    /// A PATCH (or PUT) with the current ETag of `of` as If-Match.
    fn change(&mut self, method: &str, template: &str, path: &str, of: &str, body: Value) {
        let etag = self.etag_of(of);
        self.call(method, template, path, Some(&etag), Some(body));
    }
}

#[test]
fn every_etag_and_location_the_server_sends_is_declared_and_every_declared_one_is_sent() {
    let app = spawn();
    let h = hidden_agenda(&app);
    let agendas = app
        .state
        .projection
        .read()
        .agendas
        .keys()
        .copied()
        .collect();
    let pm = app.token(Rol::Programmamanager, "Gemeente Twenterand", agendas);
    let spec: Value = serde_json::from_str(&mag_tracker::http::openapi_json()).unwrap();
    let mut t = Truth {
        app,
        spec,
        pm,
        covered: BTreeSet::new(),
        failures: Vec::new(),
    };
    let demo = demo_ids(&t);
    writes(&mut t, &h);
    let token = t.read("/tokens").body["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let abonnement = t.read("/abonnementen").body["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let paths: Vec<String> = t.spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for template in paths {
        if t.spec["paths"][&template].get("get").is_none() {
            continue;
        }
        let mut path = template.clone();
        for param in template
            .split('{')
            .skip(1)
            .filter_map(|s| s.split('}').next())
        {
            path = path.replace(
                &format!("{{{param}}}"),
                &id_for(&h, &template, param, &token, &abonnement),
            );
        }
        path.push_str(query_for(&template));
        if template.ends_with("/stream") {
            t.covered.insert(("GET".into(), template.clone()));
            stream_headers(&mut t, &template, &path);
        } else {
            t.call("GET", &template, &path, None, None);
            // and on the demo agenda's own data, where it has this kind
            if let Some(demo_path) = on_demo(&demo, &template) {
                let demo_path = format!("{demo_path}{}", query_for(&template));
                t.call("GET", &template, &demo_path, None, None);
            }
        }
    }
    // every operation of the spec was called
    for (template, item) in t.spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let key = (method.to_uppercase(), template.clone());
            if !t.covered.contains(&key) {
                t.failures
                    .push(format!("{} {template}: not called by this test", key.0));
            }
        }
    }
    assert!(
        t.failures.is_empty(),
        "{} failures:\n{}",
        t.failures.len(),
        t.failures.join("\n")
    );
}

/// The live stream never ends: read its head only.
fn stream_headers(t: &mut Truth, template: &str, path: &str) {
    let r = plain_agent()
        .get(format!("{}{path}", t.app.base))
        .header("Authorization", format!("Bearer {}", t.app.beheerder))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let declared = t.declared("GET", template, 200);
    for name in ["ETag", "Location"] {
        let (sent, says) = (
            r.headers().contains_key(name),
            declared.iter().any(|d| d == name),
        );
        if sent != says {
            t.failures.push(format!(
                "GET {template}: {name} sent: {sent}, declared: {says}"
            ));
        }
    }
}
