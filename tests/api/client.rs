//! A small HTTP client for the PDCA tests (any method, headers, the
//! response's ETag and Location), and an app that can be stopped and
//! reopened on the same store directory.
//!
//! Every request names its token: `app.als_pm()`, `app.als_beheerder()` or
//! `app.als(&token)` (e.g. `app.pm_token_for_every_agenda()` after a test
//! made an agenda of its own) give a [`Caller`] with `call` and `get`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Weak};

use mag_tracker::access::Rol;
use mag_tracker::projections::Projection;
use mag_tracker::service::Service;
use uuid::Uuid;

use mag_tracker::app::{load_demo, open_state, Application};
use mag_tracker::event_store::{SledOptions, SledStore};
use serde_json::Value;

pub struct Resp {
    pub status: u16,
    pub etag: String,
    pub location: String,
    pub content_type: String,
    pub body: Value,
}

/// A request with exactly this token (`None`: anonymous).
pub fn call(
    base: &str,
    token: Option<&str>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Resp {
    let agent = crate::support::plain_agent();
    let url = format!("{base}{path}");
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    if let Some(a) = &auth {
        all.push(("Authorization", a));
    }
    let headers = &all[..];
    let mut r = if method == "GET" {
        let mut req = agent.get(&url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.call().unwrap()
    } else {
        let mut req = match method {
            "POST" => agent.post(&url),
            "PATCH" => agent.patch(&url),
            _ => agent.put(&url),
        }
        .header("Content-Type", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send(body).unwrap()
    };
    let header = |name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (etag, location, content_type) =
        (header("etag"), header("location"), header("content-type"));
    let text = r.body_mut().read_to_string().unwrap();
    Resp {
        status: r.status().as_u16(),
        etag,
        location,
        content_type,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// A running app on a given store directory.
pub struct Running {
    pub base: String,
    /// A programmamanager token of Gemeente Twenterand for the agendas there
    /// were at the first start (the demo agenda).
    pub pm: String,
    /// A beheerder token of Gemeente Twenterand.
    pub beheerder: String,
    service: Weak<Service>,
    projection: Weak<Projection>,
    handle: actix_web::dev::ServerHandle,
    thread: std::thread::JoinHandle<()>,
}

/// Starts the app on a new store directory with the demo agenda, and issues
/// its `pm` and `beheerder` tokens.
pub fn start(path: PathBuf) -> Running {
    let mut app = run(path, true);
    let gemeente = app.gemeente();
    let agendas = app.projection().read().agendas.keys().copied().collect();
    app.beheerder = app.issue(Rol::Beheerder, gemeente, vec![]);
    app.pm = app.issue(Rol::Programmamanager, gemeente, agendas);
    app
}

/// Starts the app again on a directory a stopped app used, with the tokens
/// issued then (they are in the log).
pub fn reopen(path: PathBuf, pm: &str, beheerder: &str) -> Running {
    let mut app = run(path, false);
    app.pm = pm.to_owned();
    app.beheerder = beheerder.to_owned();
    app
}

fn run(path: PathBuf, demo: bool) -> Running {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            // The previous app closed its store explicitly, so the directory is free.
            let store = Arc::new(SledStore::open(&path, SledOptions::default()).unwrap());
            let store_for_close = store.clone();
            let state = open_state(store).unwrap();
            if demo {
                load_demo(&state).await.unwrap();
            }
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let app = Application::build(state.clone(), listener).unwrap();
            tx.send((app.port, app.server.handle(), state)).unwrap();
            let _ = app.server.await;
            // Release the directory before `stop` returns, whatever worker
            // threads still hold the state.
            store_for_close.close();
        })
    });
    let (port, handle, state) = rx.recv().unwrap();
    let base = format!("http://127.0.0.1:{port}/v1");
    Running {
        base,
        pm: String::new(),
        beheerder: String::new(),
        service: Arc::downgrade(&state.service),
        projection: Arc::downgrade(&state.projection),
        handle,
        thread,
    }
}

/// Who sends a request to a [`Running`] app: exactly this token, or none.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    base: &'a str,
    token: Option<&'a str>,
}

impl Caller<'_> {
    pub fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        call(self.base, self.token, method, path, headers, body)
    }

    /// A GET that must answer 200.
    pub fn get(&self, path: &str) -> Resp {
        let r = self.call("GET", path, &[], "");
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        r
    }
}

impl Running {
    /// Requests with this token.
    pub fn als<'a>(&'a self, token: &'a str) -> Caller<'a> {
        Caller {
            base: &self.base,
            token: Some(token),
        }
    }

    /// Requests with the programmamanager token of the first start.
    pub fn als_pm(&self) -> Caller<'_> {
        self.als(&self.pm)
    }

    /// Requests with the beheerder token.
    pub fn als_beheerder(&self) -> Caller<'_> {
        self.als(&self.beheerder)
    }

    /// A new programmamanager token of Gemeente Twenterand that lists every
    /// agenda there is now (`pm` lists the agendas of the first start).
    pub fn pm_token_for_every_agenda(&self) -> String {
        let gemeente = self.gemeente();
        let agendas = self.projection().read().agendas.keys().copied().collect();
        self.issue(Rol::Programmamanager, gemeente, agendas)
    }

    fn projection(&self) -> Arc<Projection> {
        self.projection.upgrade().expect("a running app")
    }

    fn gemeente(&self) -> Uuid {
        let projection = self.projection();
        let m = projection.read();
        m.organisaties
            .values()
            .find(|o| o.state.naam == "Gemeente Twenterand")
            .map(|o| o.id)
            .expect("Gemeente Twenterand")
    }

    fn issue(&self, rol: Rol, organisatie: Uuid, agendas: Vec<Uuid>) -> String {
        let service = self.service.upgrade().expect("a running app");
        crate::support::issue_with(service, rol, organisatie, agendas)
    }

    /// Stops the server and waits until the store is closed.
    pub fn stop(self) {
        actix_web::rt::System::new().block_on(self.handle.stop(true));
        self.thread.join().unwrap();
    }

    /// The store's head position, read as the programmamanager.
    pub fn head(&self) -> u64 {
        // The weak ETag of any collection carries the global position.
        let etag = self.als_pm().get("/agendas").etag;
        etag.trim_start_matches("W/")
            .trim_matches('"')
            .parse()
            .unwrap()
    }

    /// The first agenda the programmamanager sees (the demo agenda).
    pub fn agenda_id(&self) -> String {
        self.als_pm().get("/agendas").body["resultaten"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The id of an opgave, read as the programmamanager.
    pub fn opgave_id(&self, agenda: &str, code: &str) -> String {
        self.als_pm()
            .get(&format!("/agendas/{agenda}/opgaven?code={code}"))
            .body["resultaten"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}
