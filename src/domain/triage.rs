//! Automatic triage of new support cases.
//!
//! [`triage`] is a pure, deterministic and total function: given the facts
//! extracted from a case, the partner's other cases and the filing date, it
//! returns a priority (with a human reason), a due date, internal flags and
//! partner-visible guidance sentences. It never panics, whatever the input
//! (invalid months, extreme dates, extreme thresholds).

use crate::i18n::{Lang, date_in, month_year_in, text, text_args};
use chrono::{Datelike, NaiveDate};

use crate::domain::kpi::format_hundredths;

use crate::domain::calendar::{
    Holidays, add_business_days_on, invoice_month_in_window, is_valid_month, kpi_visible_from, long_date, month_name,
    renewal_window,
};

/// The kind of a case (the one definition lives in `domain::case`).
pub use crate::domain::case::CaseKind as CaseKindTag;

/// What text extraction found in the uploaded invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Evidence {
    /// A PDF whose text contains the invoice number.
    TextMatched,
    /// A PDF with text, but the invoice number was not found in it.
    TextWithoutInvoiceNumber,
    /// A PDF without a text layer (typically a scan).
    NoTextLayer,
    /// An encrypted PDF whose text could not be read.
    Encrypted,
    /// A PDF whose text extraction failed.
    Unextractable,
    /// An image file (no text to read).
    Image,
}

impl Evidence {
    /// Every kind of evidence.
    pub const ALL: [Evidence; 6] = [
        Evidence::TextMatched,
        Evidence::TextWithoutInvoiceNumber,
        Evidence::NoTextLayer,
        Evidence::Encrypted,
        Evidence::Unextractable,
        Evidence::Image,
    ];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TextMatched => "text_matched",
            Self::TextWithoutInvoiceNumber => "text_without_invoice_number",
            Self::NoTextLayer => "no_text_layer",
            Self::Encrypted => "encrypted",
            Self::Unextractable => "unextractable",
            Self::Image => "image",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == raw)
    }

    /// What it means for staff, in words.
    pub fn words(self) -> &'static str {
        match self {
            Self::TextMatched => "The invoice number was found in the file’s text",
            Self::TextWithoutInvoiceNumber => "The file has text, but the invoice number was not found in it",
            Self::NoTextLayer => "The PDF has no text (probably a scan): check it by eye",
            Self::Encrypted => "The PDF is encrypted, so its text could not be read: check it by eye",
            Self::Unextractable => "The PDF’s text could not be read: check it by eye",
            Self::Image => "An image, with no text to check: check it by eye",
        }
    }
}

/// Who raised a flag: triage (recomputed as a whole when triage runs
/// again) or the landing-page check (replaced by each check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlagSource {
    /// The triage rules.
    Triage,
    /// The landing-page check.
    LandingCheck,
}

impl FlagSource {
    /// Both sources.
    pub const ALL: [FlagSource; 2] = [FlagSource::Triage, FlagSource::LandingCheck];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Triage => "triage",
            Self::LandingCheck => "landing_check",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Facts of a KPI case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiFacts {
    /// Year of the invoice date.
    pub year: i32,
    /// Month of the invoice date (1–12; other values are tolerated).
    pub month: u32,
    /// Normalised invoice number, used to detect duplicates.
    pub invoice_number_norm: String,
    /// The partner's anniversary date, if known.
    pub anniversary_date: Option<NaiveDate>,
    /// What was found in the uploaded invoice.
    pub evidence: Evidence,
    /// What the invoice says against what the form says.
    pub cross: CrossCheck,
}

/// What the invoice itself says, against what the form says, for the
/// cross-checks (each `None` when the invoice's text was not read or does
/// not say it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrossCheck {
    /// The date printed on the invoice (ROC dates already converted).
    pub printed_date: Option<NaiveDate>,
    /// The grand total printed on the invoice: ISO currency code and
    /// hundredths (only when the invoice names its currency).
    pub printed_total: Option<(String, i64)>,
    /// The revenue on the form: ISO currency code and hundredths.
    pub revenue: Option<(String, i64)>,
}

/// Facts of a directory case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryFacts {
    /// Domain of the contact email address, if any.
    pub contact_email_domain: Option<String>,
    /// Registrable domain of the landing page (e.g. `example.co.uk`).
    pub landing_registrable_domain: String,
    /// Whether the landing page URL uses HTTPS.
    pub landing_https: bool,
}

/// Facts of a case, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseFacts {
    /// A KPI case.
    Kpi(KpiFacts),
    /// A directory case.
    Directory(DirectoryFacts),
}

impl CaseFacts {
    /// The kind of the case.
    pub fn kind(&self) -> CaseKindTag {
        match self {
            CaseFacts::Kpi(_) => CaseKindTag::Kpi,
            CaseFacts::Directory(_) => CaseKindTag::Directory,
        }
    }
}

/// Another case of the SAME partner (the caller filters by partner ID and
/// excludes the case itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherCase {
    /// Human case reference, shown to staff and partners.
    pub reference: String,
    /// Kind of the other case.
    pub kind: CaseKindTag,
    /// Normalised invoice number (KPI cases only).
    pub invoice_number_norm: Option<String>,
    /// Whether the other case is still open.
    pub open: bool,
}

/// Thresholds used by [`triage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageRules {
    /// Business days allowed to handle a KPI case (default 5).
    pub kpi_sla_business_days: u32,
    /// Business days allowed to handle a directory case (default 10).
    pub directory_sla_business_days: u32,
    /// A renewal this many calendar days away or fewer is "at stake"
    /// (default 30).
    pub renewal_at_stake_days: i64,
    /// Days off besides weekends, skipped by every due date.
    pub holidays: Holidays,
}

impl Default for TriageRules {
    /// 5 business days for KPI cases, 10 for directory cases, renewal at
    /// stake within 30 days.
    fn default() -> Self {
        Self {
            kpi_sla_business_days: 5,
            directory_sla_business_days: 10,
            renewal_at_stake_days: 30,
            holidays: Holidays::default(),
        }
    }
}

/// Case priority. The derived ordering puts the most urgent first
/// (`Urgent < High < Normal < Low`), so an ascending sort lists urgent cases
/// first. The numeric values (1–4) are the stored representation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    /// Most urgent (set by staff; no automatic rule produces it).
    Urgent = 1,
    /// Raised by a rule (e.g. renewal at stake).
    High = 2,
    /// The default.
    Normal = 3,
    /// Lowered by a rule (e.g. filed too early).
    Low = 4,
}

impl Priority {
    /// Every priority, most urgent first.
    pub const ALL: [Priority; 4] = [Priority::Urgent, Priority::High, Priority::Normal, Priority::Low];

    /// Stored numeric value (1 = Urgent … 4 = Low).
    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// Inverse of [`Priority::as_i32`]; `None` for values outside 1–4.
    pub fn from_i32(v: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_i32() == v)
    }

    /// Display label: `"Urgent"`, `"High"`, `"Normal"` or `"Low"`.
    pub fn label(self) -> &'static str {
        match self {
            Priority::Urgent => "Urgent",
            Priority::High => "High",
            Priority::Normal => "Normal",
            Priority::Low => "Low",
        }
    }
}

/// Internal flag codes, in display order (the derived ordering is the
/// declaration order, which is the order flags appear in a [`Triage`]).
///
/// The `Landing*` codes are not produced by [`triage`]; they are reserved for
/// the landing-page checker so that all flags share one vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlagCode {
    /// KPI case filed before the KPI can be visible.
    TooEarly,
    /// Invoice month outside the renewal window.
    OutsideRenewalWindow,
    /// The partner's renewal is imminent.
    RenewalAtStake,
    /// Another open case looks like the same request.
    PossibleDuplicate,
    /// The invoice evidence needs a manual check.
    CheckEvidence,
    /// The invoice's printed date is not in the month filed.
    DateMismatch,
    /// The invoice's printed total differs from the revenue on the form.
    TotalMismatch,
    /// The contact email domain does not match the landing page domain.
    OwnershipUnverified,
    /// The landing page is not served over HTTPS.
    PlainHttp,
    /// The landing page could not be fetched.
    LandingUnreachable,
    /// The partner's name is not on the landing page.
    LandingNameMissing,
    /// The landing page does not mention Microsoft.
    LandingNoMicrosoft,
    /// The landing page names a competitor.
    LandingCompetitor,
    /// The landing page redirects to another site.
    LandingRedirectOffsite,
}

