//! Tests of the uploaded-invoice checks against fixtures made by real producers
//! (see `tests/fixtures/documents/make.sh`), plus tables for the pure helpers.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use frontline::checks::document::{
    DocumentClass, DocumentError, DocumentReport, FileKind, Limits, MAX_FILE_BYTES, TextLayer, classify, inspect,
    inspect_async, inspect_attachment, inspect_attachment_async, invoice_number_in_text, sniff,
};
use sha2::{Digest, Sha256};

const NUMBER: &str = "INV-2026-0423";

fn fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/fixtures/documents", name].iter().collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn check(name: &str) -> Result<DocumentReport, DocumentError> {
    inspect(&fixture(name), NUMBER, &Limits::default())
}

fn assert_accepted(
    name: &str,
    kind: FileKind,
    text_layer: TextLayer,
    class: DocumentClass,
    invoice_number_found: Option<bool>,
) -> DocumentReport {
    let report = check(name).unwrap_or_else(|e| panic!("{name} refused: {e:?}"));
    assert_eq!(
        (report.kind, report.text_layer, report.class, report.invoice_number_found),
        (kind, text_layer, class, invoice_number_found),
        "{name}"
    );
    report
}

fn assert_refused(name: &str, error: DocumentError) {
    assert_eq!(check(name), Err(error), "{name}");
}

/// Refused as another kind of document, with a reason in the message.
fn assert_refused_as(name: &str, class: DocumentClass) {
    match check(name) {
        Err(DocumentError::WrongDocument { class: found, reason }) => {
            assert_eq!(found, class, "{name}: {reason}");
            assert!(!reason.is_empty(), "{name}: no reason");
        }
        other => panic!("{name}: expected a refusal as {class}, got {other:?}"),
    }
}

// --- Accepted invoices -----------------------------------------------------------------------

#[test]
fn chromium_print_to_pdf_invoice_is_an_invoice_with_its_number() {
    let report =
        assert_accepted("invoice_chromium.pdf", FileKind::Pdf, TextLayer::Text, DocumentClass::Invoice, Some(true));
    let expected = hex::encode(Sha256::digest(fixture("invoice_chromium.pdf")));
    assert_eq!(report.sha256_hex, expected);
    assert_eq!(report.sha256_hex.len(), 64);
}

#[test]
fn libreoffice_traditional_chinese_invoice_is_an_invoice() {
    assert_accepted(
        "invoice_libreoffice_zh_tw.pdf",
        FileKind::Pdf,
        TextLayer::Text,
        DocumentClass::Invoice,
        Some(true),
    );
}

#[test]
fn chromium_simplified_chinese_invoice_matches_number_written_with_slash() {
    assert_accepted("invoice_chromium_zh_cn.pdf", FileKind::Pdf, TextLayer::Text, DocumentClass::Invoice, Some(true));
}

#[test]
fn reportlab_tax_invoice_is_an_invoice() {
    assert_accepted("invoice_reportlab.pdf", FileKind::Pdf, TextLayer::Text, DocumentClass::Invoice, Some(true));
}

#[test]
fn long_reportlab_invoice_is_read_in_full_with_a_generous_timeout() {
    let limits = Limits { extract_timeout: Duration::from_secs(60), ..Limits::default() };
    let report =
        inspect(&fixture("invoice_reportlab_long.pdf"), NUMBER, &limits).unwrap_or_else(|e| panic!("refused: {e:?}"));
    assert_eq!(report.text_layer, TextLayer::Text);
    assert_eq!(report.class, DocumentClass::Invoice);
    assert_eq!(report.invoice_number_found, Some(true));
}

#[test]
fn other_invoice_number_is_reported_not_found() {
    let report = inspect(&fixture("invoice_chromium.pdf"), "INV-2026-9999", &Limits::default())
        .unwrap_or_else(|e| panic!("refused: {e:?}"));
    assert_eq!(report.class, DocumentClass::Invoice);
    assert_eq!(report.invoice_number_found, Some(false));
}

#[test]
fn scanned_invoice_without_text_layer_is_accepted() {
    assert_accepted("invoice_scanned.pdf", FileKind::Pdf, TextLayer::NoText, DocumentClass::Unknown, None);
}

#[test]
fn password_protected_invoice_is_accepted_as_encrypted() {
    assert_accepted("invoice_encrypted.pdf", FileKind::Pdf, TextLayer::Encrypted, DocumentClass::Unknown, None);
}

