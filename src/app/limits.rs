//! The rate limits anonymous requests meet, per client address: POSTs
//! (cases filed, partner replies) and tracking links that match no case.
//! Counted in the database, so every instance sees the same counts. The
//! address is the key the caller derived (see `web::client::rate_key`).

use crate::clock::Clock;
use crate::domain::rate::RateLimit;
use crate::error::AppError;
use crate::store::{Db, rate};

fn retry_minutes(secs: u64) -> String {
    match secs.div_ceil(60) {
        1 => "a minute".into(),
        n => format!("{n} minutes"),
    }
}

/// Counts one hit of `limit` in `bucket`; `TooManyRequests` past it.
async fn count(
    db: &Db,
    clock: &Clock,
    limit: Option<RateLimit>,
    bucket: String,
    message: &str,
) -> Result<(), AppError> {
    let Some(limit) = limit else { return Ok(()) };
    let now = clock.now();
    let (hits, started) = db
        .write(move |conn| {
            let counted = rate::hit(conn, &bucket, now, limit.cutoff(now))?;
            if counted.0 == 1 {
                // A window starts: forget counters nobody has used for a day.
                rate::purge(conn, now - chrono::Duration::days(1))?;
            }
            Ok(counted)
        })
        .await?;
    if limit.allows(hits) {
        return Ok(());
    }
    let after = limit.retry_after(started, now);
    Err(AppError::TooManyRequests(format!("{message} Wait {}, then try again.", retry_minutes(after)), after))
}

/// Counts an anonymous POST from `address`.
pub async fn count_post(db: &Db, clock: &Clock, limit: Option<RateLimit>, address: &str) -> Result<(), AppError> {
    count(
        db,
        clock,
        limit,
        format!("post:{address}"),
        "A lot of forms have been sent from your network in a short time, so this one was not accepted.",
    )
    .await
}

const LOOKUP_MESSAGE: &str = "Many tracking links that do not exist have been opened from your network, \
     so tracking pages are paused for it.";

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
    let after = limit.retry_after(started, now);
    Err(AppError::TooManyRequests(format!("{LOOKUP_MESSAGE} Wait {}, then try again.", retry_minutes(after)), after))
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
