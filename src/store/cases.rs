//! Cases, their evidence, timeline and flags: rows and queries only (the
//! rules that decide what to write live in `domain`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{attachments, case_events, case_flags, cases};
use crate::domain::case::{CaseKind, Status};
use crate::domain::timeline::{Actor, EventType};
use crate::domain::triage::{Evidence, FlagCode, FlagSource};

/// A stored case, every column.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = cases)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CaseRow {
    pub id: i64,
    pub reference: String,
    pub kind: CaseKind,
    pub status: Status,
    pub version: i32,
    pub tracking_hash: String,
    pub idempotency_key: String,
    pub partner_id: String,
    pub company_name: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_role: String,
    pub priority: i32,
    pub priority_reason: String,
    pub guidance: String,
    pub due_date: NaiveDate,
    pub assignee_id: Option<i64>,
    pub duplicate_of: Option<i64>,
    pub outcome: Option<String>,
    pub resolution_message: Option<String>,
    pub search_text: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub kpi_month: Option<i32>,
    pub kpi_year: Option<i32>,
    pub omlp_type: Option<String>,
    pub purchase_unit: Option<i64>,
    pub invoice_number: Option<String>,
    pub invoice_number_norm: Option<String>,
    pub kpi_value: Option<String>,
    pub revenue_minor: Option<i64>,
    pub revenue_currency: Option<String>,
    pub document_type: Option<String>,
    pub anniversary_date: Option<NaiveDate>,
    pub description: Option<String>,
    pub evidence: Option<Evidence>,
    pub directory_name: Option<String>,
    pub country: Option<String>,
    pub landing_page_url: Option<String>,
    pub batch_key: Option<String>,
    pub landing_checked_at: Option<NaiveDateTime>,
    /// The date printed on the invoice as its date, when it could be read.
    pub doc_invoice_date: Option<NaiveDate>,
    /// The invoice's grand total (hundredths), when it could be read.
    pub doc_total_minor: Option<i64>,
    /// Its currency (ISO 4217), when named.
    pub doc_total_currency: Option<String>,
    /// Since when the case waits on the partner (its service level paused).
    pub waiting_since: Option<NaiveDateTime>,
    /// Business days the service level was paused in all (the due date
    /// moved by as many).
    pub sla_paused_days: i32,
    /// When the partner wrote a message staff have not read yet.
    pub partner_unread_at: Option<NaiveDateTime>,
    /// The language of the request that filed it (`en`, `zh-TW`).
    pub language: String,
}

/// A case to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = cases)]
pub struct NewCase {
    pub reference: String,
    pub kind: CaseKind,
    pub status: Status,
    pub version: i32,
    pub tracking_hash: String,
    pub idempotency_key: String,
    pub partner_id: String,
    pub company_name: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_role: String,
    pub priority: i32,
    pub priority_reason: String,
    pub guidance: String,
    pub due_date: NaiveDate,
    pub search_text: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub kpi_month: Option<i32>,
    pub kpi_year: Option<i32>,
    pub omlp_type: Option<String>,
    pub purchase_unit: Option<i64>,
    pub invoice_number: Option<String>,
    pub invoice_number_norm: Option<String>,
    pub kpi_value: Option<String>,
    pub revenue_minor: Option<i64>,
    pub revenue_currency: Option<String>,
    pub document_type: Option<String>,
    pub anniversary_date: Option<NaiveDate>,
    pub description: Option<String>,
    pub evidence: Option<Evidence>,
    pub directory_name: Option<String>,
    pub country: Option<String>,
    pub landing_page_url: Option<String>,
    pub batch_key: Option<String>,
    pub doc_invoice_date: Option<NaiveDate>,
    pub doc_total_minor: Option<i64>,
    pub doc_total_currency: Option<String>,
    /// The filing request's language (`en`, `zh-TW`).
    pub language: String,
}

/// An attachment to insert (the bytes live in the database, so one
/// transaction holds the case and its evidence).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = attachments)]
pub struct NewAttachment {
    pub case_id: i64,
    pub event_id: Option<i64>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub text_layer: String,
    pub doc_class: String,
    pub invoice_number_found: Option<bool>,
    pub data: Vec<u8>,
    pub created_at: NaiveDateTime,
}

/// Attachment metadata (no bytes).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AttachmentMeta {
    pub id: i64,
    pub case_id: i64,
    pub event_id: Option<i64>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub text_layer: String,
    pub doc_class: String,
    pub invoice_number_found: Option<bool>,
    pub created_at: NaiveDateTime,
    /// When the retention rule removed its bytes (none are left to download).
    pub purged_at: Option<NaiveDateTime>,
    /// The days after the case closed it was kept, when it was removed.
    pub kept_days: Option<i32>,
}

