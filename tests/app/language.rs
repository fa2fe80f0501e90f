//! Both forms in Traditional Chinese, typed the way a partner in Taiwan types
//! with a Chinese input method in full-width mode: every refusal of the
//! English tables, read in Chinese, and a success of each form.

use frontline::i18n::{Lang, text, text_args};

use crate::helpers::*;

/// A message as a Chinese reader gets it.
fn zh(id: &str) -> String {
    text(Lang::ZhTw, id)
}

/// Switches the app's client to Traditional Chinese (the `lang` cookie).
async fn in_chinese(app: &TestApp) {
    let (status, html) = app.get_html("/?lang=zh-TW").await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"zh-Hant-TW\""), "the switch sets the language");
}

fn invoice() -> Option<(&'static str, Vec<u8>)> {
    Some(("發票-INV-2026-0423.pdf", fixture("invoice_chromium.pdf")))
}

#[actix_web::test]
async fn the_forms_read_in_chinese_with_nothing_left_in_english() {
    let app = spawn_app().await;
    in_chinese(&app).await;
    for (path, title, english) in [
        (
            "/cases/kpi/new",
            "回報 KPI 差異",
            ["Report a KPI discrepancy", "Purchase unit", "Upload the invoice", "Your role"],
        ),
        (
            "/cases/directory/new",
            "申請列入目錄",
            ["Request a directory listing", "Landing page URL", "Select a country", "It shows no competitors"],
        ),
    ] {
        let (status, html) = app.get_html(path).await;
        assert_eq!(status, 200);
        assert!(html.contains("<html lang=\"zh-Hant-TW\""), "{path}");
        assert!(html.contains(title), "{path}: {title}");
        for words in english {
            assert!(!html.contains(words), "{path}: {words:?} is still in English");
        }
        assert!(html.contains(&zh("form-role-other-hint")), "{path}: the eligibility exit in Chinese");
    }
}

#[actix_web::test]
async fn every_kpi_refusal_reads_in_chinese_when_typed_in_full_width() {
    let app = spawn_app().await;
    in_chinese(&app).await;
    let (m, y) = this_month();
    let (next_m, next_y) = if m == 12 { (1, y + 1) } else { (m + 1, y) };
    let roc = (y - 1911).to_string();
    // (field, value as typed, where the summary links, the message in Chinese)
    let table: Vec<(&str, String, &str, String)> = vec![
        ("partner_id", wide("12345"), "partner_id", zh("contact-error-partner-id-length")),
        ("partner_id", wide("12ab567"), "partner_id", zh("contact-error-partner-id-digits")),
        ("partner_id", String::new(), "partner_id", zh("contact-error-partner-id-missing")),
        ("contact_email", wide("not-an-email"), "contact_email", zh("contact-error-email-format")),
        ("contact_role", "other".into(), "contact_role", zh("contact-error-role-other")),
        ("company_name", String::new(), "company_name", zh("contact-error-company-missing")),
        ("month", wide("13"), "month", zh("kpi-error-month-real")),
        ("month", wide(&next_m.to_string()), "month", zh("kpi-error-month-future")),
        ("year", wide("1999"), "year", zh("kpi-error-month-2000")),
        (
            "year",
            wide(&roc),
            "year",
            text_args(Lang::ZhTw, "kpi-error-year-roc", &[("typed", &roc), ("year", &y.to_string())]),
        ),
        ("year", wide("26"), "year", text_args(Lang::ZhTw, "kpi-error-year-two", &[("year", &2026)])),
        ("omlp_type", "bogus".into(), "omlp_type", zh("kpi-error-omlp-list")),
        ("purchase_unit", wide("0"), "purchase_unit", zh("kpi-error-purchase-unit-min")),
        ("purchase_unit", wide("2.5"), "purchase_unit", zh("kpi-error-purchase-unit-whole")),
        ("invoice_number", wide("INV 0423!"), "invoice_number", zh("kpi-error-invoice-number-chars")),
        ("kpi_value", wide("-1"), "kpi_value", zh("kpi-error-kpi-value-negative")),
        ("revenue_value", wide("12.345"), "revenue_value", zh("kpi-error-revenue-format")),
        ("revenue_currency", "XYZ".into(), "revenue_currency", zh("kpi-error-currency")),
        ("document_type", "order_confirmation".into(), "document_type", zh("kpi-error-only-invoices")),
        ("document_type", "partner_report".into(), "document_type", zh("kpi-error-only-invoices")),
        ("anniversary_date", wide("03/04/2025"), "anniversary_date", zh("kpi-error-anniversary-format")),
        ("anniversary_date", wide("2025-02-30"), "anniversary_date", zh("kpi-error-anniversary-real")),
        (
            "description",
            "字".repeat(2001),
            "description",
            text_args(Lang::ZhTw, "kpi-error-description-long", &[("max", &"2,000")]),
        ),
    ];
    for (field, value, id, message) in table {
        let mut fields = with(kpi_fields(), field, Some(&value));
        if field == "month" && value == wide(&next_m.to_string()) {
            fields = with(fields, "year", Some(&wide(&next_y.to_string())));
        }
        let r = app.post_kpi(&fields, invoice()).await;
        assert_eq!(r.status().as_u16(), 422, "{field}={value:?}");
        let html = html_unescape(&r.text().await.expect("body"));
        assert!(html.contains(&zh("error-summary-title")), "{field}: the error summary in Chinese");
        assert!(
            html.contains(&format!("<a href=\"#{id}\">{message}</a>")),
            "{field}={value:?}: summary link to #{id} with {message:?}"
        );
        assert!(html.contains(&format!("{}</span> {message}", zh("error-prefix"))), "{field}: the inline message");
        if field != "company_name" {
            assert!(html.contains("value=\"台灣微軟學習夥伴有限公司\""), "{field}: typed values kept");
        }
    }
    // A file that is not an invoice, refused in Chinese.
    let r = app.post_kpi(&kpi_fields(), Some(("order.pdf", fixture("order_confirmation_chromium_zh_tw.pdf")))).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = html_unescape(&r.text().await.expect("body"));
    let expected = text_args(Lang::ZhTw, "file-error-wrong-kind", &[("kind", &zh("document-kind-order_confirmation"))]);
    assert!(html.contains(&expected), "the wrong document in Chinese: {expected}");
    let r = app.post_kpi(&kpi_fields(), None).await;
    assert!(html_unescape(&r.text().await.expect("body")).contains(&zh("file-error-select")));
    assert_eq!(app.case_count().await, 0);
}

