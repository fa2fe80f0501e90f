//! Background jobs: rows and queries only (what a job does lives in
//! `crate::app::jobs`).
//!
//! A job is `pending` until a runner claims it; claiming marks it `running`
//! with a lease (`locked_until`) and counts the attempt. The runner then
//! finishes it (`done` / `failed`) or puts it back to `pending` with a later
//! `run_after`. A `running` job whose lease has expired (its instance died)
//! is due again. Every state change after the claim is fenced on the attempt
//! number, so a runner that lost its lease cannot overwrite a newer attempt.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::jobs;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Waiting to run (at or after `run_after`).
    Pending,
    /// Claimed by a runner until `locked_until`.
    Running,
    /// Finished.
    Done,
    /// Finished without success (retries used up, or the job cannot run).
    Failed,
}

impl JobStatus {
    /// Every status.
    pub const ALL: [JobStatus; 4] = [JobStatus::Pending, JobStatus::Running, JobStatus::Done, JobStatus::Failed];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// The landing-page check of a directory request.
    LandingCheck,
}

impl JobKind {
    /// Every kind.
    pub const ALL: [JobKind; 1] = [JobKind::LandingCheck];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LandingCheck => "landing_check",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// A stored job.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct JobRow {
    pub id: i64,
    pub kind: JobKind,
    pub case_id: i64,
    pub status: JobStatus,
    pub attempts: i32,
    pub run_after: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

/// Claims up to `limit` due jobs for this runner, in the order they became
/// due: marks them `running` until `lease_until` and counts the attempt.
///
/// Call it inside a write transaction ([`super::Db::write`]). On PostgreSQL
/// the due rows are locked with `FOR UPDATE SKIP LOCKED`, so concurrent
/// instances claim disjoint jobs without waiting on each other; on SQLite the
/// one writer lock (and `BEGIN IMMEDIATE`) makes the select-then-update
/// atomic.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<JobRow>> {
    let due = jobs::table
        .filter(
            jobs::status
                .eq(JobStatus::Pending)
                .and(jobs::run_after.le(now))
                .or(jobs::status.eq(JobStatus::Running).and(jobs::locked_until.lt(now))),
        )
        // Only kinds this build knows: an older instance next to a newer
        // one leaves the newer one's jobs alone.
        .filter(jobs::kind.eq_any(JobKind::ALL))
        .select(jobs::id)
        .order((jobs::run_after.asc(), jobs::id.asc()))
        .limit(limit);
    let ids: Vec<i64> = match conn {
        DbConnection::Pg(c) => due.for_update().skip_locked().load(c)?,
        DbConnection::Sqlite(c) => due.load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(jobs::table.filter(jobs::id.eq_any(&ids)))
        .set((
            jobs::status.eq(JobStatus::Running),
            jobs::attempts.eq(jobs::attempts + 1),
            jobs::locked_until.eq(lease_until),
        ))
        .execute(conn)?;
    jobs::table.filter(jobs::id.eq_any(&ids)).select(JobRow::as_select()).order(jobs::id.asc()).load(conn)
}

/// Finishes the claimed attempt `attempt` of a job with `status` (`done` or
/// `failed`). Returns false, changing nothing, when that attempt no longer
/// holds the job (its lease expired and another runner took it).
pub fn finish(
    conn: &mut DbConnection,
    id: i64,
    attempt: i32,
    status: JobStatus,
    now: NaiveDateTime,
    error: Option<&str>,
) -> QueryResult<bool> {
    let n = diesel::update(
        jobs::table.filter(jobs::id.eq(id).and(jobs::status.eq(JobStatus::Running)).and(jobs::attempts.eq(attempt))),
    )
    .set((
        jobs::status.eq(status),
        jobs::finished_at.eq(Some(now)),
        jobs::locked_until.eq(None::<NaiveDateTime>),
        jobs::last_error.eq(error),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Puts the claimed attempt `attempt` of a job back to `pending`, due at
/// `run_after`, remembering why it failed. Returns false when that attempt no
/// longer holds the job.
pub fn retry_at(
    conn: &mut DbConnection,
    id: i64,
    attempt: i32,
    run_after: NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        jobs::table.filter(jobs::id.eq(id).and(jobs::status.eq(JobStatus::Running)).and(jobs::attempts.eq(attempt))),
    )
    .set((
        jobs::status.eq(JobStatus::Pending),
        jobs::run_after.eq(run_after),
        jobs::locked_until.eq(None::<NaiveDateTime>),
        jobs::last_error.eq(Some(error)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Gives a claimed job back (the runner is stopping): `pending`, due now, and
/// the attempt does not count.
pub fn release(conn: &mut DbConnection, id: i64, attempt: i32, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        jobs::table.filter(jobs::id.eq(id).and(jobs::status.eq(JobStatus::Running)).and(jobs::attempts.eq(attempt))),
    )
    .set((
        jobs::status.eq(JobStatus::Pending),
        jobs::run_after.eq(now),
        jobs::locked_until.eq(None::<NaiveDateTime>),
        jobs::attempts.eq(attempt - 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Queues a job of `kind` for a case to run now. A job of that kind already
/// waiting for the case is brought forward (and given fresh retries) instead
/// of queuing a second one. Returns the job's id.
pub fn enqueue(conn: &mut DbConnection, kind: JobKind, case_id: i64, now: NaiveDateTime) -> QueryResult<i64> {
    let waiting: Option<i64> = jobs::table
        .filter(jobs::kind.eq(kind))
        .filter(jobs::case_id.eq(case_id))
        .filter(jobs::status.eq(JobStatus::Pending))
        .select(jobs::id)
        .first(conn)
        .optional()?;
    if let Some(id) = waiting {
        diesel::update(jobs::table.find(id))
            .set((jobs::run_after.eq(now), jobs::attempts.eq(0), jobs::last_error.eq(None::<String>)))
            .execute(conn)?;
        return Ok(id);
    }
    insert(conn, kind, case_id, now)
}

/// A job to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = jobs)]
struct NewJob {
    kind: JobKind,
    case_id: i64,
    status: JobStatus,
    attempts: i32,
    run_after: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// Queues a new job of `kind` for a case (one that has none waiting, such as
/// a case being filed) to run now. Returns its id.
pub fn insert(conn: &mut DbConnection, kind: JobKind, case_id: i64, now: NaiveDateTime) -> QueryResult<i64> {
    let new = NewJob { kind, case_id, status: JobStatus::Pending, attempts: 0, run_after: now, created_at: now };
    diesel::insert_into(jobs::table).values(&new).returning(jobs::id).get_result(conn)
}

/// The jobs of a case, oldest first.
pub fn for_case(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<JobRow>> {
    jobs::table.filter(jobs::case_id.eq(case_id)).select(JobRow::as_select()).order(jobs::id.asc()).load(conn)
}
