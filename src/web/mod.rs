//! HTTP: handlers, form structs and page views. A handler extracts the
//! request, parses it into a form value, makes one call into `app`, and
//! renders a page or redirects. Uses `app`, `domain` for form parsing and
//! words, and `startup::AppState`; nothing outside `web` uses `web`.

pub mod client;
pub mod middleware;
pub mod partner;
pub mod retention;
pub mod staff;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpResponse, web};

use crate::error::error_page;
pub use crate::startup::AppState;

/// An item of a page's error summary: the message, and the control it
/// links to (`#field`; empty for a message about no one control).
pub struct SummaryItem {
    /// The link target.
    pub href: String,
    /// The message.
    pub message: String,
}

impl SummaryItem {
    /// The items for `errors`, in the order the fields appear on the page.
    pub fn of(errors: &crate::domain::errors::FieldErrors, page_order: &[&str]) -> Vec<Self> {
        errors.ordered(page_order).into_iter().map(Self::from).collect()
    }

    /// A message that links to no control.
    pub fn general(message: impl Into<String>) -> Self {
        Self { href: String::new(), message: message.into() }
    }
}

impl From<crate::domain::errors::FieldError> for SummaryItem {
    fn from(e: crate::domain::errors::FieldError) -> Self {
        let href = if e.field.is_empty() { String::new() } else { format!("#{}", e.field) };
        Self { href, message: e.message }
    }
}

/// 303 See Other to `location`.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

/// An HTML page with a status.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

const STYLESHEET: &str = include_str!("../../static/app.css");

/// A short hash of the stylesheet and script: pages link
/// `/static/app.css?v=…`, so the files can be cached for a year and a new
/// release is fetched at once.
pub fn asset_version() -> &'static str {
    static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let hash = crate::keys::sha256_hex(&format!("{STYLESHEET}{COPY_SCRIPT}{FAVICON}"));
        hash[..12].to_owned()
    });
    &VERSION
}

/// Versioned assets: a year, never revalidated.
const ASSET_CACHE: &str = "public, max-age=31536000, immutable";

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, ASSET_CACHE))
        .body(STYLESHEET)
}

const FAVICON: &str = include_str!("../../static/favicon.svg");

async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(FAVICON)
}

/// Search engines may list the start page and the forms; never a case.
async fn robots() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body("User-agent: *\nDisallow: /track\nDisallow: /staff\n")
}

const COPY_SCRIPT: &str = include_str!("../../static/copy.js");

async fn copy_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, ASSET_CACHE))
        .body(COPY_SCRIPT)
}

async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let ok = state
        .db
        .read(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1").map_err(crate::error::AppError::from)
        })
        .await;
    match ok {
        Ok(()) => HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ok"),
        Err(_) => {
            HttpResponse::ServiceUnavailable().content_type("text/plain; charset=utf-8").body("database unreachable")
        }
    }
}

async fn not_found() -> HttpResponse {
    use crate::i18n::t;
    error_page(StatusCode::NOT_FOUND, &t("error-page-not-found-title"), &t("error-page-not-found-message"))
}

/// Turns the framework's plain-text error responses (bad form encoding, a
/// body over its limit, a wrong method) into our HTML error page, in the
/// request's language (this runs outside [`middleware::language`], so it
/// chooses the language again, the same way).
pub fn error_handlers() -> ErrorHandlers<actix_web::body::BoxBody> {
    fn render(
        res: actix_web::dev::ServiceResponse,
    ) -> actix_web::Result<ErrorHandlerResponse<actix_web::body::BoxBody>> {
        let is_html = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if is_html {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let (req, _) = res.into_parts();
        let (_, context) = middleware::language_of(&req);
        Ok(ErrorHandlerResponse::Future(Box::pin(crate::i18n::scope(context, async move {
            use crate::i18n::t;
            let (title, message) = match status {
                StatusCode::PAYLOAD_TOO_LARGE => ("error-page-too-large-title", "error-page-too-large-message"),
                StatusCode::METHOD_NOT_ALLOWED => ("error-page-method-title", "error-page-method-message"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE => ("error-page-unreadable-title", "error-page-media-type-message"),
                s if s.is_server_error() => ("error-page-unexpected-title", "error-page-unexpected-message"),
                _ => ("error-page-unreadable-title", "error-page-unreadable-message"),
            };
            let page = error_page(status, &t(title), &t(message));
            Ok(actix_web::dev::ServiceResponse::new(req, page).map_into_right_body())
        }))))
    }
    ErrorHandlers::new().default_handler(render)
}

/// All routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/app.css", web::get().to(stylesheet))
        .route("/static/copy.js", web::get().to(copy_script))
        .route("/static/favicon.svg", web::get().to(favicon))
        .route("/favicon.ico", web::get().to(favicon))
        .route("/robots.txt", web::get().to(robots))
        .route("/healthz", web::get().to(healthz))
        .configure(partner::configure)
        .configure(staff::configure)
        .default_service(web::to(not_found));
}
