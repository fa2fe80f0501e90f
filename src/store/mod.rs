//! Storage: one diesel code path over SQLite (embedded default) and
//! PostgreSQL, a connection pool, embedded migrations, and the helpers that
//! keep every blocking database call off the async executor.

pub mod cases;
pub mod jobs;
pub mod schema;
pub mod secrets;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};
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

/// The database handle the app shares: a pool, plus (for SQLite) the one
/// writer lock every write goes through, since SQLite has one writer and an
/// unfair busy handler.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    url: DatabaseUrl,
    writer: Arc<std::sync::Mutex<()>>,
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
            .build(manager)
            .context("could not build the database connection pool")?;
        Ok(Self { pool, url, writer: Arc::new(std::sync::Mutex::new(())) })
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

    /// Runs a write in one transaction, off the async executor. On SQLite
    /// writes are serialised through one lock and use `BEGIN IMMEDIATE`, so a
    /// read-then-write never fails on a lock upgrade.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.write_blocking(f)).await?
    }

    /// The blocking form of [`Db::write`], for the CLI and background jobs
    /// that already run on their own thread.
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError>,
    {
        let mut conn = self.pool.get()?;
        if self.url.is_sqlite() {
            // A poisoned lock only means another writer panicked; the
            // database itself rolled that transaction back.
            let _guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
            transaction(&mut conn, f)
        } else {
            transaction(&mut conn, f)
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

    #[test]
    fn redacted_urls_hide_passwords() {
        let url = DatabaseUrl::Postgres("postgres://u:secret@h/db".into());
        assert!(!url.redacted().contains("secret"));
    }
}
