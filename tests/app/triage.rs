//! Triage at intake, as staff data and as the partner's tracking page show it.

use chrono::Datelike;
use frontline::domain::calendar::{add_business_days, add_months};

use crate::helpers::*;

async fn flags_of(app: &TestApp, reference: &str) -> Vec<(String, String, Option<String>)> {
    let id = app.case(reference).await.id;
    app.db
        .read(move |c| Ok(frontline::store::cases::flags(c, id)?))
        .await
        .expect("flags")
        .into_iter()
        .map(|f| (f.code.as_str().to_string(), f.reason, f.related_reference))
        .collect()
}

async fn file_kpi(app: &TestApp, fields: Vec<(&'static str, String)>, file: &str) -> (String, String) {
    let r = app.post_kpi(&fields, Some((file, fixture(file)))).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get_html(&location(&r)).await;
    (reference_in(&html).expect("reference"), html_unescape(&html))
}

/// The month `invoice_chromium.pdf` is dated in (23 April 2026), so that
/// the date cross-check agrees.
fn april_2026(fields: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    with(with(fields, "month", Some("4")), "year", Some("2026"))
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A date string with the month and day of `d` in an earlier year.
fn anniversary_like(d: chrono::NaiveDate) -> String {
    format!("2019-{:02}-{:02}", d.month(), d.day().min(28))
}

#[actix_web::test]
async fn a_case_filed_too_early_is_low_priority_and_the_partner_is_told_when_to_expect_the_kpi() {
    let app = spawn_app().await;
    let (m, y) = this_month();
    let fields = with(with(kpi_fields(), "month", Some(&m.to_string())), "year", Some(&y.to_string()));
    let (reference, html) = file_kpi(&app, fields, "invoice_chromium.pdf").await;
    let case = app.case(&reference).await;
    assert_eq!(case.priority, 4, "lowest priority");
    assert!(case.priority_reason.starts_with("Low: filed before 15 "), "{}", case.priority_reason);
    assert!(flags_of(&app, &reference).await.iter().any(|f| f.0 == "too_early"));
    assert!(html.contains("should be visible from 15 "), "guidance names the date");
    assert!(html.contains("This case stays open until then."));
    assert!(!html.contains("too_early") && !html.contains("Too early"), "internal flags never reach the partner");
}

#[actix_web::test]
async fn a_normal_kpi_case_is_due_in_five_business_days() {
    let app = spawn_app().await;
    let (reference, _) = file_kpi(&app, april_2026(kpi_fields()), "invoice_chromium.pdf").await;
    let case = app.case(&reference).await;
    assert_eq!(case.priority, 3);
    assert_eq!(case.due_date, add_business_days(today(), 5));
    assert!(flags_of(&app, &reference).await.is_empty(), "a clean case has no flags");
}

#[actix_web::test]
async fn a_renewal_within_thirty_days_raises_the_priority() {
    let app = spawn_app().await;
    let soon = today() + chrono::Duration::days(10);
    let fields = with(kpi_fields(), "anniversary_date", Some(&anniversary_like(soon)));
    let (reference, _) = file_kpi(&app, fields, "invoice_chromium.pdf").await;
    let case = app.case(&reference).await;
    assert_eq!(case.priority, 2, "{}", case.priority_reason);
    assert!(case.priority_reason.starts_with("High:"));
    assert!(flags_of(&app, &reference).await.iter().any(|f| f.0 == "renewal_at_stake"));
}

#[actix_web::test]
async fn an_invoice_outside_the_renewal_window_is_flagged_and_the_partner_told() {
    let app = spawn_app().await;
    let old = add_months(today(), -14);
    let fields = with(
        with(with(kpi_fields(), "month", Some(&old.month().to_string())), "year", Some(&old.year().to_string())),
        "anniversary_date",
        Some(&anniversary_like(add_months(today(), 6))),
    );
    let (reference, html) = file_kpi(&app, fields, "invoice_chromium.pdf").await;
    let flags = flags_of(&app, &reference).await;
    let f = flags.iter().find(|f| f.0 == "outside_renewal_window").expect("flagged");
    assert!(f.1.contains("does not count toward that renewal"), "{}", f.1);
    assert!(html.contains("will not count toward that renewal"));
}

#[actix_web::test]
async fn a_second_case_for_the_same_invoice_is_flagged_as_a_possible_duplicate() {
    let app = spawn_app().await;
    let (first, _) = file_kpi(&app, april_2026(kpi_fields()), "invoice_chromium.pdf").await;
    let fields = with(april_2026(kpi_fields()), "invoice_number", Some("inv/2026/0423"));
    let (second, html) = file_kpi(&app, fields, "invoice_chromium.pdf").await;
    let flags = flags_of(&app, &second).await;
    let dup = flags.iter().find(|f| f.0 == "possible_duplicate").expect("flagged");
    assert_eq!(dup.2.as_deref(), Some(first.as_str()), "links the other case");
    assert!(html.contains(&format!("An open case already exists for this invoice ({first})")));
    assert!(flags_of(&app, &first).await.is_empty(), "the first case is not flagged");
    // Another partner with the same invoice number is no duplicate.
    let (third, _) = file_kpi(&app, with(kpi_fields(), "partner_id", Some("9999999")), "invoice_chromium.pdf").await;
    assert!(flags_of(&app, &third).await.iter().all(|f| f.0 != "possible_duplicate"));
}

#[actix_web::test]
async fn scans_and_invoices_without_the_number_are_marked_for_a_human_look() {
    let app = spawn_app().await;
    let (scan, html) = file_kpi(&app, kpi_fields(), "invoice_scanned.pdf").await;
    assert!(flags_of(&app, &scan).await.iter().any(|f| f.0 == "check_evidence"));
    assert!(!html.contains("Check evidence"), "internal");
    let other = with(with(kpi_fields(), "invoice_number", Some("INV-2099-0001")), "partner_id", Some("5555555"));
    let (missing, _) = file_kpi(&app, other, "invoice_chromium.pdf").await;
    let flags = flags_of(&app, &missing).await;
    let f = flags.iter().find(|f| f.0 == "check_evidence").expect("flagged");
    assert!(f.1.to_lowercase().contains("not found"), "{}", f.1);
}

#[actix_web::test]
async fn directory_requests_are_flagged_for_ownership_plain_http_and_duplicates() {
    let app = spawn_app().await;
    let post = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let r = app.post_directory(&fields).await;
            assert_eq!(r.status().as_u16(), 303);
            let (_, html) = app.get_html(&location(&r)).await;
            (reference_in(&html).expect("reference"), html)
        }
    };
    let (clean, _) = post(directory_fields()).await;
    assert!(flags_of(&app, &clean).await.is_empty(), "same registrable domain, https: no flags");
    let case = app.case(&clean).await;
    assert_eq!(case.due_date, add_business_days(today(), 10));

    let gmail =
        with(with(directory_fields(), "contact_email", Some("ana.contoso@gmail.com")), "partner_id", Some("2222222"));
    let (unverified, _) = post(gmail).await;
    assert!(flags_of(&app, &unverified).await.iter().any(|f| f.0 == "ownership_unverified"));

    let http = with(
        with(directory_fields(), "landing_page_url", Some("http://www.contoso-learning.com/ms")),
        "partner_id",
        Some("3333333"),
    );
    let (plain, html) = post(http).await;
    assert!(flags_of(&app, &plain).await.iter().any(|f| f.0 == "plain_http"));
    assert!(html.contains("plain HTTP"), "the partner is advised to use HTTPS");

    let (again, _) = post(directory_fields()).await;
    let flags = flags_of(&app, &again).await;
    let dup = flags.iter().find(|f| f.0 == "possible_duplicate").expect("second open request flagged");
    assert_eq!(dup.2.as_deref(), Some(clean.as_str()));
}

