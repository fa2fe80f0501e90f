//! The rate limits anonymous requests meet, per client address: POSTs
//! (cases filed, partner replies) and tracking links that match no case.
//! Counted in the database, so every instance sees the same counts.

use actix_web::HttpRequest;

use super::{AppState, client};
use crate::domain::rate::RateLimit;
use crate::error::AppError;
use crate::store::rate;

fn retry_minutes(secs: u64) -> String {
    match secs.div_ceil(60) {
        1 => "a minute".into(),
        n => format!("{n} minutes"),
    }
}

/// Counts one hit of `limit` in `bucket`; `TooManyRequests` past it.
async fn count(state: &AppState, limit: Option<RateLimit>, bucket: String, message: &str) -> Result<(), AppError> {
    let Some(limit) = limit else { return Ok(()) };
    let now = state.clock.now();
    let (hits, started) = state
        .db
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

/// Counts an anonymous POST from this request's address.
pub async fn count_post(state: &AppState, req: &HttpRequest) -> Result<(), AppError> {
    let bucket = format!("post:{}", client::rate_key(client::of_request(req, state)));
    count(
        state,
        state.config.rate_posts,
        bucket,
        "A lot of forms have been sent from your network in a short time, so this one was not accepted.",
    )
    .await
}

fn lookup_bucket(state: &AppState, req: &HttpRequest) -> String {
    format!("lookup:{}", client::rate_key(client::of_request(req, state)))
}

const LOOKUP_MESSAGE: &str = "Many tracking links that do not exist have been opened from your network, \
     so tracking pages are paused for it.";

/// Refuses a tracking look-up from an address that has opened too many links
/// that match no case (a read: a look-up that finds its case costs nothing).
pub async fn lookups_allowed(state: &AppState, req: &HttpRequest) -> Result<(), AppError> {
    let Some(limit) = state.config.rate_lookups else { return Ok(()) };
    let bucket = lookup_bucket(state, req);
    let now = state.clock.now();
    let (misses, started) = state.db.read(move |conn| Ok(rate::peek(conn, &bucket, limit.cutoff(now))?)).await?;
    if misses < limit.max {
        return Ok(());
    }
    let after = limit.retry_after(started, now);
    Err(AppError::TooManyRequests(format!("{LOOKUP_MESSAGE} Wait {}, then try again.", retry_minutes(after)), after))
}

/// Counts a tracking link that matched no case.
pub async fn count_lookup_miss(state: &AppState, req: &HttpRequest) -> Result<(), AppError> {
    count(state, state.config.rate_lookups, lookup_bucket(state, req), LOOKUP_MESSAGE).await
}
