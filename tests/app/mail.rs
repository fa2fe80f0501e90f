//! E-mail through a real SMTP server on loopback: what each message says,
//! that it arrives once (also with the server down for a while, and with
//! two instances on one database), that a permanent refusal is shown to
//! staff, and the `.eml` files written when no SMTP server is set.

use std::collections::HashSet;
use std::time::Duration;

use crate::helpers::*;
use crate::smtp::SmtpSink;

const WAIT: Duration = Duration::from_secs(15);

/// An app that sends through `sink`, retrying after 1 s.
async fn app_with(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    spawn_app_with(move |c| {
        c.mail.smtp_url = Some(url);
        c.job_backoff_base = Duration::from_secs(1);
        c.job_poll_interval = Duration::from_millis(100);
    })
    .await
}

/// Files a KPI case; its reference and tracking path.
async fn file_kpi(app: &TestApp) -> (String, String) {
    let r = app.post_kpi(&kpi_fields(), Some(("invoice.pdf", fixture("invoice_chromium.pdf")))).await;
    assert_eq!(r.status().as_u16(), 303, "filed");
    let track = location(&r);
    let (_, html) = app.get_html(&track).await;
    (reference_in(&html).expect("reference"), track)
}

async fn outbox(app: &TestApp) -> Vec<frontline::store::outbox::MailRow> {
    app.db.read(|c| Ok(frontline::store::outbox::all(c)?)).await.expect("outbox")
}

/// Waits until no message is pending or being sent.
async fn settled(app: &TestApp) -> Vec<frontline::store::outbox::MailRow> {
    let start = std::time::Instant::now();
    loop {
        let rows = outbox(app).await;
        let busy = rows.iter().any(|r| matches!(r.status.as_str(), "pending" | "sending"));
        if !busy || start.elapsed() > WAIT {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn a_filed_case_emails_the_partner_a_working_tracking_link_once() {
    let sink = SmtpSink::start().await;
    let app = app_with(&sink).await;
    let (reference, track) = file_kpi(&app).await;
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got.len(), 1, "one message");
    let m = &got[0];
    assert_eq!(m.rcpt_to, vec!["chen@partner.com.tw".to_string()]);
    assert_eq!(m.mail_from, "frontline@localhost");
    let subject = m.subject();
    assert!(subject.contains(&reference), "{subject}");
    assert!(subject.contains("台灣微軟學習夥伴有限公司"), "a Chinese name survives the subject: {subject}");
    let text = m.text();
    assert!(text.contains("陳小明"), "{text}");
    assert!(text.contains("we aim to review your case by"), "{text}");
    assert!(m.html().contains(&reference));
    assert!(!m.message_id().is_empty(), "a Message-ID");
    // The link in the e-mail opens the case.
    let path = m.tracking_path().expect("a tracking link");
    assert_eq!(path, track);
    let (status, page) = app.get_html(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains(&reference));
    assert!(page.contains(&app.url(&track)), "the page shows the whole link");
    // And it was sent once.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(sink.received().len(), 1);
    let rows = settled(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].status.as_str(), rows[0].attempts), ("sent", 1));
}

#[actix_web::test]
async fn replies_and_decisions_reach_the_partner_and_internal_notes_never_do() {
    let sink = SmtpSink::start().await;
    let app = app_with(&sink).await;
    let (reference, track) = file_kpi(&app).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let act = |action: &'static str, fields: Vec<(&'static str, &'static str)>| {
        let (app, reference) = (&app, reference.clone());
        async move {
            let (_, page) = app.get_html(&format!("/staff/cases/{reference}")).await;
            let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
            body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            let r = app
                .client
                .post(app.url(&format!("/staff/cases/{reference}/{action}")))
                .form(&body)
                .send()
                .await
                .expect("post");
            assert_eq!(r.status().as_u16(), 303, "{action}");
        }
    };
    act("note", vec![("body", "SECRET-NOTE partner looks dodgy")]).await;
    act("reply", vec![("message", "Please send the Partner Center screenshot."), ("set_waiting", "on")]).await;
    let got = sink.wait_for(2, WAIT).await;
    assert_eq!(got.len(), 2, "received, asked");
    let asked = &got[1];
    assert!(asked.subject().contains("needs your answer"), "{}", asked.subject());
    assert!(asked.text().contains("Please send the Partner Center screenshot."));
    assert!(asked.tracking_path().as_deref() == Some(track.as_str()));

    // The partner answers; an FYI reply needs no answer; support resolves.
    let (_, tracking) = app.get_html(&track).await;
    let keys = hidden_inputs(&tracking);
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in keys {
        form = form.text(k, v);
    }
    form = form.text("message", "Here it is");
    let r = app.second_client().post(app.url(&format!("{track}/reply"))).multipart(form).send().await.expect("reply");
    assert_eq!(r.status().as_u16(), 303);
    act("reply", vec![("message", "FYI: we are looking at it.")]).await;
    let got = sink.wait_for(3, WAIT).await;
    let fyi = &got[2];
    assert!(fyi.subject().contains("Support replied"), "{}", fyi.subject());
    assert!(fyi.text().contains("No answer is needed"));
    act("resolve", vec![("outcome", "resolved"), ("resolution_message", "Fixed: KPIs will show from the 15th.")]).await;
    let got = sink.wait_for(4, WAIT).await;
    let resolved = &got[3];
    assert!(resolved.subject().contains("resolved"), "{}", resolved.subject());
    assert!(resolved.text().contains("Fixed: KPIs will show from the 15th."));
    for m in &got {
        let all = format!("{}{}{}", m.subject(), m.text(), m.html());
        assert!(!all.contains("SECRET-NOTE"), "a note reached the partner: {all}");
        assert!(!all.contains("Flag"), "no flags in partner e-mail");
        assert_eq!(m.rcpt_to, vec!["chen@partner.com.tw".to_string()]);
    }
}

