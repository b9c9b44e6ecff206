//! Hardening: body and depth limits, security headers, rate limit, and no
//! token in any log line.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use super::support::*;
use mag_tracker::access::rate::RateLimit;
use mag_tracker::access::AccessState;
use serde_json::json;

#[test]
fn large_bodies_are_413_and_deep_json_is_400_for_any_content_type() {
    let app = spawn();
    let head = app.head();
    let big = format!(
        r#"{{"naam":"{}","soort":"welzijn"}}"#,
        "x".repeat(300 * 1024)
    );
    let r = request(
        &app,
        "POST",
        "/organisaties",
        Some(&app.beheerder),
        &[],
        Some(&big),
    );
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (413, Some("payload-too-large"))
    );
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/problem+json"));
    let r = request(
        &app,
        "POST",
        "/organisaties",
        Some(&app.beheerder),
        &[("Content-Type", "text/plain")],
        Some(&big),
    );
    assert_eq!(r.status, 413, "also for other content types");
    let deep = format!("{}1{}", "[".repeat(40), "]".repeat(40));
    let r = request(
        &app,
        "POST",
        "/organisaties",
        Some(&app.beheerder),
        &[],
        Some(&deep),
    );
    assert_eq!(
        (r.status, r.body["invalidParams"][0]["code"].as_str()),
        (400, Some("json-too-deep"))
    );
    assert_eq!(app.head(), head);
}

#[test]
fn security_headers_and_a_working_swagger_ui_under_a_strict_csp() {
    let app = spawn();
    let r = request(&app, "GET", "/agendas", None, &[], None);
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert!(r
        .header("content-security-policy")
        .unwrap()
        .starts_with("default-src 'none'"));
    assert_eq!(
        r.header("cache-control"),
        Some("no-cache"),
        "public reads may be cached, but are revalidated before each use"
    );
    let r = request(&app, "GET", "/agendas", Some(&app.pm), &[], None);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let r = request(&app, "GET", "/nergens", Some(&app.pm), &[], None);
    assert_eq!(
        (r.status, r.header("cache-control")),
        (404, Some("no-store"))
    );

    // Swagger UI: the page has a strict CSP, no inline script, and its assets load.
    let pm = app.als_pm();
    let mut page = pm.agent().get(pm.url("/docs/")).call().unwrap();
    let csp = page
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'")
            && !csp.contains("unsafe-eval")
            && csp.contains("frame-ancestors 'none'")
    );
    let html = page.body_mut().read_to_string().unwrap();
    let mut scripts = 0;
    for tag in html.split("<script").skip(1) {
        let open = &tag[..tag.find('>').unwrap()];
        assert!(open.contains("src="), "inline script in Swagger UI: {open}");
        let src = open
            .split("src=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let url = format!("{}/docs/{}", app.base, src.trim_start_matches("./"));
        assert_eq!(
            pm.agent().get(&url).call().unwrap().status().as_u16(),
            200,
            "{url}"
        );
        scripts += 1;
    }
    assert!(scripts >= 2);
}

#[test]
fn a_caller_over_the_rate_limit_gets_429_with_retry_after() {
    let app = spawn_with(|s| {
        s.access = Arc::new(AccessState {
            rate: RateLimit::new(1, 3),
            ..AccessState::default()
        })
    });
    let statuses: Vec<u16> = (0..6)
        .map(|_| request(&app, "GET", "/agendas", Some(&app.pm), &[], None).status)
        .collect();
    assert_eq!(&statuses[..3], &[200, 200, 200]);
    let r = request(&app, "GET", "/agendas", Some(&app.pm), &[], None);
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (429, Some("rate-limited"))
    );
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait));
    // another token has its own budget
    assert_eq!(
        request(&app, "GET", "/agendas", Some(&app.beheerder), &[], None).status,
        200
    );
    // guessing tokens counts against the address: 401s, then 429
    let forged = format!("mag_{}_{}", &app.pm[4..36], "0".repeat(64));
    let statuses: Vec<u16> = (0..5)
        .map(|_| request(&app, "GET", "/agendas", Some(&forged), &[], None).status)
        .collect();
    assert_eq!(&statuses[..3], &[401, 401, 401]);
    assert_eq!(statuses[4], 429);
}

/// Everything any test logs (the subscriber is global to this test binary).
fn captured() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = buf.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            // the server's own writer: every line redacted (src/telemetry.rs)
            .with_writer(mag_tracker::telemetry::Redacting::new(move || {
                Capture(writer.clone())
            }))
            .try_init()
            .expect("the log capture is the only subscriber in this binary");
        buf
    })
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_token_appears_in_any_log_line() {
    let log = captured();
    let app = spawn();
    let taalpunt = organisatie_id(&app.state, "Taalpunt").to_string();
    let body =
        json!({"organisatieId": taalpunt, "rol": "partner", "omschrijving": "log"}).to_string();
    let created = request(
        &app,
        "POST",
        "/tokens",
        Some(&app.beheerder),
        &[],
        Some(&body),
    );
    let partner = created.body["token"].as_str().unwrap().to_owned();
    let id = created.body["id"].as_str().unwrap().to_owned();
    let a = agenda_id(&app);
    for token in [&app.pm, &app.beheerder, &partner] {
        request(
            &app,
            "GET",
            &format!("/agendas/{a}"),
            Some(token),
            &[],
            None,
        );
        request(
            &app,
            "POST",
            "/organisaties",
            Some(token),
            &[],
            Some("{broken"),
        );
        request(&app, "GET", "/tokens", Some(token), &[], None);
    }
    request(
        &app,
        "DELETE",
        &format!("/tokens/{id}"),
        Some(&app.beheerder),
        &[],
        None,
    );
    // in the query string and the path (refused, but logged by the request log)
    for token in [&app.pm, &partner] {
        for path in [
            format!("/agendas?access_token={token}"),
            format!("/agendas?token={token}"),
            format!("/agendas/{token}"),
        ] {
            request(&app, "GET", &path, None, &[], None);
        }
    }
    request(&app, "GET", "/agendas", Some(&partner), &[], None); // revoked
    request(
        &app,
        "GET",
        "/agendas",
        Some(&format!("{partner}x")),
        &[],
        None,
    ); // malformed
    let text = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("/v1/tokens"),
        "the capture sees the request log"
    );
    for secret in [&app.pm, &app.beheerder, &partner] {
        assert!(!text.contains(&secret[37..]), "a token secret was logged");
    }
    // nor any token of any other test running in this binary
    let leaked = text
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|w| w.starts_with("mag_") && w.len() >= 100);
    assert!(!leaked, "a token-shaped string was logged");
}
