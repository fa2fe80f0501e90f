//! Inspection of the invoice file a partner uploads.
//!
//! [`inspect`] decides, from the bytes alone, whether an upload is an acceptable invoice file:
//! it recognises PDF, PNG and JPEG by their content (never by name or declared type), checks
//! that the file is readable, extracts the text layer of a PDF under a time, memory and size
//! bound, classifies the text (English and Chinese, Traditional and Simplified) and refuses
//! documents that are plainly something else than an invoice (an order confirmation, a partner
//! report, a statement of account, a quote, a receipt, a credit note), saying why.
//!
//! A genuine invoice is never refused because it cannot be read: encrypted PDFs, scans without
//! a text layer and PDFs the extractor chokes on are accepted, and the report says why their
//! text could not be checked.
//!
//! [`inspect`] is blocking (it may wait up to [`Limits::extract_timeout`]); async code calls
//! [`inspect_async`], which waits for the extraction workers without holding a thread.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Condvar, Mutex, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sha2::{Digest, Sha256};

pub use crate::domain::document::{Classification, DocumentClass, classify, classify_document, invoice_number_in_text};

/// The largest upload accepted by default: 10 MiB.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// Default bound on how long PDF parsing and text extraction may take: 5 seconds.
pub const DEFAULT_EXTRACT_TIMEOUT: Duration = Duration::from_secs(5);

/// Default cap on the number of characters of extracted text that are kept and classified.
pub const DEFAULT_MAX_TEXT_CHARS: usize = 200_000;

/// Default bound on what one page's content (all its streams together) may
/// inflate to: 8 MiB. Object and cross-reference streams get a quarter of it,
/// fonts' character maps an eighth; the budget scan bounds the rest.
pub const DEFAULT_MAX_DECOMPRESSED_BYTES: usize = 8 * 1024 * 1024;

/// Stack size of the extraction workers; generous because PDF parsers recurse.
const EXTRACT_STACK_BYTES: usize = 32 * 1024 * 1024;

/// The kind of an uploaded file, recognised by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A PDF document.
    Pdf,
    /// A PNG image.
    Png,
    /// A JPEG image.
    Jpeg,
}

impl FileKind {
    /// The MIME type to store and serve the file with.
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
        }
    }

    /// The short name shown to people ("PDF", "PNG", "JPG").
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Png => "PNG",
            FileKind::Jpeg => "JPG",
        }
    }

    /// The file name extension, without the dot ("pdf", "png", "jpg").
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Png => "png",
            FileKind::Jpeg => "jpg",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What could be learnt about the text of an accepted file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextLayer {
    /// The PDF has a text layer, which was extracted and classified.
    Text,
    /// The PDF has no text layer (typically a scan: page images only).
    NoText,
    /// The PDF is encrypted and needs a password to be opened; its text was not read.
    Encrypted,
    /// The PDF is readable but its text could not be extracted in time or without error.
    Unextractable,
    /// The file is an image, which has no text layer to check.
    NotApplicable,
}

impl TextLayer {
    /// The snake_case name stored in the database (`text`, `no_text`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TextLayer::Text => "text",
            TextLayer::NoText => "no_text",
            TextLayer::Encrypted => "encrypted",
            TextLayer::Unextractable => "unextractable",
            TextLayer::NotApplicable => "not_applicable",
        }
    }

    /// Parses a name written by [`TextLayer::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "text" => Some(TextLayer::Text),
            "no_text" => Some(TextLayer::NoText),
            "encrypted" => Some(TextLayer::Encrypted),
            "unextractable" => Some(TextLayer::Unextractable),
            "not_applicable" => Some(TextLayer::NotApplicable),
            _ => None,
        }
    }
}

