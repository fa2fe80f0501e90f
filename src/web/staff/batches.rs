//! `/staff/directory/batches`: approved directory requests grouped into
//! their monthly batch, the CSV export, and marking a batch submitted and
//! published.

use std::borrow::Cow;
use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::auth::CurrentStaff;
use super::{flash, words};
use crate::app;
use crate::domain::batch::BatchStatus;
use crate::domain::calendar::{BatchWindow, parse_batch_key};
use crate::domain::case::Status;
use crate::domain::directory::country_name;
use crate::error::AppError;
use crate::i18n::{t, ta};
use crate::store::batches::BatchCaseRow;
use crate::web::partner::track::status_class;
use crate::web::{AppState, SummaryItem, html};

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
    /// Landing page URL, as stored (ASCII: what the CSV carries, what works
    /// in any tool).
    pub landing_page_url: String,
    /// The same as people read it (an IDN host in Unicode), for the page.
    pub landing_page_shown: String,
    /// MPN / Partner ID.
    pub partner_id: String,
}

impl CaseLine {
    /// `lang`: the viewer's on the page, English in the CSV for the directory.
    fn of(c: &BatchCaseRow, lang: crate::i18n::Lang) -> Self {
        let country = c.country.clone().unwrap_or_default();
        Self {
            reference: c.reference.clone(),
            directory_name: c.directory_name.clone().unwrap_or_default(),
            country: country_name(lang, &country).unwrap_or(country),
            landing_page_url: c.landing_page_url.clone().unwrap_or_default(),
            landing_page_shown: c
                .landing_page_url
                .as_deref()
                .map(crate::domain::landing_url::display_url)
                .unwrap_or_default(),
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
    status_label: String,
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
    title: String,
    has_errors: bool,
    me: CurrentStaff,
    summary: Vec<SummaryItem>,
    banner: Option<String>,
    open: Vec<OpenBatch>,
    sent: Vec<SentBatch>,
}

/// Whether the batch's submission window is open on `today`, in words, in
/// the request's language: "Submit between 15 and 21 December 2026." and
/// where `today` stands.
fn window_text(batch: &BatchWindow, today: NaiveDate) -> (String, String) {
    let (opens, closes) = (words::date(batch.opens), words::date(batch.closes));
    let day = batch.opens.format("%-d").to_string();
    let when = ta("staff-batches-window", &[("day", &day), ("closes", &closes)]);
    let now = if batch.contains(today) {
        t("staff-batches-window-open")
    } else if today < batch.opens {
        ta("staff-batches-window-not-yet", &[("opens", &opens)])
    } else {
        ta("staff-batches-window-closed", &[("closes", &closes)])
    };
    (when, now)
}

fn open_batch(batch: &BatchWindow, today: NaiveDate, is_next: bool, cases: Vec<CaseLine>) -> OpenBatch {
    let (when, now) = window_text(batch, today);
    OpenBatch {
        key: batch.key(),
        label: words::batch_label(batch),
        when,
        now,
        visible_by: words::date(batch.visible_by),
        is_next,
        cases,
    }
}

fn date_of(at: Option<NaiveDateTime>) -> String {
    at.map(|at| words::short_date(at.date())).unwrap_or_else(|| t("staff-batches-not-yet"))
}

async fn render(
    state: &AppState,
    me: CurrentStaff,
    banner: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.today();
    let overview = app::batches::overview(&state.db, &state.clock).await?;
    // The batch a request approved today goes to is always shown, even empty.
    let mut groups: BTreeMap<String, Vec<CaseLine>> = BTreeMap::new();
    groups.entry(overview.next.key()).or_default();
    for (key, c) in &overview.approved {
        groups.entry(key.clone()).or_default().push(CaseLine::of(c, crate::i18n::current()));
    }
    let open = groups
        .into_iter()
        .filter_map(|(key, cases)| parse_batch_key(&key).map(|b| open_batch(&b, today, b == overview.next, cases)))
        .collect();
    let sent = overview
        .sent
        .iter()
        .filter_map(|(r, n)| {
            let batch = parse_batch_key(&r.batch_key)?;
            Some(SentBatch {
                key: batch.key(),
                label: words::batch_label(&batch),
                status_label: words::batch_status(r.status),
                status_class: match r.status {
                    BatchStatus::Published => status_class(Status::Published),
                    _ => status_class(Status::Submitted),
                },
                requests: *n,
                submitted_on: date_of(r.submitted_at),
                visible_by: words::short_date(batch.visible_by),
                published_on: date_of(r.published_at),
                can_publish: r.status == BatchStatus::Submitted,
            })
        })
        .collect();
    let page = BatchesPage {
        title: t("staff-batches-title"),
        has_errors: !errors.is_empty(),
        me,
        summary: errors.into_iter().map(SummaryItem::general).collect(),
        banner,
        open,
        sent,
    };
    Ok(html(status, page.render()?))
}

fn banner_text(code: &str, param: &str) -> Option<String> {
    let (key, count) = param.split_once(':').unwrap_or((param, ""));
    let batch = parse_batch_key(key)?;
    let count: usize = count.parse().ok()?;
    let (label, date) = (words::batch_label(&batch), words::date(batch.visible_by));
    let args: [(&'static str, &dyn std::fmt::Display); 3] = [("batch", &label), ("n", &count), ("date", &date)];
    let key = match (code, count) {
        ("batch-submitted", 1) => "staff-batches-banner-submitted-one",
        ("batch-submitted", _) => "staff-batches-banner-submitted-other",
        ("batch-published", 1) => "staff-batches-banner-published-one",
        ("batch-published", _) => "staff-batches-banner-published-other",
        _ => return None,
    };
    Some(ta(key, &args))
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

/// The CSV header (in English whatever the page's language: the directory
/// team imports it). "Landing page URL" is the address in ASCII (an IDN host
/// in punycode, the path percent-encoded): a link that works in any tool;
/// "Landing page as shown" is the same address as people read it (Unicode),
/// for the listing's visible text.
pub const CSV_HEADER: [&str; 6] =
    ["Name on the directory", "Country", "Landing page URL", "Partner ID", "Reference", "Landing page as shown"];

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
                spreadsheet_safe(&c.landing_page_shown).as_ref(),
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
    let cases = app::batches::requests_in(&state.db, &state.clock, &batch).await?;
    let lines: Vec<CaseLine> = cases.iter().map(|c| CaseLine::of(c, crate::i18n::Lang::En)).collect();
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
        // A unique violation (two at once) arrives as a message id.
        Err(AppError::Conflict(msg)) => render(state, me, None, vec![crate::i18n::t(&msg)], StatusCode::CONFLICT).await,
        Err(e) => Err(e),
    }
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
        return super::forbidden(me, &t("staff-batches-not-allowed"));
    }
    let batch = parse_batch_key(&key).ok_or(AppError::NotFound)?;
    let result = app::batches::submit(&state.db, &state.clock, me.id, batch).await;
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
        return super::forbidden(me, &t("staff-batches-not-allowed"));
    }
    let batch = parse_batch_key(&key).ok_or(AppError::NotFound)?;
    let result = app::batches::publish(&state.db, &state.clock, me.id, batch).await;
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
            landing_page_url: "https://xn--fsqu00a.xn--kpry57d/%E8%AA%B2".into(),
            landing_page_shown: "https://例子.台灣/課".into(),
            partner_id: "1234567".into(),
        };
        let out = String::from_utf8(batch_csv(&[line]).expect("csv")).expect("utf-8");
        assert_eq!(
            out,
            "\u{feff}Name on the directory,Country,Landing page URL,Partner ID,Reference,Landing page as shown\r\n\
             \"台灣, \"\"學習\"\"\",Taiwan,https://xn--fsqu00a.xn--kpry57d/%E8%AA%B2,1234567,DIR-2026-00001,https://例子.台灣/課\r\n"
        );
    }

    #[test]
    fn the_window_is_described_in_words() {
        let b = parse_batch_key("2026-12").expect("batch");
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        let (when, now) = window_text(&b, d(11, 24));
        assert_eq!(when, "Submit between 15 and 21 December 2026.");
        assert_eq!(now, "The submission window is not open yet: it opens on 15 December 2026.");
        assert_eq!(window_text(&b, d(12, 15)).1, "The submission window is open now.");
        assert_eq!(window_text(&b, d(12, 21)).1, "The submission window is open now.");
        assert_eq!(window_text(&b, d(12, 22)).1, "The submission window closed on 21 December 2026.");
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
