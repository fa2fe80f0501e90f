//! Facts printed on an invoice, read from its extracted text so that what a
//! partner typed can be cross-checked: the invoice's date, its grand total
//! and currency, and a Taiwanese e-invoice's two-month period. Pure rules
//! over text (`checks::document` extracts it); every function answers `None`
//! rather than guess when the text does not say.
//!
//! The text is folded first as the classifier folds it (NFKC, so full-width
//! digits and forms read as ASCII; lowercase; Simplified Chinese to
//! Traditional), line by line. Spaces that PDF extraction puts between CJK
//! and digits ("115 年 04 月 17 日") do not matter.

use super::calendar::MONTHS_LOWER;
use chrono::NaiveDate;

use super::document::{folded_lines, is_han, label_at_start};

/// An amount of money as printed: hundredths of the currency unit (so
/// TWD 19,941 is `1_994_100`) and the ISO 4217 code when the document says it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Money {
    /// ISO 4217 code ("USD", "TWD", …), `None` when the document names no currency.
    pub currency: Option<String>,
    /// The amount in hundredths of the unit.
    pub hundredths: i64,
}

/// Years after 1911 in the Republic of China (Minguo) calendar: ROC year 115 is 2026.
const ROC_OFFSET: i32 = 1911;

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A run of ASCII digits, or of Chinese numerals (一 … 十, 〇).
    Num,
    /// A run of letters (not Han).
    Word,
    /// One Han character.
    Han,
    /// Any other character, one at a time.
    Sym,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: Kind,
    /// Char range in the line.
    start: usize,
    end: usize,
    /// Value of a number (saturating); the char of a `Han` or `Sym`.
    value: u64,
    /// Digits in a number.
    digits: usize,
    /// A number written in Chinese numerals.
    han_numeral: bool,
}

fn han_digit(c: char) -> Option<u64> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Chinese numerals: a digit string ("二〇二六" = 2026) or a small number with 十 ("十二" = 12,
/// "二十五" = 25).
fn han_number(run: &[char]) -> Option<u64> {
    if !run.contains(&'十') {
        return run.iter().try_fold(0u64, |n, &c| Some(n.saturating_mul(10).saturating_add(han_digit(c)?)));
    }
    let at = run.iter().position(|&c| c == '十')?;
    let tens = match at {
        0 => 1,
        1 => han_digit(run[0])?,
        _ => return None,
    };
    let units = match &run[at + 1..] {
        [] => 0,
        [c] => han_digit(*c)?,
        _ => return None,
    };
    Some(tens * 10 + units)
}

fn tokens(line: &[char]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        let c = line[i];
        let start = i;
        let tok = |kind, end, value, digits| Tok { kind, start, end, value, digits, han_numeral: false };
        if c.is_ascii_digit() {
            while i < line.len() && line[i].is_ascii_digit() {
                i += 1;
            }
            let value = line[start..i]
                .iter()
                .fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(*d as u8 - b'0')));
            out.push(tok(Kind::Num, i, value, i - start));
        } else if han_digit(c).is_some() || c == '十' {
            while i < line.len() && (han_digit(line[i]).is_some() || line[i] == '十') {
                i += 1;
            }
            match han_number(&line[start..i]) {
                Some(value) => out.push(Tok { han_numeral: true, ..tok(Kind::Num, i, value, i - start) }),
                None => out.extend((start..i).map(|at| Tok {
                    start: at,
                    end: at + 1,
                    ..tok(Kind::Han, at + 1, u64::from(u32::from(line[at])), 0)
                })),
            }
        } else if is_han(c) {
            i += 1;
            out.push(tok(Kind::Han, i, u64::from(u32::from(c)), 0));
        } else if c.is_alphabetic() {
            while i < line.len() && line[i].is_alphabetic() && !is_han(line[i]) {
                i += 1;
            }
            out.push(tok(Kind::Word, i, 0, 0));
        } else if c.is_whitespace() {
            i += 1;
        } else {
            i += 1;
            out.push(tok(Kind::Sym, i, u64::from(u32::from(c)), 0));
        }
    }
    out
}

impl Tok {
    fn is_char(&self, c: char) -> bool {
        matches!(self.kind, Kind::Han | Kind::Sym) && self.value == u64::from(u32::from(c))
    }

    fn num(&self, digits: std::ops::RangeInclusive<usize>) -> Option<u32> {
        (self.kind == Kind::Num && digits.contains(&self.digits) && !self.han_numeral)
            .then(|| u32::try_from(self.value).ok())
            .flatten()
    }

    fn any_num(&self) -> Option<u32> {
        (self.kind == Kind::Num).then(|| u32::try_from(self.value).ok()).flatten()
    }

    fn word(&self, line: &[char]) -> Option<String> {
        (self.kind == Kind::Word).then(|| line[self.start..self.end].iter().collect())
    }
}

// ---------------------------------------------------------------------------------------------
// Dates

/// A date as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Printed {
    Date(NaiveDate),
    /// `a/b/yyyy` (or with `-`), either day/month or month/day.
    Numeric {
        a: u32,
        b: u32,
        year: i32,
    },
}

#[derive(Debug, Clone, Copy)]
struct DateAt {
    printed: Printed,
    /// Char range in the line.
    start: usize,
}

