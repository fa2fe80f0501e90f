//! Sign-in throttling. Failures are counted three ways, each for its own
//! purpose:
//!
//! - per account **and** address: a few wrong passwords lock that pair for a
//!   while (guessing one account from one place stops);
//! - per address: a much higher bar, so one office behind a shared proxy is
//!   not locked out by one colleague, but a guesser trying many accounts is;
//! - per account, from anywhere: never a lock (anyone could lock any account
//!   from anywhere), only a growing delay, which the right password also
//!   waits out and then passes.
//!
//! Attempts are counted *before* the password is checked, atomically, so
//! forty guesses sent at once cannot all be checked before the lock applies.

use std::time::Duration;

use super::rate::RateLimit;

/// The thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInPolicy {
    /// Attempts one address may make on one account per window.
    pub per_account_and_address: RateLimit,
    /// Attempts one address may make on all accounts per window.
    pub per_address: RateLimit,
    /// The window over which an account's failures (from anywhere) slow its
    /// sign-ins down.
    pub account_window: RateLimit,
    /// From this many failures on an account, each sign-in to it waits.
    pub slow_from: i32,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        Self {
            per_account_and_address: RateLimit::per_minutes(5, 15),
            per_address: RateLimit::per_minutes(100, 15),
            account_window: RateLimit::per_minutes(i32::MAX, 15),
            slow_from: 5,
        }
    }
}

impl SignInPolicy {
    /// How long a sign-in to an account with `failures` recent failures waits
    /// before its password is checked: nothing below [`Self::slow_from`], then
    /// a quarter second more per failure, at most 3 seconds.
    pub fn delay(&self, failures: i32) -> Duration {
        if failures < self.slow_from {
            return Duration::ZERO;
        }
        let steps = u64::try_from(failures - self.slow_from + 1).unwrap_or(1);
        Duration::from_millis(250 * steps).min(Duration::from_secs(3))
    }
}

/// The counter of attempts on `email` from `address`.
pub fn pair_bucket(email: &str, address: &str) -> String {
    format!("signin:{address}:{email}")
}

/// The counter of attempts from `address`.
pub fn address_bucket(address: &str) -> String {
    format!("signin-address:{address}")
}

/// The counter of failures on `email` from anywhere.
pub fn account_bucket(email: &str) -> String {
    format!("signin-account:{email}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attacked_account_slows_down_but_is_never_locked() {
        let p = SignInPolicy::default();
        assert_eq!(p.delay(0), Duration::ZERO);
        assert_eq!(p.delay(4), Duration::ZERO);
        assert_eq!(p.delay(5), Duration::from_millis(250));
        assert_eq!(p.delay(8), Duration::from_secs(1));
        assert_eq!(p.delay(10_000), Duration::from_secs(3), "capped, however long the attack");
    }

    #[test]
    fn one_address_is_held_to_far_more_than_one_account_from_it() {
        let p = SignInPolicy::default();
        assert!(p.per_address.max >= 10 * p.per_account_and_address.max);
        assert_ne!(pair_bucket("a@x", "192.0.2.1"), address_bucket("192.0.2.1"));
    }
}
