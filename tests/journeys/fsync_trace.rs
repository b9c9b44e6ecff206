//! No acknowledged write sits in an unsynced file, checked with syscall
//! tracing: `mag-tracker serve` runs under `strace -f`, a client writes large
//! voortgangsberichten (the case that left unsynced blob files behind in
//! sled's `blobs/`), and the trace is replayed: at every 2xx response the
//! server sends, each file under the data directory written since its last
//! `fsync`/`fdatasync`, and each directory under it whose entries changed
//! (a file created, a rename, a new directory) since its last `fsync`,
//! is a violation. `sync_file_range` (sled's `flush`) does not count.
//!
//! strace must be installed (`scripts/test` installs it); without it these
//! tests fail and say so, rather than pass having checked nothing.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use crate::support::{cli_ok, token_from, Server};

/// What replaying a trace found.
#[derive(Debug, Default)]
pub struct Findings {
    pub acks: usize,
    pub violations: Vec<String>,
    /// fdatasync/fsync calls on the `db` file.
    pub db_syncs: usize,
    pub blobs_created: HashSet<String>,
    pub blobs_synced: HashSet<String>,
    pub blob_dir_syncs: usize,
    /// Files and directories still changed but not fsynced when the trace
    /// ends (after a graceful stop: none should be).
    pub unsynced_at_exit: Vec<String>,
}

/// Replays an `strace -f -yy` trace (see [`trace_args`]) against the rule
/// above, for the files under `data_dir`.
pub fn check_trace(trace: &str, data_dir: &Path) -> Findings {
    let root = data_dir.to_string_lossy().into_owned();
    let under = |p: &str| p == root || p.starts_with(&format!("{root}/"));
    let mut found = Findings::default();
    // path -> line of the first write (or entry change) not yet synced
    let mut dirty: HashMap<String, usize> = HashMap::new();
    let mut pending: HashMap<String, String> = HashMap::new();
    for (n, raw) in trace.lines().enumerate() {
        let line_no = n + 1;
        // strace pads the pid column ("7884  fsync(...)") and the result.
        let Some((pid, rest)) = raw.split_once(' ') else {
            continue;
        };
        let rest = rest.trim_start();
        // Join an unfinished call with its resumption (processed when done).
        let call = if let Some(start) = rest.strip_suffix(" <unfinished ...>") {
            if is_ack(start) {
                ack(&mut found, &dirty, line_no);
            }
            pending.insert(pid.to_owned(), start.to_owned());
            continue;
        } else if let Some(resumed) = rest.strip_prefix("<... ") {
            let Some(start) = pending.remove(pid) else {
                continue;
            };
            let tail = resumed.split_once(" resumed>").map_or("", |(_, t)| t);
            if is_ack(&start) {
                continue; // counted when it started
            }
            format!("{start}{tail}")
        } else {
            rest.to_owned()
        };
        let Some((name, args)) = call.split_once('(') else {
            continue;
        };
        let failed = result(&call).is_some_and(|r| r.starts_with('-'));
        if failed {
            continue;
        }
        match name {
            "write" | "pwrite64" | "writev" | "pwritev" | "pwritev2" | "sendto" | "sendmsg" => {
                if is_ack(&call) {
                    ack(&mut found, &dirty, line_no);
                } else if let Some(path) = fd_path(args).filter(|p| under(p)) {
                    dirty.entry(path).or_insert(line_no);
                }
            }
            "fsync" | "fdatasync" => {
                if let Some(path) = fd_path(args).filter(|p| under(p)) {
                    if path.ends_with("/db") {
                        found.db_syncs += 1;
                    }
                    if path.ends_with("/blobs") {
                        found.blob_dir_syncs += 1;
                    }
                    if parent(&path).ends_with("/blobs") {
                        found.blobs_synced.insert(path.clone());
                    }
                    dirty.remove(&path);
                }
            }
            "openat" | "open" | "creat" if name == "creat" || args.contains("O_CREAT") => {
                if let Some(path) = returned_path(&call).filter(|p| under(p)) {
                    if parent(&path).ends_with("/blobs") {
                        found.blobs_created.insert(path.clone());
                    }
                    dirty.entry(parent(&path)).or_insert(line_no);
                }
            }
            "mkdir" | "mkdirat" => {
                for path in quoted_paths(args).into_iter().filter(|p| under(p)) {
                    dirty.entry(parent(&path)).or_insert(line_no);
                }
            }
            "rename" | "renameat" | "renameat2" => {
                if let [from, to] = &quoted_paths(args)[..] {
                    // A renamed file keeps its unsynced data.
                    if let Some(line) = dirty.remove(from) {
                        dirty.insert(to.clone(), line);
                    }
                    for p in [from, to].into_iter().filter(|p| under(p)) {
                        dirty.entry(parent(p)).or_insert(line_no);
                    }
                }
            }
            _ => {}
        }
    }
    found.unsynced_at_exit = dirty.into_keys().collect();
    found.unsynced_at_exit.sort();
    found
}

