use crate::helpers::*;

#[actix_web::test]
async fn a_valid_directory_request_is_stored_and_trackable() {
    let app = spawn_app().await;
    let r = app.post_directory(&directory_fields()).await;
    assert_eq!(r.status().as_u16(), 303);
    let to = location(&r);
    assert!(to.starts_with("/track/"), "{to}");
    let (status, html) = app.get_html(&to).await;
    assert_eq!(status, 200);
    assert!(html.contains("Case submitted"), "the one-time confirmation panel");
    let reference = reference_in(&html).expect("reference shown");
    assert!(reference.starts_with("DIR-"));
    assert!(html.contains("third week"), "the batch rule is explained");
    assert!(html.contains("should be visible by"));
    let case = app.case(&reference).await;
    assert_eq!(case.kind.as_str(), "directory");
    assert_eq!(case.status.as_str(), "open");
    assert_eq!(case.country.as_deref(), Some("TW"));
    assert!(case.batch_key.is_some());
    // A later visit shows the receipt without the panel.
    let (_, again) = app.get_html(&to).await;
    assert!(!again.contains("Case submitted"));
    assert!(again.contains(&format!("Case {reference}")));
}

#[actix_web::test]
async fn each_missing_attestation_is_its_own_error_and_nothing_is_stored() {
    let app = spawn_app().await;
    let mut fields = directory_fields();
    fields.retain(|(n, _)| !n.starts_with("attest_"));
    let r = app.post_directory(&fields).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("There is a problem"));
    for (id, msg) in [
        ("attest_about_partner_only", "Confirm that the landing page is only about your organisation"),
        ("attest_no_competitors", "Confirm that the landing page shows no competitors"),
        ("attest_partner_owned", "Confirm that your organisation owns the landing page"),
    ] {
        assert!(html.contains(&format!("<a href=\"#{id}\">{msg}</a>")), "summary links {id}");
        assert!(html.contains(&format!("id=\"{id}-error\"")), "inline message for {id}");
    }
    assert!(html.contains("value=\"Contoso Learning\""), "typed values are kept");
    assert_eq!(app.case_count().await, 0);
}

#[actix_web::test]
async fn landing_pages_off_the_partner_site_are_refused() {
    let app = spawn_app().await;
    let cases = [
        ("https://www.microsoft.com/en-us/learning/partner", "not on microsoft.com"),
        ("https://learn.microsoft.com/partner", "not on microsoft.com"),
        ("http://127.0.0.1/x", "public website address"),
        ("https://localhost/x", "public website address"),
        ("https://intranet/x", "public website address"),
        ("ftp://contoso.com/x", "correct format"),
        ("https://user:pw@contoso.com/x", "correct format"),
        ("", "Enter the landing page URL"),
    ];
    for (url, message) in cases {
        let r = app.post_directory(&with(directory_fields(), "landing_page_url", Some(url))).await;
        assert_eq!(r.status().as_u16(), 422, "{url}");
        let html = html_unescape(&r.text().await.expect("body"));
        assert!(html.contains(message), "{url}: expected {message:?}");
    }
    assert_eq!(app.case_count().await, 0);
}

#[actix_web::test]
async fn chinese_names_and_idn_landing_pages_just_work() {
    let app = spawn_app().await;
    let fields = with(
        with(directory_fields(), "directory_name", Some("台灣微軟學習夥伴")),
        "landing_page_url",
        Some("https://例子.台灣/微軟訓練"),
    );
    let r = app.post_directory(&fields).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get_html(&location(&r)).await;
    assert!(html.contains("台灣微軟學習夥伴"));
    let case = app.case(&reference_in(&html).expect("reference")).await;
    assert_eq!(case.directory_name.as_deref(), Some("台灣微軟學習夥伴"));
    assert!(case.landing_page_url.as_deref().is_some_and(|u| u.starts_with("https://xn--")));
}

#[actix_web::test]
async fn a_post_without_a_valid_anti_forgery_token_is_refused_and_stores_nothing() {
    let app = spawn_app().await;
    let mut keys = app.form_keys("/cases/directory/new").await;
    keys.insert("csrf_token".into(), "1.deadbeef".into());
    let r = app.post_directory_with_keys(&keys, &directory_fields()).await;
    assert_eq!(r.status().as_u16(), 403);
    let r = app.post_directory_with_keys(&Default::default(), &directory_fields()).await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.case_count().await, 0);
}

