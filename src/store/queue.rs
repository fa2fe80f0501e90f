//! The staff queue: one filtered, ordered, paginated read, counts per status
//! and per kind, and the atomic "claim next". Queries only: which statuses,
//! which transition and which order count as "most urgent" are decided by
//! `domain::queue` and passed in.
//!
//! Order: priority (1 = Urgent first), then due date, then age (oldest
//! first), then id. "Overdue before not" within a priority follows from the
//! due-date key: a case is overdue exactly when its due date is before today
//! and it is not closed, and a queue view never mixes closed with open
//! statuses (the default is open work; `status` picks one status), so within
//! one priority every overdue case has an earlier due date than every case
//! that is not. Keeping the order to plain columns lets the index
//! `(priority, due_date, created_at, id)` deliver it without a sort.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};

use super::DbConnection;
use super::schema::{case_counts, case_events, case_flags, cases};
use crate::domain::case::{CaseKind, Status};
use crate::domain::timeline::{Actor, EventType};
use crate::domain::triage::FlagCode;

/// The backend type queries are boxed for.
type Backend = <DbConnection as diesel::Connection>::Backend;

/// A boxed `WHERE` condition on `cases`.
type Condition = Box<dyn BoxableExpression<cases::table, Backend, SqlType = Bool>>;

/// Whose cases (with `me` already resolved to an id).
pub use crate::domain::queue::ResolvedAssignee as Assignee;

/// What the queue is filtered on, as stored values.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// `cases.kind`.
    pub kind: Option<CaseKind>,
    /// `cases.status IN (…)`; never empty in practice.
    pub statuses: Vec<Status>,
    /// `cases.assignee_id`.
    pub assignee: Option<Assignee>,
    /// A flag code the case carries.
    pub flag: Option<FlagCode>,
    /// Only cases with a partner message staff have not read.
    pub unread: bool,
    /// Latest activity (`updated_at`) first, read by offset.
    pub by_activity: bool,
    /// Lower-cased search text (matched as a substring of `search_text`).
    pub needle: Option<String>,
    /// The ids the search index found for `needle`, when [`narrow`] looked
    /// them up: counts and page then test these instead of asking the index
    /// again.
    pub candidates: Option<Vec<i64>>,
}

/// Above this many search hits the candidate list is not worth carrying.
const MAX_CANDIDATES: i64 = 2_000;

/// Looks the needle up in the trigram index once (instead of once per count
/// and once for the page), keeping the hits as `candidates` when they are
/// few. Needles shorter than a trigram are left to the `LIKE`.
///
/// On SQLite the candidates may be a superset (the `LIKE` on every query
/// keeps the results exact): FTS5 pays for a phrase by walking the list of
/// every trigram in it, and the trigrams of a common word ("company") are in
/// nearly every row. So the words of the needle are probed one by one, the
/// most specific-looking first (those with digits: references, partner IDs,
/// invoice numbers; then the longest), stopping at the first that finds
/// few rows; any word's hits contain the needle's.
pub fn narrow(conn: &mut DbConnection, f: &mut QueueFilter) -> QueryResult<()> {
    let Some(needle) = f.needle.clone() else {
        return Ok(());
    };
    if trigram_phrase(&needle).is_none() {
        return Ok(());
    }
    if !Plan::of(conn).fts {
        let probe = QueueFilter { needle: Some(needle), ..QueueFilter::default() };
        let ids: Vec<i64> = cases::table
            .filter(condition(&probe, Skip::Status, Plan::of(conn)))
            .select(cases::id)
            .limit(MAX_CANDIDATES + 1)
            .load(conn)?;
        if i64::try_from(ids.len()).unwrap_or(i64::MAX) <= MAX_CANDIDATES {
            f.candidates = Some(ids);
        }
        return Ok(());
    }
    let mut best: Option<Vec<i64>> = None;
    for word in probe_words(&needle) {
        let Some(phrase) = trigram_phrase(word) else { continue };
        let ids: Vec<i64> =
            diesel::sql_query("SELECT rowid AS id FROM cases_search WHERE cases_search MATCH ? LIMIT ?")
                .bind::<Text, _>(phrase)
                .bind::<BigInt, _>(MAX_CANDIDATES + 1)
                .load::<IdRow>(conn)?
                .into_iter()
                .map(|r| r.id)
                .collect();
        let n = i64::try_from(ids.len()).unwrap_or(i64::MAX);
        if n <= MAX_CANDIDATES && best.as_ref().is_none_or(|b| ids.len() < b.len()) {
            best = Some(ids);
        }
        if n <= FEW_CANDIDATES {
            break;
        }
    }
    f.candidates = best;
    Ok(())
}

