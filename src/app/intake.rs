//! Filing a case, both kinds: the answers parsed by the domain's rules, the
//! invoice examined (KPI), then one write transaction that re-checks the
//! idempotency key, triages the case against the partner's other cases, and
//! stores the case, its evidence, its first timeline entries, its flags and
//! its jobs. A repeat of the same served form finds the case it filed.

use bytes::Bytes;
use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::Ctx;
use crate::checks::document::{self, DocumentError, DocumentReport, FileKind, Limits, TextLayer};
use crate::domain::calendar::batch_for_request;
use crate::domain::directory::{DirectoryInput, parse_directory};
use crate::domain::errors::FieldErrors;
use crate::domain::kpi::{KpiInput, parse_kpi};
use crate::domain::landing_url::registrable_domain;
use crate::domain::triage::{CrossCheck, DirectoryFacts, Evidence, KpiFacts};
use crate::keys::sha256_hex;
use crate::store::uploads;

use super::limits::PostCount;

use crate::domain::case::{CaseKind, Status, reference};
use crate::domain::contact::Contact;
use crate::domain::mail::MailKind;
use crate::domain::timeline::{Actor, EventType};
use crate::domain::triage::{CaseFacts, FlagSource, OtherCase, TriageRules, triage_in};
use crate::error::AppError;
use crate::store::DbConnection;
use crate::store::cases::{self as store, NewAttachment, NewCase, NewEvent, NewFlag};

/// What a filing did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Filed {
    /// A new case with this reference.
    Created(String),
    /// The same form was sent before: that case stands.
    AlreadyFiled,
}

/// A case ready to be stored, less what triage decides.
struct Filing {
    /// The row, with placeholder priority fields.
    case: NewCase,
    /// The facts triage needs.
    facts: CaseFacts,
    /// The invoice, if any (its `case_id` is filled in here).
    attachment: Option<NewAttachment>,
    rules: TriageRules,
    /// The date the case is filed on.
    today: NaiveDate,
    /// The time it is filed at.
    now: NaiveDateTime,
    /// Forget an invoice kept for this form (it becomes the case's evidence).
    forget_upload: bool,
    /// The POST to count against its address's limit, in this transaction.
    count: Option<PostCount>,
}

/// A new case row with the contact block filled in and every kind-specific
/// column empty; triage fills priority, reason, guidance and due date.
fn base_case(
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
        doc_invoice_date: None,
        doc_total_minor: None,
        doc_total_currency: None,
        // The language the partner filed in (e-mails to them use it).
        language: crate::i18n::current().as_str().to_owned(),
    }
}

