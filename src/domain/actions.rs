//! What staff (and the partner, by replying) can do to a case, as rules:
//! which fields each action needs, what it changes, and what the timeline
//! records. Every status change goes through [`Status::transition`].

use crate::domain::case::{CaseKind, Status};
use crate::domain::text::thousands;
pub use crate::domain::timeline::{Actor, EventType};

/// Longest note, reply or resolution message, in characters.
pub const MESSAGE_MAX_CHARS: usize = 2000;

/// Message catalogue for the case actions (staff forms and the partner
/// reply): the ids of messages in `locales/*/actions.ftl`, turned into text
/// in the reader's language where they are shown.
pub mod msg {
    /// No assignee chosen, or one that cannot take cases.
    pub const ASSIGNEE_MISSING: &str = "action-error-assignee-missing";
    /// No status chosen.
    pub const STATUS_MISSING: &str = "action-error-status-missing";
    /// A closing status sent through the status form.
    pub const STATUS_USE_CLOSE_FORM: &str = "action-error-status-use-close-form";
    /// Empty note.
    pub const NOTE_MISSING: &str = "action-error-note-missing";
    /// Empty staff reply.
    pub const REPLY_MISSING: &str = "action-error-reply-missing";
    /// No outcome chosen.
    pub const OUTCOME_MISSING: &str = "action-error-outcome-missing";
    /// Empty resolution message.
    pub const RESOLUTION_MISSING: &str = "action-error-resolution-missing";
    /// Empty original reference.
    pub const ORIGINAL_MISSING: &str = "action-error-original-missing";
    /// Empty partner reply.
    pub const PARTNER_REPLY_MISSING: &str = "action-error-partner-reply-missing";
    /// The version the form was made on is no longer current.
    pub const STALE: &str = "action-error-stale";
    /// A partner reply to a case closed too long ago to reopen (or closed as
    /// a duplicate).
    pub const CLOSED_FILE_NEW: &str = "action-error-closed-file-new";
}

/// A multi-line text answer: trimmed, line endings unified, required and at
/// most [`MESSAGE_MAX_CHARS`] characters. `empty` is the id of the message
/// when there is nothing; `label` (a message id) names the answer in the
/// length message ("Note must be 2,000 characters or less"). Both in the
/// reader's language.
pub fn parse_message(raw: &str, empty: &str, label: &str) -> Result<String, String> {
    use crate::i18n::{t, ta};
    let v = raw.replace("\r\n", "\n").replace('\r', "\n");
    let v = v.trim();
    if v.is_empty() {
        return Err(if empty.is_empty() { String::new() } else { t(empty) });
    }
    if v.chars().count() > MESSAGE_MAX_CHARS {
        return Err(ta("text-error-too-long", &[("label", &t(label)), ("max", &thousands(MESSAGE_MAX_CHARS))]));
    }
    // Keep line breaks and tabs; drop other control characters, and the
    // bidirectional overrides that could reorder what the reader sees.
    Ok(super::text::without_overrides(v).chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect())
}

/// A case reference as typed: trimmed, upper-cased.
pub fn parse_original_reference(raw: &str, own: &str) -> Result<String, String> {
    let v: String = raw.trim().to_ascii_uppercase();
    if v.is_empty() {
        return Err(msg::ORIGINAL_MISSING.into());
    }
    if v == own {
        return Err(format!("The original case must be another case, not {own}"));
    }
    Ok(v)
}

/// The message when a typed reference names no case.
pub fn no_such_case(reference: &str) -> String {
    crate::i18n::ta("action-error-no-such-case", &[("reference", &reference)])
}

/// A value as it arrives from a checkbox: ticked sends `on` (or a true-ish value).
pub fn ticked(raw: &str) -> bool {
    matches!(raw.trim().to_ascii_lowercase().as_str(), "on" | "1" | "true" | "yes")
}

/// How a case can be closed with a message to the partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done: the partner's problem is solved or answered.
    Resolved,
    /// Refused.
    Rejected,
}

impl Outcome {
    /// Parses the form value.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "resolved" => Some(Self::Resolved),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }

