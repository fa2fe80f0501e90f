//! `GET /staff/account`: my account; `POST /staff/account/notifications`:
//! whether I get an e-mail for every new case (the `List-Unsubscribe` of
//! those messages points here).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::CurrentStaff;
use crate::app::accounts;
use crate::domain::actions::ticked;
use crate::error::AppError;
use crate::web::{AppState, html};

#[derive(Template)]
#[template(path = "staff/account.html")]
struct AccountPage {
    title: &'static str,
    has_errors: bool,
    me: CurrentStaff,
    banner: Option<String>,
    notify_new_cases: bool,
}

/// `GET /staff/account`.
pub async fn show(state: web::Data<AppState>, me: CurrentStaff, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let account = accounts::by_id(&state.db, me.id).await?;
    let banner = super::flash::take(&req).and_then(|(code, _)| match code.as_str() {
        "notify_on" => Some("You will get an e-mail for every new case".to_owned()),
        "notify_off" => Some("You will no longer get an e-mail for every new case".to_owned()),
        _ => None,
    });
    let page =
        AccountPage { title: "My account", has_errors: false, me, banner, notify_new_cases: account.notify_new_cases };
    Ok(html(StatusCode::OK, page.render()?))
}

/// The notification form.
#[derive(Deserialize)]
pub struct NotifyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    notify_new_cases: String,
}

/// `POST /staff/account/notifications`.
pub async fn set_notifications(
    state: web::Data<AppState>,
    me: CurrentStaff,
    form: web::Form<NotifyForm>,
) -> Result<HttpResponse, AppError> {
    me.check_csrf(&state, &form.csrf_token)?;
    let on = ticked(&form.notify_new_cases);
    accounts::set_notify_new_cases(&state.db, me.id, on).await?;
    Ok(super::flash::redirect(&state, "/staff/account", if on { "notify_on" } else { "notify_off" }))
}
