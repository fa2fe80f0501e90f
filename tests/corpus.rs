//! The document classifier and the invoice cross-checks measured on the labelled corpus
//! (`tests/fixtures/documents/corpus`, see its README.md) and on a held-out set generated with
//! another seed after the rules were tuned (`corpus/holdout`).
//!
//! Every file's text is extracted as an upload's is ([`extract_text`]) and classified; the
//! test prints precision and recall per class and a confusion matrix, and fails when
//! - a genuine invoice would be refused (classed other than invoice or unknown),
//! - fewer than 95 % of the other text documents are refused with the right class,
//! - a document without a text layer (scan, PNG, JPEG) is refused by [`inspect`], or
//! - `invoice_date` / `invoice_total` agree with the manifest on fewer than 90 % of the text
//!   invoices.
//!
//! `cargo test --test corpus -- --nocapture` shows the tables; `CORPUS_VERBOSE=1` lists every
//! verdict with its reason, `CORPUS_DUMP=dir` writes each extracted text to `dir/<file>.txt`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use frontline::checks::document::{DocumentClass, Limits, classify_document, extract_text, inspect};
use frontline::domain::invoice_facts::{Money, invoice_date, invoice_total};

/// Share of non-invoices that must be refused with the right class.
const MIN_REFUSED: f64 = 0.95;
/// Share of text invoices whose date and total must match the manifest.
const MIN_CROSS_CHECK: f64 = 0.90;

/// One row of `manifest.csv`.
struct Entry {
    file: String,
    class: DocumentClass,
    lang: String,
    producer: String,
    invoice_date: Option<NaiveDate>,
    total: Option<Money>,
    text_layer: String,
}

fn set_dir(set: &str) -> PathBuf {
    let mut dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/fixtures/documents/corpus"].iter().collect();
    if !set.is_empty() {
        dir.push(set);
    }
    dir
}

fn hundredths(total: &str) -> i64 {
    let (whole, cents) = total.split_once('.').unwrap_or((total, "0"));
    let whole: i64 = whole.parse().unwrap_or_else(|e| panic!("total {total:?}: {e}"));
    let cents: i64 = format!("{cents:0<2}")[..2].parse().unwrap_or_else(|e| panic!("total {total:?}: {e}"));
    whole * 100 + cents
}

fn manifest(dir: &Path) -> Vec<Entry> {
    let mut reader = csv::Reader::from_path(dir.join("manifest.csv")).expect("manifest.csv");
    let headers = reader.headers().expect("header row").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (file, class, lang, producer) = (column("file"), column("class"), column("lang"), column("producer"));
    let (date, total, currency, text_layer) =
        (column("invoice_date"), column("total"), column("currency"), column("text_layer"));
    reader
        .records()
        .map(|row| {
            let row = row.expect("manifest row");
            let total = (!row[total].is_empty()).then(|| Money {
                currency: (!row[currency].is_empty()).then(|| row[currency].to_owned()),
                hundredths: hundredths(&row[total]),
            });
            Entry {
                file: row[file].to_owned(),
                class: DocumentClass::parse(&row[class]).unwrap_or_else(|| panic!("class {:?}", &row[class])),
                lang: row[lang].to_owned(),
                producer: row[producer].to_owned(),
                invoice_date: NaiveDate::parse_from_str(&row[date], "%Y-%m-%d").ok(),
                total,
                text_layer: row[text_layer].to_owned(),
            }
        })
        .collect()
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 { "   –  ".to_owned() } else { format!("{:5.1}%", 100.0 * n as f64 / of as f64) }
}

/// What went wrong in a set, for the assertion message.
#[derive(Default)]
struct Failures(Vec<String>);