    /// Stored form (also the status it leads to).
    pub fn as_str(self) -> &'static str {
        self.status().as_str()
    }

    /// The timeline entry it makes.
    pub fn event(self) -> EventType {
        match self {
            Self::Resolved => EventType::Resolved,
            Self::Rejected => EventType::Rejected,
        }
    }

    /// The status it leads to.
    pub fn status(self) -> Status {
        match self {
            Self::Resolved => Status::Resolved,
            Self::Rejected => Status::Rejected,
        }
    }
}

/// An action, with every reference already resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Give the case to an active staff member.
    Assign {
        /// Their id.
        staff_id: i64,
        /// Their name, for the timeline.
        name: String,
    },
    /// Move along the state machine (not to a closing status).
    ChangeStatus(Status),
    /// An internal note.
    Note(String),
    /// A reply the partner sees; optionally waits on the partner.
    Reply {
        /// The text.
        message: String,
        /// Move to waiting on partner when that transition is allowed.
        set_waiting: bool,
    },
    /// Resolve or reject with a message to the partner.
    Close {
        outcome: Outcome,
        /// What the partner is told.
        message: String,
    },
    /// Close as a repeat of another case.
    Duplicate {
        /// The original's id.
        original_id: i64,
        /// The original's reference.
        original_reference: String,
    },
    /// The partner wrote from the tracking page (an answer, a correction,
    /// or "it is still not fixed" on a closed case).
    PartnerReply {
        /// The text.
        message: String,
        /// The case closed recently enough to be reopened by this reply.
        may_reopen: bool,
    },
}

/// A timeline entry to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEvent {
    pub actor: Actor,
    /// What kind of entry.
    pub event_type: EventType,
    /// The text.
    pub body: String,
    /// Shown on the tracking page.
    pub partner_visible: bool,
}

/// What an action changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// New status, if it changes.
    pub status: Option<Status>,
    /// New assignee.
    pub assignee_id: Option<i64>,
    /// Outcome set on closing.
    pub outcome: Option<&'static str>,
    /// Resolution message set on closing.
    pub resolution_message: Option<String>,
    /// The case this one repeats.
    pub duplicate_of: Option<i64>,
    /// The case closes now (set `closed_at`).
    pub closes: bool,
    /// A closed case opens again (clear `closed_at` and the outcome).
    pub reopens: bool,
    /// Timeline entries, in the order they happen.
    pub events: Vec<PlannedEvent>,
}

fn status_event(actor: Actor, to: Status) -> PlannedEvent {
    PlannedEvent {
        actor,
        event_type: EventType::StatusChanged,
        body: format!("Status changed to {}", to.label()),
        partner_visible: false,
    }
}

/// Decides what `action` does to a case of `kind` in status `current`, or
/// says why it cannot be done (the domain's words).
pub fn plan(kind: CaseKind, current: Status, action: &Action) -> Result<Plan, String> {
    let mut p = Plan::default();
    match action {
        Action::Assign { staff_id, name } => {
            p.assignee_id = Some(*staff_id);
            p.events.push(PlannedEvent {
                actor: Actor::Staff,
                event_type: EventType::Assigned,
                body: format!("Assigned to {name}"),
                partner_visible: false,
            });
        }
        Action::ChangeStatus(to) => {
            let to = current.transition(*to, kind)?;
            if matches!(to, Status::Resolved | Status::Rejected | Status::Duplicate) {
                return Err(msg::STATUS_USE_CLOSE_FORM.into());
            }
            p.status = Some(to);
            p.closes = to.is_closed();
            p.events.push(status_event(Actor::Staff, to));
        }
        Action::Note(body) => {
            p.events.push(PlannedEvent {
                actor: Actor::Staff,
                event_type: EventType::Note,
                body: body.clone(),
                partner_visible: false,
            });
        }
        Action::Reply { message, set_waiting } => {
            p.events.push(PlannedEvent {
                actor: Actor::Staff,
                event_type: EventType::Reply,
                body: message.clone(),
                partner_visible: true,
            });
            // Waiting on the partner is possible from any open status.
            if *set_waiting && !current.is_closed() && current != Status::WaitingOnPartner {
                p.status = Some(Status::WaitingOnPartner);
                p.events.push(status_event(Actor::Staff, Status::WaitingOnPartner));
            }
        }
        Action::Close { outcome, message } => {
            let to = current.transition(outcome.status(), kind)?;
            p.status = Some(to);
            p.outcome = Some(outcome.as_str());
            p.resolution_message = Some(message.clone());
            p.closes = true;
            p.events.push(PlannedEvent {
                actor: Actor::Staff,
                event_type: outcome.event(),
                body: message.clone(),
                partner_visible: true,
            });
        }
        Action::Duplicate { original_id, original_reference } => {
            let to = current.transition(Status::Duplicate, kind)?;
            p.status = Some(to);
            p.duplicate_of = Some(*original_id);
            p.closes = true;
            p.events.push(PlannedEvent {
                actor: Actor::Staff,
                event_type: EventType::Duplicate,
                body: format!("Marked as a duplicate of {original_reference}"),
                partner_visible: false,
            });
        }
        Action::PartnerReply { message, may_reopen } => {
            let reopening = matches!(current, Status::Resolved | Status::Rejected) && *may_reopen;
            if current.is_closed() && !reopening {
                return Err(msg::CLOSED_FILE_NEW.into());
            }
            p.events.push(PlannedEvent {
                actor: Actor::Partner,
                event_type: EventType::PartnerReply,
                body: message.clone(),
                partner_visible: true,
            });
            if reopening {
                p.status = Some(Status::InReview);
                p.reopens = true;
                p.events.push(PlannedEvent {
                    actor: Actor::System,
                    event_type: EventType::Reopened,
                    body: format!("Reopened by the partner’s reply (it was {})", current.label().to_lowercase()),
                    partner_visible: true,
                });
            } else if current == Status::WaitingOnPartner {
                p.status = Some(Status::InReview);
                p.events.push(status_event(Actor::System, Status::InReview));
            }
        }
    }
    Ok(p)
}

