//! Storage: rows and queries over one diesel schema for SQLite (the
//! embedded default) and PostgreSQL, and [`Db`], the one way to run database
//! work: [`Db::read`] and [`Db::write`], both async and off the executor.
//! Holds no business rules; uses `domain` only for the types it stores.

pub mod actions;
pub mod batches;
pub mod cases;
pub mod daily;
pub mod jobs;
mod migrations;
pub mod outbox;
mod pool;
pub mod queue;
pub mod rate;
pub mod retention;
pub mod schema;
pub mod secrets;
mod sqlite_writer;
pub mod staff;
mod types;
pub mod uploads;
mod url;

use std::time::Duration;

use anyhow::Context;
use diesel::Connection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;

use crate::error::AppError;
pub use migrations::run_migrations;
pub use pool::{Manager, Pool};
pub use url::DatabaseUrl;

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

/// The database handle the app shares: a pool for reads (and PostgreSQL
/// writes), plus for SQLite the one writer every write goes through, since
/// SQLite has one writer lock and an unfair busy handler.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    url: DatabaseUrl,
    writer: Option<sqlite_writer::Queue>,
}

impl Db {
    /// Connects (building the pool) and applies pending migrations. Blocking:
    /// call it before serving, or off the executor.
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
        let writer = if url.is_sqlite() { Some(sqlite_writer::spawn_sqlite_writer(manager)?) } else { None };
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
            Some(queue) => sqlite_writer::enqueue(queue, f)?
                .await
                .map_err(|_| AppError::Unavailable(anyhow::anyhow!("the SQLite writer dropped a write")))?,
            None => {
                let pool = self.pool.clone();
                actix_web::web::block(move || {
                    let mut pooled = pool.get()?;
                    let conn: &mut DbConnection = &mut pooled;
                    conn.transaction(f)
                })
                .await?
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DatabaseUrl;

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
        assert!(written > 8 * super::sqlite_writer::WAL_REWIND_BYTES, "the test wrote enough: {written} bytes");
        // Rewound again and again: it never held half of what went through
        // it. (How far past the limit it gets depends on how fast the writes
        // come: here ~500 MB/s, 2-4 times the limit; at a real 115 MB/s of
        // invoices, a few MB past 64 MiB.)
        assert!(
            peak < written / 2,
            "WAL peaked at {peak} bytes for {written} written (rewound past {})",
            super::sqlite_writer::WAL_REWIND_BYTES
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
        for i in 0..(2 * super::sqlite_writer::WAL_FILE_KEPT_BYTES / (64 * 1024)) {
            let started = std::time::Instant::now();
            write(format!("held-{i}")).await.expect("write");
            slowest = slowest.max(started.elapsed());
        }
        assert!(slowest < std::time::Duration::from_secs(1), "a write waited {slowest:?} for the reader");
        let grown = std::fs::metadata(&wal).expect("wal").len();
        assert!(
            grown > super::sqlite_writer::WAL_FILE_KEPT_BYTES,
            "the WAL grew while the reader held it: {grown} bytes"
        );
        diesel::connection::SimpleConnection::batch_execute(&mut reader, "COMMIT").expect("end the read");
        // Once the reader is gone the WAL is rewound and cut back.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let mut i = 0;
        let shrunk = loop {
            let now = std::fs::metadata(&wal).expect("wal").len();
            if now <= super::sqlite_writer::WAL_FILE_KEPT_BYTES || std::time::Instant::now() > deadline {
                break now;
            }
            write(format!("after-{i}")).await.expect("write");
            i += 1;
            actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        assert!(shrunk <= super::sqlite_writer::WAL_FILE_KEPT_BYTES, "WAL still {shrunk} bytes after {i} more writes");
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
        assert!(about(super::sqlite_writer::checkpoint_wait(1_150_000, ms(10)), 0.010 * 1_048_576.0 / 1_150_000.0));
        // Faster still: never more often than every 5 ms.
        assert_eq!(super::sqlite_writer::checkpoint_wait(100 << 20, ms(10)), super::sqlite_writer::CHECKPOINT_WAIT_MIN);
        // A trickle, or nothing: every 250 ms at most.
        assert_eq!(super::sqlite_writer::checkpoint_wait(40_000, ms(250)), super::sqlite_writer::CHECKPOINT_WAIT_MAX);
        assert_eq!(super::sqlite_writer::checkpoint_wait(0, ms(3)), super::sqlite_writer::CHECKPOINT_WAIT_MAX);
        // 8 MB/s: a pass every ~131 ms.
        assert!(about(super::sqlite_writer::checkpoint_wait(800_000, ms(100)), 0.1 * 1_048_576.0 / 800_000.0));
    }
}
