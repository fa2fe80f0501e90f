//! Directory batches: grouping, the CSV export, submitting and publishing.

use diesel::prelude::*;
use frontline::domain::calendar::{BatchWindow, batch_for_request, long_date};
use frontline::domain::directory::country_name;
use frontline::i18n::Lang;
use frontline::store::schema::{batches, case_events, cases};

use crate::helpers::*;

const PAGE: &str = "/staff/directory/batches";

/// The batch a request approved today belongs to.
fn this_batch() -> BatchWindow {
    batch_for_request(chrono::Utc::now().date_naive())
}

/// Files a directory request; returns (reference, tracking path).
async fn file(app: &TestApp, name: &str, partner_id: &str) -> (String, String) {
    let fields = with(with(directory_fields(), "directory_name", Some(name)), "partner_id", Some(partner_id));
    let r = app.post_directory(&fields).await;
    assert_eq!(r.status().as_u16(), 303, "filed {name}");
    let track = location(&r);
    let (_, html) = app.get_html(&track).await;
    (reference_in(&html).expect("reference"), track)
}

/// Sets a case's status (and optionally its batch key) directly, as the case
/// page's approval would.
async fn set_case(app: &TestApp, reference: &str, status: &'static str, batch_key: Option<&str>) {
    let (r, key) = (reference.to_string(), batch_key.map(str::to_string));
    app.db
        .write(move |conn| {
            diesel::update(cases::table.filter(cases::reference.eq(&r))).set(cases::status.eq(status)).execute(conn)?;
            if let Some(k) = key {
                diesel::update(cases::table.filter(cases::reference.eq(&r)))
                    .set(cases::batch_key.eq(Some(k)))
                    .execute(conn)?;
            }
            Ok(())
        })
        .await
        .expect("update case");
}

async fn approve(app: &TestApp, reference: &str) {
    set_case(app, reference, "approved", None).await;
}

/// The session's anti-forgery token, from the batches page.
async fn csrf(app: &TestApp) -> String {
    let (status, html) = app.get_html(PAGE).await;
    assert_eq!(status, 200);
    hidden_inputs(&html).remove("csrf_token").expect("token")
}

async fn post_action(app: &TestApp, key: &str, action: &str, token: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("{PAGE}/{key}/{action}")))
        .form(&[("csrf_token", token)])
        .send()
        .await
        .expect("POST")
}

async fn batch_status(app: &TestApp, key: &str) -> Option<String> {
    let k = key.to_string();
    app.db
        .read(move |conn| Ok(batches::table.find(&k).select(batches::status).first::<String>(conn).optional()?))
        .await
        .expect("batch row")
}

#[actix_web::test]
async fn approved_requests_are_grouped_under_their_batch_with_the_window() {
    let app = spawn_app().await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (approved, _) = file(&app, "Contoso Learning", "1000001").await;
    let (still_open, _) = file(&app, "Fabrikam Training", "1000002").await;
    let (stale, stale_track) = file(&app, "Northwind Academy", "1000003").await;
    approve(&app, &approved).await;
    // Approved long ago for a batch whose window has closed: it belongs to
    // the next open batch now, and both its partner and staff see that (a
    // GET never writes: the stored key is brought up to date on submit).
    set_case(&app, &stale, "approved", Some("2025-01")).await;

    let batch = this_batch();
    let (status, html) = app.get_html(PAGE).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1 class=\"heading-l\">Directory batches</h1>"));
    let today = chrono::Utc::now().date_naive();
    let when = format!("Submit between 15 and {}.", long_date(batch.closes));
    let now = if batch.contains(today) {
        "The submission window is open now.".to_owned()
    } else if today < batch.opens {
        format!("The submission window is not open yet: it opens on {}.", long_date(batch.opens))
    } else {
        format!("The submission window closed on {}.", long_date(batch.closes))
    };
    assert!(when.starts_with("Submit between 15 and 21 "), "{when}");
    assert!(html.contains(&when), "the window is shown: {when}");
    assert!(html.contains(&now), "and whether it is open now: {now}");
    assert!(html.contains(&format!("{} batch (next to submit)", batch.label())));
    assert!(html.contains(&format!("2 approved requests – {} batch", batch.label())));
    assert!(html.contains(&format!("<a class=\"link\" href=\"/staff/cases/{approved}\">{approved}</a>")));
    assert!(html.contains(&format!("href=\"/staff/cases/{stale}\"")));
    assert!(!html.contains(&still_open), "a request not approved is in no batch");
    assert!(html.contains("Contoso Learning") && html.contains("Northwind Academy"));
    assert!(html.contains(&country_name(Lang::En, "TW").expect("Taiwan")), "country in words");
    assert!(html.contains("https://www.contoso-learning.com/microsoft-training"));
    assert!(html.contains("1000001"), "partner ID");
    assert!(!html.contains("2025-01"), "the closed batch is gone");
    let (_, partner_page) = app.get_html(&stale_track).await;
    assert!(
        partner_page.contains(&format!("should be visible by {}", long_date(batch.visible_by))),
        "the partner sees the batch it is in now"
    );
    assert!(html.contains("No batch has been submitted yet"));
}