impl fmt::Display for TextLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The findings about an accepted file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentReport {
    /// The kind of file, from its content.
    pub kind: FileKind,
    /// What could be learnt about its text.
    pub text_layer: TextLayer,
    /// What its text reads as ([`DocumentClass::Unknown`] without text).
    pub class: DocumentClass,
    /// Why it reads so, as a sentence (see [`Classification::reason`]); `None` when there is
    /// no text.
    pub reason: Option<String>,
    /// Whether the expected invoice number occurs in the text; `None` when there is no text.
    pub invoice_number_found: Option<bool>,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256_hex: String,
    /// The date printed on the invoice, when its text says (invoices only).
    pub printed_date: Option<chrono::NaiveDate>,
    /// The grand total printed on the invoice, when its text says (invoices only).
    pub printed_total: Option<crate::domain::invoice_facts::Money>,
}

/// Why a file was refused. [`DocumentError::message`] gives the text to show the partner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// The file has no bytes.
    #[error("The selected file is empty")]
    Empty,
    /// The file is larger than [`Limits::max_bytes`].
    #[error("The selected file must be smaller than 10MB")]
    TooLarge,
    /// The content is not a PDF, PNG or JPEG.
    #[error("The selected file must be a PDF, PNG or JPG")]
    UnsupportedType,
    /// The content claims to be a PDF, PNG or JPEG but cannot be read as one.
    #[error("The selected file could not be read – save it again as a PDF, PNG or JPG")]
    Damaged,
    /// The text reads as another kind of document, not as an invoice.
    #[error("{}", wrong_document_message(*class, reason))]
    WrongDocument {
        /// What the document reads as.
        class: DocumentClass,
        /// Why, in words a partner can read ("it lists 14 invoices"; see
        /// [`Classification::grounds`]).
        reason: String,
    },
    /// A PDF with active content (scripts, embedded files, …): refused, not
    /// cleaned, so that what is stored is what the partner sent.
    #[error(
        "The selected PDF contains {}, which could run on the computer of whoever opens it – \
         print the invoice to a new PDF (Print, then Save as PDF) and upload that",
        .0.words()
    )]
    ActiveContent(super::pdf::ActiveKinds),
    /// A PDF built so that part of it cannot be checked for active content.
    #[error(
        "The selected PDF is built in a way that cannot be checked for scripts or embedded files – \
         print the invoice to a new PDF (Print, then Save as PDF) and upload that"
    )]
    Uncheckable,
}

impl DocumentError {
    /// The message to show the partner next to the file field, in the
    /// reader's language (`Display` stays English, for logs).
    pub fn message(&self) -> String {
        use crate::i18n::{Lang, current, t, ta};
        match self {
            Self::Empty => t("file-error-empty"),
            Self::TooLarge => t("file-error-too-large"),
            Self::UnsupportedType => t("file-error-type"),
            Self::Damaged => t("file-error-damaged"),
            // The grounds quote the document in the classifier's English
            // words; a Chinese reader gets the verdict without them.
            Self::WrongDocument { .. } if current() == Lang::En => self.to_string(),
            Self::WrongDocument { class, .. } if class.is_refused() => {
                ta("file-error-wrong-kind", &[("kind", &t(&format!("document-kind-{}", class.as_str())))])
            }
            Self::WrongDocument { .. } => t("file-error-not-invoice"),
            Self::ActiveContent(kinds) => ta("file-error-active", &[("what", &kinds.words_in(current()))]),
            Self::Uncheckable => t("file-error-uncheckable"),
        }
    }
}

/// "The selected file is a partner report, not an invoice: it lists 14 invoices. Upload the
/// invoice itself."
fn wrong_document_message(class: DocumentClass, reason: &str) -> String {
    let why = if reason.is_empty() { String::new() } else { format!(": {reason}") };
    if class.is_refused() {
        format!("The selected file is {}, not an invoice{why}. Upload the invoice itself.", class.described())
    } else {
        format!("The selected file is not an invoice{why}. Upload the invoice itself.")
    }
}

