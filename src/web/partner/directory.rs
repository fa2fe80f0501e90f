//! `GET /cases/directory/new` and `POST /cases/directory`: the directory
//! listing request form.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;

use super::intake::{self, Filed, Filing};
use super::{ContactValues, FormKeys, check_form_token, summary};
use crate::domain::calendar::batch_for_request;
use crate::domain::case::CaseKind;
use crate::domain::directory::{ATTESTATIONS, DirectoryInput, DirectoryRequest, countries, parse_directory};
use crate::domain::errors::{FieldError, FieldErrors};
use crate::domain::landing_url::registrable_domain;
use crate::domain::triage::{CaseFacts, DirectoryFacts};
use crate::error::AppError;
use crate::store::cases::NewCase;
use crate::web::{AppState, client, html};

/// The form's name in its anti-forgery token.
pub const FORM: &str = "directory";

const PAGE_ORDER: [&str; 11] = [
    "partner_id",
    "company_name",
    "contact_name",
    "contact_email",
    "contact_role",
    "directory_name",
    "country",
    "landing_page_url",
    "attest_about_partner_only",
    "attest_no_competitors",
    "attest_partner_owned",
];

const ATTESTATION_LABELS: [&str; 3] =
    ["It is only about my organisation", "It shows no competitors", "My organisation owns the website it is on"];

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
    label: &'static str,
    checked: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "partner/directory_form.html")]
struct DirectoryFormPage {
    title: &'static str,
    has_errors: bool,
    summary: Vec<FieldError>,
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
            label,
            checked,
            error: e.get(name).map(str::to_string),
        })
        .collect();
    let page = DirectoryFormPage {
        title: "Request a directory listing",
        has_errors: !e.is_empty(),
        summary: summary(&e, &PAGE_ORDER),
        attest_error: attestations.iter().any(|a| a.error.is_some()),
        attestations,
        selected_country: v.country.trim().to_ascii_uppercase(),
        countries: countries(),
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

fn new_case(d: &DirectoryRequest, idempotency_key: &str, tracking_hash: String, now: NaiveDateTime) -> NewCase {
    NewCase {
        directory_name: Some(d.directory_name.clone()),
        country: Some(d.country.into()),
        landing_page_url: Some(d.landing.url.to_string()),
        batch_key: Some(batch_for_request(now.date()).key()),
        ..intake::base_case(CaseKind::Directory, &d.contact, idempotency_key, tracking_hash, now)
    }
}

/// `POST /cases/directory` (urlencoded).
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    crate::app::limits::count_post(&state.db, &state.clock, state.config.rate_posts, &client::address(&req, &state))
        .await?;
    let form = form.into_inner();
    let field = |n: &str| form.get(n).cloned().unwrap_or_default();
    let keys =
        check_form_token(&state.keys, FORM, &field("idempotency_key"), &field("csrf_token"), state.clock.unix())?;
    // A repeat of this form is found inside the filing transaction (and
    // answered with the same tracking page): no separate look-up here.
    let values = DirectoryValues::from_form(&form);
    let mut errors = FieldErrors::new();
    let Some(request) =
        parse_directory(&values.input(), &state.config.landing_deny_list, &state.config.landing_ports, &mut errors)
    else {
        let fresh = FormKeys::reissue(&state.keys, FORM, keys, state.clock.unix());
        return render(values, errors, fresh, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let tracking = state.keys.tracking_token(&keys.idempotency_key);
    let case = new_case(&request, &keys.idempotency_key, crate::keys::sha256_hex(&tracking), state.clock.now());
    let facts = CaseFacts::Directory(DirectoryFacts {
        contact_email_domain: request.contact.email_domain().and_then(registrable_domain),
        landing_registrable_domain: request.landing.registrable_domain.clone(),
        landing_https: request.landing.https,
    });
    let filing = Filing {
        facts,
        now: case.created_at,
        today: case.created_at.date(),
        case,
        attachment: None,
        rules: state.config.triage,
        forget_upload: false,
    };
    match state.db.write(move |conn| intake::file(conn, filing)).await {
        Ok(Filed::Created(reference)) => {
            tracing::info!(%reference, "directory request filed");
            state.jobs.notify();
            Ok(super::to_tracking(&tracking, true, state.config.secure_cookies))
        }
        Ok(Filed::AlreadyFiled) | Err(AppError::Conflict(_)) => {
            Ok(super::to_tracking(&tracking, false, state.config.secure_cookies))
        }
        Err(e) => Err(e),
    }
}
