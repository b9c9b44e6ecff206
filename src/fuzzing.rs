//! Entry points for the cargo-fuzz targets in `tests/fuzz/` (not a public
//! API). Each function must never panic, whatever the input; the fuzz
//! targets call them with arbitrary bytes.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::{web, App};

use crate::app::{load_demo, open_state};
use crate::domain::Event;
use crate::event_store::MemoryStore;
use crate::import;
use crate::projections::ReadModel;

/// Decodes a stored event record (format byte + envelope JSON) and, if that
/// works, its domain event; an encode/decode round trip must be lossless.
pub fn stored_event(bytes: &[u8]) {
    if let Ok(record) = crate::event_store::decode_stored(bytes) {
        let again = crate::event_store::decode_stored(&crate::event_store::encode_stored(&record))
            .expect("an encoded envelope decodes");
        assert_eq!(
            again, record,
            "encode/decode round trip changed the envelope"
        );
        let _ = Event::decode(&record.event_type, record.schema_version, &record.data);
    }
}

/// Parses an agenda import file and plans it against an empty model.
pub fn import_file(text: &str) {
    if let Ok(file) = import::parse(text) {
        let _ = import::plan(&file, &ReadModel::default());
    }
}

type Call = Box<dyn Fn(String) -> Pin<Box<dyn Future<Output = (u16, String)>>>>;

/// The whole app on an in-memory store with the demo agenda, for fuzzing
/// query strings: every answer must be < 500, and every 4xx problem+json.
pub struct QueryHarness {
    runner: actix_web::rt::SystemRunner,
    call: Call,
    /// Collection paths (with real ids) the fuzzer's query strings go to.
    pub paths: Vec<String>,
}

impl Default for QueryHarness {
    fn default() -> Self {
        Self::new()
    }
}

impl QueryHarness {
    pub fn new() -> Self {
        let runner = actix_web::rt::System::new();
        let (call, paths) = runner.block_on(async {
            let state = open_state(Arc::new(MemoryStore::new())).expect("empty store opens");
            load_demo(&state).await.expect("the demo agenda loads");
            let (agenda, opgave, doel, actie) = {
                let m = state.projection.read();
                let agenda = *m.agendas.keys().next().expect("demo agenda");
                let opgave = *m.opgaven.keys().next().expect("demo opgave");
                let doel = *m.doelen.keys().next().expect("demo doel");
                let actie = *m.acties.keys().next().expect("demo actie");
                (agenda, opgave, doel, actie)
            };
            let paths = vec![
                "/v1/agendas".to_owned(),
                format!("/v1/agendas/{agenda}/acties"),
                format!("/v1/agendas/{agenda}/opgaven"),
                format!("/v1/agendas/{agenda}/groeperingen"),
                "/v1/organisaties".to_owned(),
                format!("/v1/opgaven/{opgave}/doelen"),
                format!("/v1/doelen/{doel}/acties"),
                format!("/v1/acties/{actie}/voortgangsberichten"),
                format!("/v1/acties/{actie}/statuswijzigingen"),
                format!("/v1/opgaven/{opgave}"),
                // Resources and reports with their own parameters (dates,
                // positions, cursors); appended so the committed corpus keeps
                // its path indices.
                format!("/v1/agendas/{agenda}"),
                format!("/v1/opgaven/{opgave}/pdca"),
                format!("/v1/agendas/{agenda}/overzicht"),
                format!("/v1/agendas/{agenda}/voortgang"),
                format!("/v1/agendas/{agenda}/wijzigingen"),
                "/v1/gebeurtenissen".to_owned(),
                format!("/v1/acties/{actie}"),
                format!("/v1/acties/{actie}/audittrail"),
                format!("/v1/agendas/{agenda}/export"),
                "/v1/reflecties".to_owned(),
            ];
            let app = actix_web::test::init_service(
                App::new()
                    .app_data(web::Data::new(state))
                    .wrap(crate::http::error_bodies())
                    .wrap(crate::http::default_headers())
                    .configure(crate::http::configure),
            )
            .await;
            let app = Rc::new(app);
            let call: Call = Box::new(move |uri: String| {
                let app = app.clone();
                Box::pin(async move {
                    let req = actix_web::test::TestRequest::get().uri(&uri).to_request();
                    let res = actix_web::test::call_service(&*app, req).await;
                    let ct = res
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    (res.status().as_u16(), ct)
                })
            });
            (call, paths)
        });
        Self {
            runner,
            call,
            paths,
        }
    }

    /// GETs `path?query`, the query percent-encoded from arbitrary bytes
    /// except `&` and `=`, and checks the answer. A handler that panics
    /// fails with its own message: a real server drops that connection
    /// (and logs a backtrace), so a panic is a finding like a 5xx.
    pub fn get(&self, path: usize, query: &[u8]) {
        let path = &self.paths[path % self.paths.len()];
        let mut q = String::with_capacity(query.len() * 3);
        for &b in query {
            if b.is_ascii_alphanumeric() || matches!(b, b'&' | b'=' | b'-' | b'_' | b'.' | b'~') {
                q.push(b as char);
            } else {
                q.push_str(&format!("%{b:02X}"));
            }
        }
        let uri = format!("{path}?{q}");
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.runner.block_on((self.call)(uri.clone()))
        }));
        let (status, content_type) = match answer {
            Ok(answer) => answer,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                panic!("GET {uri} panicked (a real server drops the connection): {message}")
            }
        };
        assert!(status < 500, "GET {path}?{q} answered {status}");
        if status >= 400 {
            assert!(
                content_type.starts_with("application/problem+json"),
                "GET {path}?{q} answered {status} as {content_type}"
            );
        }
    }
}
