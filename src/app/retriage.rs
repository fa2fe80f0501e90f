//! Triage again, for a case already stored: when something triage depends on
//! changes (a related case closing, …), recompute it from the case's row and
//! the partner's other cases, store what changed and say so on the timeline.
//!
//! The rules themselves stay in [`crate::domain::triage`]; this module only
//! rebuilds their input from storage and writes their output back.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};

use crate::clock::Clock;
use crate::domain::calendar::{kpi_visible_from, long_date, next_anniversary};
use crate::store::Db;
use crate::store::daily;

use crate::domain::case::CaseKind;
use crate::domain::landing_url::registrable_domain;
use crate::domain::timeline::{Actor, EventType};
use crate::domain::triage::{
    CaseFacts, CrossCheck, DirectoryFacts, Evidence, Flag, FlagCode, FlagSource, KpiFacts, OtherCase, Priority,
    TriageRules, triage_in,
};
use crate::error::AppError;
use crate::store::DbConnection;
use crate::store::cases::{self as store, CaseRow, NewEvent, NewFlag, TriageColumns};

/// The facts triage needs, rebuilt from a stored case.
pub fn facts_of(case: &CaseRow) -> Result<CaseFacts, AppError> {
    let missing = |what: &str| AppError::Unexpected(anyhow::anyhow!("case {} has no {what}", case.id));
    Ok(match case.kind {
        CaseKind::Kpi => CaseFacts::Kpi(KpiFacts {
            year: case.kpi_year.ok_or_else(|| missing("invoice year"))?,
            month: case.kpi_month.and_then(|m| u32::try_from(m).ok()).ok_or_else(|| missing("invoice month"))?,
            invoice_number_norm: case.invoice_number_norm.clone().unwrap_or_default(),
            anniversary_date: case.anniversary_date,
            // Evidence we cannot read back needs a person's look anyway.
            evidence: case.evidence.unwrap_or(Evidence::Unextractable),
            cross: CrossCheck {
                printed_date: case.doc_invoice_date,
                printed_total: case.doc_total_currency.clone().zip(case.doc_total_minor),
                revenue: case.revenue_currency.clone().zip(case.revenue_minor),
            },
        }),
        CaseKind::Directory => {
            let raw = case.landing_page_url.as_deref().ok_or_else(|| missing("landing page URL"))?;
            let url = url::Url::parse(raw)
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("case {}: stored landing URL: {e}", case.id)))?;
            CaseFacts::Directory(DirectoryFacts {
                contact_email_domain: registrable_domain(&case.contact_email),
                landing_registrable_domain: url.host_str().and_then(registrable_domain).unwrap_or_default(),
                landing_https: url.scheme() == "https",
            })
        }
    })
}

/// The partner's other cases, as triage sees them.
fn other_cases(conn: &mut DbConnection, case: &CaseRow) -> Result<Vec<OtherCase>, AppError> {
    Ok(store::partner_cases(conn, &case.partner_id, Some(case.id))?
        .into_iter()
        .map(|r| OtherCase {
            kind: r.kind,
            open: !r.status.is_closed(),
            reference: r.reference,
            invoice_number_norm: r.invoice_number_norm,
        })
        .collect())
}

/// Flags by what makes one distinct: its code and, for a flag that can
/// repeat (a possible duplicate of several cases), the case it points at.
fn by_identity(flags: &[Flag]) -> BTreeMap<(FlagCode, Option<&str>), &Flag> {
    let mut out = BTreeMap::new();
    for f in flags {
        out.entry((f.code, f.related_reference.as_deref())).or_insert(f);
    }
    out
}

fn with_reference(label: &str, reference: Option<&str>) -> String {
    match reference {
        Some(r) => format!("{label} ({r})"),
        None => label.to_owned(),
    }
}

/// Recomputes triage for a stored case, in the caller's write transaction.
///
/// Rebuilds the facts from the case's row (for KPI cases the stored evidence
/// code; for directory requests the registrable domains of the contact e-mail
/// and the landing page) and the partner's other cases, runs
/// [`triage`], and stores any change to priority, priority reason, due date,
/// guidance and the `triage` flags, with an internal system timeline event
/// (`retriaged`) that says what changed and why. Returns that description, or
/// `None` when nothing changed (or the case is closed: nothing is triaged
/// after it closes).
///
/// The service level stays measured from the day the case was filed (so a
/// re-triage never moves the due date just because time passed); `now`
/// decides what follows the calendar: whether the case is still too early,
/// and whether the partner's renewal is now close enough to be at stake.
pub fn retriage(
    conn: &mut DbConnection,
    case_id: i64,
    rules: &TriageRules,
    now: NaiveDateTime,
) -> Result<Option<String>, AppError> {
    retriage_because(conn, case_id, rules, now, None)
}

