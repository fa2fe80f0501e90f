use crate::helpers::*;

type Upload = Option<(&'static str, Vec<u8>)>;

fn invoice() -> Upload {
    Some(("發票-INV-2026-0423.pdf", fixture("invoice_chromium.pdf")))
}

#[actix_web::test]
async fn a_valid_kpi_case_is_stored_with_its_invoice_and_trackable() {
    let app = spawn_app().await;
    let r = app.post_kpi(&kpi_fields(), invoice()).await;
    assert_eq!(r.status().as_u16(), 303);
    let to = location(&r);
    let (status, html) = app.get_html(&to).await;
    assert_eq!(status, 200);
    let reference = reference_in(&html).expect("reference shown");
    assert!(reference.starts_with("KPI-"), "{reference}");
    assert!(
        html.contains("should have shown on your KPI dashboard since 15 "),
        "the KPI visibility date, in the past for a month two months ago"
    );
    assert!(html.contains("台灣微軟學習夥伴有限公司"), "what you sent, in UTF-8");
    assert!(html.contains("USD 1,250.50"));
    assert!(html.contains("發票-INV-2026-0423.pdf"));
    let case = app.case(&reference).await;
    assert_eq!(case.revenue_minor, Some(125_050), "revenue stored exactly");
    assert_eq!(case.invoice_number_norm.as_deref(), Some("INV20260423"));
    assert_eq!(case.evidence.map(|e| e.as_str()), Some("text_matched"));
    let id = case.id;
    let files = app.db.read(move |c| Ok(frontline::store::cases::attachments(c, id)?)).await.expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].content_type, "application/pdf");
    assert_eq!(files[0].file_name, "發票-INV-2026-0423.pdf");
    assert_eq!(files[0].sha256.len(), 64);
    assert_eq!(files[0].invoice_number_found, Some(true));
}

#[actix_web::test]
async fn every_bad_field_is_refused_with_its_message_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (m, y) = this_month();
    let (next_m, next_y) = if m == 12 { (1, y + 1) } else { (m + 1, y) };
    let table: Vec<(&str, Option<String>, &str, &str)> = vec![
        ("partner_id", Some("12345".into()), "partner_id", "MPN / Partner ID must be between 6 and 10 digits"),
        ("partner_id", Some("12ab567".into()), "partner_id", "MPN / Partner ID must only include numbers 0 to 9"),
        ("contact_email", Some("not-an-email".into()), "contact_email", "Enter an email address in the correct format"),
        (
            "contact_role",
            Some("other".into()),
            "contact_role",
            "Only MPN partner admins and MPN account admins can file a case",
        ),
        ("month", Some("13".into()), "month", "KPI month must be a real date"),
        ("month", Some(next_m.to_string()), "month", "KPI month must be this month or in the past"),
        ("year", Some("26".into()), "year", "Year must include 4 numbers"),
        ("year", Some("1999".into()), "year", "KPI month must be the same as or after January 2000"),
        ("omlp_type", None, "omlp_type", "Select the OMLP type"),
        ("omlp_type", Some("bogus".into()), "omlp_type", "Select an OMLP type from the list"),
        ("purchase_unit", Some("0".into()), "purchase_unit", "Purchase unit must be 1 or more"),
        ("purchase_unit", Some("2.5".into()), "purchase_unit", "Purchase unit must be a whole number, like 25"),
        (
            "invoice_number",
            Some("INV 0423!".into()),
            "invoice_number",
            "Invoice number must only include letters, numbers, hyphens (-) and slashes (/)",
        ),
        ("kpi_value", Some("-1".into()), "kpi_value", "KPI value must be 0 or more"),
        (
            "revenue_value",
            Some("12.345".into()),
            "revenue_value",
            "Revenue value must be an amount with up to 2 decimal places",
        ),
        (
            "revenue_currency",
            Some("XYZ".into()),
            "revenue_currency",
            "Revenue currency must be a currency code from the list",
        ),
        ("document_type", Some("order_confirmation".into()), "document_type", "Only actual invoices are accepted"),
        ("document_type", Some("partner_report".into()), "document_type", "Only actual invoices are accepted"),
        (
            "anniversary_date",
            Some("03/04/2025".into()),
            "anniversary_date",
            "Enter the anniversary date as year, month and day",
        ),
        ("description", Some("字".repeat(2001)), "description", "Description must be 2,000 characters or less"),
    ];
    let _ = next_y;
    for (field, value, id, message) in table {
        let mut fields = with(kpi_fields(), field, value.as_deref());
        if field == "month" && message.contains("this month or in the past") {
            fields = with(fields, "year", Some(&next_y.to_string()));
        }
        let r = app.post_kpi(&fields, invoice()).await;
        assert_eq!(r.status().as_u16(), 422, "{field}={value:?}");
        let html = html_unescape(&r.text().await.expect("body"));
        assert!(html.contains("There is a problem"), "{field}: error summary");
        assert!(
            html.contains(&format!("<a href=\"#{id}\">{message}")),
            "{field}={value:?}: summary link to #{id} with {message:?}"
        );
        assert!(html.contains("value=\"台灣微軟學習夥伴有限公司\""), "{field}: typed values kept");
    }
    assert_eq!(app.case_count().await, 0);
}

