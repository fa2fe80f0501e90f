//! The staff queue: one filtered, ordered, paginated read, counts per status
//! and per kind, and the atomic "claim next". Queries only: which statuses,
//! which transition and which order count as "most urgent" are decided by
//! `domain::queue` and passed in.
//!
//! Order: priority (1 = Urgent first), then due date, then age (oldest
//! first), then id. "Overdue before not" within a priority follows from the
//! due-date key: a case is overdue exactly when its due date is before today
//! and it is not closed, and a queue view never mixes closed with open
//! statuses (the default is open work; `status` picks one status), so within
//! one priority every overdue case has an earlier due date than every case
//! that is not. Keeping the order to plain columns lets the index
//! `(priority, due_date, created_at, id)` deliver it without a sort.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use super::DbConnection;
use super::schema::{case_events, case_flags, cases};

/// The backend type queries are boxed for.
type Backend = <DbConnection as diesel::Connection>::Backend;

/// A boxed `WHERE` condition on `cases`.
type Condition = Box<dyn BoxableExpression<cases::table, Backend, SqlType = Bool>>;

/// Whose cases (with `me` already resolved to an id).
pub use crate::domain::queue::ResolvedAssignee as Assignee;

/// What the queue is filtered on, as stored values.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// `cases.kind`.
    pub kind: Option<String>,
    /// `cases.status IN (…)`; never empty in practice.
    pub statuses: Vec<String>,
    /// `cases.assignee_id`.
    pub assignee: Option<Assignee>,
    /// A flag code the case carries.
    pub flag: Option<String>,
    /// Lower-cased search text (matched as a substring of `search_text`).
    pub needle: Option<String>,
}

/// One row of the queue table.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct QueueRow {
    pub id: i64,
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub partner_id: String,
    pub company_name: String,
    pub priority: i32,
    pub due_date: NaiveDate,
    pub assignee_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub kpi_month: Option<i32>,
    pub kpi_year: Option<i32>,
    pub invoice_number: Option<String>,
    pub directory_name: Option<String>,
    pub country: Option<String>,
}

/// Escapes `%`, `_` and the escape character itself for `LIKE … ESCAPE '\'`
/// and wraps the needle in `%…%`.
pub fn contains_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Which filters to leave out (counts per status ignore the status filter,
/// counts per kind the kind filter, so each option shows what choosing it
/// would give).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Skip {
    Nothing,
    Status,
    Kind,
}

fn condition(f: &QueueFilter, skip: Skip) -> Condition {
    // Always true; keeps the types simple when nothing else applies.
    let mut c: Condition = Box::new(cases::id.is_not_null());
    if skip != Skip::Status {
        c = Box::new(c.and(cases::status.eq_any(f.statuses.clone())));
    }
    if skip != Skip::Kind
        && let Some(k) = &f.kind
    {
        c = Box::new(c.and(cases::kind.eq(k.clone())));
    }
    match f.assignee {
        None | Some(Assignee::Anyone) => {}
        Some(Assignee::Unassigned) => c = Box::new(c.and(cases::assignee_id.is_null())),
        Some(Assignee::Staff(id)) => c = Box::new(c.and(cases::assignee_id.assume_not_null().eq(id))),
    }
    if let Some(code) = &f.flag {
        let with_flag = case_flags::table.filter(case_flags::code.eq(code.clone())).select(case_flags::case_id);
        c = Box::new(c.and(cases::id.eq_any(with_flag)));
    }
    if let Some(n) = &f.needle {
        c = Box::new(c.and(cases::search_text.like(contains_pattern(n)).escape('\\')));
    }
    c
}

/// Cases per status, with every filter but the status one.
pub fn counts_by_status(conn: &mut DbConnection, f: &QueueFilter) -> QueryResult<Vec<(String, i64)>> {
    cases::table
        .filter(condition(f, Skip::Status))
        .group_by(cases::status)
        .select((cases::status, count_star()))
        .load(conn)
}

/// Cases per kind, with every filter but the kind one.
pub fn counts_by_kind(conn: &mut DbConnection, f: &QueueFilter) -> QueryResult<Vec<(String, i64)>> {
    cases::table.filter(condition(f, Skip::Kind)).group_by(cases::kind).select((cases::kind, count_star())).load(conn)
}

