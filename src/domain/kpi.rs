//! The KPI discrepancy case: the seven KPI dashboard details, the document
//! type, and the optional answers, parsed into values that are always valid.

use super::calendar::MONTHS_LOWER;
use crate::i18n::{t, ta};
use chrono::{Datelike, NaiveDate};

use super::contact::{Contact, ContactInput, parse_contact};
use super::errors::FieldErrors;
use super::text::{parse_decimal, strip_amount_noise, thousands};

/// The first KPI month a case may be about.
pub const EARLIEST_YEAR: i32 = 2000;
/// Longest invoice number.
pub const INVOICE_NUMBER_MAX_CHARS: usize = 40;
/// Longest description.
pub const DESCRIPTION_MAX_CHARS: usize = 2000;
/// Largest purchase unit we take as plausible.
pub const PURCHASE_UNIT_MAX: i64 = 1_000_000_000;
/// Largest whole part of a KPI or revenue value, in digits.
pub const AMOUNT_MAX_INT_DIGITS: usize = 13;
/// Most decimal places of a KPI value.
pub const KPI_VALUE_MAX_DECIMALS: usize = 6;
/// The refusal for anything but an invoice, in the programme's own words.
/// (a message id: see `locales/*/forms.ftl`).
pub const ONLY_INVOICES: &str = "kpi-error-only-invoices";

/// One OMLP type a partner may pick (configured; see `Config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OmlpType {
    /// The form value.
    pub code: String,
    /// Words for people.
    pub label: String,
}

/// The documents a partner may say they attach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentType {
    /// An actual invoice: the only document accepted.
    Invoice,
    /// An order confirmation: refused.
    OrderConfirmation,
    /// A partner report: refused.
    PartnerReport,
}

impl DocumentType {
    /// Parses the form value.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "invoice" => Some(Self::Invoice),
            "order_confirmation" => Some(Self::OrderConfirmation),
            "partner_report" => Some(Self::PartnerReport),
            _ => None,
        }
    }
}

/// Raw KPI answers, as typed.
#[derive(Debug, Clone, Default)]
pub struct KpiInput {
    /// The shared contact block.
    pub contact: ContactInput,
    /// `month`.
    pub month: String,
    /// `year`.
    pub year: String,
    /// `omlp_type`.
    pub omlp_type: String,
    /// `purchase_unit`.
    pub purchase_unit: String,
    /// `invoice_number`.
    pub invoice_number: String,
    /// `kpi_value`.
    pub kpi_value: String,
    /// `revenue_value`.
    pub revenue_value: String,
    /// `revenue_currency`.
    pub revenue_currency: String,
    /// `document_type`.
    pub document_type: String,
    /// `anniversary_date`.
    pub anniversary_date: String,
    /// `description`.
    pub description: String,
}

impl KpiInput {
    /// The answers with invisible formatting characters removed from every
    /// one-line field (the description keeps what free text needs).
    pub fn normalised(&self) -> Self {
        // Numbers and codes typed in full-width mode read as what they mean.
        let f = |v: &str| super::text::fold_width(&super::text::strip_format_controls(v));
        Self {
            contact: self.contact.normalised(),
            month: f(&self.month),
            year: f(&self.year),
            omlp_type: f(&self.omlp_type),
            purchase_unit: f(&self.purchase_unit),
            invoice_number: f(&self.invoice_number),
            kpi_value: f(&self.kpi_value),
            revenue_value: f(&self.revenue_value),
            revenue_currency: f(&self.revenue_currency),
            document_type: f(&self.document_type),
            anniversary_date: f(&self.anniversary_date),
            description: super::text::without_overrides(&self.description),
        }
    }
}

/// An exact amount: hundredths of the currency's unit, never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    /// The amount times 100.
    pub hundredths: i64,
    /// ISO 4217 code.
    pub currency: &'static str,
}

impl Money {
    /// "USD 1,250.00".
    pub fn display(&self) -> String {
        format_hundredths(self.currency, self.hundredths)
    }
}

