//! Applying a case action in the caller's transaction: resolve what the
//! request names, let `domain::actions::plan` decide, then write the change
//! conditionally on the version the action was made on, and its timeline.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::cases::{self, CaseRow, NewAttachment, NewEvent};
use super::schema::cases as c;
use super::staff;
use crate::domain::actions::{self, Action, Actor, Outcome, Plan};
use crate::domain::case::Status;
use crate::error::AppError;

/// The columns an action may change (`None`: left as it is).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = c)]
pub struct CaseChange {
    pub status: Option<Status>,
    pub assignee_id: Option<Option<i64>>,
    pub duplicate_of: Option<Option<i64>>,
    pub outcome: Option<Option<String>>,
    pub resolution_message: Option<Option<String>>,
    pub closed_at: Option<Option<NaiveDateTime>>,
}

impl CaseChange {
    fn of(plan: &Plan, now: NaiveDateTime) -> Self {
        Self {
            status: plan.status,
            assignee_id: plan.assignee_id.map(Some),
            duplicate_of: plan.duplicate_of.map(Some),
            outcome: plan.outcome.map(|o| Some(o.to_string())),
            resolution_message: plan.resolution_message.clone().map(Some),
            closed_at: plan.closes.then_some(Some(now)),
        }
    }
}

/// Writes `change`, bumps the version and `updated_at`, only if the case is
/// still at `version`. Returns whether it was.
pub fn update_if_version(
    conn: &mut DbConnection,
    case_id: i64,
    version: i32,
    change: &CaseChange,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(c::table.filter(c::id.eq(case_id)).filter(c::version.eq(version)))
        .set((change, c::version.eq(version + 1), c::updated_at.eq(now)))
        .execute(conn)?;
    Ok(n == 1)
}

/// A staff request, as the form named things.
#[derive(Debug, Clone)]
pub enum StaffRequest {
    /// Assign to this staff id.
    Assign(i64),
    /// Change status.
    Status(Status),
    /// Internal note.
    Note(String),
    /// Reply to the partner.
    Reply {
        /// Text.
        message: String,
        /// Wait on the partner if allowed.
        set_waiting: bool,
    },
    /// Resolve or reject.
    Close {
        /// Which.
        outcome: Outcome,
        /// Message to the partner.
        message: String,
    },
    /// Duplicate of the case with this reference.
    Duplicate(String),
}

/// What became of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Done; the plan that was written.
    Done(Plan),
    /// The case is no longer at the submitted version: nothing written.
    Stale,
    /// Refused, with the message for the form: nothing written.
    Refused(String),
}

fn write_plan(
    conn: &mut DbConnection,
    case: &CaseRow,
    version: i32,
    plan: &Plan,
    staff_id: Option<i64>,
    now: NaiveDateTime,
) -> Result<Option<Vec<i64>>, AppError> {
    if !update_if_version(conn, case.id, version, &CaseChange::of(plan, now), now)? {
        return Ok(None);
    }
    let mut ids = Vec::with_capacity(plan.events.len());
    for e in &plan.events {
        ids.push(cases::insert_event(
            conn,
            &NewEvent {
                case_id: case.id,
                created_at: now,
                actor_type: e.actor,
                staff_id: if e.actor == Actor::Staff { staff_id } else { None },
                event_type: e.event_type,
                body: Some(e.body.clone()),
                partner_visible: e.partner_visible,
            },
        )?);
    }
    Ok(Some(ids))
}

/// Applies a staff member's request to the case `reference`, made on
/// `version`, in the caller's transaction. An unknown case is `NotFound`.
pub fn apply_staff_request(
    conn: &mut DbConnection,
    reference: &str,
    version: i32,
    staff_id: i64,
    request: StaffRequest,
    now: NaiveDateTime,
) -> Result<Applied, AppError> {
    let case = cases::find_by_reference(conn, reference)?.ok_or(AppError::NotFound)?;
    if case.version != version {
        return Ok(Applied::Stale);
    }
    let (kind, status) = (case.kind, case.status);
    let action = match request {
        StaffRequest::Assign(id) => match staff::by_id(conn, id)?.filter(|s| !s.disabled) {
            Some(s) => Action::Assign { staff_id: s.id, name: s.name },
            None => return Ok(Applied::Refused(actions::msg::ASSIGNEE_MISSING.into())),
        },
        StaffRequest::Status(to) => Action::ChangeStatus(to),
        StaffRequest::Note(body) => Action::Note(body),
        StaffRequest::Reply { message, set_waiting } => Action::Reply { message, set_waiting },
        StaffRequest::Close { outcome, message } => Action::Close { outcome, message },
        StaffRequest::Duplicate(original) => match cases::find_by_reference(conn, &original)? {
            Some(o) if o.id != case.id => Action::Duplicate { original_id: o.id, original_reference: o.reference },
            Some(_) => return Ok(Applied::Refused(format!("The original case must be another case, not {reference}"))),
            None => return Ok(Applied::Refused(actions::no_such_case(&original))),
        },
    };
    let plan = match actions::plan(kind, status, &action) {
        Ok(p) => p,
        Err(m) => return Ok(Applied::Refused(m)),
    };
    match write_plan(conn, &case, version, &plan, Some(staff_id), now)? {
        Some(_) => Ok(Applied::Done(plan)),
        None => Ok(Applied::Stale),
    }
}

/// What became of a partner's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartnerReplied {
    /// Stored; the case is back in review.
    Done,
    /// The case is not waiting on the partner: nothing written.
    NotWaiting,
}

/// Stores a partner's reply (and its attachment) on the case a tracking hash
/// opens, in the caller's transaction.
pub fn apply_partner_reply(
    conn: &mut DbConnection,
    tracking_hash: &str,
    message: String,
    attachment: Option<NewAttachment>,
    now: NaiveDateTime,
) -> Result<PartnerReplied, AppError> {
    let case = cases::find_by_tracking_hash(conn, tracking_hash)?.ok_or(AppError::NotFound)?;
    let (kind, status) = (case.kind, case.status);
    let Ok(plan) = actions::plan(kind, status, &Action::PartnerReply(message)) else {
        return Ok(PartnerReplied::NotWaiting);
    };
    let Some(event_ids) = write_plan(conn, &case, case.version, &plan, None, now)? else {
        // Changed between the read and the write (only possible outside SQLite's one writer).
        return Ok(PartnerReplied::NotWaiting);
    };
    if let Some(mut a) = attachment {
        a.case_id = case.id;
        a.event_id = event_ids.first().copied();
        cases::insert_attachment(conn, &a)?;
    }
    Ok(PartnerReplied::Done)
}

/// A case's reference by id.
pub fn reference_of(conn: &mut DbConnection, id: i64) -> QueryResult<Option<String>> {
    c::table.find(id).select(c::reference).first(conn).optional()
}