/// One page of the queue, most urgent first.
pub fn page(conn: &mut DbConnection, f: &QueueFilter, offset: i64, limit: i64) -> QueryResult<Vec<QueueRow>> {
    cases::table
        .filter(condition(f, Skip::Nothing))
        .order((cases::priority.asc(), cases::due_date.asc(), cases::created_at.asc(), cases::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(QueueRow::as_select())
        .load(conn)
}

/// The flag codes of some cases: (case id, code), in flag order of insertion.
pub fn flags_of(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    case_flags::table
        .filter(case_flags::case_id.eq_any(ids.to_vec()))
        .select((case_flags::case_id, case_flags::code))
        .order((case_flags::case_id.asc(), case_flags::id.asc()))
        .load(conn)
}

/// A claimed case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// Id.
    pub id: i64,
    /// Reference.
    pub reference: String,
    /// Kind (stored form).
    pub kind: String,
}

/// What claiming does to the case, decided by the domain.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    /// The claiming staff member.
    pub staff_id: i64,
    /// Only cases of this kind, if given.
    pub kind: Option<&'a str>,
    /// The status a claimable case has (`open`).
    pub from_status: &'a str,
    /// The status it moves to (`in_review`).
    pub to_status: &'a str,
    /// The timeline entry's body ("Claimed by NAME").
    pub event_body: String,
    /// Now.
    pub now: NaiveDateTime,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The most urgent unassigned case in `from_status`, locked for this
/// transaction on PostgreSQL (`FOR UPDATE SKIP LOCKED`, so concurrent
/// claimers each take a different row instead of queueing on the same one).
/// On SQLite the caller's `BEGIN IMMEDIATE` under the app's one writer lock
/// already serialises claimers.
fn next_claimable(conn: &mut DbConnection, c: &Claim<'_>) -> QueryResult<Option<i64>> {
    match conn {
        DbConnection::Pg(pg) => {
            let kind_clause = if c.kind.is_some() { " AND kind = $2" } else { "" };
            let sql = format!(
                "SELECT id FROM cases WHERE status = $1 AND assignee_id IS NULL{kind_clause} \
                 ORDER BY priority, due_date, created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
            );
            let q = diesel::sql_query(sql).bind::<Text, _>(c.from_status);
            let rows: Vec<IdRow> = match c.kind {
                Some(k) => q.bind::<Text, _>(k).load(pg)?,
                None => q.load(pg)?,
            };
            Ok(rows.first().map(|r| r.id))
        }
        DbConnection::Sqlite(_) => {
            let mut q = cases::table
                .filter(cases::status.eq(c.from_status))
                .filter(cases::assignee_id.is_null())
                .order((cases::priority.asc(), cases::due_date.asc(), cases::created_at.asc(), cases::id.asc()))
                .select(cases::id)
                .into_boxed();
            if let Some(k) = c.kind {
                q = q.filter(cases::kind.eq(k));
            }
            q.first(conn).optional()
        }
    }
}

/// Atomically assigns the most urgent unassigned case in `from_status` to
/// the staff member, moves it to `to_status`, bumps its version and appends
/// a "claimed" timeline entry. Runs inside the caller's write transaction.
/// `None` when nothing is left to claim.
pub fn claim_next(conn: &mut DbConnection, c: &Claim<'_>) -> QueryResult<Option<Claimed>> {
    // A guarded UPDATE: if another claimer got the row first (it cannot on
    // either backend, but the row count is the proof), try the next one.
    for _ in 0..5 {
        let Some(id) = next_claimable(conn, c)? else {
            return Ok(None);
        };
        let updated = diesel::update(
            cases::table
                .filter(cases::id.eq(id))
                .filter(cases::assignee_id.is_null())
                .filter(cases::status.eq(c.from_status)),
        )
        .set((
            cases::assignee_id.eq(Some(c.staff_id)),
            cases::status.eq(c.to_status),
            cases::version.eq(cases::version + 1),
            cases::updated_at.eq(c.now),
        ))
        .execute(conn)?;
        if updated != 1 {
            continue;
        }
        diesel::insert_into(case_events::table)
            .values((
                case_events::case_id.eq(id),
                case_events::created_at.eq(c.now),
                case_events::actor_type.eq("staff"),
                case_events::staff_id.eq(Some(c.staff_id)),
                case_events::event_type.eq("claimed"),
                case_events::body.eq(Some(c.event_body.clone())),
                case_events::partner_visible.eq(false),
            ))
            .execute(conn)?;
        let (reference, kind) =
            cases::table.find(id).select((cases::reference, cases::kind)).first::<(String, String)>(conn)?;
        return Ok(Some(Claimed { id, reference, kind }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("abc"), "%abc%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern("台灣"), "%台灣%");
    }
}
