//! What a document is, judged from its text: an invoice, an order
//! confirmation, a partner report, or unknown; and whether the invoice
//! number the partner typed occurs in it. Pure rules over extracted text
//! (`checks::document` extracts it).

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// What a document reads as, judged from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentClass {
    /// An invoice (also when it mentions an order number or an order confirmation).
    Invoice,
    /// An order confirmation and not an invoice.
    OrderConfirmation,
    /// A partner report and not an invoice.
    PartnerReport,
    /// No marker found, or no text to judge by.
    Unknown,
}

impl DocumentClass {
    /// The snake_case name stored in the database (`invoice`, `order_confirmation`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentClass::Invoice => "invoice",
            DocumentClass::OrderConfirmation => "order_confirmation",
            DocumentClass::PartnerReport => "partner_report",
            DocumentClass::Unknown => "unknown",
        }
    }

    /// Parses a name written by [`DocumentClass::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "invoice" => Some(DocumentClass::Invoice),
            "order_confirmation" => Some(DocumentClass::OrderConfirmation),
            "partner_report" => Some(DocumentClass::PartnerReport),
            "unknown" => Some(DocumentClass::Unknown),
            _ => None,
        }
    }
}

impl fmt::Display for DocumentClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// Markers are written normalised (lowercase, Traditional); spaces in them are optional.

/// Markers that make a text an invoice on their own.
const INVOICE_STRONG: &[&str] = &[
    "tax invoice",
    "vat invoice",
    "commercial invoice",
    "invoice number",
    "invoice no",
    "invoice nr",
    "invoice #",
    "invoice id",
    "invoice date",
    "invoice total",
    "統一發票",
    "發票號",
    "發票日期",
    "發票代碼",
    "電子發票",
    "普通發票",
    "專用發票",
    "稅務發票",
    "請款單",
];

/// Markers that suggest an invoice, unless another kind of document was named first
/// (an order confirmation often says "invoice address" or that "an invoice will follow").
const INVOICE_WEAK: &[&str] = &["invoice", "發票"];

/// Phrases that mention an invoice without being one; removed before looking for markers.
const NOT_AN_INVOICE: &[&str] = &[
    "not an invoice",
    "not a tax invoice",
    "not a valid invoice",
    "not a valid tax invoice",
    "no invoice",
    "invoice will follow",
    "invoice to follow",
    "invoice follows",
    "invoice will be sent",
    "invoice will be issued",
    "非發票",
    "不是發票",
    "並非發票",
    "不是統一發票",
    "發票將",
    "發票會",
    "發票另",
    "另開發票",
    "另行開立發票",
];

const ORDER_CONFIRMATION: &[&str] = &[
    "order confirmation",
    "confirmation of order",
    "confirmation of your order",
    "order acknowledgement",
    "order acknowledgment",
    "訂單確認",
    "訂購確認",
];

const PARTNER_REPORT: &[&str] = &[
    "partner report",
    "partner performance report",
    "partner activity report",
    "partner sales report",
    "合作夥伴報告",
    "夥伴報告",
    "合作夥伴報表",
    "夥伴報表",
];

/// Classifies a document from its text: case-insensitive, Unicode-compatibility folded (NFKC:
/// full-width forms, ligatures such as "ﬁ", Kangxi radicals), Simplified Chinese folded to
/// Traditional, and insensitive to whitespace inside and between words (PDF text extraction
/// often splits words, "or der conﬁrmation", or runs them together).
///
/// A text with a definite invoice marker ("Invoice number", "Tax invoice", "發票號碼",
/// "統一發票", "请款单"…) is an [`DocumentClass::Invoice`] even if it mentions an order. The word
/// "invoice" / "發票" alone makes it an invoice unless an order-confirmation or partner-report
/// marker comes before it; phrases such as "this is not an invoice" or "an invoice will
/// follow" / "發票將另行寄送" do not count. "Order number" or "PO" alone mark nothing.
pub fn classify(text: &str) -> DocumentClass {
    let mut text = Normalised::new(text);
    for phrase in NOT_AN_INVOICE {
        while let Some((start, end)) = text.find(phrase) {
            text.chars[start..end].fill('|');
        }
    }
    if INVOICE_STRONG.iter().any(|m| text.find(m).is_some()) {
        return DocumentClass::Invoice;
    }
    let earliest = |markers: &[&str]| markers.iter().filter_map(|m| text.find(m).map(|(start, _)| start)).min();
    let weak = earliest(INVOICE_WEAK);
    let other = [
        (DocumentClass::OrderConfirmation, earliest(ORDER_CONFIRMATION)),
        (DocumentClass::PartnerReport, earliest(PARTNER_REPORT)),
    ]
    .into_iter()
    .filter_map(|(class, at)| at.map(|at| (at, class)))
    .min_by_key(|(at, _)| *at);
    match (weak, other) {
        (Some(invoice_at), Some((other_at, class))) => {
            if invoice_at < other_at {
                DocumentClass::Invoice
            } else {
                class
            }
        }
        (Some(_), None) => DocumentClass::Invoice,
        (None, Some((_, class))) => class,
        (None, None) => DocumentClass::Unknown,
    }
}

