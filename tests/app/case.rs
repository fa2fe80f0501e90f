//! The case page and its actions, and the partner's reply, over HTTP.

use std::collections::HashMap;

use crate::helpers::*;

const INVOICE_NAME: &str = "發票-INV-2026-0423.pdf";

/// Files a KPI case; returns its reference and tracking path.
async fn file_kpi(app: &TestApp, fields: &[(&'static str, String)]) -> (String, String) {
    let r = app.post_kpi(fields, Some((INVOICE_NAME, fixture("invoice_chromium.pdf")))).await;
    assert_eq!(r.status().as_u16(), 303, "case filed");
    let track = location(&r);
    let (_, html) = app.get_html(&track).await;
    (reference_in(&html).expect("reference"), track)
}

/// A filed case and a signed-in agent.
async fn setup() -> (TestApp, String, String, i64) {
    let app = spawn_app().await;
    let (reference, track) = file_kpi(&app, &kpi_fields()).await;
    let me = app.sign_in_as("ana@frontline.example", "agent").await;
    (app, reference, track, me)
}

async fn case_page(app: &TestApp, reference: &str) -> String {
    let (status, html) = app.get_html(&format!("/staff/cases/{reference}")).await;
    assert_eq!(status, 200, "case page");
    html
}

/// Posts an action with the hidden inputs of the case page as served.
async fn act(app: &TestApp, reference: &str, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let keys = hidden_inputs(&case_page(app, reference).await);
    act_with(app, reference, action, &keys, fields).await
}

async fn act_with(
    app: &TestApp,
    reference: &str,
    action: &str,
    keys: &HashMap<String, String>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut body: Vec<(String, String)> = keys.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    app.client
        .post(app.url(&format!("/staff/cases/{reference}/{action}")))
        .form(&body)
        .send()
        .await
        .expect("POST action")
}

/// Posts an action that must succeed; returns the page it redirects to.
async fn act_ok(app: &TestApp, reference: &str, action: &str, fields: &[(&str, &str)]) -> String {
    let r = act(app, reference, action, fields).await;
    assert_eq!(r.status().as_u16(), 303, "{action}: {}", r.text().await.unwrap_or_default());
    assert_eq!(location(&r), format!("/staff/cases/{reference}"));
    case_page(app, reference).await
}

/// Posts an action that must fail validation; returns the re-rendered page.
async fn act_422(app: &TestApp, reference: &str, action: &str, fields: &[(&str, &str)]) -> String {
    let r = act(app, reference, action, fields).await;
    assert_eq!(r.status().as_u16(), 422, "{action}");
    r.text().await.expect("body")
}

async fn events(app: &TestApp, case_id: i64) -> Vec<frontline::store::cases::EventRow> {
    app.db.read(move |c| Ok(frontline::store::cases::events(c, case_id, false)?)).await.expect("events")
}

async fn to_in_review(app: &TestApp, reference: &str) {
    act_ok(app, reference, "status", &[("status", "in_review")]).await;
}

#[actix_web::test]
async fn the_case_page_shows_what_was_filed_flags_with_reasons_and_the_timeline() {
    let app = spawn_app().await;
    let (first, _) = file_kpi(&app, &kpi_fields()).await;
    // The same invoice again: triage flags a possible duplicate of the first.
    let (second, _) = file_kpi(&app, &kpi_fields()).await;
    app.sign_in_as("ana@frontline.example", "agent").await;
    let html = case_page(&app, &second).await;
    assert!(html.contains(&format!("<title>{second} – Frontline</title>")));
    assert!(html.contains("<span class=\"caption\">KPI discrepancy</span>"));
    assert!(html.contains(&format!("<h1 class=\"heading-l\">{second}</h1>")));
    for text in [
        "台灣微軟學習夥伴有限公司",
        "chen@partner.com.tw",
        "MPN partner admin",
        "USD 1,250.50",
        "INV-2026-0423",
        "儀表板顯示 0，合作夥伴中心顯示 25。",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert!(html.contains(&format!("Download {INVOICE_NAME} (PDF, ")), "the invoice download link");
    let case = app.case(&second).await;
    let id = case.id;
    let flags = app.db.read(move |c| Ok(frontline::store::cases::flags(c, id)?)).await.expect("flags");
    let dup = flags.iter().find(|f| f.code.as_str() == "possible_duplicate").expect("possible duplicate flagged");
    let page = html_unescape(&html);
    assert!(page.contains("Possible duplicate"));
    assert!(page.contains(&dup.reason), "the flag's reason is shown: {}", dup.reason);
    assert!(html.contains(&format!("href=\"/staff/cases/{first}\"")), "a link to the related case");
    assert!(page.contains(&case.priority_reason), "the priority's reason");
    assert!(html.contains("Case filed") && html.contains("Triaged"), "the timeline");
    assert!(html.contains("<time datetime=\""));
    assert!(html.contains("Unassigned"));
    // Only the transitions allowed from Open are offered.
    assert!(html.contains("value=\"in_review\""));
    assert!(!html.contains("name=\"status\" type=\"radio\" value=\"resolved\""));
}

#[actix_web::test]
async fn unknown_cases_are_404_and_the_unauthenticated_go_to_sign_in() {
    let (app, reference, _, _) = setup().await;
    let (status, html) = app.get_html("/staff/cases/KPI-2099-99999").await;
    assert_eq!(status, 404);
    assert!(html.contains("Page not found") && html.contains("Sign out"), "the staff 404 keeps the navigation");
    let anon = app.second_client();
    let r = anon.get(app.url(&format!("/staff/cases/{reference}"))).send().await.expect("get");
    assert_eq!(r.status().as_u16(), 303);
    assert!(location(&r).starts_with("/staff/login?next="));
    let r = anon
        .post(app.url(&format!("/staff/cases/{reference}/note")))
        .form(&[("body", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 303);
    assert!(location(&r).starts_with("/staff/login"));
    let r = anon.get(app.url(&format!("/staff/cases/{reference}/attachments/1"))).send().await.expect("get");
    assert_eq!(r.status().as_u16(), 303);
}

#[actix_web::test]
async fn the_invoice_downloads_as_an_attachment_named_by_frontline_and_shows_its_utf8_name() {
    let (app, reference, _, _) = setup().await;
    let html = case_page(&app, &reference).await;
    assert!(html.contains("Download 發票-INV-2026-0423.pdf (PDF,"), "the partner's name is shown as text");
    let start = html.find(&format!("/staff/cases/{reference}/attachments/")).expect("download link");
    let href: String = html[start..].chars().take_while(|c| *c != '"').collect();
    let r = app.get(&href).await;
    assert_eq!(r.status().as_u16(), 200);
    let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("x-content-type-options"), "nosniff");
    let disposition = header("content-disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    // Saved under a name built from the reference and the type the bytes
    // are, never the uploader's.
    assert_eq!(
        disposition,
        format!("attachment; filename=\"{reference}-invoice.pdf\"; filename*=UTF-8''{reference}-invoice.pdf")
    );
    let bytes = r.bytes().await.expect("bytes");
    assert_eq!(bytes.as_ref(), fixture("invoice_chromium.pdf").as_slice());
    // Another case's attachment id under this reference is not found.
    let (status, _) = app.get_html(&format!("/staff/cases/{reference}/attachments/999999")).await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn assigning_to_me_or_a_colleague_is_recorded_with_a_one_time_banner() {
    let (app, reference, _, me) = setup().await;
    let html = act_ok(&app, &reference, "assign", &[("assignee", "me")]).await;
    assert!(html.contains("Case assigned to you"), "success banner");
    assert!(html.contains("<h2 class=\"notification-banner__title\" id=\"banner-title\">Success</h2>"));
    let case = app.case(&reference).await;
    assert_eq!(case.assignee_id, Some(me));
    assert_eq!(case.version, 2, "the version was bumped");
    let again = case_page(&app, &reference).await;
    assert!(!again.contains("Case assigned to you"), "the banner shows once");
    assert!(again.contains("Assigned to Staff ana@frontline.example"), "the timeline says who");
    let bo = app.create_staff("bo@frontline.example", "Bo Lin", "agent").await;
    let html = act_ok(&app, &reference, "assign", &[("assignee", &bo.to_string())]).await;
    assert!(html.contains("Case assigned to Bo Lin"));
    assert_eq!(app.case(&reference).await.assignee_id, Some(bo));
    let ev = events(&app, case.id).await;
    assert_eq!(ev.iter().filter(|e| e.event_type.as_str() == "assigned").count(), 2);
    assert!(
        ev.iter().filter(|e| e.event_type.as_str() == "assigned").all(|e| e.staff_id == Some(me) && !e.partner_visible)
    );
    let html = act_422(&app, &reference, "assign", &[("assignee", "424242")]).await;
    assert!(html.contains("<a href=\"#assignee\">Select who to assign the case to</a>"));
}

#[actix_web::test]
async fn status_changes_follow_the_state_machine() {
    let (app, reference, _, me) = setup().await;
    let html = act_422(&app, &reference, "status", &[("status", "resolved")]).await;
    assert!(html.contains("<a href=\"#status\">A case cannot go from Open to Resolved</a>"), "the domain's message");
    assert!(html.contains("<title>Error: "));
    assert_eq!(app.case(&reference).await.status.as_str(), "open", "nothing changed");
    let html = act_422(&app, &reference, "status", &[]).await;
    assert!(html.contains("<a href=\"#status\">Select the new status</a>"));
    let html = act_ok(&app, &reference, "status", &[("status", "in_review")]).await;
    assert!(html.contains("Status changed to In review"));
    let case = app.case(&reference).await;
    assert_eq!((case.status.as_str(), case.version), ("in_review", 2));
    let ev = events(&app, case.id).await;
    assert_eq!(ev[0].event_type.as_str(), "status");
    assert_eq!(ev[0].actor_type.as_str(), "staff");
    assert_eq!(ev[0].staff_id, Some(me));
    // In review may resolve, but only through the form that carries a message.
    let html = act_422(&app, &reference, "status", &[("status", "resolved")]).await;
    assert!(html.contains("Resolve or reject"));
    assert_eq!(app.case(&reference).await.status.as_str(), "in_review");
    let html = act_422(&app, &reference, "status", &[("status", "approved")]).await;
    assert!(html.contains("A case cannot go from In review to Approved"), "KPI cases are never approved");
}

#[actix_web::test]
async fn notes_are_internal_escaped_and_keep_line_breaks() {
    let (app, reference, track, _) = setup().await;
    let html = act_422(&app, &reference, "note", &[("body", "   ")]).await;
    assert!(html.contains("<a href=\"#note-body\">Enter the note</a>"));
    assert!(html.contains("id=\"note-body-error\""));
    let long = "x".repeat(2001);
    let html = act_422(&app, &reference, "note", &[("body", &long)]).await;
    assert!(html.contains("Note must be 2,000 characters or less"));
    assert!(html.contains(&long), "the value is kept");
    let html =
        act_ok(&app, &reference, "note", &[("body", "Called the partner <script>alert(1)</script>\r\nSecond line")])
            .await;
    assert!(html.contains("Note added"));
    assert!(html.contains("Internal note"));
    let at = html.find("Called the partner").expect("note shown");
    let shown = &html[at..];
    let end = shown.find("<br>Second line").expect("the line break is kept");
    assert!(shown[..end].contains("script") && !shown[..end].contains('<'), "escaped: {}", &shown[..end]);
    assert!(!html.contains("<script>alert(1)</script>"));
    let case = app.case(&reference).await;
    let note = events(&app, case.id).await.into_iter().find(|e| e.event_type.as_str() == "note").expect("note stored");
    assert!(!note.partner_visible);
    assert_eq!(note.body.as_deref(), Some("Called the partner <script>alert(1)</script>\nSecond line"));
    let (_, tracking) = app.get_html(&track).await;
    assert!(!tracking.contains("Called the partner"), "partners never see notes");
}

#[actix_web::test]
async fn a_reply_waits_on_the_partner_who_sees_it_on_the_tracking_page() {
    let (app, reference, track, _) = setup().await;
    let (_, tracking) = app.get_html(&track).await;
    // The partner may write whenever the case is open; waiting, the page asks.
    assert!(tracking.contains("at any time while your case is open"), "the form is offered while open");
    assert!(!tracking.contains("We are waiting for your answer"));
    to_in_review(&app, &reference).await;
    let html = act_422(&app, &reference, "reply", &[("message", ""), ("set_waiting", "on")]).await;
    assert!(html.contains("<a href=\"#reply-message\">Enter your reply to the partner</a>"));
    let html = act_ok(
        &app,
        &reference,
        "reply",
        &[("message", "Which invoice date is on the document?\nThanks"), ("set_waiting", "on")],
    )
    .await;
    assert!(html.contains("Reply sent – the case is now waiting on the partner"));
    assert!(html.contains("Reply sent to partner"));
    let case = app.case(&reference).await;
    assert_eq!(case.status.as_str(), "waiting_on_partner");
    let reply = events(&app, case.id).await.into_iter().find(|e| e.event_type.as_str() == "reply").expect("reply");
    assert!(reply.partner_visible);
    let (_, tracking) = app.get_html(&track).await;
    assert!(tracking.contains("Messages from support"));
    assert!(tracking.contains("Which invoice date is on the document?<br>Thanks"));
    assert!(tracking.contains("Waiting for your reply"));
    assert!(tracking.contains("Send reply"), "the reply form shows while waiting");
    assert!(tracking.contains("We are waiting for your answer"));
}

#[actix_web::test]
async fn an_unticked_reply_leaves_the_status_alone() {
    let (app, reference, _, _) = setup().await;
    to_in_review(&app, &reference).await;
    let html = act_ok(&app, &reference, "reply", &[("message", "We are looking into it")]).await;
    assert!(html.contains("Reply sent to the partner"));
    assert_eq!(app.case(&reference).await.status.as_str(), "in_review");
}

#[actix_web::test]
async fn resolving_and_rejecting_close_the_case_with_a_message_to_the_partner() {
    let (app, reference, track, _) = setup().await;
    let html = act_422(&app, &reference, "resolve", &[("outcome", "resolved"), ("resolution_message", "Fixed")]).await;
    assert!(html.contains("<a href=\"#resolve-outcome\">A case cannot go from Open to Resolved</a>"));
    let html = act_422(&app, &reference, "resolve", &[]).await;
    assert!(html.contains("<a href=\"#resolve-outcome\">Select whether the case is resolved or rejected</a>"));
    assert!(html.contains("<a href=\"#resolve-message\">Enter the message to the partner</a>"));
    to_in_review(&app, &reference).await;
    let html = act_ok(
        &app,
        &reference,
        "resolve",
        &[("outcome", "resolved"), ("resolution_message", "Your KPI now shows the invoice.")],
    )
    .await;
    assert!(html.contains("Case resolved – the partner can see your message"));
    let case = app.case(&reference).await;
    assert_eq!(case.status.as_str(), "resolved");
    assert_eq!(case.outcome.as_deref(), Some("resolved"));
    assert_eq!(case.resolution_message.as_deref(), Some("Your KPI now shows the invoice."));
    assert!(case.closed_at.is_some());
    let ev = events(&app, case.id).await;
    assert!(ev.iter().any(|e| e.event_type.as_str() == "resolved" && e.partner_visible));
    let (_, tracking) = app.get_html(&track).await;
    assert!(tracking.contains("Your KPI now shows the invoice."));
    assert!(tracking.contains("Resolved"));

    let (other, _) = file_kpi(&app, &with(kpi_fields(), "invoice_number", Some("INV-2026-0999"))).await;
    act_ok(&app, &other, "resolve", &[("outcome", "rejected"), ("resolution_message", "Not an invoice.")]).await;
    let case = app.case(&other).await;
    assert_eq!((case.status.as_str(), case.outcome.as_deref()), ("rejected", Some("rejected")));
    assert!(case.closed_at.is_some());
}

#[actix_web::test]
async fn a_duplicate_names_an_existing_other_case() {
    let (app, reference, _, _) = setup().await;
    let html = act_422(&app, &reference, "duplicate", &[("original", "kpi-2099-99999")]).await;
    assert!(html.contains("<a href=\"#duplicate-original\">No case has the reference KPI-2099-99999</a>"));
    assert!(html.contains("value=\"kpi-2099-99999\""), "the value is kept");
    let html = act_422(&app, &reference, "duplicate", &[("original", "")]).await;
    assert!(html.contains("Enter the reference of the original case"));
    let html = act_422(&app, &reference, "duplicate", &[("original", &reference)]).await;
    assert!(html.contains("The original case must be another case"));
    assert_eq!(app.case(&reference).await.status.as_str(), "open");
    let (original, _) = file_kpi(&app, &with(kpi_fields(), "invoice_number", Some("INV-2026-0777"))).await;
    let html = act_ok(&app, &reference, "duplicate", &[("original", &original)]).await;
    assert!(html.contains(&format!("Case marked as a duplicate of {original}")));
    assert!(html.contains(&format!("href=\"/staff/cases/{original}\"")));
    let case = app.case(&reference).await;
    assert_eq!(case.status.as_str(), "duplicate");
    assert_eq!(case.duplicate_of, Some(app.case(&original).await.id));
    assert!(case.closed_at.is_some());
}

#[actix_web::test]
async fn an_action_on_a_stale_version_is_refused_and_shows_the_latest_state() {
    let (app, reference, _, _) = setup().await;
    let stale = hidden_inputs(&case_page(&app, &reference).await);
    act_ok(&app, &reference, "note", &[("body", "Someone else got here first")]).await;
    let r = act_with(&app, &reference, "status", &stale, &[("status", "in_review")]).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("<li>This case changed since you opened it – check the latest details and try again</li>"));
    assert!(html.contains("Someone else got here first"), "the page shows the current state");
    assert!(html.contains("name=\"version\" value=\"2\""), "and its current version");
    let case = app.case(&reference).await;
    assert_eq!((case.status.as_str(), case.version), ("open", 2));
}

#[actix_web::test]
async fn an_action_without_its_anti_forgery_token_changes_nothing() {
    let (app, reference, _, _) = setup().await;
    let case = app.case(&reference).await;
    let before = events(&app, case.id).await.len();
    let mut keys = hidden_inputs(&case_page(&app, &reference).await);
    keys.remove("csrf_token");
    let r = act_with(&app, &reference, "note", &keys, &[("body", "forged")]).await;
    assert_eq!(r.status().as_u16(), 403);
    keys.insert("csrf_token".into(), "00".repeat(32));
    let r = act_with(&app, &reference, "status", &keys, &[("status", "in_review")]).await;
    assert_eq!(r.status().as_u16(), 403);
    let after = app.case(&reference).await;
    assert_eq!((after.version, after.status.as_str()), (case.version, "open"));
    assert_eq!(events(&app, case.id).await.len(), before);
}

/// Posts the partner's reply form with the hidden inputs of the tracking page.
async fn partner_reply(
    app: &TestApp,
    track: &str,
    keys: &HashMap<String, String>,
    message: &str,
    file: Option<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in keys {
        form = form.text(k.clone(), v.clone());
    }
    form = form.text("message", message.to_string());
    if let Some((name, bytes)) = file {
        form = form.part("attachment", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    }
    app.second_client().post(app.url(&format!("{track}/reply"))).multipart(form).send().await.expect("POST reply")
}

#[actix_web::test]
async fn the_partner_replies_with_an_attachment_and_the_case_returns_to_review() {
    let (app, reference, track, _) = setup().await;
    to_in_review(&app, &reference).await;
    act_ok(&app, &reference, "reply", &[("message", "Send us the order confirmation too"), ("set_waiting", "on")])
        .await;
    let (status, tracking) = app.get_html(&track).await;
    assert_eq!(status, 200);
    assert!(tracking.contains("enctype=\"multipart/form-data\""));
    let keys = hidden_inputs(&tracking);
    assert!(keys.contains_key("csrf_token"));

    let r = partner_reply(&app, &track, &keys, "  ", None).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("<a href=\"#message\">Enter your reply</a>"));
    let r = partner_reply(&app, &track, &keys, "Here it is", Some(("x.pdf", fixture("damaged_garbage.pdf")))).await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("<a href=\"#attachment\">"), "a damaged file is refused");
    assert!(html.contains(">Here it is</textarea>"), "the message is kept");
    let mut forged = keys.clone();
    forged.insert("csrf_token".into(), "1.00".into());
    let r = partner_reply(&app, &track, &forged, "Here it is", None).await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.case(&reference).await.status.as_str(), "waiting_on_partner");

    // Any readable PDF will do: an order confirmation is fine as an attachment.
    let attached = fixture("order_confirmation_libreoffice.pdf");
    let r =
        partner_reply(&app, &track, &keys, "Here it is:\nthe 訂單確認", Some(("訂單確認.pdf", attached.clone()))).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(location(&r), track);
    let case = app.case(&reference).await;
    assert_eq!(case.status.as_str(), "in_review");
    let ev = events(&app, case.id).await;
    let reply = ev.iter().find(|e| e.event_type.as_str() == "partner_reply").expect("reply stored");
    assert_eq!((reply.actor_type.as_str(), reply.partner_visible), ("partner", true));
    let id = case.id;
    let files = app.db.read(move |c| Ok(frontline::store::cases::attachments(c, id)?)).await.expect("files");
    let file = files.iter().find(|f| f.event_id == Some(reply.id)).expect("attachment linked to the reply");
    assert_eq!(file.file_name, "訂單確認.pdf");

    let html = case_page(&app, &reference).await;
    assert!(html.contains("Reply from partner"));
    assert!(html.contains("Here it is:<br>the 訂單確認"));
    let href = format!("/staff/cases/{reference}/attachments/{}", file.id);
    assert!(html.contains(&format!("href=\"{href}\"")), "the attachment is downloadable");
    let r = app.get(&href).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.expect("bytes").as_ref(), attached.as_slice());

    // Back in review, the partner may still write (a correction, a file
    // forgotten): the status stays.
    let r = partner_reply(&app, &track, &keys, "And again", None).await;
    assert_eq!(r.status().as_u16(), 303);
    let case = app.case(&reference).await;
    assert_eq!(case.status.as_str(), "in_review");
    let replies = events(&app, case.id).await.into_iter().filter(|e| e.event_type.as_str() == "partner_reply").count();
    assert_eq!(replies, 2);
}

#[actix_web::test]
async fn the_partner_sees_a_one_time_banner_after_replying() {
    let (app, reference, track, _) = setup().await;
    to_in_review(&app, &reference).await;
    act_ok(&app, &reference, "reply", &[("message", "Question"), ("set_waiting", "on")]).await;
    let partner = app.second_client();
    let (_, tracking) = {
        let r = partner.get(app.url(&track)).send().await.expect("get");
        (r.status().as_u16(), r.text().await.expect("body"))
    };
    let keys = hidden_inputs(&tracking);
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in &keys {
        form = form.text(k.clone(), v.clone());
    }
    form = form.text("message", "Answer");
    let r = partner.post(app.url(&format!("{track}/reply"))).multipart(form).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 303);
    let html = partner.get(app.url(&track)).send().await.expect("get").text().await.expect("body");
    assert!(html.contains("Reply sent – Frontline Support will look at your case again"));
    assert!(html.contains("Answer"));
    assert!(!html.contains("We are waiting for your answer"), "no longer waiting once the case is back in review");
    assert!(html.contains("at any time while your case is open"), "the form stays for anything more");
    let html = partner.get(app.url(&track)).send().await.expect("get").text().await.expect("body");
    assert!(!html.contains("Reply sent –"), "the banner shows once");
}
