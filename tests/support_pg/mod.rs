//! A PostgreSQL server for tests: `MAG_TEST_DATABASE_URL` when set (a
//! server the caller runs, e.g. scripts/test's cluster), otherwise a
//! throw-away cluster this test process starts in a temporary directory on
//! a free port (initdb + pg_ctl, as the `postgres` user when run as root)
//! and a watchdog removes when the process ends. Each test gets a fresh
//! database. Without PostgreSQL binaries the tests that need it are
//! skipped, and say so on stderr (scripts/test lists them as skipped).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// A fresh, empty database; dropped (best effort) with this value.
pub struct TestDb {
    pub url: String,
    admin: String,
    name: String,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = mag_tracker::event_store::drop_database(&self.admin, &self.name);
    }
}

/// The server's admin URL (its `postgres` database) and, for a cluster of
/// our own, its data directory and binaries.
pub struct Server {
    pub admin_url: String,
    pub cluster: Option<(PathBuf, PathBuf, String)>,
}

static SERVER: OnceLock<Option<Server>> = OnceLock::new();

/// A new database, or `None` (after a loud note) when there is no
/// PostgreSQL to test against.
pub fn database(test: &str) -> Option<TestDb> {
    let server = server(test)?;
    let name = format!("mag_test_{}", uuid::Uuid::now_v7().simple());
    mag_tracker::event_store::create_database(&server.admin_url, &name)
        .expect("creating a test database");
    Some(TestDb {
        url: with_database(&server.admin_url, &name),
        admin: server.admin_url.clone(),
        name,
    })
}

pub fn server(test: &str) -> Option<&'static Server> {
    let server = SERVER.get_or_init(start).as_ref();
    if server.is_none() {
        eprintln!(
            "SKIPPED {test}: no PostgreSQL (set MAG_TEST_DATABASE_URL, or install initdb/pg_ctl, e.g. Debian's postgresql package)"
        );
    }
    server
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{base}/{name}{query}")
}

pub fn pg_bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|d| d.join("initdb").exists() && d.join("pg_ctl").exists())
    });
    if on_path.is_some() {
        return on_path;
    }
    let mut versions: Vec<u32> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    versions.sort_unstable();
    versions
        .into_iter()
        .rev()
        .map(|v| PathBuf::from(format!("/usr/lib/postgresql/{v}/bin")))
        .find(|d| d.join("initdb").exists())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL binary, as `postgres` when we are root.
fn pg_command(bin: &Path, tool: &str, root: bool) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        c
    } else {
        Command::new(bin.join(tool))
    }
}

/// `initdb` of a throw-away cluster in `data` (superuser `mag`, trust).
fn initdb(bin: &Path, root: bool, data: &Path) {
    let ok = pg_command(bin, "initdb", root)
        .args(["-U", "mag", "-A", "trust", "--no-sync", "-E", "UTF8", "-D"])
        .arg(data)
        .stdout(Stdio::null())
        .status()
        .expect("initdb runs")
        .success();
    assert!(ok, "initdb failed in {}", data.display());
}

/// Starts the cluster in `data` with `options`, its log beside `data`.
fn pg_ctl_start(bin: &Path, root: bool, data: &Path, options: &str) -> bool {
    pg_command(bin, "pg_ctl", root)
        .args(["-w", "-t", "60", "-o", options, "-l"])
        .arg(data.parent().unwrap().join("log"))
        .arg("-D")
        .arg(data)
        .arg("start")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start() -> Option<Server> {
    if let Ok(url) = std::env::var("MAG_TEST_DATABASE_URL") {
        if !url.is_empty() {
            return Some(Server {
                admin_url: url,
                cluster: None,
            });
        }
    }
    let bin = pg_bin_dir()?;
    let root = is_root();
    let dir = tempfile::Builder::new()
        .prefix("mag-pg-")
        .tempdir()
        .expect("temp dir")
        .keep();
    let data = dir.join("data");
    if root {
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777))
            .unwrap();
    }
    initdb(&bin, root, &data);
    let port = free_port();
    // fsync off: the tests kill nodes, never the machine; a throw-away cluster.
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
        dir.display()
    );
    let ok = pg_ctl_start(&bin, root, &data, &options);
    assert!(ok, "pg_ctl start failed; see {}/log", dir.display());
    watchdog(&bin, &dir, &data, root);
    Some(Server {
        admin_url: format!("postgres://mag@127.0.0.1:{port}/postgres"),
        cluster: Some((data, bin, options)),
    })
}

