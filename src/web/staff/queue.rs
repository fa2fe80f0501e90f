//! `GET /staff/queue` and `POST /staff/queue/claim-next`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::auth::CurrentStaff;
use super::{flash, words};
use crate::app::{self, queue::Loaded};
use crate::domain::case::{CaseKind, Status};
use crate::domain::directory::country_name;
use crate::domain::queue::{
    self as rules, AssigneeFilter, Cursor, PageItem, QueueFilters, is_overdue, page_count, page_items,
};
use crate::domain::triage::{FlagCode, Priority};
use crate::error::AppError;
use crate::i18n::{t, ta};
use crate::store::queue::QueueRow;
use crate::store::staff::StaffRow;
use crate::web::partner::track::status_class;
use crate::web::{AppState, html, see_other};

const QUEUE_PATH: &str = "/staff/queue";

/// An option of a filter select.
pub struct Choice {
    /// The value sent.
    pub value: String,
    /// The text shown (with a count where there is one).
    pub text: String,
    /// Chosen now.
    pub selected: bool,
}

/// A tag.
pub struct Tag {
    pub label: String,
    /// CSS modifier.
    pub class: &'static str,
}

/// One row of the table, in words.
pub struct Row {
    pub reference: String,
    pub href: String,
    pub kind: String,
    pub partner_id: String,
    pub company: String,
    pub summary: String,
    pub priority: String,
    pub flags: Vec<Tag>,
    /// The partner wrote something staff have not read yet.
    pub unread: bool,
    pub status: Tag,
    pub assignee: String,
    pub age: String,
    pub due: String,
    pub due_iso: String,
    pub overdue: bool,
}

/// A pagination link.
pub struct PageLink {
    /// Page number, or `None` for a gap.
    pub number: Option<i64>,
    pub href: String,
    /// The current page.
    pub current: bool,
}

#[derive(Template)]
#[template(path = "staff/queue.html")]
struct QueuePage {
    title: String,
    has_errors: bool,
    me: CurrentStaff,
    flash: Option<Flash>,
    claim_kind: String,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    assignees: Vec<Choice>,
    flags: Vec<Choice>,
    /// The "New from the partner" filter is on.
    unread: bool,
    /// Sorted by latest activity.
    by_activity: bool,
    q: String,
    caption: String,
    rows: Vec<Row>,
    filtered: bool,
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<PageLink>,
}

fn href(filters: &QueueFilters, page: i64) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in filters.params() {
        ser.append_pair(k, &v);
    }
    if page > 1 {
        ser.append_pair("page", &page.to_string());
    }
    let qs = ser.finish();
    if qs.is_empty() { QUEUE_PATH.to_string() } else { format!("{QUEUE_PATH}?{qs}") }
}

/// A page link with a cursor (`after=` / `before=`).
fn with_cursor(link: String, c: &Cursor) -> String {
    let sep = if link.contains('?') { '&' } else { '?' };
    format!("{link}{sep}{}={}", if c.after { "after" } else { "before" }, c.value())
}

fn summary(r: &QueueRow) -> String {
    match r.kind {
        CaseKind::Kpi => {
            let number = r.invoice_number.clone().unwrap_or_else(|| t("staff-queue-summary-no-invoice"));
            let month = r.kpi_month.and_then(|m| u32::try_from(m).ok()).filter(|m| (1..=12).contains(m));
            match (month, r.kpi_year) {
                (Some(m), Some(y)) => ta(
                    "staff-queue-summary-invoice-month",
                    &[("number", &number), ("month", &crate::i18n::month_year(y, m))],
                ),
                _ => ta("staff-queue-summary-invoice", &[("number", &number)]),
            }
        }
        CaseKind::Directory => {
            let country =
                r.country.as_deref().map(|c| country_name(crate::i18n::current(), c).unwrap_or_else(|| c.to_string()));
            let name = r.directory_name.clone().unwrap_or_default();
            match country {
                Some(c) => ta("staff-queue-summary-directory", &[("name", &name), ("country", &c)]),
                None => name,
            }
        }
    }
}

fn staff_name(all: &[StaffRow], id: i64) -> String {
    all.iter().find(|s| s.id == id).map(|s| s.name.clone()).unwrap_or_else(|| ta("staff-staff-id", &[("id", &id)]))
}

