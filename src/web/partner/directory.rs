//! `GET /cases/directory/new` and `POST /cases/directory`: the directory
//! listing request form.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{ContactValues, FormKeys, check_form_token};
use crate::app::limits::PostCount;
use crate::app::{self, intake::Outcome};
use crate::domain::directory::{ATTESTATIONS, DirectoryInput, countries};
use crate::domain::errors::FieldErrors;
use crate::error::AppError;
use crate::web::{AppState, SummaryItem, client, html};

/// The form's name in its anti-forgery token.
pub const FORM: &str = "directory";

const PAGE_ORDER: [&str; 11] = [
    "contact_role",
    "partner_id",
    "company_name",
    "contact_name",
    "contact_email",
    "directory_name",
    "country",
    "landing_page_url",
    "attest_about_partner_only",
    "attest_no_competitors",
    "attest_partner_owned",
];

/// The ids of the attestation checkboxes' labels.
const ATTESTATION_LABELS: [&str; 3] = ["dir-attest-about", "dir-attest-competitors", "dir-attest-owned"];

/// Everything typed, kept for a re-render.
#[derive(Debug, Default, Clone)]
pub struct DirectoryValues {
    contact: ContactValues,
    directory_name: String,
    country: String,
    landing_page_url: String,
    attestations: [bool; 3],
}

impl DirectoryValues {
    fn from_form(f: &HashMap<String, String>) -> Self {
        let get = |n: &str| f.get(n).cloned().unwrap_or_default();
        let ticked = |n: &str| f.get(n).is_some_and(|v| v == "on");
        Self {
            contact: ContactValues::from_fn(get),
            directory_name: get("directory_name"),
            country: get("country"),
            landing_page_url: get("landing_page_url"),
            attestations: [ticked(ATTESTATIONS[0].0), ticked(ATTESTATIONS[1].0), ticked(ATTESTATIONS[2].0)],
        }
    }

    fn input(&self) -> DirectoryInput {
        DirectoryInput {
            contact: self.contact.input(),
            directory_name: self.directory_name.clone(),
            country: self.country.clone(),
            landing_page_url: self.landing_page_url.clone(),
            attestations: self.attestations,
        }
    }
}

struct AttestationView {
    name: &'static str,
    label: String,
    checked: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "partner/directory_form.html")]
struct DirectoryFormPage {
    title: String,
    has_errors: bool,
    summary: Vec<SummaryItem>,
    e: FieldErrors,
    v: DirectoryValues,
    countries: Vec<(&'static str, String)>,
    selected_country: String,
    attestations: Vec<AttestationView>,
    attest_error: bool,
    csrf_token: String,
    idempotency_key: String,
}

fn render(v: DirectoryValues, e: FieldErrors, keys: FormKeys, status: StatusCode) -> Result<HttpResponse, AppError> {
    let attestations: Vec<AttestationView> = ATTESTATIONS
        .iter()
        .zip(ATTESTATION_LABELS)
        .zip(v.attestations)
        .map(|(((name, _), label), checked)| AttestationView {
            name,
            label: crate::i18n::t(label),
            checked,
            error: e.get(name).map(str::to_string),
        })
        .collect();
    let page = DirectoryFormPage {
        title: crate::i18n::t("dir-title"),
        has_errors: !e.is_empty(),
        summary: SummaryItem::of(&e, &PAGE_ORDER),
        attest_error: attestations.iter().any(|a| a.error.is_some()),
        attestations,
        selected_country: v.country.trim().to_ascii_uppercase(),
        countries: countries(crate::i18n::current()),
        e,
        v,
        csrf_token: keys.csrf_token,
        idempotency_key: keys.idempotency_key,
    };
    Ok(html(status, page.render()?))
}

/// `GET /cases/directory/new`.
pub async fn new_form(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    render(
        DirectoryValues::default(),
        FieldErrors::new(),
        FormKeys::issue(&state.keys, FORM, state.clock.unix()),
        StatusCode::OK,
    )
}

/// `POST /cases/directory` (urlencoded).
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    // Counted with the case it files (or on its own when it files none).
    let count = PostCount::new(&state.clock, state.config.rate_posts, &client::address(&req, &state));
    let form = form.into_inner();
    let field = |n: &str| form.get(n).cloned().unwrap_or_default();
    let keys = match check_form_token(
        &state.keys,
        FORM,
        &field("idempotency_key"),
        &field("csrf_token"),
        state.clock.unix(),
    ) {
        Ok(keys) => keys,
        Err(e) => return Err(super::counted(&state, count, e).await),
    };
    let values = DirectoryValues::from_form(&form);
    let secure = state.config.secure_cookies;
    match app::intake::file_directory(&state.ctx(), &values.input(), &keys.idempotency_key, count).await? {
        Outcome::Filed { tracking, .. } => Ok(super::to_tracking(&tracking, true, secure)),
        Outcome::AlreadyFiled { tracking } => Ok(super::to_tracking(&tracking, false, secure)),
        Outcome::Refused { errors, .. } => {
            let fresh = FormKeys::reissue(&state.keys, FORM, keys, state.clock.unix());
            render(values, errors, fresh, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}
