//! The staff side: sign-in, the queue, case handling, directory batches.

pub mod auth;
pub mod batches;
pub mod flash;
pub mod queue;

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
            .route("/queue", web::get().to(queue::show))
            .route("/queue/claim-next", web::post().to(queue::claim_next))
            .route("/directory/batches", web::get().to(batches::list))
            .route("/directory/batches/{key}.csv", web::get().to(batches::csv_export))
            .route("/directory/batches/{key}/submit", web::post().to(batches::submit))
            .route("/directory/batches/{key}/publish", web::post().to(batches::publish))
            .route("", web::get().to(home))
            .route("/", web::get().to(home))
            .default_service(web::to(staff_not_found)),
    );
}

async fn home(_staff: CurrentStaff) -> HttpResponse {
    crate::web::see_other("/staff/queue")
}

#[derive(Template)]
#[template(path = "staff/not_found.html")]
struct NotFoundPage {
    title: &'static str,
    has_errors: bool,
    me: CurrentStaff,
}

/// Anything else under `/staff`: sign-in first, then a 404 that keeps the
/// staff navigation.
async fn staff_not_found(me: CurrentStaff) -> Result<HttpResponse, AppError> {
    let page = NotFoundPage { title: "Page not found", has_errors: false, me };
    Ok(crate::web::html(actix_web::http::StatusCode::NOT_FOUND, page.render()?))
}