/// Hits few enough to stop probing further words.
const FEW_CANDIDATES: i64 = 50;

/// The words of a needle to probe, most specific-looking first; the whole
/// needle when it is one word, or when no word is a trigram long.
fn probe_words(needle: &str) -> Vec<&str> {
    let mut words: Vec<&str> = needle.split_whitespace().filter(|w| w.chars().count() >= 3).collect();
    if words.len() <= 1 {
        return vec![needle];
    }
    words.sort_by_key(|w| (!w.chars().any(|c| c.is_ascii_digit()), std::cmp::Reverse(w.chars().count())));
    words
}

/// One row of the queue table.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct QueueRow {
    pub id: i64,
    pub reference: String,
    pub kind: CaseKind,
    pub status: Status,
    pub partner_id: String,
    pub company_name: String,
    pub priority: i32,
    pub due_date: NaiveDate,
    pub assignee_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub kpi_month: Option<i32>,
    pub kpi_year: Option<i32>,
    pub invoice_number: Option<String>,
    pub directory_name: Option<String>,
    pub country: Option<String>,
    pub partner_unread_at: Option<NaiveDateTime>,
}

/// Escapes `%`, `_` and the escape character itself for `LIKE … ESCAPE '\'`
/// and wraps the needle in `%…%`.
pub fn contains_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Which filters to leave out (counts per status ignore the status filter,
/// counts per kind the kind filter, so each option shows what choosing it
/// would give).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Skip {
    Nothing,
    Status,
    Kind,
}

/// The FTS5 query for a needle: one phrase, which the trigram tokenizer
/// matches as a substring. `None` when the needle is shorter than a trigram
/// (the index cannot help; the `LIKE` alone decides).
pub fn trigram_phrase(needle: &str) -> Option<String> {
    (needle.chars().count() >= 3).then(|| format!("\"{}\"", needle.replace('"', "\"\"")))
}

/// How a query on `cases` is to be run.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Plan {
    /// SQLite: find substrings through the `cases_search` trigram table.
    /// (PostgreSQL's `pg_trgm` index serves the `LIKE` itself.)
    fts: bool,
    /// SQLite: walk the index that is in queue order and test the filters on
    /// its entries, instead of letting a filter's index fetch every match
    /// and sort them. Only the ORDER BY's index (or the per-status one, for
    /// one status) stays usable: the other terms are written so that no
    /// index applies (`+col`, `col || ''`). SQLite has no statistics unless
    /// ANALYZE ran, and without them it sorts every open case for page 1.
    ordered: bool,
    /// SQLite: the search candidates drive (a look-up per id), the other
    /// terms are written so no index applies. Without statistics SQLite
    /// would rather walk a status index over every open case.
    by_candidates: bool,
}

impl Plan {
    fn of(conn: &DbConnection) -> Self {
        Plan { fts: matches!(conn, DbConnection::Sqlite(_)), ordered: false, by_candidates: false }
    }

    /// The plan for a filter (before the ordered walk is weighed).
    fn for_filter(conn: &DbConnection, f: &QueueFilter) -> Self {
        let mut plan = Plan::of(conn);
        plan.by_candidates = plan.fts && f.candidates.is_some();
        plan
    }
}

