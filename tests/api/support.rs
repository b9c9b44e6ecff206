//! Shared helpers: spawn the real app on port 0 with a temporary sled store
//! (demo agenda loaded), send requests, and check that a refused request
//! appended nothing.
//!
//! Every request says who sends it; no helper picks a token for it:
//!
//! - `app.als_pm()`: the programmamanager of Gemeente Twenterand, with the
//!   token issued at spawn (`app.pm`, which lists the agendas there were
//!   then: the demo agenda);
//! - `app.als_beheerder()`: the beheerder (`app.beheerder`), for
//!   organisaties, tokens, the feed, new agendas and imports;
//! - `app.als(&token)`: any other token, e.g. `app.token(rol, organisatie,
//!   agendas)`, or `app.pm_token_for_every_agenda()` after a test made an
//!   agenda of its own (the spawn-time `pm` does not list it);
//! - `app.anoniem()`: no token.
//!
//! Each returns a [`Caller`] with `get`, `send`, `call`, `post`, `patch`,
//! `created` (a 201 readable at its `Location` by the same caller) and
//! `refused` (a problem+json that appended nothing), and `agent()`/`url()`
//! for raw ureq requests with the caller's token. `request(..)` sends any
//! request with an explicit `Option<&str>` token and returns every header.
//! `agenda_id`, `opgave` and `actie` look up the demo agenda as `pm`.

use std::net::TcpListener;
use std::sync::Arc;

use mag_tracker::access::bootstrap::{issue_as_system, NewToken};
use mag_tracker::access::Rol;
use mag_tracker::app::{load_demo, open_state, AppState, Application};
use mag_tracker::event_store::{EventStore, PgOptions, PgStore, SledOptions, SledStore};
use serde_json::Value;

pub use crate::caller::Caller;

pub struct TestApp {
    pub base: String,
    pub store: Arc<dyn EventStore>,
    pub state: AppState,
    /// A programmamanager token of Gemeente Twenterand for every agenda.
    pub pm: String,
    /// A beheerder token of Gemeente Twenterand.
    pub beheerder: String,
    _dir: tempfile::TempDir,
    _db: Option<Arc<crate::support_pg::TestDb>>,
}

/// `MAG_API_ON_POSTGRES=1`: the app's store is a [`PgStore`] on a fresh
/// database (of `MAG_TEST_DATABASE_URL`'s server, or a throw-away cluster)
/// instead of sled; scripts/test runs a storage-heavy subset so.
fn on_postgres() -> bool {
    std::env::var("MAG_API_ON_POSTGRES").is_ok_and(|v| v == "1")
}

/// The store a test app runs on: sled in `path`, or PostgreSQL (above).
fn test_store(
    path: &std::path::Path,
) -> (Arc<dyn EventStore>, Option<Arc<crate::support_pg::TestDb>>) {
    if on_postgres() {
        let db = crate::support_pg::database("api test")
            .expect("MAG_API_ON_POSTGRES=1 needs PostgreSQL");
        let store = PgStore::open(&db.url, PgOptions::default()).unwrap();
        return (Arc::new(store), Some(Arc::new(db)));
    }
    (
        Arc::new(SledStore::open(path, SledOptions::default()).unwrap()),
        None,
    )
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

impl TestApp {
    /// Requests with this token.
    pub fn als<'a>(&'a self, token: &'a str) -> Caller<'a> {
        Caller::new(&self.base, self.store.as_ref(), Some(token))
    }

    /// Requests with the programmamanager token issued at spawn (it lists
    /// the agendas there were then: the demo agenda).
    pub fn als_pm(&self) -> Caller<'_> {
        self.als(&self.pm)
    }

    /// Requests with the beheerder token.
    pub fn als_beheerder(&self) -> Caller<'_> {
        self.als(&self.beheerder)
    }

    /// Requests without a token.
    pub fn anoniem(&self) -> Caller<'_> {
        Caller::new(&self.base, self.store.as_ref(), None)
    }

    /// A token for an organisatie id of its own (no organisatie is
    /// registered), appended straight through the service: for a store
    /// without organisaties, such as an import's target.
    pub fn token_on_empty_store(&self, rol: Rol) -> String {
        issue_new(&self.state.service, &self.state.projection, rol, vec![])
    }

    /// A new programmamanager token of Gemeente Twenterand that lists every
    /// agenda there is now (`pm` lists only the agendas of spawn time).
    pub fn pm_token_for_every_agenda(&self) -> String {
        let agendas = self
            .state
            .projection
            .read()
            .agendas
            .keys()
            .copied()
            .collect();
        self.token(Rol::Programmamanager, "Gemeente Twenterand", agendas)
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

pub fn issue_with(
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
    spawn_on(true, tune)
}

/// Starts the app, on the demo agenda or on an empty store; `tune` may
/// adjust the state first. On an empty store `pm` and `beheerder` are empty
/// (there is no organisatie to issue them for: see
/// [`TestApp::token_on_empty_store`]).
pub fn spawn_on(demo: bool, tune: impl FnOnce(&mut AppState) + Send + 'static) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let (store, db) = test_store(&path);
            let mut state = open_state(store.clone()).unwrap();
            tune(&mut state);
            if demo {
                load_demo(&state).await.unwrap();
            }
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let app = Application::build(state.clone(), listener).unwrap();
            tx.send((app.port, store, state, db)).unwrap();
            let _ = app.server.await;
        })
    });
    let (port, store, state, db) = rx.recv().unwrap();
    let (pm, beheerder) = if demo {
        let gemeente = organisatie_id(&state, "Gemeente Twenterand");
        let agendas = state.projection.read().agendas.keys().copied().collect();
        let pm = issue(&state, Rol::Programmamanager, gemeente, agendas);
        let beheerder = issue(&state, Rol::Beheerder, gemeente, vec![]);
        (pm, beheerder)
    } else {
        (String::new(), String::new())
    };
    let base = format!("http://127.0.0.1:{port}/v1");
    TestApp {
        base,
        store,
        state,
        pm,
        beheerder,
        _dir: dir,
        _db: db,
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
    TestApp {
        base,
        store: app.store.clone(),
        state,
        pm: app.pm.clone(),
        beheerder: app.beheerder.clone(),
        _dir: tempfile::tempdir().unwrap(),
        _db: app._db.clone(),
    }
}

/// Every path reads the same on both servers, read with `token`.
pub fn same_after_rebuild(app: &TestApp, token: &str, paths: &[String]) {
    let again = rebuilt(app);
    for p in paths {
        let (before, after) = (app.als(token).get(p), again.als(token).get(p));
        assert_eq!(before.0, 200, "GET {p}");
        assert_eq!(before, after, "GET {p} after rebuilding from the log");
    }
}

/// A client that sends exactly the headers it is given (anonymous by default).
pub fn plain_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
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

/// The id of the demo agenda (the first agenda `pm` sees).
pub fn agenda_id(app: &TestApp) -> String {
    app.als_pm().get("/agendas").1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The id of the demo opgave or doel with this code (read as `pm`).
pub fn opgave(app: &TestApp, code: &str) -> String {
    let a = agenda_id(app);
    app.als_pm()
        .get(&format!("/agendas/{a}/opgaven?code={code}"))
        .1["resultaten"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The first actie of the demo opgave with this code (read as `pm`).
pub fn actie(app: &TestApp, opgave_code: &str) -> Value {
    let a = agenda_id(app);
    app.als_pm()
        .get(&format!("/agendas/{a}/acties?opgave={opgave_code}"))
        .1["resultaten"][0]
        .clone()
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