/// The statuses the status form offers from `current`: the allowed
/// transitions, less those that close a case with a message or a reference.
pub fn status_choices(kind: CaseKind, current: Status) -> Vec<Status> {
    current
        .next(kind)
        .into_iter()
        .filter(|s| !matches!(s, Status::Resolved | Status::Rejected | Status::Duplicate))
        .collect()
}

/// Whether a partner's reply now reopens a case in `status` closed at
/// `closed_at`: resolved or rejected less than `reopen_days` ago (0 = never).
pub fn may_reopen(
    status: Status,
    closed_at: Option<chrono::NaiveDateTime>,
    reopen_days: u32,
    now: chrono::NaiveDateTime,
) -> bool {
    reopen_days > 0
        && matches!(status, Status::Resolved | Status::Rejected)
        && closed_at.is_some_and(|t| now < t + chrono::Duration::days(i64::from(reopen_days)))
}

/// How the service level changes when a case's status goes from `from` to
/// `to`: it pauses when the case starts to wait on the partner, and resumes
/// when it stops (the due date moving by the business days waited, unless
/// the case closes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceLevel {
    /// The case waits on the partner from now.
    Paused(PlannedEvent),
    /// It no longer waits: the new due date and total paused days, if it moved.
    Resumed {
        /// What the timeline says (none when the case closes).
        event: Option<PlannedEvent>,
        /// `(new due date, business days paused in all)`.
        moved: Option<(chrono::NaiveDate, i32)>,
    },
}

