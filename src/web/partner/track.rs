//! `GET /track/{token}`: the case as its filer sees it; and
//! `POST /track/{token}/reply`: the partner's answer while support waits on it.

use actix_multipart::Multipart;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use super::{FLASH_COOKIE, FormKeys, check_form_token, multipart};
use crate::app::case_actions::{self, PartnerReplied, PartnerReply};
use crate::app::{self, cases::Tracked};
use crate::checks::document;
use crate::domain::actions::MESSAGE_MAX_CHARS;
use crate::domain::calendar::{BatchWindow, kpi_visible_from};
use crate::domain::case::{CaseKind, Status};
use crate::domain::directory::country_name;
use crate::domain::errors::FieldErrors;
use crate::domain::kpi::format_hundredths;
use crate::domain::text::thousands;
use crate::error::AppError;
use crate::i18n::{self, t, ta};
use crate::store::cases::{AttachmentMeta, CaseRow, EventRow};
use crate::web::{AppState, SummaryItem, client, html};

/// A line of "What you sent".
pub struct Answer {
    /// The question.
    pub label: String,
    /// The answer, in words.
    pub value: String,
}

/// A message from support (or the partner's own reply).
pub struct Message {
    /// Who wrote it.
    pub from: String,
    /// `<time datetime>`.
    pub iso: String,
    /// When, in words.
    pub at: String,
    /// The text, line by line (escaped when rendered).
    pub lines: Vec<String>,
    /// Files attached to it, to download.
    pub files: Vec<FileLink>,
}

/// A file the partner can download.
pub struct FileLink {
    /// Where; `None` once the retention rule removed its contents.
    pub href: Option<String>,
    /// "Download invoice.pdf (PDF, 120 KB)", with the name as sent (text
    /// only; the download is named by Frontline), or that it was removed.
    pub label: String,
}

/// The reply form, when the case waits on the partner.
pub struct ReplyForm {
    /// Anti-forgery token.
    pub csrf_token: String,
    /// The nonce the token is bound to.
    pub idempotency_key: String,
    /// The reply as typed.
    pub message: String,
}

#[derive(Template)]
#[template(path = "partner/track.html")]
struct TrackPage {
    title: String,
    has_errors: bool,
    summary: Vec<SummaryItem>,
    e: FieldErrors,
    banner: Option<String>,
    fresh: bool,
    token: String,
    reference: String,
    kind_label: String,
    status_label: String,
    status_class: &'static str,
    next_steps: Vec<String>,
    guidance: Vec<String>,
    messages: Vec<Message>,
    reply: Option<ReplyForm>,
    reply_intro: String,
    closed_note: Option<String>,
    tracking_url: String,
    reply_hint: String,
    contact_text: String,
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

/// "What happens next", from the programme's timing rules, the case's
/// status and today's date: no past date is presented as to come, and no
/// review is promised once the case is decided.
pub fn next_steps(case: &CaseRow, batch: Option<&BatchWindow>, status: Status, today: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let deciding = matches!(status, Status::Open | Status::InReview | Status::WaitingOnPartner);
    match case.kind {
        CaseKind::Kpi => {
            let month = case.kpi_month.and_then(|m| u32::try_from(m).ok());
            if let (Some(m), Some(y)) = (month, case.kpi_year)
                && let Some(from) = kpi_visible_from(y, m)
                && !status.is_closed()
            {
                let key = if from > today { "track-next-kpi-later" } else { "track-next-kpi-late" };
                out.push(ta(key, &[("month", &i18n::month_year(y, m)), ("date", &i18n::date(from))]));
            }
        }
        CaseKind::Directory => {
            if let Some(batch) = batch {
                let label = i18n::month_year(batch.year, batch.month);
                let window = |key: &str| {
                    ta(
                        key,
                        &[
                            ("opens_day", &batch.opens.format("%-d")),
                            ("opens", &i18n::date(batch.opens)),
                            ("closes", &i18n::date(batch.closes)),
                            ("visible", &i18n::date(batch.visible_by)),
                        ],
                    )
                };
                let sentence = match status {
                    Status::Submitted if batch.visible_by < today => {
                        ta("track-next-batch-visible", &[("batch", &label)])
                    }
                    Status::Submitted => {
                        ta("track-next-batch-sent", &[("batch", &label), ("visible", &i18n::date(batch.visible_by))])
                    }
                    Status::Published => t("track-next-published"),
                    Status::Approved => window("track-next-approved"),
                    s if s.is_closed() => String::new(),
                    _ => window("track-next-listing"),
                };
                if !sentence.is_empty() {
                    out.push(sentence);
                }
            }
        }
    }
    if status == Status::WaitingOnPartner {
        out.push(t("track-next-waiting"));
    } else if deciding && case.due_date >= today {
        out.push(ta("track-next-review-by", &[("date", &i18n::date(case.due_date))]));
    } else if deciding {
        out.push(ta("track-next-review-late", &[("date", &i18n::date(case.due_date))]));
    }
    out
}

fn or_not_provided(v: Option<String>) -> String {
    v.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| t("track-not-provided"))
}

