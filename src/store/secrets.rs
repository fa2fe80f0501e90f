//! Server-side keys shared by every instance (kept in the database so that
//! several `frontline serve` processes sign and check the same tokens).

use diesel::prelude::*;

use super::DbConnection;
use super::schema::app_secrets;

/// Returns the named secret, creating it with `fresh` when absent. Run in a
/// write transaction so that two starting instances agree on one value.
pub fn get_or_create(conn: &mut DbConnection, name: &str, fresh: impl FnOnce() -> String) -> QueryResult<String> {
    if let Some(v) = app_secrets::table
        .filter(app_secrets::name.eq(name))
        .select(app_secrets::value)
        .first::<String>(conn)
        .optional()?
    {
        return Ok(v);
    }
    let value = fresh();
    diesel::insert_into(app_secrets::table)
        .values((app_secrets::name.eq(name), app_secrets::value.eq(&value)))
        .execute(conn)?;
    Ok(value)
}