fn caption(total: i64, f: &QueueFilters, all: &[StaffRow]) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.push(f.status.map(super::words::status).unwrap_or_else(|| t("staff-queue-open-work")));
    if let Some(k) = f.kind {
        parts.push(super::words::kind(k));
    }
    match f.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Me => parts.push(t("staff-queue-assigned-to-me")),
        AssigneeFilter::Unassigned => parts.push(t("staff-unassigned")),
        AssigneeFilter::Staff(id) => parts.push(ta("staff-queue-assigned-to", &[("name", &staff_name(all, id))])),
    }
    if let Some(fl) = f.flag {
        parts.push(ta("staff-queue-flagged", &[("flag", &words::flag(fl))]));
    }
    if !f.q.is_empty() {
        parts.push(ta("staff-queue-matching", &[("q", &f.q)]));
    }
    let n = if total == 1 { t("staff-queue-cases-one") } else { ta("staff-queue-cases-other", &[("n", &total)]) };
    ta("staff-queue-caption", &[("count", &n), ("filters", &parts.join(&t("staff-list-separator")))])
}

/// `GET /staff/queue`.
pub async fn show(state: web::Data<AppState>, req: HttpRequest, me: CurrentStaff) -> Result<HttpResponse, AppError> {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    let filters =
        QueueFilters::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(AppError::BadRequest)?;
    let page = match app::queue::load(&state.db, &filters, me.id).await? {
        Loaded::Page(page) => page,
        Loaded::PastTheEnd => {
            let mut first = filters.clone();
            first.page = 1;
            return Ok(see_other(&href(&first, 1)));
        }
    };
    let flash = flash::take(&req).and_then(|(code, _)| Flash::parse(&code));
    let body = view(&state, me, &filters, page, flash).render()?;
    let mut res = html(StatusCode::OK, body);
    flash::clear(&req, &mut res);
    Ok(res)
}

/// The filter selects, each option with its count.
fn choices(filters: &QueueFilters, page: &app::queue::Page) -> [Vec<Choice>; 4] {
    let count = |n: Option<&i64>| n.copied().unwrap_or(0);
    let open_total: i64 = rules::open_statuses().iter().map(|s| count(page.by_status.get(s))).sum();
    let mut statuses = vec![Choice {
        value: String::new(),
        text: ta("staff-queue-open-work-count", &[("n", &open_total)]),
        selected: filters.status.is_none(),
    }];
    statuses.extend(Status::ALL.into_iter().map(|s| Choice {
        value: s.as_str().into(),
        text: ta(
            "staff-queue-option-count",
            &[("label", &super::words::status(s)), ("n", &count(page.by_status.get(&s)))],
        ),
        selected: filters.status == Some(s),
    }));
    let kind_total: i64 = page.by_kind.values().sum();
    let mut kinds = vec![Choice {
        value: String::new(),
        text: ta("staff-queue-all-kinds", &[("n", &kind_total)]),
        selected: filters.kind.is_none(),
    }];
    kinds.extend(CaseKind::ALL.into_iter().map(|k| Choice {
        value: k.as_str().into(),
        text: ta("staff-queue-option-count", &[("label", &super::words::kind(k)), ("n", &count(page.by_kind.get(&k)))]),
        selected: filters.kind == Some(k),
    }));
    let mut assignees = vec![
        Choice {
            value: String::new(),
            text: t("staff-queue-anyone"),
            selected: filters.assignee == AssigneeFilter::Anyone,
        },
        Choice { value: "me".into(), text: t("staff-queue-me"), selected: filters.assignee == AssigneeFilter::Me },
        Choice {
            value: "unassigned".into(),
            text: t("staff-unassigned"),
            selected: filters.assignee == AssigneeFilter::Unassigned,
        },
    ];
    assignees.extend(page.staff.iter().map(|s| Choice {
        value: s.id.to_string(),
        text: if s.disabled { ta("staff-queue-disabled-name", &[("name", &s.name)]) } else { s.name.clone() },
        selected: filters.assignee == AssigneeFilter::Staff(s.id),
    }));
    let mut flags =
        vec![Choice { value: String::new(), text: t("staff-queue-any-flag"), selected: filters.flag.is_none() }];
    flags.extend(FlagCode::ALL.into_iter().map(|f| Choice {
        value: f.as_str().into(),
        text: words::flag(f),
        selected: filters.flag == Some(f),
    }));
    [kinds, statuses, assignees, flags]
}