/// Bounds on the work done for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes ([`MAX_FILE_BYTES`] by default).
    pub max_bytes: usize,
    /// How long PDF parsing and text extraction may take ([`DEFAULT_EXTRACT_TIMEOUT`]).
    pub extract_timeout: Duration,
    /// How many characters of extracted text are kept ([`DEFAULT_MAX_TEXT_CHARS`]).
    pub max_text_chars: usize,
    /// Bound on what one page's content may inflate to ([`DEFAULT_MAX_DECOMPRESSED_BYTES`]);
    /// beyond it the text is reported [`TextLayer::Unextractable`] (this keeps a "zip bomb"
    /// PDF from exhausting memory).
    pub max_decompressed_bytes: usize,
    /// Bounds on what the parser may be asked to build (see [`super::pdf::budget_scan`]).
    pub scan: super::pdf::ScanLimits,
    /// Bounds on reading content streams (see [`super::pdf::ContentScanner`]).
    pub content: super::pdf::ContentLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: MAX_FILE_BYTES,
            extract_timeout: DEFAULT_EXTRACT_TIMEOUT,
            max_text_chars: DEFAULT_MAX_TEXT_CHARS,
            max_decompressed_bytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
            scan: super::pdf::ScanLimits::default(),
            content: super::pdf::ContentLimits::default(),
        }
    }
}

/// Inspects an uploaded file and accepts it with a report or refuses it.
///
/// Blocking: the work runs on the extraction workers (see [`inspect_async`])
/// and this call waits for it at most [`Limits::extract_timeout`]. Never
/// panics. On timeout the file is accepted with its text unread.
pub fn inspect(bytes: &[u8], invoice_number: &str, limits: &Limits) -> Result<DocumentReport, DocumentError> {
    inspect_blocking(bytes, invoice_number, limits, true)
}

/// Inspects a file attached to a message (not an invoice): the same checks of
/// type, size and readability as [`inspect`], but any readable PDF, PNG or
/// JPEG is accepted whatever its text reads as (the class is still reported).
/// Blocking, like [`inspect`].
pub fn inspect_attachment(bytes: &[u8], limits: &Limits) -> Result<DocumentReport, DocumentError> {
    inspect_blocking(bytes, "", limits, false)
}

/// [`inspect`] for async callers: the file is examined on one of the
/// extraction workers (one per core, started on first use) and the caller's
/// task waits without holding a thread. Past [`Limits::extract_timeout`],
/// counted from the call (so it includes the wait for a free worker), the
/// file is accepted with its text unread, as [`inspect`] does.
pub async fn inspect_async(
    bytes: Bytes,
    invoice_number: String,
    limits: Limits,
) -> Result<DocumentReport, DocumentError> {
    examine_async(bytes, invoice_number, limits, true).await
}

/// [`inspect_attachment`] for async callers, as [`inspect_async`].
pub async fn inspect_attachment_async(bytes: Bytes, limits: Limits) -> Result<DocumentReport, DocumentError> {
    examine_async(bytes, String::new(), limits, false).await
}

async fn examine_async(
    bytes: Bytes,
    invoice_number: String,
    limits: Limits,
    invoice_only: bool,
) -> Result<DocumentReport, DocumentError> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let task = Task::new(bytes.clone(), invoice_number.clone(), limits.clone(), invoice_only, move |outcome| {
        let _ = reply.send(outcome);
    });
    let deadline = task.deadline;
    if submit(task)
        && let Ok(Ok(outcome)) = tokio::time::timeout_at(deadline.into(), answer).await
    {
        return outcome;
    }
    // Out of time (or no worker): everything but the text, off the executor.
    // (It has no PDF to parse and cannot panic; were it to, the file would
    // be refused as unreadable rather than stored unchecked.)
    tokio::task::spawn_blocking(move || examine(&bytes, &invoice_number, &limits, invoice_only, None))
        .await
        .unwrap_or(Err(DocumentError::Damaged))
}

