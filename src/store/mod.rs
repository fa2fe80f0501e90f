//! Storage: one diesel code path over SQLite (embedded default) and
//! PostgreSQL, a connection pool, embedded migrations, and the helpers that
//! keep every blocking database call off the async executor.

pub mod actions;
pub mod batches;
pub mod cases;
pub mod jobs;
pub mod queue;
pub mod rate;
pub mod schema;
pub mod secrets;
pub mod staff;
pub mod uploads;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long a request waits for a pooled connection before it gets a 503.
const POOL_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection to either backend; queries written against it use the SQL
/// both share, and the active variant renders the SQL.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL, for deployments with several instances.
    Pg(PgConnection),
    /// SQLite, the embedded default.
    Sqlite(SqliteConnection),
}

/// Which backend a database URL names, chosen by its scheme, never by trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file path.
    Sqlite(String),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `DATABASE_URL`: `postgres://` / `postgresql://` select
    /// PostgreSQL; `sqlite://PATH` or a plain path select SQLite; any other
    /// scheme is refused with a message that says what is accepted.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("the database URL is empty: give a SQLite path, sqlite://PATH or postgres://…".into());
        }
        let lower = raw.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// needs a file path, like sqlite://frontline.db".into());
            }
            return Ok(Self::Sqlite(path.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite:").filter(|p| !p.is_empty()) {
            return Ok(Self::Sqlite(path.to_string()));
        }
        if let Some((scheme, _)) = raw.split_once("://") {
            return Err(format!(
                "unsupported database URL scheme {scheme:?}: use a SQLite path, sqlite://PATH, postgres:// or postgresql://"
            ));
        }
        Ok(Self::Sqlite(raw.to_string()))
    }

    /// True for SQLite.
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Self::Sqlite(_))
    }

    /// The URL without any password, for logs and messages.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("sqlite://{p}"),
            Self::Postgres(u) => match url::Url::parse(u) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        let _ = parsed.set_password(Some("***"));
                    }
                    parsed.to_string()
                }
                Err(_) => "postgres://…".into(),
            },
        }
    }
}

/// Opens connections for the pool, dispatching on the URL's scheme (diesel's
/// own `MultiConnection::establish` tries each backend in turn, which could
/// silently create a SQLite file named like a PostgreSQL URL).
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

