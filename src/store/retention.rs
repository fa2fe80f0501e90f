//! The retention rule's purge: rows and queries only (which cases are past
//! keeping is `crate::domain::retention`'s to say).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{attachments, cases};
use crate::domain::case::Status;

/// A file whose bytes were removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct Purged {
    /// The attachment.
    pub id: i64,
    /// Its case.
    pub case_id: i64,
}

/// Removes the bytes of up to `limit` kept files of cases in one of the
/// `closed` statuses that closed before `closed_before` (oldest files
/// first), recording `now` and `kept_days` on each; the name and details
/// stay. Returns the files it removed.
///
/// Call it inside a write transaction ([`super::Db::write`]). On PostgreSQL
/// the chosen rows are locked with `FOR UPDATE SKIP LOCKED`, so instances
/// purging at once take different files; and a file is only counted by the
/// transaction whose update found it still kept, so none is counted twice.
pub fn purge_batch(
    conn: &mut DbConnection,
    closed: &[Status],
    closed_before: NaiveDateTime,
    now: NaiveDateTime,
    kept_days: i32,
    limit: i64,
) -> QueryResult<Vec<Purged>> {
    let past_keeping = cases::table
        .filter(cases::status.eq_any(closed.to_vec()))
        .filter(cases::closed_at.lt(closed_before))
        .select(cases::id);
    let due = attachments::table
        .filter(attachments::purged_at.is_null())
        .filter(attachments::case_id.eq_any(past_keeping))
        .select(attachments::id)
        .order(attachments::id.asc())
        .limit(limit);
    let ids: Vec<i64> = match conn {
        DbConnection::Pg(c) => due.for_update().skip_locked().load(c)?,
        DbConnection::Sqlite(c) => due.load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(attachments::table.filter(attachments::id.eq_any(&ids)).filter(attachments::purged_at.is_null()))
        .set((
            attachments::data.eq(Vec::<u8>::new()),
            attachments::purged_at.eq(Some(now)),
            attachments::kept_days.eq(Some(kept_days)),
        ))
        .returning((attachments::id, attachments::case_id))
        .get_results(conn)
}