fn inspect_blocking(
    bytes: &[u8],
    invoice_number: &str,
    limits: &Limits,
    invoice_only: bool,
) -> Result<DocumentReport, DocumentError> {
    let (reply, answer) = mpsc::sync_channel(1);
    let task = Task::new(
        Bytes::copy_from_slice(bytes),
        invoice_number.to_owned(),
        limits.clone(),
        invoice_only,
        move |outcome| {
            let _ = reply.send(outcome);
        },
    );
    let deadline = task.deadline;
    if submit(task)
        && let Ok(outcome) = answer.recv_timeout(deadline.saturating_duration_since(Instant::now()))
    {
        return outcome;
    }
    examine(bytes, invoice_number, limits, invoice_only, None)
}

/// Checks the file; reads a PDF's text only when given a deadline to finish
/// by (without one a PDF is accepted with its text
/// [`TextLayer::Unextractable`], unread).
fn examine(
    bytes: &[u8],
    invoice_number: &str,
    limits: &Limits,
    invoice_only: bool,
    read_text_until: Option<Instant>,
) -> Result<DocumentReport, DocumentError> {
    if bytes.is_empty() {
        return Err(DocumentError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(DocumentError::TooLarge);
    }
    let kind = sniff(bytes).ok_or(DocumentError::UnsupportedType)?;
    let sha256_hex = hex::encode(Sha256::digest(bytes));
    let image_report = |kind| DocumentReport {
        kind,
        text_layer: TextLayer::NotApplicable,
        class: DocumentClass::Unknown,
        reason: None,
        invoice_number_found: None,
        sha256_hex: sha256_hex.clone(),
        printed_date: None,
        printed_total: None,
    };
    match kind {
        FileKind::Png if png_is_readable(bytes) => Ok(image_report(kind)),
        FileKind::Jpeg if jpeg_is_readable(bytes) => Ok(image_report(kind)),
        FileKind::Png | FileKind::Jpeg => Err(DocumentError::Damaged),
        FileKind::Pdf => {
            // Every PDF is scanned whole, for what a parser would cost and
            // for active content, even when there is no time to read its text.
            let scan_until = read_text_until.unwrap_or_else(|| Instant::now() + SCAN_ONLY_TIME);
            let unread = PdfOutcome::Read(TextLayer::Unextractable, None);
            let outcome = match (super::pdf::budget_scan(bytes, &limits.scan, scan_until), read_text_until) {
                (Ok(scan), _) if !scan.active.is_empty() => {
                    return Err(DocumentError::ActiveContent(super::pdf::ActiveKinds::of(&scan.active)));
                }
                (Ok(scan), _) if scan.unread_object_streams => return Err(DocumentError::Uncheckable),
                (Ok(scan), Some(deadline)) if scan.over.is_none() => {
                    catch_unwind(AssertUnwindSafe(|| analyse_pdf(bytes, limits, deadline))).unwrap_or(unread)
                }
                (Ok(scan), _) => {
                    // Nothing is parsed that would cost more than the
                    // budget: a file of millions of tiny objects (or pages)
                    // is accepted unread.
                    if let Some(why) = scan.over {
                        tracing::info!(?why, "PDF over the parsing budget: its text is not read");
                    }
                    unread
                }
                (Err(why), _) => {
                    tracing::info!(?why, "PDF not scanned in time: accepted unread");
                    unread
                }
            };
            let (text_layer, text) = match outcome {
                PdfOutcome::Damaged => return Err(DocumentError::Damaged),
                PdfOutcome::Read(layer, text) => (layer, text),
            };
            let classification = text.as_deref().map(classify_document);
            let class = classification.as_ref().map_or(DocumentClass::Unknown, |c| c.class);
            let invoice_number_found = match &text {
                Some(text) if invoice_only => Some(invoice_number_in_text(text, invoice_number)),
                _ => None,
            };
            if invoice_only && class.is_refused() {
                let reason = classification.as_ref().map(|c| c.grounds().to_owned()).unwrap_or_default();
                return Err(DocumentError::WrongDocument { class, reason });
            }
            let reason = classification.map(|c| c.reason);
            // What the invoice says, for the cross-checks against the form.
            let (printed_date, printed_total) = match &text {
                Some(text) if invoice_only => (
                    crate::domain::invoice_facts::invoice_date(text),
                    crate::domain::invoice_facts::invoice_total(text),
                ),
                _ => (None, None),
            };
            Ok(DocumentReport {
                kind,
                text_layer,
                class,
                reason,
                invoice_number_found,
                sha256_hex,
                printed_date,
                printed_total,
            })
        }
    }
}

/// The text the classifier sees for a file: the text layer of a PDF's first
/// [`MAX_TEXT_PAGES`] pages, read as [`inspect`] reads it (within
/// [`Limits::extract_timeout`] and the other bounds), capped at
/// [`Limits::max_text_chars`]. `None` for images, scans without a text layer,
/// encrypted or damaged PDFs and text that could not be read in time.
///
/// Blocking: the PDF is read on a thread of its own with the extraction
/// workers' stack size, and this call waits for it.
pub fn extract_text(bytes: &[u8], limits: &Limits) -> Option<String> {
    if bytes.len() > limits.max_bytes || sniff(bytes) != Some(FileKind::Pdf) {
        return None;
    }
    let deadline = Instant::now() + limits.extract_timeout;
    thread::scope(|scope| {
        let reader = thread::Builder::new()
            .name("document-text".into())
            .stack_size(EXTRACT_STACK_BYTES)
            .spawn_scoped(scope, || catch_unwind(AssertUnwindSafe(|| analyse_pdf(bytes, limits, deadline))))
            .ok()?;
        match reader.join() {
            Ok(Ok(PdfOutcome::Read(TextLayer::Text, text))) => text,
            _ => None,
        }
    })
}

/// Recognises a PDF, PNG or JPEG by its content (magic bytes), never by name or declared type.
///
/// A PDF must start with its header. Readers allow it anywhere in the first
/// kilobyte, which is how a page of HTML (or anything else) with a PDF
/// tucked inside passes for both: such a file is not cleanly a PDF.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        return Some(FileKind::Pdf);
    }
    if infer::image::is_png(bytes) && bytes.starts_with(PNG_SIGNATURE) {
        return Some(FileKind::Png);
    }
    if infer::image::is_jpeg(bytes) {
        return Some(FileKind::Jpeg);
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Images

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Widest image row whose pixels are decoded to check a PNG (the `png`
/// crate allocates a whole row at once, outside its limits).
const PNG_MAX_ROW_BYTES: usize = 1 << 20;

/// A PNG is readable enough when the `png` crate reads its header and every
/// chunk up to its image data (signature, a valid `IHDR`, CRCs) and decodes
/// its first row. No more is decoded, and a row wider than
/// [`PNG_MAX_ROW_BYTES`] not even that: a file that claims to be enormous
/// costs nothing.
fn png_is_readable(bytes: &[u8]) -> bool {
    let limits = png::Limits { bytes: 4 * PNG_MAX_ROW_BYTES };
    let Ok(mut reader) = png::Decoder::new_with_limits(std::io::Cursor::new(bytes), limits).read_info() else {
        return false;
    };
    match reader.output_line_size(reader.info().width) {
        Some(row) if row <= PNG_MAX_ROW_BYTES => reader.next_row().is_ok_and(|row| row.is_some()),
        _ => true,
    }
}

/// A JPEG is readable enough when `zune-jpeg` reads its headers up to the
/// start of the first scan (a valid frame, its tables); its pixels are
/// never decoded. Any size JPEG allows
/// (65,535 × 65,535) is accepted: only the headers are read.
fn jpeg_is_readable(bytes: &[u8]) -> bool {
    let options = zune_jpeg::zune_core::options::DecoderOptions::default()
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX));
    let mut decoder =
        zune_jpeg::JpegDecoder::new_with_options(zune_jpeg::zune_core::bytestream::ZCursor::new(bytes), options);
    decoder.decode_headers().is_ok()
}