/// Lower-cased text the queue's search looks in.
pub fn search_text(c: &NewCase) -> String {
    // The landing page as staff read and type it (an IDN host in Unicode).
    let landing = c.landing_page_url.as_deref().map(crate::domain::landing_url::display_url);
    [
        Some(c.reference.as_str()),
        Some(c.partner_id.as_str()),
        Some(c.company_name.as_str()),
        Some(c.contact_email.as_str()),
        c.invoice_number.as_deref(),
        c.invoice_number_norm.as_deref(),
        c.directory_name.as_deref(),
        landing.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\u{1f}")
    .to_lowercase()
}

/// Stores a filing in the caller's transaction.
fn file(conn: &mut DbConnection, filing: Filing) -> Result<Filed, AppError> {
    let Filing { mut case, facts, attachment, rules, today, now, forget_upload, count } = filing;
    if let Some(count) = &count {
        count.count_in(conn)?;
    }
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
    // The guidance is written in the language the case is filed in.
    let lang = crate::i18n::Lang::parse(&case.language).unwrap_or_default();
    let t = triage_in(&facts, &others, today, today, &rules, lang);
    let kind = case.kind;
    case.priority = t.priority.as_i32();
    case.priority_reason = t.priority_reason.clone();
    case.due_date = t.due_date;
    case.guidance = t.guidance.join("\n");
    // A unique placeholder until the id is known.
    case.reference = format!("pending-{}", case.idempotency_key);
    // A unique violation here is another request with the same form that
    // won the race (told apart from any other conflict by the caller).
    let id = store::insert_case(conn, &case)?;
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
    crate::app::mail::queue(conn, MailKind::CaseReceived, Some(id), &case.contact_email, None, now)?;
    for s in crate::store::staff::wanting_new_cases(conn)? {
        crate::app::mail::queue(conn, MailKind::NewCase, Some(id), &s.email, None, now)?;
    }
    Ok(Filed::Created(reference))
}

/// An uploaded file, as the request carried it.
#[derive(Debug, Default, Clone)]
pub struct Upload {
    /// The name the browser gave (path parts and invisible characters removed).
    pub file_name: String,
    /// The bytes, unless the file was over the limit (shared, not copied,
    /// with the document check).
    pub bytes: Bytes,
    /// The file was larger than allowed.
    pub too_large: bool,
}

/// What became of a submission.
#[derive(Debug)]
pub enum Outcome {
    /// A new case: its tracking token and reference.
    Filed {
        /// The tracking link's token (256 bits; only its hash is stored).
        tracking: String,
        /// The case reference.
        reference: String,
    },
    /// The same served form was sent before: the case it filed stands.
    AlreadyFiled {
        /// The tracking link's token.
        tracking: String,
    },
    /// Refused: every problem found, and the name of an invoice kept for the
    /// form (so the partner need not upload it again).
    Refused {
        /// The problems, one per field.
        errors: FieldErrors,
        /// An invoice kept from this or an earlier attempt of the form.
        uploaded: Option<String>,
        /// The body itself was over the limit (answered 413).
        too_large: bool,
    },
}

/// A KPI discrepancy form as sent.
pub struct KpiSubmission {
    /// The answers as typed.
    pub input: KpiInput,
    /// The served form's idempotency key (checked by the caller).
    pub idempotency_key: String,
    /// The invoice, if one was chosen.
    pub file: Option<Upload>,
    /// The body went past its limit and was not read to its end.
    pub body_too_large: bool,
    /// The POST, to count against its address's limit.
    pub count: Option<PostCount>,
}

/// Counts a POST that files nothing, in a write of its own (one that files a
/// case is counted in the case's transaction).
async fn count_alone(ctx: &Ctx<'_>, count: Option<&PostCount>) -> Result<(), AppError> {
    match count {
        Some(c) => c.count(ctx.db).await,
        None => Ok(()),
    }
}

/// Stores `filing` in one transaction; a unique violation is a race with
/// the same form only if that form's case now exists.
async fn store_filing(ctx: &Ctx<'_>, filing: Filing) -> Result<Filed, AppError> {
    let key = filing.case.idempotency_key.clone();
    match ctx.db.write(move |conn| file(conn, filing)).await {
        Err(AppError::Conflict(why)) => {
            let k = key.clone();
            match ctx.db.read(move |conn| Ok(store::find_by_idempotency_key(conn, &k)?)).await? {
                Some(_) => Ok(Filed::AlreadyFiled),
                None => Err(AppError::Unexpected(anyhow::anyhow!("filing {key} conflicted: {why}"))),
            }
        }
        other => other,
    }
}

fn outcome(filed: Filed, tracking: String) -> Outcome {
    match filed {
        Filed::Created(reference) => Outcome::Filed { tracking, reference },
        Filed::AlreadyFiled => Outcome::AlreadyFiled { tracking },
    }
}

/// What the invoice check made of the file, as evidence for triage.
fn evidence_of(report: &DocumentReport) -> Evidence {
    match (report.kind, report.text_layer, report.invoice_number_found) {
        (FileKind::Png | FileKind::Jpeg, _, _) => Evidence::Image,
        (_, TextLayer::Text, Some(true)) => Evidence::TextMatched,
        (_, TextLayer::Text, _) => Evidence::TextWithoutInvoiceNumber,
        (_, TextLayer::NoText, _) => Evidence::NoTextLayer,
        (_, TextLayer::Encrypted, _) => Evidence::Encrypted,
        (_, TextLayer::Unextractable | TextLayer::NotApplicable, _) => Evidence::Unextractable,
    }
}

/// Files a KPI discrepancy case: parses the answers, examines the invoice
/// (keeping one that passed while another field failed), files the case.
pub async fn file_kpi(ctx: &Ctx<'_>, s: KpiSubmission) -> Result<Outcome, AppError> {
    let KpiSubmission { input, idempotency_key: key, file, body_too_large, count } = s;
    let tracking = ctx.keys.tracking_token(&key);
    let mut errors = FieldErrors::new();
    let parsed = parse_kpi(&input, &ctx.config.omlp_types, ctx.clock.today(), &mut errors);
    // No file chosen this time: a repeat of a form already filed (its
    // invoice became the case's), or the invoice kept from an earlier
    // attempt of this same form, if there is one.
    let (file, kept_before) = match file {
        Some(u) => (Some(u), false),
        None => {
            let k = key.clone();
            let (filed, kept) = ctx
                .db
                .read(move |conn| Ok((store::find_by_idempotency_key(conn, &k)?.is_some(), uploads::find(conn, &k)?)))
                .await?;
            if filed {
                count_alone(ctx, count.as_ref()).await?;
                return Ok(Outcome::AlreadyFiled { tracking });
            }
            let kept_before = kept.is_some();
            (kept.map(|(file_name, bytes)| Upload { file_name, bytes: bytes.into(), too_large: false }), kept_before)
        }
    };
    let upload = match file {
        None => {
            errors.add("invoice_file", crate::i18n::t("file-error-select"));
            None
        }
        Some(u) if u.too_large => {
            errors.add("invoice_file", DocumentError::TooLarge.message());
            None
        }
        Some(u) => {
            let number = input.invoice_number.trim().to_string();
            match document::inspect_async(u.bytes.clone(), number, Limits::default()).await {
                Ok(report) => Some((u, report)),
                Err(e) => {
                    errors.add("invoice_file", e.message());
                    None
                }
            }
        }
    };
    let (Some(kpi), Some((upload, report))) = (parsed.filter(|_| errors.is_empty()), upload.as_ref()) else {
        // Keep an invoice that passed its checks so the partner need not
        // upload it again; a new file that failed replaces nothing.
        let uploaded = match (upload, kept_before) {
            (Some((u, _)), false) => {
                let (name, bytes, now) = (u.file_name.clone(), u.bytes.clone(), ctx.clock.now());
                ctx.db
                    .write(move |conn| Ok(uploads::keep(conn, &key, &name, &bytes, now, now - Duration::days(1))?))
                    .await?;
                Some(u.file_name)
            }
            (Some((u, _)), true) => Some(u.file_name),
            (None, _) => None,
        };
        count_alone(ctx, count.as_ref()).await?;
        return Ok(Outcome::Refused { errors, uploaded, too_large: body_too_large });
    };
    let evidence = evidence_of(report);
    // A total is compared only in the currency the invoice names.
    let printed_total = report.printed_total.as_ref().and_then(|m| Some((m.currency.clone()?, m.hundredths)));
    let now = ctx.clock.now();
    let case = NewCase {
        kpi_month: i32::try_from(kpi.month).ok(),
        kpi_year: Some(kpi.year),
        omlp_type: Some(kpi.omlp_type.clone()),
        purchase_unit: Some(kpi.purchase_unit),
        invoice_number: Some(kpi.invoice_number.clone()),
        invoice_number_norm: Some(kpi.invoice_number_norm.clone()),
        kpi_value: Some(kpi.kpi_value.clone()),
        revenue_minor: Some(kpi.revenue.hundredths),
        revenue_currency: Some(kpi.revenue.currency.into()),
        document_type: Some("invoice".into()),
        anniversary_date: kpi.anniversary_date,
        description: kpi.description.clone(),
        evidence: Some(evidence),
        doc_invoice_date: report.printed_date,
        doc_total_minor: printed_total.as_ref().map(|(_, amount)| *amount),
        doc_total_currency: printed_total.as_ref().map(|(currency, _)| currency.clone()),
        ..base_case(CaseKind::Kpi, &kpi.contact, &key, sha256_hex(&tracking), now)
    };
    let attachment = NewAttachment {
        case_id: 0,
        event_id: None,
        file_name: upload.file_name.clone(),
        content_type: report.kind.content_type().into(),
        size_bytes: i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX),
        sha256: report.sha256_hex.clone(),
        text_layer: report.text_layer.as_str().into(),
        doc_class: report.class.as_str().into(),
        invoice_number_found: report.invoice_number_found,
        data: upload.bytes.to_vec(),
        created_at: now,
    };
    let facts = CaseFacts::Kpi(KpiFacts {
        year: kpi.year,
        month: kpi.month,
        invoice_number_norm: kpi.invoice_number_norm.clone(),
        anniversary_date: kpi.anniversary_date,
        evidence,
        cross: CrossCheck {
            printed_date: report.printed_date,
            printed_total,
            revenue: Some((kpi.revenue.currency.to_owned(), kpi.revenue.hundredths)),
        },
    });
    let filing = Filing {
        case,
        facts,
        attachment: Some(attachment),
        rules: ctx.config.triage.clone(),
        today: now.date(),
        now,
        forget_upload: true,
        count,
    };
    let filed = store_filing(ctx, filing).await?;
    if let Filed::Created(reference) = &filed {
        tracing::info!(%reference, "KPI case filed");
        // Its e-mail is queued: send it now.
        ctx.jobs.notify();
    }
    Ok(outcome(filed, tracking))
}