fn condition(f: &QueueFilter, skip: Skip, plan: Plan) -> Condition {
    // Always true; keeps the types simple when nothing else applies.
    let mut c: Condition = Box::new(cases::id.is_not_null());
    // Whether the terms below must not use an index (another term drives).
    let unindexed = plan.ordered || plan.by_candidates;
    if skip != Skip::Status {
        c = match f.statuses.as_slice() {
            [one] => Box::new(c.and(cases::status.eq(*one))),
            many if unindexed => Box::new(c.and(cases::status.concat("").eq_any(many.to_vec()))),
            many => Box::new(c.and(cases::status.eq_any(many.to_vec()))),
        };
    }
    if skip != Skip::Kind
        && let Some(k) = &f.kind
    {
        c = if unindexed {
            Box::new(c.and(cases::kind.concat("").eq(*k)))
        } else {
            Box::new(c.and(cases::kind.eq(*k)))
        };
    }
    match f.assignee {
        None | Some(Assignee::Anyone) => {}
        Some(Assignee::Unassigned) if unindexed => c = Box::new(c.and(sql::<Bool>("+cases.assignee_id IS NULL"))),
        Some(Assignee::Unassigned) => c = Box::new(c.and(cases::assignee_id.is_null())),
        Some(Assignee::Staff(id)) if unindexed => {
            c = Box::new(c.and(sql::<Bool>("+cases.assignee_id = ").bind::<BigInt, _>(id)));
        }
        Some(Assignee::Staff(id)) => c = Box::new(c.and(cases::assignee_id.assume_not_null().eq(id))),
    }
    if f.unread {
        c = if unindexed {
            Box::new(c.and(sql::<Bool>("+cases.partner_unread_at IS NOT NULL")))
        } else {
            Box::new(c.and(cases::partner_unread_at.is_not_null()))
        };
    }
    if let Some(code) = &f.flag {
        if unindexed {
            let flagged = sql::<Bool>("+cases.id IN (SELECT case_id FROM case_flags WHERE code = ")
                .bind::<Text, _>(*code)
                .sql(")");
            c = Box::new(c.and(flagged));
        } else {
            let with_flag = case_flags::table.filter(case_flags::code.eq(*code)).select(case_flags::case_id);
            c = Box::new(c.and(cases::id.eq_any(with_flag)));
        }
    }
    if let Some(n) = &f.needle {
        if let Some(ids) = &f.candidates {
            c = if plan.ordered {
                Box::new(c.and((cases::id + 0).eq_any(ids.clone())))
            } else {
                Box::new(c.and(cases::id.eq_any(ids.clone())))
            };
        } else if plan.fts
            && let Some(phrase) = trigram_phrase(n)
        {
            // The index finds the candidates; the LIKE below keeps the
            // meaning exactly that of a substring of `search_text`.
            let found = sql::<Bool>(if unindexed { "+cases.id IN (" } else { "cases.id IN (" })
                .sql("SELECT rowid FROM cases_search WHERE cases_search MATCH ")
                .bind::<Text, _>(phrase)
                .sql(")");
            c = Box::new(c.and(found));
        }
        c = Box::new(c.and(cases::search_text.like(contains_pattern(n)).escape('\\')));
    }
    c
}

/// Whether walking the queue-ordered index beats fetching every match and
/// sorting: the walk visits about `(skipped + limit) × all / matches`
/// entries, the sort fetches and orders `matches` rows (a few times the
/// cost of an entry).
fn walk_is_cheaper(skipped: i64, limit: i64, matches: i64, all: i64) -> bool {
    if matches <= 0 {
        return false;
    }
    let visited = (skipped + limit).saturating_mul(all) / matches;
    visited <= matches.saturating_mul(4)
}

/// Whether the counts can be read from `case_counts`: it is kept per kind,
/// status and assignee, so a flag or a search needs the cases themselves.
fn tallied(f: &QueueFilter) -> bool {
    f.flag.is_none() && f.needle.is_none() && !f.unread
}

/// What the queue counts.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// Cases per status, with every filter but the status one.
    pub by_status: Vec<(Status, i64)>,
    /// Cases per kind, with every filter but the kind one.
    pub by_kind: Vec<(CaseKind, i64)>,
    /// All cases, whatever the filters, when it came with the counts.
    pub all: Option<i64>,
}