// ---------------------------------------------------------------------------------------------
// PDF

enum PdfOutcome {
    /// Not a readable PDF at all.
    Damaged,
    /// A readable PDF; the text when the layer is [`TextLayer::Text`].
    Read(TextLayer, Option<String>),
}

/// How long the scan of a PDF whose text is not read (no worker was free
/// in time) may take: it is linear in the file's size, a 10 MB file takes
/// tens of milliseconds.
const SCAN_ONLY_TIME: Duration = Duration::from_secs(2);

/// Invoices say what they are and carry their number on the first pages:
/// text is read from these only, which bounds the work a long PDF costs.
pub const MAX_TEXT_PAGES: u32 = 3;

/// One file to examine on an extraction worker.
struct Task {
    bytes: Bytes,
    invoice_number: String,
    limits: Limits,
    invoice_only: bool,
    /// Past this the caller no longer waits: a task still queued is dropped.
    deadline: Instant,
    reply: Box<dyn FnOnce(Result<DocumentReport, DocumentError>) + Send>,
}

impl Task {
    /// A task due within the limits' timeout from now.
    fn new(
        bytes: Bytes,
        invoice_number: String,
        limits: Limits,
        invoice_only: bool,
        reply: impl FnOnce(Result<DocumentReport, DocumentError>) + Send + 'static,
    ) -> Self {
        let deadline = Instant::now() + limits.extract_timeout;
        Task { bytes, invoice_number, limits, invoice_only, deadline, reply: Box::new(reply) }
    }
}