#[test]
fn png_and_jpeg_invoices_are_accepted_without_text_checks() {
    assert_accepted("invoice.png", FileKind::Png, TextLayer::NotApplicable, DocumentClass::Unknown, None);
    assert_accepted("invoice.jpg", FileKind::Jpeg, TextLayer::NotApplicable, DocumentClass::Unknown, None);
}

// --- Refused documents -----------------------------------------------------------------------

#[test]
fn libreoffice_order_confirmation_is_refused() {
    assert_refused_as("order_confirmation_libreoffice.pdf", DocumentClass::OrderConfirmation);
}

#[test]
fn chinese_order_confirmation_is_refused() {
    assert_refused_as("order_confirmation_chromium_zh_tw.pdf", DocumentClass::OrderConfirmation);
}

#[test]
fn order_confirmation_with_only_an_owner_password_is_still_read_and_refused() {
    assert_refused_as("order_confirmation_owner_password.pdf", DocumentClass::OrderConfirmation);
}

#[test]
fn partner_report_is_refused() {
    assert_refused_as("partner_report_chromium.pdf", DocumentClass::PartnerReport);
}

#[test]
fn damaged_files_are_refused() {
    assert_refused("damaged_garbage.pdf", DocumentError::Damaged);
    assert_refused("damaged_truncated.pdf", DocumentError::Damaged);
    assert_refused("damaged.png", DocumentError::Damaged);
}

#[test]
fn truncated_images_are_damaged() {
    let png = fixture("invoice.png");
    let jpeg = fixture("invoice.jpg");
    for cut in [8, 20, 33, 40, 60] {
        assert_eq!(inspect(&png[..cut], NUMBER, &Limits::default()), Err(DocumentError::Damaged), "png cut at {cut}");
    }
    for cut in [3, 4, 20, 100] {
        assert_eq!(inspect(&jpeg[..cut], NUMBER, &Limits::default()), Err(DocumentError::Damaged), "jpeg cut at {cut}");
    }
    let mut junk_jpeg = vec![0xFF, 0xD8, 0xFF];
    junk_jpeg.extend((0..500u32).map(|i| (i * 37 % 251) as u8));
    assert_eq!(inspect(&junk_jpeg, NUMBER, &Limits::default()), Err(DocumentError::Damaged));
}

#[test]
fn text_file_named_pdf_is_unsupported() {
    assert_refused("text_renamed.pdf", DocumentError::UnsupportedType);
}

#[test]
fn empty_and_too_large_files_are_refused() {
    assert_eq!(inspect(&[], NUMBER, &Limits::default()), Err(DocumentError::Empty));
    let mut big = fixture("invoice_reportlab.pdf");
    big.resize(MAX_FILE_BYTES + 1, b' ');
    assert_eq!(inspect(&big, NUMBER, &Limits::default()), Err(DocumentError::TooLarge));
    let small = Limits { max_bytes: 100, ..Limits::default() };
    assert_eq!(inspect(&fixture("invoice.png"), NUMBER, &small), Err(DocumentError::TooLarge));
}

// --- Bounded extraction ----------------------------------------------------------------------

#[test]
fn text_in_an_undefined_font_is_reported_unextractable_not_as_a_scan() {
    // Structurally valid, but its text is set in a font the page does not define (see make.sh).
    assert_accepted("odd_font.pdf", FileKind::Pdf, TextLayer::Unextractable, DocumentClass::Unknown, None);
}