fn month_number(word: &str) -> Option<u32> {
    let word = word.strip_suffix('.').unwrap_or(word);
    if word.len() < 3 {
        return None;
    }
    MONTHS_LOWER
        .iter()
        .position(|m| *m == word || (word.len() == 3 && m.starts_with(word)) || (word == "sept" && *m == "september"))
        .and_then(|n| u32::try_from(n + 1).ok())
}

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if !(1900..=2200).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Every date printed in a folded line. `roc_slashes`: read `115/03/05` as an ROC date (the
/// document is Taiwanese).
fn dates_in(line: &[char], roc_slashes: bool) -> Vec<DateAt> {
    let t = tokens(line);
    let adjacent = |i: usize| t.get(i + 1).is_some_and(|n| t[i].end == n.start);
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let start = t[i].start;
        let found = date_at(line, &t, i, roc_slashes, adjacent);
        match found {
            Some((printed, used)) => {
                out.push(DateAt { printed, start });
                i += used;
            }
            None => i += 1,
        }
    }
    out
}

/// The date starting at token `i`, and how many tokens it spans.
fn date_at(
    line: &[char],
    t: &[Tok],
    i: usize,
    roc_slashes: bool,
    adjacent: impl Fn(usize) -> bool,
) -> Option<(Printed, usize)> {
    let tok = |k: usize| t.get(i + k);
    let first = tok(0)?;
    // Not the tail of a longer number or identifier ("INV-2026-03-05", "12/2026/03/05").
    if let Some(prev) = i.checked_sub(1).map(|p| t[p])
        && prev.end == first.start
        && (matches!(prev.kind, Kind::Num | Kind::Word) || is_joiner(&prev))
    {
        return None;
    }
    // 2026年3月5日, 115年03月05日, 中華民國115年3月5日 (spaces allowed), 二〇二六年三月五日.
    if first.kind == Kind::Num
        && tok(1).is_some_and(|x| x.is_char('年'))
        && let (Some(m), Some(d)) = (tok(2).and_then(Tok::any_num), tok(4).and_then(Tok::any_num))
        && tok(3).is_some_and(|x| x.is_char('月'))
        && tok(5).is_some_and(|x| x.is_char('日') || x.is_char('號'))
    {
        let y = i32::try_from(first.value).ok()?;
        let year = match first.digits {
            4 => y,
            1..=3 if (1..=200).contains(&y) => y + ROC_OFFSET,
            _ => return None,
        };
        return ymd(year, m, d).map(|date| (Printed::Date(date), 6));
    }
    if first.kind == Kind::Num
        && !first.han_numeral
        && let Some(sep_char) =
            tok(1).filter(|s| s.kind == Kind::Sym).and_then(|s| u32::try_from(s.value).ok()).and_then(char::from_u32)
    {
        let numeric = matches!(sep_char, '-' | '/' | '.')
            && adjacent(i)
            && adjacent(i + 1)
            && adjacent(i + 2)
            && adjacent(i + 3)
            && tok(3).is_some_and(|s| s.is_char(sep_char))
            && !continues_number(t, i + 5);
        if numeric {
            let (b, c) = (tok(2)?, tok(4)?);
            // 2026-03-05, 2026/3/5, 2026.03.05
            if let (Some(y), Some(m), Some(d)) = (first.num(4..=4), b.num(1..=2), c.num(1..=2)) {
                return ymd(i32::try_from(y).ok()?, m, d).map(|date| (Printed::Date(date), 5));
            }
            // 115/03/05 in a Taiwanese document
            if sep_char == '/'
                && roc_slashes
                && let (Some(y), Some(m), Some(d)) = (first.num(2..=3), b.num(1..=2), c.num(1..=2))
                && (1..=200).contains(&y)
            {
                return ymd(i32::try_from(y).ok()? + ROC_OFFSET, m, d).map(|date| (Printed::Date(date), 5));
            }
            // 05.03.2026 (day first), 05/03/2026 or 03/05/2026 (either)
            if let (Some(a), Some(bv), Some(y)) = (first.num(1..=2), b.num(1..=2), c.num(4..=4)) {
                let year = i32::try_from(y).ok()?;
                if sep_char == '.' {
                    return ymd(year, bv, a).map(|date| (Printed::Date(date), 5));
                }
                let day_first = ymd(year, bv, a).is_some();
                let month_first = ymd(year, a, bv).is_some();
                return match (day_first, month_first) {
                    (true, true) if a == bv => ymd(year, a, a).map(|date| (Printed::Date(date), 5)),
                    (true, true) => Some((Printed::Numeric { a, b: bv, year }, 5)),
                    (true, false) => ymd(year, bv, a).map(|date| (Printed::Date(date), 5)),
                    (false, true) => ymd(year, a, bv).map(|date| (Printed::Date(date), 5)),
                    (false, false) => None,
                };
            }
        }
    }
    // 5 March 2026, 05-Mar-2026, 5th Mar. 2026
    if let Some(day) = first.num(1..=2) {
        let mut k = 1;
        if tok(k).and_then(|w| w.word(line)).is_some_and(|w| matches!(w.as_str(), "st" | "nd" | "rd" | "th")) {
            k += 1;
        }
        if tok(k).is_some_and(|s| s.is_char('-') || s.is_char('.')) {
            k += 1;
        }
        if let Some(month) = tok(k).and_then(|w| w.word(line)).and_then(|w| month_number(&w)) {
            k += 1;
            if tok(k).is_some_and(|s| s.is_char('-') || s.is_char('.') || s.is_char(',')) {
                k += 1;
            }
            if let Some(y) = tok(k).and_then(|y| y.num(4..=4)) {
                return ymd(i32::try_from(y).ok()?, month, day).map(|date| (Printed::Date(date), k + 1));
            }
        }
    }
    // March 5, 2026; Mar. 5 2026
    if let Some(month) = first.word(line).and_then(|w| month_number(&w)) {
        let mut k = 1;
        if tok(k).is_some_and(|s| s.is_char('.')) {
            k += 1;
        }
        if let Some(day) = tok(k).and_then(|d| d.num(1..=2)) {
            k += 1;
            if tok(k).and_then(|w| w.word(line)).is_some_and(|w| matches!(w.as_str(), "st" | "nd" | "rd" | "th")) {
                k += 1;
            }
            if tok(k).is_some_and(|s| s.is_char(',')) {
                k += 1;
            }
            if let Some(y) = tok(k).and_then(|y| y.num(4..=4)) {
                return ymd(i32::try_from(y).ok()?, month, day).map(|date| (Printed::Date(date), k + 1));
            }
        }
    }
    None
}