#[actix_web::test]
async fn the_invoice_file_is_checked_by_its_content() {
    let app = spawn_app().await;
    let cases: Vec<(Upload, &str)> = vec![
        (None, "Select the invoice file"),
        (Some(("empty.pdf", Vec::new())), "The selected file is empty"),
        (Some(("notes.pdf", fixture("text_renamed.pdf"))), "The selected file must be a PDF, PNG or JPG"),
        (Some(("broken.pdf", fixture("damaged_garbage.pdf"))), "The selected file could not be read"),
        (
            Some(("order.pdf", fixture("order_confirmation_libreoffice.pdf"))),
            "is an order confirmation, not an invoice",
        ),
        (
            Some(("訂單.pdf", fixture("order_confirmation_chromium_zh_tw.pdf"))),
            "is an order confirmation, not an invoice",
        ),
        (Some(("report.pdf", fixture("partner_report_chromium.pdf"))), "is a partner report, not an invoice"),
    ];
    for (file, message) in cases {
        let name = file.as_ref().map(|f| f.0.to_string()).unwrap_or_default();
        let r = app.post_kpi(&kpi_fields(), file).await;
        assert_eq!(r.status().as_u16(), 422, "{name}");
        let html = html_unescape(&r.text().await.expect("body"));
        assert!(html.contains(message), "{name}: expected {message:?}");
        assert!(html.contains("<a href=\"#invoice_file\">"), "{name}: summary links the file input");
    }
    assert_eq!(app.case_count().await, 0);
}

#[actix_web::test]
async fn a_file_over_ten_mebibytes_is_refused_and_the_server_is_unharmed() {
    let app = spawn_app().await;
    let mut big = fixture("invoice_chromium.pdf");
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let r = app.post_kpi(&kpi_fields(), Some(("big.pdf", big))).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("The selected file must be smaller than 10MB"));
    assert!(html.contains("value=\"INV-2026-0423\""), "other answers are kept");
    assert_eq!(app.case_count().await, 0);
    let ok = app.post_kpi(&kpi_fields(), invoice()).await;
    assert_eq!(ok.status().as_u16(), 303, "the server still takes cases");
}

#[actix_web::test]
async fn genuine_invoices_that_cannot_be_read_are_accepted_and_marked_for_a_look() {
    let app = spawn_app().await;
    for (name, evidence) in [
        ("invoice_scanned.pdf", "no_text_layer"),
        ("invoice_encrypted.pdf", "encrypted"),
        ("invoice.png", "image"),
        ("invoice.jpg", "image"),
        ("invoice_libreoffice_zh_tw.pdf", "text_matched"),
        ("invoice_reportlab.pdf", "text_matched"),
    ] {
        let fields = with(kpi_fields(), "partner_id", Some(&format!("{}", 1_000_000 + name.len())));
        let r = app.post_kpi(&fields, Some((name, fixture(name)))).await;
        assert_eq!(r.status().as_u16(), 303, "{name} is accepted");
        let (_, html) = app.get_html(&location(&r)).await;
        let case = app.case(&reference_in(&html).expect("reference")).await;
        assert_eq!(case.evidence.map(|e| e.as_str()), Some(evidence), "{name}");
    }
}

#[actix_web::test]
async fn submitting_the_same_kpi_form_twice_creates_one_case() {
    let app = spawn_app().await;
    let keys = app.form_keys("/cases/kpi/new").await;
    let a = app.post_kpi_with_keys(&keys, &kpi_fields(), invoice()).await;
    let b = app.post_kpi_with_keys(&keys, &kpi_fields(), invoice()).await;
    assert_eq!(a.status().as_u16(), 303);
    assert_eq!(b.status().as_u16(), 303);
    assert_eq!(location(&a), location(&b));
    assert_eq!(app.case_count().await, 1);
}

#[actix_web::test]
async fn a_filed_kpi_form_sent_again_without_its_file_goes_to_its_case() {
    let app = spawn_app().await;
    let keys = app.form_keys("/cases/kpi/new").await;
    let a = app.post_kpi_with_keys(&keys, &kpi_fields(), invoice()).await;
    assert_eq!(a.status().as_u16(), 303);
    // Back and resubmit, where the browser did not send the file again.
    let b = app.post_kpi_with_keys(&keys, &kpi_fields(), None).await;
    assert_eq!(b.status().as_u16(), 303);
    assert_eq!(location(&a), location(&b));
    assert_eq!(app.case_count().await, 1);
}

#[actix_web::test]
async fn a_kpi_post_without_its_token_stores_nothing() {
    let app = spawn_app().await;
    let r = app.post_kpi_with_keys(&Default::default(), &kpi_fields(), invoice()).await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.case_count().await, 0);
}

