//! `GET /staff/cases/{reference}`: one case, its evidence and timeline, and
//! the actions staff take on it (each a small form that POSTs, then 303s
//! back here with a one-time success banner).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::auth::CurrentStaff;
use super::words;
use crate::app::case_actions::{self, Applied, StaffRequest};
use crate::app::jobs::CaseRef;
use crate::app::{self, cases::StaffView};
use crate::domain::actions::{self, MESSAGE_MAX_CHARS, Outcome};
use crate::domain::calendar::BatchWindow;
use crate::domain::case::{CaseKind, Status};
use crate::domain::contact::ContactRole;
use crate::domain::directory::country_name;
use crate::domain::errors::FieldErrors;
use crate::domain::kpi::format_hundredths;
use crate::domain::text::thousands;
use crate::domain::timeline::Actor;
use crate::domain::triage::Priority;
use crate::error::AppError;
use crate::i18n::{t, ta};
use crate::store::cases::{AttachmentMeta, CaseRow, EventRow};
use crate::store::staff::StaffRow;
use crate::web::partner::track::{human_size, short_type, status_class};
use crate::web::{AppState, SummaryItem, html};

/// Control ids in page order (the error summary follows it; ids are unique
/// across the page's forms).
const PAGE_ORDER: [&str; 9] = [
    "assignee",
    "status",
    "note-body",
    "reply-message",
    "reply-attachment",
    "resolve-outcome",
    "resolve-message",
    "duplicate-original",
    "",
];

/// A row of a summary card.
pub struct Row {
    /// The key.
    pub key: String,
    /// The value, in words.
    pub value: String,
    /// A line of explanation under the value (why this priority).
    pub hint: Option<String>,
}

impl Row {
    /// A row whose key is the message `key`, with no hint.
    fn new(key: &str, value: String) -> Self {
        Self { key: t(key), value, hint: None }
    }
}

/// A message typed into an action form (see [`actions::parse_message`]),
/// its refusals in the request's language: `empty` when there is nothing,
/// else too long for the field named by `label`.
fn message(raw: &str, empty: &str, label: &str) -> Result<String, String> {
    actions::parse_message(raw, "", "").map_err(|refusal| {
        if refusal.is_empty() {
            t(empty)
        } else {
            ta("staff-error-too-long", &[("label", &t(label)), ("max", &thousands(MESSAGE_MAX_CHARS))])
        }
    })
}

/// A flag with its reason.
pub struct FlagView {
    /// Tag text.
    pub label: String,
    /// Tag colour.
    pub class: &'static str,
    /// Why it was raised.
    pub reason: String,
    /// A related case's reference.
    pub related: Option<String>,
}

/// A downloadable file.
pub struct FileView {
    /// Download URL.
    pub href: String,
    /// "invoice-0423.pdf".
    pub name: String,
    /// "PDF, 212 KB".
    pub detail: String,
    /// Set once the retention rule removed its contents: the file named,
    /// and why there is nothing to download.
    pub removed: Option<String>,
}

/// A timeline entry.
pub struct EntryView {
    /// What happened, in words.
    pub heading: String,
    pub actor: String,
    /// `<time datetime>`.
    pub iso: String,
    /// The time in words.
    pub at: String,
    /// The text, line by line (escaped when rendered).
    pub lines: Vec<String>,
    /// Shown to the partner.
    pub partner_visible: bool,
    /// Files attached to the entry.
    pub files: Vec<FileView>,
}

/// An option of a select or radio group.
pub struct Choice {
    /// Control id.
    pub id: String,
    /// Value sent.
    pub value: String,
    pub label: String,
    /// Selected or checked.
    pub on: bool,
}

/// What was typed into the action forms, kept for a re-render.
#[derive(Debug, Clone)]
pub struct Values {
    assignee: String,
    status: String,
    note_body: String,
    reply_message: String,
    reply_set_waiting: bool,
    outcome: String,
    resolution_message: String,
    original: String,
    confirm_check: bool,
}

