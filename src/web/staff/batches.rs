//! `/staff/directory/batches`: approved directory requests grouped into
//! their monthly batch, the CSV export, and marking a batch submitted and
//! published.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::auth::CurrentStaff;
use super::flash;
use crate::domain::batch::{BatchStatus, batch_for_approved, published_message, submitted_message, window_text};
use crate::domain::calendar::{BatchWindow, long_date, parse_batch_key, short_date};
use crate::domain::case::Status;
use crate::domain::directory::country_name;
use crate::domain::timeline::{Actor, EventType};
use crate::error::AppError;
use crate::store::DbConnection;
use crate::store::batches::{self as store, BatchCaseRow, BatchRow};
use crate::store::cases::{NewEvent, insert_event};
use crate::web::partner::track::status_class;
use crate::web::{AppState, html};

const PAGE: &str = "/staff/directory/batches";

/// A form carrying only the anti-forgery token.
#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

/// One request as a batch lists it.
pub struct CaseLine {
    /// Case reference (links to the case page).
    pub reference: String,
    /// Name on the directory.
    pub directory_name: String,
    /// Country name, in words.
    pub country: String,
    /// Landing page URL.
    pub landing_page_url: String,
    /// MPN / Partner ID.
    pub partner_id: String,
}

impl CaseLine {
    fn of(c: &BatchCaseRow) -> Self {
        let country = c.country.clone().unwrap_or_default();
        Self {
            reference: c.reference.clone(),
            directory_name: c.directory_name.clone().unwrap_or_default(),
            country: country_name(&country).unwrap_or(country),
            landing_page_url: c.landing_page_url.clone().unwrap_or_default(),
            partner_id: c.partner_id.clone(),
        }
    }
}

/// A batch still collecting approved requests.
pub struct OpenBatch {
    key: String,
    label: String,
    when: String,
    now: String,
    visible_by: String,
    is_next: bool,
    cases: Vec<CaseLine>,
}

/// A batch already sent.
pub struct SentBatch {
    key: String,
    label: String,
    status_label: &'static str,
    status_class: &'static str,
    requests: usize,
    submitted_on: String,
    visible_by: String,
    published_on: String,
    can_publish: bool,
}

#[derive(Template)]
#[template(path = "staff/batches.html")]
struct BatchesPage {
    title: &'static str,
    has_errors: bool,
    me: CurrentStaff,
    errors: Vec<String>,
    banner: Option<String>,
    open: Vec<OpenBatch>,
    sent: Vec<SentBatch>,
}

/// What the page shows, loaded in one transaction.
struct Overview {
    rows: Vec<BatchRow>,
    approved: Vec<BatchCaseRow>,
    sent_counts: Vec<usize>,
}

/// Brings every approved request's `batch_key` up to date (domain rule
/// [`batch_for_approved`]) and returns the stored batches and the approved
/// requests with their current keys. Runs inside a write transaction.
fn refresh_batch_keys(
    conn: &mut DbConnection,
    today: NaiveDate,
) -> Result<(Vec<BatchRow>, Vec<BatchCaseRow>), AppError> {
    let rows = store::all(conn)?;
    let sent: HashSet<String> = rows.iter().filter(|r| r.status.is_sent()).map(|r| r.batch_key.clone()).collect();
    let mut approved = store::directory_cases_with_status(conn, Status::Approved)?;
    for case in &mut approved {
        let want = batch_for_approved(case.batch_key.as_deref(), today, |k| sent.contains(k)).key();
        if case.batch_key.as_deref() != Some(want.as_str()) {
            store::set_batch_key(conn, case.id, &want)?;
            tracing::info!(case_id = case.id, from = ?case.batch_key, to = %want, "directory request moved to a later batch");
            case.batch_key = Some(want);
        }
    }
    Ok((rows, approved))
}

fn load_overview(conn: &mut DbConnection, today: NaiveDate) -> Result<Overview, AppError> {
    let (rows, approved) = refresh_batch_keys(conn, today)?;
    let mut sent_counts = Vec::with_capacity(rows.len());
    for r in &rows {
        let n = store::cases_in_batch(conn, &r.batch_key, &[Status::Submitted, Status::Published])?.len();
        sent_counts.push(n);
    }
    Ok(Overview { rows, approved, sent_counts })
}

