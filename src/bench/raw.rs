//! The raw sled group-commit ceiling, as `benches/store.rs` measures it.
//! `--threads N` (table 1a, the ceiling of the targets): N writer threads,
//! each committing a group (`apply_batch`) of G 250-byte values and calling `flush` and
//! `fdatasync` of sled's data file before its next insert; sled makes the
//! inserts of concurrent writers durable together. With one thread and
//! `--group G` it is table 1b, the batch bound: one writer that already holds
//! G events per commit (`apply_batch`). `scripts/bench` compares durable
//! HTTP writes with both, measured in the same run.

use std::fs::File;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;

/// Value size of the store bench's ceiling.
const PAYLOAD_BYTES: usize = 250;

#[derive(Debug, clap::Args)]
pub struct RawArgs {
    /// Empty or missing directory for the sled database (left behind).
    #[arg(long)]
    pub dir: PathBuf,
    /// Inserts per commit (per thread).
    #[arg(long, default_value_t = 64)]
    pub group: usize,
    /// Writer threads, each committing its own inserts (sled groups
    /// concurrent flushes).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Measured seconds (after half a second of warm-up).
    #[arg(long, default_value_t = 3.0)]
    pub secs: f64,
    /// Flush only, no fdatasync.
    #[arg(long)]
    pub no_fsync: bool,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

pub fn run(args: RawArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.group > 0, "--group must be at least 1");
    let db = sled::Config::new()
        .path(&args.dir)
        .cache_capacity(128 * 1024 * 1024)
        .flush_every_ms(None)
        .open()
        .with_context(|| format!("cannot open sled in {}", args.dir.display()))?;
    let data_file = File::open(args.dir.join("db")).context("open sled's data file")?;
    let value = vec![b'x'; PAYLOAD_BYTES];
    let threads = args.threads.max(1);
    let group = args.group;
    let fsync = !args.no_fsync;
    let warm_end = Instant::now() + Duration::from_millis(500);
    let end = warm_end + Duration::from_secs_f64(args.secs);
    let data_file = std::sync::Arc::new(data_file);
    let handles: Vec<_> = (0..threads as u64)
        .map(|t| {
            let db = db.clone();
            let data_file = data_file.clone();
            let value = value.clone();
            std::thread::spawn(move || -> anyhow::Result<Vec<Duration>> {
                let mut seq = 0u64;
                let mut latencies = Vec::new();
                loop {
                    let started = Instant::now();
                    if started >= end {
                        break;
                    }
                    let key = |seq: u64| {
                        let mut key = vec![b'e'];
                        key.extend_from_slice(&t.to_be_bytes());
                        key.extend_from_slice(&seq.to_be_bytes());
                        key
                    };
                    let mut batch = sled::Batch::default();
                    for _ in 0..group {
                        seq += 1;
                        batch.insert(key(seq), value.as_slice());
                    }
                    db.apply_batch(batch)?;
                    db.flush()?;
                    if fsync {
                        data_file.sync_data()?;
                    }
                    if started >= warm_end {
                        latencies.push(started.elapsed());
                    }
                }
                Ok(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for h in handles {
        latencies.extend(
            h.join()
                .map_err(|_| anyhow::anyhow!("a writer thread panicked"))??,
        );
    }
    let elapsed = args.secs;
    latencies.sort();
    let commits = latencies.len();
    println!(
        "{}",
        serde_json::json!({
            "threads": threads,
            "group": group,
            "fsync": fsync,
            "commits": commits,
            "eventsPerSecond": (commits * group) as f64 / elapsed,
            "commitP50Ms": percentile(&latencies, 0.50),
            "commitP99Ms": percentile(&latencies, 0.99),
        })
    );
    Ok(())
}
