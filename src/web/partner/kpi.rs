//! `GET /cases/kpi/new` and `POST /cases/kpi`: the KPI discrepancy form.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::intake::{self, Filed, Filing};
use super::multipart;
use super::{ContactValues, FormKeys, check_form_token, summary};
use crate::checks::document::{self, DocumentError, DocumentReport, FileKind, Limits, TextLayer};
use crate::domain::case::CaseKind;
use crate::domain::errors::{FieldError, FieldErrors};
use crate::domain::kpi::{KpiCase, KpiInput, parse_kpi};
use crate::domain::triage::{CaseFacts, Evidence, KpiFacts};
use crate::error::AppError;
use crate::store::cases::{self, NewAttachment, NewCase};
use crate::store::uploads;
use crate::web::{AppState, client, html};

/// The form's name in its anti-forgery token.
pub const FORM: &str = "kpi";

/// Field order on the page (the error summary follows it).
const PAGE_ORDER: [&str; 17] = [
    "partner_id",
    "company_name",
    "contact_name",
    "contact_email",
    "contact_role",
    "month",
    "year",
    "omlp_type",
    "purchase_unit",
    "kpi_value",
    "revenue_value",
    "revenue_currency",
    "invoice_number",
    "document_type",
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
    title: &'static str,
    has_errors: bool,
    summary: Vec<FieldError>,
    e: FieldErrors,
    v: KpiValues,
    month_year_error: Option<String>,
    month_year_both: bool,
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
    let month_year_both =
        e.get("month").is_some_and(|m| m == "Enter the KPI month" || m.starts_with("KPI month must be this"));
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
        title: "Report a KPI discrepancy",
        has_errors: !e.is_empty(),
        summary: summary(&e, &PAGE_ORDER),
        e,
        v,
        month_year_error,
        month_year_both,
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

fn evidence_of(report: &DocumentReport) -> Evidence {
    match (report.kind, report.text_layer, report.invoice_number_found) {
        (FileKind::Png | FileKind::Jpeg, _, _) => Evidence::Image,
        (_, TextLayer::Text, Some(true)) => Evidence::TextMatched,
        (_, TextLayer::Text, _) => Evidence::TextWithoutInvoiceNumber,
        (_, TextLayer::NoText, _) => Evidence::NoTextLayer,
        (_, TextLayer::Encrypted, _) => Evidence::Encrypted,
        (_, TextLayer::Unextractable | TextLayer::NotApplicable, _) => Evidence::Unextractable,
    }
}

fn new_case(
    k: &KpiCase,
    idempotency_key: &str,
    tracking_hash: String,
    evidence: Evidence,
    now: chrono::NaiveDateTime,
) -> NewCase {
    NewCase {
        kpi_month: i32::try_from(k.month).ok(),
        kpi_year: Some(k.year),
        omlp_type: Some(k.omlp_type.clone()),
        purchase_unit: Some(k.purchase_unit),
        invoice_number: Some(k.invoice_number.clone()),
        invoice_number_norm: Some(k.invoice_number_norm.clone()),
        kpi_value: Some(k.kpi_value.clone()),
        revenue_minor: Some(k.revenue.hundredths),
        revenue_currency: Some(k.revenue.currency.into()),
        document_type: Some("invoice".into()),
        anniversary_date: k.anniversary_date,
        description: k.description.clone(),
        evidence: Some(evidence),
        ..intake::base_case(CaseKind::Kpi, &k.contact, idempotency_key, tracking_hash, now)
    }
}

/// `POST /cases/kpi` (multipart).
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    crate::app::limits::count_post(&state.db, &state.clock, state.config.rate_posts, &client::address(&req, &state))
        .await?;
    // Held until the invoice is stored: it bounds the uploads in memory.
    let _upload = state.gates.uploads.enter().await?;
    let form = multipart::read(payload, "invoice_file", document::MAX_FILE_BYTES).await?;
    let keys =
        check_form_token(&state.keys, FORM, &form.get("idempotency_key"), &form.get("csrf_token"), state.clock.unix())?;
    // A repeat of this form that carries its invoice again is found inside
    // the filing transaction (and answered with the same tracking page).
    let values = KpiValues::from_form(&form);
    let mut errors = FieldErrors::new();
    let parsed = parse_kpi(&values.input(), &state.config.omlp_types, state.clock.today(), &mut errors);
    let invoice_number = values.invoice_number.trim().to_string();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    // No file chosen this time: a repeat of a form already filed (its
    // invoice became the case's), or the invoice kept from an earlier
    // attempt of this same form, if there is one.
    let (file, kept_before) = match form.file {
        Some(u) => (Some(u), false),
        None => {
            let key = keys.idempotency_key.clone();
            let (filed, kept) = state
                .db
                .read(move |conn| {
                    Ok((cases::find_by_idempotency_key(conn, &key)?.is_some(), uploads::find(conn, &key)?))
                })
                .await?;
            if filed {
                return Ok(super::to_tracking(
                    &state.keys.tracking_token(&keys.idempotency_key),
                    false,
                    state.config.secure_cookies,
                ));
            }
            let kept_before = kept.is_some();
            let kept =
                kept.map(|(file_name, bytes)| multipart::Upload { file_name, bytes: bytes.into(), too_large: false });
            (kept, kept_before)
        }
    };
    let upload = match file {
        None => {
            errors.add("invoice_file", "Select the invoice file");
            None
        }
        Some(u) if u.too_large => {
            errors.add("invoice_file", DocumentError::TooLarge.message());
            if form.body_too_large {
                status = StatusCode::PAYLOAD_TOO_LARGE;
            }
            None
        }
        Some(u) => {
            let checked = document::inspect_async(u.bytes.clone(), invoice_number, Limits::default()).await;
            match checked {
                Ok(report) => Some((u, report)),
                Err(e) => {
                    errors.add("invoice_file", e.message());
                    None
                }
            }
        }
    };
    if !errors.is_empty() {
        let fresh = FormKeys::reissue(&state.keys, FORM, keys, state.clock.unix());
        let key = fresh.idempotency_key.clone();
        let now = state.clock.now();
        // Keep an invoice that passed its checks so the partner need not
        // upload it again; a new file that failed replaces nothing.
        let uploaded = match (&upload, kept_before) {
            (Some((u, _)), false) => {
                let (name, bytes) = (u.file_name.clone(), u.bytes.clone());
                state
                    .db
                    .write(move |conn| {
                        Ok(uploads::keep(conn, &key, &name, &bytes, now, now - chrono::Duration::days(1))?)
                    })
                    .await?;
                Some(u.file_name.clone())
            }
            (Some((u, _)), true) => Some(u.file_name.clone()),
            (None, _) => None,
        };
        return render(&state, values, errors, fresh, status, uploaded);
    }
    let (Some(kpi), Some((upload, report))) = (parsed, upload) else {
        return Err(AppError::Unexpected(anyhow::anyhow!("a KPI form without errors did not parse")));
    };
    let evidence = evidence_of(&report);
    let tracking = state.keys.tracking_token(&keys.idempotency_key);
    let case = new_case(&kpi, &keys.idempotency_key, crate::keys::sha256_hex(&tracking), evidence, state.clock.now());
    let attachment = NewAttachment {
        case_id: 0,
        event_id: None,
        file_name: upload.file_name,
        content_type: report.kind.content_type().into(),
        size_bytes: i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX),
        sha256: report.sha256_hex.clone(),
        text_layer: report.text_layer.as_str().into(),
        doc_class: report.class.as_str().into(),
        invoice_number_found: report.invoice_number_found,
        // Not copied: the document check has let go of its share (unless it
        // timed out and a worker still holds it; then this copies).
        data: Vec::from(upload.bytes),
        created_at: case.created_at,
    };
    let filing = Filing {
        facts: CaseFacts::Kpi(KpiFacts {
            year: kpi.year,
            month: kpi.month,
            invoice_number_norm: kpi.invoice_number_norm.clone(),
            anniversary_date: kpi.anniversary_date,
            evidence,
        }),
        now: case.created_at,
        today: case.created_at.date(),
        case,
        attachment: Some(attachment),
        rules: state.config.triage,
        forget_upload: true,
    };
    match state.db.write(move |conn| intake::file(conn, filing)).await {
        Ok(Filed::Created(reference)) => {
            tracing::info!(%reference, "KPI case filed");
            Ok(super::to_tracking(&tracking, true, state.config.secure_cookies))
        }
        Ok(Filed::AlreadyFiled) | Err(AppError::Conflict(_)) => {
            Ok(super::to_tracking(&tracking, false, state.config.secure_cookies))
        }
        Err(e) => Err(e),
    }
}