fn ack(found: &mut Findings, dirty: &HashMap<String, usize>, line_no: usize) {
    found.acks += 1;
    let mut open: Vec<_> = dirty.iter().collect();
    open.sort();
    for (path, since) in open {
        found.violations.push(format!(
            "2xx response at trace line {line_no}: {path} changed at line {since} is not fsynced"
        ));
    }
}

/// A 2xx HTTP response written to a TCP socket.
fn is_ack(call: &str) -> bool {
    call.contains("<TCP") && call.contains("\"HTTP/1.1 2")
}

/// What a finished call returned: the text after its last ` = `.
fn result(call: &str) -> Option<&str> {
    call.rfind(" = ").map(|i| &call[i + 3..])
}

/// The path strace prints for the first argument, `5</path/to/file>`.
fn fd_path(args: &str) -> Option<String> {
    let start = args.find('<')?;
    let end = args[start..].find('>')? + start;
    let path = &args[start + 1..end];
    path.starts_with('/').then(|| path.to_owned())
}

/// The path of the descriptor a call returned: `= 9</path>`.
fn returned_path(call: &str) -> Option<String> {
    fd_path(result(call)?)
}

/// The absolute quoted paths among the arguments.
fn quoted_paths(args: &str) -> Vec<String> {
    args.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/'))
        .map(str::to_owned)
        .collect()
}

fn parent(path: &str) -> String {
    Path::new(path)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// strace, or a clear failure.
fn strace() -> &'static str {
    let ok = Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "strace is not installed: these tests check fsyncs by tracing syscalls (scripts/test installs it with apt-get; or run `apt-get install -y strace`)"
    );
    "strace"
}

/// The strace command line in front of `mag-tracker serve`.
pub(crate) fn trace_args(out: &Path) -> Vec<String> {
    let calls = "openat,open,creat,write,pwrite64,writev,pwritev,pwritev2,sendto,sendmsg,\
fsync,fdatasync,sync_file_range,rename,renameat,renameat2,mkdir,mkdirat";
    vec![
        strace().to_owned(),
        "-f".into(),
        "-qq".into(),
        "-yy".into(),
        "-s".into(),
        "24".into(),
        "-e".into(),
        format!("trace={calls}"),
        "-o".into(),
        out.to_string_lossy().into_owned(),
    ]
}

/// The first actie of the demo agenda.
pub(crate) fn an_actie(server: &Server) -> String {
    let agendas = server.get("/agendas", None).json();
    let agenda = agendas["resultaten"][0]["id"].as_str().unwrap().to_owned();
    let acties = server
        .get(&format!("/agendas/{agenda}/acties"), None)
        .json();
    acties["resultaten"][0]["id"].as_str().unwrap().to_owned()
}

