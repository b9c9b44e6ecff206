//! Hidden helpers for `scripts/bench` (the HTTP and system benchmarks):
//! the raw sled group-commit ceiling, a generator of realistic bench data,
//! a timed rebuild of the projections, and a hello-world endpoint that the
//! server mounts only when started with `serve --bench-endpoints`.
//!
//! None of this is part of the API or its OpenAPI document; each subcommand
//! prints one JSON line that the script reads.

mod data;
mod raw;

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use actix_web::{web, HttpResponse};
use anyhow::Context;

use crate::event_store::{EventStore, SledOptions, SledStore};
use crate::projections::ReadModel;

pub use data::DataArgs;
pub use raw::RawArgs;

/// Set by `serve --bench-endpoints` before the server is built.
static ENDPOINTS: AtomicBool = AtomicBool::new(false);

/// Mounts `GET /bench/hello` on every server built afterwards in this process.
pub fn enable_endpoints() {
    ENDPOINTS.store(true, Ordering::Relaxed);
}

/// Registers the bench endpoints when enabled (a no-op otherwise). They are
/// served by the same app, behind the same middleware, as the API.
pub fn configure(cfg: &mut web::ServiceConfig) {
    if ENDPOINTS.load(Ordering::Relaxed) {
        cfg.route("/bench/hello", web::get().to(hello));
    }
}

/// actix's hello world, as JSON: the ceiling for a GET on this server.
async fn hello() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "message": "Hello, world!" }))
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Directory holding the event store (the server must be stopped).
    #[arg(long)]
    pub data_dir: PathBuf,
}

/// Times a rebuild of every projection from the log (what startup does),
/// then a scan that only reads and decodes envelopes, to split the time.
pub fn run_replay(args: ReplayArgs) -> anyhow::Result<()> {
    let store = SledStore::open(&args.data_dir, SledOptions::default())
        .with_context(|| format!("cannot open the store in {}", args.data_dir.display()))?;
    let head = store.head();
    let started = Instant::now();
    let model = ReadModel::replay(&store, head).map_err(|e| anyhow::anyhow!(e))?;
    let replay_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut scanned = 0u64;
    store.scan(0, head, &mut |e| {
        scanned += 1;
        std::hint::black_box(e);
        ControlFlow::Continue(())
    })?;
    let scan_s = started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "events": model.position,
            "replaySeconds": replay_s,
            "eventsPerSecond": model.position as f64 / replay_s.max(1e-9),
            "scanSeconds": scan_s,
            "scanEventsPerSecond": scanned as f64 / scan_s.max(1e-9),
            "acties": model.acties.len(),
            "opgaven": model.opgaven.len(),
        })
    );
    Ok(())
}

pub fn run_raw(args: RawArgs) -> anyhow::Result<()> {
    raw::run(args)
}

pub fn run_data(args: DataArgs) -> anyhow::Result<()> {
    data::run(args)
}
