//! How long uploaded files are kept (the retention rule): the invoice and
//! the files attached to messages stay while a case is open, and for a set
//! number of days after it closes; then their bytes are removed, while the
//! case, its messages and each file's name and details stay. `0` days keeps
//! files for good.

use chrono::{Duration, NaiveDateTime};

use super::case::Status;

/// The most days the rule may keep files (ten years).
pub const MAX_DAYS: u32 = 3650;

/// The days files are kept after a case closes, unless configured.
pub const DEFAULT_DAYS: u32 = 365;

/// The statuses that close a case, whose files the rule removes in time.
pub fn closed_statuses() -> Vec<Status> {
    Status::ALL.into_iter().filter(|s| s.is_closed()).collect()
}

/// The closing time before which a closed case's files are past keeping at
/// `now` (strictly before: a case closed exactly `days` days ago keeps them);
/// `None` when files are kept for good (`days == 0`). The purge
/// (`store::retention::purge_batch`) takes the files of cases in one of
/// [`closed_statuses`] closed before it.
pub fn cutoff(days: u32, now: NaiveDateTime) -> Option<NaiveDateTime> {
    (days > 0).then(|| now - Duration::days(i64::from(days)))
}

/// The timeline entry that records a purge (staff read it; English, like
/// the other entries Frontline writes itself).
pub fn purge_note(files: usize, days: u32) -> String {
    let what = if files == 1 { "1 uploaded file".to_owned() } else { format!("{files} uploaded files") };
    let unit = if days == 1 { "day" } else { "days" };
    format!(
        "The contents of {what} were removed under the retention rule: files are kept {days} {unit} after the case \
         closes. Their names and details stay on the case."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 3, day).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("date")
    }

    #[test]
    fn files_of_a_case_closed_longer_ago_than_the_rule_are_past_keeping() {
        assert_eq!(cutoff(10, at(12)), Some(at(2)), "closed on the 1st: past keeping; on the 2nd: still kept");
        assert_eq!(cutoff(1, at(3)), Some(at(2)));
        assert_eq!(cutoff(0, at(30)), None, "0 keeps files for good");
        assert_eq!(cutoff(29, at(30)), Some(at(1)));
    }

    #[test]
    fn the_closed_statuses_are_the_domain_s() {
        let closed = closed_statuses();
        assert!(closed.contains(&Status::Resolved) && closed.contains(&Status::Rejected));
        assert!(closed.contains(&Status::Duplicate) && !closed.contains(&Status::Open));
    }

    #[test]
    fn the_timeline_note_counts_the_files() {
        assert!(purge_note(1, 365).starts_with("The contents of 1 uploaded file were removed"));
        assert!(purge_note(2, 1).contains("2 uploaded files") && purge_note(2, 1).contains("kept 1 day after"));
    }
}