/// "USD 1,250.00" from a stored amount.
pub fn format_hundredths(currency: &str, hundredths: i64) -> String {
    let whole = hundredths / 100;
    let cents = hundredths % 100;
    format!("{currency} {}.{cents:02}", thousands(usize::try_from(whole).unwrap_or(0)))
}

/// A validated KPI discrepancy case (without its document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiCase {
    /// Who files.
    pub contact: Contact,
    /// Invoice month, 1–12.
    pub month: u32,
    /// Invoice year.
    pub year: i32,
    /// An OMLP type code from the configured list.
    pub omlp_type: String,
    /// Whole number ≥ 1.
    pub purchase_unit: i64,
    /// As typed, trimmed, upper-cased.
    pub invoice_number: String,
    /// For comparisons: letters and digits only, upper-cased.
    pub invoice_number_norm: String,
    /// A decimal ≥ 0, normalised ("12.5").
    pub kpi_value: String,
    /// Revenue, exact.
    pub revenue: Money,
    /// Optional anniversary date.
    pub anniversary_date: Option<NaiveDate>,
    /// Optional description, trimmed.
    pub description: Option<String>,
}

/// Parses a month: "3", "03", "mar", "March".
pub fn parse_month_word(raw: &str) -> Option<u32> {
    let v = raw.trim().to_lowercase();
    if v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty() && v.len() <= 2 {
        let n: u32 = v.parse().ok()?;
        return (1..=12).contains(&n).then_some(n);
    }
    if v.len() >= 3 {
        for (i, name) in MONTHS_LOWER.iter().enumerate() {
            if name.starts_with(&v) || (v.len() >= 3 && *name == v) {
                return u32::try_from(i + 1).ok();
            }
        }
    }
    None
}

/// The message for a year written with 2 or 3 digits, naming the year it
/// probably means: a Republic of China year as printed on Taiwanese invoices
/// (民國 115 = 2026), or a two-digit year (26 = 2026).
fn short_year_hint(y: &str, today: NaiveDate) -> Option<String> {
    if !(2..=3).contains(&y.len()) || !y.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: i32 = y.parse().ok()?;
    let (roc, two_digit) = (n + 1911, 2000 + n);
    if y.len() == 3 && (EARLIEST_YEAR..=today.year()).contains(&roc) {
        Some(ta("kpi-error-year-roc", &[("typed", &y.to_string()), ("year", &roc.to_string())]))
    } else if y.len() == 2 && two_digit <= today.year() {
        Some(ta("kpi-error-year-two", &[("year", &two_digit)]))
    } else {
        None
    }
}

/// Parses the KPI month pair, recording errors on `month` or `year`.
pub fn parse_kpi_month(month: &str, year: &str, today: NaiveDate, errors: &mut FieldErrors) -> Option<(u32, i32)> {
    let (m, y) = (month.trim(), year.trim());
    match (m.is_empty(), y.is_empty()) {
        (true, true) => {
            errors.add_for_group("month", &["year"], t("kpi-error-month-missing"));
            return None;
        }
        (true, false) => {
            errors.add("month", t("kpi-error-month-no-month"));
            return None;
        }
        (false, true) => {
            errors.add("year", t("kpi-error-month-no-year"));
            return None;
        }
        _ => {}
    }
    let year_ok = y.len() == 4 && y.chars().all(|c| c.is_ascii_digit());
    if !year_ok {
        errors.add("year", short_year_hint(y, today).unwrap_or_else(|| t("kpi-error-year-digits")));
    }
    let Some(month_n) = parse_month_word(m) else {
        errors.add("month", t("kpi-error-month-real"));
        return None;
    };
    if !year_ok {
        return None;
    }
    let year_n: i32 = y.parse().ok()?;
    if year_n < EARLIEST_YEAR {
        errors.add("year", t("kpi-error-month-2000"));
        return None;
    }
    if (year_n, month_n) > (today.year(), today.month()) {
        errors.add_for_group("month", &["year"], t("kpi-error-month-future"));
        return None;
    }
    Some((month_n, year_n))
}