impl AttachmentMeta {
    /// Whether its bytes are gone (removed under the retention rule).
    pub fn purged(&self) -> bool {
        self.purged_at.is_some()
    }
}

/// A timeline entry to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_events)]
pub struct NewEvent {
    pub case_id: i64,
    pub created_at: NaiveDateTime,
    pub actor_type: Actor,
    pub staff_id: Option<i64>,
    pub event_type: EventType,
    pub body: Option<String>,
    pub partner_visible: bool,
}

/// A stored timeline entry.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_events)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct EventRow {
    pub id: i64,
    pub case_id: i64,
    pub created_at: NaiveDateTime,
    pub actor_type: Actor,
    pub staff_id: Option<i64>,
    pub event_type: EventType,
    pub body: Option<String>,
    pub partner_visible: bool,
}

/// A flag to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_flags)]
pub struct NewFlag {
    pub case_id: i64,
    pub code: FlagCode,
    pub reason: String,
    pub related_reference: Option<String>,
    pub source: FlagSource,
    pub created_at: NaiveDateTime,
}

/// A stored flag.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_flags)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct FlagRow {
    pub id: i64,
    pub case_id: i64,
    pub code: FlagCode,
    pub reason: String,
    pub related_reference: Option<String>,
    pub source: FlagSource,
    pub created_at: NaiveDateTime,
}

/// Another case of the same partner, as triage sees it.
#[derive(Debug, Clone, Queryable)]
pub struct PartnerCaseRow {
    pub id: i64,
    pub reference: String,
    pub kind: CaseKind,
    pub invoice_number_norm: Option<String>,
    pub status: Status,
}

/// Inserts a case and returns its id.
pub fn insert_case(conn: &mut DbConnection, new: &NewCase) -> QueryResult<i64> {
    diesel::insert_into(cases::table).values(new).returning(cases::id).get_result(conn)
}

/// Sets the human reference once the id is known, with the search text
/// that includes it.
pub fn set_reference(conn: &mut DbConnection, id: i64, reference: &str, search_text: &str) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set((cases::reference.eq(reference), cases::search_text.eq(search_text)))
        .execute(conn)
        .map(|_| ())
}

/// Inserts an attachment.
pub fn insert_attachment(conn: &mut DbConnection, new: &NewAttachment) -> QueryResult<i64> {
    diesel::insert_into(attachments::table).values(new).returning(attachments::id).get_result(conn)
}

/// Inserts a timeline entry.
pub fn insert_event(conn: &mut DbConnection, new: &NewEvent) -> QueryResult<i64> {
    diesel::insert_into(case_events::table).values(new).returning(case_events::id).get_result(conn)
}

/// Replaces the flags of one source (triage or a check) on a case.
pub fn replace_flags(conn: &mut DbConnection, case_id: i64, source: FlagSource, flags: &[NewFlag]) -> QueryResult<()> {
    diesel::delete(case_flags::table.filter(case_flags::case_id.eq(case_id)).filter(case_flags::source.eq(source)))
        .execute(conn)?;
    for f in flags {
        // One flag per code, case and related case: one another source
        // already set stays.
        let existing: Vec<Option<String>> = case_flags::table
            .filter(case_flags::case_id.eq(case_id))
            .filter(case_flags::code.eq(&f.code))
            .select(case_flags::related_reference)
            .load(conn)?;
        if !existing.contains(&f.related_reference) {
            diesel::insert_into(case_flags::table).values(f).execute(conn)?;
        }
    }
    Ok(())
}

/// Inserts flags (on a case that has none of them yet).
pub fn insert_flags(conn: &mut DbConnection, flags: &[NewFlag]) -> QueryResult<()> {
    // One statement per flag: batch inserts are not in the SQL both backends share.
    for f in flags {
        diesel::insert_into(case_flags::table).values(f).execute(conn)?;
    }
    Ok(())
}

/// The case filed with this idempotency key, if any: (id, reference).
pub fn find_by_idempotency_key(conn: &mut DbConnection, key: &str) -> QueryResult<Option<(i64, String)>> {
    cases::table.filter(cases::idempotency_key.eq(key)).select((cases::id, cases::reference)).first(conn).optional()
}

/// The case a tracking token's hash opens.
pub fn find_by_tracking_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<CaseRow>> {
    cases::table.filter(cases::tracking_hash.eq(hash)).select(CaseRow::as_select()).first(conn).optional()
}

/// A case by reference.
pub fn find_by_reference(conn: &mut DbConnection, reference: &str) -> QueryResult<Option<CaseRow>> {
    cases::table.filter(cases::reference.eq(reference)).select(CaseRow::as_select()).first(conn).optional()
}

/// A case by id.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<CaseRow> {
    cases::table.find(id).select(CaseRow::as_select()).first(conn)
}

