//! Triage runs again when something it depends on changes: closing a case
//! clears the "Possible duplicate" it caused on the partner's other case;
//! a new day ends "too early" and brings renewals closer (the daily
//! re-triage, on a pinned clock).

use diesel::prelude::*;
use frontline::store::cases::{CaseRow, FlagRow};
use frontline::store::schema::cases;

use crate::helpers::*;

async fn file_kpi(app: &TestApp) -> CaseRow {
    file_kpi_with(app, kpi_fields()).await
}

async fn file_kpi_with(app: &TestApp, fields: Vec<(&'static str, String)>) -> CaseRow {
    let r = app.post_kpi(&fields, Some(("invoice.pdf", fixture("invoice_chromium.pdf")))).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get_html(&location(&r)).await;
    app.case(&reference_in(&html).expect("reference")).await
}

async fn flags(app: &TestApp, case_id: i64) -> Vec<FlagRow> {
    app.db.read(move |conn| Ok(frontline::store::cases::flags(conn, case_id)?)).await.expect("flags")
}

#[actix_web::test]
async fn closing_the_original_case_clears_the_possible_duplicate_on_the_other() {
    let app = spawn_app().await;
    let first = file_kpi(&app).await;
    let second = file_kpi(&app).await;
    let dup: Vec<FlagRow> =
        flags(&app, second.id).await.into_iter().filter(|f| f.code.as_str() == "possible_duplicate").collect();
    assert_eq!(dup.len(), 1, "the same invoice twice is a possible duplicate");
    assert_eq!(dup[0].related_reference.as_deref(), Some(first.reference.as_str()));
    assert!(second.guidance.contains(&first.reference), "the partner is told too");

    // Nothing changed yet: re-triage finds nothing to say.
    let rules = frontline::domain::triage::TriageRules::default();
    let now = app.state.clock.now();
    let id = second.id;
    let r = rules.clone();
    let unchanged =
        app.db.write(move |conn| frontline::app::retriage::retriage(conn, id, &r, now)).await.expect("retriage");
    assert_eq!(unchanged, None);

    // Staff resolve the first case; the close hook re-triages the others.
    let (first_id, now) = (first.id, app.state.clock.now());
    let r = rules.clone();
    let changed = app
        .db
        .write(move |conn| {
            diesel::update(cases::table.find(first_id))
                .set((cases::status.eq("resolved"), cases::closed_at.eq(Some(now))))
                .execute(conn)?;
            frontline::app::retriage::retriage_after_close(conn, first_id, &r, now)
        })
        .await
        .expect("close hook");
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0].0, second.id);
    let said = &changed[0].1;
    assert!(said.contains("Possible duplicate") && said.contains(&first.reference), "{said}");
    assert!(said.contains("resolved"), "it says why: {said}");

    assert!(flags(&app, second.id).await.iter().all(|f| f.code.as_str() != "possible_duplicate"), "the flag is gone");
    let after = app.case(&second.reference).await;
    assert!(!after.guidance.contains(&first.reference), "{}", after.guidance);
    assert_eq!(after.due_date, second.due_date, "re-triage does not move the due date");
    let events = app.db.read(move |conn| Ok(frontline::store::cases::events(conn, id, false)?)).await.expect("events");
    let retriaged: Vec<_> = events.iter().filter(|e| e.event_type.as_str() == "retriaged").collect();
    assert_eq!(retriaged.len(), 1);
    assert_eq!(retriaged[0].actor_type.as_str(), "system");
    assert!(!retriaged[0].partner_visible);
    assert_eq!(retriaged[0].body.as_deref(), Some(said.as_str()));

    // The closed case itself is not re-triaged.
    let closed = app
        .db
        .write(move |conn| frontline::app::retriage::retriage(conn, first_id, &rules, now))
        .await
        .expect("retriage");
    assert_eq!(closed, None);
}

