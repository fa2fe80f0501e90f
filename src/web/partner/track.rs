//! `GET /track/{token}`: the case as its filer sees it.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::FLASH_COOKIE;
use crate::domain::calendar::{kpi_visible_from, long_date, month_name, parse_batch_key};
use crate::domain::case::{CaseKind, Status};
use crate::domain::directory::country_name;
use crate::domain::kpi::format_hundredths;
use crate::error::AppError;
use crate::store::cases::{self as store, AttachmentMeta, CaseRow, EventRow};
use crate::web::tokens::sha256_hex;
use crate::web::{AppState, html};

/// A line of "What you sent".
pub struct Answer {
    /// The question.
    pub label: &'static str,
    /// The answer, in words.
    pub value: String,
}

/// A message from support (or the partner's own reply).
pub struct Message {
    /// Who wrote it.
    pub from: &'static str,
    /// When.
    pub at: String,
    /// The text (escaped when rendered).
    pub body: String,
}

#[derive(Template)]
#[template(path = "partner/track.html")]
struct TrackPage {
    title: String,
    has_errors: bool,
    fresh: bool,
    reference: String,
    kind_label: &'static str,
    status_label: &'static str,
    status_class: &'static str,
    next_steps: Vec<String>,
    guidance: Vec<String>,
    messages: Vec<Message>,
    answers: Vec<Answer>,
    resolution: Option<String>,
}

/// CSS modifier for a status tag.
pub fn status_class(s: Status) -> &'static str {
    match s {
        Status::Open => "tag--blue",
        Status::InReview => "tag--purple",
        Status::WaitingOnPartner => "tag--yellow",
        Status::Approved | Status::Submitted => "tag--turquoise",
        Status::Published | Status::Resolved => "tag--green",
        Status::Rejected => "tag--red",
        Status::Duplicate => "tag--grey",
    }
}

/// "What happens next", from the programme's timing rules.
pub fn next_steps(case: &CaseRow, kind: CaseKind, status: Status) -> Vec<String> {
    let mut out = Vec::new();
    match kind {
        CaseKind::Kpi => {
            let month = case.kpi_month.and_then(|m| u32::try_from(m).ok());
            if let (Some(m), Some(y)) = (month, case.kpi_year)
                && let Some(from) = kpi_visible_from(y, m)
            {
                out.push(format!(
                    "KPI reports are updated once a month, on the 15th. Your {} {} invoice’s KPIs should show on your KPI dashboard from {}.",
                    month_name(m),
                    y,
                    long_date(from)
                ));
            }
        }
        CaseKind::Directory => {
            if let Some(batch) = case.batch_key.as_deref().and_then(parse_batch_key) {
                let sentence = match status {
                    Status::Submitted => format!(
                        "Your listing was sent in the {} batch and should be visible in the directory by {}.",
                        batch.label(),
                        long_date(batch.visible_by)
                    ),
                    Status::Published => "Your listing is published in the Learning Partner directory.".to_string(),
                    _ => format!(
                        "We send listing requests once a month, in the third week. Yours is in the batch for {} to {} and should be visible by {}.",
                        batch.opens.format("%-d"),
                        long_date(batch.closes),
                        long_date(batch.visible_by)
                    ),
                };
                out.push(sentence);
            }
        }
    }
    if !status.is_closed() {
        out.push(format!("We aim to review your case by {}.", long_date(case.due_date)));
    }
    out
}

fn or_not_provided(v: Option<String>) -> String {
    v.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "Not provided".into())
}

