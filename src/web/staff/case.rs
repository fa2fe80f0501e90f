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
use crate::app::case_actions::{self, Applied, StaffRequest};
use crate::app::jobs::CaseRef;
use crate::app::{self, cases::StaffView};
use crate::domain::actions::{self, MESSAGE_MAX_CHARS, Outcome, msg};
use crate::domain::calendar::BatchWindow;
use crate::domain::calendar::long_date;
use crate::domain::case::{CaseKind, Status};
use crate::domain::contact::ContactRole;
use crate::domain::directory::country_name;
use crate::domain::errors::FieldErrors;
use crate::domain::kpi::format_hundredths;
use crate::domain::text::thousands;
use crate::domain::timeline::Actor;
use crate::domain::triage::Priority;
use crate::error::AppError;
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
    pub key: &'static str,
    /// The value, in words.
    pub value: String,
    /// A line of explanation under the value (why this priority).
    pub hint: Option<String>,
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
    kind_label: &'static str,
    status_label: &'static str,
    status_class: &'static str,
    overdue: bool,
    flags: Vec<FlagView>,
    case_rows: Vec<Row>,
    assignee_name: Option<String>,
    duplicate_of: Option<String>,
    partner_rows: Vec<Row>,
    details_title: &'static str,
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
    pub label: &'static str,
    /// Who it went to.
    pub to: String,
    /// Where it stands, in words.
    pub state: String,
    /// Not delivered, for good.
    pub failed: bool,
}

fn mail_view(m: &crate::store::outbox::MailRow, zone: chrono_tz::Tz) -> MailView {
    use crate::domain::mail::MailStatus;
    let at = |t: chrono::NaiveDateTime| crate::domain::calendar::long_time(t, zone);
    let state = match m.status {
        MailStatus::Sent => format!("Sent {}", at(m.sent_at.unwrap_or(m.created_at))),
        MailStatus::Pending if m.attempts == 0 => "Waiting to be sent".to_owned(),
        MailStatus::Pending => format!(
            "Not sent yet: {} attempt{} failed ({}); next attempt {}",
            m.attempts,
            if m.attempts == 1 { "" } else { "s" },
            m.last_error.as_deref().unwrap_or("no reason given"),
            at(m.run_after)
        ),
        MailStatus::Sending => "Being sent".to_owned(),
        MailStatus::Failed => format!("Not delivered: {}", m.last_error.as_deref().unwrap_or("no reason given")),
    };
    MailView { label: m.kind.label(), to: m.recipient.clone(), state, failed: m.status == MailStatus::Failed }
}

fn or_not_provided(v: Option<String>) -> String {
    v.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "Not provided".into())
}

fn file_view(reference: &str, f: &AttachmentMeta) -> FileView {
    FileView {
        href: format!("/staff/cases/{reference}/attachments/{}", f.id),
        // The partner's name for it, as text only: the download itself is
        // named by Frontline (see `download_name`).
        name: crate::domain::text::strip_format_controls(&f.file_name),
        detail: format!("{}, {}", short_type(&f.content_type), human_size(f.size_bytes)),
    }
}

fn partner_rows(case: &CaseRow) -> Vec<Row> {
    let role = ContactRole::parse(&case.contact_role).map(|r| r.label().to_string());
    vec![
        Row { key: "MPN / Partner ID", value: case.partner_id.clone(), hint: None },
        Row { key: "Company name", value: case.company_name.clone(), hint: None },
        Row { key: "Contact name", value: case.contact_name.clone(), hint: None },
        Row { key: "Email address", value: case.contact_email.clone(), hint: None },
        Row { key: "Role", value: or_not_provided(role), hint: None },
    ]
}