/// Files a directory listing request.
/// `count` is the POST to count against its address's limit.
pub async fn file_directory(
    ctx: &Ctx<'_>,
    input: &DirectoryInput,
    key: &str,
    count: Option<PostCount>,
) -> Result<Outcome, AppError> {
    let mut errors = FieldErrors::new();
    let config = ctx.config;
    let Some(request) = parse_directory(input, &config.landing_deny_list, &config.landing_ports, &mut errors) else {
        count_alone(ctx, count.as_ref()).await?;
        return Ok(Outcome::Refused { errors, uploaded: None, too_large: false });
    };
    let tracking = ctx.keys.tracking_token(key);
    let now = ctx.clock.now();
    let case = NewCase {
        directory_name: Some(request.directory_name.clone()),
        country: Some(request.country.into()),
        landing_page_url: Some(request.landing.url.to_string()),
        batch_key: Some(batch_for_request(now.date()).key()),
        ..base_case(CaseKind::Directory, &request.contact, key, sha256_hex(&tracking), now)
    };
    let facts = CaseFacts::Directory(DirectoryFacts {
        contact_email_domain: request.contact.email_domain().and_then(registrable_domain),
        landing_registrable_domain: request.landing.registrable_domain.clone(),
        landing_https: request.landing.https,
    });
    let filing = Filing {
        case,
        facts,
        attachment: None,
        rules: config.triage.clone(),
        today: now.date(),
        now,
        forget_upload: false,
        count,
    };
    let filed = store_filing(ctx, filing).await?;
    if let Filed::Created(reference) = &filed {
        tracing::info!(%reference, "directory request filed");
        // The landing-page check and the e-mail are queued: run them now.
        ctx.jobs.notify();
    }
    Ok(outcome(filed, tracking))
}