fn open_batch(batch: &BatchWindow, today: NaiveDate, is_next: bool, cases: Vec<CaseLine>) -> OpenBatch {
    let (when, now) = window_text(batch, today);
    OpenBatch {
        key: batch.key(),
        label: batch.label(),
        when,
        now,
        visible_by: long_date(batch.visible_by),
        is_next,
        cases,
    }
}

fn date_of(at: Option<NaiveDateTime>) -> String {
    at.map(|t| short_date(t.date())).unwrap_or_else(|| "Not yet".into())
}

async fn render(
    state: &AppState,
    me: CurrentStaff,
    banner: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.today();
    let overview = state.db.write(move |conn| load_overview(conn, today)).await?;
    let sent_keys: HashSet<String> =
        overview.rows.iter().filter(|r| r.status.is_sent()).map(|r| r.batch_key.clone()).collect();
    // The batch a request approved today goes to is always shown, even empty.
    let next = batch_for_approved(None, today, |k| sent_keys.contains(k));
    let mut groups: BTreeMap<String, Vec<CaseLine>> = BTreeMap::new();
    groups.entry(next.key()).or_default();
    for c in &overview.approved {
        if let Some(key) = &c.batch_key {
            groups.entry(key.clone()).or_default().push(CaseLine::of(c));
        }
    }
    let open = groups
        .into_iter()
        .filter_map(|(key, cases)| parse_batch_key(&key).map(|b| open_batch(&b, today, b == next, cases)))
        .collect();
    let sent = overview
        .rows
        .iter()
        .zip(&overview.sent_counts)
        .filter_map(|(r, n)| {
            let batch = parse_batch_key(&r.batch_key)?;
            let status = r.status;
            Some(SentBatch {
                key: batch.key(),
                label: batch.label(),
                status_label: status.label(),
                status_class: match status {
                    BatchStatus::Published => status_class(Status::Published),
                    _ => status_class(Status::Submitted),
                },
                requests: *n,
                submitted_on: date_of(r.submitted_at),
                visible_by: short_date(batch.visible_by),
                published_on: date_of(r.published_at),
                can_publish: status == BatchStatus::Submitted,
            })
        })
        .collect();
    let page =
        BatchesPage { title: "Directory batches", has_errors: !errors.is_empty(), me, errors, banner, open, sent };
    Ok(html(status, page.render()?))
}

fn banner_text(code: &str, param: &str) -> Option<String> {
    let (key, count) = param.split_once(':').unwrap_or((param, ""));
    let batch = parse_batch_key(key)?;
    let count: usize = count.parse().ok()?;
    let requests = if count == 1 { "1 request".to_string() } else { format!("{count} requests") };
    match code {
        "batch-submitted" => Some(format!(
            "{} batch marked as submitted – {requests} should be visible in the directory by {}",
            batch.label(),
            long_date(batch.visible_by)
        )),
        "batch-published" => Some(format!("{} batch marked as published – {requests} published", batch.label())),
        _ => None,
    }
}

/// `GET /staff/directory/batches`.
pub async fn list(state: web::Data<AppState>, me: CurrentStaff, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let banner = flash::take(&req).and_then(|(code, param)| banner_text(&code, &param));
    let mut res = render(&state, me, banner, Vec::new(), StatusCode::OK).await?;
    flash::clear(&req, &mut res);
    Ok(res)
}

/// Prefix that makes a spreadsheet read a cell as text.
const TEXT_PREFIX: char = '\'';