/// Classifies a set, prints its tables and returns what failed.
fn evaluate(set: &str) -> Failures {
    let dir = set_dir(set);
    let entries = manifest(&dir);
    assert!(!entries.is_empty(), "{set}: empty manifest");
    let dump = std::env::var_os("CORPUS_DUMP").map(PathBuf::from);
    let verbose = std::env::var_os("CORPUS_VERBOSE").is_some();
    let limits = Limits { extract_timeout: Duration::from_secs(30), ..Limits::default() };
    let mut out = String::new();
    let mut failures = Failures::default();
    let name = if set.is_empty() { "corpus" } else { set };
    let _ = writeln!(out, "\n=== {name}: {} documents ({})", entries.len(), dir.display());

    // truth -> predicted -> count
    let mut confusion: HashMap<(DocumentClass, DocumentClass), usize> = HashMap::new();
    let mut notes = Vec::new();
    let (mut images, mut images_accepted) = (0, 0);
    let (mut invoices, mut dates_ok, mut totals_ok) = (0, 0, 0);
    let mut slowest = (Duration::ZERO, String::new());
    for e in &entries {
        let bytes = std::fs::read(dir.join("files").join(&e.file)).unwrap_or_else(|err| panic!("{}: {err}", e.file));
        if e.text_layer != "text" {
            images += 1;
            match inspect(&bytes, "", &limits) {
                Ok(report) if !report.class.is_refused() => images_accepted += 1,
                other => failures.0.push(format!("{name}: image {} not accepted: {other:?}", e.file)),
            }
            continue;
        }
        let Some(text) = extract_text(&bytes, &limits) else {
            failures.0.push(format!("{name}: {}: no text extracted", e.file));
            continue;
        };
        if let Some(dump) = &dump {
            std::fs::create_dir_all(dump).expect("CORPUS_DUMP dir");
            std::fs::write(dump.join(format!("{}.txt", e.file)), &text).expect("dump");
        }
        let started = Instant::now();
        let verdict = classify_document(&text);
        let took = started.elapsed();
        if took > slowest.0 {
            slowest = (took, e.file.clone());
        }
        *confusion.entry((e.class, verdict.class)).or_default() += 1;
        if verbose {
            notes.push(format!("  {:<44} {:<18} {}", e.file, verdict.class, verdict.reason));
        } else if verdict.class != e.class {
            notes.push(format!("  {:<44} {:<18} -> {:<18} {}", e.file, e.class, verdict.class, verdict.reason));
        }
        if e.class == DocumentClass::Invoice {
            if verdict.class.is_refused() {
                failures.0.push(format!("{name}: genuine invoice {} refused: {}", e.file, verdict.reason));
            }
            invoices += 1;
            let date = invoice_date(&text);
            if date == e.invoice_date {
                dates_ok += 1;
            } else {
                notes.push(format!(
                    "  {:<44} date  {:?} expected {:?} ({} {})",
                    e.file, date, e.invoice_date, e.lang, e.producer
                ));
            }
            let total = invoice_total(&text);
            if total == e.total {
                totals_ok += 1;
            } else {
                notes.push(format!(
                    "  {:<44} total {:?} expected {:?} ({} {})",
                    e.file, total, e.total, e.lang, e.producer
                ));
            }
        }
    }

    // Precision and recall.
    let classes: Vec<DocumentClass> = DocumentClass::ALL.into_iter().collect();
    let count =
        |truth: DocumentClass, predicted: DocumentClass| confusion.get(&(truth, predicted)).copied().unwrap_or(0);
    let _ = writeln!(out, "\n{:<20} {:>7} {:>7} {:>9} {:>7}", "class", "docs", "found", "precision", "recall");
    for &class in &classes {
        let actual: usize = classes.iter().map(|&p| count(class, p)).sum();
        let predicted: usize = classes.iter().map(|&t| count(t, class)).sum();
        if actual == 0 && predicted == 0 {
            continue;
        }
        let right = count(class, class);
        let _ = writeln!(
            out,
            "{:<20} {actual:>7} {predicted:>7} {:>9} {:>7}",
            class.as_str(),
            pct(right, predicted),
            pct(right, actual)
        );
    }
    // Confusion matrix: rows are the manifest's class, columns the verdict.
    let short = |c: DocumentClass| match c {
        DocumentClass::Invoice => "inv",
        DocumentClass::OrderConfirmation => "order",
        DocumentClass::PartnerReport => "report",
        DocumentClass::Statement => "stmt",
        DocumentClass::Quote => "quote",
        DocumentClass::Receipt => "rcpt",
        DocumentClass::CreditNote => "credit",
        DocumentClass::Unknown => "unkn",
    };
    let _ = write!(out, "\nconfusion (rows: manifest, columns: verdict)\n{:<20}", "");
    for &p in &classes {
        let _ = write!(out, "{:>7}", short(p));
    }
    let _ = writeln!(out);
    for &t in classes.iter().filter(|&&t| t != DocumentClass::Unknown) {
        let _ = write!(out, "{:<20}", t.as_str());
        for &p in &classes {
            let n = count(t, p);
            let _ = write!(out, "{:>7}", if n == 0 { ".".to_owned() } else { n.to_string() });
        }
        let _ = writeln!(out);
    }

    // The thresholds.
    let others: usize = classes
        .iter()
        .filter(|&&t| t != DocumentClass::Invoice)
        .map(|&t| classes.iter().map(|&p| count(t, p)).sum::<usize>())
        .sum();
    let refused_right: usize = classes
        .iter()
        .filter(|&&t| t != DocumentClass::Invoice && t != DocumentClass::Unknown)
        .map(|&t| count(t, t))
        .sum();
    let invoices_refused: usize =
        classes.iter().filter(|c| c.is_refused()).map(|&p| count(DocumentClass::Invoice, p)).sum();
    let _ = writeln!(
        out,
        "\ngenuine invoices refused: {invoices_refused} of {invoices}\n\
         other text documents refused with the right class: {refused_right} of {others} ({})\n\
         documents without a text layer accepted: {images_accepted} of {images}\n\
         invoice_date matches the manifest: {dates_ok} of {invoices} ({})\n\
         invoice_total matches the manifest (amount and currency): {totals_ok} of {invoices} ({})\n\
         slowest classification: {:?} ({})",
        pct(refused_right, others),
        pct(dates_ok, invoices),
        pct(totals_ok, invoices),
        slowest.0,
        slowest.1,
    );
    if !notes.is_empty() {
        let _ = writeln!(out, "\nmisses:\n{}", notes.join("\n"));
    }
    print!("{out}");

    let rate = |n: usize, of: usize| if of == 0 { 1.0 } else { n as f64 / of as f64 };
    if rate(refused_right, others) < MIN_REFUSED {
        failures
            .0
            .push(format!("{name}: only {refused_right} of {others} other documents refused with the right class"));
    }
    if rate(dates_ok, invoices) < MIN_CROSS_CHECK {
        failures.0.push(format!("{name}: invoice_date matches only {dates_ok} of {invoices}"));
    }
    if rate(totals_ok, invoices) < MIN_CROSS_CHECK {
        failures.0.push(format!("{name}: invoice_total matches only {totals_ok} of {invoices}"));
    }
    failures
}