#[actix_web::test]
async fn the_csv_export_is_exact_utf8_and_guards_against_formulas() {
    let app = spawn_app().await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let (chinese, _) = file(&app, "台灣微軟學習夥伴", "2000001").await;
    let (hostile, _) = file(&app, "=HYPERLINK(\"http://evil.example\",\"Click\")", "2000002").await;
    let (dash, _) = file(&app, "-Contoso, Ltd.", "2000003").await;
    for r in [&chinese, &hostile, &dash] {
        approve(&app, r).await;
    }
    let key = this_batch().key();
    let r = app.get(&format!("{PAGE}/{key}.csv")).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        r.headers()["content-disposition"].to_str().expect("ascii"),
        format!("attachment; filename=\"directory-batch-{key}.csv\"")
    );
    let body = r.bytes().await.expect("body");
    let text = String::from_utf8(body.to_vec()).expect("UTF-8");
    let country = country_name(Lang::En, "TW").expect("Taiwan");
    let url = "https://www.contoso-learning.com/microsoft-training";
    let expected = format!(
        "\u{feff}Name on the directory,Country,Landing page URL,Partner ID,Reference,Landing page as shown\r\n\
         台灣微軟學習夥伴,{country},{url},2000001,{chinese},{url}\r\n\
         \"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\",{country},{url},2000002,{hostile},{url}\r\n\
         \"'-Contoso, Ltd.\",{country},{url},2000003,{dash},{url}\r\n"
    );
    assert_eq!(text, expected);
    // An empty batch is just the header.
    let later = frontline::domain::calendar::add_months(this_batch().opens, 3);
    let empty_key = format!("{}", later.format("%Y-%m"));
    let r = app.get(&format!("{PAGE}/{empty_key}.csv")).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.text().await.expect("body"),
        "\u{feff}Name on the directory,Country,Landing page URL,Partner ID,Reference,Landing page as shown\r\n"
    );
}

