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
