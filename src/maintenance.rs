//! Maintenance commands: `replay`, `verify`, `export-events`, `import-events`.
//!
//! They open the data directory themselves, so they cannot run while a
//! server holds it (sled locks the directory; the error says so). A backup
//! of a *running* server is taken over HTTP instead:
//! `export-events --server http://127.0.0.1:8080 --token <beheerder>` reads
//! the whole feed (see `backup.rs`).

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use uuid::Uuid;

use crate::domain::Event;
use crate::event_store::{
    import_events, open_store, DatabaseArg, Durability, EventStore, RecordedEvent, SledOptions,
};
use crate::projections::replay::replay_into;
use crate::projections::snapshot::Snapshots;
use crate::projections::ReadModel;
use std::sync::Arc;

mod backup;
pub use backup::export;

#[derive(Debug, clap::Args)]
pub struct DataDir {
    /// Directory holding the event store (with --database-url: only the
    /// node-local read-model snapshot).
    #[arg(long, env = "MAG_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArg,
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub store: DataDir,
    /// Replay up to and including this position, or up to the end of this
    /// day (YYYY-MM-DD, Europe/Amsterdam). Default: the whole log.
    #[arg(long)]
    pub tot: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub store: DataDir,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Directory holding the event store (not while a server runs on it;
    /// use --server then).
    #[arg(long, env = "MAG_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Read the log from PostgreSQL (servers may keep running on it).
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Read the events from a running server's feed instead, e.g.
    /// http://127.0.0.1:8080 (plain HTTP). Needs a beheerder token: only a
    /// beheerder sees every event, and a backup is complete or refused.
    #[arg(long)]
    pub server: Option<String>,
    /// A beheerder's API token, required with --server.
    #[arg(long, env = "MAG_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Write to this file instead of standard output (it appears, fsynced,
    /// only once the export is complete).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub store: DataDir,
    /// JSON Lines file from export-events (default: standard input).
    #[arg(long, short)]
    pub input: Option<PathBuf>,
    /// Import into a store that already holds events: append after them
    /// (positions and versions renumbered, events already present skipped).
    #[arg(long)]
    pub force: bool,
}

fn open(dir: &DataDir) -> anyhow::Result<Arc<dyn EventStore>> {
    if dir.database.url().is_none() && !dir.data_dir.join("db").exists() {
        bail!("{} holds no event store", dir.data_dir.display());
    }
    let options = SledOptions {
        durability: Durability::Flush,
        ..SledOptions::default()
    };
    Ok(open_store(&dir.data_dir, &dir.database, options)?)
}

/// Prints progress to stderr at most twice a second.
struct Progress {
    started: Instant,
    last: Instant,
    total: u64,
    verb: &'static str,
}

impl Progress {
    fn new(verb: &'static str, total: u64) -> Self {
        let now = Instant::now();
        Self {
            started: now,
            last: now,
            total,
            verb,
        }
    }

    fn tick(&mut self, done: u64) {
        if self.last.elapsed() >= Duration::from_millis(500) {
            self.last = Instant::now();
            let pct = if self.total == 0 {
                100.0
            } else {
                done as f64 * 100.0 / self.total as f64
            };
            let width = 30usize;
            let filled = (pct / 100.0 * width as f64) as usize;
            eprint!(
                "\r{} [{}{}] {done}/{} ({pct:.0}%) {:.0} events/s   ",
                self.verb,
                "#".repeat(filled.min(width)),
                " ".repeat(width - filled.min(width)),
                self.total,
                self.rate(done)
            );
        }
    }

    fn rate(&self, done: u64) -> f64 {
        done as f64 / self.started.elapsed().as_secs_f64().max(1e-9)
    }