/// Stops the cluster and removes its directory once this process is gone.
fn watchdog(bin: &Path, dir: &Path, data: &Path, root: bool) {
    let as_pg = if root { "runuser -u postgres -- " } else { "" };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {as_pg}'{ctl}' -D '{data}' stop -m immediate; rm -rf '{dir}'",
        pid = std::process::id(),
        ctl = bin.join("pg_ctl").display(),
        data = data.display(),
        dir = dir.display(),
    );
    // `setsid -f` forks the watchdog off and returns at once.
    let started = Command::new("setsid")
        .args(["-f", "sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(started, "the cluster's watchdog did not start");
}

/// Our own cluster's data directory, binaries and options; `None` when the
/// server is not ours (`MAG_TEST_DATABASE_URL`).
fn own_cluster() -> Option<&'static (PathBuf, PathBuf, String)> {
    SERVER.get()?.as_ref()?.cluster.as_ref()
}

/// Stops our own cluster (fast shutdown: sessions are ended, as in a
/// restart of a managed database); `false` when the server is not ours.
pub fn stop_cluster() -> bool {
    let Some((data, bin, _)) = own_cluster() else {
        return false;
    };
    let ok = pg_command(bin, "pg_ctl", is_root())
        .args(["-w", "-m", "fast", "-D"])
        .arg(data)
        .arg("stop")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "pg_ctl stop failed");
    true
}

/// Starts our own cluster again on the same port.
pub fn start_cluster() {
    let (data, bin, options) = own_cluster().expect("our own cluster");
    let ok = pg_ctl_start(bin, is_root(), data, options);
    assert!(ok, "pg_ctl start failed");
}

/// A throw-away cluster of its own that only takes TLS over TCP
/// (`hostssl`, plus trust on its Unix socket for checks), serving `cert`
/// and `key`; `None` (after a loud note) without PostgreSQL binaries.
pub struct TlsCluster {
    pub port: u16,
    /// Directory of the Unix socket (for `psql -h`).
    pub socket_dir: PathBuf,
    pub bin: PathBuf,
}

pub fn tls_cluster(test: &str, cert: &Path, key: &Path) -> Option<TlsCluster> {
    let Some(bin) = pg_bin_dir() else {
        eprintln!("SKIPPED {test}: no PostgreSQL binaries (initdb/pg_ctl, e.g. Debian's postgresql package)");
        return None;
    };
    let root = is_root();
    let dir = tempfile::Builder::new()
        .prefix("mag-pgtls-")
        .tempdir()
        .expect("temp dir")
        .keep();
    let data = dir.join("data");
    let (cert_file, key_file) = (dir.join("server.crt"), dir.join("server.key"));
    std::fs::copy(cert, &cert_file).unwrap();
    std::fs::copy(key, &key_file).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    if root {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        // PostgreSQL refuses a key file not owned by its user (or root with 0640).
        let ok = Command::new("chown")
            .arg("postgres")
            .arg(&cert_file)
            .arg(&key_file)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "chown postgres of the TLS files failed");
    }
    initdb(&bin, root, &data);
    // TCP only with TLS: a plain connection finds no pg_hba.conf line.
    let hba = "local all all trust\nhostssl all all 127.0.0.1/32 trust\n";
    let hba_file = dir.join("pg_hba.conf");
    std::fs::write(&hba_file, hba).unwrap();
    if root {
        let _ = Command::new("chown")
            .arg("postgres")
            .arg(&hba_file)
            .status();
    }
    let port = free_port();
    let options = format!(
        "-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c ssl=on \
         -c ssl_cert_file={dir}/server.crt -c ssl_key_file={dir}/server.key \
         -c hba_file={dir}/pg_hba.conf",
        dir = dir.display()
    );
    let ok = pg_ctl_start(&bin, root, &data, &options);
    assert!(ok, "pg_ctl start (TLS) failed; see {}/log", dir.display());
    watchdog(&bin, &dir, &data, root);
    Some(TlsCluster {
        port,
        socket_dir: dir,
        bin,
    })
}

impl TlsCluster {
    /// One value from a query as user `mag` on the Unix socket (no TLS).
    pub fn query(&self, sql: &str) -> String {
        let psql = self.bin.join("psql");
        let psql = if psql.exists() { psql } else { "psql".into() };
        let out = Command::new(psql)
            .arg("-h")
            .arg(&self.socket_dir)
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "mag",
                "-d",
                "postgres",
                "-Atc",
                sql,
            ])
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

/// The output of one query (`psql -At`) on the database at `url`.
pub fn psql(url: &str, sql: &str) -> String {
    let psql = pg_bin_dir()
        .map(|d| d.join("psql"))
        .filter(|p| p.exists())
        .unwrap_or_else(|| "psql".into());
    let out = Command::new(psql)
        .args(["-d", url, "-Atc", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
