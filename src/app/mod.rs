//! The use cases: one module per workflow (filing a case, staff actions,
//! the partner's reply, re-triage, directory batches, accounts, sign-in and
//! sessions, the queue, background jobs, rate limits). Each takes the
//! database, the clock and the rules it needs, runs its writes in one
//! transaction, and knows nothing of HTTP or templates. Uses `domain`,
//! `store` and `checks`; never `web`.

pub mod accounts;
pub mod batches;
pub mod case_actions;
pub mod cases;
pub mod find;
pub mod intake;
pub mod jobs;
pub mod limits;
pub mod mail;
pub mod passwords;
pub mod queue;
pub mod retention;
pub mod retriage;
pub mod sessions;

use crate::app::jobs::Wakeup;
use crate::clock::Clock;
use crate::config::Config;
use crate::keys::Keys;
use crate::store::Db;

/// What a use case may reach: the database, the clock, the server key (for
/// tracking tokens), the settings (the rules' thresholds), and the job
/// runner's wake-up.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The database.
    pub db: &'a Db,
    /// Now and today.
    pub clock: &'a Clock,
    /// The server key.
    pub keys: &'a Keys,
    pub config: &'a Config,
    /// Wakes the job runner when work is queued.
    pub jobs: &'a Wakeup,
}