impl Default for Values {
    fn default() -> Self {
        Self {
            assignee: String::new(),
            status: String::new(),
            note_body: String::new(),
            reply_message: String::new(),
            // The reply form's checkbox starts ticked.
            reply_set_waiting: true,
            outcome: String::new(),
            resolution_message: String::new(),
            original: String::new(),
            confirm_check: false,
        }
    }
}

#[derive(Template)]
#[template(path = "staff/case.html")]
struct CasePage {
    title: String,
    has_errors: bool,
    me: CurrentStaff,
    summary: Vec<SummaryItem>,
    e: FieldErrors,
    v: Values,
    banner: Option<String>,
    reference: String,
    kind_label: String,
    status_label: String,
    status_class: &'static str,
    overdue: bool,
    flags: Vec<FlagView>,
    case_rows: Vec<Row>,
    assignee_name: Option<String>,
    duplicate_of: Option<String>,
    partner_rows: Vec<Row>,
    details_title: String,
    details: Vec<Row>,
    /// For directory requests: the landing page, as a link (stored form)
    /// and as people read it (IDN in Unicode).
    landing_link: Option<(String, String)>,
    /// For directory requests: where the landing-page check stands.
    landing_check: Option<String>,
    /// Approving needs the "Approve anyway" tick: why.
    approval_warning: Option<String>,
    evidence: Vec<FileView>,
    /// The partner wrote something no one on staff has read yet: when.
    unread: Option<String>,
    /// E-mail about the case, to the partner and to staff.
    mails: Vec<MailView>,
    timeline: Vec<EntryView>,
    version: i32,
    staff_choices: Vec<Choice>,
    status_choices: Vec<Choice>,
    can_reply: bool,
    can_close: bool,
    can_duplicate: bool,
    closed: bool,
    max_chars: String,
}

/// A line of the case's e-mail list.
pub struct MailView {
    /// What it was about.
    pub label: String,
    /// Who it went to.
    pub to: String,
    /// Where it stands, in words.
    pub state: String,
    /// Not delivered, for good.
    pub failed: bool,
}

fn mail_view(m: &crate::store::outbox::MailRow, zone: chrono_tz::Tz) -> MailView {
    use crate::domain::mail::MailStatus;
    let at = |when: chrono::NaiveDateTime| words::time(when, zone);
    let error = || m.last_error.clone().unwrap_or_else(|| t("staff-mail-no-reason"));
    let state = match m.status {
        MailStatus::Sent => ta("staff-mail-sent", &[("at", &at(m.sent_at.unwrap_or(m.created_at)))]),
        MailStatus::Pending if m.attempts == 0 => t("staff-mail-waiting"),
        MailStatus::Pending => ta(
            if m.attempts == 1 { "staff-mail-retrying-one" } else { "staff-mail-retrying-other" },
            &[("n", &m.attempts), ("error", &error()), ("at", &at(m.run_after))],
        ),
        MailStatus::Sending => t("staff-mail-sending"),
        MailStatus::Failed => ta("staff-mail-failed", &[("error", &error())]),
    };
    MailView { label: words::mail_kind(m.kind), to: m.recipient.clone(), state, failed: m.status == MailStatus::Failed }
}

fn or_not_provided(v: Option<String>) -> String {
    v.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| t("staff-not-provided"))
}

fn file_view(reference: &str, f: &AttachmentMeta) -> FileView {
    let detail =
        ta("staff-file-detail", &[("type", &short_type(&f.content_type)), ("size", &human_size(f.size_bytes))]);
    FileView {
        href: format!("/staff/cases/{reference}/attachments/{}", f.id),
        // The partner's name for it, as text only: the download itself is
        // named by Frontline (see `download_name`).
        name: crate::domain::text::strip_format_controls(&f.file_name),
        removed: crate::web::retention::removed_label(f, &detail),
        detail,
    }
}

