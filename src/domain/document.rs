//! What a document is, judged from its text as a whole: an invoice, or one of
//! the documents partners upload instead (an order confirmation, a partner
//! report, a statement of account, a quote, a receipt, a credit note), or
//! unknown; why; and whether the invoice number the partner typed occurs in
//! it. Pure rules over extracted text (`checks::document` extracts it).
//!
//! The verdict is scored evidence, so that it can be explained: each rule
//! that fires adds a weight to one class (or takes some away from
//! [`DocumentClass::Invoice`]) and says why in words a partner can read. What
//! a document calls itself in its title weighs most; then what it says about
//! itself ("this is not an invoice", "an invoice will follow"); then its
//! structure (one invoice number, a due date and bank details, against a
//! table that lists many invoices, a running balance, a validity date…).
//! The highest score wins; a document is refused only when another class
//! clearly beats the invoice, so that a genuine invoice is never refused:
//! weak or mixed evidence gives [`DocumentClass::Unknown`], which is accepted.

use std::collections::{HashMap, HashSet};
use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// What a document reads as, judged from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentClass {
    /// An invoice (also when it mentions an order number or an order confirmation).
    Invoice,
    /// An order confirmation (or acknowledgement, or order summary) and not an invoice.
    OrderConfirmation,
    /// A partner report, or another listing of several invoices, and not an invoice.
    PartnerReport,
    /// A statement of account: invoices and payments with a running balance.
    Statement,
    /// A quote, quotation or estimate.
    Quote,
    /// A receipt or payment confirmation for an invoice already paid.
    Receipt,
    /// A credit note (or credit memo, 折讓證明單) reducing an invoice.
    CreditNote,
    /// No clear evidence, mixed evidence, or no text to judge by.
    Unknown,
}

impl DocumentClass {
    /// Every class, in a fixed order.
    pub const ALL: [DocumentClass; 8] = [
        DocumentClass::Invoice,
        DocumentClass::OrderConfirmation,
        DocumentClass::PartnerReport,
        DocumentClass::Statement,
        DocumentClass::Quote,
        DocumentClass::Receipt,
        DocumentClass::CreditNote,
        DocumentClass::Unknown,
    ];

    /// The snake_case name stored in the database (`invoice`, `order_confirmation`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentClass::Invoice => "invoice",
            DocumentClass::OrderConfirmation => "order_confirmation",
            DocumentClass::PartnerReport => "partner_report",
            DocumentClass::Statement => "statement",
            DocumentClass::Quote => "quote",
            DocumentClass::Receipt => "receipt",
            DocumentClass::CreditNote => "credit_note",
            DocumentClass::Unknown => "unknown",
        }
    }

    /// Parses a name written by [`DocumentClass::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        DocumentClass::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The class in words, with its article: "an invoice", "a partner report"…
    pub fn described(self) -> &'static str {
        match self {
            DocumentClass::Invoice => "an invoice",
            DocumentClass::OrderConfirmation => "an order confirmation",
            DocumentClass::PartnerReport => "a partner report",
            DocumentClass::Statement => "a statement of account",
            DocumentClass::Quote => "a quote",
            DocumentClass::Receipt => "a receipt",
            DocumentClass::CreditNote => "a credit note",
            DocumentClass::Unknown => "a document of unknown kind",
        }
    }

    /// Whether an upload of this class is refused as evidence of an invoice: every class but
    /// [`DocumentClass::Invoice`] and [`DocumentClass::Unknown`].
    pub fn is_refused(self) -> bool {
        !matches!(self, DocumentClass::Invoice | DocumentClass::Unknown)
    }
}

impl fmt::Display for DocumentClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verdict and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// What the document reads as.
    pub class: DocumentClass,
    /// The verdict as a sentence a partner can read, lowercase so it can follow other words:
    /// "this looks like a partner report: it lists 14 invoices".
    pub reason: String,
    /// Where the grounds start in `reason` (after "…: ").
    grounds_at: usize,
}

impl Classification {
    fn new(class: DocumentClass, verdict: &str, grounds: &str) -> Self {
        let reason = format!("{verdict}: {grounds}");
        Classification { class, grounds_at: verdict.len() + 2, reason }
    }

    /// The grounds alone, without the verdict: "it lists 14 invoices".
    pub fn grounds(&self) -> &str {
        self.reason.get(self.grounds_at..).unwrap_or(&self.reason)
    }
}

/// Classifies a document from its text; see [`classify_document`].
pub fn classify(text: &str) -> DocumentClass {
    classify_document(text).class
}

// ---------------------------------------------------------------------------------------------
// Weights

/// What a document's title says it is.
const TITLE: i32 = 6;
/// Least score with which a class other than invoice is refused…
const REFUSE_AT: i32 = 5;
/// …and by how much it must beat the invoice's score.
const REFUSE_MARGIN: i32 = 3;

/// Titles, by class: written folded (lowercase, Traditional); spaces in them are optional.
/// A line near the top of the document is its title when it is short and consists of one of
/// these, with at most a qualifier before it (a few words, or a place name in Chinese) and
/// nothing after it but a date, a period or punctuation. The longest match wins, so "Invoice
/// summary" is a report and "Statement of account" a statement.
const TITLES: &[(DocumentClass, &[&str])] = &[
    (
        DocumentClass::Invoice,
        &[
            "invoice",
            "tax invoice",
            "vat invoice",
            "gst invoice",
            "commercial invoice",
            "sales invoice",
            "service invoice",
            "qualified invoice",
            "final invoice",
            "e-invoice",
            "發票",
            "統一發票",
            "三聯式統一發票",
            "二聯式統一發票",
            "收銀機統一發票",
            "電子發票",
            "電子發票證明聯",
            "普通發票",
            "專用發票",
            "增值稅普通發票",
            "增值稅專用發票",
            "增值稅電子普通發票",
            "增值稅電子專用發票",
            "商業發票",
            "稅務發票",
            "請款單",
        ],
    ),
    (
        DocumentClass::OrderConfirmation,
        &[
            "order confirmation",
            "sales order confirmation",
            "purchase order confirmation",
            "order acknowledgement",
            "order acknowledgment",
            "acknowledgement of order",
            "acknowledgment of order",
            "confirmation of order",
            "confirmation of your order",
            "order summary",
            "booking confirmation",
            "訂單確認",
            "訂單確認書",
            "訂單確認單",
            "訂購確認",
            "訂購確認單",
            "訂購確認書",
            "銷售訂單確認",
            "訂單摘要",
            "訂單回覆",
        ],
    ),
    (
        DocumentClass::PartnerReport,
        &[
            "report",
            "partner report",
            "partner performance report",
            "partner activity report",
            "partner sales report",
            "performance report",
            "activity report",
            "sales report",
            "revenue report",
            "incentive report",
            "kpi report",
            "scorecard",
            "partner scorecard",
            "invoices",
            "invoice summary",
            "invoice list",
            "invoice listing",
            "invoice report",
            "invoice register",
            "revenue by invoice",
            "invoicing overview",
            "invoicing summary",
            "報告",
            "報表",
            "合作夥伴報告",
            "夥伴報告",
            "業績報表",
            "業績報告",
            "績效報告",
            "發票彙總",
            "發票彙總表",
            "發票匯總",
            "發票匯總表",
            "發票明細表",
            "發票清單",
            "按發票統計",
            "按發票統計收入",
        ],
    ),
    (
        DocumentClass::Statement,
        &[
            "statement",
            "statement of account",
            "account statement",
            "customer statement",
            "statement of accounts",
            "對帳單",
            "客戶對帳單",
            "應收帳款對帳單",
            "月結單",
            "結單",
        ],
    ),
    (
        DocumentClass::Quote,
        &[
            "quote",
            "quotation",
            "price quote",
            "price quotation",
            "estimate",
            "cost estimate",
            "報價單",
            "報價",
            "估價單",
        ],
    ),
    (
        DocumentClass::Receipt,
        &[
            "receipt",
            "payment receipt",
            "official receipt",
            "cash receipt",
            "payment confirmation",
            "confirmation of payment",
            "remittance advice",
            "payment advice",
            "收據",
            "收款收據",
            "收款憑證",
        ],
    ),
    (
        DocumentClass::CreditNote,
        &[
            "credit note",
            "credit memo",
            "credit memorandum",
            "credit invoice",
            "折讓證明單",
            "折讓單",
            "營業人銷貨退回進貨退出或折讓證明單",
            "銷貨退回進貨退出或折讓證明單",
            "貸項通知單",
            "紅字發票",
        ],
    ),
];