/// [`retriage`], with what set it off for the timeline entry ("on the new
/// day, 15 March 2026").
pub fn retriage_because(
    conn: &mut DbConnection,
    case_id: i64,
    rules: &TriageRules,
    now: NaiveDateTime,
    because: Option<&str>,
) -> Result<Option<String>, AppError> {
    let today = now.date();
    let case = store::find(conn, case_id)?;
    if case.status.is_closed() {
        return Ok(None);
    }
    let facts = facts_of(&case)?;
    let others = other_cases(conn, &case)?;
    let filed_on = case.created_at.date().min(today);
    let lang = crate::i18n::Lang::parse(&case.language).unwrap_or_default();
    let t = triage_in(&facts, &others, filed_on, today, rules, lang);

    let mut changes: Vec<String> = Vec::new();
    // The days the service level was paused waiting on the partner still count.
    let paused = u32::try_from(case.sla_paused_days).unwrap_or(0);
    let due_date = if paused == 0 {
        t.due_date
    } else {
        crate::domain::calendar::add_business_days_on(t.due_date, paused, &rules.holidays)
    };
    let new_columns = TriageColumns {
        priority: t.priority.as_i32(),
        priority_reason: t.priority_reason.clone(),
        due_date,
        guidance: t.guidance.join("\n"),
    };
    if case.priority != new_columns.priority {
        let old = Priority::from_i32(case.priority).map_or_else(|| case.priority.to_string(), |p| p.label().into());
        changes.push(format!("Priority {old} → {}: {}", t.priority.label(), t.priority_reason));
    } else if case.priority_reason != new_columns.priority_reason {
        changes.push(format!("Priority reason now: {}", t.priority_reason));
    }
    if case.due_date != new_columns.due_date {
        changes.push(format!(
            "Due date {} → {}",
            crate::domain::calendar::long_date(case.due_date),
            crate::domain::calendar::long_date(due_date)
        ));
    }
    if case.guidance != new_columns.guidance {
        changes.push("Guidance to the partner updated".into());
    }

    // Flags: compare per code and related case.
    let stored = store::flags_from(conn, case_id, FlagSource::Triage)?;
    let wanted = by_identity(&t.flags);
    for old in &stored {
        let still = wanted.get(&(old.code, old.related_reference.as_deref()));
        match still {
            None => {
                let why = removal_reason(conn, &case, old.code, old.related_reference.as_deref(), today)?;
                changes.push(format!(
                    "{} no longer applies{why}",
                    with_reference(old.code.label(), old.related_reference.as_deref())
                ));
            }
            Some(f) if f.reason != old.reason => {
                changes.push(format!("{} now: {}", old.code.label(), f.reason));
            }
            Some(_) => {}
        }
    }
    for ((code, related), f) in &wanted {
        if !stored.iter().any(|s| s.code == *code && s.related_reference.as_deref() == *related) {
            changes.push(format!("Flagged {}: {}", with_reference(code.label(), *related), f.reason));
        }
    }

    if changes.is_empty() {
        return Ok(None);
    }
    store::set_triage(conn, case_id, &new_columns, now)?;
    let flags: Vec<NewFlag> = wanted
        .values()
        .map(|f| NewFlag {
            case_id,
            code: f.code,
            reason: f.reason.clone(),
            related_reference: f.related_reference.clone(),
            source: FlagSource::Triage,
            created_at: now,
        })
        .collect();
    store::replace_flags(conn, case_id, FlagSource::Triage, &flags)?;
    let sentences: Vec<&str> = changes.iter().map(|c| c.trim_end_matches('.')).collect();
    let description = match because {
        Some(why) => format!("Triage ran again {why}. {}.", sentences.join(". ")),
        None => format!("Triage ran again. {}.", sentences.join(". ")),
    };
    store::insert_event(
        conn,
        &NewEvent {
            case_id,
            created_at: now,
            actor_type: Actor::System,
            staff_id: None,
            event_type: EventType::Retriaged,
            body: Some(description.clone()),
            partner_visible: false,
        },
    )?;
    Ok(Some(description))
}

