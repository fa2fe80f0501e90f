//! "Find my case": the same answer whether or not the reference and address
//! match, a working link e-mailed only when they do, rate limits that hold,
//! and a cut-short tracking link that leads to the form.

use std::time::Duration;

use crate::helpers::*;
use crate::smtp::SmtpSink;

async fn app_with(sink: &SmtpSink, limit: &str) -> TestApp {
    let (url, limit) = (sink.url(), frontline::domain::rate::RateLimit::parse(limit).expect("limit"));
    spawn_app_with(move |c| {
        c.mail.smtp_url = Some(url);
        c.job_poll_interval = Duration::from_millis(100);
        c.rate_find = limit;
    })
    .await
}

async fn find(app: &TestApp, reference: &str, email: &str) -> (u16, String) {
    let keys = app.form_keys("/track").await;
    let mut body: Vec<(String, String)> = keys.into_iter().collect();
    body.push(("reference".into(), reference.into()));
    body.push(("email".into(), email.into()));
    let r = app.second_client().post(app.url("/track")).form(&body).send().await.expect("POST /track");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

/// The hits counted in a rate-limit bucket in the last day.
async fn hits(app: &TestApp, bucket: &str) -> i32 {
    let bucket = bucket.to_owned();
    let cutoff = chrono::Utc::now().naive_utc() - chrono::Duration::days(1);
    app.db.read(move |c| Ok(frontline::store::rate::peek(c, &bucket, cutoff)?)).await.expect("peek").0
}

/// The page without its per-request tokens.
fn without_tokens(html: &str) -> String {
    html.lines().filter(|l| !l.contains("type=\"hidden\"") && !l.contains("name=\"idempotency_key\"")).collect()
}

#[actix_web::test]
async fn a_matching_pair_gets_a_working_link_by_email_and_any_other_pair_the_same_answer() {
    let sink = SmtpSink::start().await;
    let app = app_with(&sink, "20/10m").await;
    let r = app.post_directory(&directory_fields()).await;
    let track = location(&r);
    let (_, page) = app.get_html(&track).await;
    let reference = reference_in(&page).expect("reference");
    sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(sink.received().len(), 1, "case received");

    let (s_match, matched) = find(&app, &format!(" {} ", reference.to_lowercase()), "ANA@contoso-learning.com").await;
    let (s_wrong_mail, wrong_mail) = find(&app, &reference, "someone@else.example").await;
    let (s_unknown, unknown) = find(&app, "DIR-2026-99999", "ana@contoso-learning.com").await;
    assert_eq!((s_match, s_wrong_mail, s_unknown), (200, 200, 200));
    assert_eq!(without_tokens(&matched), without_tokens(&wrong_mail), "the same page either way");
    assert_eq!(without_tokens(&matched), without_tokens(&unknown));
    assert!(matched.contains("If the reference and e-mail address belong to the same case"));

    let got = sink.wait_for(2, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.received().len(), 2, "only the matching pair sent a message");
    let m = &got[1];
    assert_eq!(m.rcpt_to, vec!["ana@contoso-learning.com".to_string()], "to the address on the case");
    assert!(m.subject().contains("Your tracking link"), "{}", m.subject());
    let path = m.tracking_path().expect("link");
    assert_eq!(path, track);
    let (status, page) = app.get_html(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains(&reference));
}

#[actix_web::test]
async fn look_ups_are_rate_limited_per_address_and_per_reference_the_same_either_way() {
    let sink = SmtpSink::start().await;
    let app = app_with(&sink, "3/10m").await;
    for i in 0..3 {
        let (status, _) = find(&app, &format!("DIR-2026-0000{i}"), "x@example.com").await;
        assert_eq!(status, 200);
    }
    let (status, body) = find(&app, "DIR-2026-00009", "x@example.com").await;
    assert_eq!(status, 429, "the address is over its limit");
    assert!(body.contains("Wait"), "{body}");

    // Per reference, from anywhere: the forwarded address is not trusted, so
    // a fresh app is needed to show the reference bucket on its own.
    let app = app_with(&sink, "3/10m").await;
    let r = app.post_directory(&directory_fields()).await;
    let (_, page) = app.get_html(&location(&r)).await;
    let reference = reference_in(&page).expect("reference");
    let counted = hits(&app, &format!("find-ref:{reference}")).await;
    assert_eq!(counted, 0);
    for _ in 0..3 {
        assert_eq!(find(&app, &reference, "ana@contoso-learning.com").await.0, 200);
    }
    assert_eq!(hits(&app, &format!("find-ref:{reference}")).await, 3);
    assert_eq!(find(&app, &reference, "ana@contoso-learning.com").await.0, 429);
}

#[actix_web::test]
async fn find_needs_both_fields_and_its_token() {
    let app = spawn_app().await;
    let (status, body) = find(&app, "  ", "").await;
    assert_eq!(status, 422);
    assert!(body.contains("Enter your case reference"));
    assert!(body.contains("Enter the e-mail address"));
    let r = app
        .client
        .post(app.url("/track"))
        .form(&[("reference", "DIR-2026-00001"), ("email", "a@b.c")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 403, "no token, no look-up");
}

#[actix_web::test]
async fn a_cut_short_tracking_link_leads_to_the_find_form() {
    let app = spawn_app().await;
    let r = app.post_directory(&directory_fields()).await;
    let track = location(&r);
    let cut = &track[..track.len() - 10];
    let (status, page) = app.get_html(cut).await;
    assert_eq!(status, 404);
    assert!(page.contains("We could not find that case"));
    assert!(page.contains("action=\"/track\""), "the find form is on the page");
    assert!(page.contains("noindex"));
}