/// One table row, in words.
fn row_view(r: &QueueRow, page: &app::queue::Page, state: &AppState) -> Row {
    let mut case_flags: Vec<FlagCode> = page.flags.iter().filter(|(id, _)| *id == r.id).map(|(_, c)| *c).collect();
    case_flags.sort();
    case_flags.dedup();
    Row {
        reference: r.reference.clone(),
        href: format!("/staff/cases/{}", r.reference),
        kind: super::words::kind(r.kind),
        partner_id: r.partner_id.clone(),
        company: r.company_name.clone(),
        summary: summary(r),
        priority: words::priority(Priority::from_i32(r.priority)),
        flags: case_flags.into_iter().map(|f| Tag { label: words::flag(f), class: "tag--grey" }).collect(),
        unread: r.partner_unread_at.is_some(),
        status: Tag { label: super::words::status(r.status), class: status_class(r.status) },
        assignee: r.assignee_id.map(|id| staff_name(&page.staff, id)).unwrap_or_else(|| t("staff-unassigned")),
        age: words::age(r.created_at, state.clock.now()),
        due: words::short_date(r.due_date),
        due_iso: r.due_date.format("%Y-%m-%d").to_string(),
        overdue: is_overdue(r.due_date, r.status, state.clock.today()),
    }
}

fn view(
    state: &AppState,
    me: CurrentStaff,
    filters: &QueueFilters,
    page: app::queue::Page,
    flash: Option<Flash>,
) -> QueuePage {
    let key = |r: &QueueRow, after: bool| Cursor {
        after,
        priority: r.priority,
        due_date: r.due_date,
        created_at: r.created_at,
        id: r.id,
    };
    let before_first = page.rows.first().map(|r| key(r, false));
    let after_last = page.rows.last().map(|r| key(r, true));
    let (number, pages) = (filters.page, page_count(page.total));
    let [kinds, statuses, assignees, flags] = choices(filters, &page);
    let rows = page.rows.iter().map(|r| row_view(r, &page, state)).collect();
    let page_links = page_items(number, pages)
        .into_iter()
        .map(|item| match item {
            PageItem::Page(n) => PageLink { number: Some(n), href: href(filters, n), current: n == number },
            PageItem::Gap => PageLink { number: None, href: String::new(), current: false },
        })
        .collect();
    QueuePage {
        title: if pages > 1 {
            ta("staff-queue-title-paged", &[("page", &number), ("pages", &pages)])
        } else {
            t("staff-queue-title")
        },
        has_errors: false,
        caption: caption(page.total, filters, &page.staff),
        claim_kind: filters.kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        me,
        flash,
        kinds,
        statuses,
        assignees,
        flags,
        unread: filters.unread,
        by_activity: filters.by_activity,
        q: filters.q.clone(),
        rows,
        filtered: filters.is_filtered(),
        prev: (number > 1).then(|| match before_first {
            Some(c) if number > 2 && !filters.by_activity => with_cursor(href(filters, number - 1), &c),
            _ => href(filters, number - 1),
        }),
        next: (number < pages).then(|| match after_last {
            Some(c) if !filters.by_activity => with_cursor(href(filters, number + 1), &c),
            _ => href(filters, number + 1),
        }),
        pages: page_links,
    }
}

/// The queue's one-time messages (carried by the staff flash cookie).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    /// Claim next found nothing (neutral banner).
    NothingToClaim,
}

impl Flash {
    /// The code in the flash cookie.
    pub fn code(self) -> &'static str {
        match self {
            Self::NothingToClaim => "nothing_to_claim",
        }
    }

    /// Reads a code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "nothing_to_claim" => Some(Self::NothingToClaim),
            _ => None,
        }
    }

    /// The banner's one line.
    pub fn message(self) -> String {
        match self {
            Self::NothingToClaim => t("staff-queue-nothing-to-claim"),
        }
    }
}

/// The claim-next form.
#[derive(Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    kind: String,
}

/// `POST /staff/queue/claim-next`: assigns the most urgent unassigned open
/// case to me and moves it to in review; 303 to it, or back to the queue
/// with a message when there is nothing to claim.
pub async fn claim_next(
    state: web::Data<AppState>,
    me: CurrentStaff,
    form: web::Form<ClaimForm>,
) -> Result<HttpResponse, AppError> {
    me.check_csrf(&state, &form.csrf_token)?;
    let kind = match form.kind.trim() {
        "" => None,
        k => Some(
            CaseKind::parse(k).ok_or_else(|| AppError::BadRequest(ta("staff-queue-error-kind", &[("kind", &k)])))?,
        ),
    };
    match app::queue::claim_next(&state.db, &state.clock, me.id, &me.name, kind).await? {
        Some(c) => {
            tracing::info!(staff_id = me.id, case_id = c.id, "case claimed");
            let path = format!("/staff/cases/{}", c.reference);
            // The case page says "Case assigned to you".
            Ok(flash::redirect(&state, &path, "assigned"))
        }
        None => {
            let back = match kind {
                Some(k) => format!("{QUEUE_PATH}?kind={}", k.as_str()),
                None => QUEUE_PATH.to_string(),
            };
            Ok(flash::redirect(&state, &back, Flash::NothingToClaim.code()))
        }
    }
}
