//! What staff do to a case (assign, change status, note, reply, close, mark
//! as duplicate) and the partner's reply: the request resolved against the
//! stored case, the domain's plan for it (`domain::actions`), and the change
//! written only if the case is still at the version the form was made on,
//! with its timeline, in one transaction. A case that closes re-triages the
//! partner's other open cases in the same transaction.

use chrono::NaiveDateTime;

use super::Ctx;
use super::intake::Upload;
use crate::app::retriage::retriage_after_close;
use crate::checks::document::{self, DocumentError, Limits};
use crate::clock::Clock;
use crate::domain::actions::{self, Action, Actor, Outcome, Plan};
use crate::domain::case::Status;
use crate::domain::errors::FieldErrors;
use crate::domain::triage::TriageRules;
use crate::error::AppError;
use crate::store::actions::{CaseChange, update_if_version};
use crate::store::cases::{self, CaseRow, NewAttachment, NewEvent};
use crate::store::{Db, DbConnection, staff};

/// A staff request, as the form named things.
#[derive(Debug, Clone)]
pub enum StaffRequest {
    /// Assign to this staff id.
    Assign(i64),
    /// Change status (`confirmed`: approve a directory request whose
    /// landing-page check failed or found problems all the same).
    Status {
        /// The new status.
        to: Status,
        /// The warning was seen and accepted.
        confirmed: bool,
    },
    /// Internal note.
    Note(String),
    /// Reply to the partner.
    Reply {
        message: String,
        /// Wait on the partner if allowed.
        set_waiting: bool,
    },
    /// Resolve or reject.
    Close {
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
    /// Needs a second thought first (approving despite the landing-page
    /// check): the warning; nothing written.
    NeedsConfirmation(String),
}

/// Writes a plan if the case is still at `version`; the ids of the timeline
/// entries written, or `None` when the case had moved on.
fn write_plan(
    conn: &mut DbConnection,
    case: &CaseRow,
    version: i32,
    plan: &Plan,
    staff_id: Option<i64>,
    now: NaiveDateTime,
) -> Result<Option<Vec<i64>>, AppError> {
    let change = CaseChange {
        status: plan.status,
        assignee_id: plan.assignee_id.map(Some),
        duplicate_of: plan.duplicate_of.map(Some),
        outcome: plan.outcome.map(|o| Some(o.to_string())),
        resolution_message: plan.resolution_message.clone().map(Some),
        closed_at: plan.closes.then_some(Some(now)),
    };
    if !update_if_version(conn, case.id, version, &change, now)? {
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

/// Resolves a staff request against the stored case into the domain's action.
fn resolve(conn: &mut DbConnection, case: &CaseRow, request: StaffRequest) -> Result<Result<Action, String>, AppError> {
    Ok(Ok(match request {
        StaffRequest::Assign(id) => match staff::by_id(conn, id)?.filter(|s| !s.disabled) {
            Some(s) => Action::Assign { staff_id: s.id, name: s.name },
            None => return Ok(Err(actions::msg::ASSIGNEE_MISSING.into())),
        },
        StaffRequest::Status { to, .. } => Action::ChangeStatus(to),
        StaffRequest::Note(body) => Action::Note(body),
        StaffRequest::Reply { message, set_waiting } => Action::Reply { message, set_waiting },
        StaffRequest::Close { outcome, message } => Action::Close { outcome, message },
        StaffRequest::Duplicate(original) => match cases::find_by_reference(conn, &original)? {
            Some(o) if o.id != case.id => Action::Duplicate { original_id: o.id, original_reference: o.reference },
            Some(_) => return Ok(Err(format!("The original case must be another case, not {}", case.reference))),
            None => return Ok(Err(actions::no_such_case(&original))),
        },
    }))
}

/// Applies a staff member's request to the case `reference`, made on
/// `version`. An unknown case is `NotFound`.
pub async fn apply(
    db: &Db,
    clock: &Clock,
    rules: TriageRules,
    reference: &str,
    version: i32,
    staff_id: i64,
    request: StaffRequest,
) -> Result<Applied, AppError> {
    let (reference, now) = (reference.to_owned(), clock.now());
    db.write(move |conn| {
        let case = cases::find_by_reference(conn, &reference)?.ok_or(AppError::NotFound)?;
        if case.version != version {
            return Ok(Applied::Stale);
        }
        let confirmed = matches!(request, StaffRequest::Status { confirmed: true, .. });
        let approving = matches!(request, StaffRequest::Status { to: Status::Approved, .. });
        let action = match resolve(conn, &case, request)? {
            Ok(action) => action,
            Err(why) => return Ok(Applied::Refused(why)),
        };
        let mut plan = match actions::plan(case.kind, case.status, &action) {
            Ok(p) => p,
            Err(why) => return Ok(Applied::Refused(why)),
        };
        // Approving a listing whose page did not pass its check asks first,
        // and says on the timeline that it was approved all the same.
        let warning = if approving {
            super::cases::landing_check_state(conn, &case)?.and_then(|c| c.approval_warning())
        } else {
            None
        };
        if let Some(warning) = warning {
            if !confirmed {
                return Ok(Applied::NeedsConfirmation(warning));
            }
            tracing::info!(reference = %case.reference, staff_id, "approved despite the landing-page check");
            if let Some(e) = plan.events.last_mut() {
                e.body = format!("{} – approved despite the landing-page check: {warning}", e.body);
            }
        }
        if write_plan(conn, &case, version, &plan, Some(staff_id), now)?.is_none() {
            return Ok(Applied::Stale);
        }
        // A case that closes can change the triage of the partner's other
        // cases (a "Possible duplicate" of it no longer applies).
        if plan.closes {
            retriage_after_close(conn, case.id, &rules, now)?;
        }
        Ok(Applied::Done(plan))
    })
    .await
}

/// A partner's reply as the tracking page sent it.
pub struct PartnerReply {
    /// The message as typed.
    pub message: String,
    /// An attachment, if one was chosen.
    pub file: Option<Upload>,
    /// The body went past its limit and was not read to its end.
    pub body_too_large: bool,
}

/// What became of a partner's reply.
#[derive(Debug)]
pub enum PartnerReplied {
    /// Stored; the case is back in review.
    Done {
        /// The case's reference.
        reference: String,
    },
    /// Refused: the problems, one per field (and whether the body itself
    /// was over its limit).
    Refused {
        /// The problems.
        errors: FieldErrors,
        /// Answered 413.
        too_large: bool,
    },
    /// The case is not waiting on the partner: nothing written.
    NotWaiting,
}

/// Checks and stores a partner's reply (and its attachment) on the case
/// the tracking token opens.
pub async fn partner_reply(ctx: &Ctx<'_>, token: &str, reply: PartnerReply) -> Result<PartnerReplied, AppError> {
    let hash = super::cases::tracking_hash(token)?;
    let h = hash.clone();
    let case = ctx.db.read(move |conn| cases::find_by_tracking_hash(conn, &h)?.ok_or(AppError::NotFound)).await?;
    if case.status != Status::WaitingOnPartner {
        return Ok(PartnerReplied::NotWaiting);
    }
    let mut errors = FieldErrors::new();
    let missing = actions::msg::PARTNER_REPLY_MISSING;
    let message = errors.check("message", actions::parse_message(&reply.message, missing, "Your reply"));
    let attachment = match reply.file {
        None => None,
        Some(u) if u.too_large => {
            errors.add("attachment", DocumentError::TooLarge.message());
            None
        }
        Some(u) => match document::inspect_attachment_async(u.bytes.clone(), Limits::default()).await {
            Ok(report) => Some(NewAttachment {
                case_id: case.id,
                event_id: None,
                content_type: report.kind.content_type().into(),
                size_bytes: i64::try_from(u.bytes.len()).unwrap_or(i64::MAX),
                sha256: report.sha256_hex.clone(),
                text_layer: report.text_layer.as_str().into(),
                doc_class: report.class.as_str().into(),
                invoice_number_found: None,
                file_name: u.file_name,
                data: u.bytes.to_vec(),
                created_at: ctx.clock.now(),
            }),
            Err(e) => {
                errors.add("attachment", e.message());
                None
            }
        },
    };
    let Some(message) = message.filter(|_| errors.is_empty()) else {
        return Ok(PartnerReplied::Refused { errors, too_large: reply.body_too_large });
    };
    let now = ctx.clock.now();
    let reference = case.reference.clone();
    let stored = ctx
        .db
        .write(move |conn| {
            let case = cases::find_by_tracking_hash(conn, &hash)?.ok_or(AppError::NotFound)?;
            let Ok(plan) = actions::plan(case.kind, case.status, &Action::PartnerReply(message)) else {
                return Ok(false);
            };
            let Some(event_ids) = write_plan(conn, &case, case.version, &plan, None, now)? else {
                // Changed between the read and the write (only possible outside SQLite's one writer).
                return Ok(false);
            };
            if let Some(mut a) = attachment {
                a.case_id = case.id;
                a.event_id = event_ids.first().copied();
                cases::insert_attachment(conn, &a)?;
            }
            Ok(true)
        })
        .await?;
    if !stored {
        return Ok(PartnerReplied::NotWaiting);
    }
    tracing::info!(%reference, "partner replied");
    Ok(PartnerReplied::Done { reference })
}
