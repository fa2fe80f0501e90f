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

use crate::domain::staff::{PASSWORD_MAX_CHARS, StaffRole, normalise_email};
use crate::domain::throttle::{ThrottlePolicy, ThrottleState};
use crate::error::AppError;
use crate::store::staff::{self as store, NewSession, ThrottleRow};
use crate::web::auth_hash::{dummy_hash, verify_password};
use crate::web::tokens::{random_hex, sha256_hex};
use crate::web::{AppState, html};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "frontline_session";
/// A session is marked used at most this often (saves a write per request).
const TOUCH_EVERY_SECS: i64 = 60;
/// The one message for any failed sign-in: it never says whether the account exists.
pub const BAD_SIGN_IN: &str = "Enter a correct email address and password";
/// The message while a key is locked.
pub const LOCKED: &str = "There have been too many failed attempts to sign in. Wait 15 minutes, then try again.";

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
}

impl CurrentStaff {
    /// True for admins.
    pub fn is_admin(&self) -> bool {
        self.role == StaffRole::Admin
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
            if now >= s.expires_at || now - s.last_seen_at > idle {
                let h = hash.clone();
                state.db.write(move |conn| Ok(store::end_session(conn, &h)?)).await?;
                return Err(AppError::LoginRequired(next));
            }
            if (now - s.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
                let id = s.session_id;
                state.db.write(move |conn| Ok(store::touch_session(conn, id, now)?)).await?;
            }
            let role = StaffRole::parse(&s.staff.role).unwrap_or(StaffRole::Agent);
            Ok(CurrentStaff {
                id: s.staff.id,
                name: s.staff.name,
                email: s.staff.email,
                role,
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
    nonce: String,
}

/// Keeps a `next` target inside the staff area.
fn safe_next(next: &str) -> String {
    if next.starts_with("/staff/")
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.starts_with("/staff/login")
    {
        next.to_string()
    } else {
        "/staff/queue".into()
    }
}

fn render_login(
    state: &AppState,
    email: String,
    next: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let nonce = random_hex(16);
    let page = LoginPage {
        title: "Sign in",
        has_errors: error.is_some(),
        error,
        email,
        next,
        csrf_token: state.keys.form_token("login", &nonce, state.clock.unix()),
        nonce,
    };
    Ok(html(status, page.render()?))
}

/// Query of the sign-in page.
#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// `GET /staff/login`.
pub async fn login_form(state: web::Data<AppState>, q: web::Query<LoginQuery>) -> Result<HttpResponse, AppError> {
    render_login(&state, String::new(), safe_next(q.next.as_deref().unwrap_or("")), None, StatusCode::OK)
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
    #[serde(default)]
    nonce: String,
}

fn client_key(req: &HttpRequest) -> String {
    // The peer address: a proxy in front would make this the proxy's; the
    // per-account key still throttles then.
    format!("ip:{}", req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default())
}

fn state_of(row: Option<ThrottleRow>) -> Option<ThrottleState> {
    row.map(|r| ThrottleState {
        failures: r.failures,
        window_started_at: r.window_started_at,
        locked_until: r.locked_until,
    })
}

/// `POST /staff/login`.
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = safe_next(&form.next);
    if form.nonce.len() != 32
        || !state.keys.verify_form_token("login", &form.nonce, &form.csrf_token, state.clock.unix())
    {
        return Err(AppError::Forbidden("The sign-in form had expired. Open it again and sign in from there.".into()));
    }
    let email = normalise_email(&form.email);
    if email.is_empty() || form.password.is_empty() {
        let msg = if email.is_empty() { "Enter your email address" } else { "Enter your password" };
        return render_login(&state, form.email, next, Some(msg.into()), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let policy = ThrottlePolicy::default();
    let keys = [format!("email:{email}"), client_key(&req)];
    let k = keys.clone();
    let now = state.clock.now();
    let (locked, account) = state
        .db
        .read(move |conn| {
            let mut locked = false;
            for key in &k {
                locked |= policy.is_locked(state_of(store::throttle(conn, key)?).as_ref(), now);
            }
            Ok((locked, store::by_email(conn, &email)?))
        })
        .await?;
    if locked {
        return render_login(&state, form.email, next, Some(LOCKED.into()), StatusCode::TOO_MANY_REQUESTS);
    }
    let password: String = form.password.chars().take(PASSWORD_MAX_CHARS).collect();
    let stored = account.as_ref().filter(|a| !a.disabled).map(|a| a.password_hash.clone());
    let ok = web::block(move || match stored {
        Some(hash) => verify_password(&password, &hash),
        None => {
            let _ = verify_password(&password, dummy_hash());
            false
        }
    })
    .await?;
    let Some(account) = account.filter(|_| ok) else {
        let k = keys.clone();
        let delay = state
            .db
            .write(move |conn| {
                let mut worst = std::time::Duration::ZERO;
                for key in &k {
                    let next = policy.record_failure(state_of(store::throttle(conn, key)?).as_ref(), now);
                    worst = worst.max(policy.delay(&next));
                    store::save_throttle(
                        conn,
                        &ThrottleRow {
                            throttle_key: key.clone(),
                            failures: next.failures,
                            window_started_at: next.window_started_at,
                            locked_until: next.locked_until,
                        },
                    )?;
                }
                Ok(worst)
            })
            .await?;
        tokio::time::sleep(delay).await;
        tracing::info!("staff sign-in failed");
        return render_login(&state, form.email, next, Some(BAD_SIGN_IN.into()), StatusCode::UNPROCESSABLE_ENTITY);
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
    let idle_since = now - Duration::from_std(state.config.session_idle).unwrap_or(Duration::minutes(30));
    state
        .db
        .write(move |conn| {
            for key in &keys {
                store::clear_throttle(conn, key)?;
            }
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