impl Manager {
    fn connect_now(&self) -> Result<DbConnection, ConnectionError> {
        match &self.url {
            DatabaseUrl::Postgres(u) => Ok(DbConnection::Pg(PgConnection::establish(u)?)),
            DatabaseUrl::Sqlite(p) => {
                let mut conn = SqliteConnection::establish(p)?;
                // One statement each, busy_timeout first (diesel's advice).
                // synchronous=FULL: an acknowledged case survives a power cut.
                for pragma in [
                    "PRAGMA busy_timeout = 5000;",
                    "PRAGMA journal_mode = WAL;",
                    "PRAGMA synchronous = FULL;",
                    "PRAGMA foreign_keys = ON;",
                    // Reads map the file instead of copying each page through a
                    // syscall into each connection's own page cache: the queue
                    // walks many index pages per request.
                    "PRAGMA mmap_size = 268435456;",
                    // Statement journals and sort space stay in memory. Each
                    // grouped write is a savepoint, and its journal spilled to
                    // a temp file under /var/tmp, created, written and deleted
                    // for every group commit.
                    "PRAGMA temp_store = MEMORY;",
                ] {
                    conn.batch_execute(pragma).map_err(ConnectionError::CouldntSetupConfiguration)?;
                }
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.connect_now().map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// The pool type.
pub type Pool = r2d2::Pool<Manager>;

/// Most writes committed together by the SQLite writer.
const MAX_GROUP: usize = 256;

/// One write waiting for the SQLite writer.
trait WriteJob: Send {
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

type Queue = std::sync::mpsc::Sender<Box<dyn WriteJob>>;

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
const CHECKPOINT_WAIT_MIN: Duration = Duration::from_millis(5);
const CHECKPOINT_WAIT_MAX: Duration = Duration::from_millis(250);

/// The wait before the next pass, for `bytes` written into the WAL over
/// `period`: the time it takes to write [`CHECKPOINT_PASS_BYTES`] at that rate.
fn checkpoint_wait(bytes: u64, period: Duration) -> Duration {
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
const WAL_REWIND_BYTES: u64 = if cfg!(test) { 4 << 20 } else { 64 << 20 };

/// A rewound WAL file is cut back to this size; below it the file is left as
/// it is, so that a WAL that keeps being rewound reuses its blocks instead of
/// growing and shrinking each time.
const WAL_FILE_KEPT_BYTES: u64 = WAL_REWIND_BYTES + WAL_REWIND_BYTES / 2;

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
fn spawn_sqlite_writer(manager: Manager) -> anyhow::Result<Queue> {
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

/// The database handle the app shares: a pool for reads (and PostgreSQL
/// writes), plus for SQLite the one writer every write goes through, since
/// SQLite has one writer lock and an unfair busy handler.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    url: DatabaseUrl,
    writer: Option<Queue>,
}

impl Db {
    /// Connects (building the pool) and applies pending migrations.
    pub fn connect(url: DatabaseUrl, pool_size: u32) -> anyhow::Result<Self> {
        let manager = Manager { url: url.clone() };
        // Fail early with a clear message if the database is unreachable.
        let mut first = manager
            .connect_now()
            .with_context(|| format!("could not connect to the database at {}", url.redacted()))?;
        run_migrations(&mut first)?;
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .connection_timeout(POOL_TIMEOUT)
            .test_on_check_out(false)
            .build(manager.clone())
            .context("could not build the database connection pool")?;
        let writer = if url.is_sqlite() { Some(spawn_sqlite_writer(manager)?) } else { None };
        Ok(Self { pool, url, writer })
    }

    /// The URL this handle talks to.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Runs a read on a pooled connection, off the async executor.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    fn enqueue<T, F>(queue: &Queue, f: F) -> Result<tokio::sync::oneshot::Receiver<Result<T, AppError>>, AppError>
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

    /// Runs a write in one transaction, off the async executor, and returns
    /// once it is durable. SQLite: through the group-committing writer
    /// (`BEGIN IMMEDIATE`, so a read-then-write never fails on a lock
    /// upgrade). PostgreSQL: a pooled connection, one transaction.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        match &self.writer {
            Some(queue) => Self::enqueue(queue, f)?
                .await
                .map_err(|_| AppError::Unavailable(anyhow::anyhow!("the SQLite writer dropped a write")))?,
            None => {
                let pool = self.pool.clone();
                actix_web::web::block(move || {
                    let mut conn = pool.get()?;
                    transaction(&mut conn, f)
                })
                .await?
            }
        }
    }

    /// The blocking form of [`Db::write`], for the CLI and background jobs
    /// that run on their own thread (never call it on the async executor).
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        match &self.writer {
            Some(queue) => Self::enqueue(queue, f)?
                .blocking_recv()
                .map_err(|_| AppError::Unavailable(anyhow::anyhow!("the SQLite writer dropped a write")))?,
            None => {
                let mut conn = self.pool.get()?;
                transaction(&mut conn, f)
            }
        }
    }

    /// The blocking form of [`Db::read`].
    pub fn read_blocking<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError>,
    {
        let mut conn = self.pool.get()?;
        f(&mut conn)
    }
}

/// One transaction around `f`: committed if it returns `Ok`, rolled back
/// otherwise. SQLite transactions start `IMMEDIATE` (take the write lock
/// first).
pub fn transaction<T, F>(conn: &mut DbConnection, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, AppError>,
{
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConnection::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => {
            match conn {
                DbConnection::Sqlite(c) => AnsiTransactionManager::commit_transaction(c)?,
                DbConnection::Pg(c) => AnsiTransactionManager::commit_transaction(c)?,
            }
            Ok(value)
        }
        Err(e) => {
            let rolled_back = match conn {
                DbConnection::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
                DbConnection::Pg(c) => AnsiTransactionManager::rollback_transaction(c),
            };
            if let Err(rb) = rolled_back {
                tracing::error!(error = %rb, "rollback failed");
            }
            Err(e)
        }
    }
}

/// Applies pending migrations, choosing the set by the connection's backend.
/// On PostgreSQL an advisory lock keeps several starting instances from
/// migrating at once.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("SQLite migrations failed: {e}"))?
            .len(),
        DbConnection::Pg(c) => {
            c.batch_execute("SELECT pg_advisory_lock(727274)").context("could not take the migration lock")?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len())
                .map_err(|e| anyhow::anyhow!("PostgreSQL migrations failed: {e}"));
            c.batch_execute("SELECT pg_advisory_unlock(727274)").context("could not release the migration lock")?;
            result?
        }
    };
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::DatabaseUrl;

