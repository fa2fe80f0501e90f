//! Rate limits: at most so many of something in each window of time, per
//! client address. The counting lives in the database (shared by every
//! instance); these are the rules around it.

use chrono::{Duration, NaiveDateTime};

/// At most `max` in each `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// How many are allowed per window.
    pub max: i32,
    /// The window's length.
    pub window: Duration,
}

impl RateLimit {
    /// `max` per `minutes`.
    pub const fn per_minutes(max: i32, minutes: i64) -> Self {
        Self { max, window: Duration::minutes(minutes) }
    }

    /// Parses a setting: `30/10m`, `100/1h`, `5/30s`; `off` or `0` turns the
    /// limit off (`None`).
    pub fn parse(raw: &str) -> Result<Option<Self>, String> {
        let raw = raw.trim();
        if raw.eq_ignore_ascii_case("off") || raw == "0" {
            return Ok(None);
        }
        let shape = || format!("{raw:?} is not a rate like 30/10m (30 per 10 minutes), 100/1h, 5/30s or off");
        let (max, per) = raw.split_once('/').ok_or_else(shape)?;
        let max: i32 = max.trim().parse().map_err(|_| shape())?;
        let per = per.trim();
        let (n, unit) = per.split_at(per.find(|c: char| !c.is_ascii_digit()).unwrap_or(per.len()));
        let n: i64 = if n.is_empty() { 1 } else { n.parse().map_err(|_| shape())? };
        let window = match unit {
            "s" => Duration::seconds(n),
            "m" => Duration::minutes(n),
            "h" => Duration::hours(n),
            _ => return Err(shape()),
        };
        if max < 1 || n < 1 || window > Duration::days(1) {
            return Err(shape());
        }
        Ok(Some(Self { max, window }))
    }

    /// Windows that started at or before this are over.
    pub fn cutoff(&self, now: NaiveDateTime) -> NaiveDateTime {
        now - self.window
    }

    /// Whether the `hits`-th hit of a window is allowed.
    pub fn allows(&self, hits: i32) -> bool {
        hits <= self.max
    }

    /// Seconds until the window that started at `window_start` is over.
    pub fn retry_after(&self, window_start: NaiveDateTime, now: NaiveDateTime) -> u64 {
        u64::try_from((window_start + self.window - now).num_seconds()).unwrap_or(0).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_into_limits_or_off() {
        assert_eq!(RateLimit::parse("30/10m"), Ok(Some(RateLimit::per_minutes(30, 10))));
        assert_eq!(RateLimit::parse(" 100 / 1h "), Ok(Some(RateLimit::per_minutes(100, 60))));
        assert_eq!(RateLimit::parse("5/s"), Ok(Some(RateLimit { max: 5, window: Duration::seconds(1) })));
        assert_eq!(RateLimit::parse("off"), Ok(None));
        assert_eq!(RateLimit::parse("0"), Ok(None));
        for bad in ["30", "30/", "x/10m", "30/10d", "0/10m", "30/2000h", "-1/1m"] {
            assert!(RateLimit::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_window_allows_its_maximum_then_says_when_it_ends() {
        let limit = RateLimit::per_minutes(3, 10);
        let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).and_then(|d| d.and_hms_opt(12, 0, 0)).expect("t");
        assert!(limit.allows(3));
        assert!(!limit.allows(4));
        assert_eq!(limit.retry_after(start, start + Duration::minutes(4)), 360);
        assert_eq!(limit.retry_after(start, start + Duration::minutes(11)), 1);
        assert_eq!(limit.cutoff(start), start - Duration::minutes(10));
    }
}
