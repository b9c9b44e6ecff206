//! [`Opslag`]: the same synchronous methods over either backend, the local
//! sled database ([`Lokaal`]) or the tables in the shared PostgreSQL
//! database ([`super::pg::PgOpslag`]).

use std::path::Path;

use uuid::Uuid;

use super::{Aflevering, Cursor, Lokaal, OpslagError};

// One per server, behind an Arc: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Backend {
    Lokaal(Lokaal),
    #[cfg(feature = "postgres")]
    Pg(super::pg::PgOpslag),
}

/// Where the webhook side keeps secrets, cursors and deliveries.
pub struct Opslag(Backend);

impl Opslag {
    /// The local backend in `data_dir`, its key in `<data dir>/webhooks.key`.
    pub fn open(data_dir: &Path) -> Result<Self, OpslagError> {
        Self::local(data_dir, &data_dir.join("webhooks.key"))
    }

    /// The local backend in `data_dir` with the key in `key_path`.
    pub fn local(data_dir: &Path, key_path: &Path) -> Result<Self, OpslagError> {
        Ok(Self(Backend::Lokaal(Lokaal::open(data_dir, key_path)?)))
    }

    /// A local backend in memory with a random key (tests, library default).
    pub fn temporary() -> Result<Self, OpslagError> {
        Ok(Self(Backend::Lokaal(Lokaal::temporary()?)))
    }

    /// The tables in the PostgreSQL database at `url` (created if missing),
    /// with the key in `key_path`; refused when the database's key check
    /// says the other nodes use another key.
    #[cfg(feature = "postgres")]
    pub fn postgres(
        url: &str,
        ca_file: Option<&Path>,
        key_path: &Path,
    ) -> Result<Self, OpslagError> {
        Ok(Self(Backend::Pg(super::pg::PgOpslag::open(
            url, ca_file, key_path,
        )?)))
    }

    /// The PostgreSQL backend, when that is where this store lives.
    #[cfg(feature = "postgres")]
    pub(crate) fn pg(&self) -> Option<&super::pg::PgOpslag> {
        match &self.0 {
            Backend::Pg(p) => Some(p),
            Backend::Lokaal(_) => None,
        }
    }

    /// Stores secret `versie` of a subscription, encrypted, durably.
    pub fn put_secret(&self, id: Uuid, versie: u32, secret: &str) -> Result<(), OpslagError> {
        match &self.0 {
            Backend::Lokaal(l) => l.put_secret(id, versie, secret),
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => p.put_secret(id, versie, secret),
        }
    }

    /// Secret `versie` of a subscription (`None`: absent or not readable
    /// with this server's key).
    pub fn secret(&self, id: Uuid, versie: u32) -> Option<String> {
        match &self.0 {
            Backend::Lokaal(l) => l.secret(id, versie),
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => p.secret(id, versie),
        }
    }

    /// [`Self::secret`], telling "absent or not readable with this key"
    /// (`Ok(None)`) from "the store did not answer" (`Err`, PostgreSQL):
    /// deliveries pause a subscription for the first, never the second.
    pub fn try_secret(&self, id: Uuid, versie: u32) -> Result<Option<String>, OpslagError> {
        match &self.0 {
            Backend::Lokaal(l) => Ok(l.secret(id, versie)),
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => p.try_secret(id, versie),
        }
    }

    /// [`Self::cursor`], telling "none saved" (`Ok(None)`) from "the store
    /// did not answer" (`Err`): deliveries start over at `vanafPositie` for
    /// the first, and wait for the second.
    pub fn try_cursor(&self, id: Uuid) -> Result<Option<Cursor>, OpslagError> {
        match &self.0 {
            Backend::Lokaal(l) => Ok(l.cursor(id)),
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => p.try_cursor(id),
        }
    }

    pub fn cursor(&self, id: Uuid) -> Option<Cursor> {
        match &self.0 {
            Backend::Lokaal(l) => l.cursor(id),
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => p.cursor(id),
        }
    }

    /// Saves the cursor; it survives kill -9 of this process once this
    /// returns.
    pub fn set_cursor(&self, id: Uuid, c: Cursor) -> Result<(), OpslagError> {
        match &self.0 {
            Backend::Lokaal(l) => l.set_cursor(id, c),
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => p.set_cursor(id, c),
        }
    }

    /// Makes what the backend keeps in memory or in the kernel durable: on
    /// sled the cursors and recorded deliveries (see [`Lokaal::sync`]), on
    /// PostgreSQL the recorded deliveries (cursors are committed at once).
    pub fn sync(&self) -> Result<(), OpslagError> {
        match &self.0 {
            Backend::Lokaal(l) => l.sync(),
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => p.sync(),
        }
    }

    /// Records a delivery attempt, keeping the last [`super::KEPT_DELIVERIES`].
    pub fn record(&self, id: Uuid, a: &Aflevering) -> Result<(), OpslagError> {
        match &self.0 {
            Backend::Lokaal(l) => l.record(id, a),
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => p.record(id, a),
        }
    }

    /// The last `n` deliveries, newest first.
    pub fn deliveries(&self, id: Uuid, n: usize) -> Vec<Aflevering> {
        match &self.0 {
            Backend::Lokaal(l) => l.deliveries(id, n),
            #[cfg(feature = "postgres")]
            Backend::Pg(p) => p.deliveries(id, n),
        }
    }
}