impl FlagCode {
    /// Every flag code, in display order.
    pub const ALL: [FlagCode; 14] = [
        FlagCode::TooEarly,
        FlagCode::OutsideRenewalWindow,
        FlagCode::RenewalAtStake,
        FlagCode::PossibleDuplicate,
        FlagCode::CheckEvidence,
        FlagCode::DateMismatch,
        FlagCode::TotalMismatch,
        FlagCode::OwnershipUnverified,
        FlagCode::PlainHttp,
        FlagCode::LandingUnreachable,
        FlagCode::LandingNameMissing,
        FlagCode::LandingNoMicrosoft,
        FlagCode::LandingCompetitor,
        FlagCode::LandingRedirectOffsite,
    ];

    /// Stable `snake_case` code, e.g. `"too_early"`, `"landing_competitor"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagCode::TooEarly => "too_early",
            FlagCode::OutsideRenewalWindow => "outside_renewal_window",
            FlagCode::RenewalAtStake => "renewal_at_stake",
            FlagCode::PossibleDuplicate => "possible_duplicate",
            FlagCode::CheckEvidence => "check_evidence",
            FlagCode::DateMismatch => "date_mismatch",
            FlagCode::TotalMismatch => "total_mismatch",
            FlagCode::OwnershipUnverified => "ownership_unverified",
            FlagCode::PlainHttp => "plain_http",
            FlagCode::LandingUnreachable => "landing_unreachable",
            FlagCode::LandingNameMissing => "landing_name_missing",
            FlagCode::LandingNoMicrosoft => "landing_no_microsoft",
            FlagCode::LandingCompetitor => "landing_competitor",
            FlagCode::LandingRedirectOffsite => "landing_redirect_offsite",
        }
    }

    /// Parses a code produced by [`FlagCode::as_str`] (exact match).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Short sentence-case tag text, e.g. `"Too early"`.
    pub fn label(self) -> &'static str {
        match self {
            FlagCode::TooEarly => "Too early",
            FlagCode::OutsideRenewalWindow => "Outside renewal window",
            FlagCode::RenewalAtStake => "Renewal at stake",
            FlagCode::PossibleDuplicate => "Possible duplicate",
            FlagCode::CheckEvidence => "Check evidence",
            FlagCode::DateMismatch => "Date differs",
            FlagCode::TotalMismatch => "Total differs",
            FlagCode::OwnershipUnverified => "Ownership unverified",
            FlagCode::PlainHttp => "Plain HTTP",
            FlagCode::LandingUnreachable => "Landing page unreachable",
            FlagCode::LandingNameMissing => "Name not on page",
            FlagCode::LandingNoMicrosoft => "Microsoft not mentioned",
            FlagCode::LandingCompetitor => "Competitor named",
            FlagCode::LandingRedirectOffsite => "Redirects elsewhere",
        }
    }
}

/// An internal flag raised on a case (shown to staff, not to partners).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// What was detected.
    pub code: FlagCode,
    /// Full sentence explaining why, with dates and references.
    pub reason: String,
    /// Reference of the related case (for [`FlagCode::PossibleDuplicate`]).
    pub related_reference: Option<String>,
}

/// Result of [`triage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triage {
    /// Computed priority.
    pub priority: Priority,
    /// Full sentence explaining the priority, starting with its label.
    pub priority_reason: String,
    /// Date by which the case should be handled.
    pub due_date: NaiveDate,
    /// Internal flags, ordered by [`FlagCode`] then related reference.
    pub flags: Vec<Flag>,
    /// Partner-visible sentences, in a stable order.
    pub guidance: Vec<String>,
}

impl Triage {
    /// Returns `true` if a flag with `code` was raised.
    pub fn has_flag(&self, code: FlagCode) -> bool {
        self.flags.iter().any(|f| f.code == code)
    }
}

/// Triages a new case.
///
/// Rules (thresholds from `rules`):
/// - **Too early** (KPI): filed before [`kpi_visible_from`] the invoice
///   month → flag, priority `Low` (overrides everything), guidance with the
///   visible-from date; the SLA is counted from that date instead of filing.
///   Filing on the visible-from date itself is not too early.
/// - **Outside renewal window** (KPI with anniversary): the invoice month is
///   not in [`renewal_window`] → flag and guidance naming the renewal date.
/// - **Renewal at stake** (KPI with anniversary): the next anniversary is at
///   most `renewal_at_stake_days` days after filing *and the invoice counts
///   toward it* → flag, priority `High` unless too early. An invoice outside
///   the window cannot affect that renewal, so it does not raise priority.
/// - **Possible duplicate**: another open KPI case with the same non-empty
///   normalised invoice number, or another open directory case → one flag per
///   such case (with its reference) and one guidance sentence.
/// - **Check evidence** (KPI): anything but [`Evidence::TextMatched`].
/// - **Ownership unverified** (directory): no contact email domain, or one
///   that is neither the landing registrable domain nor a subdomain of it
///   (case-insensitive).
/// - **Plain HTTP** (directory): flag and guidance recommending HTTPS.
///
/// An invalid invoice month (0, 13, …) is treated as not too early and in
/// the window. The due date is `add_business_days_on(start, sla, holidays)`.
///
/// `filed_on` fixes what the filing decided (the renewal window, when the
/// service level starts, so the due date never moves because time passed);
/// `today` decides what changes with the calendar (still too early? is the
/// renewal now close?). At intake they are the same day.
pub fn triage(
    facts: &CaseFacts,
    partner_cases: &[OtherCase],
    filed_on: NaiveDate,
    today: NaiveDate,
    rules: &TriageRules,
) -> Triage {
    triage_in(facts, partner_cases, filed_on, today, rules, Lang::En)
}

/// [`triage`], with the guidance (what the partner reads) written in `lang`,
/// the case's language; priority and flag reasons are for staff, in English.
pub fn triage_in(
    facts: &CaseFacts,
    partner_cases: &[OtherCase],
    filed_on: NaiveDate,
    today: NaiveDate,
    rules: &TriageRules,
    lang: Lang,
) -> Triage {
    let today = today.max(filed_on);
    let mut out = match facts {
        CaseFacts::Kpi(k) => triage_kpi(k, partner_cases, filed_on, today, rules, lang),
        CaseFacts::Directory(d) => triage_directory(d, partner_cases, filed_on, rules, lang),
    };
    // Stable sort: FlagCode order, then reference (independent of the order
    // in which the caller listed the partner's cases).
    out.flags.sort_by(|a, b| a.code.cmp(&b.code).then_with(|| a.related_reference.cmp(&b.related_reference)));
    out
}

const NORMAL_REASON: &str = "Normal: no rule raised or lowered the priority.";

/// "November 2026", or a neutral description for an invalid month.
fn invoice_month_label(year: i32, month: u32) -> String {
    if is_valid_month(month) { format!("{} {}", month_name(month), year) } else { format!("month {month} of {year}") }
}

/// [`invoice_month_label`] as `lang` writes it ("2026年11月").
fn invoice_month_label_in(lang: Lang, year: i32, month: u32) -> String {
    if is_valid_month(month) { month_year_in(lang, year, month) } else { invoice_month_label(year, month) }
}

/// "12 days after filing", "1 day after filing", "the day of filing".
fn days_after_filing(days: i64) -> String {
    match days {
        0 => "on the day of filing".to_owned(),
        1 => "1 day after filing".to_owned(),
        n => format!("{n} days after filing"),
    }
}

/// Sorted, de-duplicated references of the matching open cases.
fn duplicate_references(partner_cases: &[OtherCase], matches: impl Fn(&OtherCase) -> bool) -> Vec<&str> {
    let mut refs: Vec<&str> =
        partner_cases.iter().filter(|c| c.open && matches(c)).map(|c| c.reference.as_str()).collect();
    refs.sort_unstable();
    refs.dedup();
    refs
}