fn partner_rows(case: &CaseRow) -> Vec<Row> {
    let role = ContactRole::parse(&case.contact_role).map(|r| t(r.message_id()));
    vec![
        Row::new("staff-case-row-partner-id", case.partner_id.clone()),
        Row::new("staff-case-row-company", case.company_name.clone()),
        Row::new("staff-case-row-contact", case.contact_name.clone()),
        Row::new("staff-field-email", case.contact_email.clone()),
        Row::new("staff-case-row-role", or_not_provided(role)),
    ]
}

fn details(case: &CaseRow, batch: Option<&BatchWindow>, omlp_label: impl Fn(&str) -> String) -> Vec<Row> {
    match case.kind {
        CaseKind::Kpi => {
            let month = case.kpi_month.and_then(|m| u32::try_from(m).ok()).map(|m| {
                // An invalid stored month reads as the domain's empty name.
                match case.kpi_year {
                    Some(y) if (1..=12).contains(&m) => crate::i18n::month_year(y, m),
                    y => format!("{} {}", crate::domain::calendar::month_name(m), y.unwrap_or_default()),
                }
            });
            let revenue =
                case.revenue_minor.map(|r| format_hundredths(case.revenue_currency.as_deref().unwrap_or("USD"), r));
            vec![
                Row::new("staff-case-row-kpi-month", or_not_provided(month)),
                Row::new("staff-case-row-omlp", or_not_provided(case.omlp_type.as_deref().map(&omlp_label))),
                Row::new("staff-case-row-purchase-unit", or_not_provided(case.purchase_unit.map(|p| p.to_string()))),
                Row::new("staff-case-row-kpi-value", or_not_provided(case.kpi_value.clone())),
                Row::new("staff-case-row-revenue", or_not_provided(revenue)),
                Row::new("staff-case-row-invoice-number", or_not_provided(case.invoice_number.clone())),
                Row::new("staff-case-row-document-type", t("staff-case-row-document-invoice")),
                Row::new(
                    "staff-case-row-invoice-check",
                    case.evidence.map_or_else(|| t("staff-case-row-not-checked"), words::evidence),
                ),
                Row::new("staff-case-row-anniversary", or_not_provided(case.anniversary_date.map(words::date))),
                Row::new("staff-case-row-description", or_not_provided(case.description.clone())),
            ]
        }
        CaseKind::Directory => {
            let batch = batch.map(|b| {
                ta(
                    "staff-case-batch-visible-by",
                    &[("batch", &words::batch_label(b)), ("date", &words::date(b.visible_by))],
                )
            });
            let country = case
                .country
                .as_deref()
                .map(|c| country_name(crate::i18n::current(), c).unwrap_or_else(|| c.to_string()));
            vec![
                Row::new("staff-field-name-on-directory", or_not_provided(case.directory_name.clone())),
                Row::new("staff-field-country", or_not_provided(country)),
                Row::new("staff-case-row-landing-page", t("staff-case-row-landing-confirmed")),
                Row::new("staff-case-row-batch", or_not_provided(batch)),
            ]
        }
    }
}

fn timeline(
    reference: &str,
    events: &[EventRow],
    files: &[AttachmentMeta],
    names: &HashMap<i64, String>,
    zone: chrono_tz::Tz,
) -> Vec<EntryView> {
    events
        .iter()
        .map(|e| {
            let (heading, show_body) = words::event_heading(e.event_type, e.body.as_deref());
            let actor = match e.actor_type {
                Actor::Staff => {
                    e.staff_id.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| t("staff-case-actor-staff"))
                }
                Actor::Partner => t("staff-case-actor-partner"),
                Actor::System => t("site-name"),
            };
            let lines = if show_body {
                e.body.as_deref().unwrap_or("").lines().map(str::to_string).collect()
            } else {
                Vec::new()
            };
            EntryView {
                heading,
                actor,
                iso: e.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                at: words::time(e.created_at, zone),
                lines,
                partner_visible: e.partner_visible,
                files: files.iter().filter(|f| f.event_id == Some(e.id)).map(|f| file_view(reference, f)).collect(),
            }
        })
        .collect()
}

