//! Upgrading nodes that ran on PostgreSQL before the webhook store moved
//! there: their secrets and cursors are still in `<data dir>/webhooks/`,
//! sealed with `<data dir>/webhooks.key`. On its first start on the shared
//! store a node copies what the database lacks (each secret opened with the
//! local key and sealed again with the shared one; a cursor only where the
//! database has none), then leaves a note in that directory and never reads
//! it again. Without the copy, every subscription would be paused for a
//! missing secret and start over at its `vanafPositie`.

use std::collections::BTreeSet;
use std::path::Path;

use uuid::Uuid;

use super::{Lokaal, Opslag, OpslagError};

/// The note left in the old directory once it was copied.
pub const NOTE: &str = "MOVED-TO-POSTGRESQL.txt";

impl Lokaal {
    /// Subscription and version of every stored secret.
    fn secret_versions(&self) -> Vec<(Uuid, u32)> {
        self.secrets
            .iter()
            .keys()
            .filter_map(|k| {
                let k = k.ok()?;
                let id = Uuid::from_slice(k.get(..16)?).ok()?;
                let versie = u32::from_be_bytes(k.get(16..20)?.try_into().ok()?);
                Some((id, versie))
            })
            .collect()
    }
}

/// Copies the local store in `data_dir` (if any, and not copied before)
/// into `to`; the number of secrets and cursors copied.
pub fn move_local(data_dir: &Path, to: &Opslag) -> Result<(usize, usize), OpslagError> {
    let dir = data_dir.join("webhooks");
    let key = data_dir.join("webhooks.key");
    if !dir.join("db").exists() || dir.join(NOTE).exists() {
        return Ok((0, 0));
    }
    if !key.exists() {
        tracing::warn!(
            dir = %dir.display(),
            "a local webhook store without its key file: its secrets cannot be read and are not copied"
        );
        return Ok((0, 0));
    }
    let local = Lokaal::open(data_dir, &key)?;
    let (mut secrets, mut cursors) = (0, 0);
    let mut ids = BTreeSet::new();
    for (id, versie) in local.secret_versions() {
        ids.insert(id);
        if to.secret(id, versie).is_some() {
            continue;
        }
        if let Some(secret) = local.secret(id, versie) {
            to.put_secret(id, versie, &secret)?;
            secrets += 1;
        }
    }
    for id in ids {
        if to.cursor(id).is_none() {
            if let Some(c) = local.cursor(id) {
                to.set_cursor(id, c)?;
                cursors += 1;
            }
        }
    }
    let note = format!(
        "The webhook secrets and cursors in this directory were copied to the PostgreSQL \
         database on {} ({secrets} secrets, {cursors} cursors). mag-tracker no longer reads \
         this directory; it may be removed.\n",
        chrono::Utc::now().to_rfc3339()
    );
    std::fs::write(dir.join(NOTE), note)?;
    Ok((secrets, cursors))
}