/// Guards a CSV cell against formula injection (OWASP "CSV Injection"):
/// a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in
/// some, a tab or carriage return) as a formula, so such a cell gets a
/// leading apostrophe, which spreadsheets show as text and do not run.
/// Partner IDs (digits), references and `https://` URLs never start with
/// these, so only hostile or unusual names are changed. Invisible
/// formatting characters (which could reorder what the directory team
/// reads) are dropped too.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    if cell.chars().any(crate::domain::text::is_format_control) {
        return Cow::Owned(spreadsheet_safe(&crate::domain::text::strip_format_controls(cell)).into_owned());
    }
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("{TEXT_PREFIX}{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Why an agent cannot submit or publish a batch.
const NOT_ALLOWED: &str = "Only admins, and agents an admin has allowed, can submit or publish a directory batch.";

/// The CSV header.
pub const CSV_HEADER: [&str; 5] = ["Name on the directory", "Country", "Landing page URL", "Partner ID", "Reference"];

/// The batch as CSV: UTF-8 with a byte-order mark (so spreadsheet programs
/// open Chinese names intact), CRLF line ends, every cell guarded by
/// [`spreadsheet_safe`].
pub fn batch_csv(cases: &[CaseLine]) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(CSV_HEADER).map_err(|e| anyhow::anyhow!("csv: {e}"))?;
        for c in cases {
            w.write_record([
                spreadsheet_safe(&c.directory_name).as_ref(),
                spreadsheet_safe(&c.country).as_ref(),
                spreadsheet_safe(&c.landing_page_url).as_ref(),
                spreadsheet_safe(&c.partner_id).as_ref(),
                spreadsheet_safe(&c.reference).as_ref(),
            ])
            .map_err(|e| anyhow::anyhow!("csv: {e}"))?;
        }
        w.flush().map_err(|e| anyhow::anyhow!("csv: {e}"))?;
    }
    Ok(out)
}

/// `GET /staff/directory/batches/{key}.csv`: the batch's requests (approved
/// while it is open; submitted or published once sent).
pub async fn csv_export(
    state: web::Data<AppState>,
    _me: CurrentStaff,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let batch = parse_batch_key(&key).ok_or(AppError::NotFound)?;
    let today = state.clock.today();
    let k = batch.key();
    let cases = state
        .db
        .write(move |conn| {
            refresh_batch_keys(conn, today)?;
            Ok(store::cases_in_batch(conn, &k, &[Status::Approved, Status::Submitted, Status::Published])?)
        })
        .await?;
    let lines: Vec<CaseLine> = cases.iter().map(CaseLine::of).collect();
    let body = batch_csv(&lines)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"directory-batch-{}.csv\"", batch.key()),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// Turns a refused batch action into the batches page with the reason in
/// its error summary (409); other errors pass through.
async fn refused_or(
    state: &AppState,
    me: CurrentStaff,
    result: Result<usize, AppError>,
    batch: &BatchWindow,
    code: &str,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(n) => Ok(flash::redirect(state, PAGE, &format!("{code}:{}:{n}", batch.key()))),
        Err(AppError::Conflict(msg)) => render(state, me, None, vec![msg], StatusCode::CONFLICT).await,
        Err(e) => Err(e),
    }
}

fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
}

/// Moves one case of the batch on, with its partner-visible timeline entry.
fn move_case(
    conn: &mut DbConnection,
    case: &BatchCaseRow,
    to: Status,
    staff_id: i64,
    at: NaiveDateTime,
    message: &str,
) -> Result<(), AppError> {
    let (kind, from) = (case.kind, case.status);
    let to = from.transition(to, kind).map_err(|m| AppError::Conflict(format!("{}: {m}", case.reference)))?;
    let closed_at = to.is_closed().then_some(at);
    let changed = store::change_status(conn, case.id, from, case.version, to, at, closed_at)?;
    if changed != 1 {
        return Err(AppError::Conflict(format!(
            "{} changed while the batch was being updated, so nothing was changed – check the latest details and try again",
            case.reference
        )));
    }
    insert_event(
        conn,
        &NewEvent {
            case_id: case.id,
            created_at: at,
            actor_type: Actor::Staff,
            staff_id: Some(staff_id),
            event_type: if to == Status::Published { EventType::Published } else { EventType::Submitted },
            body: Some(message.to_string()),
            partner_visible: true,
        },
    )?;
    Ok(())
}