fn banner_text(
    code: &str,
    case: &CaseRow,
    me: &CurrentStaff,
    names: &HashMap<i64, String>,
    dup: Option<&str>,
) -> Option<String> {
    let status = case.status;
    Some(match code {
        "assigned" => match case.assignee_id {
            Some(id) if id == me.id => t("staff-case-banner-assigned-you"),
            Some(id) => ta("staff-case-banner-assigned", &[("name", names.get(&id)?)]),
            None => return None,
        },
        "status" => ta("staff-case-banner-status", &[("status", &super::words::status(status))]),
        "note" => t("staff-case-banner-note"),
        "read" => t("staff-case-banner-read"),
        "landing_check" => t("staff-case-banner-landing-check"),
        "reply_waiting" => t("staff-case-banner-reply-waiting"),
        "reply" => t("staff-case-banner-reply"),
        "resolved" => t("staff-case-banner-resolved"),
        "rejected" => t("staff-case-banner-rejected"),
        "duplicate" => ta("staff-case-banner-duplicate", &[("reference", &dup?)]),
        _ => return None,
    })
}

fn render(
    state: &AppState,
    me: CurrentStaff,
    l: StaffView,
    v: Values,
    e: FieldErrors,
    banner: Option<&str>,
    http: StatusCode,
) -> Result<HttpResponse, AppError> {
    let StaffView { case, flags, events, files, staff, duplicate_of, batch, check, mail } = l;
    let zone = me.time_zone;
    let (kind, status) = (case.kind, case.status);
    let names: HashMap<i64, String> = staff.iter().map(|s| (s.id, s.name.clone())).collect();
    let reference = case.reference.clone();
    let overdue = !status.is_closed() && case.due_date < state.clock.today();
    let assignee_name =
        case.assignee_id.map(|id| names.get(&id).cloned().unwrap_or_else(|| ta("staff-staff-number", &[("id", &id)])));
    let case_rows = case_rows(&case, zone);
    let flags = flags
        .iter()
        .map(|f| FlagView {
            label: words::flag(f.code),
            class: "tag--orange",
            reason: f.reason.clone(),
            related: f.related_reference.clone(),
        })
        .collect();
    let banner = if e.is_empty() {
        banner.and_then(|code| banner_text(code, &case, &me, &names, duplicate_of.as_deref()))
    } else {
        None
    };
    let (staff_choices, status_choices) = choices(&case, &me, &staff, &v);
    let next = status.next(kind);
    let omlp = state.config.omlp_types.clone();
    let details_rows = details(&case, batch.as_ref(), |code| {
        omlp.iter().find(|t| t.code == code).map(|t| t.label.clone()).unwrap_or_else(|| code.to_string())
    });
    let page = CasePage {
        title: reference.clone(),
        has_errors: !e.is_empty(),
        summary: SummaryItem::of(&e, &PAGE_ORDER),
        me,
        banner,
        kind_label: super::words::kind(kind),
        status_label: super::words::status(status),
        status_class: status_class(status),
        overdue,
        flags,
        case_rows,
        assignee_name,
        duplicate_of,
        partner_rows: partner_rows(&case),
        details_title: t(match kind {
            CaseKind::Kpi => "staff-case-card-discrepancy",
            CaseKind::Directory => "staff-case-card-listing",
        }),
        details: details_rows,
        landing_link: case
            .landing_page_url
            .as_deref()
            .map(|u| (u.to_owned(), crate::domain::landing_url::display_url(u))),
        landing_check: check.as_ref().map(|c| c.words(state.clock.now())),
        approval_warning: check
            .as_ref()
            .filter(|_| next.contains(&Status::Approved))
            .and_then(|c| c.approval_warning()),
        evidence: files.iter().filter(|f| f.event_id.is_none()).map(|f| file_view(&reference, f)).collect(),
        timeline: timeline(&reference, &events, &files, &names, zone),
        unread: case.partner_unread_at.map(|when| words::time(when, zone)),
        mails: mail.iter().map(|m| mail_view(m, zone)).collect(),
        version: case.version,
        staff_choices,
        status_choices,
        can_reply: !status.is_closed(),
        can_close: next.contains(&Status::Resolved) || next.contains(&Status::Rejected),
        can_duplicate: next.contains(&Status::Duplicate),
        closed: status.is_closed(),
        max_chars: thousands(MESSAGE_MAX_CHARS),
        e,
        v,
        reference,
    };
    Ok(html(http, page.render()?))
}

