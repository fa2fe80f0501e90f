//! Staff accounts, for the CLI and the admin pages alike: create, list,
//! disable or enable, reset a password, allow an agent to send directory
//! batches. Passwords are checked against the policy and hashed with
//! argon2id behind the password gate.

use crate::app::passwords;
use crate::clock::Clock;
use crate::domain::errors::FieldErrors;
use crate::domain::staff::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, StaffRole, check_new_password, normalise_email};
use crate::error::AppError;
use crate::gate::Gate;
use crate::i18n::{t, ta};
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
        errors.add("email", t("staff-accounts-error-email-missing"));
        None
    } else {
        errors.check("email", crate::domain::contact::parse_email(&email))
    };
    let name = errors.check(
        "name",
        crate::domain::text::required_line(
            name,
            200,
            &t("staff-accounts-error-name-missing"),
            &t("staff-accounts-name-label"),
        ),
    );
    let role = errors.check("role", StaffRole::parse(role).ok_or_else(|| t("staff-accounts-error-role-missing")));
    errors.check("password", password_rule(password));
    match (email, name, role) {
        (Some(email), Some(name), Some(role)) if errors.is_empty() => Ok((email, name, role)),
        _ => Err(errors),
    }
}

/// Checks a new password against the policy ([`check_new_password`]),
/// saying which rule it breaks in the request's language (English for the CLI).
fn password_rule(password: &str) -> Result<(), String> {
    check_new_password(password).map_err(|other| {
        let n = password.chars().count();
        if n == 0 {
            t("staff-accounts-error-password-missing")
        } else if n < PASSWORD_MIN_CHARS {
            ta("staff-accounts-error-password-short", &[("n", &PASSWORD_MIN_CHARS)])
        } else if n > PASSWORD_MAX_CHARS {
            ta("staff-accounts-error-password-long", &[("n", &PASSWORD_MAX_CHARS)])
        } else if password.trim().is_empty() {
            t("staff-accounts-error-password-spaces")
        } else {
            other
        }
    })
}

/// The answers for a new account.
pub struct NewAccount<'a> {
    /// Sign-in e-mail.
    pub email: &'a str,
    /// Name colleagues see.
    pub name: &'a str,
    /// `admin` or `agent`.
    pub role: &'a str,
    /// The password, checked against the policy.
    pub password: &'a str,
}

/// Creates an account; returns its id. The first rule broken is an
/// [`AccountError::Invalid`] naming its field.
pub async fn create(db: &Db, clock: &Clock, gate: &Gate, new: NewAccount<'_>) -> Result<i64, AccountError> {
    let (email, name, role) =
        check_new(new.email, new.name, new.role, new.password).map_err(|e| match e.items().first() {
            Some(first) => AccountError::Invalid(first.field, first.message.clone()),
            None => AccountError::App(AppError::Unexpected(anyhow::anyhow!("validation failed without a message"))),
        })?;
    let password_hash = passwords::hash(gate, new.password.to_owned()).await?;
    let row = NewStaff {
        email: email.clone(),
        name,
        role: role.as_str().into(),
        password_hash,
        disabled: false,
        created_at: clock.now(),
    };
    // The message is written here, not in the write (which runs on another
    // thread, outside the request's language).
    let taken = ta("staff-accounts-error-email-taken", &[("email", &email)]);
    db.write(move |conn| {
        if store::by_email(conn, &email)?.is_some() {
            return Err(AppError::Conflict(taken));
        }
        Ok(store::insert(conn, &row)?)
    })
    .await
    .map_err(|e| match e {
        // A unique violation (two at once) arrives as a message id.
        AppError::Conflict(m) => AccountError::Invalid("email", crate::i18n::t(&m)),
        other => AccountError::App(other),
    })
}

/// Disables an account by e-mail and ends its sessions at once.
pub async fn disable_by_email(db: &Db, email: &str) -> Result<StaffRow, AccountError> {
    let email = normalise_email(email);
    let missing = ta("staff-accounts-error-no-such-email", &[("email", &email)]);
    db.write(move |conn| {
        let Some(row) = store::by_email(conn, &email)? else {
            return Err(AppError::Conflict(missing));
        };
        store::set_disabled(conn, row.id, true)?;
        Ok(row)
    })
    .await
    .map_err(|e| match e {
        // A unique violation (two at once) arrives as a message id.
        AppError::Conflict(m) => AccountError::Invalid("email", crate::i18n::t(&m)),
        other => AccountError::App(other),
    })
}

/// Disables or enables an account by id; disabling ends its sessions at
/// once. Returns the account as it was before.
pub async fn set_disabled(db: &Db, id: i64, disabled: bool) -> Result<StaffRow, AppError> {
    db.write(move |conn| {
        let row = store::by_id(conn, id)?.ok_or(AppError::NotFound)?;
        store::set_disabled(conn, id, disabled)?;
        Ok(row)
    })
    .await
}

/// Sets a new password (checked against the policy, hashed with argon2id)
/// and ends every session of the account.
pub async fn reset_password(db: &Db, gate: &Gate, id: i64, password: &str) -> Result<StaffRow, AccountError> {
    password_rule(password).map_err(|m| AccountError::Invalid("password", m))?;
    let row = db.read(move |conn| store::by_id(conn, id)?.ok_or(AppError::NotFound)).await?;
    let hash = passwords::hash(gate, password.to_owned()).await?;
    db.write(move |conn| {
        if store::set_password(conn, id, &hash)? != 1 {
            return Err(AppError::NotFound);
        }
        Ok(())
    })
    .await?;
    Ok(row)
}

/// Allows (or stops) an agent submitting and publishing directory batches.
pub async fn set_may_send_batches(db: &Db, id: i64, allowed: bool) -> Result<(), AppError> {
    let changed = db.write(move |conn| Ok(store::set_may_send_batches(conn, id, allowed)?)).await?;
    if changed == 0 { Err(AppError::NotFound) } else { Ok(()) }
}

/// Every account.
pub async fn list(db: &Db) -> Result<Vec<StaffRow>, AppError> {
    db.read(|conn| Ok(store::all(conn)?)).await
}

/// Turns the e-mail for every new case on or off for an account.
pub async fn set_notify_new_cases(db: &Db, id: i64, on: bool) -> Result<(), AppError> {
    db.write(move |conn| {
        crate::store::staff::set_notify_new_cases(conn, id, on)?;
        Ok(())
    })
    .await
}

/// One account by id (`NotFound` when there is none).
pub async fn by_id(db: &Db, id: i64) -> Result<StaffRow, AppError> {
    db.read(move |conn| crate::store::staff::by_id(conn, id)?.ok_or(AppError::NotFound)).await
}

/// Sets an account's own time zone (`None`: the programme's).
pub async fn set_time_zone(db: &Db, id: i64, zone: Option<chrono_tz::Tz>) -> Result<(), AppError> {
    db.write(move |conn| {
        crate::store::staff::set_time_zone(conn, id, zone.map(|z| z.name()))?;
        Ok(())
    })
    .await
}