#[actix_web::test]
async fn with_the_mail_server_down_filing_works_and_the_message_arrives_once_it_is_back() {
    let mut sink = SmtpSink::start().await;
    sink.stop();
    let app = app_with(&sink).await;
    let (reference, _) = file_kpi(&app).await;
    assert_eq!(app.case(&reference).await.reference, reference, "the case is stored");
    // The first attempt failed and a retry is due.
    let start = std::time::Instant::now();
    loop {
        let rows = outbox(&app).await;
        if rows[0].attempts >= 1 && rows[0].status.as_str() == "pending" {
            assert!(rows[0].last_error.is_some());
            break;
        }
        assert!(start.elapsed() < WAIT, "no failed attempt: {rows:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sink.restart().await;
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got.len(), 1);
    assert!(got[0].subject().contains(&reference));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.received().len(), 1, "once");
    assert_eq!(settled(&app).await[0].status.as_str(), "sent");
}

#[actix_web::test]
async fn a_permanent_refusal_is_given_up_and_shown_on_the_case_page() {
    let sink = SmtpSink::start_refusing().await;
    let app = app_with(&sink).await;
    let (reference, _) = file_kpi(&app).await;
    let rows = settled(&app).await;
    assert_eq!((rows[0].status.as_str(), rows[0].attempts), ("failed", 1), "no retry after a 550");
    assert!(rows[0].last_error.as_deref().unwrap_or_default().contains("550"), "{:?}", rows[0].last_error);
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (_, page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("E-mail to the partner"), "the case page lists its e-mail");
    assert!(page.contains("Not delivered"), "{page}");
    assert!(page.contains("No such mailbox here"));
}

#[actix_web::test]
async fn two_instances_on_one_database_send_each_message_once() {
    let sink = SmtpSink::start().await;
    let a = app_with(&sink).await;
    let mut config = frontline::config::Config::defaults(a.db.url().clone());
    config.bind = "127.0.0.1:0".into();
    config.workers = 1;
    config.pool_size = 2;
    config.mail.smtp_url = Some(sink.url());
    config.job_poll_interval = Duration::from_millis(20);
    let b = frontline::Application::build(config).await.expect("second instance");
    let b_state = b.state().clone();
    actix_web::rt::spawn(b.run_until_stopped());
    let n = 8;
    for _ in 0..n {
        file_kpi(&a).await;
        b_state.jobs.notify();
    }
    let got = sink.wait_for(n, WAIT).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got_after = sink.received();
    assert_eq!(got_after.len(), n, "each once: {} then {}", got.len(), got_after.len());
    let ids: HashSet<String> = got_after.iter().map(|m| m.message_id()).collect();
    assert_eq!(ids.len(), n, "distinct messages");
}

#[actix_web::test]
async fn without_an_smtp_server_each_message_is_written_as_an_eml_file() {
    let app = spawn_app_with(|c| c.job_poll_interval = Duration::from_millis(100)).await;
    let (reference, track) = file_kpi(&app).await;
    let rows = settled(&app).await;
    assert_eq!(rows[0].status.as_str(), "sent");
    let files: Vec<_> = std::fs::read_dir(&app.mail_dir)
        .expect("mail dir exists")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(files.len(), 1, "one .eml file");
    let raw = std::fs::read(files[0].path()).expect("read");
    let m = crate::smtp::Received { mail_from: String::new(), rcpt_to: vec![], data: raw };
    assert!(m.subject().contains(&reference));
    assert_eq!(m.tracking_path().as_deref(), Some(track.as_str()));
}

