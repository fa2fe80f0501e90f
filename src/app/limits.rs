//! The rate limits anonymous requests meet, per client address: POSTs
//! (cases filed, partner replies) and tracking links that match no case.
//! Counted in the database, so every instance sees the same counts. The
//! address is the key the caller derived (see `web::client::rate_key`).

use chrono::NaiveDateTime;

use crate::clock::Clock;
use crate::domain::rate::RateLimit;
use crate::error::AppError;
use crate::store::{Db, DbConnection, rate};

// The refusals are message ids (`locales/*/errors.ftl`): they are made on
// database threads, and written in the reader's language with the page.
const POST_MESSAGE: &str = "limit-posts";

fn too_many(message: &str, limit: RateLimit, started: NaiveDateTime, now: NaiveDateTime) -> AppError {
    AppError::TooManyRequests(message.to_owned(), limit.retry_after(started, now))
}

/// Counts one hit of `limit` in `bucket`, in the caller's transaction;
/// `TooManyRequests` past it.
fn hit(
    conn: &mut DbConnection,
    limit: RateLimit,
    bucket: &str,
    now: NaiveDateTime,
    message: &str,
) -> Result<(), AppError> {
    let (hits, started) = rate::hit(conn, bucket, now, limit.cutoff(now))?;
    if hits == 1 {
        // A window starts: forget counters nobody has used for a day.
        rate::purge(conn, now - chrono::Duration::days(1))?;
    }
    if limit.allows(hits) { Ok(()) } else { Err(too_many(message, limit, started, now)) }
}

/// Counts one hit of `limit` in `bucket` in a write of its own.
async fn count(
    db: &Db,
    clock: &Clock,
    limit: Option<RateLimit>,
    bucket: String,
    message: &'static str,
) -> Result<(), AppError> {
    let Some(limit) = limit else { return Ok(()) };
    let now = clock.now();
    db.write(move |conn| Ok(hit(conn, limit, &bucket, now, message))).await?
}

/// One anonymous POST, to be counted against its address's limit. A POST
/// that files a case is counted in the transaction that stores the case
/// (one commit, not two: [`PostCount::count_in`]); one that files nothing
/// is counted on its own ([`PostCount::count`]).
#[derive(Debug, Clone)]
pub struct PostCount {
    limit: RateLimit,
    bucket: String,
    now: NaiveDateTime,
}

impl PostCount {
    /// The count for a POST from `address` now; `None` when posts are not
    /// limited.
    pub fn new(clock: &Clock, limit: Option<RateLimit>, address: &str) -> Option<Self> {
        limit.map(|limit| Self { limit, bucket: format!("post:{address}"), now: clock.now() })
    }

    /// Refuses, before any costly work, a POST from an address already at
    /// its limit (a read).
    pub async fn check(&self, db: &Db) -> Result<(), AppError> {
        let (bucket, cutoff) = (self.bucket.clone(), self.limit.cutoff(self.now));
        let (hits, started) = db.read(move |conn| Ok(rate::peek(conn, &bucket, cutoff)?)).await?;
        if hits < self.limit.max {
            return Ok(());
        }
        Err(too_many(POST_MESSAGE, self.limit, started, self.now))
    }

    /// Counts the POST in the caller's transaction; `TooManyRequests` past
    /// the limit (the caller's transaction then stores nothing).
    pub fn count_in(&self, conn: &mut DbConnection) -> Result<(), AppError> {
        hit(conn, self.limit, &self.bucket, self.now, POST_MESSAGE)
    }

    /// Counts the POST in a write of its own.
    pub async fn count(&self, db: &Db) -> Result<(), AppError> {
        let this = self.clone();
        db.write(move |conn| Ok(this.count_in(conn))).await?
    }
}

/// Counts an anonymous POST from `address` in a write of its own.
pub async fn count_post(db: &Db, clock: &Clock, limit: Option<RateLimit>, address: &str) -> Result<(), AppError> {
    count(db, clock, limit, format!("post:{address}"), POST_MESSAGE).await
}

const LOOKUP_MESSAGE: &str = "limit-lookups";

/// Refuses a tracking look-up from an address that has opened too many links
/// that match no case (a read: a look-up that finds its case costs nothing).
pub async fn lookups_allowed(db: &Db, clock: &Clock, limit: Option<RateLimit>, address: &str) -> Result<(), AppError> {
    let Some(limit) = limit else { return Ok(()) };
    let bucket = format!("lookup:{address}");
    let now = clock.now();
    let (misses, started) = db.read(move |conn| Ok(rate::peek(conn, &bucket, limit.cutoff(now))?)).await?;
    if misses < limit.max {
        return Ok(());
    }
    Err(too_many(LOOKUP_MESSAGE, limit, started, now))
}

/// Counts a tracking link from `address` that matched no case.
pub async fn count_lookup_miss(
    db: &Db,
    clock: &Clock,
    limit: Option<RateLimit>,
    address: &str,
) -> Result<(), AppError> {
    count(db, clock, limit, format!("lookup:{address}"), LOOKUP_MESSAGE).await
}

const FIND_MESSAGE: &str = "limit-finds";

/// Counts a "find my case" request against the limits for its address and
/// for the reference typed, in the caller's transaction (whether or not the
/// pair matches a case, so the answer tells nothing).
pub fn count_find(
    conn: &mut DbConnection,
    limit: Option<RateLimit>,
    address: &str,
    reference: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some(limit) = limit else { return Ok(()) };
    hit(conn, limit, &format!("find:{address}"), now, FIND_MESSAGE)?;
    hit(conn, limit, &format!("find-ref:{reference}"), now, FIND_MESSAGE)
}
