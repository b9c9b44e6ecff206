//! Shared helpers: spawn the real app on port 0 with a temporary sled store
//! (demo agenda loaded), send requests, and check that a refused request
//! appended nothing.

use std::net::TcpListener;
use std::sync::Arc;

use mag_tracker::app::{load_demo, open_state, Application};
use mag_tracker::event_store::{EventStore, SledOptions, SledStore};
use serde_json::Value;

pub struct TestApp {
    pub base: String,
    pub store: Arc<SledStore>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// The store's head position (the last event appended).
    pub fn head(&self) -> u64 {
        self.store.head()
    }
}

pub fn spawn() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let store = Arc::new(SledStore::open(&path, SledOptions::default()).unwrap());
            let state = open_state(store.clone()).unwrap();
            load_demo(&state).await.unwrap();
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let app = Application::build(state, listener).unwrap();
            tx.send((app.port, store)).unwrap();
            let _ = app.server.await;
        })
    });
    let (port, store) = rx.recv().unwrap();
    TestApp {
        base: format!("http://127.0.0.1:{port}/v1"),
        store,
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
            let app = Application::build(state, listener).unwrap();
            tx.send(app.port).unwrap();
            let _ = app.server.await;
        })
    });
    let port = rx.recv().unwrap();
    TestApp {
        base: format!("http://127.0.0.1:{port}/v1"),
        store: app.store.clone(),
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

pub fn agent() -> ureq::Agent {
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
    let result = match (method, body) {
        ("GET", _) => {
            let mut req = a.get(&url);
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
            }
            .header("Content-Type", "application/json");
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
    Resp {
        status: r.status().as_u16(),
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
