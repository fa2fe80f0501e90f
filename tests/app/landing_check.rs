//! The landing-page check job: a directory request filed through the form is
//! checked in the background against a tiny local web server that the
//! request's public-looking host name is pinned to.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use frontline::config::Config;
use frontline::store::cases::{CaseRow, EventRow, FlagRow};
use frontline::store::jobs::JobRow;
use frontline::store::schema::{cases, jobs};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::helpers::*;

const HOST: &str = "www.contoso-learning.com";

const GOOD: &str = "<!doctype html><html><head><title>Contoso Learning</title></head><body>\
    <h1>Contoso Learning</h1><p>Official Microsoft Learning Partner: Azure and Microsoft 365 courses.</p></body></html>";
const COMPETITOR: &str = "<!doctype html><html><body><h1>Contoso Learning</h1>\
    <p>Microsoft Azure and Amazon Web Services courses.</p></body></html>";
const NO_NAME: &str = "<!doctype html><html><body><h1>Fabrikam Training</h1>\
    <p>Microsoft Azure courses.</p></body></html>";

/// What the page server answers.
#[derive(Clone, Copy)]
enum Page {
    Html(&'static str),
    /// Answer nothing for this long.
    Sleep(Duration),
}

/// A page server on 127.0.0.1: answers every request with the current page
/// and counts requests. Runs until the test's runtime ends.
struct PageServer {
    addr: SocketAddr,
    page: Arc<Mutex<Page>>,
    hits: Arc<AtomicUsize>,
}

impl PageServer {
    async fn start(page: Page) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let page = Arc::new(Mutex::new(page));
        let hits = Arc::new(AtomicUsize::new(0));
        let (p, h) = (page.clone(), hits.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                h.fetch_add(1, Ordering::SeqCst);
                let current = *p.lock().expect("lock");
                tokio::spawn(async move {
                    let _ = answer(stream, current).await;
                });
            }
        });
        Self { addr, page, hits }
    }

    fn set(&self, page: Page) {
        *self.page.lock().expect("lock") = page;
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Points the app's landing check at this server, polling often.
    fn configure(&self, config: &mut Config) {
        config.check_resolve = vec![(HOST.into(), self.addr)];
        config.job_poll_interval = Duration::from_millis(50);
    }
}

async fn answer(mut stream: tokio::net::TcpStream, page: Page) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    match page {
        Page::Html(body) => {
            let out = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(out.as_bytes()).await?;
        }
        Page::Sleep(d) => tokio::time::sleep(d).await,
    }
    stream.shutdown().await
}

/// Files a directory request whose landing page is on the pinned host.
async fn file_directory(app: &TestApp) -> CaseRow {
    let url = format!("http://{HOST}/microsoft-training");
    let r = app.post_directory(&with(directory_fields(), "landing_page_url", Some(&url))).await;
    assert_eq!(r.status().as_u16(), 303, "the partner is redirected at once");
    let (_, html) = app.get_html(&location(&r)).await;
    app.case(&reference_in(&html).expect("reference")).await
}