/// The counts of the queue page: from `case_counts` in one read when the
/// filters allow (summed per kind, status and assignee, then filtered
/// here), else by counting the cases.
pub fn counts(conn: &mut DbConnection, f: &QueueFilter) -> QueryResult<Counts> {
    if !tallied(f) {
        return Ok(Counts { by_status: counts_by_status(conn, f)?, by_kind: counts_by_kind(conn, f)?, all: None });
    }
    let rows: Vec<(CaseKind, Status, i64, i64)> = case_counts::table
        .group_by((case_counts::kind, case_counts::status, case_counts::assignee_key))
        .select((
            case_counts::kind,
            case_counts::status,
            case_counts::assignee_key,
            sql::<BigInt>("CAST(SUM(n) AS BIGINT)"),
        ))
        .load(conn)?;
    let whose = |key: i64| match f.assignee {
        None | Some(Assignee::Anyone) => true,
        Some(Assignee::Unassigned) => key == 0,
        Some(Assignee::Staff(id)) => key == id,
    };
    let mut by_status: HashMap<Status, i64> = HashMap::new();
    let mut by_kind: HashMap<CaseKind, i64> = HashMap::new();
    let mut all = 0;
    for (kind, status, key, n) in rows {
        all += n;
        if !whose(key) {
            continue;
        }
        if f.kind.as_ref().is_none_or(|k| *k == kind) {
            *by_status.entry(status).or_default() += n;
        }
        if f.statuses.contains(&status) {
            *by_kind.entry(kind).or_default() += n;
        }
    }
    Ok(Counts { by_status: by_status.into_iter().collect(), by_kind: by_kind.into_iter().collect(), all: Some(all) })
}

/// Cases per status, with every filter but the status one.
fn counts_by_status(conn: &mut DbConnection, f: &QueueFilter) -> QueryResult<Vec<(Status, i64)>> {
    cases::table
        .filter(condition(f, Skip::Status, Plan::for_filter(conn, f)))
        .group_by(cases::status)
        .select((cases::status, count_star()))
        .load(conn)
}

/// Cases per kind, with every filter but the kind one.
fn counts_by_kind(conn: &mut DbConnection, f: &QueueFilter) -> QueryResult<Vec<(CaseKind, i64)>> {
    cases::table
        .filter(condition(f, Skip::Kind, Plan::for_filter(conn, f)))
        .group_by(cases::kind)
        .select((cases::kind, count_star()))
        .load(conn)
}

/// How to read a page that skips `skipped` of `total` matches: on SQLite,
/// weigh the ordered walk (see [`Plan::ordered`]) against fetching and
/// sorting the matches; `all` is the number of cases, if already known.
fn page_plan(
    conn: &mut DbConnection,
    f: &QueueFilter,
    skipped: i64,
    limit: i64,
    total: i64,
    all: Option<i64>,
) -> QueryResult<Plan> {
    let mut plan = Plan::for_filter(conn, f);
    if plan.fts {
        let all = match all {
            Some(n) => Some(n),
            None => case_counts::table.select(sql::<Nullable<BigInt>>("CAST(SUM(n) AS BIGINT)")).first(conn)?,
        };
        plan.ordered = walk_is_cheaper(skipped, limit, total, all.unwrap_or(0));
        plan.by_candidates &= !plan.ordered;
    }
    Ok(plan)
}

/// One page of the queue, most urgent first: `limit` rows from `offset`, of
/// `total` matching rows. A page in the second half is read from the other
/// end of the index (descending, then reversed), so no page costs more than
/// walking half the matches, and the last pages cost as little as the first.
/// `all` is the number of cases, if the counts brought it (see [`Counts`]).
pub fn page(
    conn: &mut DbConnection,
    f: &QueueFilter,
    offset: i64,
    limit: i64,
    total: i64,
    all: Option<i64>,
) -> QueryResult<Vec<QueueRow>> {
    if f.by_activity {
        let plan = page_plan(conn, f, offset, limit, total, all)?;
        return cases::table
            .filter(condition(f, Skip::Nothing, plan))
            .select(QueueRow::as_select())
            .order((cases::updated_at.desc(), cases::id.desc()))
            .limit(limit)
            .offset(offset)
            .load(conn);
    }
    let from_end = total - offset;
    let backward = offset > from_end;
    let skipped = if backward { (from_end - limit).max(0) } else { offset };
    let plan = page_plan(conn, f, skipped, limit, total, all)?;
    let query = cases::table.filter(condition(f, Skip::Nothing, plan)).select(QueueRow::as_select());
    if !backward {
        return query
            .order((cases::priority.asc(), cases::due_date.asc(), cases::created_at.asc(), cases::id.asc()))
            .limit(limit)
            .offset(offset)
            .load(conn);
    }
    let take = limit.min(from_end);
    if take <= 0 {
        return Ok(Vec::new());
    }
    let mut rows = query
        .order((cases::priority.desc(), cases::due_date.desc(), cases::created_at.desc(), cases::id.desc()))
        .limit(take)
        .offset(from_end - take)
        .load(conn)?;
    rows.reverse();
    Ok(rows)
}

