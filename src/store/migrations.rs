//! Embedded migrations, one set per backend, chosen by the connection.

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConnection;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

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
