//! What the invoice check makes of the file, through the real forms: active
//! content is refused at the door, as an invoice and as a reply attachment.

use crate::helpers::*;

fn active(name: &str) -> Vec<u8> {
    fixture(&format!("active/{name}"))
}

#[actix_web::test]
async fn an_invoice_with_javascript_is_refused_with_what_to_do_and_nothing_is_stored() {
    let app = spawn_app().await;
    let r = app.post_kpi(&kpi_fields(), Some(("invoice.pdf", active("js_openaction.pdf")))).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = html_unescape(&r.text().await.expect("body"));
    assert!(html.contains("<a href=\"#invoice_file\">The selected PDF contains JavaScript"), "named in the summary");
    assert!(html.contains("print the invoice to a new PDF"), "and what to do");
    assert!(html.contains("value=\"INV-2026-0423\""), "the typed values are kept");
    assert_eq!(app.case_count().await, 0);

    // The same invoice without the script is filed.
    let r = app.post_kpi(&kpi_fields(), Some(("invoice.pdf", active("uri_link.pdf")))).await;
    assert_eq!(r.status().as_u16(), 303);
}

#[actix_web::test]
async fn a_reply_attachment_with_an_embedded_file_is_refused() {
    let app = spawn_app().await;
    let r = app.post_directory(&directory_fields()).await;
    let track = location(&r);
    let reference = reference_in(&app.get_html(&track).await.1).expect("reference");
    app.sign_in_as("ana@frontline.example", "agent").await;
    for (field, value) in [("status", "in_review"), ("message", "Please send the page as a PDF")] {
        let page = app.get_html(&format!("/staff/cases/{reference}")).await.1;
        let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
        body.push((field.into(), value.into()));
        body.push(("set_waiting".into(), "on".into()));
        let action = if field == "status" { "status" } else { "reply" };
        let r = app
            .client
            .post(app.url(&format!("/staff/cases/{reference}/{action}")))
            .form(&body)
            .send()
            .await
            .expect("staff action");
        assert_eq!(r.status().as_u16(), 303);
    }
    let keys = hidden_inputs(&app.get_html(&track).await.1);
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in keys {
        form = form.text(k, v);
    }
    form = form.text("message", "Here it is");
    let part = reqwest::multipart::Part::bytes(active("embedded_file.pdf")).file_name("page.pdf");
    form = form.part("attachment", part);
    let r = app.second_client().post(app.url(&format!("{track}/reply"))).multipart(form).send().await.expect("reply");
    assert_eq!(r.status().as_u16(), 422);
    let html = html_unescape(&r.text().await.expect("body"));
    assert!(html.contains("The selected PDF contains embedded files"), "{html}");
    assert!(html.contains(">Here it is</textarea>"), "the message is kept");
    assert_eq!(app.case(&reference).await.status.as_str(), "waiting_on_partner", "nothing changed");
}

/// Files a KPI case on 20 May 2026 with `file` and the form's invoice
/// month, number and revenue; returns its reference.
async fn file_on_20_may(app: &TestApp, file: Vec<u8>, month: &str, number: &str, revenue: (&str, &str)) -> String {
    let fields = with(with(kpi_fields(), "month", Some(month)), "year", Some("2026"));
    let fields = with(with(fields, "invoice_number", Some(number)), "revenue_value", Some(revenue.1));
    let fields = with(fields, "revenue_currency", Some(revenue.0));
    let r = app.post_kpi(&fields, Some(("invoice.pdf", file))).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    reference_in(&app.get_html(&location(&r)).await.1).expect("reference")
}

async fn flag_reasons(app: &TestApp, reference: &str) -> Vec<(String, String)> {
    let id = app.case(reference).await.id;
    let flags = app.db.read(move |c| Ok(frontline::store::cases::flags(c, id)?)).await.expect("flags");
    flags.into_iter().map(|f| (f.code.as_str().to_owned(), f.reason)).collect()
}

fn may_20() -> frontline::clock::Clock {
    frontline::clock::Clock::pinned(
        chrono::NaiveDate::from_ymd_opt(2026, 5, 20).and_then(|d| d.and_hms_opt(10, 0, 0)).expect("date"),
    )
}

