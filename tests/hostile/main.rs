//! Hostile input through the real upload paths: generated PDFs (operand,
//! operator and page floods, deflate and object-stream bombs, deep nesting,
//! a huge array, a lying cross-reference stream) and images that claim to be
//! enormous, posted as a KPI invoice and as a partner reply's attachment.
//! Each gets a clear answer, never a 5xx; and a server under every attack at
//! once stays under 256 MB (`memory.rs`).

#[path = "../app/helpers.rs"]
mod helpers;

mod generate;
mod memory;

use helpers::*;

/// What a hostile invoice is expected to become.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Accepted, its text not read: a human looks at it.
    Unread,
    /// Accepted as an image (its pixels are never decoded).
    Image,
    /// Refused as a file that cannot be read.
    Damaged,
    /// Refused as a PDF that cannot be checked for active content (object
    /// streams past their budget go unread).
    Uncheckable,
    /// Accepted or refused as damaged, whichever the parser decides, but
    /// never an error.
    Either,
}

fn hostile_files() -> Vec<(&'static str, Vec<u8>, Expect)> {
    vec![
        ("operand-flood.pdf", generate::operand_flood(), Expect::Unread),
        ("operand-flood-within-limit.pdf", generate::operand_flood_within_limit(), Expect::Either),
        ("operator-flood.pdf", generate::operator_flood(), Expect::Either),
        ("deflate-bomb.pdf", generate::deflate_bomb(), Expect::Unread),
        ("page-flood.pdf", generate::page_flood(100_000), Expect::Unread),
        ("object-stream-bomb.pdf", generate::object_stream_bomb(3), Expect::Uncheckable),
        ("deep-nesting.pdf", generate::deep_nesting(), Expect::Unread),
        ("big-array.pdf", generate::big_array(), Expect::Unread),
        ("xref-bomb.pdf", generate::xref_bomb(), Expect::Either),
        ("huge.png", generate::png_claiming_to_be_huge(), Expect::Image),
        // A row of 4 GB is never allocated: the reader's limits refuse it.
        ("huge-row.png", generate::png_rgba(1 << 30, 1, 1024), Expect::Damaged),
        // Its first row is cut short: not a readable image.
        ("short-row.png", generate::png_rgba(100_000, 100_000, 1024), Expect::Damaged),
        ("huge.jpg", generate::jpeg_claiming_to_be_huge(), Expect::Image),
        ("truncated.png", generate::png_claiming_to_be_huge()[..40].to_vec(), Expect::Damaged),
    ]
}

#[actix_web::test]
async fn hostile_invoices_get_a_clear_answer_and_never_a_5xx() {
    let app = spawn_app_with(|c| c.rate_posts = None).await;
    for (name, bytes, expect) in hostile_files() {
        let r = app.post_kpi(&kpi_fields(), Some((name, bytes))).await;
        let status = r.status().as_u16();
        match (expect, status) {
            (Expect::Damaged, 422) | (Expect::Either, 422) => {
                let body = r.text().await.expect("body");
                assert!(body.contains("could not be read"), "{name}: {body}");
                continue;
            }
            (Expect::Uncheckable, 422) => {
                let body = r.text().await.expect("body");
                assert!(body.contains("cannot be checked for scripts or embedded files"), "{name}: {body}");
                continue;
            }
            (Expect::Unread | Expect::Image | Expect::Either, 303) => {}
            _ => panic!("{name}: {status} for {expect:?}"),
        }
        let (_, html) = app.get_html(&location(&r)).await;
        let case = app.case(&reference_in(&html).expect("reference")).await;
        let evidence = case.evidence.map(|e| e.as_str()).unwrap_or_default();
        match expect {
            Expect::Unread => assert_eq!(evidence, "unextractable", "{name}"),
            Expect::Image => assert_eq!(evidence, "image", "{name}"),
            _ => assert!(
                matches!(evidence, "unextractable" | "no_text_layer" | "text_without_invoice_number"),
                "{name}: {evidence}"
            ),
        }
    }
}

#[actix_web::test]
async fn hostile_reply_attachments_get_a_clear_answer_and_never_a_5xx() {
    let app = spawn_app_with(|c| c.rate_posts = None).await;
    let r = app.post_directory(&directory_fields()).await;
    let track = location(&r);
    let reference = reference_in(&app.get_html(&track).await.1).expect("reference");
    // Support takes the case and asks a question, so the partner may reply.
    app.sign_in_as("ana@frontline.example", "agent").await;
    let page = app.get_html(&format!("/staff/cases/{reference}")).await.1;
    let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
    body.push(("status".into(), "in_review".into()));
    let r =
        app.client.post(app.url(&format!("/staff/cases/{reference}/status"))).form(&body).send().await.expect("status");
    assert_eq!(r.status().as_u16(), 303);
    let page = app.get_html(&format!("/staff/cases/{reference}")).await.1;
    let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
    body.push(("message".into(), "Please send the page again".into()));
    body.push(("set_waiting".into(), "on".into()));
    let r =
        app.client.post(app.url(&format!("/staff/cases/{reference}/reply"))).form(&body).send().await.expect("reply");
    assert_eq!(r.status().as_u16(), 303);
    for (name, bytes, expect) in hostile_files() {
        let page = app.get_html(&track).await.1;
        let keys = hidden_inputs(&page);
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in keys {
            form = form.text(k, v);
        }
        form = form.text("message", format!("Here is {name}"));
        form = form.part("attachment", reqwest::multipart::Part::bytes(bytes).file_name(name));
        let r = app.client.post(app.url(&format!("{track}/reply"))).multipart(form).send().await.expect("post");
        let status = r.status().as_u16();
        match expect {
            Expect::Damaged | Expect::Uncheckable => assert_eq!(status, 422, "{name}"),
            Expect::Either => assert!(matches!(status, 303 | 409 | 422), "{name}: {status}"),
            // Accepted: the reply is stored and the case is no longer waiting,
            // so later replies meet "not waiting" (409) — never a 5xx.
            _ => assert!(matches!(status, 303 | 409), "{name}: {status}"),
        }
        if status == 303 {
            // Ask again, so the next file can be tried.
            let page = app.get_html(&format!("/staff/cases/{reference}")).await.1;
            let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
            body.push(("message".into(), "And the next one?".into()));
            body.push(("set_waiting".into(), "on".into()));
            app.client
                .post(app.url(&format!("/staff/cases/{reference}/reply")))
                .form(&body)
                .send()
                .await
                .expect("reply");
        }
    }
}
