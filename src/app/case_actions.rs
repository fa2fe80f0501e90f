//! What staff do to a case (assign, change status, note, reply, close, mark
//! as duplicate) and the partner's reply: the request resolved against the
//! stored case, the domain's plan for it (`domain::actions`), and the change
//! written only if the case is still at the version the form was made on,
//! with its timeline, in one transaction. A case that closes re-triages the
//! partner's other open cases in the same transaction.

use crate::i18n::{Lang, text, text_args};
use chrono::NaiveDateTime;

use super::Ctx;
use super::intake::Upload;
use crate::app::mail;
use crate::app::retriage::retriage_after_close;
use crate::checks::document::{self, DocumentError, Limits};
use crate::domain::actions::{self, Action, Actor, Outcome, Plan, ServiceLevel};
use crate::domain::case::Status;
use crate::domain::errors::FieldErrors;
use crate::domain::mail::MailKind;
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
        /// A file for the partner (same checks and limits as the invoice).
        file: Option<Upload>,
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
    /// The reply's file was refused (why): nothing written.
    AttachmentRefused(String),
}

/// Writes a plan if the case is still at `version`; the ids of the timeline
/// entries written, or `None` when the case had moved on. The service level
/// pauses when the case starts to wait on the partner and resumes when it
/// stops waiting: the due date moves by the business days it waited, and
/// the timeline says so.
fn write_plan(
    conn: &mut DbConnection,
    case: &CaseRow,
    version: i32,
    plan: &Plan,
    staff_id: Option<i64>,
    rules: &TriageRules,
    now: NaiveDateTime,
) -> Result<Option<Vec<i64>>, AppError> {
    let mut change = CaseChange {
        status: plan.status,
        assignee_id: plan.assignee_id.map(Some),
        duplicate_of: plan.duplicate_of.map(Some),
        outcome: plan.outcome.map(|o| Some(o.to_string())),
        resolution_message: plan.resolution_message.clone().map(Some),
        closed_at: plan.closes.then_some(Some(now)),
        ..CaseChange::default()
    };
    if plan.reopens {
        change.closed_at = Some(None);
        change.outcome = Some(None);
    }
    let mut events = plan.events.clone();
    let change_of_level = actions::service_level(
        case.status,
        plan.status,
        plan.closes,
        case.waiting_since,
        case.due_date,
        case.sla_paused_days,
        now,
        &rules.holidays,
    );
    match change_of_level {
        Some(ServiceLevel::Paused(event)) => {
            change.waiting_since = Some(Some(now));
            events.push(event);
        }
        Some(ServiceLevel::Resumed { event, moved }) => {
            change.waiting_since = Some(None);
            if let Some((due, total)) = moved {
                change.due_date = Some(due);
                change.sla_paused_days = Some(total);
            }
            events.extend(event);
        }
        None => {}
    }
    if !update_if_version(conn, case.id, version, &change, now)? {
        return Ok(None);
    }
    let mut ids = Vec::with_capacity(events.len());
    for e in &events {
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

/// Queues the e-mails a staff action announces, in its transaction: the
/// partner hears of replies and decisions, an assignee of a case given to
/// them (never of their own doing).
fn queue_mail(
    conn: &mut DbConnection,
    case: &CaseRow,
    action: &Action,
    plan: &Plan,
    staff_id: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let to_partner = |conn: &mut DbConnection, kind, body: &str| {
        mail::queue(conn, kind, Some(case.id), &case.contact_email, Some(body.to_owned()), now).map(drop)
    };
    match action {
        Action::Reply { message, .. } => {
            let kind = if plan.status == Some(Status::WaitingOnPartner) || case.status == Status::WaitingOnPartner {
                MailKind::SupportAsked
            } else {
                MailKind::SupportReplied
            };
            to_partner(conn, kind, message)
        }
        Action::Close { outcome: Outcome::Resolved, message } => to_partner(conn, MailKind::CaseResolved, message),
        Action::Close { outcome: Outcome::Rejected, message } => to_partner(conn, MailKind::CaseRejected, message),
        Action::Assign { staff_id: to, .. } => {
            mail::queue_to_staff(conn, MailKind::CaseAssigned, case.id, *to, Some(staff_id), now)
        }
        _ => Ok(()),
    }
}

/// Resolves a staff request against the stored case into the domain's action;
/// a refusal is in `lang` (this runs on a database thread, outside the
/// request's language).
fn resolve(
    conn: &mut DbConnection,
    case: &CaseRow,
    request: StaffRequest,
    lang: Lang,
) -> Result<Result<Action, String>, AppError> {
    Ok(Ok(match request {
        StaffRequest::Assign(id) => match staff::by_id(conn, id)?.filter(|s| !s.disabled) {
            Some(s) => Action::Assign { staff_id: s.id, name: s.name },
            None => return Ok(Err(text(lang, actions::msg::ASSIGNEE_MISSING))),
        },
        StaffRequest::Status { to, .. } => Action::ChangeStatus(to),
        StaffRequest::Note(body) => Action::Note(body),
        StaffRequest::Reply { message, set_waiting, .. } => Action::Reply { message, set_waiting },
        StaffRequest::Close { outcome, message } => Action::Close { outcome, message },
        StaffRequest::Duplicate(original) => match cases::find_by_reference(conn, &original)? {
            Some(o) if o.id != case.id => Action::Duplicate { original_id: o.id, original_reference: o.reference },
            Some(_) => {
                return Ok(Err(text_args(lang, "action-error-original-self", &[("reference", &case.reference)])));
            }
            None => return Ok(Err(text_args(lang, "action-error-no-such-case", &[("reference", &original)]))),
        },
    }))
}

/// Applies a staff member's request to the case `reference`, made on
/// `version`. An unknown case is `NotFound`.
pub async fn apply(
    ctx: &Ctx<'_>,
    reference: &str,
    version: i32,
    staff_id: i64,
    request: StaffRequest,
) -> Result<Applied, AppError> {
    let (reference, now, rules) = (reference.to_owned(), ctx.clock.now(), ctx.config.triage.clone());
    let lang = crate::i18n::current();
    // A reply's file is examined before anything is written.
    let attachment = match &request {
        StaffRequest::Reply { file: Some(u), .. } if u.too_large => {
            return Ok(Applied::AttachmentRefused(DocumentError::TooLarge.message()));
        }
        StaffRequest::Reply { file: Some(u), .. } => {
            match document::inspect_attachment_async(u.bytes.clone(), Limits::default()).await {
                Ok(report) => Some(new_attachment(0, u, &report, now)),
                Err(e) => return Ok(Applied::AttachmentRefused(e.message())),
            }
        }
        _ => None,
    };
    let applied = ctx
        .db
        .write(move |conn| {
            let case = cases::find_by_reference(conn, &reference)?.ok_or(AppError::NotFound)?;
            if case.version != version {
                return Ok(Applied::Stale);
            }
            let confirmed = matches!(request, StaffRequest::Status { confirmed: true, .. });
            let approving = matches!(request, StaffRequest::Status { to: Status::Approved, .. });
            let action = match resolve(conn, &case, request, lang)? {
                Ok(action) => action,
                Err(why) => return Ok(Applied::Refused(why)),
            };
            let mut plan = match actions::plan(case.kind, case.status, &action) {
                Ok(p) => p,
                Err(why) => return Ok(Applied::Refused(text(lang, &why))),
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
            let Some(event_ids) = write_plan(conn, &case, version, &plan, Some(staff_id), &rules, now)? else {
                return Ok(Applied::Stale);
            };
            if let Some(mut a) = attachment {
                // The file belongs to the reply, the plan's first entry.
                a.case_id = case.id;
                a.event_id = event_ids.first().copied();
                cases::insert_attachment(conn, &a)?;
            }
            queue_mail(conn, &case, &action, &plan, staff_id, now)?;
            // Staff acting on the case have seen what the partner wrote.
            if case.partner_unread_at.is_some() {
                cases::mark_partner_read(conn, case.id)?;
            }
            // A case that closes can change the triage of the partner's other
            // cases (a "Possible duplicate" of it no longer applies).
            if plan.closes {
                retriage_after_close(conn, case.id, &rules, now)?;
            }
            Ok(Applied::Done(plan))
        })
        .await?;
    if matches!(applied, Applied::Done(_)) {
        // An e-mail may be queued: send it now.
        ctx.jobs.notify();
    }
    Ok(applied)
}

/// Marks the partner's latest message read (staff opened it and said so).
pub async fn mark_partner_read(db: &Db, reference: &str) -> Result<(), AppError> {
    let reference = reference.to_owned();
    db.write(move |conn| {
        let case = cases::find_by_reference(conn, &reference)?.ok_or(AppError::NotFound)?;
        cases::mark_partner_read(conn, case.id)?;
        Ok(())
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
    /// Stored (and a recently closed case reopened).
    Done {
        /// The case's reference.
        reference: String,
        /// The reply reopened a closed case.
        reopened: bool,
    },
    /// Refused: the problems, one per field (and whether the body itself
    /// was over its limit).
    Refused {
        /// The problems.
        errors: FieldErrors,
        /// Answered 413.
        too_large: bool,
    },
    /// The case is closed for replies (closed too long ago, or a
    /// duplicate): nothing written; the message says to file a new case.
    Closed(String),
}

/// Whether a partner's reply to `case` now would reopen it (see
/// [`actions::may_reopen`]).
pub fn may_reopen(case: &CaseRow, reopen_days: u32, now: NaiveDateTime) -> bool {
    actions::may_reopen(case.status, case.closed_at, reopen_days, now)
}

/// Whether the partner may write on `case` now.
pub fn accepts_replies(case: &CaseRow, reopen_days: u32, now: NaiveDateTime) -> bool {
    !case.status.is_closed() || may_reopen(case, reopen_days, now)
}

/// Checks and stores a partner's reply (and its attachment) on the case
/// the tracking token opens. A reply is taken whenever the case is open
/// (any number of them), and reopens a case closed within
/// `FRONTLINE_REOPEN_DAYS`; the assignee is told by e-mail.
pub async fn partner_reply(ctx: &Ctx<'_>, token: &str, reply: PartnerReply) -> Result<PartnerReplied, AppError> {
    let hash = super::cases::tracking_hash(token)?;
    let h = hash.clone();
    let case = ctx.db.read(move |conn| cases::find_by_tracking_hash(conn, &h)?.ok_or(AppError::NotFound)).await?;
    let reopen_days = ctx.config.reopen_days;
    if !accepts_replies(&case, reopen_days, ctx.clock.now()) {
        return Ok(PartnerReplied::Closed(crate::i18n::t(actions::msg::CLOSED_FILE_NEW)));
    }
    let mut errors = FieldErrors::new();
    let missing = actions::msg::PARTNER_REPLY_MISSING;
    let message = errors.check("message", actions::parse_message(&reply.message, missing, "action-reply-label"));
    let attachment = match reply.file {
        None => None,
        Some(u) if u.too_large => {
            errors.add("attachment", DocumentError::TooLarge.message());
            None
        }
        Some(u) => match document::inspect_attachment_async(u.bytes.clone(), Limits::default()).await {
            Ok(report) => Some(new_attachment(case.id, &u, &report, ctx.clock.now())),
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
    let rules = ctx.config.triage.clone();
    // The refusals are written on a database thread: in the request's language.
    let lang = crate::i18n::current();
    let stored = ctx
        .db
        .write(move |conn| {
            let case = cases::find_by_tracking_hash(conn, &hash)?.ok_or(AppError::NotFound)?;
            let action = Action::PartnerReply { message, may_reopen: may_reopen(&case, reopen_days, now) };
            let plan = match actions::plan(case.kind, case.status, &action) {
                Ok(plan) => plan,
                Err(why) => return Ok(Err(text(lang, &why))),
            };
            let Some(event_ids) = write_plan(conn, &case, case.version, &plan, None, &rules, now)? else {
                // Changed between the read and the write (only possible outside SQLite's one writer).
                return Ok(Err(text(lang, actions::msg::STALE)));
            };
            if let Some(mut a) = attachment {
                a.case_id = case.id;
                a.event_id = event_ids.first().copied();
                cases::insert_attachment(conn, &a)?;
            }
            cases::mark_partner_unread(conn, case.id, now)?;
            if let Some(assignee) = case.assignee_id {
                mail::queue_to_staff(conn, MailKind::PartnerReplied, case.id, assignee, None, now)?;
            }
            Ok(Ok(plan.reopens))
        })
        .await?;
    match stored {
        Ok(reopened) => {
            ctx.jobs.notify();
            tracing::info!(%reference, reopened, "partner replied");
            Ok(PartnerReplied::Done { reference, reopened })
        }
        Err(why) => Ok(PartnerReplied::Closed(why)),
    }
}

/// An inspected upload as a row for a timeline entry.
pub fn new_attachment(
    case_id: i64,
    u: &Upload,
    report: &document::DocumentReport,
    now: NaiveDateTime,
) -> NewAttachment {
    NewAttachment {
        case_id,
        event_id: None,
        content_type: report.kind.content_type().into(),
        size_bytes: i64::try_from(u.bytes.len()).unwrap_or(i64::MAX),
        sha256: report.sha256_hex.clone(),
        text_layer: report.text_layer.as_str().into(),
        doc_class: report.class.as_str().into(),
        invoice_number_found: None,
        file_name: u.file_name.clone(),
        data: u.bytes.to_vec(),
        created_at: now,
    }
}
