//! Staff account management shared by the CLI and the admin pages.

use crate::app::passwords::hash_password;
use crate::domain::errors::FieldErrors;
use crate::domain::staff::{StaffRole, check_new_password, normalise_email};
use crate::error::AppError;
use crate::store::Db;
use crate::store::staff::{self as store, NewStaff, StaffRow};

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

/// Checks the answers for a new account, reporting every field that fails
/// (for the admin page's error summary), in page order.
pub fn check_new(
    email: &str,
    name: &str,
    role: &str,
    password: &str,
) -> Result<(String, String, StaffRole), FieldErrors> {
    let mut errors = FieldErrors::new();
    let email = normalise_email(email);
    let email = if email.is_empty() {
        errors.add("email", "Enter the email address");
        None
    } else {
        errors.check("email", crate::domain::contact::parse_email(&email))
    };
    let name = errors.check("name", crate::domain::text::required_line(name, 200, "Enter the name", "Name"));
    let role = errors.check("role", StaffRole::parse(role).ok_or_else(|| "Select admin or agent".to_string()));
    errors.check("password", check_new_password(password));
    match (email, name, role) {
        (Some(email), Some(name), Some(role)) if errors.is_empty() => Ok((email, name, role)),
        _ => Err(errors),
    }
}

/// Checks the answers for a new account; the first problem found.
pub fn validate_new(
    email: &str,
    name: &str,
    role: &str,
    password: &str,
) -> Result<(String, String, StaffRole), AccountError> {
    check_new(email, name, role, password).map_err(|e| match e.items().first() {
        Some(first) => AccountError::Invalid(first.field, first.message.clone()),
        None => AccountError::App(AppError::Unexpected(anyhow::anyhow!("validation failed without a message"))),
    })
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

/// Disables or enables an account by id; disabling ends its sessions at
/// once. Returns the account as it was before.
pub fn set_disabled_blocking(db: &Db, id: i64, disabled: bool) -> Result<StaffRow, AppError> {
    db.write_blocking(move |conn| {
        let row = store::by_id(conn, id)?.ok_or(AppError::NotFound)?;
        store::set_disabled(conn, id, disabled)?;
        Ok(row)
    })
}

/// Sets a new password (checked against the policy, hashed with argon2id)
/// and ends every session of the account (blocking).
pub fn reset_password_blocking(db: &Db, id: i64, password: &str) -> Result<StaffRow, AccountError> {
    check_new_password(password).map_err(|m| AccountError::Invalid("password", m))?;
    let row = db.read_blocking(move |conn| store::by_id(conn, id)?.ok_or(AppError::NotFound))?;
    let hash = hash_password(password)?;
    db.write_blocking(move |conn| {
        if store::set_password(conn, id, &hash)? != 1 {
            return Err(AppError::NotFound);
        }
        Ok(())
    })?;
    Ok(row)
}

/// Every account.
pub fn list_blocking(db: &Db) -> Result<Vec<StaffRow>, AppError> {
    db.read_blocking(|conn| Ok(store::all(conn)?))
}