/// A line of "What you sent": the question's message and the answer.
fn answer(key: &str, value: String) -> Answer {
    Answer { label: t(key), value }
}

/// "What you sent" as a summary list.
pub fn answers(case: &CaseRow, files: &[AttachmentMeta], omlp_label: impl Fn(&str) -> String) -> Vec<Answer> {
    let role = crate::domain::contact::ContactRole::parse(&case.contact_role)
        .map(|r| crate::i18n::t(r.message_id()))
        .unwrap_or_default();
    let mut out = vec![
        answer("track-answer-partner-id", case.partner_id.clone()),
        answer("track-answer-company", case.company_name.clone()),
        answer("track-answer-name", case.contact_name.clone()),
        answer("track-answer-email", case.contact_email.clone()),
        answer("track-answer-role", role),
    ];
    if case.kind == CaseKind::Kpi {
        let month = case
            .kpi_month
            .and_then(|m| u32::try_from(m).ok())
            .map(|m| i18n::month_year(case.kpi_year.unwrap_or_default(), m));
        out.extend([
            answer("track-answer-kpi-month", or_not_provided(month)),
            answer("track-answer-omlp", or_not_provided(case.omlp_type.as_deref().map(&omlp_label))),
            answer("track-answer-purchase-unit", or_not_provided(case.purchase_unit.map(|p| p.to_string()))),
            answer("track-answer-kpi-value", or_not_provided(case.kpi_value.clone())),
            answer(
                "track-answer-revenue",
                or_not_provided(
                    case.revenue_minor.map(|r| format_hundredths(case.revenue_currency.as_deref().unwrap_or("USD"), r)),
                ),
            ),
            answer("track-answer-invoice-number", or_not_provided(case.invoice_number.clone())),
            answer("track-answer-document-type", t("track-answer-document-invoice")),
            answer(
                "track-answer-invoice-file",
                or_not_provided(files.first().map(|f| {
                    let detail = file_detail(&f.content_type, f.size_bytes);
                    crate::web::retention::removed_label(f, &detail).unwrap_or_else(|| {
                        ta("track-answer-invoice-file-value", &[("name", &f.file_name), ("detail", &detail)])
                    })
                })),
            ),
            answer("track-answer-anniversary", or_not_provided(case.anniversary_date.map(i18n::date))),
            answer("track-answer-description", or_not_provided(case.description.clone())),
        ]);
    } else {
        out.extend([
            answer("track-answer-directory-name", or_not_provided(case.directory_name.clone())),
            answer(
                "track-answer-country",
                or_not_provided(
                    case.country
                        .as_deref()
                        .map(|c| country_name(crate::i18n::current(), c).unwrap_or_else(|| c.to_string())),
                ),
            ),
            answer(
                "track-answer-landing-url",
                or_not_provided(case.landing_page_url.as_deref().map(crate::domain::landing_url::display_url)),
            ),
            answer("track-answer-landing-page", t("track-answer-landing-page-value")),
        ]);
    }
    out
}

