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
use serde_json::{json, Value};

use crate::support::*;
use crate::zichtbaarheid::{hidden_agenda, Hidden};

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

/// Every write operation, once, successfully.
fn writes(t: &mut Truth, h: &Hidden) {
    let org = t.id(
        "POST",
        "/organisaties",
        "/organisaties",
        json!({"naam": "Stichting Waarheid", "soort": "welzijn"}),
    );
    let p = format!("/organisaties/{org}");
    t.change(
        "PATCH",
        "/organisaties/{id}",
        &p,
        &p,
        json!({"contactadres": "info@waarheid.nl"}),
    );
    t.id(
        "POST",
        "/agendas",
        "/agendas",
        json!({"naam": "Agenda Waarheid", "gemeenten": ["Twenterand"], "periodeStartDatum": "2025-01-01", "periodeEindDatum": "2025-12-31"}),
    );
    let a = &h.agenda;
    let p = format!("/agendas/{a}");
    t.change(
        "PATCH",
        "/agendas/{id}",
        &p,
        &p,
        json!({"omschrijving": "Waar"}),
    );
    t.id(
        "POST",
        "/agendas/{id}/groeperingen",
        &format!("/agendas/{a}/groeperingen"),
        json!({"naam": "Tweede groep", "code": "2"}),
    );
    let p = format!("/groeperingen/{}", h.groepering);
    t.change(
        "PATCH",
        "/groeperingen/{id}",
        &p,
        &p,
        json!({"omschrijving": "Waar"}),
    );
    t.id(
        "POST",
        "/agendas/{id}/opgaven",
        &format!("/agendas/{a}/opgaven"),
        json!({"code": "1.2", "titel": "Tweede opgave"}),
    );
    let p = format!("/opgaven/{}", h.opgave);
    t.change(
        "PATCH",
        "/opgaven/{id}",
        &p,
        &p,
        json!({"omschrijving": "Waar"}),
    );
    t.id(
        "POST",
        "/opgaven/{id}/doelen",
        &format!("/opgaven/{}/doelen", h.opgave),
        json!({"code": "1.1.2", "titel": "Tweede doel"}),
    );
    let p = format!("/doelen/{}", h.doel);
    t.change(
        "PATCH",
        "/doelen/{id}",
        &p,
        &p,
        json!({"omschrijving": "Waar"}),
    );
    let nieuw = t.id(
        "POST",
        "/doelen/{id}/acties",
        &format!("/doelen/{}/acties", h.doel),
        json!({"omschrijving": "Actie onder het doel"}),
    );
    t.id(
        "POST",
        "/opgaven/{id}/acties",
        &format!("/opgaven/{}/acties", h.opgave),
        json!({"omschrijving": "Actie onder de opgave"}),
    );
    let actie = format!("/acties/{}", h.actie);
    t.change(
        "PATCH",
        "/acties/{id}",
        &actie,
        &actie,
        json!({"omschrijving": "Waar"}),
    );
    t.call(
        "POST",
        "/acties/{id}/statuswijzigingen",
        &format!("/acties/{nieuw}/statuswijzigingen"),
        None,
        Some(json!({"status": "lopend"})),
    );
    t.change(
        "PUT",
        "/acties/{id}/trekker",
        &format!("{actie}/trekker"),
        &actie,
        json!({"soort": "groep", "naam": "Werkgroep Waarheid"}),
    );
    t.id(
        "POST",
        "/acties/{id}/voortgangsberichten",
        &format!("{actie}/voortgangsberichten"),
        json!({"tekst": "Tweede bericht"}),
    );
    t.change(
        "PATCH",
        "/acties/{id}/voortgangsberichten/{berichtId}",
        &format!("{actie}/voortgangsberichten/{}", h.bericht),
        &actie,
        json!({"tekst": "Gecorrigeerd"}),
    );
    t.id(
        "POST",
        "/reflecties",
        "/reflecties",
        json!({"over": h.actie, "tekst": "Tweede reflectie"}),
    );
    let p = format!("/reflecties/{}", h.reflectie);
    t.change(
        "PATCH",
        "/reflecties/{id}",
        &p,
        &p,
        json!({"tekst": "Gecorrigeerd"}),
    );
    t.id(
        "POST",
        "/doelen/{id}/indicatoren",
        &format!("/doelen/{}/indicatoren", h.doel),
        json!({"naam": "Tweede indicator", "eenheid": "%", "richting": "hogerIsBeter"}),
    );
    let ind = format!("/indicatoren/{}", h.indicator);
    t.change(
        "PATCH",
        "/indicatoren/{id}",
        &ind,
        &ind,
        json!({"bron": "CBS"}),
    );
    t.id(
        "POST",
        "/indicatoren/{id}/metingen",
        &format!("{ind}/metingen"),
        json!({"periode": "2024-Q3", "waarde": 5, "status": "voorlopig"}),
    );
    t.id(
        "POST",
        "/opgaven/{id}/checkmomenten",
        &format!("/opgaven/{}/checkmomenten", h.opgave),
        json!({"datum": "2024-09-15", "onderwerp": "Tweede check"}),
    );
    t.id(
        "POST",
        "/agendas/{id}/checkmomenten",
        &format!("/agendas/{a}/checkmomenten"),
        json!({"datum": "2024-11-15", "onderwerp": "Jaarcheck"}),
    );
    let cm = format!("/checkmomenten/{}", h.checkmoment);
    t.change(
        "PATCH",
        "/checkmomenten/{id}",
        &cm,
        &cm,
        json!({"onderwerp": "Waar"}),
    );
    t.id(
        "POST",
        "/checkmomenten/{id}/bijsturingen",
        &format!("{cm}/bijsturingen"),
        json!({"besluit": "Tweede besluit", "onderbouwing": "Evaluatie", "datum": "2024-06-20"}),
    );
    t.change(
        "PATCH",
        "/checkmomenten/{id}/bijsturingen/{bijsturingId}",
        &format!("{cm}/bijsturingen/{}", h.bijsturing),
        &cm,
        json!({"doorgevoerd": true}),
    );
    let token = json!({"organisatieId": h.trekker, "rol": "lezer", "omschrijving": "waarheid"});
    t.id("POST", "/tokens", "/tokens", token.clone());
    let revoked = t.id("POST", "/tokens", "/tokens", token);
    t.call(
        "DELETE",
        "/tokens/{id}",
        &format!("/tokens/{revoked}"),
        None,
        None,
    );
    let import: Value =
        serde_json::from_str(include_str!("../../src/demo/twenterand-2024.json")).unwrap();
    t.call(
        "POST",
        "/agenda-imports",
        "/agenda-imports",
        None,
        Some(import),
    );
}

