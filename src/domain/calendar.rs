//! Calendar rules of the partner programme.
//!
//! Pure date arithmetic (no I/O, no clock reads): KPI visibility, monthly
//! directory batches, business days, partner anniversaries and renewal
//! windows, plus the date formats shown to partners and staff.
//!
//! Every function is total: invalid months yield `None`/`false`, and
//! arithmetic that would leave chrono's representable range saturates at
//! [`NaiveDate::MIN`] / [`NaiveDate::MAX`] (or the nearest weekday) instead of
//! panicking. Such dates are far outside any real case.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Day of the month on which KPI reports are refreshed.
pub const KPI_REFRESH_DAY: u32 = 15;

/// First day of a directory batch's submission window (third week).
pub const BATCH_OPENS_DAY: u32 = 15;

/// Last day (inclusive) of a directory batch's submission window.
pub const BATCH_CLOSES_DAY: u32 = 21;

/// Day of the following month by which a directory batch is visible.
pub const BATCH_VISIBLE_BY_DAY: u32 = 7;

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Returns `true` if `month` is a valid month number (1–12).
pub fn is_valid_month(month: u32) -> bool {
    (1..=12).contains(&month)
}

/// The (year, month) following the given one; `None` for an invalid month or
/// when the year would overflow.
pub fn next_month(year: i32, month: u32) -> Option<(i32, u32)> {
    if !is_valid_month(month) {
        return None;
    }
    if month == 12 { Some((year.checked_add(1)?, 1)) } else { Some((year, month + 1)) }
}

/// Number of days in the given month, or `None` for an invalid month or a
/// year chrono cannot represent.
pub fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    match next_month(year, month).and_then(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1)) {
        Some(next_first) => u32::try_from(next_first.signed_duration_since(first).num_days()).ok(),
        // Only December of the last representable year lands here.
        None => Some(31),
    }
}

/// The date from which the KPI for an invoice dated in `month` of `year`
/// becomes visible: the 15th ([`KPI_REFRESH_DAY`]) of the following month.
///
/// December 2026 → 15 January 2027. Returns `None` for an invalid month (or a
/// year outside chrono's range).
pub fn kpi_visible_from(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = next_month(year, month)?;
    NaiveDate::from_ymd_opt(y, m, KPI_REFRESH_DAY)
}

/// Adds (or, if negative, subtracts) calendar months, clamping the day to the
/// length of the target month: 31 January + 1 month = 28 February (29 in a
/// leap year).
///
/// Saturates at [`NaiveDate::MIN`] / [`NaiveDate::MAX`] if the result is not
/// representable.
pub fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    let index = i64::from(date.year()) * 12 + i64::from(date.month0()) + i64::from(months);
    let saturated = if months < 0 { NaiveDate::MIN } else { NaiveDate::MAX };
    let Ok(year) = i32::try_from(index.div_euclid(12)) else {
        return saturated;
    };
    // rem_euclid(12) is in 0..12, so the conversion cannot fail.
    let month = u32::try_from(index.rem_euclid(12)).unwrap_or(0) + 1;
    let Some(last_day) = days_in_month(year, month) else {
        return saturated;
    };
    NaiveDate::from_ymd_opt(year, month, date.day().min(last_day)).unwrap_or(saturated)
}

/// The monthly directory batch: additions are submitted during the third
/// week of `month` (days 15–21) and become visible by the 7th of the
/// following month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchWindow {
    /// Year of the batch month.
    pub year: i32,
    /// Batch month (1–12).
    pub month: u32,
    /// First day of the submission window (the 15th).
    pub opens: NaiveDate,
    /// Last day of the submission window, inclusive (the 21st).
    pub closes: NaiveDate,
    /// Date by which the batch is visible in the directory (the 7th of the
    /// following month).
    pub visible_by: NaiveDate,
}

impl BatchWindow {
    /// Returns `true` if `d` lies inside the submission window (15th–21st
    /// inclusive).
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.opens <= d && d <= self.closes
    }

    /// Stable machine key of the batch, `"YYYY-MM"` (e.g. `"2026-12"`).
    /// Round-trips through [`parse_batch_key`] for years 0–9999.
    pub fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// Human label of the batch month, e.g. `"December 2026"`.
    pub fn label(&self) -> String {
        format!("{} {}", month_name(self.month), self.year)
    }
}

/// The directory batch of the given month, or `None` for an invalid month
/// (or a year outside chrono's range).
pub fn batch_for_month(year: i32, month: u32) -> Option<BatchWindow> {
    let (next_y, next_m) = next_month(year, month)?;
    Some(BatchWindow {
        year,
        month,
        opens: NaiveDate::from_ymd_opt(year, month, BATCH_OPENS_DAY)?,
        closes: NaiveDate::from_ymd_opt(year, month, BATCH_CLOSES_DAY)?,
        visible_by: NaiveDate::from_ymd_opt(next_y, next_m, BATCH_VISIBLE_BY_DAY)?,
    })
}