/// Parses the purchase unit: a whole number ≥ 1.
pub fn parse_purchase_unit(raw: &str) -> Result<i64, String> {
    let v = strip_amount_noise(raw);
    if v.is_empty() {
        return Err(t("kpi-error-purchase-unit-missing"));
    }
    if !v.chars().all(|c| c.is_ascii_digit()) {
        return Err(t("kpi-error-purchase-unit-whole"));
    }
    let n: i64 = v.parse().map_err(|_| ta("kpi-error-purchase-unit-max", &[("max", &thousands(1_000_000_000))]))?;
    if n < 1 {
        return Err(t("kpi-error-purchase-unit-min"));
    }
    if n > PURCHASE_UNIT_MAX {
        return Err(ta("kpi-error-purchase-unit-max", &[("max", &thousands(1_000_000_000))]));
    }
    Ok(n)
}

/// Parses an invoice number; returns (display form, comparison form).
pub fn parse_invoice_number(raw: &str) -> Result<(String, String), String> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(t("kpi-error-invoice-number-missing"));
    }
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/') {
        return Err(t("kpi-error-invoice-number-chars"));
    }
    if v.chars().count() > INVOICE_NUMBER_MAX_CHARS {
        return Err(ta("kpi-error-invoice-number-long", &[("max", &INVOICE_NUMBER_MAX_CHARS)]));
    }
    let norm = normalise_invoice_number(v);
    if norm.is_empty() {
        return Err(t("kpi-error-invoice-number-alnum"));
    }
    Ok((v.to_ascii_uppercase(), norm))
}

/// The comparison form of an invoice number: letters and digits only,
/// upper-cased ("inv-2026/0423" and "INV20260423" are the same invoice).
pub fn normalise_invoice_number(raw: &str) -> String {
    raw.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// Parses the KPI value: a decimal ≥ 0.
pub fn parse_kpi_value(raw: &str) -> Result<String, String> {
    let v = strip_amount_noise(raw);
    if v.is_empty() {
        return Err(t("kpi-error-kpi-value-missing"));
    }
    if v.starts_with('-') && parse_decimal(&v[1..]).is_some() {
        return Err(t("kpi-error-kpi-value-negative"));
    }
    let Some((int, frac)) = parse_decimal(&v) else {
        return Err(t("kpi-error-kpi-value-format"));
    };
    if int.len() > AMOUNT_MAX_INT_DIGITS || frac.len() > KPI_VALUE_MAX_DECIMALS {
        return Err(t("kpi-error-kpi-value-format"));
    }
    let frac = frac.trim_end_matches('0');
    Ok(if frac.is_empty() { int } else { format!("{int}.{frac}") })
}

/// Parses the revenue: ≥ 0 with at most two decimal places, exact.
pub fn parse_revenue(raw: &str) -> Result<i64, String> {
    let v = strip_amount_noise(raw);
    if v.is_empty() {
        return Err(t("kpi-error-revenue-missing"));
    }
    let format = || t("kpi-error-revenue-format");
    if v.starts_with('-') && parse_decimal(&v[1..]).is_some() {
        return Err(t("kpi-error-revenue-negative"));
    }
    let Some((int, frac)) = parse_decimal(&v) else {
        return Err(format());
    };
    if frac.len() > 2 || int.len() > AMOUNT_MAX_INT_DIGITS {
        return Err(format());
    }
    let whole: i64 = int.parse().map_err(|_| format())?;
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| format())?;
    Ok(whole * 100 + cents)
}

/// Parses an ISO 4217 currency code (default USD when empty).
pub fn parse_currency(raw: &str) -> Result<&'static str, String> {
    let v = raw.trim().to_ascii_uppercase();
    if v.is_empty() {
        return Ok("USD");
    }
    iso_currency::Currency::from_code(&v).map(|c| c.code()).ok_or_else(|| t("kpi-error-currency"))
}