/// The service-level change of a status move, if any. `waiting_since` is
/// when the case began to wait; `paused_so_far` the business days paused
/// before.
#[allow(clippy::too_many_arguments)]
pub fn service_level(
    from: Status,
    to: Option<Status>,
    closes: bool,
    waiting_since: Option<chrono::NaiveDateTime>,
    due: chrono::NaiveDate,
    paused_so_far: i32,
    now: chrono::NaiveDateTime,
    holidays: &super::calendar::Holidays,
) -> Option<ServiceLevel> {
    use super::calendar::{add_business_days_on, business_days_between, long_date};
    let to = to?;
    if to == Status::WaitingOnPartner && from != Status::WaitingOnPartner {
        return Some(ServiceLevel::Paused(PlannedEvent {
            actor: Actor::System,
            event_type: EventType::ServiceLevel,
            body: "Paused while we wait for the partner’s answer.".into(),
            partner_visible: true,
        }));
    }
    if from != Status::WaitingOnPartner || to == Status::WaitingOnPartner {
        return None;
    }
    if closes {
        return Some(ServiceLevel::Resumed { event: None, moved: None });
    }
    let since = waiting_since.map_or(now.date(), |t| t.date());
    let days = business_days_between(since, now.date(), holidays);
    let event = |body: String| PlannedEvent {
        actor: Actor::System,
        event_type: EventType::ServiceLevel,
        body,
        partner_visible: false,
    };
    if days == 0 {
        let body = format!("Resumed the same day; still due {}.", long_date(due));
        return Some(ServiceLevel::Resumed { event: Some(event(body)), moved: None });
    }
    let moved = add_business_days_on(due, days, holidays);
    let plural = if days == 1 { "" } else { "s" };
    let body = format!(
        "Resumed after {days} business day{plural} waiting on the partner; due {} (was {}).",
        long_date(moved),
        long_date(due)
    );
    let total = paused_so_far.saturating_add(i32::try_from(days).unwrap_or(i32::MAX));
    Some(ServiceLevel::Resumed { event: Some(event(body)), moved: Some((moved, total)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_required_bounded_and_keep_line_breaks() {
        assert_eq!(parse_message("  \r\n ", msg::NOTE_MISSING, "Note"), Err("Enter the note".into()));
        assert_eq!(crate::i18n::text(crate::i18n::Lang::ZhTw, msg::PARTNER_REPLY_MISSING), "請輸入您的回覆");
        assert_eq!(parse_message(" a\r\nb\u{7} ", msg::NOTE_MISSING, "Note"), Ok("a\nb".into()));
        let long = "x".repeat(MESSAGE_MAX_CHARS + 1);
        assert_eq!(
            parse_message(&long, msg::NOTE_MISSING, "Note"),
            Err("Note must be 2,000 characters or less".into())
        );
        assert!(parse_message(&"發".repeat(MESSAGE_MAX_CHARS), msg::NOTE_MISSING, "Note").is_ok(), "chars, not bytes");
    }

    #[test]
    fn original_reference_must_be_another_case() {
        assert_eq!(parse_original_reference(" kpi-2026-00002 ", "KPI-2026-00001"), Ok("KPI-2026-00002".into()));
        assert_eq!(parse_original_reference("", "KPI-2026-00001"), Err(msg::ORIGINAL_MISSING.into()));
        assert!(parse_original_reference("kpi-2026-00001", "KPI-2026-00001").is_err());
    }

    #[test]
    fn status_changes_go_through_the_state_machine() {
        let refused = plan(CaseKind::Kpi, Status::Open, &Action::ChangeStatus(Status::Resolved));
        assert_eq!(refused, Err("A case cannot go from Open to Resolved".into()));
        let ok = plan(CaseKind::Kpi, Status::Open, &Action::ChangeStatus(Status::InReview)).expect("allowed");
        assert_eq!(ok.status, Some(Status::InReview));
        assert_eq!(ok.events[0].body, "Status changed to In review");
        assert!(plan(CaseKind::Kpi, Status::InReview, &Action::ChangeStatus(Status::Resolved)).is_err());
        assert_eq!(status_choices(CaseKind::Kpi, Status::InReview), vec![Status::WaitingOnPartner]);
        assert_eq!(
            status_choices(CaseKind::Directory, Status::InReview),
            vec![Status::WaitingOnPartner, Status::Approved]
        );
    }

    #[test]
    fn a_reply_waits_on_the_partner_only_when_allowed_and_asked() {
        let reply = |set_waiting| Action::Reply { message: "Hi".into(), set_waiting };
        let p = plan(CaseKind::Kpi, Status::InReview, &reply(true)).expect("ok");
        assert_eq!(p.status, Some(Status::WaitingOnPartner));
        assert!(p.events[0].partner_visible);
        assert!(!p.events[1].partner_visible);
        assert_eq!(plan(CaseKind::Kpi, Status::InReview, &reply(false)).expect("ok").status, None);
        assert_eq!(
            plan(CaseKind::Kpi, Status::Open, &reply(true)).expect("ok").status,
            Some(Status::WaitingOnPartner),
            "an open case can wait too"
        );
        assert_eq!(
            plan(CaseKind::Directory, Status::Approved, &reply(true)).expect("ok").status,
            Some(Status::WaitingOnPartner)
        );
        assert_eq!(plan(CaseKind::Kpi, Status::WaitingOnPartner, &reply(true)).expect("ok").status, None);
        assert_eq!(plan(CaseKind::Kpi, Status::Resolved, &reply(true)).expect("ok").status, None);
    }

    #[test]
    fn closing_sets_outcome_and_closes() {
        let close = Action::Close { outcome: Outcome::Resolved, message: "Fixed".into() };
        let p = plan(CaseKind::Kpi, Status::InReview, &close).expect("ok");
        assert_eq!((p.status, p.outcome, p.closes), (Some(Status::Resolved), Some("resolved"), true));
        assert!(p.events[0].partner_visible);
        assert!(plan(CaseKind::Kpi, Status::Open, &close).is_err());
        let reject = Action::Close { outcome: Outcome::Rejected, message: "No".into() };
        assert!(plan(CaseKind::Kpi, Status::Open, &reject).is_ok());
        let dup = Action::Duplicate { original_id: 1, original_reference: "KPI-2026-00001".into() };
        assert_eq!(plan(CaseKind::Kpi, Status::Open, &dup).expect("ok").duplicate_of, Some(1));
        assert!(plan(CaseKind::Kpi, Status::Resolved, &dup).is_err());
    }

    #[test]
    fn a_partner_reply_is_taken_until_the_case_closes_and_reopens_a_recent_close() {
        let reply = |may_reopen| Action::PartnerReply { message: "Here".into(), may_reopen };
        let p = plan(CaseKind::Kpi, Status::WaitingOnPartner, &reply(false)).expect("ok");
        assert_eq!(p.status, Some(Status::InReview));
        assert_eq!(p.events[0].actor, Actor::Partner);
        let p = plan(CaseKind::Kpi, Status::InReview, &reply(false)).expect("taken while in review");
        assert_eq!((p.status, p.events.len()), (None, 1));
        assert_eq!(plan(CaseKind::Kpi, Status::Open, &reply(false)).expect("ok").status, None);
        let p = plan(CaseKind::Kpi, Status::Resolved, &reply(true)).expect("reopens");
        assert_eq!((p.status, p.reopens), (Some(Status::InReview), true));
        assert_eq!(p.events[1].event_type, EventType::Reopened);
        assert_eq!(plan(CaseKind::Kpi, Status::Rejected, &reply(false)), Err(msg::CLOSED_FILE_NEW.into()));
        assert_eq!(plan(CaseKind::Kpi, Status::Duplicate, &reply(true)), Err(msg::CLOSED_FILE_NEW.into()));
        assert_eq!(plan(CaseKind::Directory, Status::Published, &reply(true)), Err(msg::CLOSED_FILE_NEW.into()));
    }

    #[test]
    fn the_service_level_pauses_while_waiting_and_moves_the_due_date_by_the_days_waited() {
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 3, d).expect("date");
        let at = |d| day(d).and_hms_opt(10, 0, 0).expect("time");
        let none = crate::domain::calendar::Holidays::default();
        let paused = service_level(Status::Open, Some(Status::WaitingOnPartner), false, None, day(16), 0, at(2), &none);
        assert!(matches!(paused, Some(ServiceLevel::Paused(_))));
        // Monday 2 → Thursday 5 March: three business days.
        let resumed = service_level(
            Status::WaitingOnPartner,
            Some(Status::InReview),
            false,
            Some(at(2)),
            day(16),
            1,
            at(5),
            &none,
        );
        let Some(ServiceLevel::Resumed { moved: Some((due, total)), event: Some(e) }) = resumed else {
            panic!("resumed: {resumed:?}")
        };
        assert_eq!((due, total), (day(19), 4));
        assert!(e.body.contains("3 business days"), "{}", e.body);
        let closed = service_level(
            Status::WaitingOnPartner,
            Some(Status::Resolved),
            true,
            Some(at(2)),
            day(16),
            0,
            at(5),
            &none,
        );
        assert_eq!(closed, Some(ServiceLevel::Resumed { event: None, moved: None }));
        assert_eq!(service_level(Status::Open, Some(Status::InReview), false, None, day(16), 0, at(5), &none), None);
        assert!(may_reopen(Status::Rejected, Some(at(2)), 30, at(2) + chrono::Duration::days(29)));
        assert!(!may_reopen(Status::Rejected, Some(at(2)), 30, at(2) + chrono::Duration::days(30)));
        assert!(!may_reopen(Status::Duplicate, Some(at(2)), 30, at(3)));
        assert!(!may_reopen(Status::Resolved, Some(at(2)), 0, at(3)));
    }
}
