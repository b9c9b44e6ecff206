//! Shared helpers: spawn the real app on port 0 with a temporary sled store
//! (demo agenda loaded), send requests, and check that a refused request
//! appended nothing.
//!
//! Requests carry a token unless they bring their own `Authorization`:
//! the beheerder's for organisaties, tokens, new agendas and imports, the
//! programmamanager's (of every agenda) for everything else. After a new
//! agenda is created the programmamanager token is reissued to cover it.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, OnceLock};

use mag_tracker::access::bootstrap::{issue_as_system, NewToken};
use mag_tracker::access::Rol;
use mag_tracker::app::{load_demo, open_state, AppState, Application};
use mag_tracker::event_store::{EventStore, SledOptions, SledStore};
use serde_json::Value;

pub struct TestApp {
    pub base: String,
    pub store: Arc<SledStore>,
    pub state: AppState,
    /// A programmamanager token of Gemeente Twenterand for every agenda.
    pub pm: String,
    /// A beheerder token of Gemeente Twenterand.
    pub beheerder: String,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// The store's head position (the last event appended).
    pub fn head(&self) -> u64 {
        self.store.head()
    }

    /// Issues a token directly through the service (as the CLI does).
    pub fn token(&self, rol: Rol, organisatie: &str, agendas: Vec<uuid::Uuid>) -> String {
        issue(
            &self.state,
            rol,
            organisatie_id(&self.state, organisatie),
            agendas,
        )
    }
}

/// Issues a token on a runtime of its own (callable from any thread).
fn issue(
    state: &AppState,
    rol: Rol,
    organisatie_id: uuid::Uuid,
    agendas: Vec<uuid::Uuid>,
) -> String {
    issue_with(state.service.clone(), rol, organisatie_id, agendas)
}

fn issue_with(
    service: Arc<mag_tracker::service::Service>,
    rol: Rol,
    organisatie_id: uuid::Uuid,
    agendas: Vec<uuid::Uuid>,
) -> String {
    let new = NewToken {
        organisatie_id,
        rol,
        omschrijving: format!("test {}", rol.as_str()),
        agendas,
        verloop: None,
        gemeente: None,
    };
    std::thread::spawn(move || {
        actix_web::rt::System::new()
            .block_on(async move { issue_as_system(&service, "test", new).await })
    })
    .join()
    .unwrap()
    .unwrap()
    .secret
    .expose()
    .to_owned()
}

pub fn organisatie_id(state: &AppState, naam: &str) -> uuid::Uuid {
    let m = state.projection.read();
    m.organisaties
        .values()
        .find(|o| o.state.naam == naam)
        .map(|o| o.id)
        .unwrap_or_else(|| panic!("no organisatie {naam}"))
}

pub fn spawn() -> TestApp {
    spawn_with(|_| {})
}

/// Starts the app on the demo agenda; `tune` may adjust the state first.
pub fn spawn_with(tune: impl FnOnce(&mut AppState) + Send + 'static) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let store = Arc::new(SledStore::open(&path, SledOptions::default()).unwrap());
            let mut state = open_state(store.clone()).unwrap();
            tune(&mut state);
            load_demo(&state).await.unwrap();
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let app = Application::build(state.clone(), listener).unwrap();
            tx.send((app.port, store, state)).unwrap();
            let _ = app.server.await;
        })
    });
    let (port, store, state) = rx.recv().unwrap();
    let gemeente = organisatie_id(&state, "Gemeente Twenterand");
    let agendas = state.projection.read().agendas.keys().copied().collect();
    let pm = issue(&state, Rol::Programmamanager, gemeente, agendas);
    let beheerder = issue(&state, Rol::Beheerder, gemeente, vec![]);
    let base = format!("http://127.0.0.1:{port}/v1");
    register(&base, &state);
    TestApp {
        base,
        store,
        state,
        pm,
        beheerder,
        _dir: dir,
    }
}