#[actix_web::test]
async fn a_february_invoice_is_too_early_on_14_march_and_due_on_15_march() {
    let at =
        |day: u32| chrono::NaiveDate::from_ymd_opt(2026, 3, day).and_then(|d| d.and_hms_opt(10, 0, 0)).expect("date");
    let clock = frontline::clock::Clock::pinned(at(14));
    let app = spawn_app_with_clock(clock.clone(), |_| {}).await;
    let february = with(with(kpi_fields(), "month", Some("2")), "year", Some("2026"));
    let (early, html) = file_kpi(&app, february.clone(), "invoice_chromium.pdf").await;
    assert!(flags_of(&app, &early).await.iter().any(|(code, ..)| code == "too_early"), "filed on 14 March");
    assert!(html.contains("15 March 2026"), "the partner is told the day it shows");
    assert_eq!(app.case(&early).await.priority, 4, "too early is Low");

    clock.set(at(15));
    let (on_time, _) = file_kpi(&app, february, "invoice_chromium.pdf").await;
    assert!(!flags_of(&app, &on_time).await.iter().any(|(code, ..)| code == "too_early"), "filed on 15 March");
    assert_ne!(app.case(&on_time).await.priority, 4);
}

#[actix_web::test]
async fn due_dates_skip_the_configured_holidays() {
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).expect("date");
    // Thursday 24 December 2026; Christmas Day and New Year's Day are off.
    let clock = frontline::clock::Clock::pinned(d(2026, 12, 24).and_hms_opt(10, 0, 0).expect("time"));
    let holidays = frontline::domain::calendar::Holidays::new([d(2026, 12, 25), d(2027, 1, 1)]);
    let app = spawn_app_with_clock(clock, |c| c.triage.holidays = holidays).await;

    // Ten business days for a listing: 28 December … 11 January, not 7 January.
    let r = app.post_directory(&directory_fields()).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get_html(&location(&r)).await;
    let listing = reference_in(&html).expect("reference");
    assert_eq!(app.case(&listing).await.due_date, d(2027, 1, 11));

    // Five for a KPI case: 28, 29, 30, 31 December and 4 January.
    let november = with(with(kpi_fields(), "month", Some("11")), "year", Some("2026"));
    let (kpi, _) = file_kpi(&app, november, "invoice_chromium.pdf").await;
    assert_eq!(app.case(&kpi).await.due_date, d(2027, 1, 4));

    // Staff see the same date in the queue.
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (_, queue) = app.get_html("/staff/queue").await;
    assert!(queue.contains("<time datetime=\"2027-01-11\">"), "the queue shows the due date");
}

#[actix_web::test]
async fn without_holidays_only_weekends_are_skipped() {
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).expect("date");
    let clock = frontline::clock::Clock::pinned(d(2026, 12, 24).and_hms_opt(10, 0, 0).expect("time"));
    let app = spawn_app_with_clock(clock, |_| {}).await;
    let r = app.post_directory(&directory_fields()).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get_html(&location(&r)).await;
    assert_eq!(app.case(&reference_in(&html).expect("reference")).await.due_date, d(2027, 1, 7));
}