/// Parses the optional anniversary date: YYYY-MM-DD, "27 March 2025" or
/// "27 Mar 2025"; refuses day/month orders that are ambiguous.
pub fn parse_anniversary(raw: &str) -> Result<Option<NaiveDate>, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let format = || t("kpi-error-anniversary-format");
    let parts: Vec<&str> = v.split('-').collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) {
        if parts[0].len() != 4 {
            return Err(format());
        }
        let (y, m, d): (i32, u32, u32) = (
            parts[0].parse().map_err(|_| format())?,
            parts[1].parse().map_err(|_| format())?,
            parts[2].parse().map_err(|_| format())?,
        );
        return NaiveDate::from_ymd_opt(y, m, d).map(Some).ok_or_else(|| t("kpi-error-anniversary-real"));
    }
    let words: Vec<&str> = v.split_whitespace().collect();
    if words.len() == 3 && words[0].chars().all(|c| c.is_ascii_digit()) && words[2].len() == 4 {
        let month = parse_month_word(words[1]).filter(|_| !words[1].chars().all(|c| c.is_ascii_digit()));
        if let (Ok(d), Some(m), Ok(y)) = (words[0].parse::<u32>(), month, words[2].parse::<i32>()) {
            return NaiveDate::from_ymd_opt(y, m, d).map(Some).ok_or_else(|| t("kpi-error-anniversary-real"));
        }
    }
    Err(format())
}

/// Parses the optional description, keeping its line breaks.
pub fn parse_description(raw: &str) -> Result<Option<String>, String> {
    let v = raw.trim().replace("\r\n", "\n");
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(ta("kpi-error-description-long", &[("max", &thousands(DESCRIPTION_MAX_CHARS))]));
    }
    if v.chars().any(super::text::forbidden_in_text) {
        return Err(t("kpi-error-description-control"));
    }
    Ok(Some(v))
}

/// Parses the document type; only an invoice is accepted.
pub fn parse_document_type(raw: &str) -> Result<DocumentType, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(t("kpi-error-document-type"));
    }
    match DocumentType::parse(v) {
        Some(DocumentType::Invoice) => Ok(DocumentType::Invoice),
        Some(_) => Err(t(ONLY_INVOICES)),
        None => Err(t("kpi-error-document-type")),
    }
}