/// A second server whose state is rebuilt from the same log, as at a
/// restart: reads from it must equal reads from `app`.
pub fn rebuilt(app: &TestApp) -> TestApp {
    let store = app.store.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let state = open_state(store).unwrap();
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let app = Application::build(state.clone(), listener).unwrap();
            tx.send((app.port, state)).unwrap();
            let _ = app.server.await;
        })
    });
    let (port, state) = rx.recv().unwrap();
    let base = format!("http://127.0.0.1:{port}/v1");
    register(&base, &state);
    TestApp {
        base,
        store: app.store.clone(),
        state,
        pm: app.pm.clone(),
        beheerder: app.beheerder.clone(),
        _dir: tempfile::tempdir().unwrap(),
    }
}

/// Every path reads the same on both servers.
pub fn same_after_rebuild(app: &TestApp, paths: &[String]) {
    let again = rebuilt(app);
    for p in paths {
        let (before, after) = (get(app, p), get(&again, p));
        assert_eq!(before.0, 200, "GET {p}");
        assert_eq!(before, after, "GET {p} after rebuilding from the log");
    }
}

/// A client that adds the test server's default token (`auth_for`) to
/// every request that brings no `Authorization` of its own.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .middleware(
            |mut req: ureq::http::Request<ureq::SendBody>,
             next: ureq::middleware::MiddlewareNext| {
                let (url, method) = (req.uri().to_string(), req.method().as_str().to_owned());
                if !req.headers().contains_key("authorization") {
                    if let Some(a) = auth_for(&url, &method) {
                        req.headers_mut()
                            .insert("authorization", a.parse().unwrap());
                    }
                }
                next.handle(req)
            },
        )
        .build()
        .into()
}

/// A client that sends exactly the headers it is given (anonymous by default).
pub fn plain_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

pub fn get(app: &TestApp, path: &str) -> (u16, Value) {
    let r = call(app, "GET", path, &[], None);
    (r.status, r.body)
}

/// The old helper: `(status, "content-type|etag", body)`.
pub fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, Value) {
    let r = call(app, method, path, headers, Some(body));
    (r.status, format!("{}|{}", r.content_type, r.etag), r.body)
}

/// A response with the headers the tests look at.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub etag: String,
    pub location: String,
    pub body: Value,
}

