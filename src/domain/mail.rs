//! The e-mails Frontline sends: what each one is about and where one is in
//! its delivery. Which message a change causes is decided by the use case
//! that makes the change (`app`); how it reads is its template.

/// What a message is about (stored as text in the outbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// To the partner: the case was filed (reference, tracking link, what next).
    CaseReceived,
    /// To the partner: support replied and waits for an answer.
    SupportAsked,
    /// To the partner: support replied for information (no answer needed).
    SupportReplied,
    /// To the partner: the case was resolved (with the message).
    CaseResolved,
    /// To the partner: the case was rejected (with the message).
    CaseRejected,
    /// To the partner: the listing was sent in this month's directory batch.
    BatchSubmitted,
    /// To the partner: the listing is published in the directory.
    BatchPublished,
    /// To the partner: a tracking link asked for through "find my case".
    TrackingLink,
    /// To the assignee: the partner answered.
    PartnerReplied,
    /// To the assignee: a case was assigned to them.
    CaseAssigned,
    /// To staff who asked for it: a new case was filed.
    NewCase,
}

impl MailKind {
    /// Every kind.
    pub const ALL: [MailKind; 11] = [
        Self::CaseReceived,
        Self::SupportAsked,
        Self::SupportReplied,
        Self::CaseResolved,
        Self::CaseRejected,
        Self::BatchSubmitted,
        Self::BatchPublished,
        Self::TrackingLink,
        Self::PartnerReplied,
        Self::CaseAssigned,
        Self::NewCase,
    ];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CaseReceived => "case_received",
            Self::SupportAsked => "support_asked",
            Self::SupportReplied => "support_replied",
            Self::CaseResolved => "case_resolved",
            Self::CaseRejected => "case_rejected",
            Self::BatchSubmitted => "batch_submitted",
            Self::BatchPublished => "batch_published",
            Self::TrackingLink => "tracking_link",
            Self::PartnerReplied => "partner_replied",
            Self::CaseAssigned => "case_assigned",
            Self::NewCase => "new_case",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// Sent to the partner (the case's contact address), not to staff.
    pub fn to_partner(self) -> bool {
        !matches!(self, Self::PartnerReplied | Self::CaseAssigned | Self::NewCase)
    }

    /// What staff read on the case page about this message.
    pub fn label(self) -> &'static str {
        match self {
            Self::CaseReceived => "Case received",
            Self::SupportAsked => "Support replied (answer needed)",
            Self::SupportReplied => "Support replied",
            Self::CaseResolved => "Case resolved",
            Self::CaseRejected => "Case rejected",
            Self::BatchSubmitted => "Listing sent to the directory",
            Self::BatchPublished => "Listing published",
            Self::TrackingLink => "Tracking link (find my case)",
            Self::PartnerReplied => "Partner replied (to the assignee)",
            Self::CaseAssigned => "Case assigned (to the assignee)",
            Self::NewCase => "New case (to staff who asked)",
        }
    }
}

/// Where a message is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    /// Waiting to be sent (at or after its `run_after`).
    Pending,
    /// Claimed by a runner, which is sending it.
    Sending,
    /// Accepted by the mail server (or written to the mail directory).
    Sent,
    /// Given up: refused for good, or too many attempts.
    Failed,
}

impl MailStatus {
    /// Every status.
    pub const ALL: [MailStatus; 4] = [Self::Pending, Self::Sending, Self::Sent, Self::Failed];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_round_trip_and_staff_messages_are_not_the_partners() {
        for k in MailKind::ALL {
            assert_eq!(MailKind::parse(k.as_str()), Some(k));
        }
        for s in MailStatus::ALL {
            assert_eq!(MailStatus::parse(s.as_str()), Some(s));
        }
        assert!(MailKind::SupportAsked.to_partner());
        assert!(!MailKind::PartnerReplied.to_partner());
        assert_eq!(MailKind::parse("nope"), None);
    }
}