fn details(case: &CaseRow, batch: Option<&BatchWindow>, omlp_label: impl Fn(&str) -> String) -> Vec<Row> {
    match case.kind {
        CaseKind::Kpi => {
            let month = case
                .kpi_month
                .and_then(|m| u32::try_from(m).ok())
                .map(|m| format!("{} {}", crate::domain::calendar::month_name(m), case.kpi_year.unwrap_or_default()));
            vec![
                Row { key: "KPI month", value: or_not_provided(month), hint: None },
                Row {
                    key: "OMLP type",
                    value: or_not_provided(case.omlp_type.as_deref().map(&omlp_label)),
                    hint: None,
                },
                Row {
                    key: "Purchase unit",
                    value: or_not_provided(case.purchase_unit.map(|p| p.to_string())),
                    hint: None,
                },
                Row { key: "KPI value", value: or_not_provided(case.kpi_value.clone()), hint: None },
                Row {
                    key: "Revenue value",
                    value: or_not_provided(
                        case.revenue_minor
                            .map(|r| format_hundredths(case.revenue_currency.as_deref().unwrap_or("USD"), r)),
                    ),
                    hint: None,
                },
                Row { key: "Invoice number", value: or_not_provided(case.invoice_number.clone()), hint: None },
                Row { key: "Type of document", value: "Invoice".into(), hint: None },
                Row {
                    key: "Invoice check",
                    value: case.evidence.map_or("Not checked", |e| e.words()).into(),
                    hint: None,
                },
                Row {
                    key: "Anniversary date",
                    value: or_not_provided(case.anniversary_date.map(long_date)),
                    hint: None,
                },
                Row { key: "Description", value: or_not_provided(case.description.clone()), hint: None },
            ]
        }
        CaseKind::Directory => {
            let batch = batch.map(|b| format!("{} (visible by {})", b.label(), long_date(b.visible_by)));
            vec![
                Row { key: "Name on the directory", value: or_not_provided(case.directory_name.clone()), hint: None },
                Row {
                    key: "Country",
                    value: or_not_provided(
                        case.country.as_deref().map(|c| country_name(c).unwrap_or_else(|| c.to_string())),
                    ),
                    hint: None,
                },
                Row {
                    key: "Landing page",
                    value:
                        "The partner confirmed it is only about them, shows no competitors and is on their own website"
                            .into(),
                    hint: None,
                },
                Row { key: "Directory batch", value: or_not_provided(batch), hint: None },
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
            let (heading, show_body) = e.event_type.heading(e.body.as_deref());
            let actor = match e.actor_type {
                Actor::Staff => e.staff_id.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| "Staff".into()),
                Actor::Partner => "Partner".into(),
                Actor::System => "Frontline".into(),
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
                at: crate::domain::calendar::long_time(e.created_at, zone),
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
            Some(id) if id == me.id => "Case assigned to you".into(),
            Some(id) => format!("Case assigned to {}", names.get(&id)?),
            None => return None,
        },
        "status" => format!("Status changed to {}", status.label()),
        "note" => "Note added".into(),
        "read" => "Marked as read".into(),
        "landing_check" => "The landing page will be checked again in a moment".into(),
        "reply_waiting" => "Reply sent – the case is now waiting on the partner".into(),
        "reply" => "Reply sent to the partner".into(),
        "resolved" => "Case resolved – the partner can see your message".into(),
        "rejected" => "Case rejected – the partner can see your message".into(),
        "duplicate" => format!("Case marked as a duplicate of {}", dup?),
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
    let assignee_name = case.assignee_id.map(|id| names.get(&id).cloned().unwrap_or_else(|| format!("Staff #{id}")));
    let case_rows = case_rows(&case, zone);
    let flags = flags
        .iter()
        .map(|f| FlagView {
            label: f.code.label().to_string(),
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
        kind_label: kind.label(),
        status_label: status.label(),
        status_class: status_class(status),
        overdue,
        flags,
        case_rows,
        assignee_name,
        duplicate_of,
        partner_rows: partner_rows(&case),
        details_title: match kind {
            CaseKind::Kpi => "Discrepancy",
            CaseKind::Directory => "Listing",
        },
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
        unread: case.partner_unread_at.map(|t| crate::domain::calendar::long_time(t, zone)),
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
    let priority = Priority::from_i32(case.priority).map(Priority::label).unwrap_or("Normal");
    let mut rows = vec![
        Row { key: "Status", value: case.status.label().into(), hint: None },
        Row {
            key: "Priority",
            value: priority.into(),
            hint: Some(case.priority_reason.clone()).filter(|r| !r.is_empty()),
        },
        Row { key: "Due date", value: long_date(case.due_date), hint: None },
        Row { key: "Filed", value: crate::domain::calendar::long_time(case.created_at, zone), hint: None },
    ];
    if let Some(closed) = case.closed_at {
        rows.push(Row { key: "Closed", value: long_date(closed.date()), hint: None });
    }
    if let Some(m) = &case.resolution_message {
        rows.push(Row { key: "Message to partner", value: m.clone(), hint: None });
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
        label: format!("Me ({})", me.name),
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
            label: s.label().into(),
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
            e.check("assignee", id.ok_or_else(|| msg::ASSIGNEE_MISSING.to_string())).map(StaffRequest::Assign)
        }
        Which::Status => e
            .check("status", Status::parse(f.status.trim()).ok_or_else(|| msg::STATUS_MISSING.to_string()))
            .map(|to| StaffRequest::Status { to, confirmed: actions::ticked(&f.confirm_check) }),
        Which::Note => {
            e.check("note-body", actions::parse_message(&f.body, msg::NOTE_MISSING, "Note")).map(StaffRequest::Note)
        }
        Which::Reply => e
            .check("reply-message", actions::parse_message(&f.message, msg::REPLY_MISSING, "Reply"))
            .map(|message| StaffRequest::Reply { message, set_waiting: actions::ticked(&f.set_waiting), file: None }),
        Which::Resolve => {
            let outcome =
                e.check("resolve-outcome", Outcome::parse(&f.outcome).ok_or_else(|| msg::OUTCOME_MISSING.to_string()));
            let message = e.check(
                "resolve-message",
                actions::parse_message(&f.resolution_message, msg::RESOLUTION_MISSING, "Message to the partner"),
            );
            Some(StaffRequest::Close { outcome: outcome?, message: message? })
        }
        Which::Duplicate => e
            .check("duplicate-original", actions::parse_original_reference(&f.original, reference))
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
            e.add("", msg::STALE);
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
            e.add(
                which.field(),
                format!("{warning} To approve it all the same, tick “Approve anyway” and send again."),
            );
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
        let form = web::Form::<ActionForm>::from_request(&req, &mut payload.into_inner()).await.map_err(|_| {
            AppError::BadRequest("The reply form could not be read. Send it again from the case page.".into())
        })?;
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
