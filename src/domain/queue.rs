//! The staff queue's rules: which filters exist and what values they take,
//! the default view, the claim transition, pagination and the words the
//! table shows (age, overdue). Pure: no HTTP, no database.

use crate::i18n::ta;
use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::case::{CaseKind, Status};
use crate::domain::triage::FlagCode;

/// Cases per queue page.
pub const PAGE_SIZE: i64 = 50;

/// Longest search text accepted (longer is refused, not cut).
pub const SEARCH_MAX_CHARS: usize = 200;

/// Whose cases to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Everyone's and nobody's.
    Anyone,
    /// The signed-in staff member's.
    Me,
    /// Nobody's yet.
    Unassigned,
    /// One staff member's, by account id.
    Staff(i64),
}

impl AssigneeFilter {
    /// The query-string value (empty for [`AssigneeFilter::Anyone`]).
    pub fn as_param(self) -> String {
        match self {
            Self::Anyone => String::new(),
            Self::Me => "me".into(),
            Self::Unassigned => "unassigned".into(),
            Self::Staff(id) => id.to_string(),
        }
    }

    /// The account whose cases are shown, with `me` resolved.
    pub fn resolve(self, me: i64) -> ResolvedAssignee {
        match self {
            Self::Anyone => ResolvedAssignee::Anyone,
            Self::Unassigned => ResolvedAssignee::Unassigned,
            Self::Me => ResolvedAssignee::Staff(me),
            Self::Staff(id) => ResolvedAssignee::Staff(id),
        }
    }
}

/// [`AssigneeFilter`] with `me` replaced by an account id (what the store needs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolvedAssignee {
    /// No condition.
    Anyone,
    /// `assignee_id IS NULL`.
    Unassigned,
    /// `assignee_id = id`.
    Staff(i64),
}

/// The queue's filters, parsed from the query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFilters {
    /// `kind`.
    pub kind: Option<CaseKind>,
    /// `status`; `None` means open work (every status that is not closed).
    pub status: Option<Status>,
    /// `assignee`.
    pub assignee: AssigneeFilter,
    /// `flag`.
    pub flag: Option<FlagCode>,
    /// `unread=1`: only cases with a partner message staff have not read.
    pub unread: bool,
    /// `sort=activity`: latest activity first instead of most urgent first.
    pub by_activity: bool,
    /// `q`, trimmed, as typed.
    pub q: String,
    /// `page`, from 1.
    pub page: i64,
    /// `after` / `before`: where the previous or next page link was made.
    /// Only a hint: a cursor that does not parse is ignored (the page is
    /// then read by its number).
    pub cursor: Option<Cursor>,
}

impl Default for QueueFilters {
    fn default() -> Self {
        Self {
            kind: None,
            status: None,
            assignee: AssigneeFilter::Anyone,
            flag: None,
            unread: false,
            by_activity: false,
            q: String::new(),
            page: 1,
            cursor: None,
        }
    }
}

/// A place in the queue order (priority, due date, created, id): the page
/// links "Next" and "Previous" carry the last or first row shown, so paging
/// through the queue reads each page from there instead of counting every
/// row before it, and no case is shown twice or skipped when cases arrive
/// in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Rows after this key (`after=`), or before it (`before=`).
    pub after: bool,
    pub priority: i32,
    /// Due date.
    pub due_date: NaiveDate,
    pub created_at: NaiveDateTime,
    pub id: i64,
}

impl Cursor {
    /// The query-string value: `priority_due_created_id`, digits only.
    pub fn value(&self) -> String {
        format!(
            "{}_{}_{}_{}",
            self.priority,
            self.due_date.format("%Y%m%d"),
            self.created_at.format("%Y%m%d%H%M%S%9f"),
            self.id
        )
    }

