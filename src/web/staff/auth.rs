//! Staff sign-in: argon2id passwords, server-side sessions in the database,
//! throttling, and the extractor every staff page uses.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Duration;
use serde::Deserialize;

use crate::app::passwords::{dummy_hash, verify_password};
use crate::domain::staff::{PASSWORD_MAX_CHARS, StaffRole, normalise_email};
use crate::domain::throttle::{SignInPolicy, account_bucket, address_bucket, pair_bucket};
use crate::error::AppError;
use crate::keys::{random_hex, sha256_hex};
use crate::store::rate;
use crate::store::staff::{self as store, NewSession};
use crate::web::client;
use crate::web::{AppState, html};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "frontline_session";
/// A session's last request is written at most this often (saves a write
/// per request), or a tenth of the idle limit if that is shorter.
const TOUCH_EVERY: Duration = Duration::seconds(60);
/// The one message for any failed sign-in: it never says whether the account exists.
pub const BAD_SIGN_IN: &str = "Enter a correct email address and password";
/// The message while an account is locked for this address.
pub const LOCKED: &str =
    "There have been too many failed attempts to sign in from here. Wait 15 minutes, then try again.";

/// The signed-in staff member.
#[derive(Debug, Clone)]
pub struct CurrentStaff {
    /// Account id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: StaffRole,
    /// The session's token hash.
    pub session_hash: String,
    /// The anti-forgery token every staff form carries.
    pub csrf_token: String,
    /// An agent an admin allowed to submit and publish directory batches.
    pub may_send_batches: bool,
}

impl CurrentStaff {
    /// True for admins.
    pub fn is_admin(&self) -> bool {
        self.role == StaffRole::Admin
    }

    /// Admins, and agents an admin allowed, submit and publish directory
    /// batches (what leaves for the public directory).
    pub fn can_send_batches(&self) -> bool {
        self.is_admin() || self.may_send_batches
    }

    /// Refuses a POST whose anti-forgery token does not belong to this session.
    pub fn check_csrf(&self, state: &AppState, token: &str) -> Result<(), AppError> {
        if state.keys.verify_session_csrf(&self.session_hash, token) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "The form had expired or did not come from this site, so nothing was changed. Reload the page and try again."
                    .into(),
            ))
        }
    }
}

fn request_path(req: &HttpRequest) -> String {
    match req.uri().path_and_query() {
        Some(pq) if req.method() == actix_web::http::Method::GET => pq.as_str().to_string(),
        _ => req.path().to_string(),
    }
}

impl FromRequest for CurrentStaff {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        let next = request_path(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no app state")))?;
            let Some(token) = token.filter(|t| t.len() == 64) else {
                return Err(AppError::LoginRequired(next));
            };
            let hash = sha256_hex(&token);
            let idle = Duration::from_std(state.config.session_idle).unwrap_or(Duration::minutes(30));
            let h = hash.clone();
            let found = state.db.read(move |conn| Ok(store::session(conn, &h)?)).await?;
            let Some(s) = found else {
                return Err(AppError::LoginRequired(next));
            };
            let now = state.clock.now();
            // The stored time lags the last request by less than `touch`:
            // idle time is counted from the last request, never from the
            // last write (which would end an active session early).
            let touch = TOUCH_EVERY.min(idle / 10);
            if now >= s.expires_at || now - s.last_seen_at > idle + touch {
                let h = hash.clone();
                state.db.write(move |conn| Ok(store::end_session(conn, &h)?)).await?;
                return Err(AppError::LoginRequired(next));
            }
            if now - s.last_seen_at >= touch {
                let id = s.session_id;
                state.db.write(move |conn| Ok(store::touch_session(conn, id, now)?)).await?;
            }
            let role = StaffRole::parse(&s.staff.role).unwrap_or(StaffRole::Agent);
            Ok(CurrentStaff {
                id: s.staff.id,
                name: s.staff.name,
                email: s.staff.email,
                role,
                may_send_batches: s.staff.may_send_batches,
                csrf_token: state.keys.session_csrf(&hash),
                session_hash: hash,
            })
        })
    }
}

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage {
    title: &'static str,
    has_errors: bool,
    error: Option<String>,
    email: String,
    next: String,
    csrf_token: String,
}

