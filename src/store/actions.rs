//! Writing a case action: the columns an action changes, written only if
//! the case is still at the version the action was made on.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::cases as c;
use crate::domain::case::Status;

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
    pub waiting_since: Option<Option<NaiveDateTime>>,
    pub sla_paused_days: Option<i32>,
    pub due_date: Option<chrono::NaiveDate>,
    pub partner_unread_at: Option<Option<NaiveDateTime>>,
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

/// A case's reference by id.
pub fn reference_of(conn: &mut DbConnection, id: i64) -> QueryResult<Option<String>> {
    c::table.find(id).select(c::reference).first(conn).optional()
}
