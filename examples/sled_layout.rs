//! How sled 0.34 itself scales with the log, outside mag-tracker: writes
//! 1M values of 780 bytes (the size of a stored event envelope) either one
//! key per value or packed 64 values per key (`write`); then, in a fresh
//! process as a server start would be (`read`), opens the tree and scans it,
//! printing the time and resident memory after opening and the scan rate.
//! Used for the P4/P6 notes in docs/performance-http.md.
//!
//!     cargo run --release --example sled_layout -- /tmp/sled-1 1 write
//!     cargo run --release --example sled_layout -- /tmp/sled-1 1 read
//!
//! (and the same with 64). The directory is left behind (~1 GB).

use std::time::Instant;

const EVENTS: usize = 1_000_000;
const SIZE: usize = 780;

fn rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS"))?.to_owned();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .unwrap_or(0)
        / 1024
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(per)) = (
        args.get(1),
        args.get(2).and_then(|p| p.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: sled_layout DIR VALUES_PER_KEY write|read");
        std::process::exit(2);
    };
    let per = per.max(1);
    let config = || sled::Config::new().path(dir).cache_capacity(128 << 20);
    if args.get(3).map(String::as_str) == Some("write") {
        let db = config().open().expect("open");
        let started = Instant::now();
        let mut x: u64 = 1;
        let mut value = vec![0u8; SIZE * per];
        let keys_per_batch = (2_000 / per).max(1);
        let mut key = 0u64;
        while (key as usize) * per < EVENTS {
            let mut batch = sled::Batch::default();
            for _ in 0..keys_per_batch {
                for b in value.iter_mut() {
                    // xorshift: text-like bytes that do not compress away
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    *b = b'a' + (x % 26) as u8;
                }
                batch.insert(&key.to_be_bytes(), value.clone());
                key += 1;
            }
            db.apply_batch(batch).expect("apply");
        }
        db.flush().expect("flush");
        println!(
            "{per} per key: wrote {EVENTS} values in {:.1?}",
            started.elapsed()
        );
        return;
    }
    let started = Instant::now();
    let db = config().open().expect("reopen");
    println!(
        "{per} per key: open {:.0?}, resident {} MB, on disk {} MB",
        started.elapsed(),
        rss_mb(),
        db.size_on_disk().unwrap_or(0) >> 20
    );
    let started = Instant::now();
    let mut bytes = 0usize;
    for kv in db.iter() {
        bytes += kv.expect("read").1.len();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{per} per key: scan {secs:.2} s, {:.0} values/s ({} MB), resident {} MB",
        EVENTS as f64 / secs,
        bytes >> 20,
        rss_mb()
    );
}
