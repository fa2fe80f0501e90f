//! Staff account management shared by the CLI and the admin pages.

use crate::domain::staff::{StaffRole, check_new_password, normalise_email};
use crate::error::AppError;
use crate::store::Db;
use crate::store::staff::{self as store, NewStaff, StaffRow};
use crate::web::auth_hash::hash_password;

/// Why an account could not be created or changed, in words for people.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// A field broke a rule: (field, message).
    #[error("{1}")]
    Invalid(&'static str, String),
    /// Anything else.
    #[error(transparent)]
    App(#[from] AppError),
}

/// Checks the answers for a new account.
pub fn validate_new(
    email: &str,
    name: &str,
    role: &str,
    password: &str,
) -> Result<(String, String, StaffRole), AccountError> {
    let email = normalise_email(email);
    crate::domain::contact::parse_email(&email).map_err(|m| AccountError::Invalid("email", m))?;
    let name = crate::domain::text::required_line(name, 200, "Enter the name", "Name")
        .map_err(|m| AccountError::Invalid("name", m))?;
    let role = StaffRole::parse(role).ok_or_else(|| AccountError::Invalid("role", "Select admin or agent".into()))?;
    check_new_password(password).map_err(|m| AccountError::Invalid("password", m))?;
    Ok((email, name, role))
}

/// Creates an account (blocking: hashes with argon2id and writes).
pub fn create_blocking(db: &Db, email: &str, name: &str, role: &str, password: &str) -> Result<i64, AccountError> {
    let (email, name, role) = validate_new(email, name, role, password)?;
    let password_hash = hash_password(password)?;
    let new = NewStaff {
        email: email.clone(),
        name,
        role: role.as_str().into(),
        password_hash,
        disabled: false,
        created_at: chrono::Utc::now().naive_utc(),
    };
    db.write_blocking(move |conn| {
        if store::by_email(conn, &email)?.is_some() {
            return Err(AppError::Conflict(format!("A staff account with the email {email} already exists")));
        }
        Ok(store::insert(conn, &new)?)
    })
    .map_err(|e| match e {
        AppError::Conflict(m) => AccountError::Invalid("email", m),
        other => AccountError::App(other),
    })
}

/// Disables an account by e-mail and ends its sessions at once.
pub fn disable_blocking(db: &Db, email: &str) -> Result<StaffRow, AccountError> {
    let email = normalise_email(email);
    db.write_blocking(move |conn| {
        let Some(row) = store::by_email(conn, &email)? else {
            return Err(AppError::Conflict(format!("No staff account has the email {email}")));
        };
        store::set_disabled(conn, row.id, true)?;
        Ok(row)
    })
    .map_err(|e| match e {
        AppError::Conflict(m) => AccountError::Invalid("email", m),
        other => AccountError::App(other),
    })
}

/// Every account.
pub fn list_blocking(db: &Db) -> Result<Vec<StaffRow>, AppError> {
    db.read_blocking(|conn| Ok(store::all(conn)?))
}
