//! Background jobs: the runner that claims due jobs from the database and
//! runs them, and the jobs themselves (the landing-page check); the runner
//! also delivers the e-mail outbox (`app::mail::deliver_due`) and does the
//! once-a-day re-triage (`app::retriage::daily_retriage`) and, every hour,
//! the retention rule's purge of old files (`app::retention`).
//!
//! Jobs live in the `jobs` table, so a restart or another instance picks
//! them up. The runner is woken through [`Wakeup`] and also polls
//! every [`Config::job_poll_interval`]. A claimed job is leased for
//! [`Config::job_lease`]; if its instance dies the lease expires and another
//! runner claims it again. Network calls never run inside a database
//! transaction: a job reads what it needs, lets go of the database, fetches,
//! then writes its result in one short transaction fenced on its attempt.
//!
//! [`Config::job_poll_interval`]: crate::config::Config::job_poll_interval
//! [`Config::job_lease`]: crate::config::Config::job_lease

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use tokio::sync::watch;

use crate::checks::landing::{CheckError, Finding, FindingCode, check_landing_page};
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::case::CaseKind;
use crate::domain::timeline::{Actor, EventType};
use crate::domain::triage::{FlagCode, FlagSource};
use crate::error::AppError;
use crate::store::Db;
use crate::store::DbConnection;
use crate::store::cases::{self as cases_store, NewEvent, NewFlag};
use crate::store::jobs::{self as store, JobKind, JobRow, JobStatus};

/// Most jobs one runner works on at once.
const BATCH: i64 = 4;

/// Longest wait between two retries, however many attempts there were.
const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// Wakes the job runner when work is queued (clones share one signal).
#[derive(Debug, Clone, Default)]
pub struct Wakeup(Arc<tokio::sync::Notify>);

impl Wakeup {
    /// Tells the runner that a job is due.
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

/// What the jobs need: the database, the clock, the settings, and the
/// runner's own wake-up signal.
#[derive(Clone)]
pub struct JobContext {
    /// The database.
    pub db: Db,
    pub clock: Clock,
    /// Settings (retries, the landing check's fetch policy).
    pub config: Arc<Config>,
    /// The runner's wake-up.
    pub wakeup: Wakeup,
    /// The server key (tracking links in e-mail).
    pub keys: crate::keys::Keys,
    /// Sends the outbox.
    pub mailer: Arc<super::mail::Mailer>,
}

/// A running job runner; stop it with [`Runner::stop`] (dropping it also
/// stops the runner, at its next await point).
pub struct Runner {
    shutdown: watch::Sender<()>,
    handle: tokio::task::JoinHandle<()>,
}

impl Runner {
    /// Starts the runner on the current (actix / Tokio) runtime.
    pub fn start(state: JobContext) -> Self {
        let (shutdown, stopped) = watch::channel(());
        let handle = actix_web::rt::spawn(run(state, stopped));
        Self { shutdown, handle }
    }

    /// Stops the runner: the jobs it is working on are given back (due now)
    /// so another instance, or the next start, runs them.
    pub async fn stop(self) {
        let Self { shutdown, handle } = self;
        drop(shutdown);
        if tokio::time::timeout(Duration::from_secs(10), handle).await.is_err() {
            tracing::warn!("the job runner did not stop in time");
        }
    }
}

/// Jobs this runner holds: (id, attempt).
type InFlight = Arc<Mutex<Vec<(i64, i32)>>>;

async fn run(state: JobContext, mut stopped: watch::Receiver<()>) {
    let in_flight: InFlight = Arc::default();
    let poll = state.config.job_poll_interval;
    let mut daily = Daily::default();
    let mut retention = super::retention::Schedule::default();
    loop {
        tokio::select! {
            biased;
            _ = stopped.changed() => break,
            () = daily.run(&state) => {}
        }
        // Each purge batch is one transaction: a stop between two loses nothing.
        let purging = tokio::select! {
            biased;
            _ = stopped.changed() => break,
            more = retention.run(&state.db, &state.clock, state.config.retention_days) => more,
        };
        let busy = tokio::select! {
            biased;
            _ = stopped.changed() => break,
            r = run_due(&state, &in_flight) => match r {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::error!(error = ?e, "the job runner could not claim jobs");
                    false
                }
            },
        };
        // Mail is not cut off by a stop: a message sent but not marked sent
        // would go out twice (each send is bounded by the SMTP time-out).
        let sent = match super::mail::deliver_due(&state, &state.mailer).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::error!(error = ?e, "the job runner could not deliver e-mail");
                false
            }
        };
        if busy || sent || purging {
            continue;
        }
        tokio::select! {
            biased;
            _ = stopped.changed() => break,
            () = state.wakeup.0.notified() => {}
            () = tokio::time::sleep(poll) => {}
        }
    }
    release(&state, &in_flight).await;
}

/// The once-a-day work, as one runner sees it: the last day it knows is
/// done, and when to ask again while another instance has the day.
#[derive(Default)]
struct Daily {
    done: Option<NaiveDate>,
    next_try: Option<NaiveDateTime>,
}

