//! A small HTTP client for the PDCA tests (any method, headers, the
//! response's ETag and Location), and an app that can be stopped and
//! reopened on the same store directory.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

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

pub fn call(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let agent = crate::support::agent();
    let url = format!("{base}{path}");
    let auth = crate::support::auth_for(&url, method);
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
    handle: actix_web::dev::ServerHandle,
    thread: std::thread::JoinHandle<()>,
}

pub fn start(path: PathBuf, demo: bool) -> Running {
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
    crate::support::register(&base, &state);
    Running {
        base,
        handle,
        thread,
    }
}

impl Running {
    pub fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        call(&self.base, method, path, headers, body)
    }

    pub fn get(&self, path: &str) -> Resp {
        let r = self.call("GET", path, &[], "");
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        r
    }

    /// Stops the server and waits until the store is closed.
    pub fn stop(self) {
        actix_web::rt::System::new().block_on(self.handle.stop(true));
        self.thread.join().unwrap();
    }

    pub fn head(&self) -> u64 {
        // The weak ETag of any collection carries the global position.
        let etag = self.get("/agendas").etag;
        etag.trim_start_matches("W/")
            .trim_matches('"')
            .parse()
            .unwrap()
    }

    pub fn agenda_id(&self) -> String {
        self.get("/agendas").body["resultaten"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn opgave_id(&self, agenda: &str, code: &str) -> String {
        self.get(&format!("/agendas/{agenda}/opgaven?code={code}"))
            .body["resultaten"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}