#[actix_web::test]
async fn friendly_variants_are_accepted() {
    let app = spawn_app().await;
    let (m, y) = visible_month();
    let month_name = frontline::domain::calendar::month_name(m);
    let fields = with(
        with(with(kpi_fields(), "month", Some(&month_name[..3])), "year", Some(&y.to_string())),
        "anniversary_date",
        Some("27 March 2025"),
    );
    let fields = with(fields, "partner_id", Some("123-4567"));
    let r = app.post_kpi(&fields, invoice()).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get_html(&location(&r)).await;
    let case = app.case(&reference_in(&html).expect("reference")).await;
    assert_eq!(case.kpi_month, Some(i32::try_from(m).expect("month")));
    assert_eq!(case.partner_id, "1234567");
    assert_eq!(case.anniversary_date, chrono::NaiveDate::from_ymd_opt(2025, 3, 27));
}

#[actix_web::test]
async fn an_invoice_that_passed_is_kept_while_the_partner_fixes_another_answer() {
    let app = spawn_app().await;
    let keys = app.form_keys("/cases/kpi/new").await;
    let r = app.post_kpi_with_keys(&keys, &with(kpi_fields(), "purchase_unit", Some("0")), invoice()).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("<strong>發票-INV-2026-0423.pdf</strong> is uploaded"));
    assert!(html.contains("Choose a file only to replace it"));
    // Resubmit the corrected form without choosing the file again.
    let keys = hidden_inputs(&html);
    let r = app.post_kpi_with_keys(&keys, &kpi_fields(), None).await;
    assert_eq!(r.status().as_u16(), 303, "the kept invoice is used");
    let (_, page) = app.get_html(&location(&r)).await;
    let case = app.case(&reference_in(&page).expect("reference")).await;
    let id = case.id;
    let files = app.db.read(move |c| Ok(frontline::store::cases::attachments(c, id)?)).await.expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name, "發票-INV-2026-0423.pdf");
    assert_eq!(case.evidence.map(|e| e.as_str()), Some("text_matched"));
    // A fresh form has no kept file: the file is still required.
    let r = app.post_kpi(&kpi_fields(), None).await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.expect("body").contains("Select the invoice file"));
}

#[actix_web::test]
async fn numbers_typed_in_full_width_mode_are_read_as_meant_and_a_roc_year_is_named() {
    let app = spawn_app().await;
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
    ] {
        fields = with(fields, name, Some(&wide(&value)));
    }
    let r = app.post_kpi(&fields, Some(("invoice.pdf", fixture("invoice_chromium.pdf")))).await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    let (_, page) = app.get_html(&location(&r)).await;
    let case = app.case(&reference_in(&page).expect("reference")).await;
    assert_eq!(case.partner_id, "1234567");
    assert_eq!((case.kpi_month, case.kpi_year), (Some(m as i32), Some(y)));
    assert_eq!(case.invoice_number.as_deref(), Some("INV-2026-0423"));
    assert_eq!(case.purchase_unit, Some(25));
    assert_eq!(case.revenue_minor, Some(125_050));

    // A Republic of China year is refused with the year it means.
    let roc = (y - 1911).to_string();
    let r = app.post_kpi(&with(kpi_fields(), "year", Some(&roc)), None).await;
    assert_eq!(r.status().as_u16(), 422);
    let body = html_unescape(&r.text().await.expect("body"));
    assert!(body.contains(&format!("{roc} looks like a Republic of China (民國) year: enter it as {y}")), "{body}");
    assert!(body.contains(&format!("value=\"{roc}\"")), "the typed year is kept");
}

#[actix_web::test]
async fn eligibility_is_asked_first_and_each_ineligible_choice_says_what_it_means() {
    let app = spawn_app().await;
    let (_, form) = app.get_html("/cases/kpi/new").await;
    let at = |needle: &str| form.find(needle).unwrap_or_else(|| panic!("{needle} on the form"));
    assert!(at("name=\"contact_role\"") < at("name=\"partner_id\""), "the role before the twenty fields");
    assert!(at("name=\"document_type\"") < at("name=\"month\""), "the document before the discrepancy");
    assert!(at("Before you start") < at("name=\"contact_role\""));
    assert!(form.contains("ask one of them to file the case for you"));
    assert!(form.contains("Not accepted: support needs the invoice itself"));
    // Refused, the summary lists the eligibility problems first.
    let fields = with(with(kpi_fields(), "contact_role", Some("other")), "document_type", Some("partner_report"));
    let r = app.post_kpi(&with(fields, "partner_id", Some("12")), None).await;
    assert_eq!(r.status().as_u16(), 422);
    let body = r.text().await.expect("body");
    let summary = &body[..body.find("</ul>").expect("summary")];
    assert!(summary.find("#contact_role").expect("role") < summary.find("#partner_id").expect("partner id"));
    let (_, form) = app.get_html("/cases/directory/new").await;
    assert!(form.find("name=\"contact_role\"") < form.find("name=\"partner_id\""));
}