/// The partner's other cases (for duplicate detection).
pub fn partner_cases(
    conn: &mut DbConnection,
    partner_id: &str,
    exclude: Option<i64>,
) -> QueryResult<Vec<PartnerCaseRow>> {
    let mut q = cases::table
        .filter(cases::partner_id.eq(partner_id))
        .select((cases::id, cases::reference, cases::kind, cases::invoice_number_norm, cases::status))
        .order(cases::id.asc())
        .into_boxed();
    if let Some(id) = exclude {
        q = q.filter(cases::id.ne(id));
    }
    q.load(conn)
}

/// The timeline of a case, newest first; only partner-visible entries when asked.
pub fn events(conn: &mut DbConnection, case_id: i64, partner_only: bool) -> QueryResult<Vec<EventRow>> {
    let mut q = case_events::table
        .filter(case_events::case_id.eq(case_id))
        .select(EventRow::as_select())
        .order((case_events::created_at.desc(), case_events::id.desc()))
        .into_boxed();
    if partner_only {
        q = q.filter(case_events::partner_visible.eq(true));
    }
    q.load(conn)
}

/// The flags of a case.
pub fn flags(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<FlagRow>> {
    case_flags::table
        .filter(case_flags::case_id.eq(case_id))
        .select(FlagRow::as_select())
        .order(case_flags::id.asc())
        .load(conn)
}

/// The attachments of a case (metadata only).
pub fn attachments(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<AttachmentMeta>> {
    attachments::table
        .filter(attachments::case_id.eq(case_id))
        .select(AttachmentMeta::as_select())
        .order(attachments::id.asc())
        .load(conn)
}

/// One attachment's bytes, with its metadata.
pub fn attachment_data(
    conn: &mut DbConnection,
    case_id: i64,
    id: i64,
) -> QueryResult<Option<(AttachmentMeta, Vec<u8>)>> {
    attachments::table
        .filter(attachments::case_id.eq(case_id))
        .filter(attachments::id.eq(id))
        .select((AttachmentMeta::as_select(), attachments::data))
        .first(conn)
        .optional()
}

/// How many cases there are (for tests and the health of the queue).
pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    cases::table.count().get_result(conn)
}

/// Records when the landing page was last checked.
pub fn set_landing_checked_at(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(cases::table.find(id)).set(cases::landing_checked_at.eq(Some(at))).execute(conn).map(|_| ())
}

/// Notes that the partner wrote something staff have not read yet.
pub fn mark_partner_unread(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(cases::table.find(id)).set(cases::partner_unread_at.eq(Some(at))).execute(conn).map(|_| ())
}

/// Notes that staff have read what the partner wrote.
pub fn mark_partner_read(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set(cases::partner_unread_at.eq(None::<NaiveDateTime>))
        .execute(conn)
        .map(|_| ())
}

/// What triage decided for a case, as stored on its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageColumns {
    /// Stored priority (1 = urgent … 4 = low).
    pub priority: i32,
    /// Why, in a sentence.
    pub priority_reason: String,
    /// Due date.
    pub due_date: NaiveDate,
    /// Partner-visible guidance, one sentence a line.
    pub guidance: String,
}

/// Stores a new triage outcome on a case.
pub fn set_triage(conn: &mut DbConnection, id: i64, t: &TriageColumns, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set((
            cases::priority.eq(t.priority),
            cases::priority_reason.eq(&t.priority_reason),
            cases::due_date.eq(t.due_date),
            cases::guidance.eq(&t.guidance),
            cases::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The flags one source set on a case.
pub fn flags_from(conn: &mut DbConnection, case_id: i64, source: FlagSource) -> QueryResult<Vec<FlagRow>> {
    case_flags::table
        .filter(case_flags::case_id.eq(case_id))
        .filter(case_flags::source.eq(source))
        .select(FlagRow::as_select())
        .order(case_flags::id.asc())
        .load(conn)
}

/// Open KPI cases after `after_id` whose triage follows the calendar: those
/// flagged too early, and those with a partner anniversary (their renewal
/// comes closer every day). At most `limit`, by id.
pub fn calendar_bound(conn: &mut DbConnection, after_id: i64, limit: i64) -> QueryResult<Vec<i64>> {
    let open: Vec<Status> = Status::ALL.into_iter().filter(|s| !s.is_closed()).collect();
    let too_early = case_flags::table
        .filter(case_flags::code.eq(FlagCode::TooEarly))
        .filter(case_flags::source.eq(FlagSource::Triage))
        .select(case_flags::case_id);
    cases::table
        .filter(cases::kind.eq(CaseKind::Kpi))
        .filter(cases::status.eq_any(open))
        .filter(cases::id.gt(after_id))
        .filter(cases::anniversary_date.is_not_null().or(cases::id.eq_any(too_early)))
        .order(cases::id.asc())
        .limit(limit)
        .select(cases::id)
        .load(conn)
}