/// Why a flag went away, when it can be told (the KPI can show now, a
/// related case closed, the renewal date passed).
fn removal_reason(
    conn: &mut DbConnection,
    case: &CaseRow,
    code: FlagCode,
    related: Option<&str>,
    today: NaiveDate,
) -> Result<String, AppError> {
    let visible = case.kpi_year.zip(case.kpi_month.and_then(|m| u32::try_from(m).ok()));
    match code {
        FlagCode::TooEarly => {
            return Ok(visible
                .and_then(|(y, m)| kpi_visible_from(y, m))
                .filter(|v| *v <= today)
                .map(|v| format!(": the KPI for this invoice can show from {} on", long_date(v)))
                .unwrap_or_default());
        }
        FlagCode::RenewalAtStake => {
            return Ok(case
                .anniversary_date
                .map(|a| next_anniversary(a, case.created_at.date()))
                .filter(|renewal| *renewal < today)
                .map(|renewal| format!(": the renewal on {} has passed", long_date(renewal)))
                .unwrap_or_default());
        }
        FlagCode::PossibleDuplicate => {}
        _ => return Ok(String::new()),
    }
    let Some(reference) = related else {
        return Ok(String::new());
    };
    Ok(match store::find_by_reference(conn, reference)? {
        Some(other) if other.status.is_closed() => {
            format!(": {reference} is now {}", other.status.label().to_lowercase())
        }
        Some(_) => String::new(),
        None => String::new(),
    })
}

/// After a case closes, re-triages the same partner's other open cases (a
/// "Possible duplicate" that pointed at it goes away, …), in the caller's
/// write transaction. Returns the re-triaged cases that changed, with what
/// changed.
pub fn retriage_after_close(
    conn: &mut DbConnection,
    closed_case_id: i64,
    rules: &TriageRules,
    now: NaiveDateTime,
) -> Result<Vec<(i64, String)>, AppError> {
    let closed = store::find(conn, closed_case_id)?;
    let open: Vec<i64> = store::partner_cases(conn, &closed.partner_id, Some(closed_case_id))?
        .into_iter()
        .filter(|r| !r.status.is_closed())
        .map(|r| r.id)
        .collect();
    let mut changed = Vec::new();
    for id in open {
        if let Some(description) = retriage(conn, id, rules, now)? {
            changed.push((id, description));
        }
    }
    Ok(changed)
}

/// Open cases the daily re-triage takes in one transaction (short, so that
/// filings never wait long behind it).
const DAILY_CHUNK: i64 = 50;

/// How long the instance that takes the day's re-triage holds it before
/// another may take it over (it died).
fn daily_lease() -> chrono::Duration {
    chrono::Duration::minutes(30)
}

/// The day's re-triage, once a day across every instance: open KPI cases
/// whose timing rules follow the calendar (flagged too early; with a renewal
/// that comes closer every day) are triaged again for today, each change
/// with a timeline entry saying what changed and why. `None` when the day
/// is done already or another instance is doing it; else how many cases
/// changed.
pub async fn daily_retriage(db: &Db, clock: &Clock, rules: &TriageRules) -> Result<Option<usize>, AppError> {
    let now = clock.now();
    let today = now.date();
    let lease_until = now + daily_lease();
    if !db.write(move |c| Ok(daily::claim(c, daily::RETRIAGE, today, now, lease_until)?)).await? {
        return Ok(None);
    }
    let because = format!("on the new day, {}", long_date(today));
    let (mut after, mut changed) = (0i64, 0usize);
    loop {
        let (rules, because) = (rules.clone(), because.clone());
        let (last, n, full) = db
            .write(move |conn| {
                let ids = store::calendar_bound(conn, after, DAILY_CHUNK)?;
                let mut n = 0usize;
                for id in &ids {
                    if retriage_because(conn, *id, &rules, now, Some(&because))?.is_some() {
                        n += 1;
                    }
                }
                Ok((ids.last().copied(), n, i64::try_from(ids.len()).unwrap_or(i64::MAX) == DAILY_CHUNK))
            })
            .await?;
        changed += n;
        match last {
            Some(id) if full => after = id,
            _ => break,
        }
    }
    db.write(move |c| Ok(daily::done(c, daily::RETRIAGE, today)?)).await?;
    Ok(Some(changed))
}

/// True once the day's re-triage is done (by any instance).
pub async fn daily_retriage_done(db: &Db, today: NaiveDate) -> Result<bool, AppError> {
    Ok(db.read(move |c| Ok(daily::last_run(c, daily::RETRIAGE)?)).await? >= today)
}