/// The first monthly batch whose submission window has not closed on `on`:
/// this month's batch up to and including the 21st, next month's from the
/// 22nd.
///
/// For dates in the last representable months (year 262 142), where no such
/// batch can be expressed, returns a degenerate window whose dates are all
/// [`NaiveDate::MAX`].
pub fn batch_for_request(on: NaiveDate) -> BatchWindow {
    let (year, month) = (on.year(), on.month());
    let batch = if on.day() <= BATCH_CLOSES_DAY {
        batch_for_month(year, month)
    } else {
        next_month(year, month).and_then(|(y, m)| batch_for_month(y, m))
    };
    batch.unwrap_or(BatchWindow {
        year,
        month,
        opens: NaiveDate::MAX,
        closes: NaiveDate::MAX,
        visible_by: NaiveDate::MAX,
    })
}

/// Parses a batch key as produced by [`BatchWindow::key`]: exactly
/// `"YYYY-MM"` (four-digit year, two-digit month). Anything else, including
/// month `00`/`13`, yields `None`.
pub fn parse_batch_key(s: &str) -> Option<BatchWindow> {
    let bytes = s.as_bytes();
    if bytes.len() != 7 || bytes[4] != b'-' {
        return None;
    }
    let (y, m) = (&s[..4], &s[5..]);
    if !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    batch_for_month(y.parse().ok()?, m.parse().ok()?)
}

/// Returns `true` for Saturdays and Sundays.
pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The latest representable weekday (used when business-day arithmetic
/// overflows).
fn last_weekday() -> NaiveDate {
    let mut d = NaiveDate::MAX;
    while is_weekend(d) {
        match d.pred_opt() {
            Some(p) => d = p,
            None => break,
        }
    }
    d
}

/// Days off on which no business day is counted, besides weekends (public
/// holidays). Cheap to clone; empty by default (weekends only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays(std::sync::Arc<std::collections::BTreeSet<NaiveDate>>);

impl Holidays {
    /// These dates.
    pub fn new(dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self(std::sync::Arc::new(dates.into_iter().collect()))
    }

    /// True on a listed day.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.0.contains(&d)
    }

    /// How many days are listed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when none is.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Listed days in `(after, up_to]` that fall on a weekday (a holiday on
    /// a weekend costs no business day).
    fn weekdays_in(&self, after: NaiveDate, up_to: NaiveDate) -> u32 {
        if up_to <= after {
            return 0;
        }
        let from = after.succ_opt().unwrap_or(after);
        let n = self.0.range(from..=up_to).filter(|d| !is_weekend(**d)).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Parses a list of dates, one `YYYY-MM-DD` per line; blank lines and
    /// text after `#` are ignored. The error names the line.
    pub fn parse_list(text: &str) -> Result<Self, String> {
        let mut dates = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let date = NaiveDate::parse_from_str(line, "%Y-%m-%d")
                .map_err(|_| format!("line {}: {line:?} is not a date like 2026-01-01", n + 1))?;
            dates.push(date);
        }
        Ok(Self::new(dates))
    }
}

/// [`add_business_days`] that skips `holidays` as well as weekends: the
/// earliest business day `d ≥ from` with at least `days` business days in
/// `(from, d]`. Works in jumps (weekends by arithmetic, then the holidays
/// the jump crossed), so it costs nothing like `days` steps.
pub fn add_business_days_on(from: NaiveDate, days: u32, holidays: &Holidays) -> NaiveDate {
    let mut d = add_business_days(from, days);
    let mut counted = from;
    if days == 0 && holidays.contains(d) {
        // Zero days from a day off: the first business day after it.
        counted = d;
        d = add_business_days(d, 1);
    }
    loop {
        let crossed = holidays.weekdays_in(counted, d);
        if crossed == 0 {
            return d;
        }
        counted = d;
        d = add_business_days(d, crossed);
    }
}

/// Business days in `(from, to]` (0 when `to` is not after `from`).
pub fn business_days_between(from: NaiveDate, to: NaiveDate, holidays: &Holidays) -> u32 {
    if to <= from {
        return 0;
    }
    let n = to.signed_duration_since(from).num_days();
    let mut weekdays = u32::try_from(n / 7).unwrap_or(u32::MAX).saturating_mul(5);
    let mut d = from.checked_add_days(Days::new(u64::try_from(n / 7 * 7).unwrap_or(0))).unwrap_or(to);
    while d < to {
        d = d.succ_opt().unwrap_or(to);
        if !is_weekend(d) {
            weekdays = weekdays.saturating_add(1);
        }
    }
    weekdays.saturating_sub(holidays.weekdays_in(from, to))
}

/// Adds `days` business days (Monday–Friday) to `from`.
///
/// `from` itself never counts: Friday + 1 = Monday, Saturday + 1 = Monday,
/// Monday + 5 = next Monday.
///
/// **Zero days** (decision): the result is the earliest business day on or
/// after `from`, i.e. `from` itself on a weekday and the following Monday on
/// a weekend. So the result is *never* a weekend day, and a due date counted
/// from a weekend start is always a working day. (Saturday + 0 and
/// Saturday + 1 are therefore both Monday.)
///
/// Formally: the earliest weekday `d ≥ from` with at least `days` weekdays in
/// `(from, d]`. The result is monotone (non-decreasing) in both `from` and
/// `days`. Saturates at the latest representable weekday.
pub fn add_business_days(from: NaiveDate, days: u32) -> NaiveDate {
    let mut d = from;
    let mut days = days;
    if is_weekend(d) {
        // From a weekend day the first business day after `from` is the
        // following Monday: move there, and let it count as one of the days
        // (for zero days it is simply the earliest business day on or after
        // `from`).
        while is_weekend(d) {
            match d.succ_opt() {
                Some(next) => d = next,
                None => return last_weekday(),
            }
        }
        days = days.saturating_sub(1);
    }
    // Whole weeks: five business days are exactly seven calendar days.
    let whole_weeks = u64::from(days / 5) * 7;
    let Some(mut d) = d.checked_add_days(Days::new(whole_weeks)) else {
        return last_weekday();
    };
    for _ in 0..days % 5 {
        loop {
            match d.succ_opt() {
                Some(next) => d = next,
                None => return last_weekday(),
            }
            if !is_weekend(d) {
                break;
            }
        }
    }
    d
}

