//! `/staff/accounts` (admins only): list, create, disable, enable and reset
//! the password of staff accounts. The rules and writes are shared with the
//! CLI in [`crate::app::accounts`].

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::auth::CurrentStaff;
use super::{flash, forbidden, words};
use crate::app::accounts::{self, AccountError};
use crate::domain::errors::FieldErrors;
use crate::domain::staff::{PASSWORD_MIN_CHARS, StaffRole};
use crate::error::AppError;
use crate::i18n::{t, ta};
use crate::store::staff::StaffRow;
use crate::web::{AppState, SummaryItem, html};

const PAGE: &str = "/staff/accounts";

/// The create form's answers as typed (never the password).
#[derive(Default)]
pub struct NewValues {
    email: String,
    name: String,
    role: String,
}

/// One account as the page lists it.
pub struct AccountView {
    id: i64,
    name: String,
    email: String,
    role_label: String,
    active: bool,
    is_me: bool,
    is_agent: bool,
    may_send_batches: bool,
    reset_error: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/accounts.html")]
struct AccountsPage {
    title: String,
    has_errors: bool,
    me: CurrentStaff,
    banner: Option<String>,
    summary: Vec<SummaryItem>,
    accounts: Vec<AccountView>,
    v: NewValues,
    e: FieldErrors,
    password_hint: String,
}

/// What went wrong on the page, for a 422 re-render.
#[derive(Default)]
struct Problems {
    /// Errors of the create form.
    create: FieldErrors,
    /// A reset-password error: (account id, message).
    reset: Option<(i64, String)>,
    /// An error with no field (e.g. disabling yourself).
    general: Option<String>,
}

async fn load(state: &AppState) -> Result<Vec<StaffRow>, AppError> {
    accounts::list(&state.db).await
}

fn name_of(rows: &[StaffRow], id: &str) -> Option<String> {
    let id: i64 = id.parse().ok()?;
    rows.iter().find(|r| r.id == id).map(|r| r.name.clone())
}

fn banner_text(rows: &[StaffRow], code: &str, param: &str) -> Option<String> {
    let name = name_of(rows, param)?;
    let key = match code {
        "account-created" => "staff-accounts-banner-created",
        "account-disabled" => "staff-accounts-banner-disabled",
        "account-enabled" => "staff-accounts-banner-enabled",
        "batches-allowed" => "staff-accounts-banner-batches-allowed",
        "batches-stopped" => "staff-accounts-banner-batches-stopped",
        "password-reset" => "staff-accounts-banner-password-reset",
        _ => return None,
    };
    Some(ta(key, &[("name", &name)]))
}

async fn render(
    state: &AppState,
    me: CurrentStaff,
    banner: Option<(String, String)>,
    v: NewValues,
    problems: Problems,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let rows = load(state).await?;
    let banner = banner.and_then(|(code, param)| banner_text(&rows, &code, &param));
    let mut summary = Vec::new();
    if let Some(msg) = &problems.general {
        summary.push(SummaryItem { href: String::new(), message: msg.clone() });
    }
    if let Some((id, msg)) = &problems.reset {
        summary.push(SummaryItem { href: format!("#password-{id}"), message: msg.clone() });
    }
    for e in problems.create.ordered(&["email", "name", "role", "password"]) {
        summary.push(SummaryItem { href: format!("#{}", e.field), message: e.message });
    }
    let accounts = rows
        .iter()
        .map(|r| AccountView {
            id: r.id,
            name: r.name.clone(),
            email: r.email.clone(),
            role_label: words::role(StaffRole::parse(&r.role).unwrap_or(StaffRole::Agent)),
            active: !r.disabled,
            is_me: r.id == me.id,
            is_agent: StaffRole::parse(&r.role) != Some(StaffRole::Admin),
            may_send_batches: r.may_send_batches,
            reset_error: problems.reset.as_ref().filter(|(id, _)| *id == r.id).map(|(_, m)| m.clone()),
        })
        .collect();
    let page = AccountsPage {
        title: t("staff-accounts-title"),
        has_errors: !summary.is_empty(),
        me,
        banner,
        summary,
        accounts,
        v,
        e: problems.create,
        password_hint: ta("staff-accounts-password-hint", &[("n", &PASSWORD_MIN_CHARS)]),
    };
    Ok(html(status, page.render()?))
}

/// Refuses anyone but an admin with a 403 page that keeps the navigation.
fn admin_only(me: &CurrentStaff) -> Option<Result<HttpResponse, AppError>> {
    (!me.is_admin()).then(|| forbidden(me.clone(), &t("staff-accounts-not-admin")))
}

/// `GET /staff/accounts`.
pub async fn list(state: web::Data<AppState>, me: CurrentStaff, req: HttpRequest) -> Result<HttpResponse, AppError> {
    if let Some(refused) = admin_only(&me) {
        return refused;
    }
    let mut res =
        render(&state, me, flash::take(&req), NewValues::default(), Problems::default(), StatusCode::OK).await?;
    flash::clear(&req, &mut res);
    Ok(res)
}

/// The create form.
#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

/// `POST /staff/accounts`: creates an account.
pub async fn create(
    state: web::Data<AppState>,
    me: CurrentStaff,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, AppError> {
    if let Some(refused) = admin_only(&me) {
        return refused;
    }
    me.check_csrf(&state, &form.csrf_token)?;
    let form = form.into_inner();
    let values = NewValues { email: form.email.clone(), name: form.name.clone(), role: form.role.clone() };
    if let Err(errors) = accounts::check_new(&form.email, &form.name, &form.role, &form.password) {
        let problems = Problems { create: errors, ..Problems::default() };
        return render(&state, me, None, values, problems, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let new = accounts::NewAccount { email: &form.email, name: &form.name, role: &form.role, password: &form.password };
    match accounts::create(&state.db, &state.clock, &state.gates.passwords, new).await {
        Ok(id) => {
            tracing::info!(staff_id = me.id, created = id, "staff account created");
            Ok(flash::redirect(&state, PAGE, &format!("account-created:{id}")))
        }
        Err(AccountError::Invalid(field, message)) => {
            let mut create = FieldErrors::new();
            create.add(field, message);
            let problems = Problems { create, ..Problems::default() };
            render(&state, me, None, values, problems, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AccountError::App(e)) => Err(e),
    }
}

/// A form carrying only the anti-forgery token.
#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

async fn set_disabled(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: i64,
    csrf_token: &str,
    disabled: bool,
) -> Result<HttpResponse, AppError> {
    if let Some(refused) = admin_only(&me) {
        return refused;
    }
    me.check_csrf(&state, csrf_token)?;
    if disabled && id == me.id {
        let problems = Problems { general: Some(t("staff-accounts-cannot-disable-self")), ..Problems::default() };
        return render(&state, me, None, NewValues::default(), problems, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let row = accounts::set_disabled(&state.db, id, disabled).await?;
    let code = if disabled { "account-disabled" } else { "account-enabled" };
    tracing::info!(staff_id = me.id, account = row.id, disabled, "staff account changed");
    Ok(flash::redirect(&state, PAGE, &format!("{code}:{id}")))
}

/// `POST /staff/accounts/{id}/disable`: disables the account and ends its
/// sessions at once.
pub async fn disable(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<i64>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    set_disabled(state, me, id.into_inner(), &form.csrf_token, true).await
}

/// `POST /staff/accounts/{id}/enable`.
pub async fn enable(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<i64>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    set_disabled(state, me, id.into_inner(), &form.csrf_token, false).await
}

/// `POST /staff/accounts/{id}/batches`: allows an agent to submit and
/// publish directory batches (`allow=on`), or stops it.
pub async fn set_batches(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<i64>,
    form: web::Form<BatchesForm>,
) -> Result<HttpResponse, AppError> {
    me.check_csrf(&state, &form.csrf_token)?;
    if let Some(refused) = admin_only(&me) {
        return refused;
    }
    let (id, allowed) = (id.into_inner(), form.allow == "on");
    accounts::set_may_send_batches(&state.db, id, allowed).await?;
    tracing::info!(staff_id = me.id, account = id, allowed, "batch permission changed");
    let code = if allowed { "batches-allowed" } else { "batches-stopped" };
    Ok(flash::redirect(&state, PAGE, &format!("{code}:{id}")))
}

/// The batch-permission form.
#[derive(Deserialize)]
pub struct BatchesForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    allow: String,
}

/// The reset-password form.
#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    password: String,
}

/// `POST /staff/accounts/{id}/password`: sets a new password and ends the
/// account's sessions (the admin's own too, if they reset their own).
pub async fn reset_password(
    state: web::Data<AppState>,
    me: CurrentStaff,
    id: web::Path<i64>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    if let Some(refused) = admin_only(&me) {
        return refused;
    }
    me.check_csrf(&state, &form.csrf_token)?;
    let id = id.into_inner();
    let password = form.into_inner().password;
    match accounts::reset_password(&state.db, &state.gates.passwords, id, &password).await {
        Ok(row) => {
            tracing::info!(staff_id = me.id, account = row.id, "staff password reset");
            Ok(flash::redirect(&state, PAGE, &format!("password-reset:{id}")))
        }
        Err(AccountError::Invalid(_, message)) => {
            let problems = Problems { reset: Some((id, message)), ..Problems::default() };
            render(&state, me, None, NewValues::default(), problems, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AccountError::App(e)) => Err(e),
    }
}
