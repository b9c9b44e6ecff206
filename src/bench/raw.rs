//! The raw sled group-commit ceiling, as `benches/store.rs` measures it
//! (its table 1): one thread, `apply_batch` of G inserts of 250-byte values
//! under sequential keys, then `flush` and `fdatasync` of sled's data file.
//! `scripts/bench` compares durable HTTP writes with this figure, measured
//! in the same run.

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
    /// Inserts per commit.
    #[arg(long, default_value_t = 64)]
    pub group: usize,
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
    let mut position = 0u64;
    let mut commit = || -> anyhow::Result<()> {
        let mut batch = sled::Batch::default();
        for _ in 0..args.group {
            position += 1;
            let mut key = vec![b'e'];
            key.extend_from_slice(&position.to_be_bytes());
            batch.insert(key, value.clone());
        }
        db.apply_batch(batch)?;
        db.flush()?;
        if !args.no_fsync {
            data_file.sync_data()?;
        }
        Ok(())
    };
    let warm_end = Instant::now() + Duration::from_millis(500);
    while Instant::now() < warm_end {
        commit()?;
    }
    let mut latencies = Vec::new();
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(args.secs);
    let mut now = start;
    while now < end {
        commit()?;
        let done = Instant::now();
        latencies.push(done - now);
        now = done;
    }
    let elapsed = (now - start).as_secs_f64();
    latencies.sort();
    let commits = latencies.len();
    println!(
        "{}",
        serde_json::json!({
            "group": args.group,
            "fsync": !args.no_fsync,
            "commits": commits,
            "eventsPerSecond": (commits * args.group) as f64 / elapsed,
            "commitP50Ms": percentile(&latencies, 0.50),
            "commitP99Ms": percentile(&latencies, 0.99),
        })
    );
    Ok(())
}
