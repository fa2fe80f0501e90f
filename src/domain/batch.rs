//! Monthly directory batches: which batch an approved request belongs to,
//! and what may happen to a batch (submit once, publish after submitting).
//!
//! Pure rules: the store loads rows, these functions decide.

use crate::i18n::{Lang, date_in, month_year_in, text_args};
use chrono::NaiveDate;

use super::calendar::{BatchWindow, batch_for_month, batch_for_request, next_month, parse_batch_key};

/// How many months ahead [`batch_for_approved`] looks for a batch not yet
/// sent before it gives up (a guard; one month is the real-world case).
const MAX_MONTHS_AHEAD: usize = 24;

/// Where a batch is: a batch with no stored row is still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStatus {
    /// Collecting approved requests; not sent yet.
    Open,
    /// Sent to the directory team.
    Submitted,
    /// The directory shows its listings.
    Published,
}

impl BatchStatus {
    /// Stored form (`batches.status`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Submitted => "submitted",
            Self::Published => "published",
        }
    }

    /// Parses the stored form (a batch with no row at all is
    /// [`BatchStatus::Open`]).
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Open, Self::Submitted, Self::Published].into_iter().find(|s| s.as_str() == raw)
    }

    /// Words for people (tag text).
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Not submitted",
            Self::Submitted => "Submitted to directory",
            Self::Published => "Published",
        }
    }

    /// True once the batch has been sent (it takes no more requests).
    pub fn is_sent(self) -> bool {
        self != Self::Open
    }

    /// Checks that `batch`, holding `approved` approved requests, may be
    /// submitted now; the message (in `lang`, the staff member's) says why not.
    pub fn submit(self, batch: &BatchWindow, approved: usize, lang: Lang) -> Result<Self, String> {
        match self {
            Self::Submitted | Self::Published => Err(batch_refusal(lang, "batch-error-already-submitted", batch)),
            Self::Open if approved == 0 => Err(batch_refusal(lang, "batch-error-nothing-to-submit", batch)),
            Self::Open => Ok(Self::Submitted),
        }
    }

    /// Checks that the batch may be marked published.
    pub fn publish(self, batch: &BatchWindow, lang: Lang) -> Result<Self, String> {
        match self {
            Self::Submitted => Ok(Self::Published),
            Self::Open => Err(batch_refusal(lang, "batch-error-not-submitted", batch)),
            Self::Published => Err(batch_refusal(lang, "batch-error-already-published", batch)),
        }
    }
}

/// A refusal naming the batch ("The December 2026 batch …"), in `lang`.
pub fn batch_refusal(lang: Lang, id: &str, batch: &BatchWindow) -> String {
    text_args(lang, id, &[("batch", &month_year_in(lang, batch.year, batch.month))])
}

/// The batch an approved (not yet submitted) request belongs to on `today`.
///
/// - A stored batch whose submission window has not closed, and that has not
///   been sent, is kept.
/// - Otherwise (no key, an unreadable key, a window that closed before
///   `today`, or a batch already sent) the request moves to the first batch
///   whose window has not closed ([`batch_for_request`]), and past any batch
///   already sent: a batch is sent once, so a request approved after its
///   batch went out waits for the next month's.
///
/// `is_sent` says whether the batch with a given key has been submitted.
pub fn batch_for_approved(stored_key: Option<&str>, today: NaiveDate, is_sent: impl Fn(&str) -> bool) -> BatchWindow {
    if let Some(stored) = stored_key.and_then(parse_batch_key)
        && stored.closes >= today
        && !is_sent(&stored.key())
    {
        return stored;
    }
    let mut batch = batch_for_request(today);
    for _ in 0..MAX_MONTHS_AHEAD {
        if !is_sent(&batch.key()) {
            break;
        }
        match next_month(batch.year, batch.month).and_then(|(y, m)| batch_for_month(y, m)) {
            Some(next) => batch = next,
            None => break,
        }
    }
    batch
}

/// The partner-visible timeline entry written when a request is submitted,
/// in the case's language `lang` (it is stored, and addressed to the partner).
pub fn submitted_message(batch: &BatchWindow, lang: Lang) -> String {
    let (name, date) = (month_year_in(lang, batch.year, batch.month), date_in(lang, batch.visible_by));
    text_args(lang, "batch-submitted-message", &[("batch", &name), ("date", &date)])
}