#[actix_web::test]
async fn an_invoice_dated_in_another_month_with_another_total_is_flagged_for_staff_not_refused() {
    let app = spawn_app_with_clock(may_20(), |_| {}).await;
    // Printed: INV-2026-0423, dated 2026-03-05, "Total due: USD 1,250.50".
    let reference = file_on_20_may(&app, active("uri_link.pdf"), "2", "INV-2026-0423", ("USD", "1,205.50")).await;
    let case = app.case(&reference).await;
    assert_eq!(case.doc_invoice_date, chrono::NaiveDate::from_ymd_opt(2026, 3, 5), "what the invoice says is kept");
    assert_eq!((case.doc_total_currency.as_deref(), case.doc_total_minor), (Some("USD"), Some(125_050)));
    let flags = flag_reasons(&app, &reference).await;
    let reason = |code: &str| flags.iter().find(|(c, _)| c == code).map(|(_, r)| r.clone()).unwrap_or_default();
    assert!(
        reason("date_mismatch")
            .starts_with("The invoice is dated 5 March 2026, but the form says it is a February 2026 invoice")
    );
    assert!(
        reason("total_mismatch")
            .starts_with("The invoice's total is USD 1,250.50, but the revenue on the form is USD 1,205.50")
    );

    app.sign_in_as("ana@frontline.example", "agent").await;
    let (_, page) = app.get_html(&format!("/staff/cases/{reference}")).await;
    let page = html_unescape(&page);
    assert!(page.contains("Date differs") && page.contains("Total differs"), "staff see both flags");
}

#[actix_web::test]
async fn a_matching_invoice_raises_no_cross_check_flag() {
    let app = spawn_app_with_clock(may_20(), |_| {}).await;
    let reference = file_on_20_may(&app, active("uri_link.pdf"), "3", "INV-2026-0423", ("USD", "1,250.50")).await;
    let codes: Vec<String> = flag_reasons(&app, &reference).await.into_iter().map(|(c, _)| c).collect();
    assert!(!codes.iter().any(|c| c == "date_mismatch" || c == "total_mismatch"), "{codes:?}");
    // A total in another currency than the form's is not compared.
    let reference = file_on_20_may(&app, active("uri_link.pdf"), "3", "INV-2026-0423", ("TWD", "39,000")).await;
    let codes: Vec<String> = flag_reasons(&app, &reference).await.into_iter().map(|(c, _)| c).collect();
    assert!(!codes.iter().any(|c| c == "total_mismatch"), "{codes:?}");
}

#[actix_web::test]
async fn a_taiwanese_invoice_dated_in_the_roc_calendar_is_read_and_cross_checked() {
    let app = spawn_app_with_clock(may_20(), |_| {}).await;
    // 統一發票 MV82324525, 中華民國115年1月16日, TWD 19,941.
    let invoice = || fixture("corpus/files/invoice_zh-TW_chromium_02.pdf");
    let agrees = file_on_20_may(&app, invoice(), "1", "MV82324525", ("TWD", "19,941")).await;
    let case = app.case(&agrees).await;
    assert_eq!(case.doc_invoice_date, chrono::NaiveDate::from_ymd_opt(2026, 1, 16), "115年 is 2026");
    let codes: Vec<String> = flag_reasons(&app, &agrees).await.into_iter().map(|(c, _)| c).collect();
    assert!(!codes.iter().any(|c| c == "date_mismatch" || c == "total_mismatch"), "{codes:?}");

    let wrong_month = file_on_20_may(&app, invoice(), "2", "MV82324525", ("TWD", "19,941")).await;
    let flags = flag_reasons(&app, &wrong_month).await;
    let date = flags.iter().find(|(c, _)| c == "date_mismatch").map(|(_, r)| r.as_str()).unwrap_or_default();
    assert!(
        date.starts_with("The invoice is dated 16 January 2026, but the form says it is a February 2026 invoice"),
        "{date}"
    );
}

#[actix_web::test]
async fn re_triage_keeps_the_cross_checks() {
    let app = spawn_app_with_clock(may_20(), |_| {}).await;
    let reference = file_on_20_may(&app, active("uri_link.pdf"), "2", "INV-2026-0423", ("USD", "1,205.50")).await;
    let id = app.case(&reference).await.id;
    let (rules, now) = (app.state.config.triage.clone(), app.state.clock.now());
    let changed =
        app.db.write(move |c| frontline::app::retriage::retriage(c, id, &rules, now)).await.expect("retriage");
    assert_eq!(changed, None, "rebuilt from the stored facts, triage finds the same flags");
}