/// Waits (at most `limit`) until the case's landing page was checked after `after`.
async fn checked(app: &TestApp, case_id: i64, after: Option<NaiveDateTime>, limit: Duration) -> CaseRow {
    let started = Instant::now();
    loop {
        let case = app.db.read(move |conn| Ok(frontline::store::cases::find(conn, case_id)?)).await.expect("case");
        if case.landing_checked_at.is_some() && case.landing_checked_at > after {
            return case;
        }
        assert!(started.elapsed() < limit, "the landing page was not checked within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn landing_flags(app: &TestApp, case_id: i64) -> Vec<FlagRow> {
    let all = app.db.read(move |conn| Ok(frontline::store::cases::flags(conn, case_id)?)).await.expect("flags");
    all.into_iter().filter(|f| f.source.as_str() == "landing_check").collect()
}

async fn check_events(app: &TestApp, case_id: i64) -> Vec<EventRow> {
    let all =
        app.db.read(move |conn| Ok(frontline::store::cases::events(conn, case_id, false)?)).await.expect("events");
    all.into_iter().filter(|e| e.event_type.as_str() == "landing_check").collect()
}

async fn case_jobs(app: &TestApp, case_id: i64) -> Vec<JobRow> {
    app.db.read(move |conn| Ok(frontline::store::jobs::for_case(conn, case_id)?)).await.expect("jobs")
}

fn codes(flags: &[FlagRow]) -> Vec<&str> {
    flags.iter().map(|f| f.code.as_str()).collect()
}

#[actix_web::test]
async fn a_good_landing_page_raises_no_flags_and_is_noted_on_the_timeline() {
    let server = PageServer::start(Page::Html(GOOD)).await;
    let app = spawn_app_with(|c| server.configure(c)).await;
    let case = file_directory(&app).await;
    let case = checked(&app, case.id, None, Duration::from_secs(10)).await;
    assert_eq!(codes(&landing_flags(&app, case.id).await), Vec::<&str>::new());
    let events = check_events(&app, case.id).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor_type.as_str(), "system");
    assert!(!events[0].partner_visible, "the check is internal");
    let body = events[0].body.clone().unwrap_or_default();
    assert!(body.contains("no problems found"), "{body}");
    assert!(body.contains(HOST), "{body}");
    let jobs = case_jobs(&app, case.id).await;
    assert_eq!((jobs[0].status.as_str(), jobs[0].attempts), ("done", 1));
    assert_eq!(server.hits(), 1);
}

#[actix_web::test]
async fn a_page_naming_a_competitor_is_flagged_with_its_name() {
    let server = PageServer::start(Page::Html(COMPETITOR)).await;
    let app = spawn_app_with(|c| server.configure(c)).await;
    let case = file_directory(&app).await;
    checked(&app, case.id, None, Duration::from_secs(10)).await;
    let flags = landing_flags(&app, case.id).await;
    assert_eq!(codes(&flags), vec!["landing_competitor"]);
    assert!(flags[0].reason.contains("Amazon Web Services"), "{}", flags[0].reason);
    let body = check_events(&app, case.id).await[0].body.clone().unwrap_or_default();
    assert!(body.contains("Competitor named") && body.contains("Amazon Web Services"), "{body}");
}

#[actix_web::test]
async fn a_page_without_the_directory_name_is_flagged() {
    let server = PageServer::start(Page::Html(NO_NAME)).await;
    let app = spawn_app_with(|c| server.configure(c)).await;
    let case = file_directory(&app).await;
    checked(&app, case.id, None, Duration::from_secs(10)).await;
    let flags = landing_flags(&app, case.id).await;
    assert_eq!(codes(&flags), vec!["landing_name_missing"]);
    assert!(flags[0].reason.contains("Contoso Learning"), "{}", flags[0].reason);
}

#[actix_web::test]
async fn a_slow_page_is_retried_with_backoff_then_recorded_as_unreachable() {
    let server = PageServer::start(Page::Sleep(Duration::from_secs(30))).await;
    let app = spawn_app_with(|c| {
        server.configure(c);
        c.check_timeout = Duration::from_millis(200);
        c.job_backoff_base = Duration::from_millis(20);
    })
    .await;
    let case = file_directory(&app).await;
    // Five attempts of 0.2 s, with 20 + 80 + 320 + 1280 ms between them.
    checked(&app, case.id, None, Duration::from_secs(20)).await;
    let flags = landing_flags(&app, case.id).await;
    assert_eq!(codes(&flags), vec!["landing_unreachable"]);
    assert!(flags[0].reason.contains("5 attempts") && flags[0].reason.contains("timed out"), "{}", flags[0].reason);
    let jobs = case_jobs(&app, case.id).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!((jobs[0].status.as_str(), jobs[0].attempts), ("failed", 5));
    assert!(jobs[0].last_error.as_deref().is_some_and(|e| e.contains("timed out")));
    assert_eq!(server.hits(), 5, "one request per attempt");
    let body = check_events(&app, case.id).await[0].body.clone().unwrap_or_default();
    assert!(body.contains("Landing page unreachable"), "{body}");
}

/// Sets a job's state as a crashed instance would leave it.
async fn lease_job(app: &TestApp, job_id: i64, locked_until: NaiveDateTime) {
    app.db
        .write(move |conn| {
            diesel::update(jobs::table.find(job_id))
                .set((jobs::status.eq("running"), jobs::attempts.eq(1), jobs::locked_until.eq(Some(locked_until))))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("lease the job");
}

#[actix_web::test]
async fn a_job_left_running_by_a_dead_instance_is_taken_again_once_its_lease_ends() {
    let server = PageServer::start(Page::Html(COMPETITOR)).await;
    // Instance A files the request but runs no jobs.
    let app = spawn_app_with(|c| {
        server.configure(c);
        c.run_jobs = false;
    })
    .await;
    let case = file_directory(&app).await;
    let job = case_jobs(&app, case.id).await.remove(0);
    assert_eq!(job.status.as_str(), "pending");
    // A crashed instance claimed it; its lease still runs.
    let now = chrono::Utc::now().naive_utc();
    lease_job(&app, job.id, now + chrono::Duration::hours(1)).await;

    // Instance B, on the same database, runs jobs.
    let mut config = Config::defaults(app.db.url().clone());
    config.mail.dir = app.mail_dir.clone();
    config.bind = "127.0.0.1:0".into();
    config.workers = 1;
    config.pool_size = 2;
    server.configure(&mut config);
    let b = frontline::Application::build(config).await.expect("second instance builds");
    actix_web::rt::spawn(b.run_until_stopped());

    tokio::time::sleep(Duration::from_millis(600)).await;
    let still = case_jobs(&app, case.id).await.remove(0);
    assert_eq!((still.status.as_str(), still.attempts), ("running", 1), "a live lease is respected");
    assert_eq!(server.hits(), 0);

    // The lease ends: instance B takes the job again.
    lease_job(&app, job.id, now - chrono::Duration::minutes(1)).await;
    checked(&app, case.id, None, Duration::from_secs(10)).await;
    let done = case_jobs(&app, case.id).await.remove(0);
    assert_eq!((done.status.as_str(), done.attempts), ("done", 2));
    assert_eq!(codes(&landing_flags(&app, case.id).await), vec!["landing_competitor"]);
}

#[actix_web::test]
async fn staff_can_run_the_check_again_and_its_flags_replace_the_previous_ones() {
    let server = PageServer::start(Page::Html(COMPETITOR)).await;
    let app = spawn_app_with(|c| server.configure(c)).await;
    let case = file_directory(&app).await;
    let first = checked(&app, case.id, None, Duration::from_secs(10)).await;
    assert_eq!(codes(&landing_flags(&app, case.id).await), vec!["landing_competitor"]);

    // The partner fixes the page; staff run the check again.
    server.set(Page::Html(NO_NAME));
    tokio::time::sleep(Duration::from_millis(20)).await; // a later check time
    // Through the case page, as staff do it.
    app.sign_in_as("ana@frontline.example", "agent").await;
    let page = format!("/staff/cases/{}", case.reference);
    let (_, html) = app.get_html(&page).await;
    assert!(html.contains("Landing page check") && html.contains("Checked "), "the last check's time is shown");
    let keys = hidden_inputs(&html);
    let token = keys.get("csrf_token").cloned().unwrap_or_default();
    let r = app
        .client
        .post(app.url(&format!("{page}/landing-check")))
        .form(&[("csrf_token", token)])
        .send()
        .await
        .expect("rerun");
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), page);
    let (_, html) = app.get_html(&page).await;
    assert!(html.contains("The landing page will be checked again in a moment"));
    checked(&app, case.id, first.landing_checked_at, Duration::from_secs(10)).await;
    assert_eq!(codes(&landing_flags(&app, case.id).await), vec!["landing_name_missing"]);
    assert_eq!(check_events(&app, case.id).await.len(), 2, "each check is on the timeline");
    let jobs = case_jobs(&app, case.id).await;
    assert_eq!(jobs.len(), 2);
    assert!(jobs.iter().all(|j| j.status.as_str() == "done"));

    // Only directory requests have a landing page; unknown cases are 404.
    let kpi = app.post_kpi(&kpi_fields(), Some(("invoice.pdf", fixture("invoice_chromium.pdf")))).await;
    assert_eq!(kpi.status().as_u16(), 303);
    let kpi_id: i64 = app
        .db
        .read(|conn| Ok(cases::table.filter(cases::kind.eq("kpi")).select(cases::id).first(conn)?))
        .await
        .expect("kpi case");
    let refused = frontline::app::jobs::requeue_landing_check(
        &app.state.db,
        &app.state.clock,
        &app.state.jobs,
        frontline::app::jobs::CaseRef::Id(kpi_id),
    )
    .await;
    assert!(matches!(refused, Err(frontline::error::AppError::BadRequest(_))), "{refused:?}");
    let missing = frontline::app::jobs::requeue_landing_check(
        &app.state.db,
        &app.state.clock,
        &app.state.jobs,
        frontline::app::jobs::CaseRef::Id(999_999),
    )
    .await;
    assert!(matches!(missing, Err(frontline::error::AppError::NotFound)), "{missing:?}");
}

/// Posts the status form of the case page as served, with `extra` fields.
async fn change_status(app: &TestApp, reference: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let (_, html) = app.get_html(&format!("/staff/cases/{reference}")).await;
    let mut body: Vec<(String, String)> = hidden_inputs(&html).into_iter().collect();
    body.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    app.client.post(app.url(&format!("/staff/cases/{reference}/status"))).form(&body).send().await.expect("status")
}

async fn status_events(app: &TestApp, case_id: i64) -> Vec<EventRow> {
    let all =
        app.db.read(move |conn| Ok(frontline::store::cases::events(conn, case_id, false)?)).await.expect("events");
    all.into_iter().filter(|e| e.event_type.as_str() == "status").collect()
}

#[actix_web::test]
async fn while_attempts_fail_the_case_page_says_so_and_approving_asks_first() {
    let server = PageServer::start(Page::Sleep(Duration::from_secs(30))).await;
    let app = spawn_app_with(|c| {
        server.configure(c);
        c.check_timeout = Duration::from_millis(200);
        // The second attempt is an hour away.
        c.job_backoff_base = Duration::from_secs(3600);
    })
    .await;
    let case = file_directory(&app).await;
    let started = Instant::now();
    while case_jobs(&app, case.id).await.first().is_none_or(|j| j.attempts < 1 || j.status.as_str() != "pending") {
        assert!(started.elapsed() < Duration::from_secs(10), "the first attempt did not fail in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let next = case_jobs(&app, case.id).await[0].run_after;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let page = format!("/staff/cases/{}", case.reference);
    let (_, html) = app.get_html(&page).await;
    let shown = html_unescape(&html);
    assert!(shown.contains("1 attempt failed (timed out"), "what happened is shown");
    assert!(shown.contains(&format!("next attempt at {}", next.format("%H:%M UTC"))), "and what happens next");
    assert!(!shown.contains("Not checked yet"));

    // In review: approving now asks first, and nothing changes until it is confirmed.
    assert_eq!(change_status(&app, &case.reference, &[("status", "in_review")]).await.status().as_u16(), 303);
    let (_, html) = app.get_html(&page).await;
    assert!(html.contains("Approve anyway"), "the status form offers the confirmation");
    let r = change_status(&app, &case.reference, &[("status", "approved")]).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = html_unescape(&r.text().await.expect("body"));
    assert!(html.contains("The landing page has not been checked yet"), "the warning names the reason");
    assert!(html.contains("tick “Approve anyway”"), "and says how to go on");
    assert_eq!(app.case(&case.reference).await.status.as_str(), "in_review", "nothing changed");

    let r = change_status(&app, &case.reference, &[("status", "approved"), ("confirm_check", "on")]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.case(&case.reference).await.status.as_str(), "approved");
    let last = status_events(&app, case.id).await.into_iter().next().expect("status event");
    let body = last.body.unwrap_or_default();
    assert!(body.contains("approved despite the landing-page check"), "it is logged: {body}");
    assert!(!last.partner_visible, "the partner never reads the warning");
}

#[actix_web::test]
async fn a_check_that_found_a_problem_is_shown_with_its_age_and_approving_asks_first() {
    let server = PageServer::start(Page::Html(COMPETITOR)).await;
    let app = spawn_app_with(|c| server.configure(c)).await;
    let case = file_directory(&app).await;
    checked(&app, case.id, None, Duration::from_secs(10)).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let page = format!("/staff/cases/{}", case.reference);
    let (_, html) = app.get_html(&page).await;
    assert!(html_unescape(&html).contains("Checked just now: 1 problem – see the flags above"), "{html}");
    assert_eq!(change_status(&app, &case.reference, &[("status", "in_review")]).await.status().as_u16(), 303);
    let r = change_status(&app, &case.reference, &[("status", "approved")]).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.expect("body").contains("The landing-page check found 1 problem"));
    let r = change_status(&app, &case.reference, &[("status", "approved"), ("confirm_check", "on")]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.case(&case.reference).await.status.as_str(), "approved");
}

#[actix_web::test]
async fn a_clean_check_lets_staff_approve_without_a_second_question() {
    let server = PageServer::start(Page::Html(GOOD)).await;
    let app = spawn_app_with(|c| server.configure(c)).await;
    let case = file_directory(&app).await;
    checked(&app, case.id, None, Duration::from_secs(10)).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    assert_eq!(change_status(&app, &case.reference, &[("status", "in_review")]).await.status().as_u16(), 303);
    let (_, html) = app.get_html(&format!("/staff/cases/{}", case.reference)).await;
    assert!(html.contains("Checked just now: no problems found"));
    assert!(!html.contains("Approve anyway"));
    let r = change_status(&app, &case.reference, &[("status", "approved")]).await;
    assert_eq!(r.status().as_u16(), 303);
    let last = status_events(&app, case.id).await.into_iter().next().expect("status event");
    assert!(!last.body.unwrap_or_default().contains("despite"));
}

/// The name shown only in text hidden by the page's own CSS, a competitor
/// hidden the same ways, and Microsoft shown.
const HIDDEN_TRICKS: &str = "<!doctype html><html><head><style>\
    .seo { display: none } @media screen { .later { visibility: hidden } }\
    </style></head><body><h1>Fabrikam Training</h1>\
    <p class=seo>Contoso Learning</p>\
    <p>Microsoft Azure courses.<span style=\"font-size:0\">Amazon Web Services</span>\
    <span class=later>Google Cloud</span><span hidden>Oracle Cloud</span></p></body></html>";

/// A competitor named only through CSS-generated text.
const GENERATED_COMPETITOR: &str = "<!doctype html><html><head><style>\
    .partners::after { content: \"Amazon Web Services\" }</style></head><body>\
    <h1>Contoso Learning</h1><p>Microsoft Azure courses.</p><p class=partners>Also: </p></body></html>";

#[actix_web::test]
async fn only_text_a_visitor_sees_counts_in_the_landing_check() {
    let server = PageServer::start(Page::Html(HIDDEN_TRICKS)).await;
    let app = spawn_app_with(|c| server.configure(c)).await;
    let case = file_directory(&app).await;
    checked(&app, case.id, None, Duration::from_secs(10)).await;
    let flags = landing_flags(&app, case.id).await;
    assert_eq!(codes(&flags), vec!["landing_name_missing"], "hidden name does not count; hidden competitors neither");

    server.set(Page::Html(GENERATED_COMPETITOR));
    let first = app.case(&case.reference).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let page = format!("/staff/cases/{}", case.reference);
    let token = hidden_inputs(&app.get_html(&page).await.1).get("csrf_token").cloned().unwrap_or_default();
    let r = app.client.post(app.url(&format!("{page}/landing-check"))).form(&[("csrf_token", token)]).send().await;
    assert_eq!(r.expect("rerun").status().as_u16(), 303);
    checked(&app, case.id, first.landing_checked_at, Duration::from_secs(10)).await;
    let flags = landing_flags(&app, case.id).await;
    assert_eq!(codes(&flags), vec!["landing_competitor"]);
    assert!(flags[0].reason.contains("Amazon Web Services"), "{}", flags[0].reason);
}