/// Whether `invoice_number` occurs in `text`, compared leniently: case-insensitive, ignoring
/// whitespace, hyphens and slashes on both sides (so "INV-2026/0423" matches "INV 2026 0423"),
/// full-width forms folded. The match must not continue with another letter or digit on either
/// side ("INV-2026-0423" is not found in "INV-2026-04231"). An empty number is never found.
pub fn invoice_number_in_text(text: &str, invoice_number: &str) -> bool {
    let needle = Normalised::new(invoice_number);
    let needle: String = needle.chars.iter().filter(|&&c| !is_number_separator(c)).collect();
    !needle.is_empty() && Normalised::new(text).find_ignoring(&needle, is_number_separator).is_some()
}

fn is_number_separator(c: char) -> bool {
    c == ' ' || matches!(c, '-' | '/' | '\\' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{2044}' | '\u{2215}')
}

/// Simplified characters used by the markers, folded to their Traditional form.
fn to_traditional(c: char) -> char {
    match c {
        '发' => '發',
        '单' => '單',
        '确' => '確',
        '认' => '認',
        '订' => '訂',
        '报' => '報',
        '伙' => '夥',
        '号' => '號',
        '码' => '碼',
        '统' => '統',
        '电' => '電',
        '请' => '請',
        '税' => '稅',
        '专' => '專',
        '开' => '開',
        '将' => '將',
        '并' => '並',
        '会' => '會',
        '购' => '購',
        '务' => '務',
        _ => c,
    }
}

/// Text folded for matching: NFKC, lowercase, Simplified folded to Traditional, every run of
/// whitespace a single space.
struct Normalised {
    chars: Vec<char>,
}

impl Normalised {
    fn new(text: &str) -> Self {
        let mut chars = Vec::with_capacity(text.len());
        for c in text.nfkc().flat_map(char::to_lowercase).map(to_traditional) {
            if c.is_whitespace() {
                if chars.last() != Some(&' ') {
                    chars.push(' ');
                }
            } else {
                chars.push(c);
            }
        }
        Normalised { chars }
    }

    /// First occurrence of `marker` (already normalised), ignoring spaces on both sides, whose
    /// ASCII letter or digit ends are not glued to other ASCII letters or digits ("invoice" is
    /// not found in "invoiced"). Returns the half-open range of `chars` it covers.
    fn find(&self, marker: &str) -> Option<(usize, usize)> {
        self.find_ignoring(marker, |c| c == ' ')
    }

    fn find_ignoring(&self, marker: &str, ignore: impl Fn(char) -> bool) -> Option<(usize, usize)> {
        let marker: Vec<char> = marker.chars().filter(|&c| !ignore(c)).collect();
        let (first, last) = (*marker.first()?, *marker.last()?);
        let chars = &self.chars;
        let glued =
            |at: Option<&char>, edge: char| edge.is_ascii_alphanumeric() && at.is_some_and(char::is_ascii_alphanumeric);
        (0..chars.len()).find_map(|start| {
            if chars[start] != first || glued(start.checked_sub(1).and_then(|i| chars.get(i)), first) {
                return None;
            }
            let mut at = start;
            for (n, &m) in marker.iter().enumerate() {
                if n > 0 {
                    while chars.get(at).is_some_and(|&c| ignore(c)) {
                        at += 1;
                    }
                }
                if chars.get(at) != Some(&m) {
                    return None;
                }
                at += 1;
            }
            (!glued(chars.get(at), last)).then_some((start, at))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(text: &str) -> String {
        Normalised::new(text).chars.into_iter().collect()
    }

    #[test]
    fn normalisation_folds_width_ligatures_radicals_and_simplified() {
        assert_eq!(normalised("ＩＮＶＯＩＣＥ\u{3000}\n No."), "invoice no.");
        assert_eq!(normalised("or der conﬁrmation"), "or der confirmation");
        assert_eq!(normalised("开票⽇期"), "開票日期");
        assert_eq!(normalised("订单确认"), "訂單確認");
    }

    #[test]
    fn find_ignores_spaces_but_respects_word_ends() {
        let text = Normalised::new("I N V O I C E  no. 5, invoiced");
        assert_eq!(text.find("invoice no"), Some((0, 16)));
        assert_eq!(Normalised::new("invoiced").find("invoice"), None);
        assert_eq!(Normalised::new("reinvoice").find("invoice"), None);
        assert_eq!(Normalised::new("發 票").find("發票"), Some((0, 3)));
    }
}
