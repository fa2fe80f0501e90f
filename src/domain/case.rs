//! What every case shares: its kind, its status and the transitions the
//! status may take, and its reference.

use chrono::Datelike;

/// The two kinds of case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseKind {
    /// "My KPI dashboard and Partner Center disagree".
    Kpi,
    /// "Why am I not in the Learning Partner directory".
    Directory,
}

impl CaseKind {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kpi => "kpi",
            Self::Directory => "directory",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "kpi" => Some(Self::Kpi),
            "directory" => Some(Self::Directory),
            _ => None,
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Kpi => "KPI discrepancy",
            Self::Directory => "Directory listing",
        }
    }

    /// The reference prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Kpi => "KPI",
            Self::Directory => "DIR",
        }
    }

    /// Both kinds.
    pub const ALL: [CaseKind; 2] = [CaseKind::Kpi, CaseKind::Directory];
}

/// Where a case is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Filed, nobody has looked yet.
    Open,
    /// Someone is working on it.
    InReview,
    /// Support asked the partner something.
    WaitingOnPartner,
    /// Directory request accepted for the next batch.
    Approved,
    /// Directory request sent in its monthly batch.
    Submitted,
    /// Directory listing is live.
    Published,
    /// Done.
    Resolved,
    /// Refused.
    Rejected,
    /// Closed because it repeats another case.
    Duplicate,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 9] = [
        Status::Open,
        Status::InReview,
        Status::WaitingOnPartner,
        Status::Approved,
        Status::Submitted,
        Status::Published,
        Status::Resolved,
        Status::Rejected,
        Status::Duplicate,
    ];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InReview => "in_review",
            Self::WaitingOnPartner => "waiting_on_partner",
            Self::Approved => "approved",
            Self::Submitted => "submitted",
            Self::Published => "published",
            Self::Resolved => "resolved",
            Self::Rejected => "rejected",
            Self::Duplicate => "duplicate",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The tag text staff see.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::InReview => "In review",
            Self::WaitingOnPartner => "Waiting on partner",
            Self::Approved => "Approved",
            Self::Submitted => "Submitted to directory",
            Self::Published => "Published",
            Self::Resolved => "Resolved",
            Self::Rejected => "Rejected",
            Self::Duplicate => "Duplicate",
        }
    }

    /// The tag text the partner sees, in the current request's language
    /// (`status-…` in `locales/*/track.ftl`).
    pub fn partner_label(self) -> String {
        crate::i18n::t(match self {
            Self::Open => "status-open",
            Self::InReview => "status-in-review",
            Self::WaitingOnPartner => "status-waiting-on-partner",
            Self::Approved => "status-approved",
            Self::Submitted => "status-submitted",
            Self::Published => "status-published",
            Self::Resolved => "status-resolved",
            Self::Rejected => "status-rejected",
            Self::Duplicate => "status-duplicate",
        })
    }

    /// True once nothing more happens to the case.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Published | Self::Resolved | Self::Rejected | Self::Duplicate)
    }

    /// The statuses a case of `kind` may move to from this one.
    pub fn next(self, kind: CaseKind) -> Vec<Status> {
        use Status::*;
        let mut out = match self {
            Open => vec![InReview, Rejected, Duplicate],
            InReview => vec![WaitingOnPartner, Resolved, Rejected, Duplicate],
            WaitingOnPartner => vec![InReview, Rejected, Duplicate],
            Approved => vec![InReview, Submitted],
            Submitted => vec![Published],
            Published | Resolved | Rejected | Duplicate => vec![],
        };
        if kind == CaseKind::Directory && self == InReview {
            out.insert(1, Approved);
        }
        if kind == CaseKind::Kpi {
            out.retain(|s| !matches!(s, Approved | Submitted | Published));
        }
        out
    }

    /// Checks a transition, with a message naming both ends when refused.
    pub fn transition(self, to: Status, kind: CaseKind) -> Result<Status, String> {
        if self.next(kind).contains(&to) {
            Ok(to)
        } else {
            Err(format!("A case cannot go from {} to {}", self.label(), to.label()))
        }
    }
}

/// The case reference shown to everyone: prefix, year filed, a number.
pub fn reference(kind: CaseKind, filed: chrono::NaiveDate, id: i64) -> String {
    format!("{}-{}-{:05}", kind.prefix(), filed.year(), id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("nope"), None);
    }

    #[test]
    fn the_state_machine_allows_only_its_transitions() {
        use Status::*;
        assert!(Open.transition(InReview, CaseKind::Kpi).is_ok());
        assert!(InReview.transition(WaitingOnPartner, CaseKind::Kpi).is_ok());
        assert!(WaitingOnPartner.transition(InReview, CaseKind::Kpi).is_ok());
        assert!(InReview.transition(Resolved, CaseKind::Kpi).is_ok());
        assert!(InReview.transition(Approved, CaseKind::Directory).is_ok());
        assert!(Approved.transition(Submitted, CaseKind::Directory).is_ok());
        assert!(Submitted.transition(Published, CaseKind::Directory).is_ok());
        assert_eq!(Open.transition(Resolved, CaseKind::Kpi), Err("A case cannot go from Open to Resolved".into()));
        assert!(InReview.transition(Approved, CaseKind::Kpi).is_err(), "KPI cases are never approved");
        assert!(Resolved.next(CaseKind::Kpi).is_empty());
        assert!(Open.transition(Duplicate, CaseKind::Directory).is_ok());
    }

    #[test]
    fn partners_read_received_and_waiting_for_your_reply_and_staff_s_words_otherwise() {
        // Outside a request: English.
        for s in Status::ALL {
            let expected = match s {
                Status::Open => "Received",
                Status::WaitingOnPartner => "Waiting for your reply",
                other => other.label(),
            };
            assert_eq!(s.partner_label(), expected);
            let key = format!("status-{}", s.as_str().replace('_', "-"));
            let zh = crate::i18n::text(crate::i18n::Lang::ZhTw, &key);
            assert!(zh != key && zh != s.label(), "{key} has its own words in Chinese: {zh}");
        }
    }

    #[test]
    fn references_carry_kind_year_and_number() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
        assert_eq!(reference(CaseKind::Kpi, d, 42), "KPI-2026-00042");
        assert_eq!(reference(CaseKind::Directory, d, 123456), "DIR-2026-123456");
    }
}
