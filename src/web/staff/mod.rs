//! The staff side: sign-in, the queue, case handling, directory batches.

pub mod account;
pub mod accounts;
pub mod auth;
pub mod batches;
pub mod case;
pub mod flash;
pub mod queue;
pub mod words;

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::error::AppError;
use auth::CurrentStaff;

/// Routes under `/staff`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/staff")
            .route("/login", web::get().to(auth::login_form))
            .route("/login", web::post().to(auth::login))
            .route("/logout", web::post().to(auth::logout))
            .route("/account", web::get().to(account::show))
            .route("/account/notifications", web::post().to(account::set_notifications))
            .route("/account/time-zone", web::post().to(account::set_time_zone))
            .route("/queue", web::get().to(queue::show))
            .route("/queue/claim-next", web::post().to(queue::claim_next))
            .route("/directory/batches", web::get().to(batches::list))
            .route("/directory/batches/{key}.csv", web::get().to(batches::csv_export))
            .route("/directory/batches/{key}/submit", web::post().to(batches::submit))
            .route("/directory/batches/{key}/publish", web::post().to(batches::publish))
            .route("/accounts", web::get().to(accounts::list))
            .route("/accounts", web::post().to(accounts::create))
            .route("/accounts/{id}/disable", web::post().to(accounts::disable))
            .route("/accounts/{id}/enable", web::post().to(accounts::enable))
            .route("/accounts/{id}/password", web::post().to(accounts::reset_password))
            .route("/accounts/{id}/batches", web::post().to(accounts::set_batches))
            .route("", web::get().to(home))
            .route("/", web::get().to(home))
            .route("/cases/{reference}", web::get().to(case::show))
            .route("/cases/{reference}/attachments/{id}", web::get().to(case::download))
            .route("/cases/{reference}/assign", web::post().to(case::assign))
            .route("/cases/{reference}/status", web::post().to(case::change_status))
            .route("/cases/{reference}/note", web::post().to(case::note))
            .route("/cases/{reference}/reply", web::post().to(case::reply))
            .route("/cases/{reference}/resolve", web::post().to(case::resolve))
            .route("/cases/{reference}/duplicate", web::post().to(case::duplicate))
            .route("/cases/{reference}/landing-check", web::post().to(case::rerun_landing_check))
            .route("/cases/{reference}/read", web::post().to(case::mark_read))
            .default_service(web::to(staff_not_found)),
    );
}

async fn home(_staff: CurrentStaff) -> HttpResponse {
    crate::web::see_other("/staff/queue")
}

#[derive(Template)]
#[template(path = "staff/not_found.html")]
struct NotFoundPage {
    title: String,
    has_errors: bool,
    me: CurrentStaff,
}

#[derive(Template)]
#[template(path = "staff/forbidden.html")]
struct ForbiddenPage<'a> {
    title: String,
    has_errors: bool,
    me: CurrentStaff,
    message: &'a str,
}

/// A 403 page that keeps the staff navigation, for a signed-in staff member
/// without the role a page needs.
pub fn forbidden(me: CurrentStaff, message: &str) -> Result<HttpResponse, AppError> {
    let page = ForbiddenPage { title: crate::i18n::t("staff-forbidden-title"), has_errors: false, me, message };
    Ok(crate::web::html(actix_web::http::StatusCode::FORBIDDEN, page.render()?))
}

/// Anything else under `/staff`: sign-in first, then a 404 that keeps the
/// staff navigation.
async fn staff_not_found(me: CurrentStaff) -> Result<HttpResponse, AppError> {
    not_found_page(me)
}

/// The staff 404 page, with the staff navigation.
pub fn not_found_page(me: CurrentStaff) -> Result<HttpResponse, AppError> {
    let page = NotFoundPage { title: crate::i18n::t("staff-not-found-title"), has_errors: false, me };
    Ok(crate::web::html(actix_web::http::StatusCode::NOT_FOUND, page.render()?))
}