/// The extraction workers' queue.
struct Workers {
    queue: Mutex<VecDeque<Task>>,
    work: Condvar,
}

/// The workers, started on first use: one per core, since the work is all
/// CPU and more would only compete for the same cores. A task waits in the
/// queue (within its time limit) instead of starting a thread of its own, and
/// a worker that is still reading a file its caller stopped waiting for keeps
/// its place, so overload queues rather than multiplying work.
static WORKERS: OnceLock<Option<Workers>> = OnceLock::new();

fn workers() -> Option<&'static Workers> {
    WORKERS
        .get_or_init(|| {
            let count = thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
            let mut started = 0;
            for n in 0..count {
                let spawned = thread::Builder::new()
                    .name(format!("document-{n}"))
                    .stack_size(EXTRACT_STACK_BYTES)
                    .spawn(work_loop);
                started += usize::from(spawned.is_ok());
            }
            (started > 0).then(|| Workers { queue: Mutex::new(VecDeque::new()), work: Condvar::new() })
        })
        .as_ref()
}

/// Queues a task; false when no worker could be started.
fn submit(task: Task) -> bool {
    let Some(w) = workers() else { return false };
    w.queue.lock().unwrap_or_else(|p| p.into_inner()).push_back(task);
    w.work.notify_one();
    true
}

fn work_loop() {
    // The loop starts inside `workers()`'s initialiser: wait until it is done.
    let w = loop {
        match WORKERS.get() {
            Some(Some(w)) => break w,
            Some(None) => return,
            None => thread::sleep(Duration::from_millis(1)),
        }
    };
    loop {
        let task = {
            let mut queue = w.queue.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                match queue.pop_front() {
                    Some(task) => break task,
                    None => queue = w.work.wait(queue).unwrap_or_else(|p| p.into_inner()),
                }
            }
        };
        if Instant::now() >= task.deadline {
            // Its caller has stopped waiting: nothing to do.
            continue;
        }
        let Task { bytes, invoice_number, limits, invoice_only, reply, deadline } = task;
        // A panic drops the reply: the caller goes on as after a timeout.
        let _ = catch_unwind(AssertUnwindSafe(move || {
            // The work stops at the caller's deadline: past it nobody reads
            // the answer, and the worker is free for the next file.
            let outcome = examine(&bytes, &invoice_number, &limits, invoice_only, Some(deadline));
            // Let go of the bytes first: the caller can then keep them uncopied.
            drop(bytes);
            reply(outcome);
        }));
    }
}

