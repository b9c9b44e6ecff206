//! TLS to PostgreSQL: rustls on the ring provider, the server's certificate
//! always verified (chain and host name, like libpq's `verify-full`).
//!
//! The connection string's `sslmode` decides whether TLS is used
//! (`disable`: never; `prefer`, tokio-postgres's default: when the server
//! offers it; `require`: always). The trusted roots are the PEM file given
//! with `--database-ca-file` (a managed database's CA bundle), else the
//! system's CA store. There is deliberately no way to accept any
//! certificate.

use std::error::Error as _;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use tokio_postgres::config::SslMode;
use tokio_postgres::Config;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::super::{StoreError, StoreResult};

/// The connector for `config`: `None` for plain connections, else rustls
/// trusting `ca_file` or the system's roots. A given CA file is always
/// checked (a typo shows at start-up, whatever the sslmode). With
/// `sslmode=prefer` (the default) and no roots at all (no CA file, an empty
/// system store) the connection is plain, with a warning; `require` then
/// fails.
pub(super) fn connector(
    config: &Config,
    ca_file: Option<&Path>,
) -> StoreResult<Option<MakeRustlsConnect>> {
    let roots = match ca_file {
        Some(path) => Some(roots_from_file(path)?),
        None if config.get_ssl_mode() == SslMode::Disable => None,
        None => system_roots(config.get_ssl_mode())?,
    };
    let Some(roots) = roots.filter(|_| config.get_ssl_mode() != SslMode::Disable) else {
        return Ok(None);
    };
    // ring, not aws-lc (no cmake/C toolchain in the build); rustls 0.23.48
    // deprecates it only for lacking post-quantum key exchange.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Setup(format!("TLS set-up: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Some(MakeRustlsConnect::new(tls)))
}

/// Every certificate in a PEM file; an unreadable file, one that is not PEM
/// or one without a usable certificate is an error naming the file.
fn roots_from_file(path: &Path) -> StoreResult<RootCertStore> {
    let bad =
        |why: String| StoreError::Setup(format!("--database-ca-file {}: {why}", path.display()));
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| bad(format!("not a PEM file of certificates: {e}")))?;
    if certs.is_empty() {
        return Err(bad(
            "holds no certificate (expected one or more PEM blocks \"BEGIN CERTIFICATE\")".into(),
        ));
    }
    let mut roots = RootCertStore::empty();
    for (n, cert) in certs.into_iter().enumerate() {
        roots
            .add(cert)
            .map_err(|e| bad(format!("certificate {} is not usable: {e}", n + 1)))?;
    }
    Ok(roots)
}

/// The system's CA store; `None` when it is empty and `sslmode` only
/// prefers TLS.
fn system_roots(mode: SslMode) -> StoreResult<Option<RootCertStore>> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(found.certs);
    if !roots.is_empty() {
        return Ok(Some(roots));
    }
    let errors: Vec<String> = found.errors.iter().map(|e| e.to_string()).collect();
    let detail = if errors.is_empty() {
        String::new()
    } else {
        format!(" ({})", errors.join("; "))
    };
    if mode == SslMode::Prefer {
        tracing::warn!(
            "the system's CA store is empty{detail} and no --database-ca-file was given: \
             connecting to PostgreSQL without TLS (sslmode=prefer); use sslmode=require \
             with --database-ca-file for TLS"
        );
        return Ok(None);
    }
    Err(StoreError::Setup(format!(
        "TLS to PostgreSQL (sslmode=require) needs trusted CA certificates, and the system's \
         CA store has none{detail}; give the database's CA with --database-ca-file (env \
         MAG_DATABASE_CA_FILE)"
    )))
}

/// A connection failure in plain words when the server's certificate was
/// refused (else `None`).
pub(super) fn untrusted(error: &tokio_postgres::Error) -> Option<String> {
    let mut source = error.source();
    while let Some(e) = source {
        let rustls_error = e.downcast_ref::<rustls::Error>().or_else(|| {
            e.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(rustls::Error::InvalidCertificate(why)) = rustls_error {
            return Some(format!(
                "PostgreSQL: the server's TLS certificate was not trusted ({why:?}); give the CA \
                 that signed it with --database-ca-file (env MAG_DATABASE_CA_FILE), or check the \
                 host name in the database URL"
            ));
        }
        source = e.source();
    }
    None
}