/// The "Case" card's rows.
fn case_rows(case: &CaseRow, zone: chrono_tz::Tz) -> Vec<Row> {
    let priority = words::priority(Some(Priority::from_i32(case.priority).unwrap_or(Priority::Normal)));
    let mut rows = vec![
        Row::new("staff-case-row-status", super::words::status(case.status)),
        Row {
            key: t("staff-case-row-priority"),
            value: priority,
            hint: Some(case.priority_reason.clone()).filter(|r| !r.is_empty()),
        },
        Row::new("staff-case-row-due", words::date(case.due_date)),
        Row::new("staff-case-row-filed", words::time(case.created_at, zone)),
    ];
    if let Some(closed) = case.closed_at {
        rows.push(Row::new("staff-case-row-closed", words::date(closed.date())));
    }
    if let Some(m) = &case.resolution_message {
        rows.push(Row::new("staff-case-row-message", m.clone()));
    }
    rows
}

/// The assignee and status choices, with what was chosen kept.
fn choices(case: &CaseRow, me: &CurrentStaff, staff: &[StaffRow], v: &Values) -> (Vec<Choice>, Vec<Choice>) {
    let selected_assignee = if v.assignee.is_empty() {
        match case.assignee_id {
            Some(id) if id == me.id => "me".to_string(),
            Some(id) => id.to_string(),
            None => String::new(),
        }
    } else {
        v.assignee.clone()
    };
    let mut staff_choices = vec![Choice {
        id: String::new(),
        value: "me".into(),
        label: ta("staff-case-assign-me", &[("name", &me.name)]),
        on: selected_assignee == "me",
    }];
    staff_choices.extend(staff.iter().filter(|s| !s.disabled && s.id != me.id).map(|s| Choice {
        id: String::new(),
        value: s.id.to_string(),
        label: s.name.clone(),
        on: selected_assignee == s.id.to_string(),
    }));
    let status_choices = actions::status_choices(case.kind, case.status)
        .into_iter()
        .enumerate()
        .map(|(i, s)| Choice {
            id: if i == 0 { "status".into() } else { format!("status-{}", i + 1) },
            value: s.as_str().into(),
            label: super::words::status(s),
            on: v.status == s.as_str(),
        })
        .collect();
    (staff_choices, status_choices)
}

async fn load_and_render(
    state: &AppState,
    me: CurrentStaff,
    reference: String,
    v: Values,
    e: FieldErrors,
    banner: Option<&str>,
    http: StatusCode,
) -> Result<HttpResponse, AppError> {
    let loaded = match app::cases::for_staff(&state.db, &state.clock, &reference).await {
        Err(AppError::NotFound) => return super::not_found_page(me),
        other => other?,
    };
    render(state, me, loaded, v, e, banner, http)
}

/// `POST /staff/cases/{reference}/landing-check`: queue the landing-page
/// check again (its flags replace the previous check's).
pub async fn rerun_landing_check(
    state: web::Data<AppState>,
    me: CurrentStaff,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    me.check_csrf(&state, &form.csrf_token)?;
    let reference = path.into_inner();
    let case = CaseRef::Reference(reference.clone());
    match app::jobs::requeue_landing_check(&state.db, &state.clock, &state.jobs, case).await {
        Err(AppError::NotFound) => super::not_found_page(me),
        Err(e) => Err(e),
        Ok(()) => Ok(super::flash::redirect(&state, &case_path(&reference), "landing_check")),
    }
}

