//! The staff queue: one read that loads a page of cases with its counts and
//! flags (filters parsed and resolved by `domain::queue`), and "claim next",
//! which atomically gives the most urgent unassigned open case to whoever
//! asks.

use std::collections::HashMap;

use crate::clock::Clock;
use crate::domain::case::{CaseKind, Status};
use crate::domain::queue::{self as rules, AssigneeFilter, PAGE_SIZE, QueueFilters, claim_transition, page_count};
use crate::domain::triage::FlagCode;
use crate::error::AppError;
use crate::store::Db;
use crate::store::queue::{self as store, Claim, Claimed, QueueFilter, QueueRow};
use crate::store::staff::{self as staff_store, StaffRow};

/// A page of the queue, as stored.
pub struct Page {
    /// Every staff account (for names and the assignee filter).
    pub staff: Vec<StaffRow>,
    /// Cases per status, with every filter but the status one.
    pub by_status: HashMap<Status, i64>,
    /// Cases per kind, with every filter but the kind one.
    pub by_kind: HashMap<CaseKind, i64>,
    /// Cases the filters select.
    pub total: i64,
    /// The page's rows, in queue order.
    pub rows: Vec<QueueRow>,
    /// The flags of those rows: (case id, code).
    pub flags: Vec<(i64, FlagCode)>,
}

/// What a queue read found.
pub enum Loaded {
    /// The page asked for.
    Page(Page),
    /// The page number is past the last page.
    PastTheEnd,
}

/// Loads the page of the queue `filters` ask for, as staff member `me` sees it.
pub async fn load(db: &Db, filters: &QueueFilters, me: i64) -> Result<Loaded, AppError> {
    let mut query = QueueFilter {
        kind: filters.kind,
        statuses: filters.statuses(),
        assignee: Some(filters.assignee.resolve(me)),
        flag: filters.flag,
        unread: filters.unread,
        by_activity: filters.by_activity,
        needle: filters.needle(),
        candidates: None,
    };
    let (page, cursor, assignee) = (filters.page, filters.cursor, filters.assignee);
    db.read(move |conn| {
        let staff = staff_store::all(conn)?;
        if let AssigneeFilter::Staff(id) = assignee
            && !staff.iter().any(|s| s.id == id)
        {
            return Err(AppError::BadRequest(format!(
                "No staff member has the id {id}. Choose an assignee from the list."
            )));
        }
        store::narrow(conn, &mut query)?;
        let counts = store::counts(conn, &query)?;
        let by_status: HashMap<Status, i64> = counts.by_status.into_iter().collect();
        let by_kind: HashMap<CaseKind, i64> = counts.by_kind.into_iter().collect();
        let total: i64 = query.statuses.iter().filter_map(|s| by_status.get(s)).sum();
        if page > page_count(total) {
            return Ok(Loaded::PastTheEnd);
        }
        // Next/Previous links carry a cursor (page 1 never needs one); a
        // cursor that finds nothing (its cases closed since) falls back to
        // the page's number.
        let mut rows = match cursor {
            Some(c) if page > 1 && !query.by_activity => {
                store::page_from(conn, &query, &c, PAGE_SIZE, total, counts.all)?
            }
            _ => Vec::new(),
        };
        if rows.is_empty() {
            rows = store::page(conn, &query, rules::offset(page), PAGE_SIZE, total, counts.all)?;
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let flags = store::flags_of(conn, &ids)?;
        Ok(Loaded::Page(Page { staff, by_status, by_kind, total, rows, flags }))
    })
    .await
}

/// Gives the most urgent unassigned open case (of `kind`, if given) to the
/// staff member and moves it to in review, with a timeline entry; `None`
/// when there is nothing to claim.
pub async fn claim_next(
    db: &Db,
    clock: &Clock,
    staff_id: i64,
    staff_name: &str,
    kind: Option<CaseKind>,
) -> Result<Option<Claimed>, AppError> {
    let (from_status, to_status) = claim_transition().map_err(|e| AppError::Unexpected(anyhow::anyhow!(e)))?;
    let claim = Claim {
        staff_id,
        kind,
        from_status,
        to_status,
        event_body: format!("Claimed by {staff_name}"),
        now: clock.now(),
    };
    db.write(move |conn| Ok(store::claim_next(conn, &claim)?)).await
}
