//! Password hashing with argon2id (RustCrypto `argon2`). Each hash costs
//! ~19 MiB and a core for a moment, so it runs off the executor and behind
//! the password [`Gate`] (a bounded number at once, whoever asks).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::AppError;
use crate::gate::Gate;

fn hash_now(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("password hashing failed: {e}")))
}

fn verify_now(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the account does not exist, so that a
/// wrong e-mail costs as long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_now("not a real password, never matches").unwrap_or_default())
}

/// Hashes a password with argon2id, when the gate lets it.
pub async fn hash(gate: &Gate, password: String) -> Result<String, AppError> {
    let _pass = gate.enter().await?;
    actix_web::web::block(move || hash_now(&password)).await?
}

/// Checks a password against a stored hash, when the gate lets it. With no
/// stored hash (no such account) it checks against a dummy one, so the
/// answer takes as long, and is false.
pub async fn verify(gate: &Gate, password: String, stored: Option<String>) -> Result<bool, AppError> {
    let _pass = gate.enter().await?;
    Ok(actix_web::web::block(move || match stored {
        Some(hash) => verify_now(&password, &hash),
        None => {
            let _ = verify_now(&password, dummy_hash());
            false
        }
    })
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify_only_their_password() {
        let h = hash_now("correct horse battery staple").expect("hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_now("correct horse battery staple", &h));
        assert!(!verify_now("correct horse battery stapler", &h));
        assert!(!verify_now("anything", "not a hash"));
    }
}
