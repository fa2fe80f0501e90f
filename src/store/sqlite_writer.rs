//! The SQLite writer: every write goes through one thread that commits the
//! writes waiting at that moment together (each its own savepoint, each
//! acknowledged only after the commit), and a second thread that copies the
//! WAL into the database file in small passes, so that neither a commit nor
//! a reader ever waits for a checkpoint.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::{Connection, RunQueryDsl};

use super::DbConnection;
use super::pool::Manager;
use crate::error::AppError;

/// Most writes committed together by the SQLite writer.
const MAX_GROUP: usize = 256;

/// One write waiting for the SQLite writer.
pub(super) trait WriteJob: Send {
    /// Runs the write inside the group's transaction (as a savepoint).
    fn run(&mut self, conn: &mut DbConnection);
    /// Hands the outcome back once the group's commit is known.
    fn finish(self: Box<Self>, commit: Result<(), String>);
}

struct Job<T, F> {
    f: Option<F>,
    result: Option<Result<T, AppError>>,
    reply: tokio::sync::oneshot::Sender<Result<T, AppError>>,
}

impl<T, F> WriteJob for Job<T, F>
where
    F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send,
    T: Send,
{
    fn run(&mut self, conn: &mut DbConnection) {
        if let Some(f) = self.f.take() {
            // Inside the open transaction diesel makes this a SAVEPOINT: a
            // failing write rolls back alone, the others in the group stand.
            self.result = Some(conn.transaction(f));
        }
    }

    fn finish(self: Box<Self>, commit: Result<(), String>) {
        let out = match (commit, self.result) {
            (_, None) => Err(AppError::Unexpected(anyhow::anyhow!("write was not run"))),
            (Ok(()), Some(r)) => r,
            (Err(_), Some(Err(own))) => Err(own),
            (Err(e), Some(Ok(_))) => Err(AppError::Unavailable(anyhow::anyhow!("the database could not commit: {e}"))),
        };
        let _ = self.reply.send(out);
    }
}

/// The writer's queue.
pub(super) type Queue = std::sync::mpsc::Sender<Box<dyn WriteJob>>;

/// About this much of the WAL is copied into the database file per
/// checkpoint pass. A pass ends with an fsync of the database file, and on a
/// virtual disk a flush waits for everything written before it, so every
/// commit made meanwhile waits for the pass's bytes too: passes are kept
/// small, and frequent when writes are heavy. Measured with 500 invoice
/// uploads a second (~115 MB/s into the WAL): one pass every 250 ms (~29 MB)
/// gave a p99 of 83-93 ms, every 50 ms 56-64 ms, every 10 ms 15-26 ms.
const CHECKPOINT_PASS_BYTES: u64 = 1 << 20;

/// Bounds on the wait between passes while commits keep coming: at most
/// [`CHECKPOINT_WAIT_MAX`] when writes are light (fewer fsyncs), at least
/// [`CHECKPOINT_WAIT_MIN`] when they are heavy.
pub(super) const CHECKPOINT_WAIT_MIN: Duration = Duration::from_millis(5);
pub(super) const CHECKPOINT_WAIT_MAX: Duration = Duration::from_millis(250);

/// The wait before the next pass, for `bytes` written into the WAL over
/// `period`: the time it takes to write [`CHECKPOINT_PASS_BYTES`] at that rate.
pub(super) fn checkpoint_wait(bytes: u64, period: Duration) -> Duration {
    if bytes == 0 {
        return CHECKPOINT_WAIT_MAX;
    }
    period.mul_f64(CHECKPOINT_PASS_BYTES as f64 / bytes as f64).clamp(CHECKPOINT_WAIT_MIN, CHECKPOINT_WAIT_MAX)
}

/// Past this many bytes of frames the WAL is made to start over. The
/// checkpointer's PASSIVE checkpoints copy pages but, with writes arriving
/// all the time, never leave the WAL fully copied at the moment the writer
/// begins, which is when SQLite rewinds it: measured, the WAL grew to 1.5 GB
/// in 15 s of invoice uploads. So once a pass finds the WAL past this size,
/// the checkpointer asks the writer to copy what the pass left (little) between
/// two groups; its next transaction then rewinds the WAL.
pub(super) const WAL_REWIND_BYTES: u64 = if cfg!(test) { 4 << 20 } else { 64 << 20 };

/// A rewound WAL file is cut back to this size; below it the file is left as
/// it is, so that a WAL that keeps being rewound reuses its blocks instead of
/// growing and shrinking each time.
pub(super) const WAL_FILE_KEPT_BYTES: u64 = WAL_REWIND_BYTES + WAL_REWIND_BYTES / 2;