/// The partner-visible timeline entry written when a request is published,
/// in the case's language `lang`.
pub fn published_message(batch: &BatchWindow, lang: Lang) -> String {
    text_args(lang, "batch-published-message", &[("batch", &month_year_in(lang, batch.year, batch.month))])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_current_key_is_kept() {
        let b = batch_for_approved(Some("2026-12"), d(2026, 11, 24), |_| false);
        assert_eq!(b.key(), "2026-12");
        // Up to and including the last day of the window.
        assert_eq!(batch_for_approved(Some("2026-12"), d(2026, 12, 21), |_| false).key(), "2026-12");
        // A later batch someone chose on purpose stays too.
        assert_eq!(batch_for_approved(Some("2027-02"), d(2026, 11, 24), |_| false).key(), "2027-02");
    }

    #[test]
    fn a_closed_window_moves_the_request_to_the_next_open_batch() {
        assert_eq!(batch_for_approved(Some("2026-10"), d(2026, 11, 24), |_| false).key(), "2026-12");
        assert_eq!(batch_for_approved(Some("2026-11"), d(2026, 11, 22), |_| false).key(), "2026-12");
        assert_eq!(batch_for_approved(Some("2026-11"), d(2026, 11, 21), |_| false).key(), "2026-11");
        assert_eq!(batch_for_approved(Some("2026-12"), d(2026, 12, 22), |_| false).key(), "2027-01");
    }

    #[test]
    fn missing_or_broken_keys_get_the_batch_for_today() {
        assert_eq!(batch_for_approved(None, d(2026, 11, 10), |_| false).key(), "2026-11");
        assert_eq!(batch_for_approved(Some("garbage"), d(2026, 11, 10), |_| false).key(), "2026-11");
    }

    #[test]
    fn a_batch_already_sent_takes_no_more_requests() {
        let sent = |k: &str| k == "2026-12";
        assert_eq!(batch_for_approved(Some("2026-12"), d(2026, 12, 18), sent).key(), "2027-01");
        assert_eq!(batch_for_approved(None, d(2026, 12, 18), sent).key(), "2027-01");
        let two = |k: &str| k == "2026-12" || k == "2027-01";
        assert_eq!(batch_for_approved(None, d(2026, 12, 1), two).key(), "2027-02");
    }

    #[test]
    fn submit_and_publish_follow_the_batch_life() {
        let b = parse_batch_key("2026-12").unwrap();
        assert_eq!(BatchStatus::Open.submit(&b, 2, Lang::En), Ok(BatchStatus::Submitted));
        assert!(BatchStatus::Open.submit(&b, 0, Lang::En).unwrap_err().contains("no approved requests"));
        assert!(BatchStatus::Submitted.submit(&b, 2, Lang::En).unwrap_err().contains("already been submitted"));
        assert!(BatchStatus::Published.submit(&b, 2, Lang::En).is_err());
        assert_eq!(BatchStatus::Submitted.publish(&b, Lang::En), Ok(BatchStatus::Published));
        assert!(BatchStatus::Open.publish(&b, Lang::En).unwrap_err().contains("has not been submitted yet"));
        assert!(BatchStatus::Published.publish(&b, Lang::En).unwrap_err().contains("already published"));
        assert_eq!(
            BatchStatus::Open.submit(&b, 0, Lang::ZhTw),
            Err("2026年12月 的批次沒有已核准的申請，沒有可提交的內容".into())
        );
    }

    #[test]
    fn statuses_round_trip() {
        for s in [BatchStatus::Open, BatchStatus::Submitted, BatchStatus::Published] {
            assert_eq!(BatchStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(BatchStatus::parse("lost"), None);
    }

    #[test]
    fn messages_name_the_batch_and_the_visibility_date() {
        let b = parse_batch_key("2026-12").unwrap();
        assert_eq!(
            submitted_message(&b, Lang::En),
            "Submitted to the directory in the December 2026 batch. Your listing should be visible in the directory by 7 January 2027."
        );
        assert_eq!(
            submitted_message(&b, Lang::ZhTw),
            "已隨 2026年12月 的批次送交目錄。您的目錄項目預計在 2027年1月7日 前顯示於目錄中。"
        );
        assert_eq!(published_message(&b, Lang::ZhTw), "已隨 2026年12月 的批次刊登於學習合作夥伴目錄。");
    }
}