/// `partner_what`: the id of the words the partner reads for what is
/// duplicated ("this invoice"), in `lang`.
fn push_duplicates(
    flags: &mut Vec<Flag>,
    guidance: &mut Vec<String>,
    refs: &[&str],
    what: &str,
    partner_what: &str,
    lang: Lang,
) {
    let partner_what = text(lang, partner_what);
    for r in refs {
        flags.push(Flag {
            code: FlagCode::PossibleDuplicate,
            reason: format!("Case {r} is still open for {what}."),
            related_reference: Some((*r).to_owned()),
        });
    }
    match refs {
        [] => {}
        [one] => guidance.push(text_args(
            lang,
            "triage-guidance-duplicate-one",
            &[("what", &partner_what), ("reference", &(*one).to_owned())],
        )),
        many => guidance.push(text_args(
            lang,
            "triage-guidance-duplicate-many",
            &[("what", &partner_what), ("references", &many.join(", "))],
        )),
    }
}

/// The invoice against the form: its printed date in another month than
/// the one filed, its printed total (in the same currency) another amount
/// than the revenue. Flags for a person to look at, never refusals.
fn cross_check(k: &KpiFacts, invoice: &str) -> Vec<Flag> {
    let mut flags = Vec::new();
    let c = &k.cross;
    if let Some(printed) = c.printed_date
        && (printed.year(), printed.month()) != (k.year, k.month)
    {
        flags.push(Flag {
            code: FlagCode::DateMismatch,
            reason: format!(
                "The invoice is dated {}, but the form says it is a {invoice} invoice; check which month the KPI should count in.",
                long_date(printed)
            ),
            related_reference: None,
        });
    }
    if let (Some((printed_currency, printed)), Some((currency, revenue))) = (&c.printed_total, &c.revenue)
        && printed_currency == currency
        && printed != revenue
    {
        flags.push(Flag {
            code: FlagCode::TotalMismatch,
            reason: format!(
                "The invoice's total is {}, but the revenue on the form is {}; check whether the form leaves out tax or other lines.",
                format_hundredths(printed_currency, *printed),
                format_hundredths(currency, *revenue)
            ),
            related_reference: None,
        });
    }
    flags
}

/// "12 days after filing" on the day of filing; "12 days away" later.
fn days_away(days: i64, filed_on: NaiveDate, today: NaiveDate) -> String {
    if today == filed_on {
        return days_after_filing(days);
    }
    match days {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        n => format!("{n} days away"),
    }
}

fn triage_kpi(
    k: &KpiFacts,
    partner_cases: &[OtherCase],
    filed_on: NaiveDate,
    today: NaiveDate,
    rules: &TriageRules,
    lang: Lang,
) -> Triage {
    let mut flags = Vec::new();
    let mut guidance = Vec::new();
    let invoice = invoice_month_label(k.year, k.month);

    // Too early.
    let visible_from = kpi_visible_from(k.year, k.month);
    let too_early = visible_from.filter(|v| today < *v);
    if let Some(v) = too_early {
        flags.push(Flag {
            code: FlagCode::TooEarly,
            reason: format!(
                "Filed on {}, before {}, when the KPI for a {invoice} invoice should first appear in KPI data.",
                long_date(filed_on),
                long_date(v)
            ),
            related_reference: None,
        });
        guidance.push(text_args(
            lang,
            "triage-guidance-too-early",
            &[("invoice", &invoice_month_label_in(lang, k.year, k.month)), ("date", &date_in(lang, v))],
        ));
    }

    // Renewal window and renewal at stake.
    // Renewal date and days left, when the renewal is at stake.
    let mut at_stake: Option<(NaiveDate, i64)> = None;
    if let Some(anniversary) = k.anniversary_date {
        let w = renewal_window(anniversary, filed_on);
        let renewal = long_date(w.end);
        let counts = visible_from.is_none() || invoice_month_in_window(k.year, k.month, &w);
        if !counts {
            flags.push(Flag {
                code: FlagCode::OutsideRenewalWindow,
                reason: format!(
                    "A {invoice} invoice falls outside the renewal window from {} to {}, the 12 months before the next anniversary on {renewal}, so it does not count toward that renewal.",
                    long_date(w.start),
                    long_date(w.last_day())
                ),
                related_reference: None,
            });
            guidance.push(text_args(
                lang,
                "triage-guidance-outside-window",
                &[("invoice", &invoice_month_label_in(lang, k.year, k.month)), ("renewal", &date_in(lang, w.end))],
            ));
        }
        let days_left = w.end.signed_duration_since(today).num_days();
        if counts && (0..=rules.renewal_at_stake_days).contains(&days_left) {
            at_stake = Some((w.end, days_left));
            let mut reason = format!(
                "The partner's renewal is on {renewal}, {}, and this invoice counts toward it.",
                days_away(days_left, filed_on, today)
            );
            if let Some(v) = too_early.filter(|v| *v >= w.end) {
                reason = format!("{reason} The KPI should only appear on {}, after the renewal date.", long_date(v));
            }
            flags.push(Flag { code: FlagCode::RenewalAtStake, reason, related_reference: None });
        }
    }

    // Duplicates.
    let norm = k.invoice_number_norm.trim();
    if !norm.is_empty() {
        let refs = duplicate_references(partner_cases, |c| {
            c.kind == CaseKindTag::Kpi && c.invoice_number_norm.as_deref().map(str::trim) == Some(norm)
        });
        push_duplicates(
            &mut flags,
            &mut guidance,
            &refs,
            &format!("the same invoice number {norm}"),
            "triage-what-invoice",
            lang,
        );
    }

    // Evidence (internal only).
    let evidence_reason = match k.evidence {
        Evidence::TextMatched => None,
        Evidence::TextWithoutInvoiceNumber => Some(if norm.is_empty() {
            "The invoice number was not found in the PDF text; check the invoice by eye.".to_owned()
        } else {
            format!(
                "The invoice number {norm} was not found in the PDF text; check the invoice by eye."
            )
        }),
        Evidence::NoTextLayer => Some(
            "The PDF has no text layer (probably a scan), so the invoice number could not be checked; check the invoice by eye.".to_owned(),
        ),
        Evidence::Image => Some(
            "The invoice was uploaded as an image, so the invoice number could not be checked; check it by eye.".to_owned(),
        ),
        Evidence::Encrypted => Some(
            "The PDF is encrypted, so its text could not be read; open it and check the invoice by eye.".to_owned(),
        ),
        Evidence::Unextractable => Some(
            "The text of the PDF could not be extracted; check the invoice by eye.".to_owned(),
        ),
    };
    if let Some(reason) = evidence_reason {
        flags.push(Flag { code: FlagCode::CheckEvidence, reason, related_reference: None });
    }
    flags.extend(cross_check(k, &invoice));

    // Priority and due date.
    let (priority, priority_reason) = if let Some(v) = too_early {
        (
            Priority::Low,
            format!("Low: filed before {}, when the KPI for a {invoice} invoice should appear.", long_date(v)),
        )
    } else if let Some((renewal, days_left)) = at_stake {
        (
            Priority::High,
            format!(
                "High: the partner's renewal on {} is {} and this invoice counts toward it.",
                long_date(renewal),
                days_away(days_left, filed_on, today)
            ),
        )
    } else {
        (Priority::Normal, NORMAL_REASON.to_owned())
    };
    // The service level starts when the KPI can be visible, for a case
    // filed before then; it does not move as days pass.
    let start = visible_from.filter(|v| filed_on < *v).unwrap_or(filed_on);
    Triage {
        priority,
        priority_reason,
        due_date: add_business_days_on(start, rules.kpi_sla_business_days, &rules.holidays),
        flags,
        guidance,
    }
}

/// Lower-cased domain without surrounding whitespace or a trailing dot.
fn normalize_domain(s: &str) -> String {
    s.trim().trim_end_matches('.').to_lowercase()
}

