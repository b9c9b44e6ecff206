//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>):
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`,
//! keyed with the bytes of the secret (`whsec_` + base64). During a
//! rotation's grace period a request carries one signature per valid
//! secret, separated by a space, as the specification allows.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::hmac;

/// The prefix of a secret in Standard Webhooks' format.
pub const PREFIX: &str = "whsec_";

/// A new secret: `whsec_` + base64 of 32 random bytes (256 bits).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    format!("{PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes of a secret (`None`: not in the `whsec_` format).
pub fn key_bytes(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix(PREFIX)?).ok()
}

/// One signature, `v1,<base64>`.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(id.as_bytes());
    ctx.update(b".");
    ctx.update(timestamp.to_string().as_bytes());
    ctx.update(b".");
    ctx.update(body);
    format!("v1,{}", STANDARD.encode(ctx.sign().as_ref()))
}

/// The `webhook-signature` header: one signature per key, space-separated.
pub fn header(keys: &[Vec<u8>], id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter()
        .map(|k| sign(k, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks reference libraries' tests.
    #[test]
    fn signs_the_known_vector_of_the_standard_webhooks_specification() {
        let key = key_bytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = sign(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_rotation_sends_both_signatures() {
        let (new, old) = (key_bytes(&new_secret()).unwrap(), vec![7u8; 32]);
        assert_eq!(new.len(), 32);
        let h = header(&[new.clone(), old.clone()], "id", 1, b"{}");
        let parts: Vec<&str> = h.split(' ').collect();
        assert_eq!(
            parts,
            [sign(&new, "id", 1, b"{}"), sign(&old, "id", 1, b"{}")]
        );
        assert!(key_bytes("geheim").is_none());
    }
}
