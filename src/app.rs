//! Wiring: opens the store, rebuilds state, and runs the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::{dev::Server, web, App, HttpServer};
use anyhow::Context;

use crate::cli::ServeArgs;
use crate::event_store::{EventStore, SledOptions, SledStore, StoreError};

/// Everything a request handler may use.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn EventStore>,
}

/// A running server bound to an address (port 0 in tests).
pub struct Application {
    pub server: Server,
    pub port: u16,
}

impl Application {
    pub fn build(state: AppState, listener: TcpListener) -> std::io::Result<Self> {
        let port = listener.local_addr()?.port();
        let data = web::Data::new(state);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .wrap(crate::http::error_bodies())
                .wrap(crate::http::default_headers())
                .wrap(tracing_actix_span())
                .configure(crate::http::configure)
        })
        .listen(listener)?
        .shutdown_timeout(5)
        .run();
        Ok(Self { server, port })
    }
}

fn tracing_actix_span() -> actix_web::middleware::Logger {
    actix_web::middleware::Logger::new("%r %s %Dms").log_target("mag_tracker::http")
}

/// Opens the store and brings every projection up to date, reporting what it did.
pub fn open_state(store: Arc<dyn EventStore>) -> anyhow::Result<AppState> {
    let started = Instant::now();
    let mut count = 0u64;
    store
        .scan(0, store.head(), &mut |_| {
            count += 1;
            std::ops::ControlFlow::Continue(())
        })
        .context("the event log failed its startup check")?;
    tracing::info!(
        events = count,
        millis = started.elapsed().as_millis() as u64,
        "replayed the event log (positions gap-free)"
    );
    Ok(AppState { store })
}

pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let options = SledOptions {
        durability: args.durability,
        ..SledOptions::default()
    };
    let store = match SledStore::open(&args.data_dir, options) {
        Ok(s) => s,
        Err(e @ StoreError::Locked { .. }) => anyhow::bail!("{e}"),
        Err(e) => {
            return Err(e).context(format!(
                "cannot open the store in {}",
                args.data_dir.display()
            ))
        }
    };
    tracing::info!(data_dir = %args.data_dir.display(), durability = ?args.durability, "store opened");
    let state = open_state(Arc::new(store))?;
    let listener = TcpListener::bind(&args.bind)
        .with_context(|| format!("cannot listen on {} (is the port in use?)", args.bind))?;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(state, listener)?;
        tracing::info!(
            "listening on http://{}/v1 (Swagger UI: /v1/docs/)",
            args.bind
        );
        app.server.await
    })?;
    Ok(())
}