#[actix_web::test]
async fn staff_hear_of_cases_assigned_to_them_and_of_partner_replies_on_them() {
    let sink = SmtpSink::start().await;
    let app = app_with(&sink).await;
    let (reference, track) = file_kpi(&app).await;
    let bo = app.create_staff("bo@frontline.example", "Bo Lin", "agent").await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (_, page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
    body.push(("assignee".into(), bo.to_string()));
    let r =
        app.client.post(app.url(&format!("/staff/cases/{reference}/assign"))).form(&body).send().await.expect("assign");
    assert_eq!(r.status().as_u16(), 303);
    sink.wait_for(2, WAIT).await;
    let to_bo = sink.to("bo@frontline.example");
    assert_eq!(to_bo.len(), 1, "assigned");
    assert!(to_bo[0].subject().contains("Assigned to you"), "{}", to_bo[0].subject());
    assert!(to_bo[0].text().contains(&format!("/staff/cases/{reference}")));

    // A partner reply reaches the assignee (and nobody else on staff).
    let (_, tracking) = app.get_html(&track).await;
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in hidden_inputs(&tracking) {
        form = form.text(k, v);
    }
    form = form.text("message", "One more thing");
    let r = app.second_client().post(app.url(&format!("{track}/reply"))).multipart(form).send().await.expect("reply");
    assert_eq!(r.status().as_u16(), 303);
    sink.wait_for(3, WAIT).await;
    let to_bo = sink.to("bo@frontline.example");
    assert_eq!(to_bo.len(), 2);
    assert!(to_bo[1].subject().contains("The partner replied"), "{}", to_bo[1].subject());
    assert!(!to_bo[1].text().contains("One more thing"), "staff read replies in Frontline");
    assert!(sink.to("ana@frontline.example").is_empty());
}

#[actix_web::test]
async fn staff_who_ask_for_every_new_case_get_it_with_a_way_to_stop() {
    let sink = SmtpSink::start().await;
    let app = app_with(&sink).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let set = |on: bool| {
        let app = &app;
        async move {
            let (_, page) = app.get_html("/staff/account").await;
            let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
            if on {
                body.push(("notify_new_cases".into(), "on".into()));
            }
            let r = app.client.post(app.url("/staff/account/notifications")).form(&body).send().await.expect("post");
            assert_eq!(r.status().as_u16(), 303);
        }
    };
    set(true).await;
    let (reference, _) = file_kpi(&app).await;
    sink.wait_for(2, WAIT).await;
    let to_ana = sink.to("ana@frontline.example");
    assert_eq!(to_ana.len(), 1);
    assert!(to_ana[0].subject().contains(&reference));
    let unsubscribe = to_ana[0].header("List-Unsubscribe").unwrap_or_default();
    assert!(unsubscribe.contains("/staff/account"), "{unsubscribe}");
    assert!(sink.to("chen@partner.com.tw")[0].header("List-Unsubscribe").is_none(), "not on what the partner must get");

    set(false).await;
    file_kpi(&app).await;
    sink.wait_for(3, WAIT).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(sink.to("ana@frontline.example").len(), 1, "no more");
}

#[actix_web::test]
async fn a_partner_who_filed_in_traditional_chinese_gets_e_mail_in_it() {
    let sink = SmtpSink::start().await;
    let app = app_with(&sink).await;
    let partner = app.second_client();
    let form = partner.get(app.url("/cases/directory/new?lang=zh-TW")).send().await.expect("form");
    let mut body: Vec<(String, String)> = hidden_inputs(&form.text().await.expect("form")).into_iter().collect();
    body.extend(directory_fields().into_iter().map(|(k, v)| (k.to_string(), v)));
    let r = partner.post(app.url("/cases/directory")).form(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 303);
    let got = sink.wait_for(1, WAIT).await;
    let m = &got[0];
    assert!(m.subject().contains("我們已收到您的案件"), "{}", m.subject());
    let text = m.text();
    assert!(text.contains("Ana Silva 您好"), "{text}");
    assert!(text.contains("年") && text.contains("日前審查"), "the date written the Chinese way: {text}");
    assert!(m.html().contains("lang=\"zh-Hant-TW\""));
    assert_eq!(m.tracking_path().as_deref(), Some(location(&r).as_str()), "the same working link");

    // Staff still read English about it.
    let reference = {
        let (_, page) = app.get_html(&location(&r)).await;
        reference_in(&page).expect("reference")
    };
    let bo = app.create_staff("bo@frontline.example", "Bo Lin", "agent").await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (_, page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
    body.push(("assignee".into(), bo.to_string()));
    let r =
        app.client.post(app.url(&format!("/staff/cases/{reference}/assign"))).form(&body).send().await.expect("assign");
    assert_eq!(r.status().as_u16(), 303);
    sink.wait_for(2, WAIT).await;
    let to_bo = sink.to("bo@frontline.example");
    assert!(to_bo[0].subject().contains("Assigned to you"), "{}", to_bo[0].subject());
}