/// A separator that joins the parts of an identifier or number.
fn is_joiner(t: &Tok) -> bool {
    t.is_char('-') || t.is_char('/') || t.is_char('.') || t.is_char('_')
}

/// Whether the tokens from `at` continue a number glued to what precedes ("2026-03-05-7").
fn continues_number(t: &[Tok], at: usize) -> bool {
    let (Some(prev), Some(next)) = (at.checked_sub(1).and_then(|p| t.get(p)), t.get(at)) else {
        return false;
    };
    if prev.end != next.start {
        return false;
    }
    match next.kind {
        Kind::Num | Kind::Word => true,
        Kind::Sym if is_joiner(next) => t.get(at + 1).is_some_and(|n| n.start == next.end && n.kind == Kind::Num),
        _ => false,
    }
}

fn label_in(line: &[char], labels: &[&str]) -> Option<usize> {
    labels.iter().filter_map(|l| label_at_start(line, l)).max()
}

/// Labels of the date an invoice was issued.
const ISSUE_DATE_LABELS: &[&str] = &[
    "invoice date",
    "date of invoice",
    "invoice issue date",
    "date of issue",
    "issue date",
    "issued on",
    "date issued",
    "tax point",
    "invoice/tax point date",
    "發票日期",
    "開立日期",
    "開票日期",
    "開立時間",
    "發票開立日期",
    "開具日期",
];

/// Labels that may be the invoice's date when nothing more specific is printed.
const PLAIN_DATE_LABELS: &[&str] = &["date", "dated", "日期"];

/// Labels of other dates, which are never the invoice's.
const OTHER_DATE_LABELS: &[&str] = &[
    "due",
    "payment due",
    "order date",
    "delivery",
    "ship",
    "period",
    "valid",
    "expected",
    "generated",
    "到期",
    "付款",
    "訂購日期",
    "訂單日期",
    "出貨",
    "交貨",
    "下單",
    "有效",
    "期別",
];

/// How `a/b/yyyy` dates are written in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    DayFirst,
    MonthFirst,
}

fn resolve(printed: Printed, order: Option<Order>) -> Option<NaiveDate> {
    match (printed, order) {
        (Printed::Date(date), _) => Some(date),
        (Printed::Numeric { a, b, year }, Some(Order::DayFirst)) => ymd(year, b, a),
        (Printed::Numeric { a, b, year }, Some(Order::MonthFirst)) => ymd(year, a, b),
        (Printed::Numeric { .. }, None) => None,
    }
}

/// Folded lines with the dates in each.
struct Dated {
    lines: Vec<Vec<char>>,
    dates: Vec<Vec<DateAt>>,
    /// A Taiwanese document: `115/03/05` is an ROC date.
    roc: bool,
}

/// How far after its label a value is looked for: lines…
const VALUE_LINES: usize = 8;
/// …and characters.
const VALUE_CHARS: usize = 60;

impl Dated {
    fn new(text: &str) -> Self {
        let lines = folded_lines(text);
        let mut dates: Vec<Vec<DateAt>> = lines.iter().map(|l| dates_in(l, false)).collect();
        let roc = is_taiwanese(&lines, &dates);
        if roc {
            dates = lines.iter().map(|l| dates_in(l, true)).collect();
        }
        Dated { lines, dates, roc }
    }

    /// Whether line `j` starts with the label of a date.
    fn is_date_label(&self, j: usize) -> bool {
        [ISSUE_DATE_LABELS, PLAIN_DATE_LABELS, OTHER_DATE_LABELS].iter().any(|l| label_in(&self.lines[j], l).is_some())
    }

    /// The first date after `from` in line `i`, else in what follows it up to the next date
    /// label: PDF extraction may put the value on the next line, or break it into pieces
    /// ("中華民國\n115\n年\n2\n月\n13\n日").
    fn date_after(&self, i: usize, from: usize) -> Option<Printed> {
        if let Some(d) = self.dates[i].iter().find(|d| d.start >= from) {
            return Some(d.printed);
        }
        let mut window: Vec<char> = self.lines[i][from.min(self.lines[i].len())..].to_vec();
        for j in i + 1..(i + 1 + VALUE_LINES).min(self.lines.len()) {
            if self.is_date_label(j) || window.len() > VALUE_CHARS {
                break;
            }
            window.push(' ');
            window.extend_from_slice(&self.lines[j]);
        }
        dates_in(&window, self.roc).first().map(|d| d.printed)
    }