/// The cookie that binds the sign-in form to the browser it was served to
/// (so a page elsewhere cannot sign a visitor in to an attacker's account).
pub const LOGIN_COOKIE: &str = "frontline_login";

/// Keeps a `next` target inside the staff area: a path under `/staff/`,
/// nothing that leaves the site (`//host`, `\`), and no characters a header
/// cannot carry.
fn safe_next(next: &str) -> String {
    let inside = next.starts_with("/staff/")
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.starts_with("/staff/login")
        && !next.chars().any(crate::domain::text::forbidden_in_line)
        && actix_web::http::header::HeaderValue::from_str(next).is_ok();
    if inside { next.to_string() } else { "/staff/queue".into() }
}

/// The browser's sign-in nonce (from its cookie), or a new one to set.
fn login_nonce(req: &HttpRequest) -> (String, bool) {
    match req.cookie(LOGIN_COOKIE).map(|c| c.value().to_string()).filter(|v| v.len() == 32) {
        Some(nonce) => (nonce, false),
        None => (random_hex(16), true),
    }
}

fn render_login(
    state: &AppState,
    req: &HttpRequest,
    email: String,
    next: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (nonce, new) = login_nonce(req);
    let page = LoginPage {
        title: "Sign in",
        has_errors: error.is_some(),
        error,
        email,
        next,
        csrf_token: state.keys.form_token("login", &nonce, state.clock.unix()),
    };
    let mut res = html(status, page.render()?);
    if new {
        let cookie = Cookie::build(LOGIN_COOKIE, nonce)
            .path("/staff/login")
            .http_only(true)
            .secure(state.config.secure_cookies)
            .same_site(SameSite::Strict)
            .finish();
        res.add_cookie(&cookie).map_err(|e| anyhow::anyhow!("cookie: {e}"))?;
    }
    Ok(res)
}

/// Query of the sign-in page.
#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// `GET /staff/login`.
pub async fn login_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    render_login(&state, &req, String::new(), safe_next(q.next.as_deref().unwrap_or("")), None, StatusCode::OK)
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    csrf_token: String,
}

/// Sign-in attempts are counted before the password is checked; what the
/// counts allow.
enum Admission {
    /// Check the password after this delay (the account is under attack).
    Check(std::time::Duration),
    /// Refused: too many attempts; retry after this many seconds.
    Locked(u64),
}

/// Counts this attempt (per account and address, and per address) and reads
/// the account's recent failures, in one transaction.
async fn admit(state: &AppState, email: &str, address: &str) -> Result<Admission, AppError> {
    let policy = SignInPolicy::default();
    let (pair, addr, account) = (pair_bucket(email, address), address_bucket(address), account_bucket(email));
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let (pair_hits, pair_start) = rate::hit(conn, &pair, now, policy.per_account_and_address.cutoff(now))?;
            let (addr_hits, addr_start) = rate::hit(conn, &addr, now, policy.per_address.cutoff(now))?;
            if !policy.per_account_and_address.allows(pair_hits) {
                return Ok(Admission::Locked(policy.per_account_and_address.retry_after(pair_start, now)));
            }
            if !policy.per_address.allows(addr_hits) {
                return Ok(Admission::Locked(policy.per_address.retry_after(addr_start, now)));
            }
            let (failures, _) = rate::peek(conn, &account, policy.account_window.cutoff(now))?;
            Ok(Admission::Check(policy.delay(failures)))
        })
        .await
}