/// The anniversary's month and day placed in `year`; a 29 February
/// anniversary falls on 28 February in non-leap years. `None` if `year` is
/// outside chrono's range.
pub fn anniversary_in_year(anniversary: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, anniversary.month(), anniversary.day()).or_else(|| {
        // Only 29 February can be missing from a valid year.
        NaiveDate::from_ymd_opt(year, anniversary.month(), 28)
    })
}

/// The partner's next anniversary: the first date on or after `today` with
/// the anniversary's month and day (29 February → 28 February in non-leap
/// years). The year of `anniversary` is ignored. If `today` is the
/// anniversary, that is `today`.
///
/// Saturates at [`NaiveDate::MAX`] past the representable range.
pub fn next_anniversary(anniversary: NaiveDate, today: NaiveDate) -> NaiveDate {
    let this_year = today.year();
    [Some(this_year), this_year.checked_add(1)]
        .into_iter()
        .flatten()
        .filter_map(|y| anniversary_in_year(anniversary, y))
        .find(|d| *d >= today)
        .unwrap_or(NaiveDate::MAX)
}

/// The 12 months of performance activity counting toward a renewal:
/// `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RenewalWindow {
    /// First day of the window (inclusive): the previous anniversary.
    pub start: NaiveDate,
    /// End of the window (exclusive): the next anniversary, i.e. the renewal
    /// date.
    pub end: NaiveDate,
}

impl RenewalWindow {
    /// Returns `true` if `d` lies in `[start, end)`.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d < self.end
    }

    /// The last day inside the window (the day before `end`), for display.
    pub fn last_day(&self) -> NaiveDate {
        self.end.pred_opt().unwrap_or(self.end)
    }
}

/// The renewal window for a partner as seen on `today`: it ends (exclusive)
/// on [`next_anniversary`] and starts (inclusive) on the previous year's
/// anniversary.
///
/// The start is the anniversary placed in the previous year, which equals
/// "end minus 12 months" in every case except a 29 February anniversary
/// ending in a non-leap year: the window ending 28 Feb 2025 starts on
/// 29 Feb 2024 (the actual previous anniversary), not 28 Feb 2024. This keeps
/// consecutive windows back to back without overlap. A window is always 365
/// or 366 days long.
pub fn renewal_window(anniversary: NaiveDate, today: NaiveDate) -> RenewalWindow {
    let end = next_anniversary(anniversary, today);
    let start = end
        .year()
        .checked_sub(1)
        .and_then(|y| anniversary_in_year(anniversary, y))
        .unwrap_or_else(|| add_months(end, -12));
    RenewalWindow { start, end }
}

/// Whether an invoice dated in `month` of `year` counts toward the renewal
/// window `w`.
///
/// Invoices carry only a month, not a day, so the partner gets the benefit of
/// the doubt: the invoice counts if **any** day of that month lies in the
/// window. E.g. for a window starting 20 March 2025, a March 2025 invoice
/// counts. Returns `false` for an invalid month.
pub fn invoice_month_in_window(year: i32, month: u32, w: &RenewalWindow) -> bool {
    let (Some(first), Some(len)) = (NaiveDate::from_ymd_opt(year, month, 1), days_in_month(year, month)) else {
        return false;
    };
    let last = NaiveDate::from_ymd_opt(year, month, len).unwrap_or(first);
    first < w.end && last >= w.start
}

/// The month names in lower case, as forms and documents are matched.
pub const MONTHS_LOWER: [&str; 12] = [
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
];

/// English month name (`1` → `"January"`); an empty string for an invalid
/// month.
pub fn month_name(month: u32) -> &'static str {
    usize::try_from(month).ok().and_then(|m| m.checked_sub(1)).and_then(|i| MONTH_NAMES.get(i)).copied().unwrap_or("")
}

/// A moment (stored in UTC) as a reader in `zone` reads it, naming the zone:
/// `"5 December 2026 at 02:35 (Taipei time, UTC+8)"`, or `"… at 18:35 UTC"`.
pub fn long_time(at: chrono::NaiveDateTime, zone: chrono_tz::Tz) -> String {
    use chrono::{Offset, TimeZone};
    if zone == chrono_tz::UTC {
        return format!("{} at {} UTC", long_date(at.date()), at.format("%H:%M"));
    }
    let local = zone.from_utc_datetime(&at);
    let seconds = local.offset().fix().local_minus_utc();
    let (sign, abs) = if seconds < 0 { ('-', -seconds) } else { ('+', seconds) };
    let offset = match abs % 3600 {
        0 => format!("UTC{sign}{}", abs / 3600),
        m => format!("UTC{sign}{}:{:02}", abs / 3600, m / 60),
    };
    let city = zone.name().rsplit('/').next().unwrap_or(zone.name()).replace('_', " ");
    format!("{} at {} ({city} time, {offset})", long_date(local.date_naive()), local.format("%H:%M"))
}