#[actix_web::test]
async fn a_kpi_case_typed_in_full_width_in_chinese_is_filed_in_chinese() {
    let app = spawn_app().await;
    in_chinese(&app).await;
    let (m, y) = visible_month();
    let mut fields = kpi_fields();
    for (name, value) in [
        ("partner_id", "1234567".to_string()),
        ("month", m.to_string()),
        ("year", y.to_string()),
        ("purchase_unit", "25".to_string()),
        ("invoice_number", "INV-2026-0423".to_string()),
        ("kpi_value", "12.5".to_string()),
        ("revenue_value", "1,250.50".to_string()),
        ("anniversary_date", "2025-03-27".to_string()),
        ("contact_email", "ana@example.com".to_string()),
    ] {
        fields = with(fields, name, Some(&wide(&value)));
    }
    let r = app.post_kpi(&fields, invoice()).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    let (_, page) = app.get_html(&location(&r)).await;
    assert!(page.contains("<html lang=\"zh-Hant-TW\""));
    let case = app.case(&reference_in(&page).expect("reference")).await;
    assert_eq!(case.language, "zh-TW", "the case keeps the language it was filed in");
    assert_eq!(
        (case.partner_id.as_str(), case.purchase_unit, case.revenue_minor),
        ("1234567", Some(25), Some(125_050))
    );
    assert_eq!(case.invoice_number.as_deref(), Some("INV-2026-0423"));
    assert_eq!(case.contact_email, "ana@example.com");
    assert_eq!(case.anniversary_date, chrono::NaiveDate::from_ymd_opt(2025, 3, 27));

    // The same invoice again: triage's guidance, written in the case's language.
    let r = app.post_kpi(&fields, invoice()).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, second) = app.get_html(&location(&r)).await;
    let expected = text_args(
        Lang::ZhTw,
        "triage-guidance-duplicate-one",
        &[("what", &zh("triage-what-invoice")), ("reference", &case.reference)],
    );
    assert!(html_unescape(&second).contains(&expected), "{expected}");
    assert!(!second.contains("both will be handled together"));
}

