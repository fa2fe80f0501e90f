//! The retention rule, enforced: the contents of the files of cases closed
//! longer than `FRONTLINE_RETENTION_DAYS` ago are removed, a batch at a
//! time (one transaction each, a bounded number per run), and each case
//! says so on its timeline. The case, its messages and each file's name and
//! details stay; the pages then say the file was removed, and its download
//! answers 410 Gone. The job runner ([`super::jobs`]) runs it every hour,
//! and again at once while a run leaves files behind.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::clock::Clock;
use crate::domain::retention::{closed_statuses, cutoff, purge_note};
use crate::domain::timeline::{Actor, EventType};
use crate::error::AppError;
use crate::store::Db;
use crate::store::cases::{self as cases_store, NewEvent};
use crate::store::retention as store;

/// Files purged in one transaction.
pub const BATCH: i64 = 50;

/// Batches one run purges at most (the rest wait for the next run).
pub const BATCHES_PER_RUN: usize = 10;

/// Minutes between two runs that found nothing more to do.
pub const EVERY_MINUTES: i64 = 60;

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purge {
    /// Files whose contents were removed.
    pub files: usize,
    /// Cases those files belonged to.
    pub cases: usize,
    /// The run stopped at its bound with files still past keeping.
    pub more: bool,
}

/// Removes the contents of files past keeping under a rule of `days` days
/// (`0` keeps everything): at most [`BATCHES_PER_RUN`] batches of
/// [`BATCH`] files, each batch in one transaction with its timeline entries.
pub async fn purge_expired(db: &Db, clock: &Clock, days: u32) -> Result<Purge, AppError> {
    let mut done = Purge::default();
    let now = clock.now();
    let Some(closed_before) = cutoff(days, now) else { return Ok(done) };
    for _ in 0..BATCHES_PER_RUN {
        let (files, cases) = purge_one_batch(db, closed_before, now, days).await?;
        done.files += files;
        done.cases += cases;
        if files < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            return Ok(done);
        }
    }
    done.more = true;
    Ok(done)
}

/// One batch, in one transaction: the files' contents go, and each case
/// they belong to gets one timeline entry. Returns (files, cases).
async fn purge_one_batch(
    db: &Db,
    closed_before: NaiveDateTime,
    now: NaiveDateTime,
    days: u32,
) -> Result<(usize, usize), AppError> {
    let kept_days = i32::try_from(days).unwrap_or(i32::MAX);
    db.write(move |conn| {
        let purged = store::purge_batch(conn, &closed_statuses(), closed_before, now, kept_days, BATCH)?;
        let mut per_case: BTreeMap<i64, usize> = BTreeMap::new();
        for p in &purged {
            *per_case.entry(p.case_id).or_default() += 1;
        }
        for (&case_id, &files) in &per_case {
            cases_store::insert_event(
                conn,
                &NewEvent {
                    case_id,
                    created_at: now,
                    actor_type: Actor::System,
                    staff_id: None,
                    event_type: EventType::FilesRemoved,
                    body: Some(purge_note(files, days)),
                    partner_visible: false,
                },
            )?;
        }
        Ok((purged.len(), per_case.len()))
    })
    .await
}

/// When the job runner purges next: every [`EVERY_MINUTES`], and again at
/// once while a run stops at its bound. Each instance keeps its own; two
/// purging at once take different files.
#[derive(Debug, Default)]
pub struct Schedule {
    next: Option<NaiveDateTime>,
}

impl Schedule {
    /// Purges if it is time; true when files past keeping are left for the
    /// next run right away.
    pub async fn run(&mut self, db: &Db, clock: &Clock, days: u32) -> bool {
        let now = clock.now();
        if days == 0 || self.next.is_some_and(|t| now < t) {
            return false;
        }
        match purge_expired(db, clock, days).await {
            Ok(done) => {
                if done.files > 0 {
                    tracing::info!(
                        files = done.files,
                        cases = done.cases,
                        days,
                        "retention rule: file contents removed"
                    );
                }
                self.next = (!done.more).then(|| now + chrono::Duration::minutes(EVERY_MINUTES));
                done.more
            }
            Err(e) => {
                tracing::error!(error = ?e, "the retention purge failed; it is tried again in five minutes");
                self.next = Some(now + chrono::Duration::minutes(5));
                false
            }
        }
    }
}
