//! `GET /cases/kpi/new` and `POST /cases/kpi`: the KPI discrepancy form.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::multipart;
use super::{ContactValues, FormKeys, check_form_token};
use crate::app::limits::PostCount;
use crate::app::{self, intake::KpiSubmission, intake::Outcome};
use crate::checks::document;
use crate::domain::errors::FieldErrors;
use crate::domain::kpi::KpiInput;
use crate::error::AppError;
use crate::web::{AppState, SummaryItem, client, html};

/// The form's name in its anti-forgery token.
pub const FORM: &str = "kpi";

/// Field order on the page (the error summary follows it).
const PAGE_ORDER: [&str; 17] = [
    "contact_role",
    "document_type",
    "partner_id",
    "company_name",
    "contact_name",
    "contact_email",
    "month",
    "year",
    "omlp_type",
    "purchase_unit",
    "kpi_value",
    "revenue_value",
    "revenue_currency",
    "invoice_number",
    "invoice_file",
    "anniversary_date",
    "description",
];

/// Currencies offered in the select; any other ISO 4217 code is accepted too.
const CURRENCIES: [&str; 32] = [
    "USD", "EUR", "GBP", "JPY", "CNY", "TWD", "HKD", "SGD", "AUD", "NZD", "CAD", "INR", "KRW", "BRL", "MXN", "CHF",
    "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "ZAR", "THB", "MYR", "IDR", "PHP", "VND", "AED", "SAR", "TRY", "ILS",
];

/// Everything typed, kept for a re-render.
#[derive(Debug, Default, Clone)]
pub struct KpiValues {
    contact: ContactValues,
    month: String,
    year: String,
    omlp_type: String,
    purchase_unit: String,
    invoice_number: String,
    kpi_value: String,
    revenue_value: String,
    revenue_currency: String,
    document_type: String,
    anniversary_date: String,
    description: String,
}

impl KpiValues {
    fn from_form(f: &multipart::FormData) -> Self {
        Self {
            contact: ContactValues::from_fn(|n| f.get(n)),
            month: f.get("month"),
            year: f.get("year"),
            omlp_type: f.get("omlp_type"),
            purchase_unit: f.get("purchase_unit"),
            invoice_number: f.get("invoice_number"),
            kpi_value: f.get("kpi_value"),
            revenue_value: f.get("revenue_value"),
            revenue_currency: f.get("revenue_currency"),
            document_type: f.get("document_type"),
            anniversary_date: f.get("anniversary_date"),
            description: f.get("description"),
        }
    }

    fn input(&self) -> KpiInput {
        KpiInput {
            contact: self.contact.input(),
            month: self.month.clone(),
            year: self.year.clone(),
            omlp_type: self.omlp_type.clone(),
            purchase_unit: self.purchase_unit.clone(),
            invoice_number: self.invoice_number.clone(),
            kpi_value: self.kpi_value.clone(),
            revenue_value: self.revenue_value.clone(),
            revenue_currency: self.revenue_currency.clone(),
            document_type: self.document_type.clone(),
            anniversary_date: self.anniversary_date.clone(),
            description: self.description.clone(),
        }
    }
}

struct OmlpOption {
    id: String,
    code: String,
    label: String,
}

#[derive(Template)]
#[template(path = "partner/kpi_form.html")]
struct KpiFormPage {
    title: String,
    has_errors: bool,
    summary: Vec<SummaryItem>,
    e: FieldErrors,
    v: KpiValues,
    month_year_error: Option<String>,
    omlp_types: Vec<OmlpOption>,
    currencies: &'static [&'static str],
    selected_currency: String,
    csrf_token: String,
    idempotency_key: String,
    /// The name of an invoice kept from an earlier attempt of this form.
    uploaded: Option<String>,
}

fn render(
    state: &AppState,
    v: KpiValues,
    e: FieldErrors,
    keys: FormKeys,
    status: StatusCode,
    uploaded: Option<String>,
) -> Result<HttpResponse, AppError> {
    let month_year_error = e.get("month").or(e.get("year")).map(str::to_string);
    let omlp_types = state
        .config
        .omlp_types
        .iter()
        .enumerate()
        .map(|(i, t)| OmlpOption {
            id: if i == 0 { "omlp_type".into() } else { format!("omlp_type-{}", i + 1) },
            code: t.code.clone(),
            label: t.label.clone(),
        })
        .collect();
    let selected_currency = if v.revenue_currency.trim().is_empty() {
        "USD".into()
    } else {
        v.revenue_currency.trim().to_ascii_uppercase()
    };
    let page = KpiFormPage {
        title: crate::i18n::t("kpi-title"),
        has_errors: !e.is_empty(),
        summary: SummaryItem::of(&e, &PAGE_ORDER),
        e,
        v,
        month_year_error,
        omlp_types,
        currencies: &CURRENCIES,
        selected_currency,
        csrf_token: keys.csrf_token,
        idempotency_key: keys.idempotency_key,
        uploaded,
    };
    Ok(html(status, page.render()?))
}

/// `GET /cases/kpi/new`.
pub async fn new_form(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let keys = FormKeys::issue(&state.keys, FORM, state.clock.unix());
    render(&state, KpiValues::default(), FieldErrors::new(), keys, StatusCode::OK, None)
}

/// `POST /cases/kpi` (multipart).
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    // Counted with the case it files (or on its own when it files none);
    // refused before the upload is read when the address is at its limit.
    let count = PostCount::new(&state.clock, state.config.rate_posts, &client::address(&req, &state));
    if let Some(c) = &count {
        c.check(&state.db).await?;
    }
    // Held until the invoice is stored: it bounds the uploads in memory.
    let _upload = state.gates.uploads.enter().await?;
    let form = match multipart::read(payload, "invoice_file", document::MAX_FILE_BYTES).await {
        Ok(form) => form,
        Err(e) => return Err(super::counted(&state, count, e).await),
    };
    let (key, token) = (form.get("idempotency_key"), form.get("csrf_token"));
    let keys = match check_form_token(&state.keys, FORM, &key, &token, state.clock.unix()) {
        Ok(keys) => keys,
        Err(e) => return Err(super::counted(&state, count, e).await),
    };
    let values = KpiValues::from_form(&form);
    let submission = KpiSubmission {
        input: values.input(),
        idempotency_key: keys.idempotency_key.clone(),
        file: form.file,
        body_too_large: form.body_too_large,
        count,
    };
    let secure = state.config.secure_cookies;
    match app::intake::file_kpi(&state.ctx(), submission).await? {
        Outcome::Filed { tracking, .. } => Ok(super::to_tracking(&tracking, true, secure)),
        Outcome::AlreadyFiled { tracking } => Ok(super::to_tracking(&tracking, false, secure)),
        Outcome::Refused { errors, uploaded, too_large } => {
            let status = if too_large { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::UNPROCESSABLE_ENTITY };
            let fresh = FormKeys::reissue(&state.keys, FORM, keys, state.clock.unix());
            render(&state, values, errors, fresh, status, uploaded)
        }
    }
}