/// `POST /staff/directory/batches/{key}/submit`: marks the batch submitted
/// and moves its approved requests to submitted, in one transaction.
pub async fn submit(
    state: web::Data<AppState>,
    me: CurrentStaff,
    key: web::Path<String>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    me.check_csrf(&state, &form.csrf_token)?;
    if !me.can_send_batches() {
        return super::forbidden(me, NOT_ALLOWED);
    }
    let batch = parse_batch_key(&key).ok_or(AppError::NotFound)?;
    let (today, at, staff_id) = (state.clock.today(), state.clock.now(), me.id);
    let result = state
        .db
        .write(move |conn| {
            let key = batch.key();
            let (rows, approved) = refresh_batch_keys(conn, today)?;
            let status = rows.iter().find(|r| r.batch_key == key).map_or(BatchStatus::Open, |r| r.status);
            let cases: Vec<BatchCaseRow> =
                approved.into_iter().filter(|c| c.batch_key.as_deref() == Some(key.as_str())).collect();
            status.submit(&batch, cases.len()).map_err(AppError::Conflict)?;
            store::insert_submitted(conn, &key, at).map_err(|e| {
                if is_unique_violation(&e) {
                    AppError::Conflict(format!("The {} batch has already been submitted", batch.label()))
                } else {
                    e.into()
                }
            })?;
            let message = submitted_message(&batch);
            for case in &cases {
                move_case(conn, case, Status::Submitted, staff_id, at, &message)?;
            }
            Ok(cases.len())
        })
        .await;
    if let Ok(n) = &result {
        tracing::info!(batch = %batch.key(), requests = n, staff_id, "directory batch submitted");
    }
    refused_or(&state, me, result, &batch, "batch-submitted").await
}

/// `POST /staff/directory/batches/{key}/publish`: marks a submitted batch
/// published and its submitted requests published, in one transaction.
pub async fn publish(
    state: web::Data<AppState>,
    me: CurrentStaff,
    key: web::Path<String>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    me.check_csrf(&state, &form.csrf_token)?;
    if !me.can_send_batches() {
        return super::forbidden(me, NOT_ALLOWED);
    }
    let batch = parse_batch_key(&key).ok_or(AppError::NotFound)?;
    let (at, staff_id) = (state.clock.now(), me.id);
    let result = state
        .db
        .write(move |conn| {
            let key = batch.key();
            let status = store::find(conn, &key)?.map_or(BatchStatus::Open, |r| r.status);
            status.publish(&batch).map_err(AppError::Conflict)?;
            if store::mark_published(conn, &key, at)? != 1 {
                return Err(AppError::Conflict(format!("The {} batch is already published", batch.label())));
            }
            let cases = store::cases_in_batch(conn, &key, &[Status::Submitted])?;
            let message = published_message(&batch);
            for case in &cases {
                move_case(conn, case, Status::Published, staff_id, at, &message)?;
            }
            Ok(cases.len())
        })
        .await;
    if let Ok(n) = &result {
        tracing::info!(batch = %batch.key(), requests = n, staff_id, "directory batch published");
    }
    refused_or(&state, me, result, &batch, "batch-published").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_would_run_as_formulas_become_text() {
        for bad in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(bad), format!("'{bad}"), "{bad:?}");
        }
        for fine in ["Contoso", "台灣微軟", "https://www.example.com/a=b", "1234567", "DIR-2026-00001", ""] {
            assert_eq!(spreadsheet_safe(fine), fine);
        }
        assert_eq!(spreadsheet_safe("Contoso\u{202E}gnp.exe"), "Contosognp.exe");
        assert_eq!(spreadsheet_safe("\u{200B}=1+1"), "'=1+1", "no hiding a formula behind an invisible character");
    }

    #[test]
    fn csv_has_a_bom_a_header_and_crlf_rows() {
        let line = CaseLine {
            reference: "DIR-2026-00001".into(),
            directory_name: "台灣, \"學習\"".into(),
            country: "Taiwan".into(),
            landing_page_url: "https://example.com/".into(),
            partner_id: "1234567".into(),
        };
        let out = String::from_utf8(batch_csv(&[line]).expect("csv")).expect("utf-8");
        assert_eq!(
            out,
            "\u{feff}Name on the directory,Country,Landing page URL,Partner ID,Reference\r\n\
             \"台灣, \"\"學習\"\"\",Taiwan,https://example.com/,1234567,DIR-2026-00001\r\n"
        );
    }

    #[test]
    fn banners_come_only_from_known_codes() {
        assert_eq!(
            banner_text("batch-submitted", "2026-12:2").as_deref(),
            Some(
                "December 2026 batch marked as submitted – 2 requests should be visible in the directory by 7 January 2027"
            )
        );
        assert_eq!(
            banner_text("batch-published", "2026-12:1").as_deref(),
            Some("December 2026 batch marked as published – 1 request published")
        );
        assert_eq!(banner_text("other", "2026-12:1"), None);
        assert_eq!(banner_text("batch-published", "<script>:1"), None);
    }
}