/// Parses every KPI answer (not the file), recording every problem.
pub fn parse_kpi(
    input: &KpiInput,
    omlp_types: &[OmlpType],
    today: NaiveDate,
    errors: &mut FieldErrors,
) -> Option<KpiCase> {
    let input = &input.normalised();
    let contact = parse_contact(&input.contact, errors);
    let month_year = parse_kpi_month(&input.month, &input.year, today, errors);
    let omlp = input.omlp_type.trim();
    let omlp_type = if omlp.is_empty() {
        errors.add("omlp_type", t("kpi-error-omlp-missing"));
        None
    } else if let Some(t) = omlp_types.iter().find(|t| t.code == omlp) {
        Some(t.code.clone())
    } else {
        errors.add("omlp_type", t("kpi-error-omlp-list"));
        None
    };
    let purchase_unit = errors.check("purchase_unit", parse_purchase_unit(&input.purchase_unit));
    let invoice = errors.check("invoice_number", parse_invoice_number(&input.invoice_number));
    let kpi_value = errors.check("kpi_value", parse_kpi_value(&input.kpi_value));
    let revenue = errors.check("revenue_value", parse_revenue(&input.revenue_value));
    let currency = errors.check("revenue_currency", parse_currency(&input.revenue_currency));
    let document_type = errors.check("document_type", parse_document_type(&input.document_type));
    let anniversary_date = errors.check("anniversary_date", parse_anniversary(&input.anniversary_date));
    let description = errors.check("description", parse_description(&input.description));
    document_type?;
    let (month, year) = month_year?;
    let (invoice_number, invoice_number_norm) = invoice?;
    Some(KpiCase {
        contact: contact?,
        month,
        year,
        omlp_type: omlp_type?,
        purchase_unit: purchase_unit?,
        invoice_number,
        invoice_number_norm,
        kpi_value: kpi_value?,
        revenue: Money { hundredths: revenue?, currency: currency? },
        anniversary_date: anniversary_date?,
        description: description?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).expect("date")
    }

    fn month_errors(m: &str, y: &str) -> (Option<(u32, i32)>, FieldErrors) {
        let mut e = FieldErrors::new();
        let got = parse_kpi_month(m, y, today(), &mut e);
        (got, e)
    }

    #[test]
    fn months_accept_numbers_and_names() {
        for (raw, want) in [("3", 3), ("03", 3), ("mar", 3), ("March", 3), ("DEC", 12), ("12", 12)] {
            assert_eq!(parse_month_word(raw), Some(want), "{raw}");
        }
        for raw in ["0", "13", "ma", "", "1.5", "003"] {
            assert_eq!(parse_month_word(raw), None, "{raw}");
        }
    }

    #[test]
    fn the_kpi_month_pair_names_the_part_at_fault() {
        let (_, e) = month_errors("", "");
        assert_eq!(e.get("month"), Some(t("kpi-error-month-missing").as_str()));
        let (_, e) = month_errors("3", "");
        assert_eq!(e.get("year"), Some(t("kpi-error-month-no-year").as_str()));
        let (_, e) = month_errors("3", "26");
        assert_eq!(
            e.get("year"),
            Some("Year must include 4 numbers, like 2026"),
            "a short year names the year it means"
        );
        let (_, e) = month_errors("13", "2026");
        assert_eq!(e.get("month"), Some(t("kpi-error-month-real").as_str()));
        let (_, e) = month_errors("1", "1999");
        assert_eq!(e.get("year"), Some(t("kpi-error-month-2000").as_str()));
        let (_, e) = month_errors("12", "2026");
        assert_eq!(e.get("month"), Some(t("kpi-error-month-future").as_str()));
        let (got, e) = month_errors("11", "2026");
        assert!(e.is_empty(), "the current month is allowed");
        assert_eq!(got, Some((11, 2026)));
        assert_eq!(month_errors("January", "2000").0, Some((1, 2000)));
    }

    #[test]
    fn purchase_units_are_whole_and_at_least_one() {
        assert_eq!(parse_purchase_unit("25"), Ok(25));
        assert_eq!(parse_purchase_unit("1,250"), Ok(1250));
        assert_eq!(parse_purchase_unit(""), Err(t("kpi-error-purchase-unit-missing")));
        assert_eq!(parse_purchase_unit("2.5"), Err(t("kpi-error-purchase-unit-whole")));
        assert_eq!(parse_purchase_unit("0"), Err(t("kpi-error-purchase-unit-min")));
        assert!(parse_purchase_unit("-3").is_err());
        assert!(parse_purchase_unit("99999999999999999999999").is_err());
    }

    #[test]
    fn invoice_numbers_allow_letters_digits_hyphens_slashes() {
        assert_eq!(parse_invoice_number(" inv-2026/0423 "), Ok(("INV-2026/0423".into(), "INV20260423".into())));
        assert!(parse_invoice_number("INV 0423").is_err(), "inner spaces");
        assert!(parse_invoice_number("發票123").is_err());
        assert!(parse_invoice_number("--").is_err());
        assert!(parse_invoice_number(&"A".repeat(41)).is_err());
        assert_eq!(parse_invoice_number(""), Err(t("kpi-error-invoice-number-missing")));
    }

    #[test]
    fn kpi_values_are_decimals_at_least_zero() {
        assert_eq!(parse_kpi_value("12"), Ok("12".into()));
        assert_eq!(parse_kpi_value("12.50"), Ok("12.5".into()));
        assert_eq!(parse_kpi_value("0"), Ok("0".into()));
        assert_eq!(parse_kpi_value("-1"), Err(t("kpi-error-kpi-value-negative")));
        assert_eq!(parse_kpi_value("twelve"), Err("KPI value must be a number, like 12 or 12.5".into()));
        assert_eq!(parse_kpi_value("NaN"), Err("KPI value must be a number, like 12 or 12.5".into()));
    }

    #[test]
    fn revenue_is_exact_with_two_places_at_most() {
        assert_eq!(parse_revenue("1250"), Ok(125_000));
        assert_eq!(parse_revenue("$1,250.50"), Ok(125_050));
        assert_eq!(parse_revenue("0.1"), Ok(10));
        assert_eq!(parse_revenue("0.07"), Ok(7));
        assert!(parse_revenue("1.234").is_err());
        assert!(parse_revenue("1.250,00").is_err(), "ambiguous");
        assert_eq!(parse_revenue("-5"), Err(t("kpi-error-revenue-negative")));
        assert_eq!(format_hundredths("USD", 125_050), "USD 1,250.50");
        assert_eq!(format_hundredths("TWD", 7), "TWD 0.07");
    }

    #[test]
    fn currencies_come_from_iso_4217() {
        assert_eq!(parse_currency(""), Ok("USD"));
        assert_eq!(parse_currency("twd"), Ok("TWD"));
        assert!(parse_currency("XYZ").is_err());
    }

    #[test]
    fn anniversary_dates_take_unambiguous_forms() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 27);
        assert_eq!(parse_anniversary("2025-03-27"), Ok(d));
        assert_eq!(parse_anniversary("27 March 2025"), Ok(d));
        assert_eq!(parse_anniversary("27 Mar 2025"), Ok(d));
        assert_eq!(parse_anniversary(""), Ok(None));
        assert_eq!(parse_anniversary("03/04/2025"), Err("Enter the anniversary date as year, month and day".into()));
        assert_eq!(parse_anniversary("2025-02-30"), Err(t("kpi-error-anniversary-real")));
        assert_eq!(parse_anniversary("2024-02-29"), Ok(NaiveDate::from_ymd_opt(2024, 2, 29)));
        assert!(parse_anniversary("25-03-27").is_err());
    }

    #[test]
    fn only_invoices_are_accepted() {
        assert_eq!(parse_document_type("invoice"), Ok(DocumentType::Invoice));
        assert_eq!(parse_document_type("order_confirmation"), Err(t(ONLY_INVOICES)));
        assert_eq!(parse_document_type("partner_report"), Err(t(ONLY_INVOICES)));
        assert_eq!(parse_document_type(""), Err(t("kpi-error-document-type")));
    }

    #[test]
    fn descriptions_are_bounded_and_keep_line_breaks() {
        assert_eq!(parse_description(" a\r\nb "), Ok(Some("a\nb".into())));
        assert!(parse_description(&"字".repeat(2001)).is_err());
        assert!(parse_description(&"字".repeat(2000)).is_ok());
    }

    #[test]
    fn full_width_input_and_short_years_are_read_as_meant() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).expect("date");
        let mut e = FieldErrors::new();
        let input = KpiInput { month: "４".into(), year: "２０２６".into(), ..KpiInput::default() }.normalised();
        assert_eq!(parse_kpi_month(&input.month, &input.year, today, &mut e), Some((4, 2026)));
        assert!(e.is_empty());
        let mut e = FieldErrors::new();
        assert_eq!(parse_kpi_month("4", "115", today, &mut e), None);
        let said = e.get("year").expect("year error").to_string();
        assert!(said.contains("Republic of China") && said.contains("2026"), "{said}");
        let mut e = FieldErrors::new();
        parse_kpi_month("4", "26", today, &mut e);
        assert_eq!(e.get("year"), Some("Year must include 4 numbers, like 2026"));
        let mut e = FieldErrors::new();
        parse_kpi_month("4", "20266", today, &mut e);
        assert_eq!(e.get("year"), Some("Year must include 4 numbers"));
        assert_eq!(
            parse_kpi_value(&KpiInput { kpi_value: "１２．５".into(), ..KpiInput::default() }.normalised().kpi_value),
            Ok("12.5".into())
        );
    }
}
