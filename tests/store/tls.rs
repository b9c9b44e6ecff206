//! TLS to PostgreSQL (`sslmode` in the URL, `--database-ca-file`): a
//! cluster of its own that takes only TLS over TCP, with a certificate from
//! a throw-away CA made here with the `openssl` command.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use mag_tracker::event_store::{EventStore, ExpectedVersion, PgOptions, PgStore, StoreError};
use uuid::Uuid;

use super::{all, ev, one, support_pg};

/// A CA, a server certificate for 127.0.0.1/localhost it signed, and an
/// unrelated CA; `None` (said on stderr) without the `openssl` command.
struct Certs {
    dir: tempfile::TempDir,
}

impl Certs {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn make_certs(test: &str) -> Option<Certs> {
    let present = Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !present {
        eprintln!("SKIPPED {test}: no openssl command to make test certificates");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    for (name, cn) in [("ca", "mag test CA"), ("other-ca", "some other CA")] {
        let (key, crt, subj) = (
            format!("{name}.key"),
            format!("{name}.crt"),
            format!("/CN={cn}"),
        );
        let mut args = vec!["req", "-x509", "-days", "2", "-subj", &subj];
        args.extend(ec);
        args.extend(["-keyout", &key, "-out", &crt]);
        args.extend(["-addext", "basicConstraints=critical,CA:TRUE"]);
        args.extend(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        openssl(d, &args);
    }
    let mut args = vec!["req", "-new", "-subj", "/CN=localhost"];
    args.extend(ec);
    args.extend(["-keyout", "server.key", "-out", "server.csr"]);
    openssl(d, &args);
    std::fs::write(
        d.join("server.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    );
    Some(Certs { dir })
}

fn open(url: &str, ca_file: Option<PathBuf>) -> Result<PgStore, StoreError> {
    PgStore::open(
        url,
        PgOptions {
            ca_file,
            ..PgOptions::default()
        },
    )
}

fn append_and_read_back(store: &dyn EventStore) {
    let stream = Uuid::now_v7();
    let out = store
        .append(one(
            stream,
            ExpectedVersion::NoStream,
            vec![ev("A"), ev("B")],
        ))
        .wait()
        .unwrap();
    assert_eq!(out.last_position, 2);
    let kinds: Vec<String> = all(store).into_iter().map(|e| e.event_type).collect();
    assert_eq!(kinds, ["A", "B"]);
}

#[test]
fn postgres_tls_require_with_the_ca_file_appends_and_reads_back_over_tls() {
    let test = "postgres_tls_require_with_the_ca_file_appends_and_reads_back_over_tls";
    let Some(certs) = make_certs(test) else {
        return;
    };
    let Some(cluster) =
        support_pg::tls_cluster(test, &certs.path("server.crt"), &certs.path("server.key"))
    else {
        return;
    };
    let url = format!(
        "postgres://mag@127.0.0.1:{}/postgres?sslmode=require",
        cluster.port
    );
    let store = open(&url, Some(certs.path("ca.crt"))).expect("TLS with the CA file");
    append_and_read_back(&store);
    // Every connection of the store (writer, follower) is encrypted; the
    // cluster takes no other TCP connection anyway (hostssl only).
    let over_tls = cluster.query(
        "SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_activity a \
         JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = 'mag-tracker'",
    );
    let (tls, total) = over_tls.split_once('|').unwrap();
    assert!(
        total.parse::<u32>().unwrap() >= 1,
        "no store connection seen"
    );
    assert_eq!(tls, total, "connections over TLS | all: {over_tls}");
    store.close();
    // The default sslmode (prefer) takes TLS too, verified the same way.
    let prefer = format!("postgres://mag@127.0.0.1:{}/postgres", cluster.port);
    let store = open(&prefer, Some(certs.path("ca.crt"))).expect("sslmode=prefer with the CA");
    assert_eq!(all(&store).len(), 2);
    store.close();
}

#[test]
fn postgres_tls_an_untrusted_server_certificate_is_refused_in_plain_words() {
    let test = "postgres_tls_an_untrusted_server_certificate_is_refused_in_plain_words";
    let Some(certs) = make_certs(test) else {
        return;
    };
    let Some(cluster) =
        support_pg::tls_cluster(test, &certs.path("server.crt"), &certs.path("server.key"))
    else {
        return;
    };
    let url = format!(
        "postgres://mag@127.0.0.1:{}/postgres?sslmode=require",
        cluster.port
    );
    // The system's roots (no CA file), then the wrong CA.
    for ca in [None, Some(certs.path("other-ca.crt"))] {
        let Err(error) = open(&url, ca.clone()) else {
            panic!("connected with CA {ca:?} though the certificate is not trusted");
        };
        let message = error.to_string();
        eprintln!("CA {ca:?}: {message}");
        assert!(
            message.contains("certificate was not trusted")
                && message.contains("--database-ca-file"),
            "CA {ca:?}: {message}"
        );
    }
    // Nothing was written by the refused attempts.
    assert_eq!(
        cluster.query("SELECT count(*) FROM pg_tables WHERE tablename = 'mag_events'"),
        "0"
    );
}

#[test]
fn postgres_tls_a_bad_ca_file_is_a_startup_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let broken = dir.path().join("broken.pem");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    // Checked before any connection: no server at this port is needed.
    let url = "postgres://mag@127.0.0.1:1/postgres?sslmode=require";
    for (file, why) in [
        (&missing, "cannot read it"),
        (&garbage, "holds no certificate"),
        (&broken, "not usable"),
    ] {
        let Err(error) = open(url, Some(file.clone())) else {
            panic!("{} was accepted", file.display());
        };
        let message = error.to_string();
        assert!(
            message.contains(&file.display().to_string()) && message.contains(why),
            "{message}"
        );
    }
}

#[test]
fn postgres_tls_sslmode_disable_still_works_without_tls() {
    let Some(db) = support_pg::database("postgres_tls_sslmode_disable_still_works_without_tls")
    else {
        return;
    };
    let sep = if db.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{sep}sslmode=disable", db.url);
    let store = open(&url, None).unwrap();
    append_and_read_back(&store);
    store.close();
}
