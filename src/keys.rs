//! Secrets in forms and links: anti-forgery tokens, idempotency keys and
//! tracking tokens. Tokens are HMAC-SHA-256 under a server key shared by all
//! instances; only hashes of tracking tokens are stored.

use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// How long a served form stays valid for posting.
pub const FORM_TOKEN_MAX_AGE_SECS: i64 = 24 * 3600;

/// `n` random bytes from the OS-seeded CSPRNG, hex-encoded.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// SHA-256 of a string, hex-encoded (what we store instead of a secret).
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// True if `s` looks like an idempotency key we issued (32 hex digits).
pub fn is_idempotency_key(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The server key and what it signs.
#[derive(Clone)]
pub struct Keys {
    key: Vec<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(…)")
    }
}

impl Keys {
    /// Builds from a hex key (at least 32 bytes).
    pub fn from_hex(hex_key: &str) -> anyhow::Result<Self> {
        let key = hex::decode(hex_key.trim()).map_err(|_| anyhow::anyhow!("the server key is not hex"))?;
        anyhow::ensure!(key.len() >= 32, "the server key must be at least 32 bytes");
        Ok(Self { key })
    }

    fn mac(&self, parts: &[&str]) -> HmacSha256 {
        // new_from_slice only fails for key sizes HMAC cannot take; any
        // length works for HMAC, so this cannot fail.
        let mut mac = match HmacSha256::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        };
        for p in parts {
            mac.update(p.as_bytes());
            mac.update(&[0]);
        }
        mac
    }

    /// The anti-forgery token of a partner form, bound to the form and its
    /// idempotency key: `issued_unix.hexmac`.
    pub fn form_token(&self, form: &str, idempotency_key: &str, issued: i64) -> String {
        let ts = issued.to_string();
        let tag = self.mac(&["form", form, idempotency_key, &ts]).finalize().into_bytes();
        format!("{ts}.{}", hex::encode(tag))
    }

    /// Checks a partner form's token (signature, form, key and age).
    pub fn verify_form_token(&self, form: &str, idempotency_key: &str, token: &str, now: i64) -> bool {
        let Some((ts, tag_hex)) = token.split_once('.') else { return false };
        let Ok(issued) = ts.parse::<i64>() else { return false };
        if issued > now + 300 || now - issued > FORM_TOKEN_MAX_AGE_SECS {
            return false;
        }
        let Ok(tag) = hex::decode(tag_hex) else { return false };
        self.mac(&["form", form, idempotency_key, ts]).verify_slice(&tag).is_ok()
    }

    /// The tracking token of the case filed with this idempotency key
    /// (256 bits; a repeat of the same form finds the same case and link).
    pub fn tracking_token(&self, idempotency_key: &str) -> String {
        hex::encode(self.mac(&["track", idempotency_key]).finalize().into_bytes())
    }

    /// The anti-forgery token of a staff session.
    pub fn session_csrf(&self, session_token_hash: &str) -> String {
        hex::encode(self.mac(&["staff-csrf", session_token_hash]).finalize().into_bytes())
    }

    /// Constant-time check of a staff session's anti-forgery token.
    pub fn verify_session_csrf(&self, session_token_hash: &str, token: &str) -> bool {
        let Ok(tag) = hex::decode(token) else { return false };
        self.mac(&["staff-csrf", session_token_hash]).verify_slice(&tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::from_hex(&"ab".repeat(32)).expect("key")
    }

    #[test]
    fn form_tokens_bind_form_key_and_age() {
        let k = keys();
        let idem = random_hex(16);
        let t = k.form_token("kpi", &idem, 1_000_000);
        assert!(k.verify_form_token("kpi", &idem, &t, 1_000_100));
        assert!(!k.verify_form_token("directory", &idem, &t, 1_000_100), "other form");
        assert!(!k.verify_form_token("kpi", &random_hex(16), &t, 1_000_100), "other key");
        assert!(!k.verify_form_token("kpi", &idem, &t, 1_000_000 + FORM_TOKEN_MAX_AGE_SECS + 1), "expired");
        assert!(!k.verify_form_token("kpi", &idem, "garbage", 1_000_100));
        let other = Keys::from_hex(&"cd".repeat(32)).expect("key");
        assert!(!other.verify_form_token("kpi", &idem, &t, 1_000_100), "other server key");
    }

    #[test]
    fn tracking_tokens_are_long_and_stable() {
        let k = keys();
        let idem = random_hex(16);
        assert_eq!(k.tracking_token(&idem), k.tracking_token(&idem));
        assert_eq!(k.tracking_token(&idem).len(), 64);
        assert_ne!(k.tracking_token(&idem), k.tracking_token(&random_hex(16)));
        assert!(is_idempotency_key(&idem));
        assert!(!is_idempotency_key("xyz"));
    }

    #[test]
    fn session_csrf_round_trips() {
        let k = keys();
        let t = k.session_csrf("h1");
        assert!(k.verify_session_csrf("h1", &t));
        assert!(!k.verify_session_csrf("h2", &t));
    }
}
