//! Work done once a day across every instance (`daily_runs`): an instance
//! takes the day with a lease, marks it done when the work is, and another
//! instance may take it over once a lease runs out (its holder died).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::daily_runs;

/// The daily re-triage of cases whose timing rules follow the calendar.
pub const RETRIAGE: &str = "retriage";

/// Takes `today`'s run of `name` until `lease_until`; false when the day is
/// done already or another instance holds a live lease on it.
pub fn claim(
    conn: &mut DbConnection,
    name: &str,
    today: NaiveDate,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<bool> {
    let taken = diesel::update(
        daily_runs::table
            .filter(daily_runs::name.eq(name))
            .filter(daily_runs::last_run.lt(today))
            .filter(daily_runs::locked_until.is_null().or(daily_runs::locked_until.lt(now))),
    )
    .set(daily_runs::locked_until.eq(Some(lease_until)))
    .execute(conn)?;
    Ok(taken == 1)
}

/// Marks `today`'s run of `name` done and lets go of the lease.
pub fn done(conn: &mut DbConnection, name: &str, today: NaiveDate) -> QueryResult<()> {
    diesel::update(daily_runs::table.filter(daily_runs::name.eq(name)))
        .set((daily_runs::last_run.eq(today), daily_runs::locked_until.eq(None::<NaiveDateTime>)))
        .execute(conn)?;
    Ok(())
}

/// The last day `name` was done.
pub fn last_run(conn: &mut DbConnection, name: &str) -> QueryResult<NaiveDate> {
    daily_runs::table.filter(daily_runs::name.eq(name)).select(daily_runs::last_run).first(conn)
}
