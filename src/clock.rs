//! The time every rule is measured from. The application asks its `Clock`
//! for now and today instead of reading the system clock in place, so a test
//! can pin the date ("filed on 14 March") or move time forward (a session
//! left idle, a reopen window that closes) without waiting.

use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, NaiveDateTime};

/// Now and today, in UTC. Cheap to clone; clones share one time.
#[derive(Clone)]
pub struct Clock {
    manual: Option<Arc<Mutex<NaiveDateTime>>>,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.manual {
            None => f.write_str("Clock(system)"),
            Some(_) => write!(f, "Clock(pinned at {})", self.now()),
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock that stands at `at` until moved with [`Clock::set`] or
    /// [`Clock::advance`].
    pub fn pinned(at: NaiveDateTime) -> Self {
        Self { manual: Some(Arc::new(Mutex::new(at))) }
    }

    /// Now (UTC), as stored.
    pub fn now(&self) -> NaiveDateTime {
        match &self.manual {
            None => chrono::Utc::now().naive_utc(),
            Some(at) => *at.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Today's date (UTC), the date every calendar rule is measured from.
    pub fn today(&self) -> NaiveDate {
        self.now().date()
    }

    /// Now as Unix seconds (what form tokens carry).
    pub fn unix(&self) -> i64 {
        self.now().and_utc().timestamp()
    }

    /// Moves a pinned clock to `at` (a system clock ignores it).
    pub fn set(&self, at: NaiveDateTime) {
        if let Some(m) = &self.manual {
            *m.lock().unwrap_or_else(|p| p.into_inner()) = at;
        }
    }

    /// Moves a pinned clock forward by `by` (a system clock ignores it).
    pub fn advance(&self, by: chrono::Duration) {
        if let Some(m) = &self.manual {
            let mut at = m.lock().unwrap_or_else(|p| p.into_inner());
            *at += by;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_clock_stands_still_until_moved_and_clones_share_it() {
        let at = NaiveDate::from_ymd_opt(2026, 3, 14).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("date");
        let clock = Clock::pinned(at);
        let other = clock.clone();
        assert_eq!(clock.now(), at);
        other.advance(chrono::Duration::days(1));
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 3, 15).expect("date"));
        clock.set(at);
        assert_eq!(other.now(), at);
    }

    #[test]
    fn the_system_clock_follows_real_time() {
        let before = chrono::Utc::now().naive_utc();
        let now = Clock::system().now();
        assert!(now >= before && now - before < chrono::Duration::seconds(5));
    }
}
