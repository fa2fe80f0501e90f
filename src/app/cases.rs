//! Reading one case, as its filer sees it through the tracking link and as
//! staff see it on the case page.

use chrono::NaiveDateTime;

use crate::clock::Clock;
use crate::domain::calendar::BatchWindow;
use crate::domain::case::CaseKind;
use crate::domain::landing_page::CheckState;
use crate::domain::triage::FlagSource;
use crate::error::AppError;
use crate::keys::sha256_hex;
use crate::store::cases::{self as store, AttachmentMeta, CaseRow, EventRow, FlagRow};
use crate::store::jobs::{self, JobKind, JobStatus};
use crate::store::staff::{self as staff_store, StaffRow};
use crate::store::{Db, DbConnection, actions};

/// A case as its tracking link shows it.
pub struct Tracked {
    /// The case.
    pub case: CaseRow,
    /// Its partner-visible timeline, oldest first.
    pub events: Vec<EventRow>,
    /// Its files.
    pub files: Vec<AttachmentMeta>,
    /// For a directory request, the batch it is in today.
    pub batch: Option<BatchWindow>,
}

/// The hash a tracking token is stored as, for a token of the shape we
/// issue (64 hex digits); `NotFound` for anything else.
pub fn tracking_hash(token: &str) -> Result<String, AppError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    Ok(sha256_hex(token))
}

/// The case a tracking token opens; `NotFound` when it opens none.
pub async fn tracked(db: &Db, clock: &Clock, token: &str) -> Result<Tracked, AppError> {
    let (hash, today) = (tracking_hash(token)?, clock.today());
    db.read(move |conn| {
        let case = store::find_by_tracking_hash(conn, &hash)?.ok_or(AppError::NotFound)?;
        let events = store::events(conn, case.id, true)?;
        let files = store::attachments(conn, case.id)?;
        let batch = super::batches::current_batch(conn, &case, today)?;
        Ok(Tracked { case, events, files, batch })
    })
    .await
}

/// A case as the staff case page shows it.
pub struct StaffView {
    /// The case.
    pub case: CaseRow,
    /// Its flags.
    pub flags: Vec<FlagRow>,
    /// Its whole timeline, oldest first.
    pub events: Vec<EventRow>,
    /// Its files.
    pub files: Vec<AttachmentMeta>,
    /// Every staff account (names, the assignee choices).
    pub staff: Vec<StaffRow>,
    /// The reference of the case it duplicates, if it does.
    pub duplicate_of: Option<String>,
    /// For a directory request, the batch it is in today.
    pub batch: Option<BatchWindow>,
    /// For a directory request, where its landing-page check stands.
    pub check: Option<CheckState>,
    /// The e-mail it caused, oldest first.
    pub mail: Vec<crate::store::outbox::MailRow>,
}

/// Where a directory request's landing-page check stands; `None` for a KPI
/// case.
pub(crate) fn landing_check_state(conn: &mut DbConnection, case: &CaseRow) -> Result<Option<CheckState>, AppError> {
    if case.kind != CaseKind::Directory {
        return Ok(None);
    }
    let job = jobs::for_case(conn, case.id)?.into_iter().rfind(|j| j.kind == JobKind::LandingCheck);
    let problems = store::flags_from(conn, case.id, FlagSource::LandingCheck)?.len();
    let checked =
        |fallback: NaiveDateTime| CheckState::Checked { at: case.landing_checked_at.unwrap_or(fallback), problems };
    Ok(Some(match job {
        None => case.landing_checked_at.map_or(CheckState::Waiting, checked),
        Some(j) => match j.status {
            JobStatus::Pending if j.attempts == 0 => CheckState::Waiting,
            JobStatus::Pending => CheckState::Retrying {
                attempts: j.attempts,
                next: j.run_after,
                last_error: j.last_error.unwrap_or_default(),
            },
            JobStatus::Running => CheckState::Running,
            JobStatus::Done => checked(j.finished_at.unwrap_or(j.created_at)),
            JobStatus::Failed => {
                CheckState::Failed { attempts: j.attempts, last_error: j.last_error.unwrap_or_default() }
            }
        },
    }))
}

/// The case `reference` for the staff case page; `NotFound` when none.
pub async fn for_staff(db: &Db, clock: &Clock, reference: &str) -> Result<StaffView, AppError> {
    let (reference, today) = (reference.to_owned(), clock.today());
    db.read(move |conn| {
        let case = store::find_by_reference(conn, &reference)?.ok_or(AppError::NotFound)?;
        let duplicate_of = match case.duplicate_of {
            Some(id) => actions::reference_of(conn, id)?,
            None => None,
        };
        Ok(StaffView {
            flags: store::flags(conn, case.id)?,
            events: store::events(conn, case.id, false)?,
            files: store::attachments(conn, case.id)?,
            staff: staff_store::all(conn)?,
            duplicate_of,
            batch: super::batches::current_batch(conn, &case, today)?,
            check: landing_check_state(conn, &case)?,
            mail: crate::store::outbox::for_case(conn, case.id)?,
            case,
        })
    })
    .await
}

/// A file the partner may download from the tracking page: their evidence,
/// or a file attached to a message they can see (theirs or support's);
/// `NotFound` for anything else.
pub async fn partner_attachment(db: &Db, token: &str, id: i64) -> Result<(CaseRow, AttachmentMeta, Vec<u8>), AppError> {
    let hash = tracking_hash(token)?;
    db.read(move |conn| {
        let case = store::find_by_tracking_hash(conn, &hash)?.ok_or(AppError::NotFound)?;
        let (meta, data) = store::attachment_data(conn, case.id, id)?.ok_or(AppError::NotFound)?;
        if let Some(event_id) = meta.event_id {
            let visible = store::events(conn, case.id, true)?.iter().any(|e| e.id == event_id);
            if !visible {
                return Err(AppError::NotFound);
            }
        }
        Ok((case, meta, data))
    })
    .await
}

/// A file of the case `reference`: its metadata and bytes; `NotFound` for a
/// file of another case.
pub async fn attachment(db: &Db, reference: &str, id: i64) -> Result<(AttachmentMeta, Vec<u8>), AppError> {
    let reference = reference.to_owned();
    db.read(move |conn| {
        let case = store::find_by_reference(conn, &reference)?.ok_or(AppError::NotFound)?;
        store::attachment_data(conn, case.id, id)?.ok_or(AppError::NotFound)
    })
    .await
}