/// Parses an IANA time zone name (`Asia/Taipei`); the message names the rule.
pub fn parse_time_zone(raw: &str) -> Result<chrono_tz::Tz, String> {
    raw.trim().parse::<chrono_tz::Tz>().map_err(|_| {
        format!("“{}” is not a time zone: use an IANA name like Asia/Taipei, Europe/London or UTC", raw.trim())
    })
}

/// Long date for sentences: `"15 April 2025"` (no leading zero, no ordinal).
pub fn long_date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), month_name(d.month()), d.year())
}

/// Short date for tables: `"3 Mar 2025"`.
pub fn short_date(d: NaiveDate) -> String {
    let name = month_name(d.month());
    format!("{} {} {}", d.day(), name.get(..3).unwrap_or(name), d.year())
}

/// Returns `true` if `month` of `year` is valid and not after the month
/// containing `today` (the current month counts as not in the future).
pub fn month_not_in_future(year: i32, month: u32, today: NaiveDate) -> bool {
    is_valid_month(month) && (year, month) <= (today.year(), today.month())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    // ---- Holidays -------------------------------------------------------

    /// One day at a time: the reference the jumping version must match.
    fn step_by_step(from: NaiveDate, days: u32, holidays: &Holidays) -> NaiveDate {
        let off = |d: NaiveDate| is_weekend(d) || holidays.contains(d);
        let mut d = from;
        if days == 0 {
            while off(d) {
                d = d.succ_opt().unwrap();
            }
            return d;
        }
        let mut left = days;
        while left > 0 {
            d = d.succ_opt().unwrap();
            if !off(d) {
                left -= 1;
            }
        }
        d
    }

    #[test]
    fn holidays_are_skipped_like_weekends() {
        let christmas = Holidays::new([d(2026, 12, 25), d(2027, 1, 1)]);
        // Thursday 24 December + 1 business day: Friday is Christmas, so Monday.
        assert_eq!(add_business_days_on(d(2026, 12, 24), 1, &christmas), d(2026, 12, 28));
        // Five business days from Monday 21 December cross both holidays.
        assert_eq!(add_business_days_on(d(2026, 12, 21), 5, &christmas), d(2026, 12, 29));
        assert_eq!(add_business_days_on(d(2026, 12, 21), 9, &christmas), d(2027, 1, 5));
        // Zero days from a holiday: the next business day.
        assert_eq!(add_business_days_on(d(2026, 12, 25), 0, &christmas), d(2026, 12, 28));
        // Without holidays nothing changes.
        assert_eq!(add_business_days_on(d(2026, 12, 24), 1, &Holidays::default()), d(2026, 12, 25));
        // A holiday on a Saturday costs no business day.
        let saturday = Holidays::new([d(2026, 12, 26)]);
        assert_eq!(add_business_days_on(d(2026, 12, 24), 2, &saturday), d(2026, 12, 28));
    }

    #[test]
    fn business_days_between_counts_after_the_start_up_to_the_end() {
        let christmas = Holidays::new([d(2026, 12, 25)]);
        assert_eq!(business_days_between(d(2026, 12, 21), d(2026, 12, 28), &Holidays::default()), 5);
        assert_eq!(business_days_between(d(2026, 12, 21), d(2026, 12, 28), &christmas), 4);
        assert_eq!(business_days_between(d(2026, 12, 28), d(2026, 12, 21), &christmas), 0);
        assert_eq!(business_days_between(d(2026, 12, 26), d(2026, 12, 27), &christmas), 0);
    }

    #[test]
    fn a_holiday_list_names_the_line_it_cannot_read() {
        let ok = Holidays::parse_list("# Taiwan 2027\n2027-01-01  # New Year\n\n2027-02-05\n").unwrap();
        assert_eq!(ok.len(), 2);
        assert!(ok.contains(d(2027, 2, 5)));
        let err = Holidays::parse_list("2027-01-01\n1 Feb 2027\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
    }

    proptest! {
        #[test]
        fn prop_jumping_over_holidays_matches_counting_day_by_day(
            offset in 0i64..3000,
            days in 0u32..80,
            off in proptest::collection::vec(0u64..150, 0..25),
        ) {
            let from = d(2020, 1, 1) + chrono::Duration::days(offset);
            let holidays = Holidays::new(off.iter().map(|n| from + Days::new(*n)));
            let due = add_business_days_on(from, days, &holidays);
            prop_assert_eq!(due, step_by_step(from, days, &holidays));
            if days > 0 {
                prop_assert_eq!(business_days_between(from, due, &holidays), days);
            }
        }
    }

    // ---- KPI visibility -------------------------------------------------

    #[test]
    fn kpi_visible_from_next_month_on_the_15th() {
        assert_eq!(kpi_visible_from(2026, 11), Some(d(2026, 12, 15)));
        assert_eq!(kpi_visible_from(2025, 1), Some(d(2025, 2, 15)));
    }

    #[test]
    fn kpi_visible_from_december_rolls_into_january() {
        assert_eq!(kpi_visible_from(2026, 12), Some(d(2027, 1, 15)));
    }

    #[test]
    fn kpi_visible_from_february_invoice() {
        assert_eq!(kpi_visible_from(2024, 2), Some(d(2024, 3, 15)));
        assert_eq!(kpi_visible_from(2025, 2), Some(d(2025, 3, 15)));
    }

    #[test]
    fn kpi_visible_from_invalid_month_is_none() {
        assert_eq!(kpi_visible_from(2026, 0), None);
        assert_eq!(kpi_visible_from(2026, 13), None);
        assert_eq!(kpi_visible_from(2026, u32::MAX), None);
        assert_eq!(kpi_visible_from(i32::MAX, 12), None);
    }

    // ---- months ------------------------------------------------------------

    #[test]
    fn next_month_and_days_in_month() {
        assert_eq!(next_month(2026, 12), Some((2027, 1)));
        assert_eq!(next_month(2026, 1), Some((2026, 2)));
        assert_eq!(next_month(2026, 0), None);
        assert_eq!(next_month(i32::MAX, 12), None);
        assert_eq!(days_in_month(2024, 2), Some(29));
        assert_eq!(days_in_month(2025, 2), Some(28));
        assert_eq!(days_in_month(1900, 2), Some(28));
        assert_eq!(days_in_month(2000, 2), Some(29));
        assert_eq!(days_in_month(2025, 4), Some(30));
        assert_eq!(days_in_month(2025, 12), Some(31));
        assert_eq!(days_in_month(2025, 13), None);
        assert_eq!(days_in_month(NaiveDate::MAX.year(), 12), Some(31));
    }

    #[test]
    fn add_months_clamps_day() {
        assert_eq!(add_months(d(2025, 1, 31), 1), d(2025, 2, 28));
        assert_eq!(add_months(d(2024, 1, 31), 1), d(2024, 2, 29));
        assert_eq!(add_months(d(2025, 3, 31), 1), d(2025, 4, 30));
        assert_eq!(add_months(d(2024, 2, 29), 12), d(2025, 2, 28));
        assert_eq!(add_months(d(2024, 2, 29), 48), d(2028, 2, 29));
    }

    #[test]
    fn add_months_crosses_year_ends_both_ways() {
        assert_eq!(add_months(d(2026, 12, 15), 1), d(2027, 1, 15));
        assert_eq!(add_months(d(2027, 1, 15), -1), d(2026, 12, 15));
        assert_eq!(add_months(d(2025, 3, 31), -13), d(2024, 2, 29));
        assert_eq!(add_months(d(2025, 6, 10), 0), d(2025, 6, 10));
        assert_eq!(add_months(d(2025, 6, 10), -12), d(2024, 6, 10));
    }

    #[test]
    fn add_months_saturates() {
        assert_eq!(add_months(d(2025, 6, 10), i32::MAX), NaiveDate::MAX);
        assert_eq!(add_months(d(2025, 6, 10), i32::MIN), NaiveDate::MIN);
        assert_eq!(add_months(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(add_months(NaiveDate::MIN, -1), NaiveDate::MIN);
    }

    // ---- directory batches ----------------------------------------------

    #[test]
    fn batch_for_month_dates() {
        let b = batch_for_month(2026, 12).unwrap();
        assert_eq!(b.year, 2026);
        assert_eq!(b.month, 12);
        assert_eq!(b.opens, d(2026, 12, 15));
        assert_eq!(b.closes, d(2026, 12, 21));
        assert_eq!(b.visible_by, d(2027, 1, 7));
        assert_eq!(batch_for_month(2026, 0), None);
        assert_eq!(batch_for_month(2026, 13), None);
        assert_eq!(batch_for_month(NaiveDate::MAX.year(), 12), None);
    }

    #[test]
    fn batch_for_request_21st_and_22nd_edge() {
        assert_eq!(batch_for_request(d(2026, 3, 21)).key(), "2026-03");
        assert_eq!(batch_for_request(d(2026, 3, 22)).key(), "2026-04");
        assert_eq!(batch_for_request(d(2026, 3, 1)).key(), "2026-03");
        assert_eq!(batch_for_request(d(2026, 3, 15)).key(), "2026-03");
        assert_eq!(batch_for_request(d(2026, 3, 31)).key(), "2026-04");
    }

    #[test]
    fn batch_for_request_year_end() {
        let b = batch_for_request(d(2026, 12, 22));
        assert_eq!((b.year, b.month), (2027, 1));
        assert_eq!(b.opens, d(2027, 1, 15));
        assert_eq!(b.visible_by, d(2027, 2, 7));
        assert_eq!(batch_for_request(d(2026, 12, 21)).visible_by, d(2027, 1, 7));
    }

    #[test]
    fn batch_for_request_at_the_end_of_time_does_not_panic() {
        let b = batch_for_request(NaiveDate::MAX);
        assert_eq!(b.closes, NaiveDate::MAX);
    }

    #[test]
    fn batch_contains_third_week_only() {
        let b = batch_for_month(2026, 5).unwrap();
        assert!(!b.contains(d(2026, 5, 14)));
        assert!(b.contains(d(2026, 5, 15)));
        assert!(b.contains(d(2026, 5, 18)));
        assert!(b.contains(d(2026, 5, 21)));
        assert!(!b.contains(d(2026, 5, 22)));
        assert!(!b.contains(d(2026, 6, 17)));
    }

    #[test]
    fn batch_key_and_label() {
        let b = batch_for_month(2026, 12).unwrap();
        assert_eq!(b.key(), "2026-12");
        assert_eq!(b.label(), "December 2026");
        assert_eq!(batch_for_month(2027, 3).unwrap().key(), "2027-03");
    }

    #[test]
    fn parse_batch_key_accepts_canonical_only() {
        assert_eq!(parse_batch_key("2026-12"), batch_for_month(2026, 12));
        assert_eq!(parse_batch_key("2027-01"), batch_for_month(2027, 1));
        for bad in [
            "",
            "2026-1",
            "2026-13",
            "2026-00",
            "26-12",
            "2026/12",
            "2026-12 ",
            " 2026-12",
            "+026-12",
            "2026--1",
            "2026-+1",
            "abcd-ef",
            "20261-12",
            "2026-012",
            "２026-12",
        ] {
            assert_eq!(parse_batch_key(bad), None, "{bad:?}");
        }
    }

    // ---- business days -----------------------------------------------------

    #[test]
    fn business_days_from_weekdays() {
        // 2026-03-02 is a Monday.
        assert_eq!(add_business_days(d(2026, 3, 2), 1), d(2026, 3, 3));
        assert_eq!(add_business_days(d(2026, 3, 2), 4), d(2026, 3, 6));
        assert_eq!(add_business_days(d(2026, 3, 2), 5), d(2026, 3, 9));
        assert_eq!(add_business_days(d(2026, 3, 2), 10), d(2026, 3, 16));
        // Wednesday + 3 = Monday.
        assert_eq!(add_business_days(d(2026, 3, 4), 3), d(2026, 3, 9));
    }

    #[test]
    fn business_days_friday_saturday_sunday() {
        let fri = d(2026, 3, 6);
        let sat = d(2026, 3, 7);
        let sun = d(2026, 3, 8);
        let mon = d(2026, 3, 9);
        assert_eq!(fri.weekday(), Weekday::Fri);
        assert_eq!(add_business_days(fri, 1), mon);
        assert_eq!(add_business_days(sat, 1), mon);
        assert_eq!(add_business_days(sun, 1), mon);
        assert_eq!(add_business_days(fri, 5), d(2026, 3, 13));
        assert_eq!(add_business_days(sat, 5), d(2026, 3, 13));
        assert_eq!(add_business_days(sun, 2), d(2026, 3, 10));
    }

    #[test]
    fn business_days_zero() {
        // Weekday: unchanged. Weekend: the following Monday.
        assert_eq!(add_business_days(d(2026, 3, 6), 0), d(2026, 3, 6));
        assert_eq!(add_business_days(d(2026, 3, 7), 0), d(2026, 3, 9));
        assert_eq!(add_business_days(d(2026, 3, 8), 0), d(2026, 3, 9));
        // Hence zero days is not an identity on weekends.
        let sat = d(2026, 3, 7);
        assert_eq!(add_business_days(add_business_days(sat, 0), 1), d(2026, 3, 10));
        assert_eq!(add_business_days(sat, 1), d(2026, 3, 9));
    }

    #[test]
    fn business_days_across_year_end() {
        // Thu 31 Dec 2026 + 1 = Fri 1 Jan 2027 (no holidays are modelled).
        assert_eq!(add_business_days(d(2026, 12, 31), 1), d(2027, 1, 1));
        assert_eq!(add_business_days(d(2026, 12, 31), 2), d(2027, 1, 4));
        // Fri 29 Dec 2023 + 5 = Fri 5 Jan 2024.
        assert_eq!(add_business_days(d(2023, 12, 29), 5), d(2024, 1, 5));
    }

    #[test]
    fn business_days_saturate() {
        let r = add_business_days(d(2026, 3, 6), u32::MAX);
        assert!(!is_weekend(r));
        assert!(r > d(2026, 3, 6));
        let r = add_business_days(NaiveDate::MAX, 1);
        assert!(!is_weekend(r));
        assert_eq!(add_business_days(NaiveDate::MAX, 0), r);
    }

    // ---- anniversaries and renewal windows ------------------------------

    #[test]
    fn next_anniversary_basic() {
        let a = d(2019, 6, 10);
        assert_eq!(next_anniversary(a, d(2026, 3, 1)), d(2026, 6, 10));
        assert_eq!(next_anniversary(a, d(2026, 6, 10)), d(2026, 6, 10));
        assert_eq!(next_anniversary(a, d(2026, 6, 11)), d(2027, 6, 10));
        assert_eq!(next_anniversary(d(2020, 1, 1), d(2026, 12, 31)), d(2027, 1, 1));
    }

    #[test]
    fn next_anniversary_leap_day() {
        let a = d(2024, 2, 29);
        assert_eq!(next_anniversary(a, d(2024, 2, 1)), d(2024, 2, 29));
        assert_eq!(next_anniversary(a, d(2024, 3, 1)), d(2025, 2, 28));
        assert_eq!(next_anniversary(a, d(2025, 2, 28)), d(2025, 2, 28));
        assert_eq!(next_anniversary(a, d(2025, 3, 1)), d(2026, 2, 28));
        assert_eq!(next_anniversary(a, d(2027, 3, 1)), d(2028, 2, 29));
        assert_eq!(next_anniversary(a, d(2028, 2, 29)), d(2028, 2, 29));
    }

    #[test]
    fn next_anniversary_saturates() {
        assert_eq!(next_anniversary(d(2020, 1, 1), NaiveDate::MAX), NaiveDate::MAX);
    }

    #[test]
    fn renewal_window_basic() {
        let w = renewal_window(d(2018, 4, 20), d(2026, 1, 5));
        assert_eq!(w.start, d(2025, 4, 20));
        assert_eq!(w.end, d(2026, 4, 20));
        assert_eq!(w.last_day(), d(2026, 4, 19));
        assert!(w.contains(d(2025, 4, 20)));
        assert!(w.contains(d(2026, 4, 19)));
        assert!(!w.contains(d(2026, 4, 20)));
        assert!(!w.contains(d(2025, 4, 19)));
    }

    #[test]
    fn renewal_window_on_the_anniversary_ends_that_day() {
        let w = renewal_window(d(2018, 4, 20), d(2026, 4, 20));
        assert_eq!(w.end, d(2026, 4, 20));
        assert_eq!(w.start, d(2025, 4, 20));
    }

    #[test]
    fn renewal_window_leap_day_anniversary() {
        let a = d(2024, 2, 29);
        // Seen in 2025: previous anniversary is the real 29 Feb 2024.
        let w = renewal_window(a, d(2025, 1, 10));
        assert_eq!((w.start, w.end), (d(2024, 2, 29), d(2025, 2, 28)));
        // Seen in 2026.
        let w = renewal_window(a, d(2025, 6, 1));
        assert_eq!((w.start, w.end), (d(2025, 2, 28), d(2026, 2, 28)));
        // Seen in 2028 (leap year again).
        let w = renewal_window(a, d(2027, 12, 1));
        assert_eq!((w.start, w.end), (d(2027, 2, 28), d(2028, 2, 29)));
        assert_eq!((w.end - w.start).num_days(), 366);
    }

    #[test]
    fn invoice_month_benefit_of_the_doubt() {
        let w = renewal_window(d(2018, 3, 20), d(2026, 1, 5));
        assert_eq!((w.start, w.end), (d(2025, 3, 20), d(2026, 3, 20)));
        assert!(!invoice_month_in_window(2025, 2, &w));
        assert!(invoice_month_in_window(2025, 3, &w)); // 20–31 March count
        assert!(invoice_month_in_window(2025, 12, &w));
        assert!(invoice_month_in_window(2026, 3, &w)); // 1–19 March count
        assert!(!invoice_month_in_window(2026, 4, &w));
        assert!(!invoice_month_in_window(2025, 0, &w));
        assert!(!invoice_month_in_window(2025, 13, &w));
    }

    #[test]
    fn invoice_month_window_starting_on_the_first() {
        let w = renewal_window(d(2018, 4, 1), d(2026, 1, 5));
        assert_eq!((w.start, w.end), (d(2025, 4, 1), d(2026, 4, 1)));
        assert!(!invoice_month_in_window(2025, 3, &w));
        assert!(invoice_month_in_window(2025, 4, &w));
        assert!(invoice_month_in_window(2026, 3, &w));
        // The window ends (exclusive) on 1 April: no day of April 2026 is in.
        assert!(!invoice_month_in_window(2026, 4, &w));
    }

    // ---- formatting ----------------------------------------------------

    #[test]
    fn month_names() {
        assert_eq!(month_name(1), "January");
        assert_eq!(month_name(2), "February");
        assert_eq!(month_name(9), "September");
        assert_eq!(month_name(12), "December");
        assert_eq!(month_name(0), "");
        assert_eq!(month_name(13), "");
        assert_eq!(month_name(u32::MAX), "");
    }

    #[test]
    fn long_and_short_dates() {
        assert_eq!(long_date(d(2025, 4, 15)), "15 April 2025");
        assert_eq!(long_date(d(2025, 4, 1)), "1 April 2025");
        assert_eq!(long_date(d(2027, 1, 15)), "15 January 2027");
        assert_eq!(short_date(d(2025, 3, 3)), "3 Mar 2025");
        assert_eq!(short_date(d(2025, 9, 30)), "30 Sep 2025");
        assert_eq!(short_date(d(2026, 5, 9)), "9 May 2026");
    }

    #[test]
    fn month_not_in_future_cases() {
        let today = d(2026, 3, 10);
        assert!(month_not_in_future(2026, 3, today));
        assert!(month_not_in_future(2026, 2, today));
        assert!(month_not_in_future(2025, 12, today));
        assert!(!month_not_in_future(2026, 4, today));
        assert!(!month_not_in_future(2027, 1, today));
        assert!(!month_not_in_future(2026, 0, today));
        assert!(!month_not_in_future(2026, 13, today));
        assert!(month_not_in_future(2025, 12, d(2026, 1, 1)));
        assert!(!month_not_in_future(2026, 1, d(2025, 12, 31)));
    }

    // ---- properties ----------------------------------------------------

    fn date_2000_2100() -> impl Strategy<Value = NaiveDate> {
        let lo = d(2000, 1, 1).num_days_from_ce();
        let hi = d(2100, 12, 31).num_days_from_ce();
        (lo..=hi).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap())
    }

    proptest! {
        #[test]
        fn prop_kpi_visible_on_15th_after_invoice_month(y in 2000i32..=2100, m in 1u32..=12) {
            let v = kpi_visible_from(y, m).unwrap();
            prop_assert_eq!(v.day(), KPI_REFRESH_DAY);
            let last = NaiveDate::from_ymd_opt(y, m, days_in_month(y, m).unwrap()).unwrap();
            prop_assert!(v > last);
            prop_assert_eq!(add_months(d(y, m, 15), 1), v);
        }

        #[test]
        fn prop_business_days_weekday_and_monotone(from in date_2000_2100(), n in 0u32..400) {
            let r = add_business_days(from, n);
            prop_assert!(!is_weekend(r));
            prop_assert!(r >= from);
            // Strictly increasing in `days`, except Saturday/Sunday + 0 = + 1.
            if n > 0 || !is_weekend(from) {
                prop_assert!(add_business_days(from, n + 1) > r);
            } else {
                prop_assert_eq!(add_business_days(from, n + 1), r);
            }
            let later = from.succ_opt().unwrap();
            prop_assert!(add_business_days(later, n) >= r);
            // Exactly n weekdays in (from, r] when n > 0.
            if n > 0 {
                let count = from.iter_days().skip(1).take_while(|x| *x <= r)
                    .filter(|x| !is_weekend(*x)).count();
                prop_assert_eq!(count, n as usize);
            }
        }

        #[test]
        fn prop_business_days_additive(from in date_2000_2100(), a in 0u32..60, b in 0u32..60) {
            // Additive, except that zero days from a weekend day already moves
            // to Monday (so Saturday + 0 + 1 = Tuesday, Saturday + 1 = Monday).
            if a > 0 || !is_weekend(from) {
                prop_assert_eq!(
                    add_business_days(add_business_days(from, a), b),
                    add_business_days(from, a + b)
                );
            }
        }

        #[test]
        fn prop_next_anniversary_bounds(a in date_2000_2100(), today in date_2000_2100()) {
            let n = next_anniversary(a, today);
            prop_assert!(n >= today);
            // Strictly before today + 1 year + 1 day.
            prop_assert!(n < add_months(today, 12).succ_opt().unwrap());
            prop_assert!((n - today).num_days() <= 366);
            prop_assert_eq!(n.month(), a.month());
            if !(a.month() == 2 && a.day() == 29) {
                prop_assert_eq!(n.day(), a.day());
            }
        }

        #[test]
        fn prop_renewal_window_length(a in date_2000_2100(), today in date_2000_2100()) {
            let w = renewal_window(a, today);
            let len = (w.end - w.start).num_days();
            prop_assert!(len == 365 || len == 366, "len {}", len);
            prop_assert!(w.end >= today);
            prop_assert!(w.start <= today);
            // The next window starts where this one ends.
            let next = renewal_window(a, w.end.succ_opt().unwrap());
            prop_assert_eq!(next.start, w.end);
        }

        #[test]
        fn prop_invoice_month_in_window_iff_some_day_inside(
            a in date_2000_2100(), today in date_2000_2100(), y in 1999i32..=2101, m in 1u32..=12
        ) {
            let w = renewal_window(a, today);
            let any = (1..=days_in_month(y, m).unwrap()).any(|day| w.contains(d(y, m, day)));
            prop_assert_eq!(invoice_month_in_window(y, m, &w), any);
        }

        #[test]
        fn prop_batch_for_request(on in date_2000_2100()) {
            let b = batch_for_request(on);
            prop_assert!(b.closes >= on);
            prop_assert!(b.opens <= b.closes);
            prop_assert!(b.visible_by > b.closes);
            prop_assert_eq!(parse_batch_key(&b.key()), Some(b));
            // It is the *first* such batch: the previous month's has closed.
            let prev = add_months(b.opens, -1);
            prop_assert!(batch_for_request(prev).closes <= b.closes);
            prop_assert!(batch_for_month(prev.year(), prev.month()).unwrap().closes < on);
        }

        #[test]
        fn prop_add_months_round_trip_on_safe_days(date in date_2000_2100(), k in -240i32..240) {
            let r = add_months(date, k);
            prop_assert!(r.day() <= date.day());
            if date.day() <= 28 {
                prop_assert_eq!(add_months(r, -k), date);
            }
        }

        #[test]
        fn prop_date_formats(date in date_2000_2100()) {
            let long = long_date(date);
            prop_assert!(!long.starts_with('0'));
            let month = month_name(date.month());
            prop_assert!(long.contains(month));
            prop_assert!(short_date(date).contains(&month[..3]));
        }
    }

    #[test]
    fn times_are_shown_in_the_readers_zone_and_name_it() {
        let at = NaiveDate::from_ymd_opt(2026, 12, 4).and_then(|d| d.and_hms_opt(18, 35, 0)).expect("time");
        assert_eq!(long_time(at, chrono_tz::UTC), "4 December 2026 at 18:35 UTC");
        assert_eq!(long_time(at, chrono_tz::Asia::Taipei), "5 December 2026 at 02:35 (Taipei time, UTC+8)");
        assert_eq!(long_time(at, chrono_tz::Asia::Kolkata), "5 December 2026 at 00:05 (Kolkata time, UTC+5:30)");
        assert_eq!(long_time(at, chrono_tz::America::New_York), "4 December 2026 at 13:35 (New York time, UTC-5)");
        assert!(parse_time_zone("Asia/Taipei").is_ok());
        assert!(parse_time_zone("Mars/Olympus").expect_err("no such zone").contains("IANA"));
    }
}
