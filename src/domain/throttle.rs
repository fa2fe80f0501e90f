//! Sign-in throttling: repeated failures for one account or from one address
//! first slow down and then lock for a while. Pure rules over a small state.

use chrono::{Duration, NaiveDateTime};

/// The thresholds.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures counted within this window.
    pub window: Duration,
    /// From this many failures on, each answer is delayed.
    pub slow_after: i32,
    /// This many failures within the window lock the key.
    pub lock_after: i32,
    /// How long a lock lasts.
    pub lock_for: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self { window: Duration::minutes(15), slow_after: 3, lock_after: 5, lock_for: Duration::minutes(15) }
    }
}

/// What is known about one key (an account's e-mail or a client address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleState {
    /// Failures in the current window.
    pub failures: i32,
    /// When the current window started.
    pub window_started_at: NaiveDateTime,
    /// Locked until then, if locked.
    pub locked_until: Option<NaiveDateTime>,
}

impl ThrottlePolicy {
    /// True while the key is locked.
    pub fn is_locked(&self, state: Option<&ThrottleState>, now: NaiveDateTime) -> bool {
        state.and_then(|s| s.locked_until).is_some_and(|until| now < until)
    }

    /// The state after one more failure.
    pub fn record_failure(&self, state: Option<&ThrottleState>, now: NaiveDateTime) -> ThrottleState {
        let fresh = ThrottleState { failures: 0, window_started_at: now, locked_until: None };
        let mut s = match state {
            Some(s) if now - s.window_started_at < self.window && !self.lock_expired(s, now) => s.clone(),
            _ => fresh,
        };
        s.failures += 1;
        if s.failures >= self.lock_after {
            s.locked_until = Some(now + self.lock_for);
        }
        s
    }

    fn lock_expired(&self, s: &ThrottleState, now: NaiveDateTime) -> bool {
        s.locked_until.is_some_and(|until| now >= until)
    }

    /// How long to hold the answer to a failed attempt (slows guessing).
    pub fn delay(&self, state: &ThrottleState) -> std::time::Duration {
        if state.failures >= self.slow_after {
            std::time::Duration::from_millis(500 * u64::try_from(state.failures - self.slow_after + 1).unwrap_or(1))
                .min(std::time::Duration::from_secs(3))
        } else {
            std::time::Duration::ZERO
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24).and_then(|d| d.and_hms_opt(12, 0, 0)).expect("time")
            + Duration::minutes(min)
    }

    #[test]
    fn five_failures_in_the_window_lock_for_fifteen_minutes() {
        let p = ThrottlePolicy::default();
        let mut s = None;
        for i in 0..4 {
            let next = p.record_failure(s.as_ref(), t(i));
            assert!(!p.is_locked(Some(&next), t(i)));
            s = Some(next);
        }
        let locked = p.record_failure(s.as_ref(), t(4));
        assert!(p.is_locked(Some(&locked), t(5)));
        assert!(p.is_locked(Some(&locked), t(18)));
        assert!(!p.is_locked(Some(&locked), t(19)), "the lock runs out");
        let after = p.record_failure(Some(&locked), t(20));
        assert_eq!(after.failures, 1, "a new window starts after the lock");
    }

    #[test]
    fn failures_outside_the_window_start_again_and_slow_down_first() {
        let p = ThrottlePolicy::default();
        let a = p.record_failure(None, t(0));
        let b = p.record_failure(Some(&a), t(16));
        assert_eq!(b.failures, 1);
        assert_eq!(p.delay(&b), std::time::Duration::ZERO);
        let s = ThrottleState { failures: 3, window_started_at: t(0), locked_until: None };
        assert!(p.delay(&s) > std::time::Duration::ZERO);
    }
}
