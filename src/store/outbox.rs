//! The outbox: e-mails waiting to be sent, and what became of them. Rows
//! and queries only (rendering and sending live in `crate::app::mail`).
//!
//! A message is `pending` until a runner claims it; claiming marks it
//! `sending` with a lease and counts the attempt. The runner then marks it
//! `sent` or `failed`, or puts it back to `pending` with a later
//! `run_after`. A `sending` message whose lease ran out (its instance died
//! mid-send) is due again. Every change after the claim is fenced on the
//! attempt, so two runners never both own a message.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::outbox;
use crate::domain::mail::{MailKind, MailStatus};

/// A stored message.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct MailRow {
    pub id: i64,
    pub case_id: Option<i64>,
    pub kind: MailKind,
    pub recipient: String,
    /// What staff wrote to the partner (a reply, a resolution), if the
    /// message carries it.
    pub body: Option<String>,
    /// The `Message-ID` (without angle brackets), unique per message.
    pub message_id: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub run_after: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// A message to queue.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewMail {
    pub case_id: Option<i64>,
    pub kind: MailKind,
    pub recipient: String,
    pub body: Option<String>,
    pub message_id: String,
    pub status: MailStatus,
    pub attempts: i32,
    pub run_after: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// Queues a message in the caller's transaction.
pub fn insert(conn: &mut DbConnection, new: &NewMail) -> QueryResult<i64> {
    diesel::insert_into(outbox::table).values(new).returning(outbox::id).get_result(conn)
}

/// Claims up to `limit` due messages (see [`super::jobs::claim_due`] for
/// how the claim stays atomic on both backends).
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<MailRow>> {
    let due = outbox::table
        .filter(
            outbox::status
                .eq(MailStatus::Pending)
                .and(outbox::run_after.le(now))
                .or(outbox::status.eq(MailStatus::Sending).and(outbox::locked_until.lt(now))),
        )
        .filter(outbox::kind.eq_any(MailKind::ALL))
        .select(outbox::id)
        .order((outbox::run_after.asc(), outbox::id.asc()))
        .limit(limit);
    let ids: Vec<i64> = match conn {
        DbConnection::Pg(c) => due.for_update().skip_locked().load(c)?,
        DbConnection::Sqlite(c) => due.load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((
            outbox::status.eq(MailStatus::Sending),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::locked_until.eq(lease_until),
        ))
        .execute(conn)?;
    outbox::table.filter(outbox::id.eq_any(&ids)).select(MailRow::as_select()).order(outbox::id.asc()).load(conn)
}

/// Marks attempt `attempt` of a message sent (or failed for good, with
/// `error`). False, changing nothing, if that attempt no longer owns it.
pub fn finish(
    conn: &mut DbConnection,
    id: i64,
    attempt: i32,
    status: MailStatus,
    now: NaiveDateTime,
    error: Option<&str>,
) -> QueryResult<bool> {
    let target = outbox::table
        .filter(outbox::id.eq(id).and(outbox::status.eq(MailStatus::Sending)).and(outbox::attempts.eq(attempt)));
    let sent_at = (status == MailStatus::Sent).then_some(now);
    let n = diesel::update(target)
        .set((
            outbox::status.eq(status),
            outbox::sent_at.eq(sent_at),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Puts attempt `attempt` back to `pending`, due at `run_after`, with why it
/// failed. False if that attempt no longer owns the message.
pub fn retry_at(
    conn: &mut DbConnection,
    id: i64,
    attempt: i32,
    run_after: NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    let target = outbox::table
        .filter(outbox::id.eq(id).and(outbox::status.eq(MailStatus::Sending)).and(outbox::attempts.eq(attempt)));
    let n = diesel::update(target)
        .set((
            outbox::status.eq(MailStatus::Pending),
            outbox::run_after.eq(run_after),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Gives a claimed message back (the runner is stopping): due now, and the
/// attempt does not count.
pub fn release(conn: &mut DbConnection, id: i64, attempt: i32, now: NaiveDateTime) -> QueryResult<bool> {
    let target = outbox::table
        .filter(outbox::id.eq(id).and(outbox::status.eq(MailStatus::Sending)).and(outbox::attempts.eq(attempt)));
    let n = diesel::update(target)
        .set((
            outbox::status.eq(MailStatus::Pending),
            outbox::run_after.eq(now),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::attempts.eq(attempt - 1),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The messages of a case, oldest first.
pub fn for_case(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<MailRow>> {
    outbox::table.filter(outbox::case_id.eq(case_id)).select(MailRow::as_select()).order(outbox::id.asc()).load(conn)
}

/// Every message, oldest first (tests and the CLI).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<MailRow>> {
    outbox::table.select(MailRow::as_select()).order(outbox::id.asc()).load(conn)
}
