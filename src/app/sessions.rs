//! Staff sign-in and sessions: attempts counted before the password is
//! checked (see `domain::throttle`), argon2id behind the password gate,
//! server-side sessions whose cookie holds a random token and the database
//! only its hash, idle and absolute expiry, sign-out.

use std::time::Duration as StdDuration;

use chrono::Duration;

use crate::app::passwords;
use crate::clock::Clock;
use crate::domain::staff::{PASSWORD_MAX_CHARS, StaffRole, normalise_email};
use crate::domain::throttle::{SignInPolicy, account_bucket, address_bucket, pair_bucket};
use crate::error::AppError;
use crate::gate::Gate;
use crate::keys::{random_hex, sha256_hex};
use crate::store::staff::{self as store, NewSession, StaffRow};
use crate::store::{Db, rate};

/// A session's last request is written at most this often (saves a write
/// per request), or a tenth of the idle limit if that is shorter.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// How long sessions last.
#[derive(Debug, Clone, Copy)]
pub struct SessionRules {
    /// A session ends after this long without a request.
    pub idle: StdDuration,
    /// A session ends this long after sign-in, whatever happens.
    pub absolute: StdDuration,
}

impl SessionRules {
    fn idle(&self) -> Duration {
        Duration::from_std(self.idle).unwrap_or(Duration::minutes(30))
    }

    /// The stored last-seen time lags the last request by less than this.
    fn touch(&self) -> Duration {
        TOUCH_EVERY.min(self.idle() / 10)
    }
}

/// What a sign-in attempt came to.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: the session token for the cookie (only its hash is kept).
    Started {
        /// The cookie's value.
        token: String,
        /// Who signed in.
        staff_id: i64,
    },
    /// A field was left empty: the message to show.
    Missing(&'static str),
    /// The e-mail and password do not match an active account.
    Wrong,
    /// Too many attempts from this address on this account (or from this
    /// address in all); try again after this many seconds.
    Locked(u64),
}

/// A sign-in attempt with `email` and `password` from the client `address`.
pub async fn sign_in(
    db: &Db,
    clock: &Clock,
    gate: &Gate,
    rules: SessionRules,
    email: &str,
    password: &str,
    address: &str,
) -> Result<SignIn, AppError> {
    let email = normalise_email(email);
    if email.is_empty() {
        return Ok(SignIn::Missing("Enter your email address"));
    }
    if password.is_empty() {
        return Ok(SignIn::Missing("Enter your password"));
    }
    let policy = SignInPolicy::default();
    let (pair, addr, account) = (pair_bucket(&email, address), address_bucket(address), account_bucket(&email));
    let now = clock.now();
    let (e, p) = (email.clone(), pair.clone());
    let admitted = db
        .write(move |conn| {
            // Counted before the check: concurrent guesses cannot all be
            // checked before the lock applies.
            let (pair_hits, pair_start) = rate::hit(conn, &p, now, policy.per_account_and_address.cutoff(now))?;
            let (addr_hits, addr_start) = rate::hit(conn, &addr, now, policy.per_address.cutoff(now))?;
            if !policy.per_account_and_address.allows(pair_hits) {
                return Ok(Err(policy.per_account_and_address.retry_after(pair_start, now)));
            }
            if !policy.per_address.allows(addr_hits) {
                return Ok(Err(policy.per_address.retry_after(addr_start, now)));
            }
            let (failures, _) = rate::peek(conn, &account_bucket(&e), policy.account_window.cutoff(now))?;
            Ok(Ok((policy.delay(failures), store::by_email(conn, &e)?)))
        })
        .await?;
    let (delay, found) = match admitted {
        Err(retry_after) => return Ok(SignIn::Locked(retry_after)),
        Ok(admitted) => admitted,
    };
    // An account attacked from elsewhere is slowed down, never locked.
    tokio::time::sleep(delay).await;
    let stored = found.as_ref().filter(|a| !a.disabled).map(|a| a.password_hash.clone());
    let password: String = password.chars().take(PASSWORD_MAX_CHARS).collect();
    let ok = passwords::verify(gate, password, stored).await?;
    let now = clock.now();
    let Some(staff) = found.filter(|_| ok) else {
        db.write(move |conn| Ok(rate::hit(conn, &account, now, policy.account_window.cutoff(now))?)).await?;
        return Ok(SignIn::Wrong);
    };
    let token = random_hex(32);
    let absolute = Duration::from_std(rules.absolute).unwrap_or(Duration::hours(12));
    let session = NewSession {
        token_hash: sha256_hex(&token),
        staff_id: staff.id,
        created_at: now,
        last_seen_at: now,
        expires_at: now + absolute,
    };
    // Sessions idle for longer than allowed (with the margin a stored time
    // that lags the last request is given).
    let idle_since = now - rules.idle() - rules.touch();
    db.write(move |conn| {
        rate::clear(conn, &pair)?;
        store::purge_sessions(conn, now, idle_since)?;
        store::insert_session(conn, &session)?;
        Ok(())
    })
    .await?;
    Ok(SignIn::Started { token, staff_id: staff.id })
}

/// The account behind a live session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account.
    pub staff: StaffRow,
    /// Its role.
    pub role: StaffRole,
    /// The hash of the session's token (what anti-forgery tokens bind to).
    pub token_hash: String,
}

/// The session a cookie's token opens, if it is still live; a request on it
/// counts as activity. An expired session is ended.
pub async fn resolve(db: &Db, clock: &Clock, rules: SessionRules, token: &str) -> Result<Option<Session>, AppError> {
    if token.len() != 64 {
        return Ok(None);
    }
    let hash = sha256_hex(token);
    let h = hash.clone();
    let Some(s) = db.read(move |conn| Ok(store::session(conn, &h)?)).await? else {
        return Ok(None);
    };
    let now = clock.now();
    // Idle time counts from the last request, never from the last write
    // (which would end an active session early).
    let (idle, touch) = (rules.idle(), rules.touch());
    if now >= s.expires_at || now - s.last_seen_at > idle + touch {
        end(db, &hash).await?;
        return Ok(None);
    }
    if now - s.last_seen_at >= touch {
        let id = s.session_id;
        db.write(move |conn| Ok(store::touch_session(conn, id, now)?)).await?;
    }
    let role = StaffRole::parse(&s.staff.role).unwrap_or(StaffRole::Agent);
    Ok(Some(Session { staff: s.staff, role, token_hash: hash }))
}

/// Ends a session (sign-out): its token no longer opens anything.
pub async fn end(db: &Db, token_hash: &str) -> Result<(), AppError> {
    let h = token_hash.to_owned();
    db.write(move |conn| Ok(store::end_session(conn, &h)?)).await?;
    Ok(())
}
