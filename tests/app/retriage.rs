//! Triage runs again when something it depends on changes: closing a case
//! clears the "Possible duplicate" it caused on the partner's other case.

use diesel::prelude::*;
use frontline::store::cases::{CaseRow, FlagRow};
use frontline::store::schema::cases;

use crate::helpers::*;

async fn file_kpi(app: &TestApp) -> CaseRow {
    let r = app.post_kpi(&kpi_fields(), Some(("invoice.pdf", fixture("invoice_chromium.pdf")))).await;
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
