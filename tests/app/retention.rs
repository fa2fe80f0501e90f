//! The retention rule (`FRONTLINE_RETENTION_DAYS`): the contents of the
//! files of a case closed longer than the setting ago are removed by a
//! purge (the job runner's, or called here directly on a pinned clock that
//! the tests move), the case and the files' names stay, the pages say the
//! file was removed and its download answers 410; `0` keeps everything;
//! the privacy page names the configured period in both languages.

use std::time::Duration;

use frontline::clock::Clock;
use frontline::store::cases::{self as cases_store, AttachmentMeta};

use crate::helpers::*;

const INVOICE_NAME: &str = "發票-INV-2026-0423.pdf";
const STAFF: &str = "ana@frontline.example";

/// A clock pinned at the real now (the KPI form's month rules follow the
/// real date), moved by the tests.
fn clock_now() -> Clock {
    Clock::pinned(chrono::Utc::now().naive_utc())
}

/// Files a KPI case with its invoice; returns its reference and tracking path.
async fn file_kpi(app: &TestApp, invoice_number: &str) -> (String, String) {
    let fields = with(kpi_fields(), "invoice_number", Some(invoice_number));
    let r = app.post_kpi(&fields, Some((INVOICE_NAME, fixture("invoice_chromium.pdf")))).await;
    assert_eq!(r.status().as_u16(), 303, "case filed");
    let track = location(&r);
    let (_, html) = app.get_html(&track).await;
    (reference_in(&html).expect("reference"), track)
}

/// The partner answers on the tracking page with a file attached.
async fn partner_reply_with_file(app: &TestApp, track: &str) {
    let (_, page) = app.get_html(track).await;
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in hidden_inputs(&page) {
        form = form.text(k, v);
    }
    form = form.text("message", "The screenshot of the dashboard".to_string());
    form = form.part("attachment", reqwest::multipart::Part::bytes(fixture("invoice.png")).file_name("截圖.png"));
    let r = app.second_client().post(app.url(&format!("{track}/reply"))).multipart(form).send().await.expect("reply");
    assert_eq!(r.status().as_u16(), 303, "reply sent");
}

/// Signs the agent in (again: moving the clock ends sessions).
async fn sign_in(app: &TestApp) {
    let r = app.post_login(STAFF, STAFF_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303, "signed in");
}