fn analyse_pdf(data: &[u8], limits: &Limits, deadline: Instant) -> PdfOutcome {
    let unextractable = PdfOutcome::Read(TextLayer::Unextractable, None);
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(limits.max_decompressed_bytes / 4),
        ..lopdf::LoadOptions::default()
    };
    // Opened with the empty user password (owner password only), the
    // document is decrypted as it loads, as any viewer shows it without
    // asking for a password.
    let doc = match lopdf::Document::load_mem_with_options(data, options) {
        Ok(doc) => doc,
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return unextractable;
        }
        Err(_) => return PdfOutcome::Damaged,
    };
    // Still encrypted after loading: the empty user password did not open it.
    if doc.is_encrypted() {
        return PdfOutcome::Read(TextLayer::Encrypted, None);
    }
    let pages = doc.get_pages();
    let first: Vec<lopdf::ObjectId> = pages.values().take(MAX_TEXT_PAGES as usize).copied().collect();
    if first.is_empty() {
        return PdfOutcome::Damaged;
    }
    let failed = if doc.was_encrypted() { TextLayer::Encrypted } else { TextLayer::Unextractable };
    // The same parse gives the text: each page's content (and each font's
    // ToUnicode map) is inflated within the budget; nothing else is.
    let mut scanner = super::pdf::ContentScanner::new(limits.content, deadline);
    let mut text = String::new();
    let mut undecoded = false;
    for page in first {
        match page_text(&doc, page, limits, &mut scanner, &mut text, &mut undecoded) {
            Ok(()) => {}
            // Out of time or operators: what was read so far is not the
            // whole first page's text; say the text could not be read
            // rather than classify a fragment.
            Err(PageError::Stopped(why)) => {
                tracing::info!(?why, "PDF content over its budget: its text is not read");
                return PdfOutcome::Read(failed, None);
            }
            Err(PageError::Pdf(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }))) => {
                return PdfOutcome::Read(failed, None);
            }
            // A page whose fonts or content cannot be read: the other pages
            // (and what this one gave before the error) still count, as a
            // viewer still shows them.
            Err(PageError::Pdf(_)) => {}
        }
    }
    let text = truncate_chars(text, limits.max_text_chars);
    if text.trim().is_empty() && undecoded {
        // Text is shown, in fonts that cannot be read: not a scan.
        PdfOutcome::Read(failed, None)
    } else if text.trim().is_empty() {
        PdfOutcome::Read(TextLayer::NoText, None)
    } else {
        PdfOutcome::Read(TextLayer::Text, Some(text))
    }
}

/// Why a page's text could not be read.
enum PageError {
    /// The PDF itself (a missing object, a stream over its limit).
    Pdf(lopdf::Error),
    /// The content scanner's budget or deadline.
    Stopped(super::pdf::Stopped),
}

impl From<lopdf::Error> for PageError {
    fn from(e: lopdf::Error) -> Self {
        Self::Pdf(e)
    }
}

