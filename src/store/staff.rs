//! Staff accounts, their sessions, and sign-in throttling: rows and queries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{sessions, staff};

/// A staff account.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct StaffRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    /// An agent an admin allowed to submit and publish directory batches.
    pub may_send_batches: bool,
    /// Wants an e-mail for every new case.
    pub notify_new_cases: bool,
    /// Their own time zone (IANA name), if they chose one.
    pub time_zone: Option<String>,
}

/// A staff account to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = staff)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

/// Active accounts that asked for an e-mail for every new case.
pub fn wanting_new_cases(conn: &mut DbConnection) -> QueryResult<Vec<StaffRow>> {
    staff::table
        .filter(staff::notify_new_cases.eq(true).and(staff::disabled.eq(false)))
        .select(StaffRow::as_select())
        .load(conn)
}

/// Turns the e-mail for every new case on or off for an account.
pub fn set_notify_new_cases(conn: &mut DbConnection, id: i64, on: bool) -> QueryResult<usize> {
    diesel::update(staff::table.find(id)).set(staff::notify_new_cases.eq(on)).execute(conn)
}

/// Sets (or with `None` clears) an account's own time zone.
pub fn set_time_zone(conn: &mut DbConnection, id: i64, zone: Option<&str>) -> QueryResult<usize> {
    diesel::update(staff::table.find(id)).set(staff::time_zone.eq(zone)).execute(conn)
}

/// A session to insert (only the token's hash is stored).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession {
    pub token_hash: String,
    pub staff_id: i64,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// A session with its account.
#[derive(Debug, Clone, Queryable)]
pub struct SessionWithStaff {
    pub session_id: i64,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub staff: StaffRow,
}

/// Inserts an account.
pub fn insert(conn: &mut DbConnection, new: &NewStaff) -> QueryResult<i64> {
    diesel::insert_into(staff::table).values(new).returning(staff::id).get_result(conn)
}

/// An account by e-mail (normalised).
pub fn by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<StaffRow>> {
    staff::table.filter(staff::email.eq(email)).select(StaffRow::as_select()).first(conn).optional()
}

/// An account by id.
pub fn by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<StaffRow>> {
    staff::table.find(id).select(StaffRow::as_select()).first(conn).optional()
}

/// Every account, by name.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<StaffRow>> {
    staff::table.select(StaffRow::as_select()).order((staff::name.asc(), staff::id.asc())).load(conn)
}

/// Active accounts (for assignment), by name.
pub fn active(conn: &mut DbConnection) -> QueryResult<Vec<StaffRow>> {
    staff::table
        .filter(staff::disabled.eq(false))
        .select(StaffRow::as_select())
        .order((staff::name.asc(), staff::id.asc()))
        .load(conn)
}

/// Disables or enables an account; disabling ends its sessions at once.
pub fn set_disabled(conn: &mut DbConnection, id: i64, disabled: bool) -> QueryResult<usize> {
    let n = diesel::update(staff::table.find(id)).set(staff::disabled.eq(disabled)).execute(conn)?;
    if disabled {
        end_sessions_of(conn, id)?;
    }
    Ok(n)
}

/// Allows (or stops) an agent submitting and publishing directory batches.
pub fn set_may_send_batches(conn: &mut DbConnection, id: i64, allowed: bool) -> QueryResult<usize> {
    diesel::update(staff::table.find(id)).set(staff::may_send_batches.eq(allowed)).execute(conn)
}

/// Replaces an account's password hash and ends its sessions.
pub fn set_password(conn: &mut DbConnection, id: i64, password_hash: &str) -> QueryResult<usize> {
    let n = diesel::update(staff::table.find(id)).set(staff::password_hash.eq(password_hash)).execute(conn)?;
    end_sessions_of(conn, id)?;
    Ok(n)
}

/// Stores a new session.
pub fn insert_session(conn: &mut DbConnection, new: &NewSession) -> QueryResult<()> {
    diesel::insert_into(sessions::table).values(new).execute(conn).map(|_| ())
}

/// The session a token hash opens, with its (enabled) account.
pub fn session(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<SessionWithStaff>> {
    sessions::table
        .inner_join(staff::table)
        .filter(sessions::token_hash.eq(token_hash))
        .filter(staff::disabled.eq(false))
        .select((sessions::id, sessions::last_seen_at, sessions::expires_at, StaffRow::as_select()))
        .first(conn)
        .optional()
}

/// Marks a session used now.
pub fn touch_session(conn: &mut DbConnection, session_id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(sessions::table.find(session_id)).set(sessions::last_seen_at.eq(now)).execute(conn).map(|_| ())
}

/// Ends one session.
pub fn end_session(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash))).execute(conn)
}

/// Ends every session of an account.
pub fn end_sessions_of(conn: &mut DbConnection, staff_id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::staff_id.eq(staff_id))).execute(conn)
}

/// Removes sessions past their absolute expiry or idle for longer than allowed.
pub fn purge_sessions(conn: &mut DbConnection, now: NaiveDateTime, idle_since: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now).or(sessions::last_seen_at.lt(idle_since))))
        .execute(conn)
}