#[actix_web::test]
async fn rejecting_the_original_on_the_case_page_clears_the_duplicate_flag_of_the_other() {
    let app = spawn_app().await;
    let first = file_kpi(&app).await;
    let second = file_kpi(&app).await;
    assert!(flags(&app, second.id).await.iter().any(|f| f.code.as_str() == "possible_duplicate"));
    app.sign_in_as("ana@frontline.example", "agent").await;
    let page = format!("/staff/cases/{}", first.reference);
    let (_, html) = app.get_html(&page).await;
    let token = hidden_inputs(&html).get("csrf_token").cloned().unwrap_or_default();
    let r = app
        .client
        .post(app.url(&format!("{page}/resolve")))
        .form(&[
            ("csrf_token", token),
            ("version", first.version.to_string()),
            ("outcome", "rejected".to_string()),
            ("resolution_message", "This invoice is covered by another case.".to_string()),
        ])
        .send()
        .await
        .expect("reject");
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    assert!(
        flags(&app, second.id).await.iter().all(|f| f.code.as_str() != "possible_duplicate"),
        "the other case's flag is gone once the original closes"
    );
    let (_, other) = app.get_html(&format!("/staff/cases/{}", second.reference)).await;
    assert!(other.contains("no longer applies"), "the timeline says what changed and why");
}

fn march(day: u32, hour: u32) -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 3, day).and_then(|d| d.and_hms_opt(hour, 5, 0)).expect("date")
}

fn invoice_of(month: u32) -> Vec<(&'static str, String)> {
    with(with(kpi_fields(), "month", Some(&month.to_string())), "year", Some("2026"))
}