#[actix_web::test]
async fn submitting_the_same_form_twice_creates_one_case() {
    let app = spawn_app().await;
    let keys = app.form_keys("/cases/directory/new").await;
    let first = app.post_directory_with_keys(&keys, &directory_fields()).await;
    let second = app.post_directory_with_keys(&keys, &directory_fields()).await;
    assert_eq!(first.status().as_u16(), 303);
    assert_eq!(second.status().as_u16(), 303);
    assert_eq!(location(&first), location(&second));
    assert_eq!(app.case_count().await, 1);
}

#[actix_web::test]
async fn concurrent_double_submissions_create_one_case() {
    let app = spawn_app().await;
    let keys = app.form_keys("/cases/directory/new").await;
    let fields = directory_fields();
    let (a, b, c) = futures_util::join!(
        app.post_directory_with_keys(&keys, &fields),
        app.post_directory_with_keys(&keys, &fields),
        app.post_directory_with_keys(&keys, &fields)
    );
    for r in [&a, &b, &c] {
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(location(r), location(&a));
    }
    assert_eq!(app.case_count().await, 1);
}

#[actix_web::test]
async fn a_missing_contact_block_reports_every_field() {
    let app = spawn_app().await;
    let mut fields = directory_fields();
    fields
        .retain(|(n, _)| !["partner_id", "company_name", "contact_name", "contact_email", "contact_role"].contains(n));
    let r = app.post_directory(&fields).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("<title>Error: Request a directory listing – Frontline</title>"));
    for msg in [
        "Enter your MPN / Partner ID",
        "Enter your company name",
        "Enter your full name",
        "Enter your email address",
        "Select your role",
    ] {
        assert!(html.contains(msg), "{msg}");
    }
    let other_role = app.post_directory(&with(directory_fields(), "contact_role", Some("other"))).await;
    assert_eq!(other_role.status().as_u16(), 422);
    assert!(
        other_role
            .text()
            .await
            .expect("body")
            .contains("Only MPN partner admins and MPN account admins can file a case")
    );
    assert_eq!(app.case_count().await, 0);
}

#[actix_web::test]
async fn an_oversized_form_body_gets_a_clear_refusal() {
    let app = spawn_app().await;
    let huge = "x".repeat(200 * 1024);
    let r = app.post_directory(&with(directory_fields(), "directory_name", Some(&huge))).await;
    assert_eq!(r.status().as_u16(), 413);
    assert!(r.text().await.expect("body").contains("too large"));
    assert_eq!(app.case_count().await, 0);
}

#[actix_web::test]
async fn an_idn_landing_page_is_shown_and_found_in_unicode_and_fetched_in_ascii() {
    let app = spawn_app_with(|c| c.run_jobs = false).await;
    let fields = with(
        with(directory_fields(), "landing_page_url", Some("https://微軟訓練.台灣/課程/azure")),
        "contact_email",
        Some("ana@微軟訓練.台灣"),
    );
    let r = app.post_directory(&fields).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    let track = location(&r);
    let (_, page) = app.get_html(&track).await;
    let reference = reference_in(&page).expect("reference");
    assert!(html_unescape(&page).contains("https://微軟訓練.台灣/課程/azure"), "the partner reads it in Unicode");
    let case = app.case(&reference).await;
    assert!(case.landing_page_url.as_deref().unwrap_or_default().starts_with("https://xn--"), "stored as fetched");

    app.sign_in_as("ana@frontline.example", "agent").await;
    let (_, staff_page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    let staff_page = html_unescape(&staff_page);
    assert!(staff_page.contains(">https://微軟訓練.台灣/課程/azure<"), "staff read it in Unicode");
    assert!(staff_page.contains("rel=\"noopener noreferrer\""), "as a safe link");
    let (_, queue) = app.get_html("/staff/queue?q=%E5%BE%AE%E8%BB%9F%E8%A8%93%E7%B7%B4").await;
    assert!(queue.contains(&reference), "queue search matches the Unicode form");
}
