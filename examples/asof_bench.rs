//! Time-travel benchmark: as-of reads of an opgave's PDCA state on a store
//! with many events (default 1,000,000), with p50/p99 latency and memory.
//!
//!     cargo run --release --example asof_bench -- [EVENTS] [SPACING] [MAX_CHECKPOINTS]
//!
//! The store is the Twenterand demo agenda plus voortgangsberichten and
//! status changes on its acties (sled, `Flush` durability, batched appends:
//! loading speed is not what is measured). Reads go through
//! `history::AsOf::model_at` + `ReadModel::pdca` (the whole-model path every
//! as-of GET but the PDCA one takes), and `history::AsOf::opgave_model_at` +
//! `ReadModel::pdca` (what `GET /v1/opgaven/{id}/pdca?positie=` does).
//!
//!     cargo run --release --example asof_bench -- --store DIR
//!
//! measures an existing store instead (e.g. one made by `mag-tracker
//! bench-data`): opgaven of the first agenda, positions uniform in
//! [head/100, head], as scripts/bench P5 asks them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mag_tracker::app::{load_demo, open_state};
use mag_tracker::event_store::{
    AppendRequest, Durability, EventStore, ExpectedVersion, Metadata, NewEvent, SledOptions,
    SledStore,
};
use mag_tracker::history::{AsOf, AsOfOptions};
use serde_json::json;
use uuid::Uuid;

struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(label: &str, mut lat: Vec<Duration>) {
    lat.sort();
    println!(
        "| {label} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
        lat.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.95),
        percentile(&lat, 0.99),
        lat.last().unwrap().as_secs_f64() * 1000.0
    );
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = raw.iter().position(|a| a == "--store") {
        return existing_store(std::path::Path::new(&raw[i + 1]));
    }
    let args: Vec<u64> = raw.iter().filter_map(|a| a.parse().ok()).collect();
    let target = args.first().copied().unwrap_or(1_000_000);
    let options = AsOfOptions {
        spacing: args
            .get(1)
            .copied()
            .unwrap_or(AsOfOptions::default().spacing),
        max_checkpoints: args
            .get(2)
            .map_or(AsOfOptions::default().max_checkpoints, |m| *m as usize),
        ..AsOfOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SledStore::open(
            dir.path(),
            SledOptions {
                durability: Durability::Flush,
                ..SledOptions::default()
            },
        )
        .unwrap(),
    );
    let state = open_state(store.clone()).unwrap();
    actix_web::rt::System::new()
        .block_on(load_demo(&state))
        .unwrap();
    let (acties, opgaven): (Vec<Uuid>, Vec<Uuid>) = {
        let m = state.projection.read();
        (
            m.acties.keys().copied().collect(),
            m.opgaven.keys().copied().collect(),
        )
    };
    // Generate without the live projection's cost being the bottleneck:
    // batches of 50 events on one actie.
    let started = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let statuses = ["lopend", "gepauzeerd", "lopend", "afgerond", "lopend"];
    while store.head() < target {
        let actie = acties[rng.next(acties.len() as u64) as usize];
        let events = (0..50)
            .map(|i| {
                if i % 10 == 9 {
                    let s = statuses[rng.next(statuses.len() as u64) as usize];
                    NewEvent::new(
                        "ActieStatusGewijzigd",
                        1,
                        json!({"van": "lopend", "naar": s, "ingangsDatum": "2024-06-01", "reden": null}),
                    )
                } else {
                    NewEvent::new(
                        "VoortgangsberichtToegevoegd",
                        1,
                        json!({"berichtId": Uuid::now_v7(), "datum": "2024-06-01", "auteurOrganisatieId": null,
                               "tekst": "Bijeenkomst gehouden met partners uit de wijk; volgende stap is een tweede avond in het najaar."}),
                    )
                }
            })
            .collect();
        store
            .append(AppendRequest::single(
                actie,
                "actie",
                ExpectedVersion::Any,
                events,
                Metadata::default(),
            ))
            .wait()
            .unwrap();
    }
    let head = store.head();
    eprintln!(
        "generated {head} events in {:.1} s; live model RSS {:.0} MiB; store {:.0} MiB on disk",
        started.elapsed().as_secs_f64(),
        rss_mib(),
        store.size_on_disk() as f64 / 1048576.0
    );

    let scan = Instant::now();
    let mut n = 0u64;
    store
        .scan(0, head, &mut |_| {
            n += 1;
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
    let scan = scan.elapsed();
    let full = Instant::now();
    let replayed = mag_tracker::projections::ReadModel::replay(store.as_ref(), head).unwrap();
    let full = full.elapsed();
    let clone = Instant::now();
    let copy = replayed.clone();
    let clone = clone.elapsed();
    drop(copy);
    drop(replayed);
    let rss_before = rss_mib();
    let as_of = AsOf::new(store.clone(), options);
    let now = chrono::Utc::now();
    // the per-opgave path first, before the whole-model path fills the OS cache
    let fast = |p: u64| {
        let t = Instant::now();
        let o = opgaven[(p as usize) % opgaven.len()];
        let m = as_of
            .opgave_model_at(&state.projection, o, p)
            .unwrap()
            .unwrap();
        std::hint::black_box(m.pdca(o, now));
        t.elapsed()
    };
    let per_opgave: Vec<Duration> = (0..300).map(|_| fast(1 + rng.next(head))).collect();
    let read = |p: u64| {
        let t = Instant::now();
        let m = as_of.model_at(p).unwrap();
        let o = opgaven[(p as usize) % opgaven.len()];
        std::hint::black_box(m.pdca(o, now));
        t.elapsed()
    };
    // cold: the first reads at random positions also build the checkpoints they pass
    let cold: Vec<Duration> = (0..20).map(|_| read(1 + rng.next(head))).collect();
    // warm: random positions, checkpoints in place
    let warm: Vec<Duration> = (0..100).map(|_| read(1 + rng.next(head))).collect();
    // repeated peildata (few distinct positions)
    let days: Vec<u64> = (0..4).map(|_| 1 + rng.next(head)).collect();
    let repeat: Vec<Duration> = (0..200).map(|i| read(days[i % days.len()])).collect();
    let rss_after = rss_mib();
    println!(
        "scan only (decode envelopes): {:.0} ms for {n} events; clone of the full model: {:.0} ms",
        scan.as_secs_f64() * 1000.0,
        clone.as_secs_f64() * 1000.0
    );
    println!(
        "events: {head}; full replay: {:.0} ms; spacing {}, max checkpoints {}, kept {}",
        full.as_secs_f64() * 1000.0,
        options.spacing,
        options.max_checkpoints,
        as_of.checkpoint_positions().len()
    );
    println!(
        "checkpoint budget {} MiB (MAG_ASOF_BUDGET_MIB), estimated use {} MiB",
        options.budget_bytes >> 20,
        as_of.checkpoint_bytes() >> 20
    );
    println!("| reads | n | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    report("per opgave (PDCA path), random positions", per_opgave);
    report("cold (building checkpoints)", cold);
    report("warm, random positions", warm);
    report("repeated peildata (4 positions)", repeat);
    println!(
        "memory: RSS {rss_before:.0} MiB before the as-of layer, {rss_after:.0} MiB after ({:.0} MiB for checkpoints and cache)",
        rss_after - rss_before
    );
}

/// Both paths on an existing store, as scripts/bench P5 asks.
fn existing_store(dir: &std::path::Path) {
    let store = Arc::new(SledStore::open(dir, SledOptions::default()).unwrap());
    let started = Instant::now();
    let state = open_state(store.clone()).unwrap();
    let head = store.head();
    eprintln!(
        "opened {head} events in {:.1} s; live model RSS {:.0} MiB",
        started.elapsed().as_secs_f64(),
        rss_mib()
    );
    let opgaven: Vec<Uuid> = {
        let m = state.projection.read();
        let first = m
            .agendas
            .values()
            .min_by_key(|a| (a.aangemaakt, a.id))
            .unwrap()
            .id;
        let mut o: Vec<Uuid> = m
            .opgaven
            .values()
            .filter(|o| o.state.agenda_id == first)
            .map(|o| o.id)
            .collect();
        o.sort();
        o
    };
    let as_of = AsOf::new(store.clone(), AsOfOptions::default());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let from = (head / 100).max(1);
    let mut position = || from + rng.next(head - from + 1);
    let now = chrono::Utc::now();
    let mut streams = Vec::new();
    let mut fast = Vec::new();
    for i in 0..1_000 {
        let (p, o) = (position(), opgaven[i % opgaven.len()]);
        let t = Instant::now();
        let m = as_of
            .opgave_model_at(&state.projection, o, p)
            .unwrap()
            .unwrap();
        std::hint::black_box(m.pdca(o, now));
        fast.push(t.elapsed());
        streams.push(state.projection.read().pdca_streams(o).unwrap().len());
    }
    let mut whole = Vec::new();
    let budget = Instant::now();
    for i in 0..1_000 {
        if budget.elapsed() > Duration::from_secs(120) {
            break;
        }
        let (p, o) = (position(), opgaven[i % opgaven.len()]);
        let t = Instant::now();
        let m = as_of.model_at(p).unwrap();
        std::hint::black_box(m.pdca(o, now));
        whole.push(t.elapsed());
    }
    streams.sort();
    println!(
        "store {}: {head} events, {} opgaven of the first agenda, {}..{} streams per opgave (median {})",
        dir.display(),
        opgaven.len(),
        streams[0],
        streams[streams.len() - 1],
        streams[streams.len() / 2]
    );
    println!("| reads | n | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    report("per opgave (PDCA path)", fast);
    report("whole model (checkpoints, from cold, 120 s at most)", whole);
    println!("memory: RSS {:.0} MiB", rss_mib());
}