/// Token create on `dir` (loads the demo), then `serve` under strace; 30
/// voortgangsberichten of 50 KB on one actie (a node rewrite of several such
/// values crossed sled's old blob threshold), with Idempotency-Keys; stop.
fn traced_workload(dir: &Path, trace: &Path) -> (Findings, Vec<PathBuf>) {
    let token = token_from(&cli_ok(&[
        "token",
        "create",
        "--rol",
        "programmamanager",
        "--organisatie",
        "Gemeente Twenterand",
        "--alle-agendas",
        "--data-dir",
        dir.to_str().unwrap(),
    ]));
    let wrapper = trace_args(trace);
    let wrapper: Vec<&str> = wrapper.iter().map(String::as_str).collect();
    let server = Server::start_wrapped(&wrapper, dir, &["--rate-limit", "0"]);
    let actie = an_actie(&server);
    for i in 0..30 {
        let tekst = format!(
            "Verslag {i}: {}",
            "lang verslag van de partner. ".repeat(1_800)
        );
        assert!(tekst.len() > 50_000);
        let key = format!("bericht-{i}");
        let r = server.call(
            "POST",
            &format!("/acties/{actie}/voortgangsberichten"),
            Some(&token),
            &[("Idempotency-Key", key.as_str())],
            &json!({ "tekst": tekst, "datum": "2024-06-01" }).to_string(),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let list = server.get(&format!("/acties/{actie}/voortgangsberichten"), None);
    assert!(
        list.text.contains("Verslag 29: lang verslag"),
        "{}",
        &list.text[..200]
    );
    server.stop_wrapped();
    let trace = std::fs::read_to_string(trace).expect("strace wrote its trace");
    let blobs = std::fs::read_dir(dir.join("blobs"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    let found = check_trace(&trace, dir);
    eprintln!(
        "{} responses, {} fsyncs of db, blob files created {} / fsynced {}, {} fsyncs of blobs/, {} violations",
        found.acks,
        found.db_syncs,
        found.blobs_created.len(),
        found.blobs_synced.len(),
        found.blob_dir_syncs,
        found.violations.len()
    );
    (found, blobs)
}

#[test]
fn every_file_holding_an_acknowledged_write_is_fsynced_before_the_response() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().canonicalize().unwrap().join("data");
    let (found, blobs) = traced_workload(&dir, &tmp.path().join("trace.txt"));
    assert!(found.violations.is_empty(), "{:#?}", found.violations);
    assert!(found.unsynced_at_exit.is_empty(), "{found:?}");
    assert!(found.acks >= 31, "the trace shows the responses: {found:?}");
    assert!(found.db_syncs >= 30, "one fdatasync per write: {found:?}");
    // With the store's segment size no item reaches sled's blob threshold.
    assert!(blobs.is_empty(), "blob files: {blobs:?}");
    assert!(found.blobs_created.is_empty(), "{found:?}");
}

/// A store created with sled's old default segments (512 KiB) keeps them;
/// the same workload makes sled write blob files there, and each one (and
/// the `blobs/` directory) is fsynced before the response.
#[test]
fn a_store_with_the_old_segment_size_fsyncs_its_blob_files_before_the_response() {
    use mag_tracker::event_store::{SledOptions, SledStore, LEGACY_SEGMENT_SIZE};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().canonicalize().unwrap().join("data");
    let old = SledOptions {
        segment_size: Some(LEGACY_SEGMENT_SIZE),
        ..SledOptions::default()
    };
    SledStore::open(&dir, old).unwrap().close();
    let (found, _) = traced_workload(&dir, &tmp.path().join("trace.txt"));
    assert!(found.violations.is_empty(), "{:#?}", found.violations);
    assert!(found.unsynced_at_exit.is_empty(), "{found:?}");
    assert!(
        !found.blobs_created.is_empty(),
        "the workload reaches sled's blob threshold with 512 KiB segments: {found:?}"
    );
    let unsynced: Vec<_> = found
        .blobs_created
        .difference(&found.blobs_synced)
        .collect();
    assert!(
        unsynced.is_empty(),
        "blob files never fsynced: {unsynced:?}"
    );
    assert!(found.blob_dir_syncs > 0, "{found:?}");
}

/// The checker itself catches what it is for (so a pass means something).
#[test]
fn the_trace_checker_flags_unsynced_files_and_directory_entries() {
    let dir = Path::new("/d");
    let ack = r#"write(7<TCP:[127.0.0.1:8080->127.0.0.1:5000]>, "HTTP/1.1 201 Created\r\n"..., 300) = 300"#;
    let trace = [
        r#"1 openat(AT_FDCWD</>, "/d/blobs/9", O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0666) = 5</d/blobs/9>"#,
        r#"1 write(5</d/blobs/9>, "\0\0"..., 100) = 100"#,
        r#"1  pwrite64(6</d/db>, "\0\0"..., 4096, 0)      = 4096"#,
        r#"2 fdatasync(8</d/db> <unfinished ...>"#,
        r#"1 sync_file_range(6</d/db>, 0, 4096, SYNC_FILE_RANGE_WRITE) = 0"#,
        r#"2  <... fdatasync resumed>)     = 0"#,
        &format!("3 {ack}"),
        r#"1 fsync(5</d/blobs/9>) = 0"#,
        r#"1 fsync(9</d/blobs>) = 0"#,
        &format!("3 {ack}"),
        r#"1 renameat2(AT_FDCWD</>, "/d/x.tmp", AT_FDCWD</>, "/d/x", RENAME_NOREPLACE) = 0"#,
        &format!("3 {ack}"),
    ]
    .join("\n");
    let found = check_trace(&trace, dir);
    assert_eq!(found.acks, 3);
    assert_eq!(found.db_syncs, 1);
    let v = &found.violations;
    assert_eq!(v.len(), 3, "{v:#?}");
    assert!(v[0].contains(": /d/blobs changed at line 1 "), "{v:#?}");
    assert!(v[1].contains(": /d/blobs/9 changed at line 2 "), "{v:#?}");
    assert!(v[2].contains("line 12: /d changed at line 11"), "{v:#?}");
    assert_eq!(found.unsynced_at_exit, ["/d"]);
}
