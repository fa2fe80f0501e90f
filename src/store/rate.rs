//! Rate-limit counters: one row per bucket, counted up atomically in one
//! statement (so concurrent requests, on one instance or several, never
//! both see the count before the other's hit).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamp};

use super::DbConnection;
use super::schema::rate_counters;

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = Timestamp)]
    window_start: NaiveDateTime,
}

/// Counts one hit in `bucket` and returns the hits of its current window and
/// when that window started. A window that started at or before
/// `window_cutoff` (now minus its length) is over: this hit starts a new one
/// at `now`.
pub fn hit(
    conn: &mut DbConnection,
    bucket: &str,
    now: NaiveDateTime,
    window_cutoff: NaiveDateTime,
) -> QueryResult<(i32, NaiveDateTime)> {
    // The same upsert on both backends; only the placeholders differ.
    const SQL: &str = "INSERT INTO rate_counters (bucket, window_start, hits) VALUES (?1, ?2, 1) \
         ON CONFLICT (bucket) DO UPDATE SET \
         hits = CASE WHEN rate_counters.window_start <= ?3 THEN 1 ELSE rate_counters.hits + 1 END, \
         window_start = CASE WHEN rate_counters.window_start <= ?3 THEN excluded.window_start \
         ELSE rate_counters.window_start END \
         RETURNING hits, window_start";
    let counted: Counted = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(SQL)
            .bind::<Text, _>(bucket)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(window_cutoff)
            .get_result(c)?,
        DbConnection::Pg(c) => diesel::sql_query(SQL.replace('?', "$"))
            .bind::<Text, _>(bucket)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(window_cutoff)
            .get_result(c)?,
    };
    Ok((counted.hits, counted.window_start))
}

/// The hits of `bucket`'s current window (0 when it has none).
pub fn peek(conn: &mut DbConnection, bucket: &str, window_cutoff: NaiveDateTime) -> QueryResult<(i32, NaiveDateTime)> {
    let row: Option<(i32, NaiveDateTime)> = rate_counters::table
        .filter(rate_counters::bucket.eq(bucket))
        .filter(rate_counters::window_start.gt(window_cutoff))
        .select((rate_counters::hits, rate_counters::window_start))
        .first(conn)
        .optional()?;
    Ok(row.unwrap_or((0, window_cutoff)))
}

/// Forgets a bucket (a correct sign-in clears its failures).
pub fn clear(conn: &mut DbConnection, bucket: &str) -> QueryResult<usize> {
    diesel::delete(rate_counters::table.filter(rate_counters::bucket.eq(bucket))).execute(conn)
}

/// Drops counters whose window started before `before`; returns how many.
pub fn purge(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(rate_counters::table.filter(rate_counters::window_start.lt(before))).execute(conn)
}