/// One page of the queue next to a cursor: the `limit` rows after it (or
/// before it, read backwards and reversed), whatever their number. Seeks to
/// the cursor in the queue-ordered index instead of skipping rows.
pub fn page_from(
    conn: &mut DbConnection,
    f: &QueueFilter,
    cursor: &crate::domain::queue::Cursor,
    limit: i64,
    total: i64,
    all: Option<i64>,
) -> QueryResult<Vec<QueueRow>> {
    let plan = page_plan(conn, f, 0, limit, total, all)?;
    // A row value: both backends compare it column by column, in index order.
    let key = sql::<Bool>(if cursor.after {
        "(cases.priority, cases.due_date, cases.created_at, cases.id) > ("
    } else {
        "(cases.priority, cases.due_date, cases.created_at, cases.id) < ("
    })
    .bind::<diesel::sql_types::Integer, _>(cursor.priority)
    .sql(", ")
    .bind::<diesel::sql_types::Date, _>(cursor.due_date)
    .sql(", ")
    .bind::<diesel::sql_types::Timestamp, _>(cursor.created_at)
    .sql(", ")
    .bind::<BigInt, _>(cursor.id)
    .sql(")");
    let query =
        cases::table.filter(condition(f, Skip::Nothing, plan)).filter(key).select(QueueRow::as_select()).limit(limit);
    if cursor.after {
        return query
            .order((cases::priority.asc(), cases::due_date.asc(), cases::created_at.asc(), cases::id.asc()))
            .load(conn);
    }
    let mut rows = query
        .order((cases::priority.desc(), cases::due_date.desc(), cases::created_at.desc(), cases::id.desc()))
        .load(conn)?;
    rows.reverse();
    Ok(rows)
}

/// The flag codes of some cases: (case id, code), in flag order of insertion.
pub fn flags_of(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, FlagCode)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    case_flags::table
        .filter(case_flags::case_id.eq_any(ids.to_vec()))
        .select((case_flags::case_id, case_flags::code))
        .order((case_flags::case_id.asc(), case_flags::id.asc()))
        .load(conn)
}

/// A claimed case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub reference: String,
    pub kind: CaseKind,
}

/// What claiming does to the case, decided by the domain.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The claiming staff member.
    pub staff_id: i64,
    /// Only cases of this kind, if given.
    pub kind: Option<CaseKind>,
    /// The status a claimable case has (`open`).
    pub from_status: Status,
    /// The status it moves to (`in_review`).
    pub to_status: Status,
    /// The timeline entry's body ("Claimed by NAME").
    pub event_body: String,
    pub now: NaiveDateTime,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The most urgent unassigned case in `from_status`, locked for this
/// transaction on PostgreSQL (`FOR UPDATE SKIP LOCKED`, so concurrent
/// claimers each take a different row instead of queueing on the same one).
/// On SQLite the caller's `BEGIN IMMEDIATE` under the app's one writer lock
/// already serialises claimers.
fn next_claimable(conn: &mut DbConnection, c: &Claim) -> QueryResult<Option<i64>> {
    match conn {
        DbConnection::Pg(pg) => {
            let kind_clause = if c.kind.is_some() { " AND kind = $2" } else { "" };
            let sql = format!(
                "SELECT id FROM cases WHERE status = $1 AND assignee_id IS NULL{kind_clause} \
                 ORDER BY priority, due_date, created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
            );
            let q = diesel::sql_query(sql).bind::<Text, _>(c.from_status);
            let rows: Vec<IdRow> = match c.kind {
                Some(k) => q.bind::<Text, _>(k).load(pg)?,
                None => q.load(pg)?,
            };
            Ok(rows.first().map(|r| r.id))
        }
        DbConnection::Sqlite(_) => {
            let mut q = cases::table
                .filter(cases::status.eq(c.from_status))
                .filter(cases::assignee_id.is_null())
                .order((cases::priority.asc(), cases::due_date.asc(), cases::created_at.asc(), cases::id.asc()))
                .select(cases::id)
                .into_boxed();
            if let Some(k) = c.kind {
                q = q.filter(cases::kind.eq(k));
            }
            q.first(conn).optional()
        }
    }
}