/// A valid one-page PDF whose page shows `lines` lines of text: reading it
/// takes time in proportion (an invoice padded out to slow the checker).
fn pdf_with_lines(lines: usize) -> Vec<u8> {
    let mut content = Vec::new();
    for i in 0..lines {
        content
            .extend_from_slice(format!("BT /F1 9 Tf 40 {} Td (Line {i} of padding) Tj ET\n", 800 - i % 760).as_bytes());
    }
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_vec(),
    ];
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(&content);
    stream.extend_from_slice(b"\nendstream");
    objects.push(stream);
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec());
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (n, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", n + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// Lines of padding in the slow PDF: ~6 MB of page content, under the
/// 10 MiB upload limit.
const SLOW_LINES: usize = 150_000;

#[test]
fn the_slow_pdf_is_read_when_there_is_time() {
    // The file the timeout test uses is a readable PDF: only time stops it.
    let limits = Limits { extract_timeout: Duration::from_secs(120), ..Limits::default() };
    let report = inspect(&pdf_with_lines(SLOW_LINES), NUMBER, &limits).expect("accepted");
    assert_eq!(report.text_layer, TextLayer::Text);
}

#[test]
fn extraction_timeout_is_reported_unextractable_without_waiting() {
    // Far more than a millisecond to read.
    let pdf = pdf_with_lines(SLOW_LINES);
    let limits = Limits { extract_timeout: Duration::from_millis(1), ..Limits::default() };
    let started = Instant::now();
    let report = inspect(&pdf, NUMBER, &limits).unwrap_or_else(|e| panic!("refused: {e:?}"));
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(report.text_layer, TextLayer::Unextractable);
    assert_eq!(report.class, DocumentClass::Unknown);
    assert_eq!(report.invoice_number_found, None);
}

/// Every fixture, good or bad.
const FIXTURES: [&str; 19] = [
    "damaged.png",
    "damaged_garbage.pdf",
    "damaged_truncated.pdf",
    "invoice.jpg",
    "invoice.png",
    "invoice_chromium.pdf",
    "invoice_chromium_200k.pdf",
    "invoice_chromium_zh_cn.pdf",
    "invoice_encrypted.pdf",
    "invoice_libreoffice_zh_tw.pdf",
    "invoice_reportlab.pdf",
    "invoice_reportlab_long.pdf",
    "invoice_scanned.pdf",
    "odd_font.pdf",
    "order_confirmation_chromium_zh_tw.pdf",
    "order_confirmation_libreoffice.pdf",
    "order_confirmation_owner_password.pdf",
    "partner_report_chromium.pdf",
    "text_renamed.pdf",
];

#[tokio::test]
async fn async_inspection_gives_the_verdicts_of_the_blocking_one() {
    for name in FIXTURES {
        let bytes = fixture(name);
        let blocking = inspect(&bytes, NUMBER, &Limits::default());
        let awaited = inspect_async(bytes.clone().into(), NUMBER.to_owned(), Limits::default()).await;
        assert_eq!(awaited, blocking, "{name}");
        let attachment = inspect_attachment_async(bytes.clone().into(), Limits::default()).await;
        assert_eq!(attachment, inspect_attachment(&bytes, &Limits::default()), "{name} as an attachment");
    }
}

#[tokio::test]
async fn many_uploads_at_once_are_all_read() {
    // More files than extraction workers: they queue, and each is read in full.
    let bytes: bytes::Bytes = fixture("invoice_chromium_200k.pdf").into();
    let checks = (0..24).map(|_| inspect_async(bytes.clone(), NUMBER.to_owned(), Limits::default()));
    for report in futures_util::future::join_all(checks).await {
        let report = report.unwrap_or_else(|e| panic!("refused: {e:?}"));
        assert_eq!(
            (report.text_layer, report.class, report.invoice_number_found),
            (TextLayer::Text, DocumentClass::Invoice, Some(true))
        );
    }
}

#[tokio::test]
async fn async_extraction_timeout_is_reported_unextractable_without_waiting() {
    let pdf: bytes::Bytes = pdf_with_lines(SLOW_LINES).into();
    let limits = Limits { extract_timeout: Duration::from_millis(1), ..Limits::default() };
    let started = Instant::now();
    let report = inspect_async(pdf.clone(), NUMBER.to_owned(), limits).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(
        (report.kind, report.text_layer, report.class),
        (FileKind::Pdf, TextLayer::Unextractable, DocumentClass::Unknown)
    );
    assert_eq!(report.invoice_number_found, None);
    assert_eq!(report.sha256_hex, hex::encode(Sha256::digest(&pdf)), "the file is still fingerprinted");
}

#[test]
fn decompression_budget_is_enforced() {
    let limits = Limits { max_decompressed_bytes: 200, ..Limits::default() };
    let report =
        inspect(&fixture("invoice_chromium.pdf"), NUMBER, &limits).unwrap_or_else(|e| panic!("refused: {e:?}"));
    assert_eq!(report.text_layer, TextLayer::Unextractable);
}

#[test]
fn extracted_text_is_capped() {
    let limits = Limits { max_text_chars: 4, ..Limits::default() };
    let report =
        inspect(&fixture("invoice_chromium.pdf"), NUMBER, &limits).unwrap_or_else(|e| panic!("refused: {e:?}"));
    assert_eq!(report.text_layer, TextLayer::Text);
    assert_eq!(report.class, DocumentClass::Unknown);
    assert_eq!(report.invoice_number_found, Some(false));
}

#[test]
fn mangled_pdfs_never_panic_or_hang() {
    let original = fixture("invoice_chromium.pdf");
    let limits = Limits { extract_timeout: Duration::from_secs(2), ..Limits::default() };
    let mut seed: u64 = 0x0423;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    for round in 0..60 {
        let mut bytes = original.clone();
        if round % 2 == 0 {
            bytes.truncate(20 + next() % original.len());
        }
        for _ in 0..(1 + round % 8) {
            let at = next() % bytes.len();
            bytes[at] = next() as u8;
        }
        // Any verdict is fine; it must come back, in time, without a panic.
        let started = Instant::now();
        let _ = inspect(&bytes, NUMBER, &limits);
        assert!(started.elapsed() < Duration::from_secs(3), "round {round}");
    }
}

// --- Messages and names ----------------------------------------------------------------------

#[test]
fn error_messages_are_the_agreed_texts() {
    let cases = [
        (DocumentError::Empty, "The selected file is empty"),
        (DocumentError::TooLarge, "The selected file must be smaller than 10MB"),
        (DocumentError::UnsupportedType, "The selected file must be a PDF, PNG or JPG"),
        (DocumentError::Damaged, "The selected file could not be read – save it again as a PDF, PNG or JPG"),
        (
            DocumentError::WrongDocument {
                class: DocumentClass::OrderConfirmation,
                reason: "its title is “Order confirmation”".into(),
            },
            "The selected file is an order confirmation, not an invoice: its title is “Order confirmation”. \
             Upload the invoice itself.",
        ),
        (
            DocumentError::WrongDocument { class: DocumentClass::PartnerReport, reason: "it lists 14 invoices".into() },
            "The selected file is a partner report, not an invoice: it lists 14 invoices. Upload the invoice itself.",
        ),
        (
            DocumentError::WrongDocument { class: DocumentClass::Statement, reason: "it lists 7 invoices".into() },
            "The selected file is a statement of account, not an invoice: it lists 7 invoices. \
             Upload the invoice itself.",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(error.message(), text);
        assert_eq!(error.to_string(), text);
    }
}

#[test]
fn names_round_trip() {
    for layer in
        [TextLayer::Text, TextLayer::NoText, TextLayer::Encrypted, TextLayer::Unextractable, TextLayer::NotApplicable]
    {
        assert_eq!(TextLayer::parse(layer.as_str()), Some(layer));
    }
    assert_eq!(TextLayer::NoText.as_str(), "no_text");
    assert_eq!(TextLayer::NotApplicable.as_str(), "not_applicable");
    assert_eq!(TextLayer::parse("NoText"), None);
    for class in DocumentClass::ALL {
        assert_eq!(DocumentClass::parse(class.as_str()), Some(class));
    }
    assert_eq!(DocumentClass::OrderConfirmation.as_str(), "order_confirmation");
    assert_eq!(DocumentClass::parse(""), None);
    let kinds = [
        (FileKind::Pdf, "application/pdf", "PDF", "pdf"),
        (FileKind::Png, "image/png", "PNG", "png"),
        (FileKind::Jpeg, "image/jpeg", "JPG", "jpg"),
    ];
    for (kind, content_type, label, extension) in kinds {
        assert_eq!(kind.content_type(), content_type);
        assert_eq!(kind.label(), label);
        assert_eq!(kind.extension(), extension);
    }
}

// --- Tables ----------------------------------------------------------------------------------

#[test]
fn sniff_table() {
    let mut late_header = vec![b' '; 200];
    late_header.extend_from_slice(b"%PDF-1.7\n");
    let cases: [(&[u8], Option<FileKind>); 11] = [
        (b"%PDF-1.4\n%\xe2\xe3", Some(FileKind::Pdf)),
        // Readers allow junk before the header; a file that is not only a
        // PDF (an HTML page with one tucked inside) is not taken as one.
        (&late_header, None),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some(FileKind::Png)),
        (b"\x89PNX\r\n\x1a\n", None),
        (b"\xFF\xD8\xFF\xE0\0\x10JFIF", Some(FileKind::Jpeg)),
        (b"GIF89a\x01\0\x01\0", None),
        (b"PK\x03\x04\x14\0", None),
        (b"II*\0\x08\0\0\0", None),
        (b"Invoice INV-2026-0423", None),
        (b"%PD", None),
        (b"", None),
    ];
    for (bytes, kind) in cases {
        assert_eq!(sniff(bytes), kind, "{:?}", String::from_utf8_lossy(bytes));
    }
    assert_eq!(sniff(&fixture("invoice.jpg")), Some(FileKind::Jpeg));
    assert_eq!(sniff(&fixture("invoice.png")), Some(FileKind::Png));
    assert_eq!(sniff(&fixture("text_renamed.pdf")), None);
}

#[test]
fn classify_table() {
    use DocumentClass::*;
    let cases = [
        // Invoices, also when they mention orders.
        ("INVOICE\nInvoice number: INV-1", Invoice),
        ("Tax Invoice", Invoice),
        ("invoice no. 42", Invoice),
        ("Invoice #42", Invoice),
        ("I N V O I C E", Invoice),
        ("ＩＮＶＯＩＣＥ", Invoice),
        ("Invoice\nOrder number: PO-1\nPO: 77", Invoice),
        ("Invoice number 5 – see our order confirmation OC-1", Invoice),
        ("Order confirmation OC-1\nInvoice number: INV-1", Invoice),
        ("統一發票", Invoice),
        ("发票号码：123", Invoice),
        ("發 票 號 碼", Invoice),
        ("增值税专用发票", Invoice),
        ("请款单", Invoice),
        ("請款單", Invoice),
        ("發票\n訂單編號：PO-1", Invoice),
        // Order confirmations.
        ("Order Confirmation\nOrder number SO-1", OrderConfirmation),
        ("ORDER CONFIRMATION", OrderConfirmation),
        ("or der conﬁrmation", OrderConfirmation),
        ("Confirmation of order 77", OrderConfirmation),
        ("Order acknowledgement", OrderConfirmation),
        ("Order confirmation\nInvoice address: Main St 1\nAn invoice will follow.", OrderConfirmation),
        ("Order confirmation. This is not an invoice.", OrderConfirmation),
        ("訂單確認", OrderConfirmation),
        ("订单确认", OrderConfirmation),
        ("訂單確認\n發票將另行寄送", OrderConfirmation),
        ("订单确认\n此非发票", OrderConfirmation),
        // Partner reports.
        ("Partner Report Q1", PartnerReport),
        ("Partner report\nInvoices issued: 12", PartnerReport),
        ("合作夥伴報告", PartnerReport),
        ("合作伙伴报告", PartnerReport),
        // Nothing to go by.
        ("Order number: PO-1", Unknown),
        ("PO 4711 delivery note", Unknown),
        ("Invoiced amounts are due in 30 days", Unknown),
        ("", Unknown),
        ("訂單編號", Unknown),
    ];
    for (text, class) in cases {
        assert_eq!(classify(text), class, "{text:?}");
    }
}

#[test]
fn invoice_number_table() {
    let cases = [
        ("Invoice number: INV-2026-0423", "INV-2026-0423", true),
        ("inv-2026-0423", "INV-2026-0423", true),
        ("INV 2026 0423", "INV-2026/0423", true),
        ("發票號碼：INV 2026/0423", "INV-2026-0423", true),
        ("No. INV20260423.", "INV-2026-0423", true),
        ("ＩＮＶ－２０２６－０４２３", "INV-2026-0423", true),
        ("INV-\n2026-\n0423", "INV-2026-0423", true),
        ("INV–2026–0423", "INV-2026-0423", true),
        ("INV-2026-04231", "INV-2026-0423", false),
        ("XINV-2026-0423", "INV-2026-0423", false),
        ("INV-2026-0424", "INV-2026-0423", false),
        ("2026-0423", "INV-2026-0423", false),
        ("", "INV-2026-0423", false),
        ("anything", "", false),
        ("anything", " - / ", false),
        ("號碼12345號", "12345", true),
    ];
    for (text, number, found) in cases {
        assert_eq!(invoice_number_in_text(text, number), found, "{number:?} in {text:?}");
    }
}
