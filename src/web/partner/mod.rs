//! The partner side: no account, two forms, and the tracking page.

pub mod directory;
pub mod find;

pub mod kpi;
pub mod multipart;
pub mod track;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::app::limits::PostCount;
use crate::domain::contact::ContactInput;
use crate::error::AppError;
use crate::keys::{Keys, is_idempotency_key, random_hex};
use crate::startup::AppState;
use crate::web::html;

/// Largest urlencoded partner form body.
pub const FORM_LIMIT_BYTES: usize = 64 * 1024;

/// The cookie that carries the one-time "case submitted" panel.
pub const FLASH_COOKIE: &str = "frontline_submitted";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/contact", web::get().to(contact))
        .route("/privacy", web::get().to(privacy))
        .route("/accessibility", web::get().to(accessibility))
        .route("/cases/kpi/new", web::get().to(kpi::new_form))
        .route("/cases/kpi", web::post().to(kpi::submit))
        .route("/cases/directory/new", web::get().to(directory::new_form))
        .service(
            web::resource("/cases/directory")
                .app_data(web::FormConfig::default().limit(FORM_LIMIT_BYTES))
                .route(web::post().to(directory::submit)),
        )
        .service(
            web::resource("/track")
                .app_data(web::FormConfig::default().limit(FORM_LIMIT_BYTES))
                .route(web::get().to(find::show))
                .route(web::post().to(find::submit)),
        )
        .route("/track/{token}", web::get().to(track::show))
        .route("/track/{token}/reply", web::post().to(track::reply))
        .route("/track/{token}/attachments/{id}", web::get().to(track::download));
}

#[derive(Template)]
#[template(path = "partner/home.html")]
struct HomePage {
    title: String,
    has_errors: bool,
    /// "How long it takes", with the configured review times.
    timing: String,
}

async fn home(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let triage = &state.config.triage;
    let timing = crate::i18n::ta(
        "home-timing",
        &[("kpi", &triage.kpi_sla_business_days), ("directory", &triage.directory_sla_business_days)],
    );
    let page = HomePage { title: crate::i18n::t("home-title"), has_errors: false, timing };
    Ok(html(actix_web::http::StatusCode::OK, page.render()?))
}

/// A page of plain information (contact, privacy, accessibility): a
/// title and its paragraphs, all from the message files.
#[derive(Template)]
#[template(path = "partner/info.html")]
struct InfoPage {
    title: String,
    has_errors: bool,
    paragraphs: Vec<String>,
    show_links: bool,
}

fn info(prefix: &str, paragraphs: usize, show_links: bool) -> Result<HttpResponse, AppError> {
    let paragraphs = (1..=paragraphs).map(|n| crate::i18n::t(&format!("{prefix}-p{n}"))).collect();
    info_page(prefix, paragraphs, show_links)
}

/// [`info`] with paragraphs already in words (some take arguments).
fn info_page(prefix: &str, paragraphs: Vec<String>, show_links: bool) -> Result<HttpResponse, AppError> {
    let page =
        InfoPage { title: crate::i18n::t(&format!("{prefix}-title")), has_errors: false, paragraphs, show_links };
    Ok(html(actix_web::http::StatusCode::OK, page.render()?))
}

async fn contact() -> Result<HttpResponse, AppError> {
    info("contact", 4, true)
}

/// `GET /privacy`: what is kept and who sees it; how long uploaded files
/// are kept is the configured retention rule (`FRONTLINE_RETENTION_DAYS`).
async fn privacy(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let days = state.config.retention_days;
    let retention = if days == 0 {
        crate::i18n::t("privacy-p2-forever")
    } else {
        let period = crate::web::retention::period(i64::from(days));
        crate::i18n::ta("privacy-p2", &[("days", &days), ("period", &period)])
    };
    let p = |n: usize| crate::i18n::t(&format!("privacy-p{n}"));
    info_page("privacy", vec![p(1), retention, p(3), p(4), p(5)], false)
}

async fn accessibility() -> Result<HttpResponse, AppError> {
    info("accessibility", 4, false)
}

/// The contact answers as typed.
#[derive(Debug, Default, Clone)]
pub struct ContactValues {
    /// `partner_id`.
    pub partner_id: String,
    /// `company_name`.
    pub company_name: String,
    /// `contact_name`.
    pub contact_name: String,
    /// `contact_email`.
    pub contact_email: String,
    /// `contact_role`.
    pub contact_role: String,
}

impl ContactValues {
    /// Reads the five fields through `get`.
    pub fn from_fn(get: impl Fn(&str) -> String) -> Self {
        Self {
            partner_id: get("partner_id"),
            company_name: get("company_name"),
            contact_name: get("contact_name"),
            contact_email: get("contact_email"),
            contact_role: get("contact_role"),
        }
    }

    /// For the domain parser.
    pub fn input(&self) -> ContactInput {
        ContactInput {
            partner_id: self.partner_id.clone(),
            company_name: self.company_name.clone(),
            contact_name: self.contact_name.clone(),
            contact_email: self.contact_email.clone(),
            contact_role: self.contact_role.clone(),
        }
    }
}

/// The hidden fields of a partner form.
#[derive(Debug, Clone)]
pub struct FormKeys {
    /// Anti-forgery token bound to the form and key.
    pub csrf_token: String,
    /// The idempotency key: one case per served form.
    pub idempotency_key: String,
}

impl FormKeys {
    /// Fresh keys for a newly served form, issued at `now` (Unix seconds).
    pub fn issue(keys: &Keys, form: &str, now: i64) -> Self {
        let idempotency_key = random_hex(16);
        Self { csrf_token: keys.form_token(form, &idempotency_key, now), idempotency_key }
    }

    /// The same idempotency key with a fresh token, for a re-rendered form.
    pub fn reissue(keys: &Keys, form: &str, old: FormKeys, now: i64) -> Self {
        Self { csrf_token: keys.form_token(form, &old.idempotency_key, now), idempotency_key: old.idempotency_key }
    }
}

/// Checks the hidden fields; a POST without a valid pair stores nothing.
pub fn check_form_token(
    keys: &Keys,
    form: &str,
    idempotency_key: &str,
    token: &str,
    now: i64,
) -> Result<FormKeys, AppError> {
    let ok = is_idempotency_key(idempotency_key) && keys.verify_form_token(form, idempotency_key, token, now);
    if !ok {
        return Err(AppError::Forbidden(crate::i18n::t("request-form-expired")));
    }
    Ok(FormKeys { csrf_token: token.into(), idempotency_key: idempotency_key.into() })
}

/// 303 to the tracking page; `fresh` shows the one-time confirmation panel
/// (its cookie `secure` when the site is served over TLS).
/// Counts a POST refused before it reached the case intake against its
/// address's limit, then answers `e` (or, past the limit, the limit's 429).
pub(super) async fn counted(state: &AppState, count: Option<PostCount>, e: AppError) -> AppError {
    let Some(count) = count else { return e };
    match count.count(&state.db).await {
        Err(limited @ AppError::TooManyRequests(..)) => limited,
        _ => e,
    }
}

pub fn to_tracking(token: &str, fresh: bool, secure: bool) -> HttpResponse {
    let location = format!("/track/{token}");
    let mut res = HttpResponse::SeeOther();
    res.insert_header((actix_web::http::header::LOCATION, location.clone()));
    if fresh {
        res.cookie(
            Cookie::build(FLASH_COOKIE, "1")
                .path(location)
                .secure(secure)
                .http_only(true)
                .same_site(SameSite::Lax)
                .max_age(actix_web::cookie::time::Duration::minutes(10))
                .finish(),
        );
    }
    res.finish()
}