impl Resp {
    /// The `code` of a problem body.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    /// The names of the invalid params, in order.
    pub fn invalid(&self) -> Vec<String> {
        self.body["invalidParams"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("an id").to_owned()
    }
}

pub fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Resp {
    let url = format!("{}{path}", app.base);
    let a = agent();
    let own = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("authorization"));
    let auth = auth_for(&url, method);
    let mut with_token: Vec<(&str, &str)> = headers.to_vec();
    if let (false, Some(a)) = (own, &auth) {
        with_token.push(("Authorization", a));
    }
    let headers = &with_token[..];
    let result = match (method, body) {
        ("GET", _) => {
            let mut req = a.get(&url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.call()
        }
        ("DELETE", _) => {
            let mut req = a.delete(&url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.call()
        }
        (m, body) => {
            let mut req = match m {
                "POST" => a.post(&url),
                "PATCH" => a.patch(&url),
                "PUT" => a.put(&url),
                other => panic!("unsupported method {other}"),
            };
            // JSON unless the test sends its own Content-Type.
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                req = req.header("Content-Type", "application/json");
            }
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.send(body.unwrap_or(""))
        }
    };
    let mut r = result.unwrap();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (content_type, etag, location) =
        (header("content-type"), header("etag"), header("location"));
    let text = r.body_mut().read_to_string().unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    let status = r.status().as_u16();
    Resp {
        status,
        content_type,
        etag,
        location,
        body,
    }
}

pub fn post(app: &TestApp, path: &str, body: &Value) -> Resp {
    call(app, "POST", path, &[], Some(&body.to_string()))
}

/// PATCH with `If-Match` set to `etag`.
pub fn patch(app: &TestApp, path: &str, etag: &str, body: &Value) -> Resp {
    call(
        app,
        "PATCH",
        path,
        &[("If-Match", etag)],
        Some(&body.to_string()),
    )
}

/// A create that must succeed: 201, `Location`, `ETag`, and the created
/// resource readable at `Location` right away (read-your-writes).
pub fn created(app: &TestApp, path: &str, body: &Value) -> Resp {
    let r = post(app, path, body);
    assert_eq!(r.status, 201, "POST {path} {body}: {:?}", r.body);
    assert!(r.etag.starts_with('"'), "ETag on 201: {r:?}");
    assert!(r.location.starts_with("/v1/"), "Location on 201: {r:?}");
    let again = call(app, "GET", &r.location["/v1".len()..], &[], None);
    if again.status != 405 && again.status != 404 {
        assert_eq!(again.status, 200, "GET {}", r.location);
        assert_eq!(again.body, r.body, "read-your-writes at {}", r.location);
    }
    r
}

/// A request that must be refused with `status` as problem+json and append nothing.
pub fn refused(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    status: u16,
) -> Resp {
    // issue (or reissue) the default token first, so only the request counts
    auth_for(&format!("{}{path}", app.base), method);
    let before = app.head();
    let r = call(app, method, path, headers, Some(body));
    assert_eq!(r.status, status, "{method} {path} {body}: {:?}", r.body);
    assert!(
        r.content_type.starts_with("application/problem+json"),
        "problem+json: {r:?}"
    );
    assert_eq!(r.body["status"], status);
    assert!(r.body["title"].is_string() && r.body["detail"].is_string());
    assert_eq!(
        app.head(),
        before,
        "nothing appended by {method} {path} {body}"
    );
    r
}

pub fn agenda_id(app: &TestApp) -> String {
    get(app, "/agendas").1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The id of the demo opgave or doel with this code.
pub fn opgave(app: &TestApp, code: &str) -> String {
    let a = agenda_id(app);
    get(app, &format!("/agendas/{a}/opgaven?code={code}")).1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The first actie of the demo opgave with this code.
pub fn actie(app: &TestApp, opgave_code: &str) -> Value {
    let a = agenda_id(app);
    get(app, &format!("/agendas/{a}/acties?opgave={opgave_code}")).1["resultaten"][0].clone()
}

/// A response with every header (for the access tests).
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Any request with exactly this token (`None`: anonymous).
pub fn request(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let url = format!("{}{path}", app.base);
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    if let Some(a) = &auth {
        all.push(("Authorization", a));
    }
    let a = plain_agent();
    let r = match (method, body) {
        ("GET", _) => {
            let mut req = a.get(&url);
            for (k, v) in &all {
                req = req.header(*k, *v);
            }
            req.call()
        }
        ("DELETE", _) => {
            let mut req = a.delete(&url);
            for (k, v) in &all {
                req = req.header(*k, *v);
            }
            req.call()
        }
        (m, body) => {
            let mut req = match m {
                "POST" => a.post(&url),
                "PATCH" => a.patch(&url),
                _ => a.put(&url),
            }
            .header("Content-Type", "application/json");
            for (k, v) in &all {
                req = req.header(*k, *v);
            }
            req.send(body.unwrap_or("{}"))
        }
    };
    let mut r = r.unwrap();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    Reply {
        status: r.status().as_u16(),
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// Tokens for every test server in this binary, by base URL, so each
/// harness's request helper can add one line: `auth_for(&url, method)`.
struct Issued {
    /// Weak, so a stopped server's store can close (restart tests).
    service: std::sync::Weak<mag_tracker::service::Service>,
    projection: std::sync::Weak<mag_tracker::projections::Projection>,
    pm: Option<(String, usize)>,
    beheerder: Option<String>,
}

fn registry() -> &'static Mutex<HashMap<String, Issued>> {
    static R: OnceLock<Mutex<HashMap<String, Issued>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

/// Registers a test server and issues its default tokens now (so they do
/// not move the head in the middle of a test).
pub fn register(base: &str, state: &AppState) {
    registry().lock().unwrap_or_else(|p| p.into_inner()).insert(
        base.to_owned(),
        Issued {
            service: Arc::downgrade(&state.service),
            projection: Arc::downgrade(&state.projection),
            pm: None,
            beheerder: None,
        },
    );
    // an empty store stays empty until the first request
    if state.store.head() > 0 {
        for probe in ["/organisaties", "/acties"] {
            auth_for(&format!("{base}{probe}"), "POST");
        }
    }
}

/// The `Authorization` value a test request to `url` carries by default:
/// the beheerder's for organisaties, tokens, new agendas, imports and the
/// feed, otherwise a programmamanager's of every agenda (reissued when the
/// number of agendas changed).
pub fn auth_for(url: &str, method: &str) -> Option<String> {
    let mut reg = registry().lock().unwrap_or_else(|p| p.into_inner());
    let (base, issued) = reg.iter_mut().find(|(b, _)| url.starts_with(b.as_str()))?;
    let path = url[base.len()..].split('?').next().unwrap_or("");
    let beheer = path.starts_with("/gebeurtenissen")
        || path.starts_with("/tokens")
        || (method != "GET"
            && (path.starts_with("/organisaties")
                || path == "/agendas"
                || path.starts_with("/agenda-imports")));
    let (Some(service), Some(projection)) = (issued.service.upgrade(), issued.projection.upgrade())
    else {
        return None;
    };
    let no_agendas = projection.read().agendas.is_empty();
    let token = if beheer || no_agendas {
        issued
            .beheerder
            .get_or_insert_with(|| issue_any(&service, &projection, Rol::Beheerder, vec![]))
            .clone()
    } else {
        let agendas: Vec<uuid::Uuid> = projection.read().agendas.keys().copied().collect();
        match &issued.pm {
            Some((t, n)) if *n == agendas.len() => t.clone(),
            _ => {
                let n = agendas.len();
                let t = issue_any(&service, &projection, Rol::Programmamanager, agendas);
                issued.pm = Some((t.clone(), n));
                t
            }
        }
    };
    Some(format!("Bearer {token}"))
}

/// Issues a token for Gemeente Twenterand, or (on a store without it) for
/// an organisatie id of its own: straight through the service, as the
/// bootstrap does, without requiring the organisatie to exist.
fn issue_any(
    service: &Arc<mag_tracker::service::Service>,
    projection: &mag_tracker::projections::Projection,
    rol: Rol,
    agendas: Vec<uuid::Uuid>,
) -> String {
    // After a restart the log still holds the tokens issued before: reuse one.
    static ISSUED: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let reuse = {
        let m = projection.read();
        let issued = ISSUED.lock().unwrap_or_else(|p| p.into_inner());
        issued.iter().rev().find_map(|t| {
            let header = format!("Bearer {t}");
            let c =
                mag_tracker::access::authenticate(&m, Some(header.as_bytes()), chrono::Utc::now())
                    .ok()?;
            let tc = c.token()?;
            let mut have = tc.agendas.clone();
            let mut want = agendas.clone();
            have.sort();
            want.sort();
            (tc.rol == rol && have == want).then(|| t.clone())
        })
    };
    if let Some(t) = reuse {
        return t;
    }
    let t = issue_new(service, projection, rol, agendas);
    ISSUED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(t.clone());
    t
}

fn issue_new(
    service: &Arc<mag_tracker::service::Service>,
    projection: &mag_tracker::projections::Projection,
    rol: Rol,
    agendas: Vec<uuid::Uuid>,
) -> String {
    use mag_tracker::domain::token::{self, TokenAangemaakt};
    use mag_tracker::event_store::{Actor, ExpectedVersion, Metadata};
    use mag_tracker::service::{StreamEvents, WriteContext};
    let org = {
        let m = projection.read();
        m.organisaties
            .values()
            .find(|o| o.state.naam == "Gemeente Twenterand")
            .map(|o| o.id)
    };
    if let Some(org) = org {
        return issue_with(service.clone(), rol, org, agendas);
    }
    let issued = mag_tracker::access::secret::issue().unwrap();
    let event = TokenAangemaakt {
        organisatie_id: uuid::Uuid::now_v7(),
        rol,
        omschrijving: "test".into(),
        agendas,
        verloop_tijdstip: None,
        geheim_hash: issued.hash.clone(),
        gemeente: None,
    };
    let service = service.clone();
    let id = issued.id;
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let ctx = WriteContext {
                metadata: Metadata {
                    actor: Actor::system("test"),
                    ..Metadata::default()
                },
                ..WriteContext::default()
            };
            service
                .structural(ctx, |_| {
                    Ok(vec![StreamEvents {
                        stream_id: id,
                        expected: ExpectedVersion::NoStream,
                        events: token::create(event, chrono::Utc::now())?,
                    }])
                })
                .await
                .unwrap()
        })
    })
    .join()
    .unwrap();
    issued.secret.expose().to_owned()
}
