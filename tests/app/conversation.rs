//! The two-way conversation: a reply that asks the partner something makes
//! the case wait from any open status and pauses the service level; the
//! partner may write as often as they like while the case is open, and
//! reopens a recently closed case; staff see what they have not read yet.
//! Dates are pinned so the service level and the reopen window can be
//! counted.

use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDateTime;

use crate::helpers::*;

/// Monday 2 March 2026 at `hour`:05.
fn monday(hour: u32) -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 3, 2).and_then(|d| d.and_hms_opt(hour, 5, 0)).expect("date")
}

async fn file_directory(app: &TestApp) -> (String, String) {
    let r = app.post_directory(&directory_fields()).await;
    assert_eq!(r.status().as_u16(), 303, "filed");
    let track = location(&r);
    let (_, html) = app.get_html(&track).await;
    (reference_in(&html).expect("reference"), track)
}

async fn staff_act(app: &TestApp, reference: &str, action: &str, fields: &[(&str, &str)]) -> u16 {
    let (_, page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
    body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let r =
        app.client.post(app.url(&format!("/staff/cases/{reference}/{action}"))).form(&body).send().await.expect("post");
    if r.status().as_u16() == 303 {
        assert_eq!(location(&r), format!("/staff/cases/{reference}"), "{action} done, not sent to sign in");
    }
    r.status().as_u16()
}

/// Signs in again (the clock moved past the session's life).
async fn sign_in_again(app: &TestApp) {
    let r = app.post_login("ana@frontline.example", STAFF_PASSWORD).await;
    assert_eq!(r.status().as_u16(), 303);
}

async fn partner_reply_with(
    app: &TestApp,
    track: &str,
    keys: &HashMap<String, String>,
    message: &str,
    file: Option<(&str, Vec<u8>)>,
) -> (u16, String) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in keys {
        form = form.text(k.clone(), v.clone());
    }
    form = form.text("message", message.to_string());
    if let Some((name, bytes)) = file {
        form = form.part("attachment", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    }
    let r = app.second_client().post(app.url(&format!("{track}/reply"))).multipart(form).send().await.expect("reply");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

async fn partner_reply(app: &TestApp, track: &str, message: &str) -> (u16, String) {
    let (_, page) = app.get_html(track).await;
    let keys = hidden_inputs(&page);
    assert!(keys.contains_key("csrf_token"), "the tracking page has a reply form");
    partner_reply_with(app, track, &keys, message, None).await
}

async fn events(app: &TestApp, case_id: i64) -> Vec<frontline::store::cases::EventRow> {
    app.db.read(move |c| Ok(frontline::store::cases::events(c, case_id, false)?)).await.expect("events")
}

#[actix_web::test]
async fn asking_the_partner_pauses_the_service_level_and_their_answer_resumes_it() {
    let clock = frontline::clock::Clock::pinned(monday(10));
    let app = spawn_app_with_clock(clock.clone(), |c| c.run_jobs = false).await;
    let (reference, track) = file_directory(&app).await;
    let filed = app.case(&reference).await;
    app.sign_in_as("ana@frontline.example", "agent").await;

    // From `open`, a reply that asks moves the case to waiting.
    assert_eq!(filed.status.as_str(), "open");
    assert_eq!(
        staff_act(&app, &reference, "reply", &[("message", "Which country?"), ("set_waiting", "on")]).await,
        303
    );
    let waiting = app.case(&reference).await;
    assert_eq!(waiting.status.as_str(), "waiting_on_partner");
    assert_eq!(waiting.waiting_since, Some(monday(10)));

    // The partner answers on Thursday: three business days later.
    clock.set(monday(10) + chrono::Duration::days(3));
    let (status, _) = partner_reply(&app, &track, "Taiwan").await;
    assert_eq!(status, 303);
    let back = app.case(&reference).await;
    assert_eq!(back.status.as_str(), "in_review");
    assert_eq!(back.waiting_since, None);
    assert_eq!(back.sla_paused_days, 3);
    let moved = frontline::domain::calendar::add_business_days(filed.due_date, 3);
    assert_eq!(back.due_date, moved, "the due date moves by the days waited");
    let timeline = events(&app, back.id).await;
    let said: Vec<String> =
        timeline.iter().filter(|e| e.event_type.as_str() == "service_level").filter_map(|e| e.body.clone()).collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(said.iter().any(|b| b.contains("Paused")), "{said:?}");
    assert!(said.iter().any(|b| b.contains("Resumed after 3 business days")), "{said:?}");
    sign_in_again(&app).await;
    let (_, page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains(&frontline::domain::calendar::long_date(moved)), "the case page shows the new due date");

    // An FYI reply (box unticked) leaves the status alone.
    assert_eq!(staff_act(&app, &reference, "reply", &[("message", "Thanks, looking now")]).await, 303);
    assert_eq!(app.case(&reference).await.status.as_str(), "in_review");
}

#[actix_web::test]
async fn the_partner_writes_as_often_as_needed_and_staff_see_what_they_have_not_read() {
    let app = spawn_app_with(|c| c.run_jobs = false).await;
    let (reference, track) = file_directory(&app).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (_, queue) = app.get_html("/staff/queue?unread=1").await;
    assert!(!queue.contains(&reference), "nothing unread yet");

    // Not waiting on them, the partner can still write, twice, with a file.
    let (_, page) = app.get_html(&track).await;
    assert!(page.contains("at any time while your case is open"), "the page offers the form");
    let (status, _) = partner_reply(&app, &track, "I forgot the screenshot").await;
    assert_eq!(status, 303);
    let (_, page) = app.get_html(&track).await;
    let keys = hidden_inputs(&page);
    let (status, body) =
        partner_reply_with(&app, &track, &keys, "Here it is", Some(("截圖.png", fixture("invoice.png")))).await;
    assert_eq!(status, 303, "{body}");
    let case = app.case(&reference).await;
    assert_eq!(case.status.as_str(), "open", "the status stays");
    let replies = events(&app, case.id).await.into_iter().filter(|e| e.event_type.as_str() == "partner_reply").count();
    assert_eq!(replies, 2);

    // The queue marks it and filters on it; the case page says so.
    let (_, queue) = app.get_html("/staff/queue?unread=1").await;
    assert!(queue.contains(&reference), "listed under New from the partner");
    assert!(queue.contains("New from the partner"));
    let (_, page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("New from the partner"));
    // Opening it is not reading it for everyone: staff mark it read.
    assert!(app.case(&reference).await.partner_unread_at.is_some(), "a GET writes nothing");
    assert_eq!(staff_act(&app, &reference, "read", &[]).await, 303);
    assert!(app.case(&reference).await.partner_unread_at.is_none());
    let (_, queue) = app.get_html("/staff/queue?unread=1").await;
    assert!(!queue.contains(&format!(">{reference}<")), "cleared");

    // A staff action on the case clears it too.
    partner_reply(&app, &track, "And one more").await;
    assert!(app.case(&reference).await.partner_unread_at.is_some());
    assert_eq!(staff_act(&app, &reference, "note", &[("body", "Seen")]).await, 303);
    assert!(app.case(&reference).await.partner_unread_at.is_none());
}

#[actix_web::test]
async fn a_reply_reopens_a_recently_closed_case_and_later_the_partner_is_told_to_file_anew() {
    let clock = frontline::clock::Clock::pinned(monday(10));
    let app = spawn_app_with_clock(clock.clone(), |c| c.run_jobs = false).await;
    let (reference, track) = file_directory(&app).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    assert_eq!(
        staff_act(&app, &reference, "resolve", &[("outcome", "rejected"), ("resolution_message", "Not your page")])
            .await,
        303
    );

    // 29 days later: the reply reopens it.
    clock.set(monday(10) + chrono::Duration::days(29));
    let (_, page) = app.get_html(&track).await;
    assert!(page.contains("your case opens again"), "the page says a reply reopens it");
    let (status, _) = partner_reply(&app, &track, "It is our page: see the footer").await;
    assert_eq!(status, 303);
    let reopened = app.case(&reference).await;
    assert_eq!(reopened.status.as_str(), "in_review");
    assert_eq!((reopened.closed_at, reopened.outcome.clone()), (None, None));
    let timeline = events(&app, reopened.id).await;
    let entry = timeline.iter().find(|e| e.event_type.as_str() == "reopened").expect("a reopened entry");
    assert!(entry.body.as_deref().unwrap_or_default().contains("rejected"));

    // Closed again; past the window the form is gone and a reply is refused.
    sign_in_again(&app).await;
    assert_eq!(
        staff_act(&app, &reference, "resolve", &[("outcome", "resolved"), ("resolution_message", "Listed")]).await,
        303
    );
    clock.advance(chrono::Duration::days(29) + chrono::Duration::hours(23));
    let (_, page) = app.get_html(&track).await;
    let keys = hidden_inputs(&page);
    clock.advance(chrono::Duration::hours(2));
    let (_, page) = app.get_html(&track).await;
    assert!(page.contains("file a new case"), "the page says to file a new case: {page}");
    assert!(!page.contains("Send reply"), "no reply form");
    let (status, body) = partner_reply_with(&app, &track, &keys, "Still wrong", None).await;
    assert_eq!(status, 422);
    assert!(body.contains("file a new case"), "{body}");
    let after = app.case(&reference).await;
    assert_eq!(after.status.as_str(), "resolved", "nothing changed");
    let replies = events(&app, after.id).await.into_iter().filter(|e| e.event_type.as_str() == "partner_reply").count();
    assert_eq!(replies, 1);
}

#[actix_web::test]
async fn a_duplicate_takes_no_replies() {
    let app = spawn_app_with(|c| c.run_jobs = false).await;
    let (first, _) = file_directory(&app).await;
    let (second, track) = file_directory(&app).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    assert_eq!(staff_act(&app, &second, "duplicate", &[("original", first.as_str())]).await, 303);
    let (_, page) = app.get_html(&track).await;
    assert!(page.contains("file a new case"));
    assert!(!page.contains("Send reply"));
    tokio::time::sleep(Duration::from_millis(10)).await;
}

/// Posts a staff reply with a file, as the case page's multipart form does.
async fn staff_reply_with_file(app: &TestApp, reference: &str, message: &str, file: (&str, Vec<u8>)) -> (u16, String) {
    let (_, page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in hidden_inputs(&page) {
        form = form.text(k, v);
    }
    form = form.text("message", message.to_string()).text("set_waiting", "on");
    form = form.part("attachment", reqwest::multipart::Part::bytes(file.1).file_name(file.0.to_string()));
    let r = app
        .client
        .post(app.url(&format!("/staff/cases/{reference}/reply")))
        .multipart(form)
        .send()
        .await
        .expect("reply");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

/// The download links on a page.
fn links(html: &str, prefix: &str) -> Vec<String> {
    html.match_indices(prefix).map(|(i, _)| html[i..].chars().take_while(|c| *c != '"').collect()).collect()
}

#[actix_web::test]
async fn files_go_both_ways_and_the_partner_downloads_them_as_attachments() {
    let app = spawn_app_with(|c| c.run_jobs = false).await;
    let (reference, track) = file_directory(&app).await;
    app.sign_in_as("ana@frontline.example", "agent").await;

    // A file that is not cleanly a PDF is refused next to its field; nothing is written.
    let (status, body) =
        staff_reply_with_file(&app, &reference, "See attached", ("x.pdf", fixture("damaged_garbage.pdf"))).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("reply-attachment-error"), "the error sits by the file field");
    assert!(body.contains("See attached"), "the typed reply is kept");
    assert_eq!(app.case(&reference).await.status.as_str(), "open");

    let guide = fixture("invoice_chromium.pdf");
    let (status, _) =
        staff_reply_with_file(&app, &reference, "Our listing guide is attached", ("指南.pdf", guide.clone())).await;
    assert_eq!(status, 303);
    assert_eq!(app.case(&reference).await.status.as_str(), "waiting_on_partner");

    // The partner sees support's file and downloads it.
    let token_prefix = format!("{track}/attachments/");
    let (_, page) = app.get_html(&track).await;
    assert!(page.contains("指南.pdf"), "shown under its name");
    let support_files = links(&page, &token_prefix);
    assert_eq!(support_files.len(), 1, "{page}");
    let r = app.second_client().get(app.url(&support_files[0])).send().await.expect("download");
    assert_eq!(r.status().as_u16(), 200);
    let disposition =
        r.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert_eq!(r.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
    assert!(r.bytes().await.expect("bytes").as_ref() == guide.as_slice(), "the file as sent");

    // The partner answers with a file and sees it on their side too.
    let keys = hidden_inputs(&page);
    let shot = fixture("invoice.png");
    let (status, _) =
        partner_reply_with(&app, &track, &keys, "Screenshot attached", Some(("截圖.png", shot.clone()))).await;
    assert_eq!(status, 303);
    let (_, page) = app.get_html(&track).await;
    let files = links(&page, &token_prefix);
    assert_eq!(files.len(), 2, "both sides of the thread");
    let mut got = Vec::new();
    for f in &files {
        got.push(app.second_client().get(app.url(f)).send().await.expect("download").bytes().await.expect("bytes"));
    }
    assert!(got.iter().any(|b| b.as_ref() == shot.as_slice()), "the partner's own file downloads");
    assert!(got.iter().any(|b| b.as_ref() == guide.as_slice()), "and support's");

    // Staff see both files on the timeline.
    let (_, case_page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    assert_eq!(links(&case_page, &format!("/staff/cases/{reference}/attachments/")).len(), 2);

    // A file id of another case, or a bad token, is a 404.
    let (_, other_track) = file_directory(&app).await;
    let id = files[0].rsplit('/').next().expect("id");
    let r = app.second_client().get(app.url(&format!("{other_track}/attachments/{id}"))).send().await.expect("get");
    assert_eq!(r.status().as_u16(), 404);
}

#[actix_web::test]
async fn the_queue_sorts_by_latest_activity() {
    let app = spawn_app_with(|c| c.run_jobs = false).await;
    let (a, a_track) = file_directory(&app).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let fields = with(directory_fields(), "partner_id", Some("7654322"));
    let r = app.post_directory(&fields).await;
    let (_, page) = app.get_html(&location(&r)).await;
    let b = reference_in(&page).expect("reference");
    app.sign_in_as("ana@frontline.example", "agent").await;
    let order =
        |html: &str| (html.find(&format!(">{a}<")).expect("a listed"), html.find(&format!(">{b}<")).expect("b listed"));
    let (_, q) = app.get_html("/staff/queue?sort=activity").await;
    let (ia, ib) = order(&q);
    assert!(ib < ia, "the newer filing first");
    assert!(q.contains("<option value=\"activity\" selected>"), "the choice is kept");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    partner_reply(&app, &a_track, "Any news?").await;
    let (_, q) = app.get_html("/staff/queue?sort=activity").await;
    let (ia, ib) = order(&q);
    assert!(ia < ib, "the case the partner just wrote on first");
    let (status, _) = app.get_html("/staff/queue?sort=sideways").await;
    assert_eq!(status, 400, "an unknown sort names the choices");
}

#[actix_web::test]
async fn what_the_partner_reads_follows_the_date_and_the_decision() {
    let clock = frontline::clock::Clock::pinned(monday(10));
    let app = spawn_app_with_clock(clock.clone(), |c| c.run_jobs = false).await;
    let fields = with(with(kpi_fields(), "month", Some("2")), "year", Some("2026"));
    let r = app.post_kpi(&fields, Some(("invoice.pdf", fixture("invoice_chromium.pdf")))).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    let track = location(&r);
    let (_, page) = app.get_html(&track).await;
    let reference = reference_in(&page).expect("reference");
    assert!(page.contains("should show on your KPI dashboard from 15 March 2026"), "a date to come");
    assert!(page.contains("We aim to review your case by"));

    // After the 15th the date is in the past, and the page says so.
    clock.set(monday(10) + chrono::Duration::days(14));
    let (_, page) = app.get_html(&track).await;
    assert!(page.contains("should have shown on your KPI dashboard since 15 March 2026"), "{page}");
    assert!(!page.contains("should show on your KPI dashboard from"));

    // Past the review date, no promise in the past either.
    clock.set(monday(10) + chrono::Duration::days(30));
    let (_, page) = app.get_html(&track).await;
    assert!(page.contains("it is taking longer"), "an honest line instead of a past promise");

    // Once decided, no review is promised.
    app.sign_in_as("ana@frontline.example", "agent").await;
    assert_eq!(staff_act(&app, &reference, "status", &[("status", "in_review")]).await, 303);
    assert_eq!(
        staff_act(&app, &reference, "resolve", &[("outcome", "resolved"), ("resolution_message", "Fixed")]).await,
        303
    );
    let (_, page) = app.get_html(&track).await;
    assert!(!page.contains("review your case"), "no promise after the decision");
    assert!(!page.contains("taking longer"));
}
