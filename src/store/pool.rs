//! The connection pool: connections opened by the URL's scheme (diesel's
//! own `MultiConnection::establish` tries each backend in turn), each SQLite
//! connection set up with its pragmas.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};

use super::{DatabaseUrl, DbConnection};

/// Opens connections for the pool, dispatching on the URL's scheme (diesel's
/// own `MultiConnection::establish` tries each backend in turn, which could
/// silently create a SQLite file named like a PostgreSQL URL).
#[derive(Debug, Clone)]
pub struct Manager {
    pub(super) url: DatabaseUrl,
}

impl Manager {
    pub(super) fn connect_now(&self) -> Result<DbConnection, ConnectionError> {
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