/// The hidden agenda's resource a path parameter names.
fn id_for(h: &Hidden, template: &str, param: &str, token: &str) -> String {
    let collection = template
        .split('/')
        .take_while(|s| *s != format!("{{{param}}}"))
        .last()
        .unwrap_or_default();
    match (param, collection) {
        ("bijsturingId", _) => h.bijsturing.clone(),
        ("berichtId", _) => h.bericht.clone(),
        ("metingId", _) => h.meting.clone(),
        (_, "agendas") => h.agenda.clone(),
        (_, "groeperingen") => h.groepering.clone(),
        (_, "opgaven") => h.opgave.clone(),
        (_, "doelen") => h.doel.clone(),
        (_, "acties") => h.actie.clone(),
        (_, "reflecties") => h.reflectie.clone(),
        (_, "indicatoren") => h.indicator.clone(),
        (_, "checkmomenten") => h.checkmoment.clone(),
        (_, "organisaties") => h.trekker.clone(),
        (_, "tokens") => token.to_owned(),
        _ => panic!("no id for {param} in {template}: add it here"),
    }
}

/// What a GET needs beyond its path to answer 200.
fn query_for(template: &str) -> &'static str {
    match template {
        "/agendas/{id}/voortgang" => "?sinds=2024-01-01",
        _ => "",
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
                &id_for(&h, &template, param, &token),
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

fn resolve<'a>(spec: &'a Value, mut s: &'a Value) -> &'a Value {
    while let Some(r) = s["$ref"].as_str() {
        s = &spec["components"]["schemas"][r.trim_start_matches("#/components/schemas/")];
    }
    s
}

/// Collects the values of `value` that lie outside an `enum` of `schema`.
fn enum_values(spec: &Value, schema: &Value, value: &Value, at: &str, wrong: &mut Vec<String>) {
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

/// Ids of the demo agenda's own resources, by collection.
fn demo_ids(t: &Truth) -> Vec<(&'static str, String)> {
    let first = |path: &str| -> Option<String> {
        t.read(path).body["resultaten"][0]["id"]
            .as_str()
            .map(str::to_owned)
    };
    let agenda = first("/agendas").expect("the demo agenda");
    let opgave = first(&format!("/agendas/{agenda}/opgaven?code=1.1")).expect("opgave 1.1");
    let doel = first(&format!("/opgaven/{opgave}/doelen")).expect("a doel of 1.1");
    let actie = first(&format!("/agendas/{agenda}/acties?opgave=1.1")).expect("an actie of 1.1");
    let mut ids = vec![
        ("agendas", agenda.clone()),
        ("opgaven", opgave),
        ("doelen", doel),
        ("acties", actie),
    ];
    if let Some(g) = first(&format!("/agendas/{agenda}/groeperingen")) {
        ids.push(("groeperingen", g));
    }
    if let Some(o) = first("/organisaties") {
        ids.push(("organisaties", o));
    }
    ids
}

/// `template` with the demo's id, when its only parameter is an `{id}` of
/// a collection the demo has.
fn on_demo(demo: &[(&str, String)], template: &str) -> Option<String> {
    let mut segments = template.trim_start_matches('/').split('/');
    let collection = segments.next()?;
    let params = template.matches('{').count();
    if params != 1 || segments.next() != Some("{id}") {
        return None;
    }
    let id = &demo.iter().find(|(c, _)| *c == collection)?.1;
    Some(template.replace("{id}", id))
}