/// The writer connection's settings: it never checkpoints, and a WAL it
/// rewinds is cut back to [`WAL_FILE_KEPT_BYTES`]. It reads through its own
/// page cache of 16 MiB instead of the map the readers use: the writer
/// touches pages all over the file (index entries for random tokens and
/// keys, triage's look-ups), and every mapped page it touched counted in
/// the server's memory, ~90 MB after 50,000 directory requests and growing
/// with the database.
fn writer_pragmas() -> String {
    format!(
        "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {WAL_FILE_KEPT_BYTES}; \
         PRAGMA mmap_size = 0; PRAGMA cache_size = -16384;"
    )
}

/// The checkpointer's word to the writer: set after a pass that found the
/// WAL past [`WAL_REWIND_BYTES`], until the writer has copied the rest.
type RewindDue = Arc<AtomicBool>;

/// The SQLite writer: one thread with its own connection that commits
/// queued writes in groups (one `BEGIN IMMEDIATE … COMMIT`, so one fsync,
/// for every write that arrived while the previous group committed). Each
/// write is its own savepoint, and nobody hears "done" before the commit.
///
/// The writer never checkpoints (`wal_autocheckpoint = 0`): a second thread
/// does, on its own connection, in passes of about [`CHECKPOINT_PASS_BYTES`]
/// after commits. A checkpoint copies pages and fsyncs the database file;
/// run by the committing connection (SQLite's default) it stalls every write
/// queued behind it, which is most of the tail latency of invoice uploads.
pub(super) fn spawn_sqlite_writer(manager: Manager) -> anyhow::Result<Queue> {
    let (tx, rx) = std::sync::mpsc::channel::<Box<dyn WriteJob>>();
    let mut conn = manager.connect_now().context("could not open the SQLite writer connection")?;
    conn.batch_execute(&writer_pragmas()).context("could not configure the SQLite writer")?;
    let rewind_due = RewindDue::default();
    let committed = spawn_sqlite_checkpointer(&manager, rewind_due.clone())?;
    std::thread::Builder::new()
        .name("frontline-sqlite-writer".into())
        .spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut group = vec![first];
                while group.len() < MAX_GROUP {
                    match rx.try_recv() {
                        Ok(job) => group.push(job),
                        Err(_) => break,
                    }
                }
                let started = std::time::Instant::now();
                let outcome = run_group(&mut conn, &mut group);
                tracing::debug!(writes = group.len(), took = ?started.elapsed(), "SQLite group committed");
                let committed_ok = outcome.is_ok();
                // Answer first: what the WAL needs next is no business of theirs.
                for job in group {
                    job.finish(outcome.clone());
                }
                if committed_ok {
                    // Full means a checkpoint is already due.
                    let _ = committed.try_send(());
                    if rewind_due.load(Ordering::Acquire) {
                        prepare_rewind(&mut conn, &rewind_due);
                    }
                    continue;
                }
                // Start afresh: whatever the old connection held is rolled back.
                match manager.connect_now() {
                    Ok(fresh) => {
                        conn = fresh;
                        if let Err(e) = conn.batch_execute(&writer_pragmas()) {
                            tracing::error!(error = %e, "could not configure the SQLite writer connection");
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "could not reopen the SQLite writer connection"),
                }
            }
        })
        .context("could not start the SQLite writer thread")?;
    Ok(tx)
}

/// Between two groups, once the checkpointer has asked: copies the rest of
/// the WAL into the database file (a PASSIVE checkpoint, so it never waits
/// for a reader), so that the next transaction rewinds the WAL. A reader
/// still in the WAL keeps it from being copied or rewound; the WAL then
/// grows until the reader is done, and the writer never waits for it (a
/// RESTART checkpoint would, in SQLite's busy handler, up to the busy
/// timeout for every group) nor tries again before the next pass.
fn prepare_rewind(conn: &mut DbConnection, rewind_due: &RewindDue) {
    let started = std::time::Instant::now();
    match checkpoint(conn) {
        Ok(done) if done.busy == 0 && done.checkpointed == done.log => {
            rewind_due.store(false, Ordering::Release);
            tracing::debug!(took = ?started.elapsed(), frames = done.log, "SQLite WAL copied for a rewind");
        }
        // The checkpointer is in a pass: retried after the next group.
        Ok(done) if done.busy != 0 => {}
        // A reader holds some frames: asked again after the checkpointer's
        // next pass, not after every group.
        Ok(_) => rewind_due.store(false, Ordering::Release),
        Err(e) => tracing::warn!(error = %e, "SQLite checkpoint before a WAL rewind failed; retried"),
    }
}

/// What `PRAGMA wal_checkpoint` reports.
#[derive(Debug, diesel::QueryableByName)]
struct Checkpoint {
    /// 1 when the checkpoint could not run (another one was running).
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
    /// Frames in the WAL.
    #[diesel(sql_type = diesel::sql_types::Integer)]
    log: i32,
    /// Frames of it now in the database file.
    #[diesel(sql_type = diesel::sql_types::Integer)]
    checkpointed: i32,
}

