//! Staff sign-in and sign-out pages, and the extractor every staff page
//! uses to find who is signed in (the rules are in `app::sessions`).

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::sessions::{self, SessionRules, SignIn};
use crate::domain::staff::StaffRole;
use crate::error::AppError;
use crate::i18n::t;
use crate::keys::random_hex;
use crate::web::client;
use crate::web::{AppState, SummaryItem, html};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "frontline_session";
/// The one message for any failed sign-in (its id in `locales/*/staff.ftl`):
/// it never says whether the account exists.
pub const BAD_SIGN_IN: &str = "staff-login-error-wrong";
/// The message while an account is locked for this address (its id).
pub const LOCKED: &str = "staff-login-error-locked";

/// The signed-in staff member.
#[derive(Debug, Clone)]
pub struct CurrentStaff {
    /// Account id.
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: StaffRole,
    /// The session's token hash.
    pub session_hash: String,
    /// The anti-forgery token every staff form carries.
    pub csrf_token: String,
    /// An agent an admin allowed to submit and publish directory batches.
    pub may_send_batches: bool,
    /// The time zone their pages show times in (their own, else the programme's).
    pub time_zone: chrono_tz::Tz,
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
            Err(AppError::Forbidden(t("staff-error-form-expired")))
        }
    }
}

fn request_path(req: &HttpRequest) -> String {
    match req.uri().path_and_query() {
        Some(pq) if req.method() == actix_web::http::Method::GET => pq.as_str().to_string(),
        _ => req.path().to_string(),
    }
}

/// The session settings.
pub fn session_rules(state: &AppState) -> SessionRules {
    SessionRules { idle: state.config.session_idle, absolute: state.config.session_absolute }
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
            let token = token.unwrap_or_default();
            let Some(s) = sessions::resolve(&state.db, &state.clock, session_rules(&state), &token).await? else {
                return Err(AppError::LoginRequired(next));
            };
            Ok(CurrentStaff {
                id: s.staff.id,
                name: s.staff.name,
                email: s.staff.email,
                role: s.role,
                may_send_batches: s.staff.may_send_batches,
                time_zone: s.staff.time_zone.as_deref().and_then(|z| z.parse().ok()).unwrap_or(state.config.time_zone),
                csrf_token: state.keys.session_csrf(&s.token_hash),
                session_hash: s.token_hash,
            })
        })
    }
}

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage {
    title: String,
    has_errors: bool,
    summary: Vec<SummaryItem>,
    error: Option<String>,
    email: String,
    next: String,
    csrf_token: String,
}

/// The cookie that binds the sign-in form to the browser it was served to
/// (so a page elsewhere cannot sign a visitor in to an attacker's account).
pub const LOGIN_COOKIE: &str = "frontline_login";

/// Keeps a `next` target inside the staff area: a path under `/staff/`,
/// nothing that leaves the site (`//host`, `\\`), and no characters a header
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
        title: t("staff-login-title"),
        has_errors: error.is_some(),
        summary: error.iter().map(|m| SummaryItem { href: "#email".into(), message: m.clone() }).collect(),
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
        return Err(AppError::Forbidden(t("staff-login-error-expired")));
    }
    let address = client::address(&req, &state);
    let rules = session_rules(&state);
    let gate = &state.gates.passwords;
    match sessions::sign_in(&state.db, &state.clock, gate, rules, &form.email, &form.password, &address).await? {
        SignIn::Started { token, staff_id } => {
            tracing::info!(staff_id, "staff signed in");
            let cookie = Cookie::build(SESSION_COOKIE, token)
                .path("/staff")
                .http_only(true)
                .secure(state.config.secure_cookies)
                .same_site(SameSite::Strict)
                .finish();
            let location = (actix_web::http::header::LOCATION, next);
            Ok(HttpResponse::SeeOther().cookie(cookie).insert_header(location).finish())
        }
        SignIn::Missing(_) => {
            // `sign_in` asks for the address first, then the password.
            let missing = if crate::domain::staff::normalise_email(&form.email).is_empty() {
                "staff-login-error-email-missing"
            } else {
                "staff-login-error-password-missing"
            };
            render_login(&state, &req, form.email, next, Some(t(missing)), StatusCode::UNPROCESSABLE_ENTITY)
        }
        SignIn::Wrong => {
            tracing::info!("staff sign-in failed");
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_login(&state, &req, form.email, next, Some(t(BAD_SIGN_IN)), status)
        }
        SignIn::Locked(after) => {
            tracing::info!("staff sign-in refused: too many attempts");
            let status = StatusCode::TOO_MANY_REQUESTS;
            let mut res = render_login(&state, &req, form.email, next, Some(t(LOCKED)), status)?;
            res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, after.into());
            Ok(res)
        }
    }
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
    sessions::end(&state.db, &staff.session_hash).await?;
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/staff").finish();
    gone.make_removal();
    Ok(HttpResponse::SeeOther()
        .cookie(gone)
        .insert_header((actix_web::http::header::LOCATION, "/staff/login"))
        .finish())
}
