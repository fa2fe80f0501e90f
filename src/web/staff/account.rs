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
use crate::i18n::{t, ta};
use crate::web::{AppState, html};

#[derive(Template)]
#[template(path = "staff/account.html")]
struct AccountPage {
    title: String,
    has_errors: bool,
    me: CurrentStaff,
    banner: Option<String>,
    notify_new_cases: bool,
    /// Every IANA zone, and whether it is mine.
    zones: Vec<(&'static str, bool)>,
    /// The programme's zone (what "none chosen" means).
    programme_zone: &'static str,
    /// Whether I chose one.
    own_zone: bool,
    /// An example of how my pages show times.
    time_example: String,
}

/// `GET /staff/account`.
pub async fn show(state: web::Data<AppState>, me: CurrentStaff, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let account = accounts::by_id(&state.db, me.id).await?;
    let banner = super::flash::take(&req).and_then(|(code, _)| match code.as_str() {
        "notify_on" => Some(t("staff-account-banner-notify-on")),
        "notify_off" => Some(t("staff-account-banner-notify-off")),
        "time_zone" => Some(t("staff-account-banner-zone")),
        _ => None,
    });
    let mine = me.time_zone;
    let page = AccountPage {
        title: t("staff-account-title"),
        has_errors: false,
        banner,
        notify_new_cases: account.notify_new_cases,
        zones: chrono_tz::TZ_VARIANTS.iter().map(|z| (z.name(), account.time_zone.is_some() && *z == mine)).collect(),
        programme_zone: state.config.time_zone.name(),
        own_zone: account.time_zone.is_some(),
        time_example: super::words::time(state.clock.now(), mine),
        me,
    };
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

/// The time-zone form.
#[derive(Deserialize)]
pub struct ZoneForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    time_zone: String,
}

/// `POST /staff/account/time-zone`: an IANA name, or empty for the
/// programme's zone.
pub async fn set_time_zone(
    state: web::Data<AppState>,
    me: CurrentStaff,
    form: web::Form<ZoneForm>,
) -> Result<HttpResponse, AppError> {
    me.check_csrf(&state, &form.csrf_token)?;
    let zone = match form.time_zone.trim() {
        "" => None,
        raw => Some(
            crate::domain::calendar::parse_time_zone(raw)
                .map_err(|_| AppError::BadRequest(ta("staff-account-zone-unknown", &[("zone", &raw)])))?,
        ),
    };
    accounts::set_time_zone(&state.db, me.id, zone).await?;
    Ok(super::flash::redirect(&state, "/staff/account", "time_zone"))
}