/// `POST /staff/login`.
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = safe_next(&form.next);
    let (nonce, new) = login_nonce(&req);
    if new || !state.keys.verify_form_token("login", &nonce, &form.csrf_token, state.clock.unix()) {
        return Err(AppError::Forbidden("The sign-in form had expired. Open it again and sign in from there.".into()));
    }
    let email = normalise_email(&form.email);
    if email.is_empty() || form.password.is_empty() {
        let msg = if email.is_empty() { "Enter your email address" } else { "Enter your password" };
        return render_login(&state, &req, form.email, next, Some(msg.into()), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let address = client::address(&req, &state);
    match admit(&state, &email, &address).await? {
        Admission::Locked(after) => {
            tracing::info!("staff sign-in refused: too many attempts");
            let mut res =
                render_login(&state, &req, form.email, next, Some(LOCKED.into()), StatusCode::TOO_MANY_REQUESTS)?;
            res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, after.into());
            return Ok(res);
        }
        Admission::Check(delay) => tokio::time::sleep(delay).await,
    }
    let e = email.clone();
    let account = state.db.read(move |conn| Ok(store::by_email(conn, &e)?)).await?;
    let password: String = form.password.chars().take(PASSWORD_MAX_CHARS).collect();
    let stored = account.as_ref().filter(|a| !a.disabled).map(|a| a.password_hash.clone());
    let ok = {
        // argon2id takes ~19 MiB and a core for a moment: a bounded number
        // run at once, whoever asks.
        let _pass = state.gates.passwords.enter().await?;
        web::block(move || match stored {
            Some(hash) => verify_password(&password, &hash),
            None => {
                let _ = verify_password(&password, dummy_hash());
                false
            }
        })
        .await?
    };
    let now = state.clock.now();
    let Some(account) = account.filter(|_| ok) else {
        let policy = SignInPolicy::default();
        let bucket = account_bucket(&email);
        state.db.write(move |conn| Ok(rate::hit(conn, &bucket, now, policy.account_window.cutoff(now))?)).await?;
        tracing::info!("staff sign-in failed");
        return render_login(
            &state,
            &req,
            form.email,
            next,
            Some(BAD_SIGN_IN.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let token = random_hex(32);
    let absolute = Duration::from_std(state.config.session_absolute).unwrap_or(Duration::hours(12));
    let session = NewSession {
        token_hash: sha256_hex(&token),
        staff_id: account.id,
        created_at: now,
        last_seen_at: now,
        expires_at: now + absolute,
    };
    // Sessions idle for longer than allowed (with the same margin the
    // extractor gives a stored time that lags the last request).
    let idle_since = now - Duration::from_std(state.config.session_idle).unwrap_or(Duration::minutes(30)) - TOUCH_EVERY;
    let pair = pair_bucket(&email, &address);
    state
        .db
        .write(move |conn| {
            rate::clear(conn, &pair)?;
            store::purge_sessions(conn, now, idle_since)?;
            store::insert_session(conn, &session)?;
            Ok(())
        })
        .await?;
    tracing::info!(staff_id = account.id, "staff signed in");
    let cookie = Cookie::build(SESSION_COOKIE, token)
        .path("/staff")
        .http_only(true)
        .secure(state.config.secure_cookies)
        .same_site(SameSite::Strict)
        .finish();
    Ok(HttpResponse::SeeOther().cookie(cookie).insert_header((actix_web::http::header::LOCATION, next)).finish())
}

/// A form carrying only the anti-forgery token.
#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /staff/logout`: ends the session server-side.
pub async fn logout(
    state: web::Data<AppState>,
    staff: CurrentStaff,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, &form.csrf_token)?;
    let hash = staff.session_hash.clone();
    state.db.write(move |conn| Ok(store::end_session(conn, &hash)?)).await?;
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/staff").finish();
    gone.make_removal();
    Ok(HttpResponse::SeeOther()
        .cookie(gone)
        .insert_header((actix_web::http::header::LOCATION, "/staff/login"))
        .finish())
}