/// A PASSIVE checkpoint: copies what it can without waiting for anyone.
fn checkpoint(conn: &mut DbConnection) -> diesel::QueryResult<Checkpoint> {
    match conn {
        DbConnection::Sqlite(c) => diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result(c),
        DbConnection::Pg(_) => Err(diesel::result::Error::NotFound),
    }
}

/// The checkpointer: after commits, waits (so that commits in between share
/// one pass) and runs a PASSIVE checkpoint, which never blocks the writer or
/// readers. The wait is set from the last pass so that each copies about
/// [`CHECKPOINT_PASS_BYTES`], and at most doubles from one pass to the next;
/// after a quiet spell it starts short, since a burst may follow. A pass
/// that finds the WAL past [`WAL_REWIND_BYTES`] asks the writer to prepare a
/// rewind. Ends with the writer.
fn spawn_sqlite_checkpointer(
    manager: &Manager,
    rewind_due: RewindDue,
) -> anyhow::Result<std::sync::mpsc::SyncSender<()>> {
    #[derive(diesel::QueryableByName)]
    struct PageSize {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        page_size: i64,
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<()>(1);
    let mut conn = manager.connect_now().context("could not open the SQLite checkpoint connection")?;
    let DbConnection::Sqlite(c) = &mut conn else { anyhow::bail!("the SQLite checkpointer needs SQLite") };
    let page_size = diesel::sql_query("PRAGMA page_size").get_result::<PageSize>(c)?.page_size;
    // A frame is a 24-byte header and a page.
    let frame_bytes = u64::try_from(page_size).unwrap_or(4096) + 24;
    std::thread::Builder::new()
        .name("frontline-sqlite-checkpointer".into())
        .spawn(move || {
            let mut wait = CHECKPOINT_WAIT_MIN;
            let (mut last_pass, mut last_frames) = (std::time::Instant::now(), 0u64);
            loop {
                let idle = std::time::Instant::now();
                if rx.recv().is_err() {
                    break;
                }
                if idle.elapsed() > CHECKPOINT_WAIT_MAX {
                    // Quiet until now: count the rate from here.
                    (wait, last_pass) = (CHECKPOINT_WAIT_MIN, std::time::Instant::now());
                }
                std::thread::sleep(wait);
                while rx.try_recv().is_ok() {}
                if rewind_due.load(Ordering::Acquire) {
                    // The writer copies the rest after its next group: a pass
                    // now would only make its checkpoint find this one busy.
                    continue;
                }
                let started = std::time::Instant::now();
                match checkpoint(&mut conn) {
                    Ok(done) => {
                        let frames = u64::try_from(done.log).unwrap_or(0);
                        // Fewer frames than last time: the WAL was rewound in between.
                        let new = if frames >= last_frames { frames - last_frames } else { frames };
                        // Shorter at once, longer only step by step: one pass
                        // that saw little says little about the next.
                        wait = checkpoint_wait(new * frame_bytes, started - last_pass).min(wait * 2);
                        (last_pass, last_frames) = (started, frames);
                        tracing::debug!(took = ?started.elapsed(), frames, copied = done.checkpointed, next = ?wait, "SQLite checkpoint");
                        if frames * frame_bytes > WAL_REWIND_BYTES {
                            rewind_due.store(true, Ordering::Release);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "SQLite checkpoint failed; the next one retries"),
                }
            }
        })
        .context("could not start the SQLite checkpoint thread")?;
    Ok(tx)
}

fn run_group(conn: &mut DbConnection, group: &mut [Box<dyn WriteJob>]) -> Result<(), String> {
    let DbConnection::Sqlite(c) = conn else { return Err("the writer needs SQLite".into()) };
    AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE").map_err(|e| e.to_string())?;
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for job in group.iter_mut() {
            job.run(conn);
        }
    }));
    if ran.is_err() {
        return Err("a write panicked; its group was rolled back".into());
    }
    let DbConnection::Sqlite(c) = conn else { return Err("the writer needs SQLite".into()) };
    match AnsiTransactionManager::commit_transaction(c) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = AnsiTransactionManager::rollback_transaction(c);
            Err(e.to_string())
        }
    }
}

/// Queues a write for the writer; the receiver hears its outcome once the
/// group it went into has committed (or failed to).
pub(super) fn enqueue<T, F>(
    queue: &Queue,
    f: F,
) -> Result<tokio::sync::oneshot::Receiver<Result<T, AppError>>, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let (reply, rx) = tokio::sync::oneshot::channel();
    queue
        .send(Box::new(Job { f: Some(f), result: None, reply }))
        .map_err(|_| AppError::Unavailable(anyhow::anyhow!("the SQLite writer has stopped")))?;
    Ok(rx)
}