    fn finish(&self, done: u64) {
        eprintln!(
            "\r{} {done} events in {:.2} s ({:.0} events/s){}",
            self.verb,
            self.started.elapsed().as_secs_f64(),
            self.rate(done),
            " ".repeat(30)
        );
    }
}

fn until_of(store: &dyn EventStore, tot: Option<&str>) -> anyhow::Result<u64> {
    let head = store.head();
    let Some(raw) = tot else { return Ok(head) };
    if let Ok(p) = raw.parse::<u64>() {
        return Ok(p.min(head));
    }
    let date = crate::domain::datum::parse_date(raw).map_err(|_| {
        anyhow::anyhow!(
            "--tot {raw:?} is neither a position nor a date (YYYY-MM-DD, {})",
            crate::domain::datum::RANGE
        )
    })?;
    Ok(crate::history::peil::position_at_end_of(store, date)?)
}

pub fn replay(args: ReplayArgs) -> anyhow::Result<()> {
    let store = open(&args.store)?;
    let until = until_of(store.as_ref(), args.tot.as_deref())?;
    let mut progress = Progress::new("replay", until);
    let mut model = ReadModel::default();
    // The fast path startup uses: decode once, read and apply on two threads.
    crate::projections::replay::replay_into(&mut model, store.as_ref(), 0, until, &mut |done| {
        progress.tick(done)
    })
    .map_err(|f| anyhow::anyhow!("replay stopped: {f}"))?;
    progress.finish(model.position);
    println!(
        "position {}: {} agenda's, {} opgaven, {} doelen, {} acties, {} organisaties, {} indicatoren, {} reflecties, {} checkmomenten",
        model.position,
        model.agendas.len(),
        model.opgaven.len(),
        model.doelen.len(),
        model.acties.len(),
        model.organisaties.len(),
        model.indicatoren.len(),
        model.reflecties.len(),
        model.checkmomenten.len()
    );
    store.close();
    Ok(())
}

/// Checks the log; returns the number of events, the problems found
/// (empty: healthy), a note on the read-model snapshot and how many
/// idempotency keys of restored events have no record. With `snapshots`,
/// also that the read-model snapshot (if this build can use it) plus the
/// log after it gives the model a full replay gives; a snapshot this build
/// may not use is reported in the note, not as a problem (`serve` ignores
/// it and writes a new one). Events up to `imported_through` were restored
/// by `import-events`, which carries no idempotency records: their keys
/// may lack one (counted, not a problem); a key after it must have one.
pub fn verify_store(
    store: &dyn EventStore,
    snapshots: Option<&Snapshots>,
    imported_through: u64,
) -> anyhow::Result<(u64, Vec<String>, Option<String>, u64)> {
    let head = store.head();
    let mut problems: Vec<String> = Vec::new();
    let mut note = |p: String| {
        if problems.len() < 100 {
            problems.push(p);
        }
    };
    let mut streams: HashMap<Uuid, (u64, String)> = HashMap::new();
    let mut ids: HashSet<Uuid> = HashSet::new();
    let mut keys: Vec<(String, u64)> = Vec::new();
    let mut last_at = None;
    let mut model = ReadModel::default();
    let mut progress = Progress::new("verify", head);
    let mut seen = 0u64;
    let scanned = store.scan(0, head, &mut |e| {
        seen += 1;
        progress.tick(seen);
        if let Err(err) = Event::decode(&e.event_type, e.schema_version, &e.data) {
            note(format!("position {}: does not decode: {err}", e.position));
        } else if let Err(err) = model.apply(&e) {
            note(format!(
                "position {}: projection refused it: {err}",
                e.position
            ));
        }
        if !ids.insert(e.id) {
            note(format!(
                "position {}: event id {} appears twice",
                e.position, e.id
            ));
        }
        let entry = streams
            .entry(e.stream_id)
            .or_insert((0, e.stream_type.clone()));
        if e.version != entry.0 + 1 {
            note(format!(
                "position {}: stream {} jumps from version {} to {}",
                e.position, e.stream_id, entry.0, e.version
            ));
        }
        if entry.1 != e.stream_type {
            note(format!(
                "position {}: stream {} changes type from {} to {}",
                e.position, e.stream_id, entry.1, e.stream_type
            ));
        }
        entry.0 = e.version;
        if last_at.is_some_and(|l| e.recorded_at < l) {
            note(format!(
                "position {}: recorded before the previous event",
                e.position
            ));
        }
        last_at = Some(e.recorded_at);
        if let Some(k) = &e.metadata.idempotency_key {
            keys.push((k.clone(), e.position));
        }
        ControlFlow::Continue(())
    });
    if let Err(e) = scanned {
        note(format!("the log cannot be read to the end: {e}"));
    }
    progress.finish(seen);
    if seen != head {
        note(format!(
            "the head is {head} but {seen} events could be read"
        ));
    }
    for (stream, (version, _)) in &streams {
        match store.stream_version(*stream) {
            Ok(v) if v == *version => {}
            Ok(v) => note(format!(
                "stream {stream}: the index says version {v}, the log {version}"
            )),
            Err(e) => note(format!("stream {stream}: index unreadable: {e}")),
        }
    }
    let mut unrecorded: HashSet<String> = HashSet::new();
    for (key, position) in keys {
        match store.idempotency_record(&key) {
            Ok(None) if position <= imported_through => {
                unrecorded.insert(key);
            }
            Ok(Some((_, o))) if (o.first_position..=o.last_position).contains(&position) => {}
            Ok(Some((_, o))) => note(format!(
                "position {position}: idempotency key {key:?} is recorded for positions {}..{}",
                o.first_position, o.last_position
            )),
            Ok(None) => note(format!(
                "position {position}: idempotency key {key:?} has no record"
            )),
            Err(e) => note(format!("idempotency key {key:?}: unreadable: {e}")),
        }
    }
    let mut snapshot_note = None;
    match ReadModel::replay(store, head) {
        Ok(second) => {
            if second != model {
                note("two rebuilds of the projections differ".into());
            }
            if let Some(s) = snapshots {
                match check_snapshot(store, s, head, &second) {
                    Ok(n) => snapshot_note = Some(n),
                    Err(problem) => note(problem),
                }
            }
        }
        Err(e) => note(format!("the projections cannot be rebuilt: {e}")),
    }
    Ok((seen, problems, snapshot_note, unrecorded.len() as u64))
}

/// The read-model snapshot against `full`, a full replay to `head`: a note
/// on what was found (none, not usable and why, or equal), or the problem
/// when this build's snapshot plus the log after it gives another model.
fn check_snapshot(
    store: &dyn EventStore,
    s: &Snapshots,
    head: u64,
    full: &ReadModel,
) -> Result<String, String> {
    let (mut m, info) = match s.load(store) {
        Ok(None) => return Ok("no read-model snapshot".to_owned()),
        Err(reason) => {
            return Ok(format!(
                "read-model snapshot not used ({reason}); serve replays the whole log and writes a new one"
            ))
        }
        Ok(Some(loaded)) => loaded,
    };
    replay_into(&mut m, store, info.position, head, &mut |_| {})
        .map_err(|e| format!("the log after the read-model snapshot does not apply: {e}"))?;
    if m != *full {
        return Err(format!(
            "the read-model snapshot at position {} plus the log after it differs from a full replay (delete {} and report this)",
            info.position,
            s.path().display()
        ));
    }
    Ok(format!(
        "read-model snapshot at position {} plus the log after it equals a full replay",
        info.position
    ))
}

pub fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    let store = open(&args.store)?;
    let snapshots = Snapshots::in_dir(&args.store.data_dir);
    let imported_through = store.imported_through()?;
    let verified = verify_store(store.as_ref(), Some(&snapshots), imported_through);
    store.close();
    let (events, problems, snapshot, unrecorded) = verified?;
    if problems.is_empty() {
        println!(
            "ok: {events} events, positions 1..{events} gap-free, every event decodes, stream versions consecutive, indexes and idempotency records consistent, two rebuilds agree"
        );
        if let Some(s) = snapshot {
            println!("{s}");
        }
        if unrecorded > 0 {
            println!(
                "note: positions 1..{imported_through} were restored by import-events; {unrecorded} idempotency key(s) of those events have no record, as expected (a backup does not carry them): a client's retry of such a request is treated as a new request"
            );
        }
        return Ok(());
    }
    eprintln!("the log has {} problem(s):", problems.len());
    for p in &problems {
        eprintln!("  - {p}");
    }
    bail!("verify failed")
}

