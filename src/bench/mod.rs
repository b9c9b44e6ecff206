//! Hidden helpers for `scripts/bench` (the HTTP and system benchmarks):
//! the raw sled group-commit ceiling, a generator of realistic bench data,
//! a timed rebuild of the projections, and a hello-world endpoint that the
//! server mounts only in a build with the `bench-endpoints` cargo feature.
//!
//! None of this is part of the API or its OpenAPI document; each subcommand
//! prints one JSON line that the script reads.

mod data;
mod raw;
mod rng;

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

use actix_web::{web, HttpResponse};
use anyhow::Context;

use crate::event_store::{EventStore, SledOptions, SledStore};
use crate::projections::replay::{decode_stored, ReplayEvent};
use crate::projections::ReadModel;

pub use data::DataArgs;
pub use raw::RawArgs;
pub(crate) use rng::Rng;

/// Registers the bench endpoints in a build with the `bench-endpoints`
/// feature (a no-op otherwise). They are served by the same app, behind
/// the same middleware, as the API.
pub fn configure(cfg: &mut web::ServiceConfig) {
    #[cfg(feature = "bench-endpoints")]
    cfg.route("/bench/hello", web::get().to(hello));
    #[cfg(not(feature = "bench-endpoints"))]
    let _ = cfg;
}

/// actix's hello world, as JSON: the ceiling for a GET on this server.
#[cfg_attr(not(feature = "bench-endpoints"), allow(dead_code))]
async fn hello() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "message": "Hello, world!" }))
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Directory holding the event store (the server must be stopped).
    #[arg(long)]
    pub data_dir: PathBuf,
}

/// Resident memory of this process in bytes (`VmRSS`), 0 if unknown.
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Times a scan that only reads and decodes envelopes (the general path,
/// [`crate::event_store::RecordedEvent`]), a scan of the stored bytes alone,
/// the same plus the replay fast path's decoding, then a rebuild of every
/// projection from the log (what startup does), then applying alone (all
/// events decoded beforehand), to split the time.
/// The scan first fills sled's cache, so the memory the rebuild adds is the
/// read model's own (`modelBytes`).
pub fn run_replay(args: ReplayArgs) -> anyhow::Result<()> {
    let store = SledStore::open(&args.data_dir, SledOptions::default())
        .with_context(|| format!("cannot open the store in {}", args.data_dir.display()))?;
    let head = store.head();
    let rss_open = resident_bytes();
    let started = Instant::now();
    let mut scanned = 0u64;
    store.scan(0, head, &mut |e| {
        scanned += 1;
        std::hint::black_box(e);
        ControlFlow::Continue(())
    })?;
    let scan_s = started.elapsed().as_secs_f64();
    // The replay path's two stages alone: sled's scan of the stored bytes,
    // then the same plus the decode-once decoding (one thread each).
    let started = Instant::now();
    let mut bytes = 0u64;
    store.scan_stored(0, head, &mut |_, v| {
        bytes += v.len() as u64;
        ControlFlow::Continue(())
    })?;
    let raw_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    decode_log(&store, head, &mut |e| {
        std::hint::black_box(e);
    })?;
    let decode_s = started.elapsed().as_secs_f64();
    let rss_scanned = resident_bytes();
    let started = Instant::now();
    let model = ReadModel::replay(&store, head).map_err(|e| anyhow::anyhow!(e))?;
    let replay_s = started.elapsed().as_secs_f64();
    let rss_model = resident_bytes();
    drop(model);
    // Applying alone: every event decoded beforehand (kept in memory), then
    // applied to an empty model on this one thread, as the replay's second
    // stage does.
    let mut decoded = Vec::with_capacity(usize::try_from(head).unwrap_or(0));
    decode_log(&store, head, &mut |e| decoded.push(e))?;
    let started = Instant::now();
    let mut applied = ReadModel::default();
    for e in decoded.drain(..) {
        crate::projections::replay::apply(&mut applied, e).map_err(|e| anyhow::anyhow!(e))?;
    }
    let apply_s = started.elapsed().as_secs_f64();
    let model = applied;
    println!(
        "{}",
        serde_json::json!({
            "events": model.position,
            "replaySeconds": replay_s,
            "eventsPerSecond": model.position as f64 / replay_s.max(1e-9),
            "scanSeconds": scan_s,
            "scanEventsPerSecond": scanned as f64 / scan_s.max(1e-9),
            "rawScanSeconds": raw_s,
            "rawScanEventsPerSecond": head as f64 / raw_s.max(1e-9),
            "storedBytes": bytes,
            "decodeSeconds": decode_s,
            "decodeEventsPerSecond": head as f64 / decode_s.max(1e-9),
            "applySeconds": apply_s,
            "applyEventsPerSecond": head as f64 / apply_s.max(1e-9),
            "rssOpen": rss_open,
            "rssScanned": rss_scanned,
            "rssModel": rss_model,
            "modelBytes": rss_model.saturating_sub(rss_scanned),
            "acties": model.acties.len(),
            "opgaven": model.opgaven.len(),
        })
    );
    store.close();
    Ok(())
}

/// Scans the stored records up to `head`, decoding each as the replay does
/// (envelope and data), and hands each to `each`.
fn decode_log(
    store: &SledStore,
    head: u64,
    each: &mut dyn FnMut(ReplayEvent),
) -> anyhow::Result<()> {
    let mut failure = None;
    store.scan_stored(0, head, &mut |p, v| match decode_stored(p, v) {
        Ok(e) => {
            each(e);
            ControlFlow::Continue(())
        }
        Err(e) => {
            failure = Some(e);
            ControlFlow::Break(())
        }
    })?;
    failure.map_or(Ok(()), |e| Err(e.into()))
}

pub fn run_raw(args: RawArgs) -> anyhow::Result<()> {
    raw::run(args)
}

pub fn run_data(args: DataArgs) -> anyhow::Result<()> {
    data::run(args)
}