/// `POST /staff/cases/{reference}/read`: the partner's new message is read.
pub async fn mark_read(
    state: web::Data<AppState>,
    me: CurrentStaff,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    me.check_csrf(&state, &form.csrf_token)?;
    let reference = path.into_inner();
    match case_actions::mark_partner_read(&state.db, &reference).await {
        Err(AppError::NotFound) => super::not_found_page(me),
        Err(e) => Err(e),
        Ok(()) => Ok(super::flash::redirect(&state, &case_path(&reference), "read")),
    }
}

/// A form carrying only the anti-forgery token.
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

/// `GET /staff/cases/{reference}`.
pub async fn show(
    state: web::Data<AppState>,
    me: CurrentStaff,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let reference = path.into_inner();
    let banner = super::flash::take(&req).map(|(code, _)| code);
    let mut res = load_and_render(
        &state,
        me,
        reference.clone(),
        Values::default(),
        FieldErrors::new(),
        banner.as_deref(),
        StatusCode::OK,
    )
    .await?;
    super::flash::clear(&req, &mut res);
    Ok(res)
}

fn case_path(reference: &str) -> String {
    format!("/staff/cases/{reference}")
}

/// Every field any of the case's action forms sends.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    set_waiting: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    resolution_message: String,
    #[serde(default)]
    original: String,
    #[serde(default)]
    confirm_check: String,
}

/// Which action a POST is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Assign,
    Status,
    Note,
    Reply,
    Resolve,
    Duplicate,
}

impl Which {
    /// The control a refusal of this action is shown against.
    fn field(self) -> &'static str {
        match self {
            Self::Assign => "assignee",
            Self::Status => "status",
            Self::Note => "note-body",
            Self::Reply => "reply-message",
            Self::Resolve => "resolve-outcome",
            Self::Duplicate => "duplicate-original",
        }
    }
}

fn values_of(which: Which, f: &ActionForm) -> Values {
    let mut v = Values::default();
    match which {
        Which::Assign => v.assignee = f.assignee.clone(),
        Which::Status => {
            v.status = f.status.clone();
            v.confirm_check = actions::ticked(&f.confirm_check);
        }
        Which::Note => v.note_body = f.body.clone(),
        Which::Reply => {
            v.reply_message = f.message.clone();
            v.reply_set_waiting = actions::ticked(&f.set_waiting);
        }
        Which::Resolve => {
            v.outcome = f.outcome.clone();
            v.resolution_message = f.resolution_message.clone();
        }
        Which::Duplicate => v.original = f.original.clone(),
    }
    v
}

/// Parses the form of one action into a request, collecting every error.
fn parse(
    which: Which,
    f: &ActionForm,
    me: &CurrentStaff,
    reference: &str,
    e: &mut FieldErrors,
) -> Option<StaffRequest> {
    match which {
        Which::Assign => {
            let id = match f.assignee.trim() {
                "me" => Some(me.id),
                other => other.parse::<i64>().ok(),
            };
            e.check("assignee", id.ok_or_else(|| t("staff-case-error-assignee-missing"))).map(StaffRequest::Assign)
        }
        Which::Status => e
            .check("status", Status::parse(f.status.trim()).ok_or_else(|| t("staff-case-error-status-missing")))
            .map(|to| StaffRequest::Status { to, confirmed: actions::ticked(&f.confirm_check) }),
        Which::Note => e
            .check("note-body", message(&f.body, "staff-case-error-note-missing", "staff-case-note-label"))
            .map(StaffRequest::Note),
        Which::Reply => e
            .check("reply-message", message(&f.message, "staff-case-error-reply-missing", "staff-case-reply-label"))
            .map(|message| StaffRequest::Reply { message, set_waiting: actions::ticked(&f.set_waiting), file: None }),
        Which::Resolve => {
            let outcome = e.check(
                "resolve-outcome",
                Outcome::parse(&f.outcome).ok_or_else(|| t("staff-case-error-outcome-missing")),
            );
            let message = e.check(
                "resolve-message",
                message(&f.resolution_message, "staff-case-error-resolution-missing", "staff-case-resolve-label"),
            );
            Some(StaffRequest::Close { outcome: outcome?, message: message? })
        }
        Which::Duplicate => e
            .check(
                "duplicate-original",
                actions::parse_original_reference(&f.original, reference).map_err(|_| {
                    if f.original.trim().is_empty() {
                        t("staff-case-error-original-missing")
                    } else {
                        ta("staff-case-error-original-self", &[("reference", &reference)])
                    }
                }),
            )
            .map(StaffRequest::Duplicate),
    }
}