/// Words that may stand before an English title ("Monthly invoicing overview", "Sales order
/// confirmation" are matched whole; these cover the rest): never determiners or prepositions,
/// so "your order confirmation" is not a title.
const NOT_BEFORE_TITLE: &[&str] = &[
    "your", "our", "the", "this", "that", "a", "an", "see", "per", "for", "of", "with", "against", "to", "by", "and",
    "or", "not", "no", "is", "are", "as", "on", "from", "re", "attached", "enclosed", "please", "pro", "forma",
    "proforma", "draft", "original", "previous", "next", "separate", "each", "every", "all", "any", "its", "their",
];

/// Words that may follow a title: a period it covers.
const PERIOD_WORDS: &[&str] = &[
    "q1",
    "q2",
    "q3",
    "q4",
    "h1",
    "h2",
    "fy",
    "quarter",
    "month",
    "year",
    "for",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// How many lines from the top a title is looked for in (browsers may print floating blocks,
/// such as a totals box, before the title).
const HEAD_LINES: usize = 24;
/// Longest line, in characters, taken for a title.
const TITLE_MAX_CHARS: usize = 80;

// ---------------------------------------------------------------------------------------------
// Cues: phrases anywhere in the text, each counted once.

/// A phrase and what it says.
struct Cue {
    /// Folded; spaces optional.
    phrase: &'static str,
    class: DocumentClass,
    weight: i32,
    /// Only at the start of a line (a label).
    label: bool,
    /// The grounds in words.
    says: &'static str,
}

const fn cue(phrase: &'static str, class: DocumentClass, weight: i32, says: &'static str) -> Cue {
    Cue { phrase, class, weight, label: false, says }
}

const fn label(phrase: &'static str, class: DocumentClass, weight: i32, says: &'static str) -> Cue {
    Cue { phrase, class, weight, label: true, says }
}

use DocumentClass::{CreditNote, Invoice, OrderConfirmation, PartnerReport, Quote, Receipt, Statement};

/// Phrases that deny being an invoice. They are masked before other cues are looked for, so
/// "not an invoice" does not count as a mention of an invoice.
const NOT_AN_INVOICE: &[Cue] = &[
    cue("not an invoice", Invoice, -6, "it says it is not an invoice"),
    cue("not a tax invoice", Invoice, -6, "it says it is not a tax invoice"),
    cue("not a vat invoice", Invoice, -6, "it says it is not an invoice"),
    cue("not a valid invoice", Invoice, -6, "it says it is not an invoice"),
    cue("not a valid tax invoice", Invoice, -6, "it says it is not an invoice"),
    cue("not an official invoice", Invoice, -6, "it says it is not an invoice"),
    cue("is no invoice", Invoice, -6, "it says it is not an invoice"),
    cue("not a request for payment", Invoice, -4, "it says it is not a request for payment"),
    cue("cannot be used as a payment request", Invoice, -4, "it says it is not a request for payment"),
    cue("do not pay against", Invoice, -4, "it asks you not to pay against it"),
    cue("please do not pay", Invoice, -4, "it asks you not to pay against it"),
    cue("no invoice", Invoice, -2, "it says it is not an invoice"),
    cue("pro forma", Invoice, -4, "it is a pro forma"),
    cue("proforma", Invoice, -4, "it is a pro forma"),
    cue("invoice will follow", Invoice, -5, "it says an invoice will follow"),
    cue("invoice to follow", Invoice, -5, "it says an invoice will follow"),
    cue("invoice follows", Invoice, -5, "it says an invoice will follow"),
    cue("invoice will be sent", Invoice, -5, "it says an invoice will follow"),
    cue("invoice will be issued", Invoice, -5, "it says an invoice will follow"),
    cue("invoice will be raised", Invoice, -5, "it says an invoice will follow"),
    cue("receive an invoice", Invoice, -5, "it says an invoice will follow"),
    cue("invoice separately", Invoice, -5, "it says an invoice will follow"),
    cue("非發票", Invoice, -6, "it says it is not an invoice (非發票)"),
    cue("不是發票", Invoice, -6, "it says it is not an invoice (不是發票)"),
    cue("並非發票", Invoice, -6, "it says it is not an invoice (並非發票)"),
    cue("不是統一發票", Invoice, -6, "it says it is not an invoice (不是統一發票)"),
    cue("不得作為進項扣抵憑證", Invoice, -4, "it says it cannot be used as an invoice"),
    cue("不作報銷憑證", Invoice, -4, "it says it cannot be used as an invoice"),
    cue("不能作為報銷憑證", Invoice, -4, "it says it cannot be used as an invoice"),
    cue("發票將", Invoice, -5, "it says an invoice will follow (發票將…)"),
    cue("發票會", Invoice, -5, "it says an invoice will follow (發票會…)"),
    cue("發票另", Invoice, -5, "it says an invoice will follow"),
    cue("另開發票", Invoice, -5, "it says an invoice will follow"),
    cue("另行開立發票", Invoice, -5, "it says an invoice will follow"),
    cue("將開具", Invoice, -5, "it says an invoice will follow"),
    cue("並開具發票", Invoice, -5, "it says an invoice will follow"),
    cue("後開立", Invoice, -5, "it says an invoice will follow"),
];

/// Phrases that deny being one of the other documents ("This is not an order confirmation"):
/// masked too; they speak for an invoice.
const NOT_OTHERS: &[Cue] = &[
    cue("not an order confirmation", Invoice, 2, "it says it is not an order confirmation"),
    cue("not a quote", Invoice, 2, "it says it is not a quote"),
    cue("not a receipt", Invoice, 2, "it says it is not a receipt"),
    cue("not a statement", Invoice, 2, "it says it is not a statement"),
    cue("不是訂單確認", Invoice, 2, "it says it is not an order confirmation"),
    cue("並非訂單確認", Invoice, 2, "it says it is not an order confirmation"),
    cue("非訂單確認", Invoice, 2, "it says it is not an order confirmation"),
];

const CUES: &[Cue] = &[
    // What it says it is.
    cue("this invoice", Invoice, 2, "it calls itself an invoice"),
    cue("this tax invoice", Invoice, 2, "it calls itself an invoice"),
    cue("this vat invoice", Invoice, 2, "it calls itself an invoice"),
    cue("本發票", Invoice, 2, "it calls itself an invoice (本發票)"),
    cue("this confirmation", OrderConfirmation, 2, "it calls itself a confirmation"),
    cue("本確認單", OrderConfirmation, 2, "it calls itself an order confirmation"),
    cue("僅為訂單確認", OrderConfirmation, 4, "it says it is only an order confirmation"),
    cue("this report", PartnerReport, 2, "it calls itself a report"),
    cue("本報告", PartnerReport, 2, "it calls itself a report"),
    cue("本報表", PartnerReport, 2, "it calls itself a report"),
    cue("this statement", Statement, 2, "it calls itself a statement"),
    cue("this is a quotation", Quote, 4, "it calls itself a quotation"),
    cue("this is a quote", Quote, 4, "it calls itself a quote"),
    cue("this quotation", Quote, 3, "it calls itself a quotation"),
    cue("this quote", Quote, 3, "it calls itself a quote"),
    cue("this estimate", Quote, 3, "it calls itself an estimate"),
    cue("本報價單", Quote, 3, "it calls itself a quote (本報價單)"),
    cue("this receipt", Receipt, 3, "it calls itself a receipt"),
    cue("本收據", Receipt, 3, "it calls itself a receipt (本收據)"),
    cue("this credit note", CreditNote, 3, "it calls itself a credit note"),
    cue("this credit memo", CreditNote, 3, "it calls itself a credit memo"),
    cue("本證明單", CreditNote, 2, "it calls itself a certificate of return or allowance"),
    // An invoice: official Chinese invoice fields, payment due.
    label("發票代碼", Invoice, 3, "it has an invoice code (發票代碼)"),
    label("校驗碼", Invoice, 2, "it has an invoice check code (校驗碼)"),
    label("機器編號", Invoice, 2, "it has a machine number (機器編號)"),
    label("隨機碼", Invoice, 2, "it has an e-invoice random code (隨機碼)"),
    cue("開票人", Invoice, 2, "it names who issued the invoice (開票人)"),
    label("買受人", Invoice, 2, "it names the buyer (買受人)"),
    label("購買方", Invoice, 1, "it names the buyer (購買方)"),
    label("銷售方", Invoice, 1, "it names the seller (銷售方)"),
    cue("統一發票專用章", Invoice, 2, "it carries the uniform invoice seal"),
    cue("扣抵聯", Invoice, 2, "it is a copy of a uniform invoice (扣抵聯)"),
    cue("價稅合計", Invoice, 2, "it has a total including tax (價稅合計)"),
    label("due date", Invoice, 2, "it has a due date"),
    label("payment due", Invoice, 2, "it has a due date"),
    label("付款期限", Invoice, 2, "it has a due date"),
    label("payment terms", Invoice, 1, "it states payment terms"),
    label("amount due", Invoice, 1, "it states an amount due"),
    label("total due", Invoice, 1, "it states an amount due"),
    label("tax point", Invoice, 1, "it has a tax point"),
    cue("with your payment", Invoice, 1, "it asks for payment"),
    // An order confirmation.
    label("order number", OrderConfirmation, 1, "it has an order number"),
    label("order no", OrderConfirmation, 1, "it has an order number"),
    label("訂單編號", OrderConfirmation, 1, "it has an order number"),
    label("訂單號", OrderConfirmation, 1, "it has an order number"),
    label("order date", OrderConfirmation, 2, "it has an order date"),
    label("訂購日期", OrderConfirmation, 2, "it has an order date"),
    label("訂單日期", OrderConfirmation, 2, "it has an order date"),
    label("下單日期", OrderConfirmation, 2, "it has an order date"),
    label("expected delivery", OrderConfirmation, 2, "it gives an expected delivery date"),
    label("estimated delivery", OrderConfirmation, 2, "it gives an expected delivery date"),
    label("預計出貨", OrderConfirmation, 2, "it gives an expected delivery date"),
    label("預計發貨", OrderConfirmation, 2, "it gives an expected delivery date"),
    cue("thank you for your order", OrderConfirmation, 3, "it thanks you for your order"),
    cue("感謝您的訂購", OrderConfirmation, 3, "it thanks you for your order"),
    cue("感謝您的訂單", OrderConfirmation, 3, "it thanks you for your order"),
    cue("confirm the following", OrderConfirmation, 3, "it confirms an order"),
    cue("confirm it as follows", OrderConfirmation, 3, "it confirms an order"),
    cue("confirm your order", OrderConfirmation, 3, "it confirms an order"),
    cue("accepted on the terms", OrderConfirmation, 3, "it confirms an order"),
    cue("acknowledge receipt of your purchase order", OrderConfirmation, 3, "it confirms an order"),
    cue("registration is confirmed", OrderConfirmation, 3, "it confirms a booking"),
    cue("訂單內容確認", OrderConfirmation, 3, "it confirms an order"),
    cue("確認如下", OrderConfirmation, 2, "it confirms an order"),
    label("order total", OrderConfirmation, 2, "its total is an order total"),
    label("訂單總額", OrderConfirmation, 2, "its total is an order total"),
    label("訂單合計", OrderConfirmation, 2, "its total is an order total"),
    // A quote.
    label("quote number", Quote, 3, "it has a quote number"),
    label("quote no", Quote, 3, "it has a quote number"),
    label("quotation number", Quote, 3, "it has a quote number"),
    label("quotation no", Quote, 3, "it has a quote number"),
    label("estimate number", Quote, 3, "it has an estimate number"),
    label("estimate no", Quote, 3, "it has an estimate number"),
    label("報價單號", Quote, 3, "it has a quote number"),
    label("報價編號", Quote, 3, "it has a quote number"),
    label("報價日期", Quote, 2, "it has a quote date"),
    label("quote date", Quote, 2, "it has a quote date"),
    label("valid until", Quote, 2, "it is valid until a date"),
    cue("prices are valid", Quote, 2, "it says how long its prices are valid"),
    label("有效期", Quote, 2, "it is valid until a date"),
    cue("to accept this", Quote, 2, "it asks you to accept it"),
    label("accepted by", Quote, 2, "it asks you to accept it"),
    cue("客戶確認簽章", Quote, 2, "it asks you to accept it"),
    label("prepared for", Quote, 1, "it is prepared for a customer"),
    // A receipt.
    label("receipt no", Receipt, 3, "it has a receipt number"),
    label("receipt number", Receipt, 3, "it has a receipt number"),
    label("收據編號", Receipt, 3, "it has a receipt number"),
    cue("received your payment", Receipt, 3, "it acknowledges a payment"),
    cue("received with thanks", Receipt, 3, "it acknowledges a payment"),
    label("received from", Receipt, 3, "it acknowledges a payment"),
    label("amount received", Receipt, 2, "it acknowledges a payment"),
    cue("confirms payment", Receipt, 2, "it acknowledges a payment"),
    label("茲收到", Receipt, 3, "it acknowledges a payment (茲收到)"),
    label("今收到", Receipt, 3, "it acknowledges a payment (今收到)"),
    cue("此據", Receipt, 2, "it acknowledges a payment (此據)"),
    label("收款日期", Receipt, 2, "it has a payment date"),
    label("交款單位", Receipt, 2, "it names who paid"),
    label("payment date", Receipt, 1, "it has a payment date"),
    label("payment method", Receipt, 1, "it names the payment method"),
    // A credit note.
    label("credit note no", CreditNote, 3, "it has a credit note number"),
    label("credit note number", CreditNote, 3, "it has a credit note number"),
    label("credit memo", CreditNote, 3, "it has a credit memo number"),
    label("折讓單號", CreditNote, 3, "it has a credit note number"),
    label("通知單號", CreditNote, 1, "it has a notice number"),
    label("original invoice", CreditNote, 2, "it refers to an original invoice"),
    label("原發票", CreditNote, 2, "it refers to an original invoice"),
    label("total credit", CreditNote, 3, "it credits an amount"),
    cue("credit amount", CreditNote, 2, "it credits an amount"),
    cue("折讓金額", CreditNote, 3, "it credits an amount (折讓金額)"),
    cue("沖減", CreditNote, 3, "it reduces an invoice (沖減)"),
    cue("offset against", CreditNote, 1, "it is offset against an invoice"),
    cue("reduces invoice", CreditNote, 2, "it reduces an invoice"),
    // A statement.
    label("statement date", Statement, 3, "it has a statement date"),
    label("對帳期間", Statement, 3, "it covers a statement period (對帳期間)"),
    label("opening balance", Statement, 3, "it starts from an opening balance"),
    cue("期初餘額", Statement, 3, "it starts from an opening balance (期初餘額)"),
    cue("應收餘額", Statement, 2, "it ends with a balance (應收餘額)"),
    cue("balance forward", Statement, 3, "it starts from a balance brought forward"),
    cue("disregard this statement", Statement, 2, "it calls itself a statement"),
    label("over 90 days", Statement, 1, "it ages the balance"),
    // A partner report.
    label("partner id", PartnerReport, 1, "it is about a partner"),
    cue("key performance indicator", PartnerReport, 2, "it reports key performance indicators"),
    cue("關鍵績效指標", PartnerReport, 2, "it reports key performance indicators"),
    label("kpi", PartnerReport, 2, "it reports key performance indicators"),
    label("target attainment", PartnerReport, 2, "it reports target attainment"),
    label("incentive tier", PartnerReport, 2, "it reports an incentive tier"),
    label("invoices in period", PartnerReport, 2, "it counts the invoices in a period"),
    label("invoices issued", PartnerReport, 2, "it counts the invoices issued"),
    label("發票張數", PartnerReport, 2, "it counts the invoices issued"),
    label("reporting period", PartnerReport, 1, "it covers a reporting period"),
    label("產出日期", PartnerReport, 1, "it is a generated report"),
    label("生成日期", PartnerReport, 1, "it is a generated report"),
    cue("系統產生報表", PartnerReport, 1, "it is a generated report"),
];

/// Words heading a column of invoice numbers in a table.
const INVOICE_COLUMN: &[&str] = &[
    "invoice",
    "inv no",
    "inv.",
    "reference",
    "ref",
    "document no",
    "發票號碼",
    "發票號",
    "單據號碼",
    "單據號",
    "憑證號碼",
];

/// Labels of one invoice's number, at the start of a line.
const INVOICE_NUMBER_LABELS: &[&str] = &[
    "invoice number",
    "invoice no",
    "invoice nr",
    "invoice #",
    "invoice id",
    "invoice ref",
    "inv no",
    "inv #",
    "發票號碼",
    "發票號",
    "發票編號",
];

// ---------------------------------------------------------------------------------------------
// The decision

/// One rule that fired.
#[derive(Debug, Clone)]
struct Evidence {
    class: DocumentClass,
    weight: i32,
    says: String,
}

/// Classifies a document from its text, and says why.
///
/// The text is folded first: Unicode compatibility (NFKC: full-width forms, ligatures such as
/// "ﬁ", Kangxi radicals), case, Simplified Chinese to Traditional, and whitespace (PDF text
/// extraction often splits words, "or der conﬁrmation", or runs them together).
///
/// Evidence, each piece weighed and counted once:
/// - the **title**: a short line near the top that names a kind of document ("Tax Invoice",
///   "統一發票（三聯式）", "Order Acknowledgement", "Invoice summary – Q1 2026", "對帳單",
///   "报价单", "收据", "Credit Note"…); the longest name wins;
/// - what the document **says about itself**: "this is not an invoice", "an invoice will
///   follow", "發票將於出貨後開立", "pro forma" count against an invoice; "This is not an
///   order confirmation" counts for one; "this report", "本收據"… for the others;
/// - its **structure**: one invoice number next to its label, a due date, the fields of a
///   Chinese official invoice (發票代碼, 校驗碼, 買受人…) for an invoice; a table listing
///   several invoice numbers (a report, or with an opening balance a statement); an order date
///   and expected delivery; a validity date; a receipt number; an original invoice credited.
///
/// A class other than invoice wins only with a score of at least 5 that beats the invoice's
/// by 3; an invoice needs any evidence and to lead; anything else is
/// [`DocumentClass::Unknown`]. A genuine invoice therefore reads as an invoice or unknown,
/// both accepted.
pub fn classify_document(text: &str) -> Classification {
    let mut doc = Folded::new(text);
    let mut evidence = Vec::new();
    // Denials first, then masked so that "not an invoice" is no mention of an invoice.
    for cue in NOT_AN_INVOICE.iter().chain(NOT_OTHERS) {
        let found = doc.find_all(cue.phrase);
        if !found.is_empty() {
            evidence.push(Evidence { class: cue.class, weight: cue.weight, says: cue.says.to_owned() });
        }
        for (start, end) in found {
            doc.mask(start, end);
        }
    }
    let title = doc.title();
    if let Some(title) = &title {
        evidence
            .push(Evidence { class: title.class, weight: TITLE, says: format!("its title is “{}”", title.shown) });
    }
    for cue in CUES {
        let found = if cue.label { doc.label_line(cue.phrase).is_some() } else { doc.find(cue.phrase).is_some() };
        if found {
            evidence.push(Evidence { class: cue.class, weight: cue.weight, says: cue.says.to_owned() });
        }
    }
    evidence.extend(doc.invoice_numbers());
    evidence.extend(doc.listing(&evidence));
    decide(evidence, title.as_ref())
}

fn decide(evidence: Vec<Evidence>, title: Option<&Title>) -> Classification {
    // One piece per ground: the same words from two rules count once (the heavier).
    let mut merged: Vec<Evidence> = Vec::new();
    for e in evidence {
        match merged.iter_mut().find(|m| m.class == e.class && m.says == e.says) {
            Some(m) => m.weight = m.weight.max(e.weight),
            None => merged.push(e),
        }
    }
    let score = |class: DocumentClass| merged.iter().filter(|e| e.class == class).map(|e| e.weight).sum::<i32>();
    let invoice = score(DocumentClass::Invoice);
    let mut others: Vec<(i32, DocumentClass)> = DocumentClass::ALL
        .into_iter()
        .filter(|c| c.is_refused())
        .map(|c| (score(c), c))
        .filter(|(s, _)| *s > 0)
        .collect();
    others.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    let grounds = |class: DocumentClass, n: usize| {
        let mut items: Vec<&Evidence> = merged.iter().filter(|e| e.class == class && e.weight > 0).collect();
        items.sort_by_key(|e| std::cmp::Reverse(e.weight));
        let items: Vec<&str> = items.iter().take(n).map(|e| e.says.as_str()).collect();
        items.join(" and ")
    };
    let against_invoice = || {
        let mut items: Vec<&Evidence> =
            merged.iter().filter(|e| e.class == DocumentClass::Invoice && e.weight < 0).collect();
        items.sort_by_key(|e| e.weight);
        items.first().map(|e| e.says.clone())
    };
    match others.as_slice() {
        [(best, class), rest @ ..]
            if *best >= REFUSE_AT && *best >= invoice + REFUSE_MARGIN && rest.first().is_none_or(|(s, _)| s < best) =>
        {
            let titled = title.is_some_and(|t| t.class == *class);
            let verdict = format!("this {} {}", if titled { "is" } else { "looks like" }, class.described());
            let why = match against_invoice() {
                Some(against) => format!("{} and {against}", grounds(*class, 1)),
                None => grounds(*class, 2),
            };
            return Classification::new(*class, &verdict, &why);
        }
        _ => {}
    }
    let best_other = others.first().map_or(0, |(s, _)| *s);
    if invoice > 0 && invoice > best_other {
        let verdict = if title.is_some_and(|t| t.class == DocumentClass::Invoice) {
            "this is an invoice"
        } else {
            "this looks like an invoice"
        };
        return Classification::new(DocumentClass::Invoice, verdict, &grounds(DocumentClass::Invoice, 2));
    }
    let verdict = "it is not clear what this document is";
    match others.first() {
        None if invoice == 0 => Classification::new(DocumentClass::Unknown, verdict, "nothing in it says what it is"),
        None => Classification::new(
            DocumentClass::Unknown,
            verdict,
            &against_invoice().unwrap_or_else(|| "nothing in it says what it is".to_owned()),
        ),
        Some((_, class)) => {
            let other = grounds(*class, 1);
            let why = match (invoice > 0, against_invoice()) {
                (true, _) => format!(
                    "it reads partly as an invoice ({}) and partly as {} ({other})",
                    grounds(DocumentClass::Invoice, 1),
                    class.described()
                ),
                (false, Some(against)) => {
                    format!("{against}, but only weakly reads as {} ({other})", class.described())
                }
                (false, None) => format!("it only weakly reads as {} ({other})", class.described()),
            };
            Classification::new(DocumentClass::Unknown, verdict, &why)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Folded text

/// A title found near the top.
#[derive(Debug, Clone)]
struct Title {
    class: DocumentClass,
    /// The line as printed.
    shown: String,
}

/// The text folded for matching, line by line.
struct Folded {
    /// Lines as printed (NFKC, whitespace collapsed), for quoting.
    shown: Vec<String>,
    /// Lines folded for matching, without masking.
    lines: Vec<Vec<char>>,
    /// All folded lines joined with '\n'; denials are masked with '|'.
    all: Vec<char>,
    /// Start of each line in `all`.
    starts: Vec<usize>,
    /// Where each character occurs in `all`, to find phrases without scanning the whole text
    /// for each.
    index: HashMap<char, Vec<usize>>,
}

impl Folded {
    fn new(text: &str) -> Self {
        let (shown, lines) = prepared(text);
        let mut all = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        let mut starts = Vec::with_capacity(lines.len());
        for line in &lines {
            starts.push(all.len());
            all.extend_from_slice(line);
            all.push('\n');
        }
        let mut index: HashMap<char, Vec<usize>> = HashMap::new();
        for (at, &c) in all.iter().enumerate() {
            if c != ' ' && c != '\n' {
                index.entry(c).or_default().push(at);
            }
        }
        Folded { shown, lines, all, starts, index }
    }

    fn mask(&mut self, start: usize, end: usize) {
        for c in &mut self.all[start..end] {
            if *c != '\n' {
                *c = '|';
            }
        }
    }

    /// Every occurrence of `phrase` (folded), ignoring spaces and line ends on both sides, whose
    /// ASCII letter or digit ends are not glued to other ASCII letters or digits ("invoice" is
    /// not found in "invoiced"). Half-open ranges of `all`.
    fn find_all(&self, phrase: &str) -> Vec<(usize, usize)> {
        let phrase = fold_phrase(phrase);
        let Some(&first) = phrase.first() else { return Vec::new() };
        let Some(candidates) = self.index.get(&first) else { return Vec::new() };
        let mut out = Vec::new();
        let mut after = 0;
        for &start in candidates {
            if start < after {
                continue;
            }
            if let Some(end) = match_at(&self.all, start, &phrase, |c| c == ' ' || c == '\n') {
                out.push((start, end));
                after = end;
            }
        }
        out
    }

    fn find(&self, phrase: &str) -> Option<(usize, usize)> {
        self.find_all(phrase).into_iter().next()
    }

    /// The line a position of `all` is in.
    fn line_of(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at).saturating_sub(1)
    }

    /// The first line that starts with `label` (and where the label is not masked): its index
    /// and where the label ends in it.
    fn label_line(&self, label: &str) -> Option<(usize, usize)> {
        self.find_all(label).into_iter().find_map(|(start, _)| {
            let line = self.line_of(start);
            let end = label_at_start(&self.lines[line], label)?;
            let masked = self.all[self.starts[line]..self.starts[line] + end].contains(&'|');
            (!masked).then_some((line, end))
        })
    }

    /// The document's title: the first line near the top that reads as one (or two lines, when
    /// a long title is broken: "Monthly invoicing" / "overview").
    fn title(&self) -> Option<Title> {
        let head = self.lines.len().min(HEAD_LINES);
        (0..head).find_map(|i| {
            let (line, shown) = (&self.lines[i], &self.shown[i]);
            if line.len() > TITLE_MAX_CHARS {
                return None;
            }
            if let Some(class) = title_class(line, None) {
                return Some(Title { class, shown: shown.clone() });
            }
            let (next, next_shown) = (self.lines.get(i + 1)?, self.shown.get(i + 1)?);
            if line.len() + next.len() >= TITLE_MAX_CHARS {
                return None;
            }
            let shown = format!("{shown} {next_shown}");
            let mut joined = line.clone();
            joined.push(' ');
            joined.extend_from_slice(next);
            title_class(&joined, Some(line.len())).map(|class| Title { class, shown })
        })
    }

    /// An invoice number next to its label: one distinct number speaks for an invoice.
    fn invoice_numbers(&self) -> Vec<Evidence> {
        let mut values: Vec<String> = Vec::new();
        let mut fields = 0;
        for (i, line) in self.lines.iter().enumerate() {
            let Some(end) = INVOICE_NUMBER_LABELS.iter().filter_map(|l| label_at_start(line, l)).max() else {
                continue;
            };
            if self.all[self.starts[i]..self.starts[i] + end].contains(&'|') {
                continue;
            }
            fields += 1;
            let mut rest: String = line[end..].iter().collect();
            // A bilingual label ("发票号码 Invoice No.") is one label.
            let separators = |c: char| c == ' ' || c == ':' || c == '.' || c == '#' || c == '：';
            for _ in 0..3 {
                let trimmed: Vec<char> = rest.trim_start_matches(separators).chars().collect();
                match INVOICE_NUMBER_LABELS.iter().filter_map(|l| label_at_start(&trimmed, l)).max() {
                    Some(more) => rest = trimmed[more..].iter().collect(),
                    None => break,
                }
            }
            let rest = rest.trim_start_matches(separators);
            let value = if rest.is_empty() {
                self.lines.get(i + 1).and_then(|next| first_identifier(&next.iter().collect::<String>()))
            } else {
                first_identifier(rest).filter(|_| rest.starts_with(|c: char| c.is_alphanumeric()))
            };
            if let Some(v) = value
                && !values.contains(&v)
            {
                values.push(v);
            }
        }
        match values.len() {
            0 if fields > 0 => {
                vec![Evidence {
                    class: DocumentClass::Invoice,
                    weight: 1,
                    says: "it has an invoice number field".into(),
                }]
            }
            0 => Vec::new(),
            1 => vec![Evidence { class: DocumentClass::Invoice, weight: 3, says: "it has one invoice number".into() }],
            _ => Vec::new(),
        }
    }

    /// A table that lists several invoices: distinct numbers of one shape (`TI-12004`,
    /// `TI-12015`…) on lines of their own, under a column of invoice numbers. With an opening
    /// balance or payments it is a statement, else a report.
    fn listing(&self, evidence: &[Evidence]) -> Vec<Evidence> {
        // shape -> (distinct values, how many lines they are on, first line)
        let mut shapes: HashMap<String, (HashSet<String>, usize, usize)> = HashMap::new();
        for (i, line) in self.lines.iter().enumerate() {
            let text: String = line.iter().collect();
            let mut seen_here: HashSet<String> = HashSet::new();
            for id in identifiers(&text) {
                let shape: String = id.chars().map(|c| if c.is_ascii_digit() { 'd' } else { c }).collect();
                let entry = shapes.entry(shape.clone()).or_insert_with(|| (HashSet::new(), 0, i));
                entry.0.insert(id);
                if seen_here.insert(shape) {
                    entry.1 += 1;
                }
            }
        }
        let listed = shapes
            .iter()
            .filter(|(shape, _)| !ORDER_PREFIXES.iter().any(|p| shape.starts_with(p)))
            .map(|(_, (values, lines, first))| (values.len().min(*lines), *first))
            .filter(|(n, first)| *n >= 3 && self.under_invoice_column(*first))
            .max_by_key(|(n, _)| *n);
        let Some((n, _)) = listed else { return Vec::new() };
        let score = |class| evidence.iter().filter(|e| e.class == class).map(|e| e.weight).sum::<i32>();
        let statement = score(DocumentClass::Statement) >= 3 && score(DocumentClass::Statement) >= score(PartnerReport);
        let weight = 3 + i32::try_from(n.min(12)).unwrap_or(12) / 2;
        vec![if statement {
            Evidence { class: Statement, weight, says: format!("it lists {n} invoices with a running balance") }
        } else {
            Evidence { class: PartnerReport, weight, says: format!("it lists {n} invoices") }
        }]
    }

    /// Whether a column heading of invoice numbers is on line `line` or just above it.
    fn under_invoice_column(&self, line: usize) -> bool {
        (line.saturating_sub(6)..=line).any(|i| {
            let text: String = self.lines[i].iter().filter(|c| **c != ' ').collect();
            INVOICE_COLUMN.iter().any(|w| {
                let w: String = w.chars().filter(|c| *c != ' ').collect();
                text.contains(&w)
            })
        })
    }
}

/// Numbers of purchase orders, sales orders and payments: not invoices.
const ORDER_PREFIXES: &[&str] = &["po", "so", "oc", "pmt", "dn", "rc", "cn-"];

/// The class of the title `line` reads as, if any: the longest name in [`TITLES`] that it
/// reads as. With `across`, only a name that runs across that position (two lines joined).
fn title_class(line: &[char], across: Option<usize>) -> Option<DocumentClass> {
    let mut best: Option<(usize, DocumentClass)> = None;
    for (class, phrases) in TITLES {
        for phrase in *phrases {
            let phrase = fold_phrase(phrase);
            if best.is_some_and(|(l, _)| l >= phrase.len()) {
                continue;
            }
            if title_in(line, &phrase, *class, across) {
                best = Some((phrase.len(), *class));
            }
        }
    }
    best.map(|(_, class)| class)
}

/// Whether `phrase` (folded, of `class`) is the title in `line`: see [`TITLES`].
fn title_in(line: &[char], phrase: &[char], class: DocumentClass, across: Option<usize>) -> bool {
    let Some(&first) = phrase.first() else { return false };
    let cjk = is_han(first);
    (0..line.len()).filter(|&s| line[s] == first).any(|start| {
        let Some(end) = match_at(line, start, phrase, |c| c == ' ') else { return false };
        across.is_none_or(|at| start < at && end > at)
            && title_prefix_ok(&line[..start], cjk)
            && title_suffix_ok(&line[end..], class, cjk)
    })
}

fn title_prefix_ok(prefix: &[char], cjk: bool) -> bool {
    let text: String = prefix.iter().collect();
    // Leading bullets and rules go; a label ("Billing plan: Invoice 1 of 2") does not.
    let text = text.trim_start_matches(|c: char| !c.is_alphanumeric()).trim_end();
    if text.is_empty() {
        return true;
    }
    if cjk {
        // A place or partner name, or a short qualifier: "上海", "合作夥伴 KPI", "應收帳款".
        let chars = text.chars().filter(|c| !c.is_whitespace()).collect::<Vec<_>>();
        return chars.len() <= 8
            && chars.iter().all(|c| is_han(*c) || c.is_ascii_alphabetic())
            && !chars
                .iter()
                .any(|c| matches!(c, '不' | '非' | '本' | '此' | '該' | '貴' | '的' | '之' | '及' | '或' | '見'));
    }
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    words.len() <= 3
        && words.iter().all(|w| w.chars().all(|c| c.is_alphabetic() || c == '-') && !NOT_BEFORE_TITLE.contains(w))
}

fn title_suffix_ok(suffix: &[char], class: DocumentClass, cjk: bool) -> bool {
    let text: String = suffix.iter().collect();
    let text = text.trim_start();
    let Some(next) = text.chars().next() else { return true };
    if next.is_ascii_digit()
        || matches!(
            next,
            '–' | '—'
                | '-'
                | ':'
                | '|'
                | '/'
                | '·'
                | '•'
                | '('
                | '['
                | '【'
                | '<'
                | ','
                | '.'
                | ';'
                | '、'
                | '。'
                | '「'
        )
    {
        return true;
    }
    // Another name of the same class ("發票 INVOICE").
    let same_class = TITLES.iter().filter(|(c, _)| *c == class).flat_map(|(_, p)| p.iter()).any(|p| {
        let p = fold_phrase(p);
        match_at(suffix, suffix.iter().position(|c| *c != ' ').unwrap_or(0), &p, |c| c == ' ')
            .is_some_and(|end| suffix[end..].iter().all(|c| !c.is_alphanumeric()))
    });
    if same_class {
        return true;
    }
    if cjk {
        return false;
    }
    let word: String = text.chars().take_while(|c| c.is_alphanumeric()).collect();
    PERIOD_WORDS.contains(&word.as_str()) || (word.starts_with("fy") && word[2..].chars().all(|c| c.is_ascii_digit()))
}

/// The end of `phrase` (no spaces in it) matched at `start` of `chars`, skipping `ignore`d
/// characters inside; `None` when it does not match or an ASCII end is glued to a letter or
/// digit.
fn match_at(chars: &[char], start: usize, phrase: &[char], ignore: impl Fn(char) -> bool) -> Option<usize> {
    let (first, last) = (*phrase.first()?, *phrase.last()?);
    let glued =
        |at: Option<&char>, edge: char| edge.is_ascii_alphanumeric() && at.is_some_and(char::is_ascii_alphanumeric);
    if chars.get(start) != Some(&first) || glued(start.checked_sub(1).and_then(|i| chars.get(i)), first) {
        return None;
    }
    let mut at = start;
    for (n, &m) in phrase.iter().enumerate() {
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
    (!glued(chars.get(at), last)).then_some(at)
}

/// Identifier-like tokens in a folded line: letters, digits and joiners (`-`, `/`, `.`, `_`)
/// with at least five digits and at most four letters, that are not dates or amounts
/// (`TI-12004`, `ab-12345678`, `55813357`, `2026/04740`; not `2026-03-05`, `1.234.567`).
fn identifiers(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_alphanumeric()
                || (matches!(chars[i], '-' | '/' | '.' | '_')
                    && chars.get(i + 1).is_some_and(char::is_ascii_alphanumeric)))
        {
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        let digits = token.chars().filter(char::is_ascii_digit).count();
        let letters = token.chars().filter(char::is_ascii_alphabetic).count();
        if digits >= 5 && letters <= 4 && !looks_like_date_or_amount(&token) {
            out.push(token);
        }
    }
    out
}

/// The first identifier at the start of `text`, with at least one digit.
fn first_identifier(text: &str) -> Option<String> {
    let token: String = text
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.' | '_'))
        .collect();
    let token = token.trim_end_matches(['.', '-', '/']).to_owned();
    (token.chars().any(|c| c.is_ascii_digit()) && !looks_like_date_or_amount(&token)).then_some(token)
}

fn looks_like_date_or_amount(token: &str) -> bool {
    let parts: Vec<&str> = token.split(['-', '/', '.']).collect();
    let numeric = parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if !numeric {
        return false;
    }
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    match lens.as_slice() {
        // 2026-03-05, 05/03/2026, 115/03/05
        [4, 1..=2, 1..=2] | [1..=2, 1..=2, 4] | [2..=3, 1..=2, 1..=2] => true,
        // 1234.56, 1.234.567
        [_, 1..=2] if token.contains('.') => true,
        [1..=3, rest @ ..] if token.contains('.') && !rest.is_empty() && rest.iter().all(|l| *l == 3) => true,
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Folding

/// Lines as printed (NFKC, whitespace runs one space, trimmed) and folded for matching
/// (lowercase, Simplified Chinese folded to Traditional); empty lines are dropped.
fn prepared(text: &str) -> (Vec<String>, Vec<Vec<char>>) {
    use std::cell::RefCell;
    /// Longest text whose lines are kept for the next question about it.
    const MAX_KEPT: usize = 1 << 20;
    type Kept = Option<(String, (Vec<String>, Vec<Vec<char>>))>;
    // The classifier, the invoice number, the date and the total each ask
    // for the same document's lines in turn: the worker folds it once.
    thread_local! {
        static LAST: RefCell<Kept> = const { RefCell::new(None) };
    }
    LAST.with(|last| {
        if let Some((kept, lines)) = last.borrow().as_ref()
            && kept == text
        {
            return lines.clone();
        }
        let lines = prepare(text);
        if text.len() <= MAX_KEPT {
            *last.borrow_mut() = Some((text.to_owned(), lines.clone()));
        }
        lines
    })
}

fn prepare(text: &str) -> (Vec<String>, Vec<Vec<char>>) {
    let mut shown = Vec::new();
    let mut folded = Vec::new();
    let mut line = String::new();
    let mut flush = |line: &mut String| {
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            folded.push(trimmed.chars().flat_map(char::to_lowercase).map(to_traditional).collect());
            shown.push(trimmed.to_owned());
        }
        line.clear();
    };
    for c in text.nfkc() {
        if matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}') {
            flush(&mut line);
        } else if c.is_whitespace() {
            if !line.ends_with(' ') {
                line.push(' ');
            }
        } else {
            line.push(c);
        }
    }
    flush(&mut line);
    (shown, folded)
}

/// The text's lines folded for matching: NFKC, lowercase, Simplified Chinese folded to
/// Traditional, whitespace runs one space; empty lines dropped.
pub(super) fn folded_lines(text: &str) -> Vec<Vec<char>> {
    prepared(text).1
}

/// Whether `line` starts (after bullets and punctuation) with `label` (folded; spaces in it
/// optional); returns where the label ends. An ASCII label must end at a word end.
pub(super) fn label_at_start(line: &[char], label: &str) -> Option<usize> {
    let start = line.iter().position(|c| c.is_alphanumeric() || matches!(c, '(' | '#'))?;
    let label = fold_phrase(label);
    let start = if label.first().is_some_and(|c| *c == '(') { start } else { start + usize::from(line[start] == '(') };
    match_at(line, start, &label, |c| c == ' ')
}

pub(super) fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// A phrase of the rules folded as the text is, without its spaces. The
/// rules' phrases are a fixed set looked for on every line of every
/// document, so each thread folds each phrase once (NFKC on every call was
/// a third of a 200-page invoice's examination).
fn fold_phrase(phrase: &str) -> std::rc::Rc<[char]> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;
    /// Enough for every phrase of the rules; anything past it is folded each time.
    const MAX_CACHED: usize = 4096;
    thread_local! {
        static FOLDED: RefCell<HashMap<String, Rc<[char]>>> = RefCell::new(HashMap::new());
    }
    FOLDED.with(|cache| {
        if let Some(f) = cache.borrow().get(phrase) {
            return f.clone();
        }
        let f: Rc<[char]> =
            phrase.nfkc().flat_map(char::to_lowercase).map(to_traditional).filter(|c| !c.is_whitespace()).collect();
        let mut cache = cache.borrow_mut();
        if cache.len() < MAX_CACHED {
            cache.insert(phrase.to_owned(), f.clone());
        }
        f
    })
}

/// Simplified characters used by the rules, folded to their Traditional form.
fn to_traditional(c: char) -> char {
    /// Sorted by the Simplified character.
    const PAIRS: &[(char, char)] = &[
        ('与', '與'),
        ('专', '專'),
        ('业', '業'),
        ('东', '東'),
        ('为', '為'),
        ('书', '書'),
        ('买', '買'),
        ('于', '於'),
        ('云', '雲'),
        ('产', '產'),
        ('仅', '僅'),
        ('价', '價'),
        ('伙', '夥'),
        ('会', '會'),
        ('传', '傳'),
        ('余', '餘'),
        ('关', '關'),
        ('内', '內'),
        ('写', '寫'),
        ('冲', '沖'),
        ('准', '準'),
        ('减', '減'),
        ('凭', '憑'),
        ('别', '別'),
        ('办', '辦'),
        ('务', '務'),
        ('区', '區'),
        ('华', '華'),
        ('单', '單'),
        ('卖', '賣'),
        ('厂', '廠'),
        ('历', '歷'),
        ('发', '發'),
        ('号', '號'),
        ('后', '後'),
        ('员', '員'),
        ('国', '國'),
        ('图', '圖'),
        ('场', '場'),
        ('处', '處'),
        ('备', '備'),
        ('复', '復'),
        ('实', '實'),
        ('对', '對'),
        ('将', '將'),
        ('币', '幣'),
        ('并', '並'),
        ('广', '廣'),
        ('应', '應'),
        ('开', '開'),
        ('张', '張'),
        ('录', '錄'),
        ('征', '徵'),
        ('态', '態'),
        ('总', '總'),
        ('户', '戶'),
        ('执', '執'),
        ('护', '護'),
        ('报', '報'),
        ('据', '據'),
        ('数', '數'),
        ('时', '時'),
        ('机', '機'),
        ('条', '條'),
        ('标', '標'),
        ('湾', '灣'),
        ('电', '電'),
        ('盖', '蓋'),
        ('码', '碼'),
        ('确', '確'),
        ('种', '種'),
        ('称', '稱'),
        ('税', '稅'),
        ('签', '簽'),
        ('类', '類'),
        ('红', '紅'),
        ('纳', '納'),
        ('细', '細'),
        ('经', '經'),
        ('结', '結'),
        ('给', '給'),
        ('络', '絡'),
        ('统', '統'),
        ('绩', '績'),
        ('维', '維'),
        ('编', '編'),
        ('网', '網'),
        ('联', '聯'),
        ('营', '營'),
        ('见', '見'),
        ('规', '規'),
        ('览', '覽'),
        ('计', '計'),
        ('订', '訂'),
        ('认', '認'),
        ('让', '讓'),
        ('议', '議'),
        ('讯', '訊'),
        ('许', '許'),
        ('设', '設'),
        ('证', '證'),
        ('识', '識'),
        ('话', '話'),
        ('该', '該'),
        ('请', '請'),
        ('谢', '謝'),
        ('账', '帳'),
        ('货', '貨'),
        ('质', '質'),
        ('购', '購'),
        ('贵', '貴'),
        ('贷', '貸'),
        ('费', '費'),
        ('资', '資'),
        ('转', '轉'),
        ('软', '軟'),
        ('达', '達'),
        ('运', '運'),
        ('这', '這'),
        ('银', '銀'),
        ('销', '銷'),
        ('键', '鍵'),
        ('长', '長'),
        ('门', '門'),
        ('问', '問'),
        ('间', '間'),
        ('际', '際'),
        ('随', '隨'),
        ('项', '項'),
        ('预', '預'),
        ('题', '題'),
        ('额', '額'),
        ('馆', '館'),
        ('验', '驗'),
    ];
    match c {
        _ if c.is_ascii() => c,
        '汇' | '彙' => '匯',
        '台' => '臺',
        _ => PAIRS.binary_search_by_key(&c, |(s, _)| *s).map_or(c, |at| PAIRS[at].1),
    }
}

/// Whether `invoice_number` occurs in `text`, compared leniently: case-insensitive, ignoring
/// whitespace, hyphens and slashes on both sides (so "INV-2026/0423" matches "INV 2026 0423"),
/// full-width forms folded. The match must not continue with another letter or digit on either
/// side ("INV-2026-0423" is not found in "INV-2026-04231"). An empty number is never found.
pub fn invoice_number_in_text(text: &str, invoice_number: &str) -> bool {
    let needle: Vec<char> =
        folded_lines(invoice_number).concat().into_iter().filter(|&c| !is_number_separator(c)).collect();
    if needle.is_empty() {
        return false;
    }
    let haystack: Vec<char> = folded_lines(text).join(&' ');
    (0..haystack.len()).any(|start| match_at(&haystack, start, &needle, is_number_separator).is_some())
}

fn is_number_separator(c: char) -> bool {
    c == ' ' || matches!(c, '-' | '/' | '\\' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{2044}' | '\u{2215}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(text: &str) -> String {
        folded_lines(text).into_iter().map(|l| l.into_iter().collect::<String>()).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn normalisation_folds_width_ligatures_radicals_and_simplified() {
        assert_eq!(normalised("ＩＮＶＯＩＣＥ\u{3000}\t No."), "invoice no.");
        assert_eq!(normalised("or der conﬁrmation"), "or der confirmation");
        assert_eq!(normalised("开票⽇期"), "開票日期");
        assert_eq!(normalised("订单确认"), "訂單確認");
        assert_eq!(normalised(" a \n\n b "), "a\nb");
    }

    #[test]
    fn find_ignores_spaces_but_respects_word_ends() {
        let text = Folded::new("I N V O I C E  no. 5, invoiced");
        assert_eq!(text.find("invoice no"), Some((0, 16)));
        assert_eq!(Folded::new("invoiced").find("invoice"), None);
        assert_eq!(Folded::new("reinvoice").find("invoice"), None);
        assert_eq!(Folded::new("發 票").find("發票"), Some((0, 3)));
        assert_eq!(Folded::new("order\nconfirmation").find("order confirmation"), Some((0, 18)));
    }

    #[test]
    fn titles() {
        let cases = [
            ("Tax Invoice", Some(Invoice)),
            ("INVOICE", Some(Invoice)),
            ("I N V O I C E", Some(Invoice)),
            ("Invoice (Qualified Invoice)", Some(Invoice)),
            ("发票 / INVOICE", Some(Invoice)),
            ("發票 INVOICE", Some(Invoice)),
            ("上海增值税普通发票", Some(Invoice)),
            ("統一發票（三聯式）", Some(Invoice)),
            ("Invoice number: INV-1", None),
            ("Invoice to:", None),
            ("Invoice address", None),
            ("Billing plan: Invoice 1 of 2", None),
            ("Your order confirmation OC-12 refers.", None),
            ("Sales Order Confirmation", Some(OrderConfirmation)),
            ("Confirmation of your order", Some(OrderConfirmation)),
            ("Invoice summary – Q1 2026", Some(PartnerReport)),
            ("Invoices – March 2026", Some(PartnerReport)),
            ("Partner Report Q1", Some(PartnerReport)),
            ("KPI Report – March 2026", Some(PartnerReport)),
            ("Monthly invoicing overview", Some(PartnerReport)),
            ("发票汇总（2026年第一季度）", Some(PartnerReport)),
            ("合作夥伴業績報表", Some(PartnerReport)),
            ("Statement of Account", Some(Statement)),
            ("应收账款对账单", Some(Statement)),
            ("Price Quote", Some(Quote)),
            ("報價單號 Q-1", None),
            ("Payment confirmation", Some(Receipt)),
            ("收款收據", Some(Receipt)),
            ("Credit Memo", Some(CreditNote)),
            ("營業人銷貨退回進貨退出或折讓證明單", Some(CreditNote)),
            ("本发票不是订单确认", None),
        ];
        for (line, class) in cases {
            assert_eq!(Folded::new(line).title().map(|t| t.class), class, "{line:?}");
        }
    }

    #[test]
    fn identifiers_are_not_dates_or_amounts() {
        assert_eq!(identifiers("ti-12004 2026-01-12 eur 19,449.42"), vec!["ti-12004"]);
        assert_eq!(identifiers("hb-23454282 115/01/23 1.234.567 1234.56"), vec!["hb-23454282"]);
        assert_eq!(identifiers("55813357 2026/04740 inv-2026-0423"), vec!["55813357", "2026/04740", "inv-2026-0423"]);
    }

    #[test]
    fn reasons_read_as_sentences() {
        let c = classify_document("Order Confirmation\nOrder number SO-1\nAn invoice will follow.");
        assert_eq!(c.class, OrderConfirmation);
        assert_eq!(
            c.reason,
            "this is an order confirmation: its title is “Order Confirmation” and it says an invoice will follow"
        );
        assert_eq!(c.grounds(), "its title is “Order Confirmation” and it says an invoice will follow");
        let rows: String =
            (0..14).map(|i| format!("TI-{:05} 2026-01-{:02} EUR 1,000.00\n", 12000 + i * 3, i + 1)).collect();
        let c = classify_document(&format!("Frontline Partner Portal\nInvoice number Invoice date Amount\n{rows}"));
        assert_eq!((c.class, c.grounds()), (PartnerReport, "it lists 14 invoices"));
        assert_eq!(c.reason, "this looks like a partner report: it lists 14 invoices");
        let c = classify_document("");
        assert_eq!(
            (c.class, c.reason.as_str()),
            (DocumentClass::Unknown, "it is not clear what this document is: nothing in it says what it is")
        );
    }

    #[test]
    fn simplified_folds_to_traditional() {
        let folded: String = "发票汇总对账单报价单收据红字发票".chars().map(to_traditional).collect();
        assert_eq!(folded, "發票匯總對帳單報價單收據紅字發票");
        assert_eq!(to_traditional('a'), 'a');
    }

    #[test]
    fn names_round_trip() {
        for class in DocumentClass::ALL {
            assert_eq!(DocumentClass::parse(class.as_str()), Some(class));
        }
    }
}
