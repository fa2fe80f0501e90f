//! PDFs that carry active content (scripts, launch actions, form
//! submission, embedded files, XFA) are refused, as invoices and as reply
//! attachments; a plain link to a web page is not active content. The
//! fixtures are one reportlab invoice with one feature added each
//! (`tests/fixtures/documents/active/`).

use frontline::checks::document::{DocumentError, Limits, TextLayer, inspect, inspect_attachment};
use frontline::checks::pdf::{ActiveContent, ActiveKinds};

const NUMBER: &str = "INV-2026-0423";

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documents/active").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn refused_for(name: &str, kinds: &[ActiveContent]) {
    let expected = Err(DocumentError::ActiveContent(ActiveKinds::of(kinds)));
    assert_eq!(inspect(&fixture(name), NUMBER, &Limits::default()), expected, "{name} as an invoice");
    assert_eq!(inspect_attachment(&fixture(name), &Limits::default()), expected, "{name} as an attachment");
}

#[test]
fn javascript_run_on_opening_is_refused() {
    refused_for("js_openaction.pdf", &[ActiveContent::JavaScript]);
}

#[test]
fn document_level_javascript_is_refused() {
    refused_for("js_names.pdf", &[ActiveContent::JavaScript]);
}

#[test]
fn a_page_running_javascript_when_shown_is_refused() {
    refused_for("aa_page.pdf", &[ActiveContent::JavaScript]);
}

#[test]
fn a_link_that_launches_a_program_is_refused() {
    refused_for("launch.pdf", &[ActiveContent::Launch]);
}

#[test]
fn embedded_files_are_refused_in_the_name_tree_and_as_annotations() {
    refused_for("embedded_file.pdf", &[ActiveContent::EmbeddedFiles]);
    refused_for("file_attachment_annot.pdf", &[ActiveContent::EmbeddedFiles]);
}

#[test]
fn a_form_that_submits_its_data_is_refused() {
    refused_for("submitform.pdf", &[ActiveContent::FormSubmission]);
}

#[test]
fn an_xfa_form_is_refused() {
    let refused = inspect(&fixture("xfa_form.pdf"), NUMBER, &Limits::default());
    let Err(DocumentError::ActiveContent(kinds)) = refused else { panic!("xfa_form.pdf: {refused:?}") };
    assert!(kinds.list().contains(&ActiveContent::XfaForm), "{:?}", kinds.list());
}

#[test]
fn a_link_to_a_web_page_is_not_active_content() {
    let report = inspect(&fixture("uri_link.pdf"), NUMBER, &Limits::default()).expect("accepted");
    assert_eq!((report.text_layer, report.invoice_number_found), (TextLayer::Text, Some(true)));
}

#[test]
fn the_message_says_what_was_found_and_what_to_do() {
    let message =
        DocumentError::ActiveContent(ActiveKinds::of(&[ActiveContent::JavaScript, ActiveContent::EmbeddedFiles]))
            .message();
    assert!(message.starts_with("The selected PDF contains JavaScript and embedded files"), "{message}");
    assert!(message.contains("print the invoice to a new PDF"), "{message}");
}

#[test]
fn active_content_is_found_even_when_the_text_is_not_read() {
    // No time at all to read text: the scan still runs.
    let limits = Limits { extract_timeout: std::time::Duration::ZERO, ..Limits::default() };
    let refused = inspect(&fixture("js_openaction.pdf"), NUMBER, &limits);
    assert_eq!(refused, Err(DocumentError::ActiveContent(ActiveKinds::of(&[ActiveContent::JavaScript]))));
}