    /// The first date printed in the document outside the lines of other dates (a thermal
    /// e-invoice prints its date without a label).
    fn first_unlabelled(&self) -> Option<Printed> {
        let mut skip_until = 0;
        for (i, dates) in self.dates.iter().enumerate() {
            if label_in(&self.lines[i], OTHER_DATE_LABELS).is_some() {
                skip_until = i + 2;
                continue;
            }
            if i >= skip_until
                && let Some(d) = dates.first()
            {
                return Some(d.printed);
            }
        }
        None
    }

    /// The date printed next to the first of `labels` found.
    fn labelled(&self, labels: &[&str]) -> Option<Printed> {
        self.lines.iter().enumerate().find_map(|(i, line)| {
            let end = label_in(line, labels)?;
            if label_in(line, OTHER_DATE_LABELS).is_some_and(|other| other >= end) {
                return None;
            }
            self.date_after(i, end)
        })
    }

    /// Day or month first, for dates such as 05/03/2026: from a date in the document that
    /// can only be read one way (13/03/2026), else from the due date, which is not before
    /// the invoice date.
    fn order(&self, issued: Printed) -> Option<Order> {
        let mut day_first = false;
        let mut month_first = false;
        for (line, dates) in self.lines.iter().zip(&self.dates) {
            for d in dates {
                if let Some((a, b)) = unambiguous_numeric(line, d.start) {
                    day_first |= a > 12;
                    month_first |= b > 12;
                }
            }
        }
        match (day_first, month_first) {
            (true, false) => return Some(Order::DayFirst),
            (false, true) => return Some(Order::MonthFirst),
            (true, true) => return None,
            (false, false) => {}
        }
        let due = self.labelled(&["due date", "payment due", "due", "到期日", "付款期限"])?;
        let days = |order| {
            let (i, d) = (resolve(issued, Some(order))?, resolve(due, Some(order))?);
            Some((d - i).num_days()).filter(|n| (0..=180).contains(n))
        };
        match (days(Order::DayFirst), days(Order::MonthFirst)) {
            (Some(_), None) => Some(Order::DayFirst),
            (None, Some(_)) => Some(Order::MonthFirst),
            // Both plausible: the payment terms say which ("30 days net").
            (Some(a), Some(b)) => {
                let terms = self.payment_terms()?;
                match (a == terms, b == terms) {
                    (true, false) => Some(Order::DayFirst),
                    (false, true) => Some(Order::MonthFirst),
                    _ => None,
                }
            }
            (None, None) => None,
        }
    }

    /// The payment terms in days ("Payment terms: 30 days net", "Net 30").
    fn payment_terms(&self) -> Option<i64> {
        self.lines.iter().find_map(|line| {
            let text: String = line.iter().collect();
            if !(text.contains("terms") || text.contains("net")) {
                return None;
            }
            let t = tokens(line);
            t.iter().enumerate().find_map(|(k, tok)| {
                let n = tok.num(1..=3)?;
                let days = t.get(k + 1).and_then(|w| w.word(line)).is_some_and(|w| w == "days");
                let net = k > 0 && t[k - 1].word(line).is_some_and(|w| w == "net");
                (days || net).then_some(i64::from(n))
            })
        })
    }
}

/// `a` and `b` of a numeric `a/b/yyyy` date at `start` that reads only one way (one part is
/// over 12).
fn unambiguous_numeric(line: &[char], start: usize) -> Option<(u32, u32)> {
    let t = tokens(&line[start..line.len().min(start + 12)]);
    let (a, sep, b, sep2, y) = (t.first()?, t.get(1)?, t.get(2)?, t.get(3)?, t.get(4)?);
    let (a, b) = (a.num(1..=2)?, b.num(1..=2)?);
    y.num(4..=4)?;
    let ok = (sep.is_char('/') || sep.is_char('-')) && (sep2.is_char('/') || sep2.is_char('-'));
    (ok && (a > 12) != (b > 12)).then_some((a, b))
}

/// Whether the document is Taiwanese, so that `115/03/05` is an ROC date: it names the ROC
/// (民國), Taiwanese tax or money, or prints a date such as 115年3月5日.
fn is_taiwanese(lines: &[Vec<char>], dates: &[Vec<DateAt>]) -> bool {
    const MARKERS: &[&str] = &["民國", "統一編號", "統一發票", "新臺幣", "nt$", "twd", "電子發票證明聯"];
    let marked = lines.iter().any(|line| {
        line.iter().any(|c| matches!(c, '民' | '統' | '新' | 'n' | 't' | '電'))
            && MARKERS.iter().any(|m| (0..line.len()).any(|at| code_at(line, at, m).is_some()))
    });
    marked
        || lines.iter().zip(dates).any(|(line, dates)| {
            dates.iter().any(|d| {
                let t = tokens(&line[d.start..line.len().min(d.start + 6)]);
                t.first().is_some_and(|y| y.kind == Kind::Num && y.digits <= 3)
                    && t.get(1).is_some_and(|x| x.is_char('年'))
            })
        })
}

/// The date printed as the invoice's date: next to "Invoice date", "Date of issue", "發票日期",
/// "開立日期", "开票日期"… or, failing those, next to "Date" / "日期", or else the first date
/// printed (a thermal e-invoice prints its date unlabelled). Reads Gregorian dates
/// (2026-03-05, 5 March 2026, March 5, 2026, 05-Mar-2026, 05.03.2026, 2026年3月5日) and ROC
/// dates (中華民國115年3月5日, 115年03月05日, and 115/03/05 in a Taiwanese document). A
/// date such as 05/03/2026 is read only when the document settles which part is the day.
pub fn invoice_date(text: &str) -> Option<NaiveDate> {
    let doc = Dated::new(text);
    let printed = doc
        .labelled(ISSUE_DATE_LABELS)
        .or_else(|| doc.labelled(PLAIN_DATE_LABELS))
        .or_else(|| doc.first_unlabelled())?;
    match printed {
        Printed::Date(date) => Some(date),
        numeric => resolve(numeric, doc.order(numeric)),
    }
}