fn banner_code(which: Which, plan: &actions::Plan) -> &'static str {
    match which {
        Which::Assign => "assigned",
        Which::Status => "status",
        Which::Note => "note",
        Which::Reply if plan.status.is_some() => "reply_waiting",
        Which::Reply => "reply",
        Which::Resolve => plan.outcome.unwrap_or("resolved"),
        Which::Duplicate => "duplicate",
    }
}

async fn act(
    state: web::Data<AppState>,
    me: CurrentStaff,
    reference: String,
    form: ActionForm,
    which: Which,
) -> Result<HttpResponse, AppError> {
    act_with_file(state, me, reference, form, which, None).await
}

async fn act_with_file(
    state: web::Data<AppState>,
    me: CurrentStaff,
    reference: String,
    form: ActionForm,
    which: Which,
    file: Option<crate::app::intake::Upload>,
) -> Result<HttpResponse, AppError> {
    me.check_csrf(&state, &form.csrf_token)?;
    let values = values_of(which, &form);
    let mut errors = FieldErrors::new();
    let mut request = parse(which, &form, &me, &reference, &mut errors);
    if let Some(StaffRequest::Reply { file: f, .. }) = request.as_mut() {
        *f = file;
    }
    let Some(request) = request.filter(|_| errors.is_empty()) else {
        // Unknown case: 404 rather than a form about nothing.
        return load_and_render(&state, me, reference, values, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let applied = match case_actions::apply(&state.ctx(), &reference, version, me.id, request).await {
        Err(AppError::NotFound) => return super::not_found_page(me),
        other => other?,
    };
    match applied {
        Applied::Done(plan) => {
            tracing::info!(reference = %reference, action = ?which, staff_id = me.id, "case action");
            let path = case_path(&reference);
            Ok(super::flash::redirect(&state, &path, banner_code(which, &plan)))
        }
        Applied::Stale => {
            tracing::info!(reference = %reference, action = ?which, "case action on a stale version");
            let mut e = FieldErrors::new();
            e.add("", t("staff-case-error-stale"));
            load_and_render(&state, me, reference, values, e, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Applied::Refused(m) => {
            tracing::info!(reference = %reference, action = ?which, "case action refused");
            let mut e = FieldErrors::new();
            e.add(which.field(), m);
            load_and_render(&state, me, reference, values, e, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Applied::AttachmentRefused(why) => {
            let mut e = FieldErrors::new();
            e.add("reply-attachment", why);
            load_and_render(&state, me, reference, values, e, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Applied::NeedsConfirmation(warning) => {
            let mut e = FieldErrors::new();
            e.add(which.field(), ta("staff-case-error-confirm", &[("warning", &warning)]));
            load_and_render(&state, me, reference, values, e, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

macro_rules! action_handler {
    ($name:ident, $which:expr, $doc:literal) => {
        #[doc = $doc]
        pub async fn $name(
            state: web::Data<AppState>,
            me: CurrentStaff,
            path: web::Path<String>,
            form: web::Form<ActionForm>,
        ) -> Result<HttpResponse, AppError> {
            act(state, me, path.into_inner(), form.into_inner(), $which).await
        }
    };
}

action_handler!(assign, Which::Assign, "`POST /staff/cases/{reference}/assign`.");
action_handler!(change_status, Which::Status, "`POST /staff/cases/{reference}/status`.");
action_handler!(note, Which::Note, "`POST /staff/cases/{reference}/note`.");
/// `POST /staff/cases/{reference}/reply`: urlencoded, or multipart with an
/// optional `attachment` for the partner (examined like an invoice).
pub async fn reply(
    state: web::Data<AppState>,
    me: CurrentStaff,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    use actix_web::FromRequest;
    let reference = path.into_inner();
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let form = web::Form::<ActionForm>::from_request(&req, &mut payload.into_inner())
            .await
            .map_err(|_| AppError::BadRequest(t("staff-case-error-reply-unreadable")))?;
        return act(state, me, reference, form.into_inner(), Which::Reply).await;
    }
    // Held until the file is stored: it bounds the uploads in memory.
    let _upload = state.gates.uploads.enter().await?;
    let parts = actix_multipart::Multipart::new(req.headers(), payload);
    let data =
        crate::web::partner::multipart::read(parts, "attachment", crate::checks::document::MAX_FILE_BYTES).await?;
    let form = ActionForm {
        csrf_token: data.get("csrf_token"),
        version: data.get("version"),
        message: data.get("message"),
        set_waiting: data.get("set_waiting"),
        ..ActionForm::default()
    };
    let file = data.file.filter(|f| f.too_large || !f.bytes.is_empty());
    act_with_file(state, me, reference, form, Which::Reply, file).await
}
action_handler!(resolve, Which::Resolve, "`POST /staff/cases/{reference}/resolve`.");
action_handler!(duplicate, Which::Duplicate, "`POST /staff/cases/{reference}/duplicate`.");

/// `Content-Disposition: attachment` with an ASCII fallback name and the
/// exact UTF-8 name in RFC 5987 form.
pub fn attachment_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for b in file_name.as_bytes() {
        let c = *b as char;
        if c.is_ascii_alphanumeric() || "!#$&+-.^_`|~".contains(c) {
            encoded.push(c);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// The name a download is saved under: built here from the case reference
/// and the type found in the file's bytes, never the uploader's (which could
/// be `invoice.pdf.exe`, `.htaccess` or hide a right-to-left override).
pub fn download_name(reference: &str, id: i64, evidence: bool, extension: &str) -> String {
    let reference: String = reference.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    if evidence {
        format!("{reference}-invoice.{extension}")
    } else {
        format!("{reference}-attachment-{id}.{extension}")
    }
}

/// `GET /staff/cases/{reference}/attachments/{id}`: the stored bytes, always
/// as a download.
pub async fn download(
    state: web::Data<AppState>,
    _me: CurrentStaff,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (reference, id) = path.into_inner();
    let (meta, data) = app::cases::attachment(&state.db, &reference, id).await?;
    if meta.purged() {
        return Ok(crate::web::retention::gone(&meta));
    }
    file_response(&reference, &meta, data)
}

/// A stored file as a download: its detected type, a name Frontline builds,
/// and headers that keep a browser from rendering or sniffing it.
pub fn file_response(reference: &str, meta: &AttachmentMeta, data: Vec<u8>) -> Result<HttpResponse, AppError> {
    let (content_type, extension) = match meta.content_type.as_str() {
        t @ "application/pdf" => (t, "pdf"),
        t @ "image/png" => (t, "png"),
        t @ "image/jpeg" => (t, "jpg"),
        _ => ("application/octet-stream", "bin"),
    };
    let name = download_name(reference, meta.id, meta.event_id.is_none(), extension);
    let mut res = HttpResponse::Ok().content_type(content_type).body(data);
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&attachment_disposition(&name))
            .map_err(|e| anyhow::anyhow!("content disposition: {e}"))?,
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::attachment_disposition;

    #[test]
    fn dispositions_keep_utf8_names_and_stay_ascii() {
        assert_eq!(
            attachment_disposition("發票 0423.pdf"),
            "attachment; filename=\"__ 0423.pdf\"; filename*=UTF-8''%E7%99%BC%E7%A5%A8%200423.pdf"
        );
        assert_eq!(
            attachment_disposition("a\"b\\c;.pdf"),
            "attachment; filename=\"a_b_c;.pdf\"; filename*=UTF-8''a%22b%5Cc%3B.pdf"
        );
    }
}