#[actix_web::test]
async fn submitting_moves_the_batch_to_submitted_and_tells_the_partner_when_then_publishing() {
    let app = spawn_app().await;
    let staff_id = app.sign_in_as("ana@frontline.example", "admin").await;
    let (first, first_track) = file(&app, "Contoso Learning", "3000001").await;
    let (second, _) = file(&app, "Fabrikam Training", "3000002").await;
    let (waiting, _) = file(&app, "Not approved yet", "3000003").await;
    approve(&app, &first).await;
    approve(&app, &second).await;
    let batch = this_batch();
    let key = batch.key();
    let before = app.case(&first).await.version;

    let token = csrf(&app).await;
    let r = post_action(&app, &key, "submit", &token).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), PAGE);
    for reference in [&first, &second] {
        let case = app.case(reference).await;
        assert_eq!(case.status.as_str(), "submitted", "{reference}");
        assert_eq!(case.batch_key.as_deref(), Some(key.as_str()));
        assert_eq!(case.version, before + 1, "the version is bumped");
    }
    assert_eq!(app.case(&waiting).await.status.as_str(), "open", "only approved requests are sent");
    assert_eq!(batch_status(&app, &key).await.as_deref(), Some("submitted"));

    // The timeline entry is partner-visible and says when to expect the listing.
    let id = app.case(&first).await.id;
    let events: Vec<(String, Option<String>, bool, Option<i64>)> = app
        .db
        .read(move |conn| {
            Ok(case_events::table
                .filter(case_events::case_id.eq(id))
                .filter(case_events::event_type.eq("submitted"))
                .select((
                    case_events::actor_type,
                    case_events::body,
                    case_events::partner_visible,
                    case_events::staff_id,
                ))
                .load(conn)?)
        })
        .await
        .expect("events");
    let visible_by = long_date(batch.visible_by);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, "staff");
    assert_eq!(events[0].3, Some(staff_id));
    assert!(events[0].2, "partner-visible");
    let body = events[0].1.clone().unwrap_or_default();
    assert!(body.starts_with(&format!("Submitted to the directory in the {} batch", batch.label())), "{body}");
    assert!(body.contains(&visible_by));

    // The tracking page gives the expected visibility date: the 7th of the
    // month after the batch.
    let (_, track) = app.get_html(&first_track).await;
    assert!(visible_by.starts_with("7 "), "{visible_by}");
    assert!(
        track.contains(&format!("should be visible in the directory by {visible_by}")),
        "tracking page shows the visibility date"
    );
    assert!(track.contains("Submitted to directory"));

    // The page shows the one-time banner, then the batch among the submitted ones.
    let (_, html) = app.get_html(PAGE).await;
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains(">Success</h2>"));
    assert!(html.contains(&format!("{} batch marked as submitted – 2 requests", batch.label())));
    assert!(html.contains(&format!("action=\"{PAGE}/{key}/publish\"")));
    let (_, again) = app.get_html(PAGE).await;
    assert!(!again.contains(">Success</h2>"), "the banner shows once");

    // A request approved now waits for the next batch.
    approve(&app, &waiting).await;
    let (_, html) = app.get_html(PAGE).await;
    let next =
        frontline::domain::batch::batch_for_approved(None, chrono::Utc::now().date_naive(), |k| k == key.as_str());
    assert!(next.opens > batch.opens, "moved past the submitted batch");
    assert!(html.contains(&format!("{} batch (next to submit)", next.label())));

    // Publish.
    let r = post_action(&app, &key, "publish", &token).await;
    assert_eq!(r.status().as_u16(), 303);
    for reference in [&first, &second] {
        let case = app.case(reference).await;
        assert_eq!(case.status.as_str(), "published");
        assert_eq!(case.version, before + 2);
        assert!(case.closed_at.is_some());
    }
    assert_eq!(app.case(&waiting).await.status.as_str(), "approved", "the next batch is untouched");
    assert_eq!(batch_status(&app, &key).await.as_deref(), Some("published"));
    let (_, track) = app.get_html(&first_track).await;
    assert!(track.contains("Your listing is published"));
    assert!(track.contains(&format!("Published in the Learning Partner directory with the {} batch", batch.label())));
    let (_, html) = app.get_html(PAGE).await;
    assert!(html.contains(&format!("{} batch marked as published", batch.label())));

    // Each partner was told twice, in the transactions that moved their case.
    let first_id = app.case(&first).await.id;
    let mail = app.db.read(move |c| Ok(frontline::store::outbox::for_case(c, first_id)?)).await.expect("outbox");
    let kinds: Vec<&str> = mail.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(kinds, vec!["case_received", "batch_submitted", "batch_published"]);
    assert!(mail.iter().all(|m| m.recipient == "ana@contoso-learning.com"), "{mail:?}");
    let waiting_id = app.case(&waiting).await.id;
    let mail = app.db.read(move |c| Ok(frontline::store::outbox::for_case(c, waiting_id)?)).await.expect("outbox");
    assert_eq!(mail.len(), 1, "the request left for the next batch heard nothing more");
}

#[actix_web::test]
async fn refused_batch_actions_explain_why_and_change_nothing() {
    let app = spawn_app().await;
    app.sign_in_as("ana@frontline.example", "admin").await;
    let key = this_batch().key();
    let label = this_batch().label();
    let token = csrf(&app).await;

    // An empty batch cannot be submitted.
    let r = post_action(&app, &key, "submit", &token).await;
    assert_eq!(r.status().as_u16(), 409);
    let html = r.text().await.expect("body");
    assert!(html.contains("<title>Error: Directory batches – Frontline</title>"));
    assert!(html.contains("There is a problem"));
    assert!(html.contains(&format!("The {label} batch has no approved requests, so there is nothing to submit")));
    assert_eq!(batch_status(&app, &key).await, None);

    // Publishing before submitting.
    let (reference, _) = file(&app, "Contoso Learning", "4000001").await;
    approve(&app, &reference).await;
    let r = post_action(&app, &key, "publish", &token).await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.expect("body").contains(&format!("The {label} batch has not been submitted yet")));
    assert_eq!(app.case(&reference).await.status.as_str(), "approved");

    // Submitting twice.
    assert_eq!(post_action(&app, &key, "submit", &token).await.status().as_u16(), 303);
    let r = post_action(&app, &key, "submit", &token).await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.expect("body").contains(&format!("The {label} batch has already been submitted")));
    assert_eq!(app.case(&reference).await.version, 2, "moved once only");

    // Publishing twice.
    assert_eq!(post_action(&app, &key, "publish", &token).await.status().as_u16(), 303);
    let r = post_action(&app, &key, "publish", &token).await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.expect("body").contains("is already published"));

    // Keys that are no batch.
    for bad in ["2026-13", "2026-00", "26-12", "abcd-ef", "2026-1"] {
        assert_eq!(post_action(&app, bad, "submit", &token).await.status().as_u16(), 404, "{bad}");
        assert_eq!(post_action(&app, bad, "publish", &token).await.status().as_u16(), 404, "{bad}");
        assert_eq!(app.get(&format!("{PAGE}/{bad}.csv")).await.status().as_u16(), 404, "{bad}");
    }
}

