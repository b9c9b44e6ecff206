//! Which store a command opens: PostgreSQL when it is given a database URL
//! (`--database-url`, env `MAG_DATABASE_URL`), otherwise sled in the data
//! directory. The data directory is used either way for what stays local to
//! a node (read-model snapshots, token last-use dates), which `serve` writes.

use std::path::Path;
use std::sync::Arc;

use super::{EventStore, SledOptions, SledStore, StoreResult};

/// The `--database-url` option every command that opens the store takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DatabaseArg {
    /// Keep the event log in PostgreSQL instead of the data directory, e.g.
    /// postgres://mag@db.example.nl:5432/mag (several servers may share one
    /// database; the data directory then holds only node-local files).
    #[arg(long, env = "MAG_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

impl DatabaseArg {
    pub fn url(&self) -> Option<&str> {
        self.database_url.as_deref().filter(|u| !u.is_empty())
    }
}

/// Opens the store the arguments select (see the module docs).
pub fn open_store(
    data_dir: &Path,
    database: &DatabaseArg,
    sled: SledOptions,
) -> StoreResult<Arc<dyn EventStore>> {
    match database.url() {
        None => Ok(Arc::new(SledStore::open(data_dir, sled)?)),
        Some(url) => open_postgres(url),
    }
}

#[cfg(feature = "postgres")]
fn open_postgres(url: &str) -> StoreResult<Arc<dyn EventStore>> {
    let store = super::PgStore::open(url, super::PgOptions::default())?;
    tracing::info!(database = %describe(url), "event store opened on PostgreSQL");
    Ok(Arc::new(store))
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(_url: &str) -> StoreResult<Arc<dyn EventStore>> {
    Err(super::StoreError::Invalid(
        "this build has no PostgreSQL support (build with the `postgres` feature)".into(),
    ))
}

/// Host, port and database of a connection string, never its password.
pub fn describe(url: &str) -> String {
    #[cfg(feature = "postgres")]
    if let Ok(config) = super::pg::config(url) {
        let hosts: Vec<String> = config
            .get_hosts()
            .iter()
            .map(|h| match h {
                tokio_postgres::config::Host::Tcp(name) => name.clone(),
                tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        let port = config.get_ports().first().copied().unwrap_or(5432);
        return format!(
            "{}:{port}/{}",
            hosts.join(","),
            config.get_dbname().unwrap_or("(default)")
        );
    }
    let _ = url;
    "(unparsable connection string)".to_owned()
}