/// "PDF, 120 KB" in the current language.
fn file_detail(content_type: &str, bytes: i64) -> String {
    let kind = match short_type(content_type) {
        "file" => t("track-file-type-other"),
        known => known.to_owned(),
    };
    let size = if bytes < 1024 { ta("track-size-bytes", &[("n", &bytes)]) } else { human_size(bytes) };
    ta("track-file-detail", &[("type", &kind), ("size", &size)])
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

fn message_of(e: &EventRow, files: &[AttachmentMeta], token: &str, zone: chrono_tz::Tz) -> Option<Message> {
    let from = match (e.actor_type.as_str(), e.event_type.as_str()) {
        ("partner", _) => "track-from-you",
        ("system", _) => "track-from-system",
        _ => "track-from-support",
    };
    Some(Message {
        from: t(from),
        iso: e.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        at: i18n::time(e.created_at, zone),
        lines: e.body.as_deref()?.lines().map(str::to_string).collect(),
        files: files
            .iter()
            .filter(|f| f.event_id == Some(e.id))
            .map(|f| match crate::web::retention::removed_label(f, &file_detail(&f.content_type, f.size_bytes)) {
                Some(label) => FileLink { href: None, label },
                None => FileLink {
                    href: Some(format!("/track/{token}/attachments/{}", f.id)),
                    label: ta(
                        "track-download",
                        &[
                            ("name", &crate::domain::text::strip_format_controls(&f.file_name)),
                            ("detail", &file_detail(&f.content_type, f.size_bytes)),
                        ],
                    ),
                },
            })
            .collect(),
    })
}

/// The form name a case's reply form token is bound to.
pub fn reply_form_name(reference: &str) -> String {
    format!("reply:{reference}")
}

/// The one-time "reply sent" banner.
pub const REPLIED_COOKIE: &str = "frontline_replied";

/// The tracking page's field order (for the error summary).
const REPLY_ORDER: [&str; 2] = ["message", "attachment"];

/// What a render of the tracking page shows beyond the case.
struct View {
    fresh: bool,
    banner: Option<String>,
    errors: FieldErrors,
    reply: Option<(FormKeys, String)>,
}

async fn render(state: &AppState, token: &str, view: View, http: StatusCode) -> Result<HttpResponse, AppError> {
    let Tracked { case, events, files, batch } = app::cases::tracked(&state.db, &state.clock, token).await?;
    let (kind, status) = (case.kind, case.status);
    let View { fresh, banner, errors, reply } = view;
    let now = state.clock.now();
    let reopen_days = state.config.reopen_days;
    let accepts = case_actions::accepts_replies(&case, reopen_days, now);
    let reply_intro = t(match status {
        Status::WaitingOnPartner => "track-reply-intro-waiting",
        s if s.is_closed() => "track-reply-intro-closed",
        _ => "track-reply-intro-open",
    });
    let closed_note = (!accepts).then(|| ta("track-closed-note", &[("reference", &case.reference)]));
    let tracking_url = format!("{}/track/{token}", state.config.public_url);
    let reply = accepts.then(|| {
        let (keys, message) = match reply {
            Some((old, message)) => {
                (FormKeys::reissue(&state.keys, &reply_form_name(&case.reference), old, state.clock.unix()), message)
            }
            None => {
                (FormKeys::issue(&state.keys, &reply_form_name(&case.reference), state.clock.unix()), String::new())
            }
        };
        ReplyForm { csrf_token: keys.csrf_token, idempotency_key: keys.idempotency_key, message }
    });
    let omlp = state.config.omlp_types.clone();
    let title = if fresh { t("track-title-submitted") } else { ta("track-title", &[("reference", &case.reference)]) };
    let evidence: Vec<AttachmentMeta> = files.iter().filter(|f| f.event_id.is_none()).cloned().collect();
    let page = TrackPage {
        title,
        has_errors: !errors.is_empty(),
        summary: SummaryItem::of(&errors, &REPLY_ORDER),
        e: errors,
        banner,
        fresh,
        token: token.to_string(),
        kind_label: t(match kind {
            CaseKind::Kpi => "track-kind-kpi",
            CaseKind::Directory => "track-kind-directory",
        }),
        status_label: status.partner_label(),
        status_class: status_class(status),
        next_steps: next_steps(&case, batch.as_ref(), status, state.clock.today()),
        guidance: case.guidance.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect(),
        // Filing is shown as "What you sent"; the outcome has its own section.
        messages: events
            .iter()
            .filter(|e| !matches!(e.event_type.as_str(), "filed" | "resolved" | "rejected"))
            .filter_map(|e| message_of(e, &files, token, state.config.time_zone))
            .collect(),
        reply,
        reply_intro,
        closed_note,
        tracking_url,
        reply_hint: ta("track-reply-hint", &[("max", &thousands(MESSAGE_MAX_CHARS))]),
        contact_text: ta("track-contact-text", &[("reference", &case.reference)]),
        answers: answers(&case, &evidence, |code| {
            omlp.iter().find(|t| t.code == code).map(|t| t.label.clone()).unwrap_or_else(|| code.to_string())
        }),
        resolution: case.resolution_message.clone(),
        reference: case.reference,
    };
    let mut res = html(http, page.render()?);
    res.headers_mut().insert(
        actix_web::http::header::REFERRER_POLICY,
        actix_web::http::header::HeaderValue::from_static("no-referrer"),
    );
    res.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("x-robots-tag"),
        actix_web::http::header::HeaderValue::from_static("noindex, nofollow"),
    );
    Ok(res)
}