    #[test]
    fn database_urls_choose_the_backend_by_scheme() {
        let cases = [
            ("frontline.db", Ok(DatabaseUrl::Sqlite("frontline.db".into()))),
            ("sqlite://data/x.db", Ok(DatabaseUrl::Sqlite("data/x.db".into()))),
            ("sqlite:///tmp/x.db", Ok(DatabaseUrl::Sqlite("/tmp/x.db".into()))),
            ("postgres://u@h/db", Ok(DatabaseUrl::Postgres("postgres://u@h/db".into()))),
            ("postgresql://u@h/db", Ok(DatabaseUrl::Postgres("postgresql://u@h/db".into()))),
        ];
        for (raw, want) in cases {
            assert_eq!(DatabaseUrl::parse(raw), want, "{raw}");
        }
        for bad in ["mysql://root@localhost/test", "http://x", "", "sqlite://"] {
            assert!(DatabaseUrl::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[actix_web::test]
    async fn grouped_writes_are_each_atomic_and_all_durable() {
        use diesel::prelude::*;
        let dir = tempfile::tempdir().expect("dir");
        let url = DatabaseUrl::Sqlite(dir.path().join("w.db").display().to_string());
        let db = super::Db::connect(url, 2).expect("db");
        let writes = (0..200).map(|i| {
            let db = db.clone();
            async move {
                db.write(move |conn| {
                    diesel::insert_into(super::schema::app_secrets::table)
                        .values((
                            super::schema::app_secrets::name.eq(format!("k{i}")),
                            super::schema::app_secrets::value.eq("v"),
                        ))
                        .execute(conn)?;
                    if i % 10 == 0 {
                        // Fails after writing: its own insert must roll back, alone.
                        return Err(crate::error::AppError::Conflict("refused".into()));
                    }
                    Ok(i)
                })
                .await
            }
        });
        let results = futures_util::future::join_all(writes).await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 180);
        let stored: i64 =
            db.read(|conn| Ok(super::schema::app_secrets::table.count().get_result(conn)?)).await.expect("count");
        assert_eq!(stored, 180, "every acknowledged write is stored, no refused one is");
    }

    /// Stores a 64 KiB row through the writer.
    async fn write_64k(db: &super::Db, name: String) -> Result<(), crate::error::AppError> {
        use diesel::prelude::*;
        db.write(move |conn| {
            diesel::insert_into(super::schema::app_secrets::table)
                .values((
                    super::schema::app_secrets::name.eq(name),
                    super::schema::app_secrets::value.eq("x".repeat(64 * 1024)),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
    }

    #[actix_web::test]
    async fn committed_pages_reach_the_database_file_without_the_writer_checkpointing() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("c.db");
        let db = super::Db::connect(DatabaseUrl::Sqlite(path.display().to_string()), 2).expect("db");
        let before = std::fs::metadata(&path).expect("file").len();
        // About 2 MB of committed pages, far below SQLite's own 1,000-page
        // autocheckpoint (which the writer has switched off anyway).
        for i in 0..32 {
            write_64k(&db, format!("blob{i}")).await.expect("write");
        }
        // The checkpointer copies them into the database file shortly after.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let grown = loop {
            let now = std::fs::metadata(&path).expect("file").len();
            if now >= before + 2_000_000 || std::time::Instant::now() > deadline {
                break now;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert!(grown >= before + 2_000_000, "database file {before} -> {grown} bytes");
    }

    #[actix_web::test]
    async fn the_wal_stays_bounded_under_unbroken_writes() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("w.db");
        let db = super::Db::connect(DatabaseUrl::Sqlite(path.display().to_string()), 2).expect("db");
        let wal = dir.path().join("w.db-wal");
        // Four writers, up to 2 seconds, 64 KB rows: the WAL always holds pages
        // not yet copied, so a PASSIVE checkpoint alone never lets it rewind.
        let until = std::time::Instant::now() + std::time::Duration::from_secs(2);
        let mut peak = 0u64;
        let mut written = 0u64;
        let writers = (0..4).map(|w| {
            let db = db.clone();
            async move {
                let mut n = 0u64;
                // At most 10 MB each: enough to pass the limit several times
                // without filling a small disk.
                while std::time::Instant::now() < until && n < 160 {
                    write_64k(&db, format!("w{w}-{n}")).await.expect("write");
                    n += 1;
                }
                n
            }
        });
        let watch = async {
            while std::time::Instant::now() < until {
                peak = peak.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
                actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        };
        let (counts, ()) = futures_util::future::join(futures_util::future::join_all(writers), watch).await;
        written += counts.iter().sum::<u64>() * 64 * 1024;
        assert!(written > 8 * super::WAL_REWIND_BYTES, "the test wrote enough: {written} bytes");
        // Rewound again and again: it never held half of what went through
        // it. (How far past the limit it gets depends on how fast the writes
        // come: here ~500 MB/s, 2-4 times the limit; at a real 115 MB/s of
        // invoices, a few MB past 64 MiB.)
        assert!(
            peak < written / 2,
            "WAL peaked at {peak} bytes for {written} written (rewound past {})",
            super::WAL_REWIND_BYTES
        );
    }

    #[actix_web::test]
    async fn a_reader_in_the_wal_never_holds_up_writes_and_the_wal_shrinks_after_it() {
        use diesel::prelude::*;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("r.db");
        let db = super::Db::connect(DatabaseUrl::Sqlite(path.display().to_string()), 2).expect("db");
        let wal = dir.path().join("r.db-wal");
        let write = |name: String| write_64k(&db, name);
        write("first".into()).await.expect("write");
        // A reader that stays in the WAL: a read transaction left open.
        let mut reader = diesel::SqliteConnection::establish(&path.display().to_string()).expect("reader");
        diesel::connection::SimpleConnection::batch_execute(&mut reader, "BEGIN").expect("begin");
        diesel::sql_query("SELECT name FROM app_secrets").execute(&mut reader).expect("read");
        // Past the rewind size and the size a rewound WAL is cut back to.
        let mut slowest = std::time::Duration::ZERO;
        for i in 0..(2 * super::WAL_FILE_KEPT_BYTES / (64 * 1024)) {
            let started = std::time::Instant::now();
            write(format!("held-{i}")).await.expect("write");
            slowest = slowest.max(started.elapsed());
        }
        assert!(slowest < std::time::Duration::from_secs(1), "a write waited {slowest:?} for the reader");
        let grown = std::fs::metadata(&wal).expect("wal").len();
        assert!(grown > super::WAL_FILE_KEPT_BYTES, "the WAL grew while the reader held it: {grown} bytes");
        diesel::connection::SimpleConnection::batch_execute(&mut reader, "COMMIT").expect("end the read");
        // Once the reader is gone the WAL is rewound and cut back.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let mut i = 0;
        let shrunk = loop {
            let now = std::fs::metadata(&wal).expect("wal").len();
            if now <= super::WAL_FILE_KEPT_BYTES || std::time::Instant::now() > deadline {
                break now;
            }
            write(format!("after-{i}")).await.expect("write");
            i += 1;
            actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        assert!(shrunk <= super::WAL_FILE_KEPT_BYTES, "WAL still {shrunk} bytes after {i} more writes");
    }

    #[actix_web::test]
    async fn sqlite_connections_keep_statement_journals_in_memory() {
        #[derive(diesel::QueryableByName)]
        struct TempStore {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            temp_store: i32,
        }
        fn temp_store(conn: &mut super::DbConnection) -> Result<i32, crate::error::AppError> {
            let super::DbConnection::Sqlite(c) = conn else { panic!("SQLite expected") };
            use diesel::RunQueryDsl;
            Ok(diesel::sql_query("PRAGMA temp_store").get_result::<TempStore>(c)?.temp_store)
        }
        let dir = tempfile::tempdir().expect("dir");
        let db = super::Db::connect(DatabaseUrl::Sqlite(dir.path().join("t.db").display().to_string()), 2).expect("db");
        // 2 = MEMORY: no temp file per grouped write's savepoint journal.
        assert_eq!(db.read(temp_store).await.expect("reader"), 2);
        assert_eq!(db.write(temp_store).await.expect("writer"), 2);
    }

    #[test]
    fn checkpoint_passes_are_frequent_under_heavy_writes_and_rare_under_light_ones() {
        use std::time::Duration;
        let ms = Duration::from_millis;
        let about = |got: Duration, want: f64| (got.as_secs_f64() - want).abs() < 1e-6;
        // 500 invoices a second, ~115 MB/s: a pass every ~9 ms.
        assert!(about(super::checkpoint_wait(1_150_000, ms(10)), 0.010 * 1_048_576.0 / 1_150_000.0));
        // Faster still: never more often than every 5 ms.
        assert_eq!(super::checkpoint_wait(100 << 20, ms(10)), super::CHECKPOINT_WAIT_MIN);
        // A trickle, or nothing: every 250 ms at most.
        assert_eq!(super::checkpoint_wait(40_000, ms(250)), super::CHECKPOINT_WAIT_MAX);
        assert_eq!(super::checkpoint_wait(0, ms(3)), super::CHECKPOINT_WAIT_MAX);
        // 8 MB/s: a pass every ~131 ms.
        assert!(about(super::checkpoint_wait(800_000, ms(100)), 0.1 * 1_048_576.0 / 800_000.0));
    }

    #[test]
    fn redacted_urls_hide_passwords() {
        let url = DatabaseUrl::Postgres("postgres://u:secret@h/db".into());
        assert!(!url.redacted().contains("secret"));
    }
}
