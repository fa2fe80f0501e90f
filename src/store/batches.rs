//! Monthly directory batches and the directory requests in them: rows and
//! queries only (which batch a request belongs to is decided in
//! `domain::batch`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{batches, cases};
use crate::domain::batch::BatchStatus;
use crate::domain::case::{CaseKind, Status};

/// A batch that has been submitted (a batch with no row is still open).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = batches)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct BatchRow {
    pub batch_key: String,
    pub status: BatchStatus,
    pub submitted_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
}

/// What a batch shows of a directory request.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct BatchCaseRow {
    pub id: i64,
    pub reference: String,
    pub kind: CaseKind,
    pub status: Status,
    pub version: i32,
    pub partner_id: String,
    pub directory_name: Option<String>,
    pub country: Option<String>,
    pub landing_page_url: Option<String>,
    pub batch_key: Option<String>,
    /// The language the case was filed in (its timeline entries are written in it).
    pub language: String,
}

/// Every stored batch, newest first.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<BatchRow>> {
    batches::table.select(BatchRow::as_select()).order(batches::batch_key.desc()).load(conn)
}

/// One stored batch.
pub fn find(conn: &mut DbConnection, key: &str) -> QueryResult<Option<BatchRow>> {
    batches::table.find(key).select(BatchRow::as_select()).first(conn).optional()
}

/// Records a batch as submitted. Fails with a unique violation if a row for
/// the key exists already (a concurrent submission).
pub fn insert_submitted(conn: &mut DbConnection, key: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(batches::table)
        .values((
            batches::batch_key.eq(key),
            batches::status.eq(BatchStatus::Submitted),
            batches::submitted_at.eq(Some(at)),
            batches::published_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Marks a submitted batch published; returns how many rows changed (0 if
/// it was not in `submitted`).
pub fn mark_published(conn: &mut DbConnection, key: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(batches::table.find(key).filter(batches::status.eq(BatchStatus::Submitted)))
        .set((batches::status.eq(BatchStatus::Published), batches::published_at.eq(Some(at))))
        .execute(conn)
}

/// Directory requests with a given status, oldest first.
pub fn directory_cases_with_status(conn: &mut DbConnection, status: Status) -> QueryResult<Vec<BatchCaseRow>> {
    cases::table
        .filter(cases::kind.eq(CaseKind::Directory))
        .filter(cases::status.eq(status))
        .select(BatchCaseRow::as_select())
        .order(cases::id.asc())
        .load(conn)
}

/// The directory requests of one batch that have one of `statuses`, oldest first.
pub fn cases_in_batch(conn: &mut DbConnection, key: &str, statuses: &[Status]) -> QueryResult<Vec<BatchCaseRow>> {
    cases::table
        .filter(cases::kind.eq(CaseKind::Directory))
        .filter(cases::batch_key.eq(key))
        .filter(cases::status.eq_any(statuses.to_vec()))
        .select(BatchCaseRow::as_select())
        .order(cases::id.asc())
        .load(conn)
}

/// Moves a request to another batch.
pub fn set_batch_key(conn: &mut DbConnection, case_id: i64, key: &str) -> QueryResult<()> {
    diesel::update(cases::table.find(case_id)).set(cases::batch_key.eq(key)).execute(conn).map(|_| ())
}

/// Changes a case's status if it is still `from` at `version`, bumping the
/// version; returns how many rows changed (0 if someone changed it first).
pub fn change_status(
    conn: &mut DbConnection,
    case_id: i64,
    from: Status,
    version: i32,
    to: Status,
    now: NaiveDateTime,
    closed_at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    diesel::update(cases::table.find(case_id).filter(cases::status.eq(from)).filter(cases::version.eq(version)))
        .set((
            cases::status.eq(to),
            cases::version.eq(version + 1),
            cases::updated_at.eq(now),
            cases::closed_at.eq(closed_at),
        ))
        .execute(conn)
}