impl Daily {
    /// Does the day's re-triage if no instance has done it yet.
    async fn run(&mut self, state: &JobContext) {
        let now = state.clock.now();
        let today = now.date();
        if self.done >= Some(today) || self.next_try.is_some_and(|t| now < t) {
            return;
        }
        match super::retriage::daily_retriage(&state.db, &state.clock, &state.config.triage).await {
            Ok(Some(changed)) => {
                tracing::info!(changed, "daily re-triage done");
                self.done = Some(today);
            }
            Ok(None) => match super::retriage::daily_retriage_done(&state.db, today).await {
                Ok(true) => self.done = Some(today),
                // Another instance is at it: ask again in a minute.
                _ => self.next_try = Some(now + chrono::Duration::minutes(1)),
            },
            Err(e) => {
                tracing::error!(error = ?e, "the daily re-triage failed; it is tried again in a minute");
                self.next_try = Some(now + chrono::Duration::minutes(1));
            }
        }
    }
}

/// Gives back the jobs a stopping runner still holds.
async fn release(state: &JobContext, in_flight: &InFlight) {
    let held: Vec<(i64, i32)> = std::mem::take(&mut *in_flight.lock().unwrap_or_else(|p| p.into_inner()));
    if held.is_empty() {
        return;
    }
    let now = state.clock.now();
    let released = state
        .db
        .write(move |conn| {
            for (id, attempt) in held {
                store::release(conn, id, attempt, now)?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = released {
        tracing::warn!(error = ?e, "could not give back running jobs; they run again when their lease ends");
    }
}

/// Claims the due jobs and runs them; returns how many there were.
async fn run_due(state: &JobContext, in_flight: &InFlight) -> Result<usize, AppError> {
    let now = state.clock.now();
    let lease_until = now + chrono_duration(state.config.job_lease);
    let claimed = state.db.write(move |conn| Ok(store::claim_due(conn, now, lease_until, BATCH)?)).await?;
    let n = claimed.len();
    in_flight.lock().unwrap_or_else(|p| p.into_inner()).extend(claimed.iter().map(|j| (j.id, j.attempts)));
    let runs = claimed.into_iter().map(|job| async move {
        let (id, attempt) = (job.id, job.attempts);
        if let Err(e) = run_job(state, job).await {
            // The job stays leased and runs again when its lease ends.
            tracing::error!(job = id, attempt, error = ?e, "job failed");
        }
        in_flight.lock().unwrap_or_else(|p| p.into_inner()).retain(|j| *j != (id, attempt));
    });
    futures_util::future::join_all(runs).await;
    Ok(n)
}

async fn run_job(state: &JobContext, job: JobRow) -> Result<(), AppError> {
    match job.kind {
        JobKind::LandingCheck => landing_check(state, &job).await,
    }
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or_else(|_| chrono::Duration::days(1))
}

/// How long to wait after failed attempt `attempt` (1-based): `base`, then
/// four times longer each time (30 s, 2 min, 8 min, 32 min, …), at most
/// six hours.
pub fn backoff(base: Duration, attempt: i32) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(16);
    base.saturating_mul(4u32.saturating_pow(exponent)).min(MAX_BACKOFF)
}

/// What a landing check of one case needs from its row.
struct Target {
    url: url::Url,
    name: String,
}

/// Runs one landing-page check attempt.
async fn landing_check(state: &JobContext, job: &JobRow) -> Result<(), AppError> {
    let (id, attempt, case_id) = (job.id, job.attempts, job.case_id);
    let target = state
        .db
        .read(move |conn| {
            let case = match cases_store::find(conn, case_id) {
                Ok(c) => c,
                Err(diesel::result::Error::NotFound) => return Ok(Err(format!("case {case_id} does not exist"))),
                Err(e) => return Err(e.into()),
            };
            if case.kind != CaseKind::Directory {
                return Ok(Err(format!("case {} is not a directory request", case.reference)));
            }
            let Some(url) = case.landing_page_url.as_deref().and_then(|u| url::Url::parse(u).ok()) else {
                return Ok(Err(format!("case {} has no usable landing page URL", case.reference)));
            };
            let name = case.directory_name.clone().unwrap_or_else(|| case.company_name.clone());
            Ok(Ok(Target { url, name }))
        })
        .await?;
    let target = match target {
        Ok(t) => t,
        Err(why) => {
            tracing::warn!(job = id, %why, "landing check cannot run");
            let at = state.clock.now();
            state
                .db
                .write(move |conn| Ok(store::finish(conn, id, attempt, JobStatus::Failed, at, Some(why.as_str()))?))
                .await?;
            return Ok(());
        }
    };

    // No transaction is open while the page is fetched.
    let policy = state.config.fetch_policy();
    let result = check_landing_page(&target.url, &target.name, &state.config.competitors, &policy).await;
    let max = state.config.job_max_attempts;
    let (findings, final_url, status, error) = match result {
        Ok(report) => (report.findings, report.final_url, JobStatus::Done, None),
        Err(CheckError::Transient(msg)) if attempt < max => {
            let wait = backoff(state.config.job_backoff_base, attempt);
            tracing::info!(job = id, attempt, error = %msg, retry_in = ?wait, "landing check will be retried");
            let run_after = state.clock.now() + chrono_duration(wait);
            state.db.write(move |conn| Ok(store::retry_at(conn, id, attempt, run_after, &msg)?)).await?;
            return Ok(());
        }
        Err(CheckError::Transient(msg)) => {
            let finding = Finding {
                code: FindingCode::Unreachable,
                reason: format!("The page could not be reached in {attempt} attempts (last error: {msg})"),
            };
            (vec![finding], target.url.to_string(), JobStatus::Failed, Some(msg))
        }
    };
    let outcome = LandingOutcome { url: target.url.to_string(), final_url, findings, checked_at: state.clock.now() };
    let recorded = state
        .db
        .write(move |conn| {
            if !store::finish(conn, id, attempt, status, outcome.checked_at, error.as_deref())? {
                return Ok(false);
            }
            record_landing_outcome(conn, case_id, &outcome)?;
            Ok(true)
        })
        .await?;
    if !recorded {
        tracing::warn!(job = id, attempt, "landing check lost its lease; its result was dropped");
    }
    Ok(())
}

/// What one finished landing-page check found.
struct LandingOutcome {
    url: String,
    final_url: String,
    findings: Vec<Finding>,
    checked_at: NaiveDateTime,
}

/// Stores a check's findings as the case's `landing_check` flags (replacing
/// the previous ones), the check time, and an internal timeline event.
fn record_landing_outcome(conn: &mut DbConnection, case_id: i64, o: &LandingOutcome) -> Result<(), AppError> {
    // One flag per code: findings sharing a code (unreachable / not HTML)
    // have their reasons joined.
    let mut grouped: Vec<(FlagCode, Vec<&str>)> = Vec::new();
    for f in &o.findings {
        let code = f.code.flag();
        match grouped.iter_mut().find(|(c, _)| *c == code) {
            Some((_, reasons)) => reasons.push(&f.reason),
            None => grouped.push((code, vec![&f.reason])),
        }
    }
    let flags: Vec<NewFlag> = grouped
        .iter()
        .map(|(code, reasons)| NewFlag {
            case_id,
            code: *code,
            reason: format!("{}.", reasons.iter().map(|r| r.trim_end_matches('.')).collect::<Vec<_>>().join("; ")),
            related_reference: None,
            source: FlagSource::LandingCheck,
            created_at: o.checked_at,
        })
        .collect();
    cases_store::replace_flags(conn, case_id, FlagSource::LandingCheck, &flags)?;
    cases_store::set_landing_checked_at(conn, case_id, o.checked_at)?;

    let when = o.checked_at.format("%-d %B %Y at %H:%M UTC");
    let page = if o.final_url == o.url { o.url.clone() } else { format!("{} (ended at {})", o.url, o.final_url) };
    let found = if flags.is_empty() {
        "no problems found.".to_owned()
    } else {
        let items: Vec<String> = flags.iter().map(|f| format!("{}: {}", f.code.label(), f.reason)).collect();
        format!("found {}", items.join(" "))
    };
    cases_store::insert_event(
        conn,
        &NewEvent {
            case_id,
            created_at: o.checked_at,
            actor_type: Actor::System,
            staff_id: None,
            event_type: EventType::LandingCheck,
            body: Some(format!("Landing page checked on {when}, {page}: {found}")),
            partner_visible: false,
        },
    )?;
    Ok(())
}

/// A case, by id or by reference.
#[derive(Debug, Clone)]
pub enum CaseRef {
    /// Its id.
    Id(i64),
    /// Its reference.
    Reference(String),
}

/// Queues the landing-page check of a directory request again (staff "run
/// the check again"), and wakes the runner. A check already waiting is
/// brought forward rather than queued twice. `NotFound` for an unknown case,
/// `BadRequest` for a case that is not a directory request.
pub async fn requeue_landing_check(db: &Db, clock: &Clock, wakeup: &Wakeup, case: CaseRef) -> Result<(), AppError> {
    let now = clock.now();
    db.write(move |conn| {
        let case = match case {
            CaseRef::Id(id) => cases_store::find(conn, id)?,
            CaseRef::Reference(r) => cases_store::find_by_reference(conn, &r)?.ok_or(AppError::NotFound)?,
        };
        let case_id = case.id;
        if case.kind != CaseKind::Directory {
            return Err(AppError::BadRequest("Only directory listing requests have a landing page to check.".into()));
        }
        store::enqueue(conn, JobKind::LandingCheck, case_id, now)?;
        Ok(())
    })
    .await?;
    wakeup.notify();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_fourfold_and_is_capped() {
        let base = Duration::from_secs(30);
        let waits: Vec<u64> = (1..=5).map(|a| backoff(base, a).as_secs()).collect();
        assert_eq!(waits, vec![30, 120, 480, 1920, 7680]);
        assert_eq!(backoff(base, 40), MAX_BACKOFF);
        assert_eq!(backoff(base, 0), base);
    }
}
