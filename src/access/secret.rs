//! Token secrets: generated, parsed, hashed and compared in one place.
//!
//! A token reads `mag_<token id, 32 hex>_<secret, 64 hex>`: the id makes the
//! lookup a map access, the secret has 256 random bits from the operating
//! system. Only `sha256:<hex>` of the whole string is kept (in the
//! `TokenAangemaakt` event); a presented token is hashed and compared with
//! the stored hash in constant time. The secret type never prints itself.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

const PREFIX: &str = "mag_";
const SECRET_HEX: usize = 64;

/// A freshly issued token string. `Debug` and `Display` hide it; use
/// [`TokenSecret::expose`] exactly once, to show it to the person who asked.
pub struct TokenSecret(String);

impl TokenSecret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret(verborgen)")
    }
}

/// A new token: its id, the secret to show once, and the hash to store.
pub struct Issued {
    pub id: Uuid,
    pub secret: TokenSecret,
    pub hash: String,
}

/// Generates a token with 256 random bits.
pub fn issue() -> Result<Issued, String> {
    let mut bytes = [0u8; SECRET_HEX / 2];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness from the OS: {e}"))?;
    let id = Uuid::now_v7();
    let secret = format!("{PREFIX}{}_{}", id.simple(), hex(&bytes));
    let hash = format!("sha256:{}", hex(&digest(&secret)));
    Ok(Issued {
        id,
        secret: TokenSecret(secret),
        hash,
    })
}

/// A presented token: the id it names and the hash of the whole string.
/// `None` when it does not have the token's shape.
pub fn parse(raw: &str) -> Option<(Uuid, [u8; 32])> {
    let rest = raw.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let hexdigits = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    if id.len() != 32 || secret.len() != SECRET_HEX || !hexdigits(id) || !hexdigits(secret) {
        return None;
    }
    let id = Uuid::try_parse(id).ok()?;
    Some((id, digest(raw)))
}

/// Constant-time comparison of a stored and a presented hash.
pub fn matches(stored: &[u8; 32], presented: &[u8; 32]) -> bool {
    stored.ct_eq(presented).into()
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::token::parse_hash;

    #[test]
    fn an_issued_token_parses_and_matches_only_its_hash() {
        let t = issue().unwrap();
        let s = t.secret.expose();
        assert_eq!(s.len(), 4 + 32 + 1 + 64);
        let (id, presented) = parse(s).unwrap();
        assert_eq!(id, t.id);
        let stored = parse_hash(&t.hash).unwrap();
        assert!(matches(&stored, &presented));
        let other = issue().unwrap();
        assert!(!matches(&parse_hash(&other.hash).unwrap(), &presented));
        assert_eq!(format!("{:?}", t.secret), "TokenSecret(verborgen)");
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for bad in [
            "",
            "mag_",
            "mag_x_y",
            "Bearer",
            &format!("mag_{}_{}", "0".repeat(32), "g".repeat(64)),
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