/// Posts a staff action with the case page's hidden inputs; it must succeed.
async fn act(app: &TestApp, reference: &str, action: &str, fields: &[(&str, &str)]) {
    let (status, page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    assert_eq!(status, 200, "case page");
    let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
    body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let r =
        app.client.post(app.url(&format!("/staff/cases/{reference}/{action}"))).form(&body).send().await.expect("act");
    assert_eq!(r.status().as_u16(), 303, "{action}: {}", r.text().await.unwrap_or_default());
}

/// Closes a case as `outcome` (`resolved` or `rejected`).
async fn close(app: &TestApp, reference: &str, outcome: &str) {
    act(app, reference, "status", &[("status", "in_review")]).await;
    act(app, reference, "resolve", &[("outcome", outcome), ("resolution_message", "Done.")]).await;
    assert_eq!(app.case(reference).await.status.as_str(), outcome);
}

/// A case's files, with the length of the bytes still stored for each.
async fn files(app: &TestApp, reference: &str) -> Vec<(AttachmentMeta, usize)> {
    let case_id = app.case(reference).await.id;
    app.db
        .read(move |conn| {
            let mut out = Vec::new();
            for meta in cases_store::attachments(conn, case_id)? {
                let (_, data) = cases_store::attachment_data(conn, case_id, meta.id)?.expect("file");
                out.push((meta, data.len()));
            }
            Ok(out)
        })
        .await
        .expect("files")
}

/// How many purge entries the case's timeline holds.
async fn purge_entries(app: &TestApp, reference: &str) -> Vec<String> {
    let case_id = app.case(reference).await.id;
    let events = app.db.read(move |c| Ok(cases_store::events(c, case_id, false)?)).await.expect("events");
    events.into_iter().filter(|e| e.event_type.as_str() == "files_removed").filter_map(|e| e.body).collect()
}

async fn purge(app: &TestApp, days: u32) -> frontline::app::retention::Purge {
    frontline::app::retention::purge_expired(&app.db, &app.state.clock, days).await.expect("purge runs")
}

fn kept(files: &[(AttachmentMeta, usize)]) -> bool {
    !files.is_empty() && files.iter().all(|(m, len)| m.purged_at.is_none() && *len as i64 == m.size_bytes && *len > 0)
}

fn removed(files: &[(AttachmentMeta, usize)]) -> bool {
    !files.is_empty() && files.iter().all(|(m, len)| m.purged_at.is_some() && *len == 0 && m.size_bytes > 0)
}

#[actix_web::test]
async fn files_of_cases_closed_longer_ago_than_the_rule_lose_their_contents_and_say_so() {
    let clock = clock_now();
    let app = spawn_app_with_clock(clock.clone(), |c| {
        c.run_jobs = false;
        c.retention_days = 30;
    })
    .await;
    let (old, old_track) = file_kpi(&app, "INV-2026-0001").await;
    let (recent, recent_track) = file_kpi(&app, "INV-2026-0002").await;
    let (open, _) = file_kpi(&app, "INV-2026-0003").await;
    partner_reply_with_file(&app, &old_track).await;
    app.sign_in_as(STAFF, "agent").await;

    // `old` closes today, `recent` 20 days later; `open` never closes.
    close(&app, &old, "resolved").await;
    clock.advance(chrono::Duration::days(20));
    sign_in(&app).await;
    close(&app, &recent, "rejected").await;
    clock.advance(chrono::Duration::days(15));

    let old_files = files(&app, &old).await;
    assert_eq!(old_files.len(), 2, "the invoice and the reply's file");
    assert!(kept(&old_files));
    let done = purge(&app, 30).await;
    assert_eq!((done.files, done.cases, done.more), (2, 1, false), "only the case closed 35 days ago");

    let old_files = files(&app, &old).await;
    assert!(removed(&old_files), "{:?}", old_files.iter().map(|(m, l)| (m.purged_at, *l)).collect::<Vec<_>>());
    assert!(old_files.iter().all(|(m, _)| m.kept_days == Some(30)));
    assert_eq!(old_files[0].0.file_name, INVOICE_NAME, "the name stays");
    assert!(kept(&files(&app, &recent).await), "closed 15 days ago: kept");
    assert!(kept(&files(&app, &open).await), "open for 35 days: kept");
    let case = app.case(&old).await;
    assert_eq!(case.status.as_str(), "resolved", "the case stays as it was");
    let entries = purge_entries(&app, &old).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(entries[0].contains("2 uploaded files") && entries[0].contains("30 days"), "{entries:?}");

    // A second run finds nothing more, and records nothing.
    assert_eq!(purge(&app, 30).await.files, 0);
    assert_eq!(purge_entries(&app, &old).await.len(), 1);

    // The partner's page names the files as removed, with no link; the
    // download addresses answer 410 with a page that says why.
    let (status, page) = app.get_html(&old_track).await;
    assert_eq!(status, 200);
    let page = html_unescape(&page);
    assert!(page.contains("removed after 30 days under the retention rule"), "{page}");
    assert!(page.contains(INVOICE_NAME) && page.contains("截圖.png"), "the names stay");
    assert!(!page.contains(&format!("{old_track}/attachments/")), "no download link");
    assert!(page.contains("The screenshot of the dashboard"), "the messages stay");
    for (meta, _) in &old_files {
        let r = app.second_client().get(app.url(&format!("{old_track}/attachments/{}", meta.id))).send().await;
        let r = r.expect("download");
        assert_eq!(r.status().as_u16(), 410);
        let body = r.text().await.expect("body");
        assert!(body.contains("This file was removed") && body.contains("30 days after the case closed"), "{body}");
    }
    let (_, zh) = app.get_html(&format!("{old_track}?lang=zh-TW")).await;
    assert!(html_unescape(&zh).contains("依檔案保存規定，已於結案 30 天後刪除"), "{zh}");
    let r = app.get(&format!("{old_track}/attachments/{}", old_files[0].0.id)).await;
    assert_eq!(r.status().as_u16(), 410);
    assert!(r.text().await.expect("body").contains("此檔案已刪除"));
    app.get("/?lang=en").await;

    // Staff see the same, and the timeline says when and why.
    sign_in(&app).await;
    let (status, staff_page) = app.get_html(&format!("/staff/cases/{old}")).await;
    assert_eq!(status, 200);
    let staff_page = html_unescape(&staff_page);
    assert!(staff_page.contains("removed after 30 days under the retention rule"), "{staff_page}");
    assert!(!staff_page.contains(&format!("/staff/cases/{old}/attachments/")), "no download link");
    assert!(staff_page.contains("Uploaded files removed"), "the timeline entry");
    let r = app.get(&format!("/staff/cases/{old}/attachments/{}", old_files[0].0.id)).await;
    assert_eq!(r.status().as_u16(), 410);

    // A file still kept downloads as before.
    let (_, page) = app.get_html(&recent_track).await;
    assert!(!page.contains("removed after"));
    let recent_files = files(&app, &recent).await;
    let r = app.get(&format!("/staff/cases/{recent}/attachments/{}", recent_files[0].0.id)).await;
    assert_eq!(r.status().as_u16(), 200);

    // Much later, the rejected case's files go too; the open case keeps its own.
    clock.advance(chrono::Duration::days(400));
    let done = purge(&app, 30).await;
    assert_eq!((done.files, done.cases), (1, 1));
    assert!(removed(&files(&app, &recent).await));
    assert!(kept(&files(&app, &open).await), "open for 435 days: still kept");
}

#[actix_web::test]
async fn a_batch_removes_at_most_its_bound_and_each_file_once() {
    let clock = clock_now();
    let app = spawn_app_with_clock(clock.clone(), |c| c.run_jobs = false).await;
    let (first, _) = file_kpi(&app, "INV-2026-0030").await;
    let (second, _) = file_kpi(&app, "INV-2026-0031").await;
    app.sign_in_as(STAFF, "agent").await;
    close(&app, &first, "resolved").await;
    close(&app, &second, "rejected").await;
    clock.advance(chrono::Duration::days(366));
    let now = clock.now();
    let batch = || {
        app.db.write(move |conn| {
            let closed = frontline::domain::retention::closed_statuses();
            let before = now - chrono::Duration::days(365);
            Ok(frontline::store::retention::purge_batch(conn, &closed, before, now, 365, 1)?)
        })
    };
    let one = batch().await.expect("batch");
    let two = batch().await.expect("batch");
    assert_eq!((one.len(), two.len()), (1, 1), "one file per batch of one");
    assert_ne!(one[0].id, two[0].id, "each file once");
    assert!(batch().await.expect("batch").is_empty(), "nothing left");
    assert!(removed(&files(&app, &first).await) && removed(&files(&app, &second).await));
}

#[actix_web::test]
async fn zero_keeps_every_file_for_good() {
    let clock = clock_now();
    let app = spawn_app_with_clock(clock.clone(), |c| {
        c.run_jobs = false;
        c.retention_days = 0;
    })
    .await;
    let (reference, track) = file_kpi(&app, "INV-2026-0010").await;
    app.sign_in_as(STAFF, "agent").await;
    close(&app, &reference, "resolved").await;
    clock.advance(chrono::Duration::days(3650 * 2));
    assert_eq!(purge(&app, 0).await, frontline::app::retention::Purge::default());
    let kept_files = files(&app, &reference).await;
    assert!(kept(&kept_files));
    assert!(purge_entries(&app, &reference).await.is_empty());
    let r = app.second_client().get(app.url(&format!("{track}/attachments/{}", kept_files[0].0.id))).send().await;
    assert_eq!(r.expect("download").status().as_u16(), 200);

    let (_, privacy) = app.get_html("/privacy").await;
    assert!(
        html_unescape(&privacy).contains("Uploaded files are kept with the case, with no time limit set."),
        "{privacy}"
    );
    assert!(privacy.contains("The case record itself"));
    let (_, zh) = app.get_html("/privacy?lang=zh-TW").await;
    assert!(zh.contains("未設定保存期限"), "{zh}");
}

#[actix_web::test]
async fn the_job_runner_purges_on_its_own() {
    let clock = clock_now();
    let app = spawn_app_with_clock(clock.clone(), |c| {
        c.retention_days = 1;
        c.job_poll_interval = Duration::from_millis(100);
    })
    .await;
    let (reference, _) = file_kpi(&app, "INV-2026-0020").await;
    app.sign_in_as(STAFF, "agent").await;
    close(&app, &reference, "resolved").await;
    assert!(kept(&files(&app, &reference).await), "closed just now: kept");

    clock.advance(chrono::Duration::days(2));
    let mut waited = Duration::ZERO;
    while !removed(&files(&app, &reference).await) {
        assert!(waited < Duration::from_secs(20), "the runner purges within its poll interval");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
    assert_eq!(purge_entries(&app, &reference).await.len(), 1);
    let (_, privacy) = app.get_html("/privacy").await;
    assert!(privacy.contains("for 1 day after it closes"), "{privacy}");
}

#[actix_web::test]
async fn the_privacy_page_names_the_configured_period_in_both_languages() {
    let app = spawn_app_with(|c| {
        c.run_jobs = false;
        c.retention_days = 90;
    })
    .await;
    let (status, en) = app.get_html("/privacy").await;
    assert_eq!(status, 200);
    let en = html_unescape(&en);
    assert!(en.contains("for 90 days after it closes"), "{en}");
    assert!(en.contains("Only the programme's support staff can see them, your invoice included"), "{en}");
    assert!(en.contains("The case record itself"), "{en}");
    let (_, zh) = app.get_html("/privacy?lang=zh-TW").await;
    assert!(zh.contains("後再保存 90 天"), "{zh}");
    assert!(zh.contains("只有本計畫的支援人員可以看到這些資料，包括您的發票"), "{zh}");
    assert!(zh.contains("案件紀錄本身"), "{zh}");
}

#[test]
fn the_setting_is_checked_at_start() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |days: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
            .arg("migrate")
            .env("DATABASE_URL", dir.path().join("frontline.db"))
            .env("FRONTLINE_RETENTION_DAYS", days)
            .env_remove("FRONTLINE_SECRET_KEY")
            .output()
            .expect("frontline runs")
    };
    for (days, says) in [
        ("3651", "FRONTLINE_RETENTION_DAYS must be 3650 or fewer"),
        ("-1", "FRONTLINE_RETENTION_DAYS must be a number"),
    ] {
        let out = run(days);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{days} is refused");
        assert!(stderr.contains(says), "{days}: {stderr}");
    }
    for days in ["0", "3650"] {
        let out = run(days);
        assert!(out.status.success(), "{days}: {}", String::from_utf8_lossy(&out.stderr));
    }
}