fn triage_directory(
    d: &DirectoryFacts,
    partner_cases: &[OtherCase],
    filed_on: NaiveDate,
    rules: &TriageRules,
    lang: Lang,
) -> Triage {
    let mut flags = Vec::new();
    let mut guidance = Vec::new();
    let landing = normalize_domain(&d.landing_registrable_domain);
    let contact = d.contact_email_domain.as_deref().map(normalize_domain).filter(|c| !c.is_empty());

    // Duplicates.
    let refs = duplicate_references(partner_cases, |c| c.kind == CaseKindTag::Directory);
    push_duplicates(&mut flags, &mut guidance, &refs, "a directory addition", "triage-what-directory", lang);

    // Reasons name domains as people read them (IDN in Unicode); the
    // comparisons use the stored ASCII form.
    let shown = |d: &str| super::landing_url::unicode_host(d);
    // Ownership (internal only).
    let ownership_reason = match &contact {
        _ if landing.is_empty() => Some(
            "The landing page has no domain to compare with the contact email, so ownership could not be verified."
                .to_owned(),
        ),
        None => Some(format!(
            "The contact has no email domain to compare with the landing page domain {}, so ownership could not be verified.",
            shown(&landing)
        )),
        Some(c) if *c == landing || c.ends_with(&format!(".{landing}")) => None,
        Some(c) => Some(format!(
            "The contact email domain {} differs from the landing page domain {}, so ownership could not be verified.",
            shown(c),
            shown(&landing)
        )),
    };
    if let Some(reason) = ownership_reason {
        flags.push(Flag { code: FlagCode::OwnershipUnverified, reason, related_reference: None });
    }

    // Plain HTTP.
    if !d.landing_https {
        flags.push(Flag {
            code: FlagCode::PlainHttp,
            reason: if landing.is_empty() {
                "The landing page is served over plain HTTP, not HTTPS.".to_owned()
            } else {
                format!("The landing page on {} is served over plain HTTP, not HTTPS.", shown(&landing))
            },
            related_reference: None,
        });
        guidance.push(text(lang, "triage-guidance-plain-http"));
    }

    Triage {
        priority: Priority::Normal,
        priority_reason: NORMAL_REASON.to_owned(),
        due_date: add_business_days_on(filed_on, rules.directory_sla_business_days, &rules.holidays),
        flags,
        guidance,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::calendar::{business_days_between, is_weekend, next_anniversary};
    use chrono::{Datelike, Weekday};
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn kpi(year: i32, month: u32) -> KpiFacts {
        KpiFacts {
            year,
            month,
            invoice_number_norm: "INV1001".to_owned(),
            anniversary_date: None,
            evidence: Evidence::TextMatched,
            cross: CrossCheck::default(),
        }
    }

    /// An invoice printed on 5 January 2027 for USD 1,250.50, filed as a
    /// December invoice with a revenue of USD 1,205.50.
    fn mismatched() -> CrossCheck {
        CrossCheck {
            printed_date: Some(d(2027, 1, 5)),
            printed_total: Some(("USD".into(), 125_050)),
            revenue: Some(("USD".into(), 120_550)),
        }
    }

    fn kpi_with_anniversary(year: i32, month: u32, anniversary: NaiveDate) -> CaseFacts {
        CaseFacts::Kpi(KpiFacts { anniversary_date: Some(anniversary), ..kpi(year, month) })
    }

    fn dir(contact: Option<&str>, landing: &str, https: bool) -> CaseFacts {
        CaseFacts::Directory(DirectoryFacts {
            contact_email_domain: contact.map(str::to_owned),
            landing_registrable_domain: landing.to_owned(),
            landing_https: https,
        })
    }

    fn other(reference: &str, kind: CaseKindTag, invoice: Option<&str>, open: bool) -> OtherCase {
        OtherCase { reference: reference.to_owned(), kind, invoice_number_norm: invoice.map(str::to_owned), open }
    }

    fn run(facts: &CaseFacts, others: &[OtherCase], filed_on: NaiveDate) -> Triage {
        triage(facts, others, filed_on, filed_on, &TriageRules::default())
    }

    fn codes(t: &Triage) -> Vec<FlagCode> {
        t.flags.iter().map(|f| f.code).collect()
    }

    fn flag(t: &Triage, code: FlagCode) -> &Flag {
        t.flags.iter().find(|f| f.code == code).unwrap()
    }

    // ---- enums -------------------------------------------------------------

    #[test]
    fn default_rules() {
        let r = TriageRules::default();
        assert_eq!(r.kpi_sla_business_days, 5);
        assert_eq!(r.directory_sla_business_days, 10);
        assert_eq!(r.renewal_at_stake_days, 30);
    }

    #[test]
    fn priority_numbers_labels_and_order() {
        assert_eq!(Priority::Urgent.as_i32(), 1);
        assert_eq!(Priority::High.as_i32(), 2);
        assert_eq!(Priority::Normal.as_i32(), 3);
        assert_eq!(Priority::Low.as_i32(), 4);
        for p in Priority::ALL {
            assert_eq!(Priority::from_i32(p.as_i32()), Some(p));
        }
        assert_eq!(Priority::from_i32(0), None);
        assert_eq!(Priority::from_i32(5), None);
        assert_eq!(Priority::from_i32(-1), None);
        let labels: Vec<_> = Priority::ALL.iter().map(|p| p.label()).collect();
        assert_eq!(labels, ["Urgent", "High", "Normal", "Low"]);
        let mut v = vec![Priority::Low, Priority::Urgent, Priority::Normal, Priority::High];
        v.sort();
        assert_eq!(v, Priority::ALL);
        assert!(Priority::Urgent < Priority::Low);
    }

    #[test]
    fn flag_codes_round_trip_and_order() {
        for c in FlagCode::ALL {
            assert_eq!(FlagCode::parse(c.as_str()), Some(c));
            assert!(c.as_str().chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'));
            let label = c.label();
            assert!(label.chars().next().unwrap().is_uppercase());
        }
        let mut sorted = FlagCode::ALL;
        sorted.sort();
        assert_eq!(sorted, FlagCode::ALL);
        assert_eq!(FlagCode::TooEarly.as_str(), "too_early");
        assert_eq!(FlagCode::LandingCompetitor.as_str(), "landing_competitor");
        assert_eq!(FlagCode::LandingRedirectOffsite.as_str(), "landing_redirect_offsite");
        assert_eq!(FlagCode::parse("Too_Early"), None);
        assert_eq!(FlagCode::parse(""), None);
        let labels: Vec<_> = FlagCode::ALL.iter().map(|c| c.label()).collect();
        assert_eq!(
            labels,
            [
                "Too early",
                "Outside renewal window",
                "Renewal at stake",
                "Possible duplicate",
                "Check evidence",
                "Date differs",
                "Total differs",
                "Ownership unverified",
                "Plain HTTP",
                "Landing page unreachable",
                "Name not on page",
                "Microsoft not mentioned",
                "Competitor named",
                "Redirects elsewhere",
            ]
        );
    }

    #[test]
    fn case_kind_tags() {
        for k in CaseKindTag::ALL {
            assert_eq!(CaseKindTag::parse(k.as_str()), Some(k));
        }
        assert_eq!(CaseKindTag::parse("KPI"), None);
        assert_eq!(CaseFacts::Kpi(kpi(2026, 1)).kind(), CaseKindTag::Kpi);
        assert_eq!(dir(None, "a.com", true).kind(), CaseKindTag::Directory);
    }

    // ---- KPI: default and too early ----------------------------------------

    #[test]
    fn kpi_default_is_normal() {
        let filed = d(2026, 11, 20); // Friday
        let t = run(&CaseFacts::Kpi(kpi(2026, 10)), &[], filed);
        assert_eq!(t.priority, Priority::Normal);
        assert_eq!(t.priority_reason, "Normal: no rule raised or lowered the priority.");
        assert!(t.flags.is_empty());
        assert!(t.guidance.is_empty());
        assert_eq!(t.due_date, d(2026, 11, 27));
    }

    #[test]
    fn kpi_too_early_is_low_and_counts_sla_from_visible_date() {
        let t = run(&CaseFacts::Kpi(kpi(2026, 11)), &[], d(2026, 12, 14));
        assert_eq!(t.priority, Priority::Low);
        assert_eq!(
            t.priority_reason,
            "Low: filed before 15 December 2026, when the KPI for a November 2026 invoice should appear."
        );
        assert_eq!(codes(&t), [FlagCode::TooEarly]);
        assert!(flag(&t, FlagCode::TooEarly).reason.contains("15 December 2026"));
        assert_eq!(t.guidance.len(), 1);
        assert!(t.guidance[0].contains("visible from 15 December 2026"));
        assert!(t.guidance[0].contains("stays open until then"));
        // Tue 15 Dec 2026 + 5 business days = Tue 22 Dec 2026.
        assert_eq!(t.due_date, d(2026, 12, 22));
    }

    #[test]
    fn kpi_filed_on_the_15th_is_not_too_early() {
        let t = run(&CaseFacts::Kpi(kpi(2026, 11)), &[], d(2026, 12, 15));
        assert!(!t.has_flag(FlagCode::TooEarly));
        assert_eq!(t.priority, Priority::Normal);
        assert_eq!(t.due_date, d(2026, 12, 22));
    }

    #[test]
    fn kpi_filed_in_the_invoice_month_is_too_early() {
        let t = run(&CaseFacts::Kpi(kpi(2026, 11)), &[], d(2026, 11, 30));
        assert!(t.has_flag(FlagCode::TooEarly));
    }

    #[test]
    fn kpi_december_invoice_visible_in_january() {
        let facts = CaseFacts::Kpi(kpi(2026, 12));
        let t = run(&facts, &[], d(2027, 1, 14));
        assert!(t.has_flag(FlagCode::TooEarly));
        assert!(t.priority_reason.contains("15 January 2027"));
        assert!(t.priority_reason.contains("December 2026 invoice"));
        // Fri 15 Jan 2027 + 5 = Fri 22 Jan 2027.
        assert_eq!(t.due_date, d(2027, 1, 22));
        let t = run(&facts, &[], d(2027, 1, 15));
        assert!(!t.has_flag(FlagCode::TooEarly));
    }

    #[test]
    fn kpi_february_invoice() {
        let facts = CaseFacts::Kpi(kpi(2024, 2));
        assert!(run(&facts, &[], d(2024, 3, 14)).has_flag(FlagCode::TooEarly));
        assert!(!run(&facts, &[], d(2024, 3, 15)).has_flag(FlagCode::TooEarly));
    }

    #[test]
    fn kpi_too_early_on_a_weekend_visible_date() {
        // Invoice Feb 2026 → visible Sun 15 Mar 2026; 5 business days → Fri 20 Mar.
        assert_eq!(d(2026, 3, 15).weekday(), Weekday::Sun);
        let t = run(&CaseFacts::Kpi(kpi(2026, 2)), &[], d(2026, 3, 2));
        assert_eq!(t.due_date, d(2026, 3, 20));
    }

    #[test]
    fn kpi_sla_from_weekend_filing() {
        // Filed Sat 21 Nov 2026: 5 business days → Fri 27 Nov 2026.
        let t = run(&CaseFacts::Kpi(kpi(2026, 10)), &[], d(2026, 11, 21));
        assert_eq!(t.due_date, d(2026, 11, 27));
    }

    // ---- KPI: renewal -------------------------------------------------------

    #[test]
    fn kpi_outside_renewal_window() {
        // Window 20 Apr 2025 – 19 Apr 2026, renewal 20 Apr 2026.
        let facts = kpi_with_anniversary(2025, 3, d(2018, 4, 20));
        let t = run(&facts, &[], d(2026, 1, 5));
        assert_eq!(codes(&t), [FlagCode::OutsideRenewalWindow]);
        let reason = &flag(&t, FlagCode::OutsideRenewalWindow).reason;
        assert!(reason.contains("20 April 2025"), "{reason}");
        assert!(reason.contains("19 April 2026"), "{reason}");
        assert!(reason.contains("20 April 2026"), "{reason}");
        assert_eq!(t.guidance.len(), 1);
        assert!(t.guidance[0].contains("will not count toward that renewal"));
        assert!(t.guidance[0].contains("20 April 2026"));
        assert_eq!(t.priority, Priority::Normal);
    }

    #[test]
    fn kpi_partial_month_gets_benefit_of_the_doubt() {
        let facts = kpi_with_anniversary(2025, 4, d(2018, 4, 20));
        let t = run(&facts, &[], d(2026, 1, 5));
        assert!(t.flags.is_empty());
    }

    #[test]
    fn kpi_renewal_at_stake_is_high() {
        // Renewal 10 Jan 2027, filed 15 Dec 2026: 26 days.
        let facts = kpi_with_anniversary(2026, 10, d(2019, 1, 10));
        let t = run(&facts, &[], d(2026, 12, 15));
        assert_eq!(codes(&t), [FlagCode::RenewalAtStake]);
        assert_eq!(t.priority, Priority::High);
        assert!(t.priority_reason.starts_with("High: "));
        assert!(t.priority_reason.contains("10 January 2027"));
        assert!(t.priority_reason.contains("26 days"));
        let reason = &flag(&t, FlagCode::RenewalAtStake).reason;
        assert!(reason.contains("10 January 2027") && reason.contains("26 days"));
        assert!(t.guidance.is_empty());
    }

    #[test]
    fn kpi_renewal_at_stake_threshold() {
        let facts = kpi_with_anniversary(2026, 10, d(2019, 1, 10));
        // 30 days before 10 Jan 2027 = 11 Dec 2026.
        assert!(run(&facts, &[], d(2026, 12, 11)).has_flag(FlagCode::RenewalAtStake));
        assert!(!run(&facts, &[], d(2026, 12, 10)).has_flag(FlagCode::RenewalAtStake));
        let rules = TriageRules { renewal_at_stake_days: 31, ..TriageRules::default() };
        let t = triage(&facts, &[], d(2026, 12, 10), d(2026, 12, 10), &rules);
        assert!(t.has_flag(FlagCode::RenewalAtStake));
    }

    #[test]
    fn kpi_renewal_on_the_filing_day() {
        let facts = kpi_with_anniversary(2026, 10, d(2019, 12, 1));
        let t = run(&facts, &[], d(2026, 12, 1));
        assert_eq!(t.priority, Priority::High);
        assert!(t.priority_reason.contains("on the day of filing"));
        let t = run(&facts, &[], d(2026, 11, 30));
        assert!(t.priority_reason.contains("1 day after filing"));
    }

    #[test]
    fn kpi_renewal_at_stake_but_too_early_stays_low() {
        // Dec 2026 invoice visible 15 Jan 2027; renewal 10 Jan 2027.
        let facts = kpi_with_anniversary(2026, 12, d(2019, 1, 10));
        let t = run(&facts, &[], d(2026, 12, 28));
        assert_eq!(codes(&t), [FlagCode::TooEarly, FlagCode::RenewalAtStake]);
        assert_eq!(t.priority, Priority::Low);
        assert!(t.priority_reason.starts_with("Low: "));
        let reason = &flag(&t, FlagCode::RenewalAtStake).reason;
        assert!(reason.contains("after the renewal date"), "{reason}");
    }

    #[test]
    fn kpi_outside_window_is_not_at_stake() {
        // Renewal 10 Jan 2027 in 26 days, but a Nov 2025 invoice is before the
        // window (10 Jan 2026 – 9 Jan 2027).
        let facts = kpi_with_anniversary(2025, 11, d(2019, 1, 10));
        let t = run(&facts, &[], d(2026, 12, 15));
        assert_eq!(codes(&t), [FlagCode::OutsideRenewalWindow]);
        assert_eq!(t.priority, Priority::Normal);
    }

    #[test]
    fn kpi_leap_day_anniversary() {
        let a = d(2024, 2, 29);
        // 2025: renewal 28 Feb 2025, 18 days after 10 Feb.
        let t = run(&kpi_with_anniversary(2024, 12, a), &[], d(2025, 2, 10));
        assert_eq!(t.priority, Priority::High);
        assert!(t.priority_reason.contains("28 February 2025"));
        assert!(t.priority_reason.contains("18 days"));
        // A January 2024 invoice is outside the window starting 29 Feb 2024.
        let t = run(&kpi_with_anniversary(2024, 1, a), &[], d(2025, 2, 10));
        assert!(t.has_flag(FlagCode::OutsideRenewalWindow));
        // A February 2024 invoice counts (29 Feb 2024 is in the window).
        let t = run(&kpi_with_anniversary(2024, 2, a), &[], d(2025, 2, 10));
        assert!(!t.has_flag(FlagCode::OutsideRenewalWindow));
        // 2026: renewal 28 Feb 2026.
        let t = run(&kpi_with_anniversary(2025, 12, a), &[], d(2026, 2, 1));
        assert!(flag(&t, FlagCode::RenewalAtStake).reason.contains("28 February 2026"));
        // 2028: renewal 29 Feb 2028.
        let t = run(&kpi_with_anniversary(2027, 12, a), &[], d(2028, 2, 1));
        assert!(flag(&t, FlagCode::RenewalAtStake).reason.contains("29 February 2028"));
        assert_eq!(next_anniversary(a, d(2028, 2, 1)), d(2028, 2, 29));
    }

    #[test]
    fn kpi_renewal_across_year_end() {
        // Anniversary 5 Jan; filed 20 Dec 2026 → renewal 5 Jan 2027 (16 days);
        // window 5 Jan 2026 – 4 Jan 2027, so a Jan 2026 invoice counts.
        let facts = kpi_with_anniversary(2026, 1, d(2015, 1, 5));
        let t = run(&facts, &[], d(2026, 12, 20));
        assert_eq!(codes(&t), [FlagCode::RenewalAtStake]);
        assert!(t.priority_reason.contains("5 January 2027"));
        let facts = kpi_with_anniversary(2025, 12, d(2015, 1, 5));
        let t = run(&facts, &[], d(2026, 12, 20));
        assert_eq!(codes(&t), [FlagCode::OutsideRenewalWindow]);
    }

    // ---- KPI: duplicates and evidence ----------------------------------------

    #[test]
    fn kpi_duplicate_of_open_case_with_same_invoice() {
        let others = [
            other("FL-0007", CaseKindTag::Kpi, Some("INV1001"), true),
            other("FL-0001", CaseKindTag::Kpi, Some("INV1001"), false),
            other("FL-0002", CaseKindTag::Kpi, Some("INV9999"), true),
            other("FL-0003", CaseKindTag::Directory, Some("INV1001"), true),
            other("FL-0004", CaseKindTag::Kpi, None, true),
        ];
        let t = run(&CaseFacts::Kpi(kpi(2026, 10)), &others, d(2026, 11, 20));
        assert_eq!(codes(&t), [FlagCode::PossibleDuplicate]);
        let f = flag(&t, FlagCode::PossibleDuplicate);
        assert_eq!(f.related_reference.as_deref(), Some("FL-0007"));
        assert!(f.reason.contains("FL-0007") && f.reason.contains("INV1001"));
        assert_eq!(t.guidance.len(), 1);
        assert!(t.guidance[0].contains("FL-0007"));
        assert!(t.guidance[0].contains("handled together"));
        assert_eq!(t.priority, Priority::Normal);
    }

    #[test]
    fn kpi_several_duplicates_are_sorted_and_order_independent() {
        let mut others = vec![
            other("FL-0009", CaseKindTag::Kpi, Some("INV1001"), true),
            other("FL-0003", CaseKindTag::Kpi, Some("INV1001"), true),
            other("FL-0003", CaseKindTag::Kpi, Some("INV1001"), true),
        ];
        let facts = CaseFacts::Kpi(kpi(2026, 10));
        let t = run(&facts, &others, d(2026, 11, 20));
        let refs: Vec<_> = t.flags.iter().map(|f| f.related_reference.as_deref().unwrap()).collect();
        assert_eq!(refs, ["FL-0003", "FL-0009"]);
        assert_eq!(t.guidance.len(), 1);
        assert!(t.guidance[0].contains("FL-0003, FL-0009"));
        others.reverse();
        assert_eq!(run(&facts, &others, d(2026, 11, 20)), t);
    }

    #[test]
    fn kpi_empty_invoice_number_never_duplicates() {
        let facts = CaseFacts::Kpi(KpiFacts { invoice_number_norm: "  ".to_owned(), ..kpi(2026, 10) });
        let others = [other("FL-1", CaseKindTag::Kpi, Some(""), true)];
        assert!(run(&facts, &others, d(2026, 11, 20)).flags.is_empty());
    }

    #[test]
    fn kpi_evidence_flags_are_internal() {
        let cases = [
            (Evidence::TextWithoutInvoiceNumber, "not found in the PDF text"),
            (Evidence::NoTextLayer, "scan"),
            (Evidence::Image, "image"),
            (Evidence::Encrypted, "encrypted"),
            (Evidence::Unextractable, "could not be extracted"),
        ];
        for (evidence, needle) in cases {
            let facts = CaseFacts::Kpi(KpiFacts { evidence, ..kpi(2026, 10) });
            let t = run(&facts, &[], d(2026, 11, 20));
            assert_eq!(codes(&t), [FlagCode::CheckEvidence], "{evidence:?}");
            let reason = &t.flags[0].reason;
            assert!(reason.contains(needle), "{evidence:?}: {reason}");
            assert!(reason.contains("by eye"), "{evidence:?}: {reason}");
            assert!(t.guidance.is_empty(), "{evidence:?}");
            assert_eq!(t.priority, Priority::Normal);
        }
        let t = run(&CaseFacts::Kpi(kpi(2026, 10)), &[], d(2026, 11, 20));
        assert!(!t.has_flag(FlagCode::CheckEvidence));
        let facts = CaseFacts::Kpi(KpiFacts { evidence: Evidence::TextWithoutInvoiceNumber, ..kpi(2026, 10) });
        assert!(run(&facts, &[], d(2026, 11, 20)).flags[0].reason.contains("INV1001"));
    }

    #[test]
    fn the_invoice_is_cross_checked_against_the_form() {
        let facts = CaseFacts::Kpi(KpiFacts { cross: mismatched(), ..kpi(2026, 12) });
        let t = run(&facts, &[], d(2027, 1, 20));
        let date = t.flags.iter().find(|f| f.code == FlagCode::DateMismatch).expect("date flag");
        assert_eq!(
            date.reason,
            "The invoice is dated 5 January 2027, but the form says it is a December 2026 invoice; check which month the KPI should count in."
        );
        let total = t.flags.iter().find(|f| f.code == FlagCode::TotalMismatch).expect("total flag");
        assert_eq!(
            total.reason,
            "The invoice's total is USD 1,250.50, but the revenue on the form is USD 1,205.50; check whether the form leaves out tax or other lines."
        );
        assert!(t.guidance.is_empty(), "cross-checks are for staff");
        assert_eq!(t.priority, Priority::Normal, "they never change the priority");

        // Agreeing facts, another currency, or nothing read: no flag.
        let agree = CrossCheck {
            printed_date: Some(d(2026, 12, 31)),
            printed_total: Some(("USD".into(), 120_550)),
            revenue: Some(("USD".into(), 120_550)),
        };
        let other_currency = CrossCheck { printed_total: Some(("TWD".into(), 3_900_000)), ..agree.clone() };
        for cross in [agree, other_currency, CrossCheck::default()] {
            let t = run(&CaseFacts::Kpi(KpiFacts { cross, ..kpi(2026, 12) }), &[], d(2027, 1, 20));
            assert!(!t.has_flag(FlagCode::DateMismatch) && !t.has_flag(FlagCode::TotalMismatch), "{:?}", t.flags);
        }
    }

    #[test]
    fn kpi_all_flags_in_code_order() {
        let facts = CaseFacts::Kpi(KpiFacts {
            year: 2026,
            month: 12,
            invoice_number_norm: "INV1001".to_owned(),
            anniversary_date: Some(d(2019, 1, 10)),
            evidence: Evidence::Image,
            cross: mismatched(),
        });
        let others = [other("FL-2", CaseKindTag::Kpi, Some("INV1001"), true)];
        let t = run(&facts, &others, d(2026, 12, 28));
        assert_eq!(
            codes(&t),
            [
                FlagCode::TooEarly,
                FlagCode::RenewalAtStake,
                FlagCode::PossibleDuplicate,
                FlagCode::CheckEvidence,
                FlagCode::DateMismatch,
                FlagCode::TotalMismatch
            ]
        );
        assert_eq!(t.priority, Priority::Low);
        // Guidance: too early, then duplicate; evidence and renewal are internal.
        assert_eq!(t.guidance.len(), 2);
        assert!(t.guidance[0].contains("15 January 2027"));
        assert!(t.guidance[1].contains("FL-2"));
    }

    #[test]
    fn kpi_invalid_months_do_not_panic_or_flag() {
        for month in [0, 13, 99, u32::MAX] {
            let facts = kpi_with_anniversary(2026, month, d(2019, 6, 1));
            let t = run(&facts, &[], d(2026, 1, 5));
            assert!(!t.has_flag(FlagCode::TooEarly), "{month}");
            assert!(!t.has_flag(FlagCode::OutsideRenewalWindow), "{month}");
            assert_eq!(t.priority, Priority::Normal);
            assert_eq!(t.due_date, d(2026, 1, 12));
            // Still at stake when the renewal is close (in window by default).
            let t = run(&facts, &[], d(2026, 5, 20));
            assert!(t.has_flag(FlagCode::RenewalAtStake), "{month}");
            assert!(t.flags.iter().all(|f| !f.reason.contains("  ")));
        }
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        let rules = TriageRules {
            kpi_sla_business_days: u32::MAX,
            directory_sla_business_days: u32::MAX,
            renewal_at_stake_days: i64::MAX,
            holidays: Holidays::new([d(2026, 1, 2), NaiveDate::MAX, NaiveDate::MIN]),
        };
        let negative = TriageRules { renewal_at_stake_days: i64::MIN, ..TriageRules::default() };
        for filed in [NaiveDate::MIN, NaiveDate::MAX, d(2026, 1, 1)] {
            for year in [i32::MIN, i32::MAX, 2026] {
                for anniversary in [None, Some(NaiveDate::MIN), Some(NaiveDate::MAX)] {
                    let facts = CaseFacts::Kpi(KpiFacts { anniversary_date: anniversary, ..kpi(year, 12) });
                    let t = triage(&facts, &[], filed, filed, &rules);
                    assert!(!is_weekend(t.due_date));
                    let _ = triage(&facts, &[], filed, filed, &negative);
                    let _ = triage(&facts, &[], filed, filed, &TriageRules::default());
                }
            }
            let t = triage(&dir(Some(""), "", false), &[], filed, filed, &rules);
            assert!(!is_weekend(t.due_date));
        }
        let t = triage(&CaseFacts::Kpi(kpi(2026, 10)), &[], d(2026, 11, 20), d(2026, 11, 20), &negative);
        assert_eq!(t.priority, Priority::Normal);
    }

    // ---- directory ------------------------------------------------------

    #[test]
    fn directory_clean_case() {
        let t = run(&dir(Some("contoso.com"), "contoso.com", true), &[], d(2026, 3, 6));
        assert!(t.flags.is_empty());
        assert!(t.guidance.is_empty());
        assert_eq!(t.priority, Priority::Normal);
        assert_eq!(t.priority_reason, "Normal: no rule raised or lowered the priority.");
        // Fri 6 Mar 2026 + 10 business days = Fri 20 Mar 2026.
        assert_eq!(t.due_date, d(2026, 3, 20));
    }

    #[test]
    fn directory_ownership() {
        let filed = d(2026, 3, 6);
        let ok = [
            dir(Some("Contoso.COM"), "contoso.com", true),
            dir(Some(" contoso.com. "), "CONTOSO.com", true),
            dir(Some("uk.contoso.com"), "contoso.com", true),
        ];
        for facts in ok {
            assert!(run(&facts, &[], filed).flags.is_empty(), "{facts:?}");
        }
        let bad = [
            (dir(None, "contoso.com", true), "no email domain"),
            (dir(Some(""), "contoso.com", true), "no email domain"),
            (dir(Some("gmail.com"), "contoso.com", true), "gmail.com differs from"),
            (dir(Some("notcontoso.com"), "contoso.com", true), "differs"),
            (dir(Some("contoso.com.evil.io"), "contoso.com", true), "differs"),
            (dir(Some("contoso.com"), "", true), "no domain"),
        ];
        for (facts, needle) in bad {
            let t = run(&facts, &[], filed);
            assert_eq!(codes(&t), [FlagCode::OwnershipUnverified], "{facts:?}");
            assert!(t.flags[0].reason.contains(needle), "{}", t.flags[0].reason);
            assert!(t.guidance.is_empty(), "ownership is internal");
        }
    }

    #[test]
    fn directory_plain_http() {
        let t = run(&dir(Some("contoso.com"), "contoso.com", false), &[], d(2026, 3, 6));
        assert_eq!(codes(&t), [FlagCode::PlainHttp]);
        assert!(t.flags[0].reason.contains("contoso.com"));
        assert_eq!(t.guidance.len(), 1);
        assert!(t.guidance[0].contains("HTTPS"));
    }

    #[test]
    fn directory_duplicates() {
        let others = [
            other("FL-0005", CaseKindTag::Directory, None, true),
            other("FL-0004", CaseKindTag::Directory, None, false),
            other("FL-0006", CaseKindTag::Kpi, Some("INV1"), true),
        ];
        let t = run(&dir(None, "contoso.com", false), &others, d(2026, 3, 6));
        assert_eq!(codes(&t), [FlagCode::PossibleDuplicate, FlagCode::OwnershipUnverified, FlagCode::PlainHttp]);
        assert_eq!(t.flags[0].related_reference.as_deref(), Some("FL-0005"));
        assert!(t.flags[0].reason.contains("FL-0005"));
        assert_eq!(t.guidance.len(), 2);
        assert!(t.guidance[0].contains("FL-0005"));
        assert!(t.guidance[1].contains("HTTPS"));
    }

    #[test]
    fn directory_due_date_across_year_end() {
        // Mon 21 Dec 2026 + 10 business days = Mon 4 Jan 2027.
        let t = run(&dir(Some("a.com"), "a.com", true), &[], d(2026, 12, 21));
        assert_eq!(t.due_date, d(2027, 1, 4));
    }

    #[test]
    fn sentences_are_full_sentences() {
        let facts = CaseFacts::Kpi(KpiFacts {
            year: 2026,
            month: 12,
            invoice_number_norm: "INV1001".to_owned(),
            anniversary_date: Some(d(2019, 1, 10)),
            evidence: Evidence::NoTextLayer,
            cross: mismatched(),
        });
        let others = [other("FL-2", CaseKindTag::Kpi, Some("INV1001"), true)];
        let mut all = vec![
            run(&facts, &others, d(2026, 12, 28)),
            run(&kpi_with_anniversary(2025, 3, d(2018, 4, 20)), &[], d(2026, 1, 5)),
            run(&dir(Some("x.org"), "contoso.com", false), &others, d(2026, 3, 6)),
        ];
        all.push(run(&CaseFacts::Kpi(kpi(2026, 10)), &[], d(2026, 11, 20)));
        for t in all {
            let sentences = t.flags.iter().map(|f| &f.reason).chain(&t.guidance).chain([&t.priority_reason]);
            for s in sentences {
                assert!(s.ends_with('.'), "{s}");
                assert!(s.chars().next().unwrap().is_uppercase(), "{s}");
            }
            assert!(t.priority_reason.starts_with(t.priority.label()));
        }
    }

    // ---- properties ----------------------------------------------------

    fn date_in(lo: NaiveDate, hi: NaiveDate) -> impl Strategy<Value = NaiveDate> {
        (lo.num_days_from_ce()..=hi.num_days_from_ce()).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap())
    }

    fn evidence() -> impl Strategy<Value = Evidence> {
        prop_oneof![
            Just(Evidence::TextMatched),
            Just(Evidence::TextWithoutInvoiceNumber),
            Just(Evidence::NoTextLayer),
            Just(Evidence::Encrypted),
            Just(Evidence::Unextractable),
            Just(Evidence::Image),
        ]
    }

    fn invoice_number() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("INV1".to_owned()),
            Just("INV2".to_owned()),
            Just(" INV1 ".to_owned()),
            "\\PC{0,12}",
        ]
    }

    fn cross(dates: BoxedStrategy<NaiveDate>) -> impl Strategy<Value = CrossCheck> {
        let money = || {
            proptest::option::of((
                prop_oneof![Just("USD".to_owned()), Just("TWD".to_owned())],
                prop_oneof![Just(125_050i64), Just(120_550i64), any::<i64>()],
            ))
        };
        (proptest::option::of(dates), money(), money()).prop_map(|(printed_date, printed_total, revenue)| CrossCheck {
            printed_date,
            printed_total,
            revenue,
        })
    }

    fn facts(dates: BoxedStrategy<NaiveDate>, years: BoxedStrategy<i32>) -> impl Strategy<Value = CaseFacts> {
        let kpi = (
            years,
            prop_oneof![1u32..=12, Just(0u32), Just(13u32), any::<u32>()],
            invoice_number(),
            proptest::option::of(dates.clone()),
            evidence(),
            cross(dates),
        )
            .prop_map(|(year, month, invoice_number_norm, anniversary_date, evidence, cross)| {
                CaseFacts::Kpi(KpiFacts { year, month, invoice_number_norm, anniversary_date, evidence, cross })
            });
        let domain = prop_oneof![
            Just("contoso.com".to_owned()),
            Just("UK.Contoso.com".to_owned()),
            Just(String::new()),
            "\\PC{0,16}",
        ];
        let directory = (proptest::option::of(domain.clone()), domain, any::<bool>()).prop_map(
            |(contact_email_domain, landing_registrable_domain, landing_https)| {
                CaseFacts::Directory(DirectoryFacts { contact_email_domain, landing_registrable_domain, landing_https })
            },
        );
        prop_oneof![kpi, directory]
    }

    fn others() -> impl Strategy<Value = Vec<OtherCase>> {
        let one = (
            prop_oneof![Just("FL-1"), Just("FL-2"), Just("FL-3")],
            prop_oneof![Just(CaseKindTag::Kpi), Just(CaseKindTag::Directory)],
            proptest::option::of(invoice_number()),
            any::<bool>(),
        )
            .prop_map(|(r, kind, invoice_number_norm, open)| OtherCase {
                reference: r.to_owned(),
                kind,
                invoice_number_norm,
                open,
            });
        proptest::collection::vec(one, 0..5)
    }

    fn rules() -> impl Strategy<Value = TriageRules> {
        (0u32..40, 0u32..40, -5i64..400).prop_map(|(k, d, r)| TriageRules {
            kpi_sla_business_days: k,
            directory_sla_business_days: d,
            renewal_at_stake_days: r,
            holidays: Holidays::default(),
        })
    }

    /// `due` is the first day with `sla` business days after `start`.
    fn due_counts(start: NaiveDate, due: NaiveDate, sla: u32, holidays: &Holidays) -> Result<(), TestCaseError> {
        if sla > 0 {
            prop_assert_eq!(business_days_between(start, due, holidays), sla);
            prop_assert!(business_days_between(start, due.pred_opt().unwrap(), holidays) < sla);
        }
        Ok(())
    }

    fn modern() -> BoxedStrategy<NaiveDate> {
        date_in(d(2000, 1, 1), d(2100, 12, 31)).boxed()
    }

    proptest! {
        #[test]
        fn prop_triage_invariants(
            facts in facts(modern(), (1999i32..=2101).boxed()),
            others in others(),
            filed_on in modern(),
            rules in rules(),
            days_off in proptest::collection::vec(0u64..120, 0..12),
            later in 0u64..400,
        ) {
            // Days off near the filing day, where they can move due dates.
            let rules = TriageRules {
                holidays: Holidays::new(days_off.iter().map(|n| filed_on + chrono::Days::new(*n))),
                ..rules
            };
            let t = triage(&facts, &others, filed_on, filed_on, &rules);
            // Deterministic and independent of the order of the partner's cases.
            prop_assert_eq!(&triage(&facts, &others, filed_on, filed_on, &rules), &t);
            let mut reversed = others.clone();
            reversed.reverse();
            prop_assert_eq!(&triage(&facts, &reversed, filed_on, filed_on, &rules), &t);

            prop_assert!(!is_weekend(t.due_date));
            prop_assert!(!rules.holidays.contains(t.due_date));
            prop_assert!(t.due_date >= filed_on);
            prop_assert!(t.flags.windows(2).all(|w| w[0].code <= w[1].code));

            // Days later: the due date stays; "too early" follows the calendar.
            let today = filed_on + chrono::Days::new(later);
            let t_later = triage(&facts, &others, filed_on, today, &rules);
            prop_assert_eq!(t_later.due_date, t.due_date);
            if let CaseFacts::Kpi(k) = &facts {
                let visible = kpi_visible_from(k.year, k.month);
                prop_assert_eq!(t_later.has_flag(FlagCode::TooEarly), visible.is_some_and(|v| today < v));
            }
            prop_assert!(t.priority_reason.starts_with(t.priority.label()));
            prop_assert!(t.priority != Priority::Urgent);
            for f in &t.flags {
                prop_assert_eq!(f.related_reference.is_some(), f.code == FlagCode::PossibleDuplicate);
                prop_assert!(f.reason.ends_with('.'));
            }

            let too_early = t.has_flag(FlagCode::TooEarly);
            prop_assert_eq!(t.priority == Priority::Low, too_early);
            if let CaseFacts::Kpi(k) = &facts {
                // The cross-checks: a flag exactly when the invoice and the form disagree.
                let c = &k.cross;
                prop_assert_eq!(
                    t.has_flag(FlagCode::DateMismatch),
                    c.printed_date.is_some_and(|p| (p.year(), p.month()) != (k.year, k.month))
                );
                let differs = matches!((&c.printed_total, &c.revenue), (Some((pc, p)), Some((rc, r))) if pc == rc && p != r);
                prop_assert_eq!(t.has_flag(FlagCode::TotalMismatch), differs);
            }
            match &facts {
                CaseFacts::Kpi(k) => {
                    let visible = kpi_visible_from(k.year, k.month);
                    prop_assert_eq!(too_early, visible.is_some_and(|v| filed_on < v));
                    if t.priority == Priority::High {
                        prop_assert!(t.has_flag(FlagCode::RenewalAtStake));
                    }
                    prop_assert!(!(t.has_flag(FlagCode::RenewalAtStake)
                        && t.has_flag(FlagCode::OutsideRenewalWindow)));
                    let start = if too_early { visible.unwrap() } else { filed_on };
                    prop_assert_eq!(t.due_date, add_business_days_on(start, rules.kpi_sla_business_days, &rules.holidays));
                    due_counts(start, t.due_date, rules.kpi_sla_business_days, &rules.holidays)?;
                    prop_assert_eq!(
                        t.has_flag(FlagCode::CheckEvidence),
                        k.evidence != Evidence::TextMatched
                    );
                }
                CaseFacts::Directory(_) => {
                    prop_assert!(!too_early);
                    prop_assert_eq!(t.priority, Priority::Normal);
                    prop_assert_eq!(
                        t.due_date,
                        add_business_days_on(filed_on, rules.directory_sla_business_days, &rules.holidays)
                    );
                    due_counts(filed_on, t.due_date, rules.directory_sla_business_days, &rules.holidays)?;
                }
            }
        }

        #[test]
        fn prop_triage_total_on_extreme_inputs(
            facts in facts(
                date_in(NaiveDate::MIN, NaiveDate::MAX).boxed(),
                prop_oneof![any::<i32>(), Just(i32::MAX), Just(i32::MIN)].boxed(),
            ),
            others in others(),
            filed_on in prop_oneof![
                date_in(NaiveDate::MIN, NaiveDate::MAX),
                Just(NaiveDate::MIN),
                Just(NaiveDate::MAX),
            ],
            kpi_sla in any::<u32>(),
            dir_sla in any::<u32>(),
            at_stake in any::<i64>(),
        ) {
            let rules = TriageRules {
                kpi_sla_business_days: kpi_sla,
                directory_sla_business_days: dir_sla,
                renewal_at_stake_days: at_stake,
                holidays: Holidays::new([Some(filed_on), filed_on.succ_opt()].into_iter().flatten()),
            };
            let t = triage(&facts, &others, filed_on, filed_on, &rules);
            prop_assert!(!is_weekend(t.due_date));
        }
    }
}
