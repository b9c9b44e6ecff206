//! `export-events`: a backup of the whole log as JSON Lines, from the data
//! directory or from a running server's feed.
//!
//! A backup is complete or refused. Over HTTP only a beheerder sees every
//! event (token events, agendas that are not published), so `--server`
//! needs a beheerder token, and the export checks that the positions it
//! received are 1, 2, 3, ... up to the feed's end: a gap (another role's
//! token, a feed that hides something) refuses the backup instead of
//! writing a file `import-events` would refuse later. A file given with
//! `--output` is written beside its name, fsynced, and renamed into place
//! (the directory fsynced too) only when the export is complete: a failed
//! or interrupted export leaves no file that looks like a backup.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::{open, DataDir, ExportArgs};
use crate::event_store::RecordedEvent;

/// Where the lines go: standard output, or a temporary file that becomes
/// `path` in [`Sink::finish`].
enum Sink {
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    File {
        out: BufWriter<File>,
        tmp: PathBuf,
        path: PathBuf,
    },
}

impl Sink {
    fn new(output: &Option<PathBuf>) -> anyhow::Result<Self> {
        let Some(path) = output else {
            return Ok(Sink::Stdout(BufWriter::new(std::io::stdout().lock())));
        };
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".partial");
        let tmp = path.with_file_name(name);
        let file =
            File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        Ok(Sink::File {
            out: BufWriter::new(file),
            tmp,
            path: path.clone(),
        })
    }

    fn out(&mut self) -> &mut dyn Write {
        match self {
            Sink::Stdout(out) => out,
            Sink::File { out, .. } => out,
        }
    }

    fn line(&mut self, event: &RecordedEvent) -> std::io::Result<()> {
        let out = self.out();
        serde_json::to_writer(&mut *out, event)?;
        out.write_all(b"\n")
    }

    /// Flushes; for a file: fsync, rename into place, fsync the directory.
    fn finish(self) -> anyhow::Result<()> {
        match self {
            Sink::Stdout(mut out) => Ok(out.flush()?),
            Sink::File { out, tmp, path } => {
                let file = out.into_inner().map_err(|e| e.into_error())?;
                file.sync_all()
                    .with_context(|| format!("cannot fsync {}", tmp.display()))?;
                drop(file);
                std::fs::rename(&tmp, &path).with_context(|| {
                    format!("cannot rename {} to {}", tmp.display(), path.display())
                })?;
                let dir = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                File::open(dir)
                    .and_then(|d| d.sync_all())
                    .with_context(|| format!("cannot fsync {}", dir.display()))?;
                Ok(())
            }
        }
    }

    /// Removes the temporary file of an export that failed.
    fn abandon(self) {
        if let Sink::File { out, tmp, .. } = self {
            drop(out);
            let _ = std::fs::remove_file(tmp);
        }
    }
}

pub fn export(args: ExportArgs) -> anyhow::Result<()> {
    let mut sink = Sink::new(&args.output)?;
    let result = match &args.server {
        Some(server) => export_http(server, args.token.as_deref(), &mut sink),
        None => export_local(&args.data_dir, &args.database, &mut sink),
    };
    match result {
        Ok(count) => {
            sink.finish()?;
            eprintln!("exported {count} events (positions 1..{count}, complete)");
            Ok(())
        }
        Err(e) => {
            sink.abandon();
            Err(e)
        }
    }
}

fn export_local(
    data_dir: &Path,
    database: &crate::event_store::DatabaseArg,
    sink: &mut Sink,
) -> anyhow::Result<u64> {
    let store = open(&DataDir {
        data_dir: data_dir.to_path_buf(),
        database: database.clone(),
    })?;
    let mut count = 0u64;
    let mut failure = None;
    let scanned = store.scan(0, store.head(), &mut |e| match sink.line(&e) {
        Ok(()) => {
            count += 1;
            ControlFlow::Continue(())
        }
        Err(err) => {
            failure = Some(err);
            ControlFlow::Break(())
        }
    });
    store.close();
    scanned?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    Ok(count)
}

fn export_http(server: &str, token: Option<&str>, sink: &mut Sink) -> anyhow::Result<u64> {
    let Some(token) = token.filter(|t| !t.trim().is_empty()) else {
        bail!(
            "a backup over HTTP needs a beheerder token (--token or MAG_TOKEN): without one the feed leaves out token events and agendas that are not published, and import-events would refuse the file. Nothing was written."
        );
    };
    let base = server.trim_end_matches('/');
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut na = 0u64;
    loop {
        let url = format!("{base}/v1/gebeurtenissen?na={na}&pageSize=500");
        let mut r = agent
            .get(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .with_context(|| format!("cannot reach {url}"))?;
        match r.status().as_u16() {
            200 => {}
            401 => bail!(
                "{url} refused the token (401): is it valid and not revoked? Nothing was written."
            ),
            status => bail!("{url} answered {status}. Nothing was written."),
        }
        let page: serde_json::Value = r.body_mut().read_json()?;
        let next = page["volgende"]
            .as_u64()
            .context("the feed gave no volgende")?;
        for e in page["gebeurtenissen"].as_array().into_iter().flatten() {
            let event: RecordedEvent = serde_json::from_value(e.clone())
                .context("the feed returned an event that is not an envelope")?;
            if event.position != na + 1 {
                bail!(
                    "the feed skipped from position {na} to {}: this token does not see every event (a backup needs a beheerder token). Nothing was written.",
                    event.position
                );
            }
            sink.line(&event)?;
            na = event.position;
        }
        if next > na {
            bail!(
                "the feed skipped from position {na} to {next}: this token does not see every event (a backup needs a beheerder token). Nothing was written."
            );
        }
        if next < na {
            bail!("the feed went back from position {na} to {next}");
        }
        if page["gebeurtenissen"]
            .as_array()
            .is_none_or(|a| a.is_empty())
        {
            return Ok(na);
        }
    }
}
