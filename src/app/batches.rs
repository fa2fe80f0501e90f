//! Monthly directory batches: which batch each approved request is in today,
//! what each sent batch holds, and marking a batch submitted and then
//! published (each request moves on with a message its partner sees).
//!
//! Reads never write: the batch an approved request belongs to is worked
//! out when it is read ([`batch_for_approved`]); the stored key is brought
//! up to date when a batch is submitted.

use crate::i18n::Lang;
use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};

use crate::clock::Clock;
use crate::domain::batch::{BatchStatus, batch_for_approved, batch_refusal, published_message, submitted_message};
use crate::domain::calendar::{BatchWindow, parse_batch_key};
use crate::domain::case::{CaseKind, Status};
use crate::domain::mail::MailKind;
use crate::domain::timeline::{Actor, EventType};
use crate::error::AppError;
use crate::store::batches::{self as store, BatchCaseRow, BatchRow};
use crate::store::cases::{CaseRow, NewEvent, insert_event};
use crate::store::{Db, DbConnection};

/// The batches as they stand today.
pub struct Overview {
    /// Every sent batch, newest first.
    pub sent: Vec<(BatchRow, usize)>,
    /// Approved requests, each with the key of the batch it is in today.
    pub approved: Vec<(String, BatchCaseRow)>,
    /// The batch a request approved today goes to.
    pub next: BatchWindow,
}

fn sent_keys(rows: &[BatchRow]) -> HashSet<String> {
    rows.iter().filter(|r| r.status.is_sent()).map(|r| r.batch_key.clone()).collect()
}

/// Approved requests with the key of the batch each is in on `today`.
fn approved_now(
    conn: &mut DbConnection,
    rows: &[BatchRow],
    today: NaiveDate,
) -> Result<Vec<(String, BatchCaseRow)>, AppError> {
    let sent = sent_keys(rows);
    Ok(store::directory_cases_with_status(conn, Status::Approved)?
        .into_iter()
        .map(|c| (batch_for_approved(c.batch_key.as_deref(), today, |k| sent.contains(k)).key(), c))
        .collect())
}

/// Every batch with its requests, as of today.
pub async fn overview(db: &Db, clock: &Clock) -> Result<Overview, AppError> {
    let today = clock.today();
    db.read(move |conn| {
        let rows = store::all(conn)?;
        let approved = approved_now(conn, &rows, today)?;
        let sent_set = sent_keys(&rows);
        let next = batch_for_approved(None, today, |k| sent_set.contains(k));
        let mut sent = Vec::with_capacity(rows.len());
        for r in rows {
            let n = store::cases_in_batch(conn, &r.batch_key, &[Status::Submitted, Status::Published])?.len();
            sent.push((r, n));
        }
        Ok(Overview { sent, approved, next })
    })
    .await
}

/// The requests of one batch: the approved ones it holds today while it is
/// open, the submitted and published ones once sent.
pub async fn requests_in(db: &Db, clock: &Clock, batch: &BatchWindow) -> Result<Vec<BatchCaseRow>, AppError> {
    let (today, key) = (clock.today(), batch.key());
    db.read(move |conn| {
        let rows = store::all(conn)?;
        let mut out: Vec<BatchCaseRow> =
            approved_now(conn, &rows, today)?.into_iter().filter(|(k, _)| *k == key).map(|(_, c)| c).collect();
        out.extend(store::cases_in_batch(conn, &key, &[Status::Submitted, Status::Published])?);
        out.sort_by_key(|c| c.id);
        Ok(out)
    })
    .await
}

/// Moves one case of the batch on, with its partner-visible timeline entry.
fn move_case(
    conn: &mut DbConnection,
    case: &BatchCaseRow,
    to: Status,
    staff_id: i64,
    at: NaiveDateTime,
    message: &str,
) -> Result<(), AppError> {
    let to =
        case.status.transition(to, case.kind).map_err(|m| AppError::Conflict(format!("{}: {m}", case.reference)))?;
    let closed_at = to.is_closed().then_some(at);
    if store::change_status(conn, case.id, case.status, case.version, to, at, closed_at)? != 1 {
        return Err(AppError::Conflict(format!(
            "{} changed while the batch was being updated, so nothing was changed – check the latest details and try again",
            case.reference
        )));
    }
    insert_event(
        conn,
        &NewEvent {
            case_id: case.id,
            created_at: at,
            actor_type: Actor::Staff,
            staff_id: Some(staff_id),
            event_type: if to == Status::Published { EventType::Published } else { EventType::Submitted },
            body: Some(message.to_string()),
            partner_visible: true,
        },
    )?;
    // The partner hears that the listing was sent, then that it is visible.
    let kind = if to == Status::Published { MailKind::BatchPublished } else { MailKind::BatchSubmitted };
    let contact = crate::store::cases::find(conn, case.id)?.contact_email;
    super::mail::queue(conn, kind, Some(case.id), &contact, None, at)?;
    Ok(())
}