/// The period of a Taiwanese e-invoice, printed as "115年03-04月": the Gregorian year and the
/// first month of the two.
pub fn invoice_period(text: &str) -> Option<(i32, u32)> {
    folded_lines(text).iter().find_map(|line| {
        let t = tokens(line);
        (0..t.len()).find_map(|i| {
            let y = t[i].num(2..=3)?;
            let dash = |k: &Tok| k.is_char('-') || k.is_char('~') || k.is_char('至') || k.is_char('–');
            (t.get(i + 1)?.is_char('年')
                && dash(t.get(i + 3)?)
                && t.get(i + 5)?.is_char('月')
                && (i == 0 || !t[i - 1].is_char('/')))
            .then_some(())?;
            let (first, second) = (t.get(i + 2)?.num(1..=2)?, t.get(i + 4)?.num(1..=2)?);
            let year = i32::try_from(y).ok()? + ROC_OFFSET;
            (first % 2 == 1 && second == first + 1 && (1..=200).contains(&y)).then_some((year, first))
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Amounts

/// A currency as printed, before the document settles `$` and `¥`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cur {
    Code(&'static str),
    /// `$` alone: US dollars unless the document says otherwise.
    Dollar,
    /// `¥` alone: yuan in a Chinese document, yen otherwise.
    Yen,
}

/// Currency codes and signs, folded (lowercase), longest first where one is a prefix.
const CURRENCIES: &[(&str, Cur)] = &[
    ("nt$", Cur::Code("TWD")),
    ("ntd", Cur::Code("TWD")),
    ("twd", Cur::Code("TWD")),
    ("新臺幣", Cur::Code("TWD")),
    ("新台幣", Cur::Code("TWD")),
    ("us$", Cur::Code("USD")),
    ("usd", Cur::Code("USD")),
    ("a$", Cur::Code("AUD")),
    ("au$", Cur::Code("AUD")),
    ("aud", Cur::Code("AUD")),
    ("eur", Cur::Code("EUR")),
    ("€", Cur::Code("EUR")),
    ("gbp", Cur::Code("GBP")),
    ("£", Cur::Code("GBP")),
    ("jpy", Cur::Code("JPY")),
    ("円", Cur::Code("JPY")),
    ("cny", Cur::Code("CNY")),
    ("rmb", Cur::Code("CNY")),
    ("人民幣", Cur::Code("CNY")),
    ("hk$", Cur::Code("HKD")),
    ("hkd", Cur::Code("HKD")),
    ("s$", Cur::Code("SGD")),
    ("sgd", Cur::Code("SGD")),
    ("cad", Cur::Code("CAD")),
    ("chf", Cur::Code("CHF")),
    ("¥", Cur::Yen),
    ("$", Cur::Dollar),
];

/// Whether `code` is written at `start` of `line`; where it ends.
fn code_at(line: &[char], start: usize, code: &str) -> Option<usize> {
    let mut at = start;
    for c in code.chars() {
        if line.get(at) != Some(&c) {
            return None;
        }
        at += 1;
    }
    Some(at)
}

/// The currency sign or code ending just before `at` (spaces allowed between).
fn currency_before(line: &[char], at: usize) -> Option<Cur> {
    let mut end = at;
    while end > 0 && line[end - 1] == ' ' {
        end -= 1;
    }
    CURRENCIES.iter().find_map(|(code, cur)| {
        let start = end.checked_sub(code.chars().count())?;
        let glued =
            code.starts_with(|c: char| c.is_ascii_alphabetic()) && start > 0 && line[start - 1].is_ascii_alphabetic();
        (code_at(line, start, code) == Some(end) && !glued).then_some(*cur)
    })
}

/// The currency sign or code starting just after `at` (spaces allowed between).
fn currency_after(line: &[char], at: usize) -> Option<Cur> {
    let mut start = at;
    while line.get(start) == Some(&' ') {
        start += 1;
    }
    let first = *line.get(start)?;
    // Asked at every word start of every line: the codes are looked up by
    // their first character instead of tried one by one.
    static BY_FIRST: std::sync::LazyLock<std::collections::HashMap<char, Vec<(&'static str, Cur)>>> =
        std::sync::LazyLock::new(|| {
            let mut map: std::collections::HashMap<char, Vec<(&'static str, Cur)>> = std::collections::HashMap::new();
            for (code, cur) in CURRENCIES {
                if let Some(c) = code.chars().next() {
                    map.entry(c).or_default().push((code, *cur));
                }
            }
            map
        });
    BY_FIRST.get(&first)?.iter().find_map(|(code, cur)| {
        let end = code_at(line, start, code)?;
        let glued =
            code.ends_with(|c: char| c.is_ascii_alphabetic()) && line.get(end).is_some_and(char::is_ascii_alphabetic);
        (!glued && !matches!(cur, Cur::Dollar)).then_some(*cur)
    })
}

/// An amount found in a line.
#[derive(Debug, Clone, Copy)]
struct AmountAt {
    hundredths: i64,
    currency: Option<Cur>,
    /// Written with a decimal part, grouping or a currency: plainly money.
    moneylike: bool,
}

/// The amounts in a folded line: numbers that are not part of a date, an identifier or a
/// percentage. `1,234.56`, `1.234,56`, `1234.5`, `37,250` and `NT$ 37,250` are read;
/// `2026-03-05`, `INV-2026`, `19%` and `115年` are not.
fn amounts_in(line: &[char]) -> Vec<AmountAt> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        if !line[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < line.len()
            && (line[i].is_ascii_digit()
                || (matches!(line[i], ',' | '.' | '\'') && line.get(i + 1).is_some_and(char::is_ascii_digit)))
        {
            i += 1;
        }
        let end = i;
        let before = start.checked_sub(1).map(|p| line[p]);
        let before2 = start.checked_sub(2).map(|p| line[p]);
        let after = line.get(end).copied();
        let after2 = line.get(end + 1).copied();
        let glued_before = before.is_some_and(|c| c.is_ascii_alphanumeric() && !currency_sign_end(line, start))
            || (matches!(before, Some('-' | '/' | '.' | '_' | ':'))
                && before2.is_some_and(|c| c.is_ascii_alphanumeric()));
        let glued_after = after.is_some_and(|c| c.is_ascii_alphabetic() && currency_after(line, end).is_none())
            || matches!(after, Some('%' | '年' | '月' | '日' | '時' | ':' | '號' | '天' | '个' | '個'))
            || (matches!(after, Some('-' | '/' | '_')) && after2.is_some_and(|c| c.is_ascii_alphanumeric()));
        if glued_before || glued_after {
            continue;
        }
        let Some((hundredths, formatted)) = parse_amount(&line[start..end]) else { continue };
        let negative = matches!(before, Some('-' | '−')) || (before == Some(' ') && before2 == Some('-'));
        let currency = currency_before(line, start).or_else(|| currency_after(line, end));
        let hundredths = if negative { -hundredths } else { hundredths };
        out.push(AmountAt { hundredths, currency, moneylike: formatted || currency.is_some() });
    }
    out
}

/// Whether a currency code or sign ends at `at` ("usd1,250.00", "nt$").
fn currency_sign_end(line: &[char], at: usize) -> bool {
    currency_before(line, at).is_some()
}

/// Reads `1,234.56` / `1.234,56` / `1'234.56` / `37,250` / `1234.5`; the flag says it had a
/// decimal part or grouping.
fn parse_amount(s: &[char]) -> Option<(i64, bool)> {
    let seps: Vec<(usize, char)> =
        s.iter().enumerate().filter(|(_, c)| !c.is_ascii_digit()).map(|(i, c)| (i, *c)).collect();
    let digits = |part: &[char]| -> Option<i64> {
        part.iter().try_fold(0i64, |n, c| n.checked_mul(10)?.checked_add(i64::from(c.to_digit(10)?)))
    };
    let Some(&(last_at, last)) = seps.last() else {
        return Some((digits(s)?.checked_mul(100)?, false));
    };
    let tail = s.len() - last_at - 1;
    let decimal = (tail == 1 || tail == 2) && seps.iter().filter(|(_, c)| *c == last).count() == 1;
    let (int_part, frac) = if decimal { (&s[..last_at], &s[last_at + 1..]) } else { (s, &s[s.len()..]) };
    // Grouping: one kind of separator, groups of three after the first.
    let groups: Vec<&[char]> = int_part.split(|c| !c.is_ascii_digit()).collect();
    if groups.len() > 1 {
        let grouping: Vec<char> = int_part.iter().filter(|c| !c.is_ascii_digit()).copied().collect();
        if grouping.iter().any(|c| *c != grouping[0])
            || (decimal && grouping[0] == last)
            || groups[0].is_empty()
            || groups[0].len() > 3
            || groups[1..].iter().any(|g| g.len() != 3)
        {
            return None;
        }
    }
    let whole: Vec<char> = int_part.iter().filter(|c| c.is_ascii_digit()).copied().collect();
    let cents = match frac.len() {
        0 => 0,
        1 => digits(frac)? * 10,
        _ => digits(frac)?,
    };
    Some((digits(&whole)?.checked_mul(100)?.checked_add(cents)?, true))
}

/// Labels of an invoice's grand total, with how sure each is (higher wins).
const TOTAL_LABELS: &[(&str, u8)] = &[
    ("grand total", 3),
    ("invoice total", 3),
    ("total due", 3),
    ("total amount due", 3),
    ("amount due", 3),
    ("balance due", 3),
    ("total payable", 3),
    ("amount payable", 3),
    ("total to pay", 3),
    ("total (incl", 3),
    ("total incl", 3),
    ("total including", 3),
    ("total amount", 2),
    ("total", 2),
    ("總計", 3),
    ("總金額", 3),
    ("應付金額", 3),
    ("應付總額", 3),
    ("價稅合計", 3),
    ("(小寫)", 3),
    ("小寫", 3),
    ("合計", 1),
    ("總額", 2),
];

/// Lines starting with these are never the grand total.
const NOT_TOTAL: &[&str] = &[
    "subtotal",
    "sub-total",
    "sub total",
    "total (excl",
    "total excl",
    "total net",
    "total tax",
    "total vat",
    "total before",
    "合計(未稅)",
    "合計(不含稅)",
    "total credit",
];

/// The invoice's grand total: the amount next to "Grand total", "Total due", "Amount due",
/// "Invoice total", "Total", "總計", "价税合计"… (the most specific label wins, then the
/// largest amount, so a subtotal or tax line never does), with its currency: the sign or code
/// next to it (NT$, A$, €, £, ¥, USD…), or the document's currency.
pub fn invoice_total(text: &str) -> Option<Money> {
    let lines = folded_lines(text);
    let mut best: Option<(u8, AmountAt)> = None;
    for (i, line) in lines.iter().enumerate() {
        let Some((end, rank)) = TOTAL_LABELS
            .iter()
            .filter_map(|(label, rank)| label_at_start(line, label).map(|end| (end, *rank)))
            .max_by_key(|(end, rank)| (*rank, *end))
        else {
            continue;
        };
        if NOT_TOTAL.iter().any(|l| label_at_start(line, l).is_some()) {
            continue;
        }
        let mut here: Vec<char> = line[end..].to_vec();
        // The amount may be on the next lines (PDF extraction often gives each table cell a
        // line of its own: "Total\nAUD 4,252.48", "總計\nNT$\n49,803").
        if amounts_in(&here).is_empty() {
            for next in lines.iter().skip(i + 1).take(3) {
                if !is_amount_only(next) {
                    break;
                }
                here.push(' ');
                here.extend_from_slice(next);
                if !amounts_in(next).is_empty() {
                    break;
                }
            }
        }
        let found = amounts_in(&here);
        let amount = found.iter().rev().find(|a| a.moneylike).or(found.last()).copied();
        let Some(mut amount) = amount else { continue };
        if amount.currency.is_none() {
            amount.currency = currency_before(line, end).or_else(|| currency_after(line, end));
        }
        let better = match &best {
            None => true,
            Some((r, b)) => rank > *r || (rank == *r && amount.hundredths >= b.hundredths),
        };
        if better && amount.hundredths > 0 {
            best = Some((rank, amount));
        }
    }
    let (_, amount) = best?;
    let document = document_currency(&lines);
    let currency = match amount.currency {
        Some(Cur::Code(code)) => Some(code),
        Some(sign) => settle(sign, &lines, document),
        None => document,
    };
    Some(Money { currency: currency.map(str::to_owned), hundredths: amount.hundredths })
}

/// Whether a line holds only an amount and currency signs or codes ("AUD 4,252.48", "NT$",
/// "49,803", "12,345 元").
fn is_amount_only(line: &[char]) -> bool {
    let mut at = 0;
    while at < line.len() {
        let c = line[at];
        if c.is_ascii_digit() || c.is_whitespace() || matches!(c, ',' | '.' | '\'' | '-' | '−' | '(' | ')' | ':') {
            at += 1;
        } else if let Some(end) = CURRENCIES.iter().find_map(|(code, _)| code_at(line, at, code)) {
            at = end;
        } else if matches!(c, '元' | '圓' | '整') {
            at += 1;
        } else {
            return false;
        }
    }
    true
}

/// `$` or `¥` made definite by the rest of the document.
fn settle(sign: Cur, lines: &[Vec<char>], document: Option<&'static str>) -> Option<&'static str> {
    match sign {
        Cur::Code(code) => Some(code),
        Cur::Dollar => {
            Some(document.filter(|c| matches!(*c, "USD" | "AUD" | "TWD" | "HKD" | "SGD" | "CAD")).unwrap_or("USD"))
        }
        Cur::Yen => Some(match document {
            Some(c @ ("JPY" | "CNY")) => c,
            _ if lines.iter().flatten().any(|c| is_han(*c)) => "CNY",
            _ => "JPY",
        }),
    }
}

/// The currency the document's amounts are in: the one named most often (a "Currency" /
/// "幣別" / "币种" field counts most), else none.
fn document_currency(lines: &[Vec<char>]) -> Option<&'static str> {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let mut add = |code: &'static str, n: usize| match counts.iter_mut().find(|(c, _)| *c == code) {
        Some((_, k)) => *k += n,
        None => counts.push((code, n)),
    };
    let mut signs = (0usize, 0usize);
    for line in lines {
        let field = ["currency", "幣別", "幣種", "貨幣"].iter().any(|l| label_at_start(line, l).is_some());
        for at in 0..line.len() {
            let boundary = at == 0 || !line[at - 1].is_ascii_alphabetic();
            if !boundary {
                continue;
            }
            if let Some(cur) = currency_after(line, at).filter(|_| line[at] != ' ') {
                match cur {
                    Cur::Code(code) => add(code, if field { 50 } else { 1 }),
                    Cur::Yen => signs.1 += 1,
                    Cur::Dollar => {}
                }
            } else if line[at] == '$' {
                signs.0 += 1;
            }
        }
    }
    let best = counts.iter().max_by_key(|(_, n)| *n).map(|(c, _)| *c);
    best.or(if signs.1 > 0 { settle(Cur::Yen, lines, None) } else { None })
        .or(if signs.0 > 0 { Some("USD") } else { None })
        .or_else(|| {
            let han: String = lines.iter().flatten().filter(|c| is_han(**c)).collect();
            let dates: Vec<Vec<DateAt>> = lines.iter().map(|l| dates_in(l, false)).collect();
            if is_taiwanese(lines, &dates) || han.contains("營業稅") {
                Some("TWD")
            } else if ["增值稅", "納稅人識別號", "價稅合計", "人民幣"].iter().any(|m| han.contains(m)) {
                Some("CNY")
            } else {
                None
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn money(currency: &str, hundredths: i64) -> Option<Money> {
        Some(Money { currency: (!currency.is_empty()).then(|| currency.to_owned()), hundredths })
    }

    #[test]
    fn invoice_dates_in_every_form() {
        let cases = [
            ("Invoice date: 2026-03-05", date(2026, 3, 5)),
            ("Invoice date 5 March 2026\nDue date 4 April 2026", date(2026, 3, 5)),
            ("Date of issue\nMarch 5, 2026", date(2026, 3, 5)),
            ("Date: 05-Mar-2026", date(2026, 3, 5)),
            ("Invoice date 05.03.2026", date(2026, 3, 5)),
            ("Invoice date 2026/3/5", date(2026, 3, 5)),
            ("Invoice date: 5th Mar. 2026", date(2026, 3, 5)),
            ("Due date 2026-04-04\nInvoice date 2026-03-05", date(2026, 3, 5)),
            ("Invoice date 13/03/2026", date(2026, 3, 13)),
            ("Invoice date 03/13/2026", date(2026, 3, 13)),
            // Which part is the day: another date in the document, or the due date.
            ("Invoice date 05/03/2026\nDelivered 20/02/2026", date(2026, 3, 5)),
            ("Invoice date 05/03/2026\nDue date 04/04/2026", date(2026, 3, 5)),
            ("Invoice date 03/05/2026\nDue date 04/04/2026", date(2026, 3, 5)),
            ("Invoice date 05/03/2026", None),
            // Both orders plausible: the payment terms settle it.
            ("Invoice date 01/02/2026\nDue date 03/03/2026\nPayment terms: 30 days net", date(2026, 2, 1)),
            ("Invoice date 01/02/2026\nDue date 03/03/2026\nPayment terms: Net 60", date(2026, 1, 2)),
            ("發票日期：中華民國115年3月5日", date(2026, 3, 5)),
            ("發票日期 115年03月05日", date(2026, 3, 5)),
            ("開立日期 115 年 04 月 17 日", date(2026, 4, 17)),
            ("發票日期：中華民國 114 年 12 月 15 日", date(2025, 12, 15)),
            ("統一編號 12345678\n發票日期 115/03/05", date(2026, 3, 5)),
            ("发票日期：2026年03月05日", date(2026, 3, 5)),
            ("开票日期 2026年3月5日", date(2026, 3, 5)),
            ("开票日期：二〇二六年三月五日", date(2026, 3, 5)),
            ("開票日期：２０２６年３月５日", date(2026, 3, 5)),
            ("開立時間 2026-02-02 14:03:59", date(2026, 2, 2)),
            ("日期：2026-01-06", date(2026, 1, 6)),
            ("Order date 2026-01-06", None),
            ("Invoice INV-2026-03-05", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(invoice_date(text), expected, "{text:?}");
        }
    }

    #[test]
    fn a_specific_label_wins_over_a_plain_date() {
        assert_eq!(invoice_date("Date 2026-01-01\nInvoice date 2026-03-05"), date(2026, 3, 5));
    }

    #[test]
    fn roc_slashes_need_a_taiwanese_document() {
        assert_eq!(invoice_date("Date 115/03/05"), None);
        assert_eq!(invoice_date("中華民國\nDate 115/03/05"), date(2026, 3, 5));
    }

    #[test]
    fn e_invoice_period() {
        assert_eq!(invoice_period("電子發票證明聯\n115年03-04月"), Some((2026, 3)));
        assert_eq!(invoice_period("114 年 11-12 月"), Some((2025, 11)));
        assert_eq!(invoice_period("115年04-05月"), None);
        assert_eq!(invoice_period("no period"), None);
    }

    #[test]
    fn totals_in_every_form() {
        let cases = [
            ("Subtotal USD 1,000.00\nSales tax 8.625% USD 86.25\nTotal due USD 1,086.25", money("USD", 108_625)),
            ("Subtotal 2.219,54 €\nVAT 19% 421,71 €\nAmount due 2.641,25 €", money("EUR", 264_125)),
            ("Total (incl. GST) A$2,589.47", money("AUD", 258_947)),
            ("Grand total £4,801.80", money("GBP", 480_180)),
            ("Currency JPY\nTotal 65,098", money("JPY", 6_509_800)),
            ("Invoice total ¥65,098", money("JPY", 6_509_800)),
            ("Total\n$1,933.58", money("USD", 193_358)),
            ("Subtotal 90.00\nTotal 100.00\nTotal EUR 100.00", money("EUR", 10_000)),
            ("統一編號 12345678\n總計 NT$ 37,250", money("TWD", 3_725_000)),
            ("總計 NT$\n37,250", money("TWD", 3_725_000)),
            ("統一發票\n銷售額合計 35,476\n營業稅 1,774\n總計 37,250", money("TWD", 3_725_000)),
            (
                "合计 ¥75,463.69　　¥9,810.28\n价税合计（大写） ⓧ捌万伍仟贰佰柒拾叁圆玖角柒分\n（小写） ¥85,273.97",
                money("CNY", 8_527_397),
            ),
            ("总计 Total USD 7,431.18", money("USD", 743_118)),
            ("Total (14 invoices) EUR 183,509.08", money("EUR", 18_350_908)),
            ("Subtotal 100.00", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(invoice_total(text), expected, "{text:?}");
        }
    }

    #[test]
    fn amounts_skip_dates_identifiers_and_percentages() {
        let found: Vec<i64> =
            amounts_in(&"inv-2026-0423 2026-03-05 19% 1,250.50 115年 -12.00".chars().collect::<Vec<_>>())
                .iter()
                .map(|a| a.hundredths)
                .collect();
        assert_eq!(found, vec![125_050, -1_200]);
    }
}