fn remove_cookie(res: &mut HttpResponse, name: &'static str, token: &str) -> Result<(), AppError> {
    let mut gone = Cookie::build(name, "").path(format!("/track/{token}")).finish();
    gone.make_removal();
    res.add_cookie(&gone).map_err(|e| anyhow::anyhow!("cookie: {e}"))?;
    Ok(())
}

/// `GET /track/{token}`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    crate::app::limits::lookups_allowed(
        &state.db,
        &state.clock,
        state.config.rate_lookups,
        &client::address(&req, &state),
    )
    .await?;
    let token = token.into_inner();
    match show_case(&state, &req, &token).await {
        Err(AppError::NotFound) => {
            crate::app::limits::count_lookup_miss(
                &state.db,
                &state.clock,
                state.config.rate_lookups,
                &client::address(&req, &state),
            )
            .await?;
            // A cut-short or mistyped link: offer to e-mail a working one.
            super::find::form_response(&state, StatusCode::NOT_FOUND, true)
        }
        shown => shown,
    }
}

async fn show_case(state: &AppState, req: &HttpRequest, token: &str) -> Result<HttpResponse, AppError> {
    let fresh = req.cookie(FLASH_COOKIE).is_some();
    let replied = req.cookie(REPLIED_COOKIE).is_some();
    let banner = replied.then(|| t("track-banner-replied"));
    let view = View { fresh, banner, errors: FieldErrors::new(), reply: None };
    let mut res = render(state, token, view, StatusCode::OK).await?;
    // One time only: a later visit shows the receipt without the panel or banner.
    if fresh {
        remove_cookie(&mut res, FLASH_COOKIE, token)?;
    }
    if replied {
        remove_cookie(&mut res, REPLIED_COOKIE, token)?;
    }
    Ok(res)
}