/// Marks `batch` submitted and moves its approved requests to submitted, in
/// one transaction; returns how many. A refusal (window not open, nothing
/// to send, already sent) is a [`AppError::Conflict`] in words.
pub async fn submit(db: &Db, clock: &Clock, staff_id: i64, batch: BatchWindow) -> Result<usize, AppError> {
    let (today, at) = (clock.today(), clock.now());
    // Refusals are written on the database thread: in the staff member's language.
    let lang = crate::i18n::current();
    let sent = db
        .write(move |conn| {
            let key = batch.key();
            let rows = store::all(conn)?;
            // The stored keys are brought up to date here, the one time they
            // matter: what goes out now is what the batch holds today.
            let mut cases = Vec::new();
            for (current, case) in approved_now(conn, &rows, today)? {
                if case.batch_key.as_deref() != Some(current.as_str()) {
                    store::set_batch_key(conn, case.id, &current)?;
                }
                if current == key {
                    cases.push(case);
                }
            }
            let status = rows.iter().find(|r| r.batch_key == key).map_or(BatchStatus::Open, |r| r.status);
            status.submit(&batch, cases.len(), lang).map_err(AppError::Conflict)?;
            store::insert_submitted(conn, &key, at).map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => {
                    AppError::Conflict(batch_refusal(lang, "batch-error-already-submitted", &batch))
                }
                other => other,
            })?;
            for case in &cases {
                let message = submitted_message(&batch, Lang::parse(&case.language).unwrap_or_default());
                move_case(conn, case, Status::Submitted, staff_id, at, &message)?;
            }
            Ok(cases.len())
        })
        .await?;
    tracing::info!(batch = %batch.key(), requests = sent, staff_id, "directory batch submitted");
    Ok(sent)
}

/// Marks a submitted `batch` published and its requests published, in one
/// transaction; returns how many.
pub async fn publish(db: &Db, clock: &Clock, staff_id: i64, batch: BatchWindow) -> Result<usize, AppError> {
    let at = clock.now();
    let lang = crate::i18n::current();
    let published = db
        .write(move |conn| {
            let key = batch.key();
            let status = store::find(conn, &key)?.map_or(BatchStatus::Open, |r| r.status);
            status.publish(&batch, lang).map_err(AppError::Conflict)?;
            if store::mark_published(conn, &key, at)? != 1 {
                return Err(AppError::Conflict(batch_refusal(lang, "batch-error-already-published", &batch)));
            }
            let cases = store::cases_in_batch(conn, &key, &[Status::Submitted])?;
            for case in &cases {
                let message = published_message(&batch, Lang::parse(&case.language).unwrap_or_default());
                move_case(conn, case, Status::Published, staff_id, at, &message)?;
            }
            Ok(cases.len())
        })
        .await?;
    tracing::info!(batch = %batch.key(), requests = published, staff_id, "directory batch published");
    Ok(published)
}

/// The batch a directory request is in today: the one it was sent in once
/// submitted, else the one it would go out in if approved now.
pub fn current_batch(
    conn: &mut DbConnection,
    case: &CaseRow,
    today: NaiveDate,
) -> Result<Option<BatchWindow>, AppError> {
    if case.kind != CaseKind::Directory {
        return Ok(None);
    }
    if matches!(case.status, Status::Submitted | Status::Published) {
        return Ok(case.batch_key.as_deref().and_then(parse_batch_key));
    }
    let sent = sent_keys(&store::all(conn)?);
    Ok(Some(batch_for_approved(case.batch_key.as_deref(), today, |k| sent.contains(k))))
}