/// Atomically assigns the most urgent unassigned case in `from_status` to
/// the staff member, moves it to `to_status`, bumps its version and appends
/// a "claimed" timeline entry. Runs inside the caller's write transaction.
/// `None` when nothing is left to claim.
pub fn claim_next(conn: &mut DbConnection, c: &Claim) -> QueryResult<Option<Claimed>> {
    // A guarded UPDATE: if another claimer got the row first (it cannot on
    // either backend, but the row count is the proof), try the next one.
    for _ in 0..5 {
        let Some(id) = next_claimable(conn, c)? else {
            return Ok(None);
        };
        let updated = diesel::update(
            cases::table
                .filter(cases::id.eq(id))
                .filter(cases::assignee_id.is_null())
                .filter(cases::status.eq(c.from_status)),
        )
        .set((
            cases::assignee_id.eq(Some(c.staff_id)),
            cases::status.eq(c.to_status),
            cases::version.eq(cases::version + 1),
            cases::updated_at.eq(c.now),
        ))
        .execute(conn)?;
        if updated != 1 {
            continue;
        }
        diesel::insert_into(case_events::table)
            .values((
                case_events::case_id.eq(id),
                case_events::created_at.eq(c.now),
                case_events::actor_type.eq(Actor::Staff),
                case_events::staff_id.eq(Some(c.staff_id)),
                case_events::event_type.eq(EventType::Claimed),
                case_events::body.eq(Some(c.event_body.clone())),
                case_events::partner_visible.eq(false),
            ))
            .execute(conn)?;
        let (reference, kind) =
            cases::table.find(id).select((cases::reference, cases::kind)).first::<(String, CaseKind)>(conn)?;
        return Ok(Some(Claimed { id, reference, kind }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::{contains_pattern, probe_words, trigram_phrase, walk_is_cheaper};

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("abc"), "%abc%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern("台灣"), "%台灣%");
    }

    #[test]
    fn probes_start_with_the_most_specific_word() {
        assert_eq!(probe_words("company 4242"), vec!["4242", "company"]);
        assert_eq!(probe_words("fabrikam training ltd"), vec!["fabrikam", "training", "ltd"]);
        assert_eq!(probe_words("台灣微軟 學習夥伴 ab"), vec!["台灣微軟", "學習夥伴"]);
        assert_eq!(probe_words("inv-2026-0423"), vec!["inv-2026-0423"]);
        assert_eq!(probe_words("a b c"), vec!["a b c"]);
        assert_eq!(probe_words("ab 42 x"), vec!["ab 42 x"]);
    }

    #[test]
    fn walking_the_ordered_index_wins_unless_matches_are_few() {
        // Open work: 80,000 of 100,000; page 1 and the middle page.
        assert!(walk_is_cheaper(0, 50, 80_000, 100_000));
        assert!(walk_is_cheaper(40_000, 50, 80_000, 100_000));
        // Ten search hits: fetch and sort them.
        assert!(!walk_is_cheaper(0, 50, 10, 100_000));
        // 5 % of the cases: page 1 walks ~1,000 entries rather than sort
        // 5,000 rows; the middle page would walk half the index: sort.
        assert!(walk_is_cheaper(0, 50, 5_000, 100_000));
        assert!(!walk_is_cheaper(2_450, 50, 5_000, 100_000));
        assert!(!walk_is_cheaper(0, 50, 0, 100_000));
    }

    #[test]
    fn trigram_phrases_quote_and_need_three_characters() {
        assert_eq!(trigram_phrase("ab"), None);
        assert_eq!(trigram_phrase("台灣"), None);
        assert_eq!(trigram_phrase("台灣微"), Some("\"台灣微\"".into()));
        assert_eq!(trigram_phrase("say \"hi\""), Some("\"say \"\"hi\"\"\"".into()));
    }
}