pub fn import(args: ImportArgs) -> anyhow::Result<()> {
    let reader: Box<dyn BufRead> = match &args.input {
        Some(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        )),
        None => Box::new(std::io::BufReader::new(std::io::stdin().lock())),
    };
    let mut events = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let e: RecordedEvent = serde_json::from_str(&line)
            .with_context(|| format!("line {} is not an event envelope", i + 1))?;
        events.push(e);
    }
    let started = Instant::now();
    let summary = match args.store.database.url() {
        Some(url) => import_into_postgres(url, events, args.force)?,
        None => {
            std::fs::create_dir_all(&args.store.data_dir)?;
            import_events(
                &args.store.data_dir,
                SledOptions::default().cache_capacity,
                events,
                args.force,
            )?
        }
    };
    eprintln!(
        "imported {} events ({} already present, skipped) in {:.2} s; the log now ends at position {}",
        summary.imported,
        summary.skipped,
        started.elapsed().as_secs_f64(),
        summary.head
    );
    Ok(())
}

#[cfg(feature = "postgres")]
fn import_into_postgres(
    url: &str,
    events: Vec<RecordedEvent>,
    force: bool,
) -> anyhow::Result<crate::event_store::ImportSummary> {
    if force {
        bail!("--force is for a data directory; import into an empty PostgreSQL database");
    }
    Ok(crate::event_store::import_events_pg(url, events)?)
}

#[cfg(not(feature = "postgres"))]
fn import_into_postgres(
    _url: &str,
    _events: Vec<RecordedEvent>,
    _force: bool,
) -> anyhow::Result<crate::event_store::ImportSummary> {
    bail!("this build has no PostgreSQL support (build with the `postgres` feature)")
}
