//! The use cases: one module per workflow (filing a case, staff actions,
//! the partner's reply, re-triage, directory batches, accounts, sign-in and
//! sessions, the queue, background jobs, rate limits). Each takes the
//! database, the clock and the rules it needs, runs its writes in one
//! transaction, and knows nothing of HTTP or templates. Uses `domain`,
//! `store` and `checks`; never `web`.

pub mod accounts;
pub mod jobs;
pub mod limits;
pub mod passwords;
pub mod queue;
pub mod retriage;
pub mod sessions;