#[test]
fn corpus() {
    let failures = evaluate("");
    assert!(failures.0.is_empty(), "{}", failures.0.join("\n"));
}

#[test]
fn holdout() {
    let failures = evaluate("holdout");
    assert!(failures.0.is_empty(), "{}", failures.0.join("\n"));
}

#[test]
fn a_long_document_is_classified_quickly() {
    // 200 pages, of which the first 3 are read: the classifier sees at most those.
    let path: PathBuf =
        [env!("CARGO_MANIFEST_DIR"), "tests/fixtures/documents/invoice_chromium_200k.pdf"].iter().collect();
    let text = extract_text(&std::fs::read(path).expect("fixture"), &Limits::default()).expect("text");
    let started = Instant::now();
    let verdict = classify_document(&text);
    let took = started.elapsed();
    println!("invoice_chromium_200k.pdf: {} chars classified in {took:?}: {}", text.chars().count(), verdict.reason);
    assert_eq!(verdict.class, DocumentClass::Invoice);
    // A text of the size limit, however it is made up, is read in linear time: well under a
    // second in a release build, a few seconds at most unoptimised.
    let texts = [
        (0..4000).map(|i| format!("Line {i} INV-{i:06} 2026-01-0{} EUR 1,234.56\n", i % 9 + 1)).collect::<String>(),
        "Invoice no Invoice no INV-1 Total EUR 1,234.56 Date 01/02/2026 ".repeat(4000),
        "發票號碼 AB-12345678 中華民國115年1月16日 總計 NT$ 1,234 ".repeat(6000),
        "invoice ".repeat(25_000),
        "1".repeat(200_000),
    ];
    for text in texts {
        let text: String = text.chars().take(200_000).collect();
        let started = Instant::now();
        let _ = classify_document(&text);
        let classified = started.elapsed();
        let _ = invoice_date(&text);
        let dated = started.elapsed() - classified;
        let _ = invoice_total(&text);
        let took = started.elapsed();
        println!(
            "{} chars ({:?}…): classified in {classified:?}, dated in {dated:?}, all in {took:?}",
            text.chars().count(),
            text.chars().take(20).collect::<String>()
        );
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
}