/// "What you sent" as a summary list.
pub fn answers(case: &CaseRow, files: &[AttachmentMeta], omlp_label: impl Fn(&str) -> String) -> Vec<Answer> {
    let role = crate::domain::contact::ContactRole::parse(&case.contact_role).map(|r| r.label()).unwrap_or("");
    let mut out = vec![
        Answer { label: "MPN / Partner ID", value: case.partner_id.clone() },
        Answer { label: "Company name", value: case.company_name.clone() },
        Answer { label: "Full name", value: case.contact_name.clone() },
        Answer { label: "Email address", value: case.contact_email.clone() },
        Answer { label: "Your role", value: role.into() },
    ];
    if case.kind == "kpi" {
        let month = case
            .kpi_month
            .and_then(|m| u32::try_from(m).ok())
            .map(|m| format!("{} {}", month_name(m), case.kpi_year.unwrap_or_default()));
        out.extend([
            Answer { label: "KPI month", value: or_not_provided(month) },
            Answer { label: "OMLP type", value: or_not_provided(case.omlp_type.as_deref().map(&omlp_label)) },
            Answer { label: "Purchase unit", value: or_not_provided(case.purchase_unit.map(|p| p.to_string())) },
            Answer { label: "KPI value", value: or_not_provided(case.kpi_value.clone()) },
            Answer {
                label: "Revenue value",
                value: or_not_provided(
                    case.revenue_minor.map(|r| format_hundredths(case.revenue_currency.as_deref().unwrap_or("USD"), r)),
                ),
            },
            Answer { label: "Invoice number", value: or_not_provided(case.invoice_number.clone()) },
            Answer { label: "Type of document", value: "Invoice".into() },
            Answer {
                label: "Invoice file",
                value: or_not_provided(files.first().map(|f| {
                    format!("{} ({}, {})", f.file_name, short_type(&f.content_type), human_size(f.size_bytes))
                })),
            },
            Answer { label: "Anniversary date", value: or_not_provided(case.anniversary_date.map(long_date)) },
            Answer { label: "Description", value: or_not_provided(case.description.clone()) },
        ]);
    } else {
        out.extend([
            Answer { label: "Name on the directory", value: or_not_provided(case.directory_name.clone()) },
            Answer {
                label: "Country",
                value: or_not_provided(
                    case.country.as_deref().map(|c| country_name(c).unwrap_or_else(|| c.to_string())),
                ),
            },
            Answer { label: "Landing page URL", value: or_not_provided(case.landing_page_url.clone()) },
            Answer {
                label: "Your landing page",
                value: "Only about your organisation, shows no competitors, owned by your organisation".into(),
            },
        ]);
    }
    out
}

/// "PDF" for "application/pdf".
pub fn short_type(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "PDF",
        "image/png" => "PNG",
        "image/jpeg" => "JPG",
        _ => "file",
    }
}

/// "212 KB".
pub fn human_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

fn message_of(e: &EventRow) -> Option<Message> {
    let from = match (e.actor_type.as_str(), e.event_type.as_str()) {
        ("staff", "reply" | "resolved" | "rejected" | "status") => "Frontline Support",
        ("partner", "partner_reply") => "You",
        ("partner", "filed") => "You",
        ("system", _) => "Frontline",
        _ => "Frontline Support",
    };
    Some(Message { from, at: e.created_at.format("%-d %B %Y %H:%M UTC").to_string(), body: e.body.clone()? })
}

/// `GET /track/{token}`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let hash = sha256_hex(&token);
    let (case, events, files) = state
        .db
        .read(move |conn| {
            let case = store::find_by_tracking_hash(conn, &hash)?.ok_or(AppError::NotFound)?;
            let events = store::events(conn, case.id, true)?;
            let files = store::attachments(conn, case.id)?;
            Ok((case, events, files))
        })
        .await?;
    let kind = CaseKind::parse(&case.kind).ok_or_else(|| anyhow::anyhow!("bad kind"))?;
    let status = Status::parse(&case.status).ok_or_else(|| anyhow::anyhow!("bad status"))?;
    let fresh = req.cookie(FLASH_COOKIE).is_some();
    let omlp = state.config.omlp_types.clone();
    let page = TrackPage {
        title: if fresh { "Case submitted".into() } else { format!("Case {}", case.reference) },
        has_errors: false,
        fresh,
        kind_label: kind.label(),
        status_label: status.partner_label(),
        status_class: status_class(status),
        next_steps: next_steps(&case, kind, status),
        guidance: case.guidance.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect(),
        messages: events.iter().filter(|e| e.event_type != "filed").filter_map(message_of).collect(),
        answers: answers(&case, &files, |code| {
            omlp.iter().find(|t| t.code == code).map(|t| t.label.clone()).unwrap_or_else(|| code.to_string())
        }),
        resolution: case.resolution_message.clone(),
        reference: case.reference,
    };
    let mut res = html(StatusCode::OK, page.render()?);
    if fresh {
        // One time only: a later visit shows the receipt without the panel.
        let mut gone = Cookie::build(FLASH_COOKIE, "").path(format!("/track/{token}")).finish();
        gone.make_removal();
        res.add_cookie(&gone).map_err(|e| anyhow::anyhow!("cookie: {e}"))?;
    }
    res.headers_mut().insert(
        actix_web::http::header::REFERRER_POLICY,
        actix_web::http::header::HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}