    /// Parses a value made by [`Cursor::value`].
    pub fn parse(after: bool, value: &str) -> Option<Self> {
        let mut parts = value.split('_');
        let priority = parts.next()?.parse().ok()?;
        let due_date = NaiveDate::parse_from_str(parts.next()?, "%Y%m%d").ok()?;
        let created = parts.next()?;
        if created.len() != 23 || !created.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole = NaiveDateTime::parse_from_str(&created[..14], "%Y%m%d%H%M%S").ok()?;
        let nanos: i64 = created[14..].parse().ok()?;
        let created_at = whole + chrono::Duration::nanoseconds(nanos);
        let id = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        Some(Cursor { after, priority, due_date, created_at, id })
    }
}

/// The statuses of open work: every status that is not closed.
pub fn open_statuses() -> Vec<Status> {
    Status::ALL.into_iter().filter(|s| !s.is_closed()).collect()
}

impl QueueFilters {
    /// Parses the query string's pairs. Empty values mean "no filter" (the
    /// filter form sends every select); unknown keys are ignored; the first
    /// value of a repeated key wins. A value the queue does not know is an
    /// error whose message names the filter (in the request's language).
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, String> {
        let mut out = Self::default();
        let mut seen: Vec<&str> = Vec::new();
        for (key, raw) in pairs {
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let value = raw.trim();
            match key {
                "kind" if !value.is_empty() => {
                    out.kind =
                        Some(CaseKind::parse(value).ok_or_else(|| ta("queue-error-kind", &[("value", &value)]))?);
                }
                "status" if !value.is_empty() => {
                    out.status =
                        Some(Status::parse(value).ok_or_else(|| ta("queue-error-status", &[("value", &value)]))?);
                }
                "assignee" if !value.is_empty() => {
                    out.assignee = match value {
                        "me" => AssigneeFilter::Me,
                        "unassigned" => AssigneeFilter::Unassigned,
                        id => match id.parse::<i64>() {
                            Ok(n) if n > 0 && id.bytes().all(|b| b.is_ascii_digit()) => AssigneeFilter::Staff(n),
                            _ => {
                                return Err(ta("queue-error-assignee", &[("value", &value)]));
                            }
                        },
                    };
                }
                "flag" if !value.is_empty() => {
                    out.flag =
                        Some(FlagCode::parse(value).ok_or_else(|| ta("queue-error-flag", &[("value", &value)]))?);
                }
                "unread" if !value.is_empty() => {
                    out.unread = match value {
                        "1" | "on" | "true" | "yes" => true,
                        "0" | "off" | "false" | "no" => false,
                        _ => {
                            return Err(ta("queue-error-unread", &[("value", &value)]));
                        }
                    };
                }
                "sort" if !value.is_empty() => {
                    out.by_activity = match value {
                        "activity" => true,
                        "urgency" => false,
                        _ => {
                            return Err(ta("queue-error-sort", &[("value", &value)]));
                        }
                    };
                }
                "q" => {
                    if value.chars().count() > SEARCH_MAX_CHARS {
                        return Err(ta("queue-error-search-long", &[("max", &SEARCH_MAX_CHARS)]));
                    }
                    out.q = value.to_string();
                }
                "after" | "before" if !value.is_empty() => out.cursor = Cursor::parse(key == "after", value),
                "page" if !value.is_empty() => {
                    out.page = match value.parse::<i64>() {
                        Ok(n) if n >= 1 && value.bytes().all(|b| b.is_ascii_digit()) => n,
                        _ => return Err(ta("queue-error-page", &[("value", &value)])),
                    };
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// The statuses shown: the one asked for, or open work.
    pub fn statuses(&self) -> Vec<Status> {
        match self.status {
            Some(s) => vec![s],
            None => open_statuses(),
        }
    }

    /// The lower-cased search needle (`None` when there is no search). It is
    /// lower-cased exactly as `cases.search_text` is, so one `LIKE` matches
    /// case-insensitively on both backends.
    pub fn needle(&self) -> Option<String> {
        (!self.q.is_empty()).then(|| self.q.to_lowercase())
    }

    /// The filters as query-string pairs (no `page`), for links that keep them.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(k) = self.kind {
            out.push(("kind", k.as_str().to_string()));
        }
        if let Some(s) = self.status {
            out.push(("status", s.as_str().to_string()));
        }
        if self.assignee != AssigneeFilter::Anyone {
            out.push(("assignee", self.assignee.as_param()));
        }
        if let Some(f) = self.flag {
            out.push(("flag", f.as_str().to_string()));
        }
        if self.unread {
            out.push(("unread", "1".to_string()));
        }
        if self.by_activity {
            out.push(("sort", "activity".to_string()));
        }
        if !self.q.is_empty() {
            out.push(("q", self.q.clone()));
        }
        out
    }

    /// True when any filter differs from the default view.
    pub fn is_filtered(&self) -> bool {
        !self.params().is_empty()
    }
}

/// How many pages `total` cases fill (at least 1, so an empty queue has a page 1).
pub fn page_count(total: i64) -> i64 {
    ((total.max(0) + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

/// The row offset of a page.
pub fn offset(page: i64) -> i64 {
    (page.max(1) - 1).saturating_mul(PAGE_SIZE)
}

/// One item of the pagination list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageItem {
    /// A numbered page.
    Page(i64),
    /// A gap ("…").
    Gap,
}

/// The numbered pages to show: first, last, current ± 1, gaps as "…".
/// Empty when there is only one page.
pub fn page_items(current: i64, pages: i64) -> Vec<PageItem> {
    if pages <= 1 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut last = 0;
    for p in 1..=pages {
        let show = p == 1 || p == pages || (p - current).abs() <= 1;
        if !show {
            continue;
        }
        if p > last + 1 {
            out.push(PageItem::Gap);
        }
        out.push(PageItem::Page(p));
        last = p;
    }
    out
}

/// True when a case is late: due before today and not closed.
pub fn is_overdue(due: NaiveDate, status: Status, today: NaiveDate) -> bool {
    due < today && !status.is_closed()
}

/// The age of a case in words: "Today", "1 day", "3 days".
pub fn age_label(created_at: NaiveDateTime, now: NaiveDateTime) -> String {
    match (now - created_at).num_days() {
        d if d <= 0 => "Today".into(),
        1 => "1 day".into(),
        d => format!("{d} days"),
    }
}

/// The status a case is claimed from (open) and the one it moves to (in
/// review), checked against the state machine for every kind, since the
/// claimed case's kind is only known once it is picked.
pub fn claim_transition() -> Result<(Status, Status), String> {
    for kind in CaseKind::ALL {
        Status::Open.transition(Status::InReview, kind)?;
    }
    Ok((Status::Open, Status::InReview))
}

#[cfg(test)]
mod tests {

    #[test]
    fn cursors_round_trip_and_garbage_is_ignored() {
        let c = Cursor {
            after: true,
            priority: 2,
            due_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            created_at: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap().and_hms_nano_opt(3, 4, 5, 123_456_789).unwrap(),
            id: 42,
        };
        assert_eq!(c.value(), "2_20261201_20261125030405123456789_42");
        assert_eq!(Cursor::parse(true, &c.value()), Some(c));
        assert_eq!(Cursor::parse(false, &c.value()).map(|b| b.after), Some(false));
        for bad in [
            "",
            "2",
            "2_20261301_20261125030405123456789_42",
            "2_20261201_2026112503040512345678_42",
            "x_20261201_20261125030405123456789_42",
            "2_20261201_20261125030405123456789_42_1",
            "2_20261201_20261125030405123456789_",
        ] {
            assert_eq!(Cursor::parse(true, bad), None, "{bad}");
        }
        let f = QueueFilters::parse([("after", "garbage"), ("page", "3")]).expect("a bad cursor is only ignored");
        assert_eq!((f.cursor, f.page), (None, 3));
        let f = QueueFilters::parse([("before", c.value().as_str())]).expect("parses");
        assert_eq!(f.cursor.map(|c| (c.after, c.id)), Some((false, 42)));
    }

    use super::*;

    fn parse(q: &str) -> Result<QueueFilters, String> {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes()).into_owned().collect();
        QueueFilters::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    #[test]
    fn empty_values_mean_no_filter() {
        assert_eq!(parse("kind=&status=&assignee=&flag=&q=&page="), Ok(QueueFilters::default()));
        assert_eq!(parse(""), Ok(QueueFilters::default()));
    }

    #[test]
    fn every_filter_parses() {
        let f = parse("kind=kpi&status=in_review&assignee=me&flag=too_early&q=+Contoso+&page=3").expect("ok");
        assert_eq!(f.kind, Some(CaseKind::Kpi));
        assert_eq!(f.status, Some(Status::InReview));
        assert_eq!(f.assignee, AssigneeFilter::Me);
        assert_eq!(f.flag, Some(FlagCode::TooEarly));
        assert_eq!(f.q, "Contoso");
        assert_eq!(f.needle().as_deref(), Some("contoso"));
        assert_eq!(f.page, 3);
        assert_eq!(parse("assignee=unassigned").expect("ok").assignee, AssigneeFilter::Unassigned);
        assert_eq!(parse("assignee=12").expect("ok").assignee, AssigneeFilter::Staff(12));
    }

    #[test]
    fn unknown_values_are_refused_with_a_message() {
        for bad in [
            "kind=nope",
            "status=closed",
            "assignee=bob",
            "assignee=-1",
            "assignee=0",
            "assignee=1.5",
            "flag=overdue",
            "page=0",
            "page=-2",
            "page=x",
            "page=99999999999999999999",
        ] {
            let e = parse(bad).expect_err(bad);
            assert!(!e.is_empty(), "{bad}");
        }
        assert!(parse(&format!("q={}", "a".repeat(SEARCH_MAX_CHARS + 1))).is_err());
    }

    #[test]
    fn default_view_is_open_work() {
        let s = QueueFilters::default().statuses();
        assert!(s.contains(&Status::Open) && s.contains(&Status::WaitingOnPartner));
        assert!(s.iter().all(|s| !s.is_closed()));
    }

    #[test]
    fn pages_and_items() {
        assert_eq!(page_count(0), 1);
        assert_eq!(page_count(50), 1);
        assert_eq!(page_count(51), 2);
        assert_eq!(page_count(120), 3);
        assert_eq!(offset(3), 100);
        assert!(page_items(1, 1).is_empty());
        use PageItem::*;
        assert_eq!(page_items(1, 3), vec![Page(1), Page(2), Page(3)]);
        assert_eq!(page_items(5, 40), vec![Page(1), Gap, Page(4), Page(5), Page(6), Gap, Page(40)]);
        assert_eq!(page_items(2, 40), vec![Page(1), Page(2), Page(3), Gap, Page(40)]);
    }

    #[test]
    fn overdue_and_age() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
        let today = d(2026, 3, 10);
        assert!(is_overdue(d(2026, 3, 9), Status::Open, today));
        assert!(!is_overdue(d(2026, 3, 10), Status::Open, today));
        assert!(!is_overdue(d(2026, 3, 9), Status::Resolved, today));
        let t = |dd, h| d(2026, 3, dd).and_hms_opt(h, 0, 0).expect("time");
        assert_eq!(age_label(t(10, 1), t(10, 23)), "Today");
        assert_eq!(age_label(t(9, 1), t(10, 2)), "1 day");
        assert_eq!(age_label(t(7, 1), t(10, 2)), "3 days");
    }

    #[test]
    fn claiming_moves_open_to_in_review_for_both_kinds() {
        assert_eq!(claim_transition(), Ok((Status::Open, Status::InReview)));
    }
}