#[actix_web::test]
async fn batch_actions_need_the_token_and_a_signed_in_user() {
    let app = spawn_app().await;
    let (reference, _) = file(&app, "Contoso Learning", "5000001").await;
    approve(&app, &reference).await;
    let key = this_batch().key();

    // Not signed in: every batch page and action sends you to sign in.
    for path in [PAGE.to_string(), format!("{PAGE}/{key}.csv")] {
        let r = app.get(&path).await;
        assert_eq!(r.status().as_u16(), 303, "{path}");
        assert!(location(&r).starts_with("/staff/login?next="), "{path}");
    }
    for action in ["submit", "publish"] {
        let r = post_action(&app, &key, action, "").await;
        assert_eq!(r.status().as_u16(), 303);
        assert!(location(&r).starts_with("/staff/login"));
    }

    // Signed in, but without the form's token.
    app.sign_in_as("ana@frontline.example", "agent").await;
    for token in ["", "forged"] {
        for action in ["submit", "publish"] {
            let r = post_action(&app, &key, action, token).await;
            assert_eq!(r.status().as_u16(), 403, "{action} with {token:?}");
        }
    }
    let r = app.client.post(app.url(&format!("{PAGE}/{key}/submit"))).send().await.expect("POST");
    assert!(matches!(r.status().as_u16(), 400 | 403 | 415), "no body at all is refused, got {}", r.status());
    assert_eq!(app.case(&reference).await.status.as_str(), "approved");
    assert_eq!(batch_status(&app, &key).await, None);
}

#[actix_web::test]
async fn agents_submit_and_publish_batches_only_when_an_admin_allows_it() {
    let app = spawn_app().await;
    let agent_id = app.sign_in_as("ana@frontline.example", "agent").await;
    let (reference, _) = file(&app, "Contoso Learning", "5000001").await;
    approve(&app, &reference).await;
    let key = this_batch().key();
    let (_, page) = app.get_html(PAGE).await;
    assert!(!page.contains(&format!("{key}/submit")), "no submit button for an agent");
    assert!(page.contains("An admin submits this batch"));
    let csrf = hidden_inputs(&page).remove("csrf_token").expect("token");
    let r = post_action(&app, &key, "submit", &csrf).await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.expect("body").contains("agents an admin has allowed"));
    assert_eq!(batch_status(&app, &key).await, None, "nothing was submitted");
    assert_eq!(app.case(&reference).await.status.as_str(), "approved");

    // An admin allows Ana; the same agent session may now submit.
    let admin = app.second_client();
    app.create_staff("bo@frontline.example", "Bo", "admin").await;
    let (_, login) = {
        let r = admin.get(app.url("/staff/login")).send().await.expect("get");
        (r.status(), r.text().await.expect("body"))
    };
    let mut body: Vec<(String, String)> = hidden_inputs(&login).into_iter().collect();
    body.push(("email".into(), "bo@frontline.example".into()));
    body.push(("password".into(), STAFF_PASSWORD.into()));
    let r = admin.post(app.url("/staff/login")).form(&body).send().await.expect("login");
    assert_eq!(r.status().as_u16(), 303);
    let accounts = admin.get(app.url("/staff/accounts")).send().await.expect("get").text().await.expect("body");
    let admin_csrf = hidden_inputs(&accounts).remove("csrf_token").expect("token");
    let r = admin
        .post(app.url(&format!("/staff/accounts/{agent_id}/batches")))
        .form(&[("csrf_token", admin_csrf.as_str()), ("allow", "on")])
        .send()
        .await
        .expect("allow");
    assert_eq!(r.status().as_u16(), 303);
    let accounts = admin.get(app.url("/staff/accounts")).send().await.expect("get").text().await.expect("body");
    assert!(accounts.contains("May send directory batches"));
    // An agent cannot grant it to themself.
    let r = app
        .client
        .post(app.url(&format!("/staff/accounts/{agent_id}/batches")))
        .form(&[("csrf_token", csrf.as_str()), ("allow", "on")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 403);

    let r = post_action(&app, &key, "submit", &csrf).await;
    assert_eq!(r.status().as_u16(), 303, "allowed now");
    assert_eq!(batch_status(&app, &key).await.as_deref(), Some("submitted"));
}
