//! A case's timeline: who did something (staff, the partner, Frontline
//! itself) and what kind of entry it is, and how each kind reads as a
//! heading.

/// Who did something on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in staff member.
    Staff,
    /// The partner, through the tracking page.
    Partner,
    /// Frontline itself.
    System,
}

impl Actor {
    /// Every actor.
    pub const ALL: [Actor; 3] = [Actor::Staff, Actor::Partner, Actor::System];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Partner => "partner",
            Self::System => "system",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// What kind of entry a timeline holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// The partner filed the case.
    Filed,
    /// Triage's first verdict.
    Triaged,
    /// Triage ran again and something changed.
    Retriaged,
    /// Given to a staff member.
    Assigned,
    /// Taken from the queue with "Claim next case".
    Claimed,
    /// The status changed.
    StatusChanged,
    /// An internal note.
    Note,
    /// A reply the partner sees.
    Reply,
    /// The partner's reply.
    PartnerReply,
    /// Closed as resolved, with a message to the partner.
    Resolved,
    /// Closed as rejected, with a message to the partner.
    Rejected,
    /// Closed as a repeat of another case.
    Duplicate,
    /// The landing page was checked.
    LandingCheck,
    /// Sent in its monthly directory batch.
    Submitted,
    /// Listed in the directory.
    Published,
    /// A closed case reopened by the partner's reply.
    Reopened,
    /// The service level paused or resumed while the case waited on the partner.
    ServiceLevel,
    /// The retention rule removed the contents of the case's files.
    FilesRemoved,
}

impl EventType {
    /// Every kind of entry.
    pub const ALL: [EventType; 18] = [
        EventType::Filed,
        EventType::Triaged,
        EventType::Retriaged,
        EventType::Assigned,
        EventType::Claimed,
        EventType::StatusChanged,
        EventType::Note,
        EventType::Reply,
        EventType::PartnerReply,
        EventType::Resolved,
        EventType::Rejected,
        EventType::Duplicate,
        EventType::LandingCheck,
        EventType::Submitted,
        EventType::Published,
        EventType::Reopened,
        EventType::ServiceLevel,
        EventType::FilesRemoved,
    ];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Filed => "filed",
            Self::Triaged => "triaged",
            Self::Retriaged => "retriaged",
            Self::Assigned => "assigned",
            Self::Claimed => "claimed",
            Self::StatusChanged => "status",
            Self::Note => "note",
            Self::Reply => "reply",
            Self::PartnerReply => "partner_reply",
            Self::Resolved => "resolved",
            Self::Rejected => "rejected",
            Self::Duplicate => "duplicate",
            Self::LandingCheck => "landing_check",
            Self::Submitted => "submitted",
            Self::Published => "published",
            Self::Reopened => "reopened",
            Self::ServiceLevel => "service_level",
            Self::FilesRemoved => "files_removed",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == raw)
    }

    /// The heading of an entry of this kind, and whether its body is shown
    /// as text under it (for entries whose body is itself the heading, it
    /// is not).
    pub fn heading(self, body: Option<&str>) -> (String, bool) {
        let own = |fallback: &str| body.filter(|b| !b.trim().is_empty()).unwrap_or(fallback).to_string();
        match self {
            Self::Filed => ("Case filed".into(), true),
            Self::Triaged => ("Triaged".into(), true),
            Self::Retriaged => ("Triage ran again".into(), true),
            Self::Note => ("Internal note".into(), true),
            Self::Reply => ("Reply sent to partner".into(), true),
            Self::PartnerReply => ("Reply from partner".into(), true),
            Self::Resolved => ("Case resolved – message to partner".into(), true),
            Self::Rejected => ("Case rejected – message to partner".into(), true),
            Self::StatusChanged => (own("Status changed"), false),
            Self::Assigned => (own("Case assigned"), false),
            Self::Claimed => (own("Case claimed"), false),
            Self::Duplicate => (own("Marked as a duplicate"), false),
            Self::LandingCheck => ("Landing page checked".into(), true),
            Self::Submitted => ("Sent in the directory batch".into(), true),
            Self::Published => ("Published in the directory".into(), true),
            Self::Reopened => (own("Case reopened"), false),
            Self::ServiceLevel => ("Service level".into(), true),
            Self::FilesRemoved => ("Uploaded files removed".into(), true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms_round_trip() {
        for e in EventType::ALL {
            assert_eq!(EventType::parse(e.as_str()), Some(e));
        }
        for a in Actor::ALL {
            assert_eq!(Actor::parse(a.as_str()), Some(a));
        }
        assert_eq!(EventType::parse("nonsense"), None);
    }

    #[test]
    fn timeline_headings_say_the_kind_in_words() {
        assert_eq!(EventType::Note.heading(Some("x")), ("Internal note".into(), true));
        assert_eq!(EventType::Reply.heading(Some("x")).0, "Reply sent to partner");
        assert_eq!(EventType::PartnerReply.heading(Some("x")).0, "Reply from partner");
        assert_eq!(
            EventType::StatusChanged.heading(Some("Status changed to In review")),
            ("Status changed to In review".into(), false)
        );
        assert_eq!(EventType::LandingCheck.heading(None).0, "Landing page checked");
    }
}
