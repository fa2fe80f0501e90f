//! Invoices kept between a failed submission and its correction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::pending_uploads;

/// Keeps a file against a form's idempotency key (replacing an earlier one)
/// and forgets uploads older than `stale_before`.
pub fn keep(
    conn: &mut DbConnection,
    key: &str,
    file_name: &str,
    data: &[u8],
    now: NaiveDateTime,
    stale_before: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(pending_uploads::table.filter(pending_uploads::created_at.lt(stale_before))).execute(conn)?;
    diesel::delete(pending_uploads::table.find(key)).execute(conn)?;
    diesel::insert_into(pending_uploads::table)
        .values((
            pending_uploads::idempotency_key.eq(key),
            pending_uploads::file_name.eq(file_name),
            pending_uploads::data.eq(data),
            pending_uploads::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The file kept for a form: (file name, bytes).
pub fn find(conn: &mut DbConnection, key: &str) -> QueryResult<Option<(String, Vec<u8>)>> {
    pending_uploads::table.find(key).select((pending_uploads::file_name, pending_uploads::data)).first(conn).optional()
}

/// The name of the file kept for a form.
pub fn name(conn: &mut DbConnection, key: &str) -> QueryResult<Option<String>> {
    pending_uploads::table.find(key).select(pending_uploads::file_name).first(conn).optional()
}

/// Forgets the file kept for a form (it became part of a case).
pub fn forget(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(pending_uploads::table.find(key)).execute(conn).map(|_| ())
}