/// Waits (at most 10 s) until `case_id` has `n` re-triage entries; returns them.
async fn retriaged(app: &TestApp, case_id: i64, n: usize) -> Vec<frontline::store::cases::EventRow> {
    let started = std::time::Instant::now();
    loop {
        let events =
            app.db.read(move |c| Ok(frontline::store::cases::events(c, case_id, false)?)).await.expect("events");
        let found: Vec<_> = events.into_iter().filter(|e| e.event_type.as_str() == "retriaged").collect();
        if found.len() >= n {
            return found;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "no daily re-triage within 10 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn on_its_visible_date_a_too_early_case_becomes_due_and_the_timeline_says_why() {
    let clock = frontline::clock::Clock::pinned(march(14, 10));
    let app = spawn_app_with_clock(clock.clone(), |c| c.job_poll_interval = std::time::Duration::from_millis(50)).await;
    let case = file_kpi_with(&app, invoice_of(2)).await;
    assert_eq!(case.priority, 4, "a February invoice is too early on 14 March: Low");
    assert!(flags(&app, case.id).await.iter().any(|f| f.code.as_str() == "too_early"));

    // Five past midnight on 15 March: the runner's daily re-triage.
    clock.set(march(15, 0));
    app.state.jobs.notify();
    let events = retriaged(&app, case.id, 1).await;
    let after = app.case(&case.reference).await;
    assert_eq!(after.priority, 3, "now Normal");
    assert!(flags(&app, case.id).await.iter().all(|f| f.code.as_str() != "too_early"));
    assert_eq!(after.due_date, case.due_date, "the service level still runs from the visible date");
    let body = events[0].body.clone().unwrap_or_default();
    assert!(body.starts_with("Triage ran again on the new day, 15 March 2026."), "{body}");
    assert!(body.contains("Priority Low → Normal"), "{body}");
    assert!(
        body.contains("Too early no longer applies: the KPI for this invoice can show from 15 March 2026 on"),
        "{body}"
    );
    assert!(!events[0].partner_visible);

    // The day is done: running it again changes nothing.
    let again =
        frontline::app::retriage::daily_retriage(&app.state.db, &clock, &app.state.config.triage).await.expect("daily");
    assert_eq!(again, None);
    assert_eq!(retriaged(&app, case.id, 1).await.len(), 1);
}

#[actix_web::test]
async fn a_renewal_that_comes_within_the_window_raises_the_priority_the_next_day() {
    let clock = frontline::clock::Clock::pinned(march(14, 10));
    let app = spawn_app_with_clock(clock.clone(), |c| c.job_poll_interval = std::time::Duration::from_millis(50)).await;
    // Renewal on 14 April: 31 days away on 14 March, 30 on the 15th.
    let case = file_kpi_with(&app, with(invoice_of(1), "anniversary_date", Some("2019-04-14"))).await;
    assert_ne!(case.priority, 2, "31 days away is not at stake");
    assert!(flags(&app, case.id).await.iter().all(|f| f.code.as_str() != "renewal_at_stake"));

    clock.set(march(15, 0));
    app.state.jobs.notify();
    let events = retriaged(&app, case.id, 1).await;
    let after = app.case(&case.reference).await;
    assert_eq!(after.priority, 2, "High");
    let body = events[0].body.clone().unwrap_or_default();
    assert!(body.contains("Flagged Renewal at stake"), "{body}");
    assert!(body.contains("14 April 2026, 30 days away"), "{body}");
    assert!(after.priority_reason.contains("30 days away"), "{}", after.priority_reason);
}

#[actix_web::test]
async fn the_daily_retriage_runs_once_a_day_however_many_instances_there_are() {
    let clock = frontline::clock::Clock::pinned(march(14, 10));
    let app = spawn_app_with_clock(clock.clone(), |c| c.job_poll_interval = std::time::Duration::from_millis(50)).await;
    let case = file_kpi_with(&app, invoice_of(2)).await;
    // A second instance on the same database, with its own job runner.
    let mut config = frontline::config::Config::defaults(app.db.url().clone());
    config.mail.dir = app.mail_dir.clone();
    config.bind = "127.0.0.1:0".into();
    config.workers = 1;
    config.pool_size = 2;
    config.job_poll_interval = std::time::Duration::from_millis(50);
    let b = frontline::Application::build_with_clock(config, clock.clone()).await.expect("second instance");
    let b_state = b.state().clone();
    actix_web::rt::spawn(b.run_until_stopped());

    clock.set(march(15, 0));
    app.state.jobs.notify();
    b_state.jobs.notify();
    retriaged(&app, case.id, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(retriaged(&app, case.id, 1).await.len(), 1, "one instance did the day");
    let last = app
        .db
        .read(|c| Ok(frontline::store::daily::last_run(c, frontline::store::daily::RETRIAGE)?))
        .await
        .expect("last run");
    assert_eq!(last, march(15, 0).date());
}

#[actix_web::test]
async fn a_day_taken_by_an_instance_that_died_is_taken_over_when_its_lease_runs_out() {
    let clock = frontline::clock::Clock::pinned(march(14, 10));
    let app = spawn_app_with_clock(clock.clone(), |c| c.run_jobs = false).await;
    let case = file_kpi_with(&app, invoice_of(2)).await;
    let (db, rules) = (app.state.db.clone(), app.state.config.triage.clone());
    // An instance took 15 March at 00:05 and died.
    clock.set(march(15, 0));
    let (today, now) = (march(15, 0).date(), march(15, 0));
    let taken = db
        .write(move |c| {
            Ok(frontline::store::daily::claim(
                c,
                frontline::store::daily::RETRIAGE,
                today,
                now,
                now + chrono::Duration::minutes(30),
            )?)
        })
        .await
        .expect("claim");
    assert!(taken);
    assert_eq!(
        frontline::app::retriage::daily_retriage(&db, &clock, &rules).await.expect("daily"),
        None,
        "its lease holds"
    );
    // Half an hour later the lease has run out.
    clock.set(march(15, 1));
    assert_eq!(frontline::app::retriage::daily_retriage(&db, &clock, &rules).await.expect("daily"), Some(1));
    assert_eq!(app.case(&case.reference).await.priority, 3);
}