/// Appends the text a page shows. A font's ToUnicode map comes before its
/// `/Encoding` (PDF 32000-1 §9.10.2): browsers print CJK text in Type3
/// fonts whose encoding names only glyph ids, and only the ToUnicode map
/// says which characters they are. `undecoded` is set when the page shows
/// text in a font it does not define (or whose encoding cannot be read).
fn page_text(
    doc: &lopdf::Document,
    page: lopdf::ObjectId,
    limits: &Limits,
    scanner: &mut super::pdf::ContentScanner,
    out: &mut String,
    undecoded: &mut bool,
) -> Result<(), PageError> {
    use super::pdf::Operand;
    let fonts: Vec<(Vec<u8>, lopdf::Dictionary)> = doc
        .get_page_fonts(page)?
        .into_iter()
        .map(|(name, font)| {
            let mut font = font.clone();
            if font.get(b"ToUnicode").is_ok() {
                font.remove(b"Encoding");
            }
            (name, font)
        })
        .collect();
    let mut encodings: HashMap<&[u8], lopdf::Encoding<'_>> = HashMap::with_capacity(fonts.len());
    for (name, font) in &fonts {
        match font.get_font_encoding_with_limit(doc, limits.max_decompressed_bytes / 8) {
            Ok(encoding) => {
                encodings.insert(name.as_slice(), encoding);
            }
            Err(e @ lopdf::Error::Decompress(_)) => return Err(e.into()),
            // Text in a font whose encoding cannot be read is skipped.
            Err(_) => {}
        }
    }
    let content = doc.get_page_content_with_limit(page, limits.max_decompressed_bytes)?;
    let mut font = None;
    let scanned = scanner.scan(&content, |operator, operands| {
        let shows = matches!(operator, b"Tj" | b"TJ" | b"'" | b"\"");
        if shows && font.is_none() {
            *undecoded = true;
        }
        match operator {
            b"Tf" => {
                font = match operands.first() {
                    Some(Operand::Name(n)) => encodings.get(n.as_slice()),
                    _ => None,
                }
            }
            b"Tj" | b"TJ" => show_text(font, operands, out),
            b"'" => {
                end_line(out);
                show_text(font, operands, out);
            }
            b"\"" => {
                end_line(out);
                show_text(font, operands.get(2).map(std::slice::from_ref).unwrap_or_default(), out);
            }
            b"T*" | b"ET" => end_line(out),
            _ => {}
        }
    });
    end_line(out);
    scanned.map_err(PageError::Stopped)
}

fn end_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// The strings of a `Tj`/`TJ`; a large negative adjustment in a `TJ` array
/// is the gap between words.
fn show_text(font: Option<&lopdf::Encoding<'_>>, operands: &[super::pdf::Operand], out: &mut String) {
    use super::pdf::Operand;
    let Some(encoding) = font else { return };
    for operand in operands {
        match operand {
            Operand::String(bytes) => {
                // Codes the font does not map are left out.
                let _ = encoding.write_to_string(bytes, out);
            }
            Operand::Array(items) => show_text(font, items, out),
            Operand::Number(gap) if *gap < -100.0 => out.push(' '),
            _ => {}
        }
    }
}

fn truncate_chars(mut text: String, max_chars: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        text.truncate(cut);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        // The image readers see partners' bytes unfiltered: any bytes after
        // a valid signature give an answer, never a panic.
        #[test]
        fn prop_the_image_readers_are_total(tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096)) {
            let png = [PNG_SIGNATURE, &tail].concat();
            let _ = png_is_readable(&png);
            let jpeg = [&[0xFF, 0xD8, 0xFF][..], &tail].concat();
            let _ = jpeg_is_readable(&jpeg);
        }

        // A real image with bytes flipped or cut: an answer, never a panic.
        #[test]
        fn prop_damaged_real_images_give_an_answer(
            at in 0usize..4096,
            byte in proptest::prelude::any::<u8>(),
            cut in 0usize..8192,
        ) {
            for name in ["invoice.png", "invoice.jpg"] {
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documents").join(name);
                let mut bytes = std::fs::read(path).expect("fixture");
                let i = at % bytes.len();
                bytes[i] = byte;
                bytes.truncate(cut.max(8).min(bytes.len()));
                let _ = png_is_readable(&bytes);
                let _ = jpeg_is_readable(&bytes);
            }
        }
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_chars("發票號碼".to_owned(), 2), "發票");
        assert_eq!(truncate_chars("abc".to_owned(), 10), "abc");
    }
}