#[actix_web::test]
async fn every_directory_refusal_reads_in_chinese_when_typed_in_full_width() {
    let app = spawn_app().await;
    in_chinese(&app).await;
    let table: Vec<(&str, String, &str, String)> = vec![
        ("landing_page_url", wide("https://www.microsoft.com/en-us/learning"), "landing_page_url", {
            text_args(Lang::ZhTw, "url-error-not-owned", &[("domain", &"microsoft.com")])
        }),
        ("landing_page_url", wide("http://127.0.0.1/x"), "landing_page_url", zh("url-error-not-public")),
        ("landing_page_url", wide("ftp://contoso.com/x"), "landing_page_url", zh("url-error-format")),
        ("landing_page_url", String::new(), "landing_page_url", zh("url-error-empty")),
        (
            "landing_page_url",
            wide("https://contoso.com:8443/x"),
            "landing_page_url",
            text_args(Lang::ZhTw, "url-error-port", &[("port", &8443)]),
        ),
        ("country", "ZZ".into(), "country", zh("dir-error-country-list")),
        ("country", String::new(), "country", zh("dir-error-country-missing")),
        ("directory_name", String::new(), "directory_name", zh("dir-error-name-missing")),
        (
            "directory_name",
            "名".repeat(201),
            "directory_name",
            text_args(
                Lang::ZhTw,
                "text-error-too-long",
                &[("label", &zh("dir-name-label")), ("max", &"200".to_string())],
            ),
        ),
        ("contact_email", wide("name@localhost"), "contact_email", zh("contact-error-email-format")),
        ("partner_id", wide("12-34"), "partner_id", zh("contact-error-partner-id-length")),
    ];
    for (field, value, id, message) in table {
        let r = app.post_directory(&with(directory_fields(), field, Some(&value))).await;
        assert_eq!(r.status().as_u16(), 422, "{field}={value:?}");
        let html = html_unescape(&r.text().await.expect("body"));
        let summary = html.split("</ul>").next().unwrap_or_default();
        assert!(
            html.contains(&format!("<a href=\"#{id}\">{message}</a>")),
            "{field}={value:?}: summary link to #{id} with {message:?}: {summary}"
        );
    }
    let mut fields = directory_fields();
    fields.retain(|(n, _)| !n.starts_with("attest_"));
    let r = app.post_directory(&fields).await;
    let html = r.text().await.expect("body");
    for (id, key) in [
        ("attest_about_partner_only", "dir-error-attest-about"),
        ("attest_no_competitors", "dir-error-attest-competitors"),
        ("attest_partner_owned", "dir-error-attest-owned"),
    ] {
        assert!(html.contains(&format!("<a href=\"#{id}\">{}</a>", zh(key))), "summary links {id} in Chinese");
    }
    assert_eq!(app.case_count().await, 0);
}

#[actix_web::test]
async fn a_chinese_directory_request_with_an_idn_landing_page_reads_back_in_unicode_for_partner_and_staff() {
    let app = spawn_app().await;
    in_chinese(&app).await;
    let fields = with(
        with(
            with(directory_fields(), "directory_name", Some("台灣微軟學習夥伴")),
            "landing_page_url",
            Some("https://微軟訓練.台灣/課程/azure"),
        ),
        "partner_id",
        Some(&wide("1234567")),
    );
    let r = app.post_directory(&fields).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    let (_, page) = app.get_html(&location(&r)).await;
    let reference = reference_in(&page).expect("reference");
    assert!(page.contains("台灣微軟學習夥伴"));
    assert!(page.contains("https://微軟訓練.台灣/課程/azure"), "the partner reads the address as typed");
    assert!(!page.contains("xn--"), "no punycode on the partner's page");
    let case = app.case(&reference).await;
    assert_eq!(case.language, "zh-TW");
    assert!(case.landing_page_url.as_deref().is_some_and(|u| u.starts_with("https://xn--")), "stored in ASCII");

    app.sign_in_as("agent@example.com", "agent").await;
    let (status, staff_page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    assert_eq!(status, 200);
    assert!(staff_page.contains("台灣微軟學習夥伴"));
    assert!(staff_page.contains("https://微軟訓練.台灣/課程/azure"), "staff read it in Unicode too");
    let (_, queue) = app.get_html(&format!("/staff/queue?q={}", "微軟訓練")).await;
    assert!(queue.contains(&reference), "the queue finds the case by its Unicode address");
}

#[actix_web::test]
async fn too_many_forms_are_refused_in_chinese_with_how_long_to_wait() {
    let limit = frontline::domain::rate::RateLimit::per_minutes(1, 10);
    let app = spawn_app_with(|c| c.rate_posts = Some(limit)).await;
    in_chinese(&app).await;
    assert_eq!(app.post_directory(&directory_fields()).await.status().as_u16(), 303);
    let r = app.post_directory(&with(directory_fields(), "partner_id", Some("7654322"))).await;
    assert_eq!(r.status().as_u16(), 429);
    let body = html_unescape(&r.text().await.expect("body"));
    assert!(body.contains(&zh("limit-posts")), "{body}");
    assert!(body.contains(&text_args(Lang::ZhTw, "limit-wait-minutes", &[("n", &10)])), "{body}");
}

#[actix_web::test]
async fn a_queue_filter_staff_typed_wrong_is_refused_in_chinese() {
    let app = spawn_app().await;
    in_chinese(&app).await;
    app.sign_in_as("agent@example.com", "agent").await;
    let (status, html) = app.get_html("/staff/queue?page=0").await;
    assert_eq!(status, 400);
    let expected = text_args(Lang::ZhTw, "queue-error-page", &[("value", &"0")]);
    assert!(html_unescape(&html).contains(&expected), "{expected}");
}
