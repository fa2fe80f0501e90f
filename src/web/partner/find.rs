//! `GET /track` and `POST /track`: "find my case" for a partner who lost
//! the tracking link (also shown, with a 404, for a link that opens no case).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{FormKeys, check_form_token};
use crate::app::find::{self, FindInput};
use crate::domain::errors::FieldErrors;
use crate::error::AppError;
use crate::web::{AppState, SummaryItem, client, html};

/// The form name the token is bound to.
const FORM: &str = "find";

/// Field order for the error summary.
const ORDER: [&str; 2] = ["reference", "email"];

#[derive(Template)]
#[template(path = "partner/find.html")]
struct FindPage {
    title: String,
    has_errors: bool,
    summary: Vec<SummaryItem>,
    e: FieldErrors,
    csrf_token: String,
    idempotency_key: String,
    reference: String,
    email: String,
    /// The link that was opened matched no case.
    unknown_link: bool,
    /// The request was taken: the same words whether or not it matched.
    sent: bool,
}

fn page(
    state: &AppState,
    keys: FormKeys,
    input: FindInput,
    errors: FieldErrors,
    unknown_link: bool,
    sent: bool,
) -> FindPage {
    let keys = FormKeys::reissue(&state.keys, FORM, keys, state.clock.unix());
    FindPage {
        title: crate::i18n::t(if unknown_link { "find-title-unknown" } else { "find-title" }),
        has_errors: !errors.is_empty(),
        summary: SummaryItem::of(&errors, &ORDER),
        e: errors,
        csrf_token: keys.csrf_token,
        idempotency_key: keys.idempotency_key,
        reference: input.reference,
        email: input.email,
        unknown_link,
        sent,
    }
}

/// The find form, with `status` (404 when a tracking link opened nothing).
pub fn form_response(state: &AppState, status: StatusCode, unknown_link: bool) -> Result<HttpResponse, AppError> {
    let keys = FormKeys::issue(&state.keys, FORM, state.clock.unix());
    let p = page(state, keys, FindInput::default(), FieldErrors::new(), unknown_link, false);
    let mut res = html(status, p.render()?);
    res.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("x-robots-tag"),
        actix_web::http::header::HeaderValue::from_static("noindex"),
    );
    Ok(res)
}

/// `GET /track`.
pub async fn show(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    form_response(&state, StatusCode::OK, false)
}

/// The form as posted.
#[derive(Debug, Deserialize)]
pub struct FindForm {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    idempotency_key: String,
}

/// `POST /track`: the same page and status whether or not the pair matches.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<FindForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let keys = check_form_token(&state.keys, FORM, &form.idempotency_key, &form.csrf_token, state.clock.unix())?;
    let input = FindInput { reference: form.reference, email: form.email };
    match find::parse(&input) {
        Err(errors) => {
            let p = page(&state, keys, input, errors, false, false);
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, p.render()?))
        }
        Ok((reference, email)) => {
            let address = client::address(&req, &state);
            find::find_case(&state.ctx(), reference, email, &address).await?;
            let p = page(&state, keys, FindInput::default(), FieldErrors::new(), false, true);
            Ok(html(StatusCode::OK, p.render()?))
        }
    }
}
