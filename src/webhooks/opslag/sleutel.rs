//! The server key that encrypts the signing secrets at rest (32 random
//! bytes in `webhooks.key`, or the file `--webhooks-key-file` names), and
//! the sealing both stores use: ChaCha20-Poly1305 with a random nonce per
//! secret and the subscription id as associated data, so a ciphertext
//! copied to another subscription does not decrypt. On PostgreSQL the
//! database also keeps a [`check`] of the key, so a node started with
//! another key refuses to start instead of failing to sign later.

use std::path::Path;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::hmac;
use uuid::Uuid;

use super::OpslagError;

/// What the key check is an HMAC of (changing it invalidates every check).
const CHECK_LABEL: &[u8] = b"mag-tracker webhooks.key check v1";

/// Reads the server key, or creates it (32 random bytes, mode 0600).
pub(crate) fn key_file(path: &Path) -> Result<[u8; 32], OpslagError> {
    match std::fs::read(path) {
        Ok(bytes) => bytes
            .try_into()
            .map_err(|_| OpslagError::BadKey(path.display().to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let key = random_key()?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            use std::io::Write;
            let mut f = options.open(path)?;
            f.write_all(&key)?;
            f.sync_all()?;
            // Its directory entry too: the key outlives a power loss.
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::File::open(dir)?.sync_all()?;
            }
            Ok(key)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn random_key() -> Result<[u8; 32], OpslagError> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(key)
}

pub(crate) fn aead(key: &[u8; 32]) -> Result<LessSafeKey, OpslagError> {
    let unbound = UnboundKey::new(&CHACHA20_POLY1305, key)
        .map_err(|_| OpslagError::BadKey("(in memory)".into()))?;
    Ok(LessSafeKey::new(unbound))
}

/// `nonce ‖ ciphertext ‖ tag` of `secret` for subscription `id`.
pub(crate) fn seal(key: &LessSafeKey, id: Uuid, secret: &str) -> Result<Vec<u8>, OpslagError> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut sealed = secret.as_bytes().to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(id.as_bytes()),
        &mut sealed,
    )
    .map_err(|_| std::io::Error::other("encryption failed"))?;
    let mut value = nonce.to_vec();
    value.extend_from_slice(&sealed);
    Ok(value)
}

/// The secret in `value` (`None`: not sealed with this key for `id`).
pub(crate) fn unseal(key: &LessSafeKey, id: Uuid, value: &[u8]) -> Option<String> {
    if value.len() < NONCE_LEN {
        return None;
    }
    let (nonce, sealed) = value.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut buf = sealed.to_vec();
    let plain = key
        .open_in_place(nonce, Aad::from(id.as_bytes()), &mut buf)
        .ok()?;
    String::from_utf8(plain.to_vec()).ok()
}

/// The key check kept in the database: HMAC-SHA256 of a fixed label under
/// the key (it tells whether two nodes have the same key without saying
/// anything about the key).
pub(crate) fn check(key: &[u8; 32]) -> Vec<u8> {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::sign(&k, CHECK_LABEL).as_ref().to_vec()
}

/// Whether `stored` is the check of `key` (constant time).
pub(crate) fn matches(key: &[u8; 32], stored: &[u8]) -> bool {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::verify(&k, CHECK_LABEL, stored).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_tells_keys_apart_and_reveals_neither() {
        let (a, b) = ([1u8; 32], [2u8; 32]);
        let c = check(&a);
        assert!(matches(&a, &c));
        assert!(!matches(&b, &c));
        assert!(!c.windows(32).any(|w| w == a));
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_subscription_and_key() {
        let key = aead(&[7u8; 32]).unwrap();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let v = seal(&key, a, "whsec_abc").unwrap();
        assert_eq!(unseal(&key, a, &v).as_deref(), Some("whsec_abc"));
        assert_eq!(unseal(&key, b, &v), None);
        assert_eq!(unseal(&aead(&[8u8; 32]).unwrap(), a, &v), None);
    }
}