/// `POST /track/{token}/reply` (multipart: `message`, optional `attachment`).
pub async fn reply(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let address = client::address(&req, &state);
    app::limits::lookups_allowed(&state.db, &state.clock, state.config.rate_lookups, &address).await?;
    app::limits::count_post(&state.db, &state.clock, state.config.rate_posts, &address).await?;
    let token = token.into_inner();
    let case = match app::cases::tracked(&state.db, &state.clock, &token).await {
        Err(AppError::NotFound) => {
            app::limits::count_lookup_miss(&state.db, &state.clock, state.config.rate_lookups, &address).await?;
            return Err(AppError::NotFound);
        }
        other => other?.case,
    };
    // Held until the attachment is stored: it bounds the uploads in memory.
    let _upload = state.gates.uploads.enter().await?;
    let form = multipart::read(payload, "attachment", document::MAX_FILE_BYTES).await?;
    let (key, csrf) = (form.get("idempotency_key"), form.get("csrf_token"));
    let keys = check_form_token(&state.keys, &reply_form_name(&case.reference), &key, &csrf, state.clock.unix())?;
    let raw_message = form.get("message");
    let reply = PartnerReply { message: raw_message.clone(), file: form.file, body_too_large: form.body_too_large };
    match case_actions::partner_reply(&state.ctx(), &token, reply).await? {
        PartnerReplied::Done { .. } => {
            let location = format!("/track/{token}");
            let cookie = Cookie::build(REPLIED_COOKIE, "1")
                .path(location.clone())
                .secure(state.config.secure_cookies)
                .http_only(true)
                .same_site(SameSite::Lax)
                .max_age(actix_web::cookie::time::Duration::minutes(10))
                .finish();
            Ok(HttpResponse::SeeOther().cookie(cookie).insert_header((header::LOCATION, location)).finish())
        }
        PartnerReplied::Refused { errors, too_large } => {
            let http = if too_large { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::UNPROCESSABLE_ENTITY };
            let view = View { fresh: false, banner: None, errors, reply: Some((keys, raw_message)) };
            render(&state, &token, view, http).await
        }
        PartnerReplied::Closed(why) => {
            let mut errors = FieldErrors::new();
            errors.add("message", why);
            let view = View { fresh: false, banner: None, errors, reply: Some((keys, raw_message)) };
            render(&state, &token, view, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// `GET /track/{token}/attachments/{id}`: a file of the conversation (or the
/// partner's own evidence), always as a download under a name Frontline
/// builds, never rendered inline.
pub async fn download(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let address = client::address(&req, &state);
    app::limits::lookups_allowed(&state.db, &state.clock, state.config.rate_lookups, &address).await?;
    let (token, id) = path.into_inner();
    let (case, meta, data) = match app::cases::partner_attachment(&state.db, &token, id).await {
        Err(AppError::NotFound) => {
            app::limits::count_lookup_miss(&state.db, &state.clock, state.config.rate_lookups, &address).await?;
            return Err(AppError::NotFound);
        }
        other => other?,
    };
    if meta.purged() {
        return Ok(crate::web::retention::gone(&meta));
    }
    crate::web::staff::case::file_response(&case.reference, &meta, data)
}

#[cfg(test)]
mod tests {
    use crate::i18n::{Lang, message_ids, text_args};

    /// Every message of the tracking page and the error pages formats, in
    /// both languages, with the arguments the code gives it.
    #[test]
    fn tracking_and_error_messages_format_in_both_languages() {
        let args: [(&'static str, &dyn std::fmt::Display); 15] = [
            ("reference", &"DIR-2026-00042"),
            ("month", &"March 2026"),
            ("date", &"15 April 2026"),
            ("batch", &"March 2026"),
            ("visible", &"7 April 2026"),
            ("opens_day", &15),
            ("opens", &"15 March 2026"),
            ("closes", &"21 March 2026"),
            ("name", &"invoice.pdf"),
            ("detail", &"PDF, 12 KB"),
            ("type", &"PDF"),
            ("size", &"12 KB"),
            ("n", &12),
            ("max", &"5,000"),
            ("what", &"uploads"),
        ];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        for file in ["track.ftl", "errors.ftl"] {
            for lang in [Lang::En, Lang::ZhTw] {
                let ftl = std::fs::read_to_string(dir.join(lang.as_str()).join(file)).expect("message file");
                for id in message_ids(&ftl) {
                    let text = text_args(lang, &id, args.as_slice());
                    assert_ne!(text, id, "{id} formats in {}", lang.as_str());
                    assert!(!text.contains('{') && !text.contains('$'), "{id}: {text}");
                }
            }
        }
        assert_eq!(text_args(Lang::En, "track-space", args.as_slice()), " ");
        assert_eq!(text_args(Lang::ZhTw, "track-space", args.as_slice()), "");
        let busy = |what: &'static str| {
            let args: [(&'static str, &dyn std::fmt::Display); 1] = [("what", &what)];
            text_args(Lang::ZhTw, "error-page-busy-message", args.as_slice())
        };
        assert!(busy("uploads").starts_with("目前正在進行的上傳太多。請稍後再試"));
        assert!(busy("sign-ins").contains("登入"));
        assert!(busy("tests").starts_with("目前正在處理的要求太多。"));
        assert_eq!(
            text_args(Lang::En, "error-page-busy-message", args.as_slice()),
            "Too many uploads are in progress. Try again in a moment: nothing was saved."
        );
    }
}
