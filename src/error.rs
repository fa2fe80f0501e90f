//! One error type for the whole app, and how each error becomes a response:
//! an HTML page with a user-safe message; internal causes are logged only.
//! Database errors are mapped here once (a missing row is a 404, a unique
//! violation a conflict). Used by every layer; uses none.

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

/// Everything a handler can fail with.
#[derive(thiserror::Error)]
pub enum AppError {
    /// 303 to the sign-in page, which returns to this path afterwards.
    #[error("sign-in required")]
    LoginRequired(String),
    /// 404: no such page, case or token.
    #[error("not found")]
    NotFound,
    /// 400 with a message for the user.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 403 with a message for the user (e.g. a missing anti-forgery token).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 409 with a message for the user.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 413: a body over its limit.
    #[error("payload too large: {0}")]
    TooLarge(String),
    /// 429: too many attempts (the id of the message saying which); try
    /// again after this many seconds.
    #[error("too many requests: {0}")]
    TooManyRequests(String, u64),
    /// 408: the body did not arrive in time.
    #[error("request timeout")]
    RequestTimeout,
    /// 503: a bounded resource (password checks, uploads) is saturated;
    /// try again after this many seconds.
    #[error("busy: {0}")]
    Busy(&'static str, u64),
    /// 503: the database (or its pool) is not answering.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// 500: anything else; never shown to the user.
    #[error("unexpected error")]
    Unexpected(#[from] anyhow::Error),
}

impl std::fmt::Debug for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Print the whole cause chain, so logs say what really failed.
        writeln!(f, "{self}")?;
        let mut current = std::error::Error::source(self);
        while let Some(cause) = current {
            writeln!(f, "Caused by:\n\t{cause}")?;
            current = cause.source();
        }
        Ok(())
    }
}

impl From<diesel::result::Error> for AppError {
    /// The one place a database error becomes an answer: a missing row is a
    /// 404, a unique violation a conflict (the use case that expects one
    /// says what it means), anything else a 500.
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::debug!(constraint = info.message(), "unique violation");
                Self::Conflict(ALREADY_DONE.into())
            }
            other => Self::Unexpected(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        Self::Unavailable(anyhow::Error::new(e).context("no database connection available"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Unexpected(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Unexpected(anyhow::Error::new(e).context("template rendering failed"))
    }
}

/// The conflict a unique violation answers with: a message id (it happens on
/// a database thread, outside the request's language), put in the reader's
/// language when the page is rendered.
const ALREADY_DONE: &str = "error-page-conflict-done";

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    has_errors: bool,
    message: &'a str,
}

impl AppError {
    /// The page's title and message, in the current request's language.
    /// Messages given by the code that failed are shown as given (they are
    /// built in the reader's language there); a conflict's message may also
    /// be a message id (made where the language is not known), looked up here.
    fn title_and_message(&self) -> (String, String) {
        use crate::i18n::{t, ta};
        match self {
            Self::LoginRequired(_) => (t("error-page-sign-in-title"), t("error-page-sign-in-message")),
            Self::NotFound => (t("error-page-not-found-title"), t("error-page-not-found-message")),
            Self::BadRequest(m) => (t("error-page-bad-request-title"), m.clone()),
            Self::Forbidden(m) => (t("error-page-forbidden-title"), m.clone()),
            Self::Conflict(m) => (t("error-page-conflict-title"), t(m)),
            Self::TooLarge(m) => (t("error-page-too-large-title"), m.clone()),
            Self::TooManyRequests(id, after) => {
                let wait = match after.div_ceil(60) {
                    1 => t("limit-wait-minute"),
                    n => ta("limit-wait-minutes", &[("n", &n)]),
                };
                (t("error-page-too-many-title"), format!("{} {wait}", t(id)))
            }
            Self::RequestTimeout => (t("error-page-timeout-title"), t("error-page-timeout-message")),
            Self::Busy(what, _) => (t("error-page-busy-title"), ta("error-page-busy-message", &[("what", what)])),
            Self::Unavailable(_) => (t("error-page-unavailable-title"), t("error-page-unavailable-message")),
            Self::Unexpected(_) => (t("error-page-unexpected-title"), t("error-page-unexpected-message")),
        }
    }
}

/// Renders an HTML error page with a given status, title and message. Never
/// cached: it answers one request.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> HttpResponse {
    let body =
        ErrorPage { title, has_errors: false, message }.render().unwrap_or_else(|_| format!("{title}: {message}"));
    HttpResponse::build(status)
        .content_type(ContentType::html())
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(body)
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::LoginRequired(_) => StatusCode::SEE_OTHER,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Busy(..) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::LoginRequired(next) = self {
            let location = format!(
                "/staff/login?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            return HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, location)).finish();
        }
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
        let (title, message) = self.title_and_message();
        let mut page = error_page(status, &title, &message);
        if let Self::TooManyRequests(_, after) | Self::Busy(_, after) = self {
            page.headers_mut().insert(actix_web::http::header::RETRY_AFTER, (*after).into());
        }
        if matches!(self, Self::RequestTimeout) {
            // The rest of the body is not read: the connection cannot be reused.
            page.head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
        }
        page
    }
}
