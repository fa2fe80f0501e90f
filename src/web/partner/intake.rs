//! Filing a case: one write transaction that re-checks the idempotency key,
//! triages the case against the partner's other cases, and stores the case,
//! its evidence, its first timeline entries, its flags and its jobs.

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::case::{CaseKind, Status, reference};
use crate::domain::contact::Contact;
use crate::domain::timeline::{Actor, EventType};
use crate::domain::triage::{CaseFacts, FlagSource, OtherCase, TriageRules, triage};
use crate::error::AppError;
use crate::store::DbConnection;
use crate::store::cases::{self as store, NewAttachment, NewCase, NewEvent, NewFlag};

/// What a filing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filed {
    /// A new case with this reference.
    Created(String),
    /// The same form was sent before: that case stands.
    AlreadyFiled,
}

/// A case ready to be stored, less what triage decides.
pub struct Filing {
    /// The row, with placeholder priority fields.
    pub case: NewCase,
    /// The facts triage needs.
    pub facts: CaseFacts,
    /// The invoice, if any (its `case_id` is filled in here).
    pub attachment: Option<NewAttachment>,
    /// Thresholds.
    pub rules: TriageRules,
    /// The date the case is filed on.
    pub today: NaiveDate,
    /// The time it is filed at.
    pub now: NaiveDateTime,
    /// Forget an invoice kept for this form (it becomes the case's evidence).
    pub forget_upload: bool,
}

/// A new case row with the contact block filled in and every kind-specific
/// column empty; triage fills priority, reason, guidance and due date.
pub fn base_case(
    kind: CaseKind,
    contact: &Contact,
    idempotency_key: &str,
    tracking_hash: String,
    now: NaiveDateTime,
) -> NewCase {
    NewCase {
        reference: String::new(),
        kind,
        status: Status::Open,
        version: 1,
        tracking_hash,
        idempotency_key: idempotency_key.into(),
        partner_id: contact.partner_id.clone(),
        company_name: contact.company_name.clone(),
        contact_name: contact.contact_name.clone(),
        contact_email: contact.contact_email.clone(),
        contact_role: contact.contact_role.as_str().into(),
        priority: 0,
        priority_reason: String::new(),
        guidance: String::new(),
        due_date: now.date(),
        search_text: String::new(),
        created_at: now,
        updated_at: now,
        kpi_month: None,
        kpi_year: None,
        omlp_type: None,
        purchase_unit: None,
        invoice_number: None,
        invoice_number_norm: None,
        kpi_value: None,
        revenue_minor: None,
        revenue_currency: None,
        document_type: None,
        anniversary_date: None,
        description: None,
        evidence: None,
        directory_name: None,
        country: None,
        landing_page_url: None,
        batch_key: None,
    }
}

/// Lower-cased text the queue's search looks in.
pub fn search_text(c: &NewCase) -> String {
    [
        Some(c.reference.as_str()),
        Some(c.partner_id.as_str()),
        Some(c.company_name.as_str()),
        Some(c.contact_email.as_str()),
        c.invoice_number.as_deref(),
        c.invoice_number_norm.as_deref(),
        c.directory_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\u{1f}")
    .to_lowercase()
}

/// Stores a filing in the caller's transaction.
pub fn file(conn: &mut DbConnection, filing: Filing) -> Result<Filed, AppError> {
    let Filing { mut case, facts, attachment, rules, today, now, forget_upload } = filing;
    if store::find_by_idempotency_key(conn, &case.idempotency_key)?.is_some() {
        return Ok(Filed::AlreadyFiled);
    }
    let others: Vec<OtherCase> = store::partner_cases(conn, &case.partner_id, None)?
        .into_iter()
        .map(|r| OtherCase {
            kind: r.kind,
            open: !r.status.is_closed(),
            reference: r.reference,
            invoice_number_norm: r.invoice_number_norm,
        })
        .collect();
    let t = triage(&facts, &others, today, &rules);
    let kind = case.kind;
    case.priority = t.priority.as_i32();
    case.priority_reason = t.priority_reason.clone();
    case.due_date = t.due_date;
    case.guidance = t.guidance.join("\n");
    // A unique placeholder until the id is known.
    case.reference = format!("pending-{}", case.idempotency_key);
    let id = match store::insert_case(conn, &case) {
        Ok(id) => id,
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            // Another request with the same form won the race.
            return Err(AppError::Conflict("already filed".into()));
        }
        Err(e) => return Err(e.into()),
    };
    let reference = reference(kind, today, id);
    case.reference = reference.clone();
    store::set_reference(conn, id, &reference, &search_text(&case))?;
    if let Some(mut a) = attachment {
        a.case_id = id;
        store::insert_attachment(conn, &a)?;
    }
    if forget_upload {
        crate::store::uploads::forget(conn, &case.idempotency_key)?;
    }
    store::insert_event(
        conn,
        &NewEvent {
            case_id: id,
            created_at: now,
            actor_type: Actor::Partner,
            staff_id: None,
            event_type: EventType::Filed,
            body: Some(format!("{} filed by {}", kind.label(), case.contact_name)),
            partner_visible: true,
        },
    )?;
    let flag_names: Vec<&str> = t.flags.iter().map(|f| f.code.label()).collect();
    store::insert_event(
        conn,
        &NewEvent {
            case_id: id,
            created_at: now,
            actor_type: Actor::System,
            staff_id: None,
            event_type: EventType::Triaged,
            body: Some(if flag_names.is_empty() {
                format!("{} Due {}.", t.priority_reason, crate::domain::calendar::long_date(t.due_date))
            } else {
                format!(
                    "{} Due {}. Flags: {}.",
                    t.priority_reason,
                    crate::domain::calendar::long_date(t.due_date),
                    flag_names.join(", ")
                )
            }),
            partner_visible: false,
        },
    )?;
    let flags: Vec<NewFlag> = t
        .flags
        .iter()
        .map(|f| NewFlag {
            case_id: id,
            code: f.code,
            reason: f.reason.clone(),
            related_reference: f.related_reference.clone(),
            source: FlagSource::Triage,
            created_at: now,
        })
        .collect();
    // A new case has no flags yet: insert, nothing to replace.
    store::insert_flags(conn, &flags)?;
    if kind == CaseKind::Directory {
        crate::store::jobs::insert(conn, crate::store::jobs::JobKind::LandingCheck, id, now)?;
    }
    Ok(Filed::Created(reference))
}
