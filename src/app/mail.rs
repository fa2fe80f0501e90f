//! E-mail: a message is queued in the outbox inside the transaction of the
//! change that causes it ([`queue`]), and the job runner delivers the
//! outbox ([`deliver_due`]): over SMTP when `FRONTLINE_SMTP_URL` is set,
//! else as one `.eml` file per message in `FRONTLINE_MAIL_DIR`. A message is
//! rendered when it is sent, from the case as it stands and the text staff
//! wrote, so the outbox never holds a tracking token; internal notes and
//! flags are never part of one.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use chrono::NaiveDateTime;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::jobs::{JobContext, backoff};
use crate::config::MailSettings;
use crate::domain::case::CaseKind;
use crate::domain::mail::{MailKind, MailStatus};
use crate::error::AppError;
use crate::keys::random_hex;
use crate::store::DbConnection;
use crate::store::cases::{self as cases_store, CaseRow};
use crate::store::outbox::{self as store, MailRow, NewMail};

/// Most messages one runner sends at once.
const BATCH: i64 = 16;

/// Attempts before a message that keeps failing for a passing reason is
/// given up (with the backoff from `FRONTLINE_JOB_BACKOFF_SECONDS`: about
/// two days at the default 30 s).
pub const MAX_ATTEMPTS: i32 = 12;

/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Queues a message in the caller's transaction (the one making the change
/// the message announces), due now.
pub fn queue(
    conn: &mut DbConnection,
    kind: MailKind,
    case_id: Option<i64>,
    recipient: &str,
    body: Option<String>,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let new = NewMail {
        case_id,
        kind,
        recipient: recipient.to_owned(),
        body,
        message_id: random_hex(16),
        status: MailStatus::Pending,
        attempts: 0,
        run_after: now,
        created_at: now,
    };
    Ok(store::insert(conn, &new)?)
}

/// Queues `kind` to the staff member `staff_id` about a case, unless they
/// are disabled or are the one who caused it (`actor`).
pub fn queue_to_staff(
    conn: &mut DbConnection,
    kind: MailKind,
    case_id: i64,
    staff_id: i64,
    actor: Option<i64>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if actor == Some(staff_id) {
        return Ok(());
    }
    if let Some(s) = crate::store::staff::by_id(conn, staff_id)?.filter(|s| !s.disabled) {
        queue(conn, kind, Some(case_id), &s.email, None, now)?;
    }
    Ok(())
}

/// How messages leave: an SMTP server, or files in a directory.
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// Sends rendered messages; built once at start.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// The domain of `Message-ID`s (the From address's).
    id_domain: String,
    /// The base of links (no trailing slash).
    public_url: String,
}

impl Mailer {
    /// Builds the transport the settings ask for (creating the mail
    /// directory when there is no SMTP server) and says in the log where
    /// messages go.
    pub fn new(settings: &MailSettings, public_url: &str) -> anyhow::Result<Self> {
        let from: Mailbox =
            settings.from.parse().map_err(|e| anyhow::anyhow!("FRONTLINE_MAIL_FROM {:?}: {e}", settings.from))?;
        let id_domain = from.email.domain().to_owned();
        let transport = match &settings.smtp_url {
            Some(url) => {
                let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']).to_owned();
                let user = percent_decode(url.username());
                let pass = percent_decode(url.password().unwrap_or_default());
                let tls = TlsParameters::new(host.clone())?;
                let (tls, default_port) = match (url.scheme(), user.is_empty()) {
                    ("smtps", _) => (Tls::Wrapper(tls), 465),
                    (_, false) => (Tls::Required(tls), 587),
                    _ => (Tls::None, 25),
                };
                let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
                    .port(url.port().unwrap_or(default_port))
                    .tls(tls)
                    .timeout(Some(SMTP_TIMEOUT));
                if !user.is_empty() {
                    b = b.credentials(Credentials::new(user, pass));
                }
                tracing::info!(server = %host, port = url.port().unwrap_or(default_port), "e-mail is sent over SMTP");
                Transport::Smtp(b.build())
            }
            None => {
                std::fs::create_dir_all(&settings.dir)
                    .map_err(|e| anyhow::anyhow!("FRONTLINE_MAIL_DIR {}: {e}", settings.dir.display()))?;
                let dir = std::fs::canonicalize(&settings.dir).unwrap_or_else(|_| settings.dir.clone());
                tracing::info!(
                    dir = %dir.display(),
                    "no FRONTLINE_SMTP_URL: e-mail is written to this directory, one .eml file per message"
                );
                Transport::Files(AsyncFileTransport::new(&dir), dir)
            }
        };
        Ok(Self { transport, from, id_domain, public_url: public_url.trim_end_matches('/').to_owned() })
    }

    /// The directory messages are written to, when there is no SMTP server.
    pub fn mail_dir(&self) -> Option<&std::path::Path> {
        match &self.transport {
            Transport::Files(_, dir) => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    async fn send(&self, message: Message) -> Result<(), Failure> {
        match &self.transport {
            Transport::Smtp(t) => t.send(message).await.map(drop).map_err(|e| {
                if e.is_permanent() { Failure::Permanent(e.to_string()) } else { Failure::Temporary(e.to_string()) }
            }),
            Transport::Files(t, _) => t.send(message).await.map(drop).map_err(|e| Failure::Temporary(e.to_string())),
        }
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Why a message was not sent.
enum Failure {
    /// Worth another try later (server down, mailbox busy, 4xx).
    Temporary(String),
    /// Refused for good (5xx, an address that cannot be used).
    Permanent(String),
}

/// `List-Unsubscribe`, on the messages a staff member chose to receive.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// What every message template can show.
pub struct MailData {
    /// The case reference.
    pub reference: String,
    /// The company, or the directory name of a listing request.
    pub name: String,
    /// Who filed the case.
    pub contact_name: String,
    /// "KPI discrepancy" / "Directory listing".
    pub kind_label: &'static str,
    /// The tracking link (messages to the partner).
    pub tracking_url: String,
    /// The case page for staff (messages to staff).
    pub staff_url: String,
    /// Where to find a case with a lost link.
    pub find_url: String,
    /// What staff wrote, line by line (escaped by the HTML template).
    pub lines: Vec<String>,
    /// "Review by" date, in words.
    pub due: String,
    /// A directory listing request.
    pub directory: bool,
    /// Where a staff member turns off messages they chose to receive.
    pub settings_url: String,
    /// When a listing sent in its batch should be visible, in words.
    pub visible_by: String,
    /// The language the message is written in (the case's, for the partner).
    pub lang: crate::i18n::Lang,
}

/// Declares the templates of a set of messages (a text and an HTML part
/// each) and `$bodies`, which renders the one for a kind, or `None` for a
/// kind the set has no template for.
macro_rules! mail_templates {
    ($bodies:ident: $($kind:ident => $txt_path:literal, $html_path:literal, $txt:ident, $html:ident;)*) => {
        $(
            #[derive(Template)]
            #[template(path = $txt_path)]
            struct $txt<'a> {
                m: &'a MailData,
            }

            #[derive(Template)]
            #[template(path = $html_path)]
            struct $html<'a> {
                m: &'a MailData,
            }
        )*

        // The English set covers every kind; the `_` arm is for the others.
        #[allow(unreachable_patterns)]
        fn $bodies(kind: MailKind, m: &MailData) -> Option<askama::Result<(String, String)>> {
            match kind {
                $(MailKind::$kind => Some(pair($txt { m }, $html { m })),)*
                _ => None,
            }
        }
    };
}

mail_templates! { bodies_en:
    CaseReceived => "mail/case_received.txt", "mail/case_received.html", CaseReceivedTxt, CaseReceivedHtml;
    SupportAsked => "mail/support_asked.txt", "mail/support_asked.html", SupportAskedTxt, SupportAskedHtml;
    SupportReplied => "mail/support_replied.txt", "mail/support_replied.html", SupportRepliedTxt, SupportRepliedHtml;
    CaseResolved => "mail/case_resolved.txt", "mail/case_resolved.html", CaseResolvedTxt, CaseResolvedHtml;
    CaseRejected => "mail/case_rejected.txt", "mail/case_rejected.html", CaseRejectedTxt, CaseRejectedHtml;
    BatchSubmitted => "mail/batch_submitted.txt", "mail/batch_submitted.html", BatchSubmittedTxt, BatchSubmittedHtml;
    BatchPublished => "mail/batch_published.txt", "mail/batch_published.html", BatchPublishedTxt, BatchPublishedHtml;
    TrackingLink => "mail/tracking_link.txt", "mail/tracking_link.html", TrackingLinkTxt, TrackingLinkHtml;
    PartnerReplied => "mail/partner_replied.txt", "mail/partner_replied.html", PartnerRepliedTxt, PartnerRepliedHtml;
    CaseAssigned => "mail/case_assigned.txt", "mail/case_assigned.html", CaseAssignedTxt, CaseAssignedHtml;
    NewCase => "mail/new_case.txt", "mail/new_case.html", NewCaseTxt, NewCaseHtml;
}

// Messages to the partner only: staff read English.
mail_templates! { bodies_zh:
    CaseReceived => "mail/zh-TW/case_received.txt", "mail/zh-TW/case_received.html", CaseReceivedZhTxt, CaseReceivedZhHtml;
    SupportAsked => "mail/zh-TW/support_asked.txt", "mail/zh-TW/support_asked.html", SupportAskedZhTxt, SupportAskedZhHtml;
    SupportReplied => "mail/zh-TW/support_replied.txt", "mail/zh-TW/support_replied.html", SupportRepliedZhTxt, SupportRepliedZhHtml;
    CaseResolved => "mail/zh-TW/case_resolved.txt", "mail/zh-TW/case_resolved.html", CaseResolvedZhTxt, CaseResolvedZhHtml;
    CaseRejected => "mail/zh-TW/case_rejected.txt", "mail/zh-TW/case_rejected.html", CaseRejectedZhTxt, CaseRejectedZhHtml;
    BatchSubmitted => "mail/zh-TW/batch_submitted.txt", "mail/zh-TW/batch_submitted.html", BatchSubmittedZhTxt, BatchSubmittedZhHtml;
    BatchPublished => "mail/zh-TW/batch_published.txt", "mail/zh-TW/batch_published.html", BatchPublishedZhTxt, BatchPublishedZhHtml;
    TrackingLink => "mail/zh-TW/tracking_link.txt", "mail/zh-TW/tracking_link.html", TrackingLinkZhTxt, TrackingLinkZhHtml;
}

/// The bodies of a message in `lang`, falling back to English for a
/// message that has no template in it.
fn bodies(kind: MailKind, m: &MailData, lang: crate::i18n::Lang) -> askama::Result<(String, String)> {
    let translated = match lang {
        crate::i18n::Lang::ZhTw => bodies_zh(kind, m),
        crate::i18n::Lang::En => None,
    };
    translated
        .or_else(|| bodies_en(kind, m))
        .unwrap_or_else(|| Err(askama::Error::custom(format!("no template for {}", kind.as_str()))))
}

/// Renders a message's text and HTML parts.
fn pair(text: impl Template, html: impl Template) -> askama::Result<(String, String)> {
    Ok((text.render()?, html.render()?))
}

/// A date as the message's language writes it: `15 March 2026`, `2026年3月15日`.
fn date_in(lang: crate::i18n::Lang, d: chrono::NaiveDate) -> String {
    crate::i18n::date_in(lang, d)
}

/// The subject line of a message in Traditional Chinese (messages to the
/// partner only).
fn subject_zh(kind: MailKind, m: &MailData) -> Option<String> {
    let (r, n) = (&m.reference, &m.name);
    Some(match kind {
        MailKind::CaseReceived => format!("[{r}] 我們已收到您的案件 – {n}"),
        MailKind::SupportAsked => format!("[{r}] 支援團隊需要您的回覆 – {n}"),
        MailKind::SupportReplied => format!("[{r}] 支援團隊已回覆 – {n}"),
        MailKind::CaseResolved => format!("[{r}] 您的案件已解決 – {n}"),
        MailKind::CaseRejected => format!("[{r}] 您的案件未獲受理 – {n}"),
        MailKind::BatchSubmitted => format!("[{r}] 您的目錄項目已送出 – {n}"),
        MailKind::BatchPublished => format!("[{r}] 您的目錄項目已上線 – {n}"),
        MailKind::TrackingLink => format!("[{r}] 您的追蹤連結 – {n}"),
        MailKind::PartnerReplied | MailKind::CaseAssigned | MailKind::NewCase => return None,
    })
}

/// The subject line of a message.
fn subject(kind: MailKind, m: &MailData) -> String {
    let (r, n) = (&m.reference, &m.name);
    match kind {
        MailKind::CaseReceived => format!("[{r}] We received your case – {n}"),
        MailKind::SupportAsked => format!("[{r}] Support needs your answer – {n}"),
        MailKind::SupportReplied => format!("[{r}] Support replied – {n}"),
        MailKind::CaseResolved => format!("[{r}] Your case is resolved – {n}"),
        MailKind::CaseRejected => format!("[{r}] Your case was rejected – {n}"),
        MailKind::BatchSubmitted => format!("[{r}] Your listing was sent to the directory – {n}"),
        MailKind::BatchPublished => format!("[{r}] Your listing is published – {n}"),
        MailKind::TrackingLink => format!("[{r}] Your tracking link – {n}"),
        MailKind::PartnerReplied => format!("[{r}] The partner replied – {n}"),
        MailKind::CaseAssigned => format!("[{r}] Assigned to you – {n}"),
        MailKind::NewCase => format!("[{r}] New {} – {n}", m.kind_label.to_lowercase()),
    }
}

/// What a message needs from the database.
struct Loaded {
    row: MailRow,
    case: Option<CaseRow>,
}

impl Mailer {
    fn data(&self, ctx: &JobContext, row: &MailRow, case: &CaseRow) -> MailData {
        let base = &self.public_url;
        // The partner reads the language they filed in; staff read English.
        let lang = if row.kind.to_partner() {
            crate::i18n::Lang::parse(&case.language).unwrap_or_default()
        } else {
            crate::i18n::Lang::En
        };
        MailData {
            reference: case.reference.clone(),
            name: case.directory_name.clone().unwrap_or_else(|| case.company_name.clone()),
            contact_name: case.contact_name.clone(),
            kind_label: case.kind.label(),
            tracking_url: format!("{base}/track/{}", ctx.keys.tracking_token(&case.idempotency_key)),
            staff_url: format!("{base}/staff/cases/{}", case.reference),
            find_url: format!("{base}/track"),
            lines: row.body.as_deref().unwrap_or_default().lines().map(str::to_owned).collect(),
            due: date_in(lang, case.due_date),
            directory: case.kind == CaseKind::Directory,
            settings_url: format!("{base}/staff/account"),
            visible_by: case
                .batch_key
                .as_deref()
                .and_then(crate::domain::calendar::parse_batch_key)
                .filter(|b| b.visible_by != chrono::NaiveDate::MAX)
                .map(|b| date_in(lang, b.visible_by))
                .unwrap_or_default(),
            lang,
        }
    }

    /// Renders a message; `Err` when it can never be sent as stored.
    fn render(&self, ctx: &JobContext, loaded: &Loaded) -> Result<Message, String> {
        let row = &loaded.row;
        let case = loaded.case.as_ref().ok_or_else(|| "its case no longer exists".to_owned())?;
        let data = self.data(ctx, row, case);
        let (text, html) = bodies(row.kind, &data, data.lang).map_err(|e| format!("template: {e}"))?;
        let subject = match data.lang {
            crate::i18n::Lang::ZhTw => subject_zh(row.kind, &data).unwrap_or_else(|| subject(row.kind, &data)),
            crate::i18n::Lang::En => subject(row.kind, &data),
        };
        let to: Mailbox = row
            .recipient
            .parse()
            .map_err(|e| format!("the address {:?} cannot receive e-mail ({e})", row.recipient))?;
        let mut b = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{}@{}>", row.message_id, self.id_domain)));
        if row.kind == MailKind::NewCase {
            b = b.header(ListUnsubscribe(format!("<{}>", data.settings_url)));
        }
        b.multipart(MultiPart::alternative_plain_html(text, html)).map_err(|e| format!("message: {e}"))
    }
}

/// Sends the due messages of the outbox; returns how many were claimed.
pub async fn deliver_due(ctx: &JobContext, mailer: &Arc<Mailer>) -> Result<usize, AppError> {
    let now = ctx.clock.now();
    let lease_until = now + chrono::Duration::from_std(ctx.config.job_lease).unwrap_or(chrono::Duration::minutes(5));
    let claimed = ctx
        .db
        .write(move |conn| {
            let rows = store::claim_due(conn, now, lease_until, BATCH)?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let case = match row.case_id {
                    Some(id) => cases_store::find(conn, id).ok(),
                    None => None,
                };
                out.push(Loaded { row, case });
            }
            Ok(out)
        })
        .await?;
    let n = claimed.len();
    // Sent one by one; what became of them is written in one transaction
    // (two writes per batch, not one per message: the database's single
    // writer also takes every filing). Once the server fails for a passing
    // reason, the rest of the batch waits with it instead of each message
    // waiting out its own time-out.
    let mut outcomes = Vec::with_capacity(n);
    let mut server_down: Option<String> = None;
    for loaded in claimed {
        let (id, attempt, kind) = (loaded.row.id, loaded.row.attempts, loaded.row.kind);
        let result = match (&server_down, mailer.render(ctx, &loaded)) {
            (Some(why), Ok(_)) => Err(Failure::Temporary(why.clone())),
            (None, Ok(message)) => mailer.send(message).await,
            (_, Err(why)) => Err(Failure::Permanent(why)),
        };
        if let Err(Failure::Temporary(why)) = &result {
            server_down.get_or_insert_with(|| why.clone());
        }
        outcomes.push(outcome(ctx, id, attempt, kind, result));
    }
    let lost = ctx
        .db
        .write(move |conn| {
            let mut lost = Vec::new();
            for o in &outcomes {
                let owned = match &o.then {
                    Then::Sent => store::finish(conn, o.id, o.attempt, MailStatus::Sent, o.at, None)?,
                    Then::Retry(at, why) => store::retry_at(conn, o.id, o.attempt, *at, why)?,
                    Then::GiveUp(why) => store::finish(conn, o.id, o.attempt, MailStatus::Failed, o.at, Some(why))?,
                };
                if !owned {
                    lost.push(o.id);
                }
            }
            Ok(lost)
        })
        .await?;
    for id in lost {
        tracing::warn!(mail = id, "e-mail lost its lease while being sent");
    }
    Ok(n)
}

/// What to record of one attempt.
struct Recorded {
    id: i64,
    attempt: i32,
    at: NaiveDateTime,
    then: Then,
}

enum Then {
    Sent,
    Retry(NaiveDateTime, String),
    GiveUp(String),
}

fn outcome(ctx: &JobContext, id: i64, attempt: i32, kind: MailKind, result: Result<(), Failure>) -> Recorded {
    let at = ctx.clock.now();
    let then = match result {
        Ok(()) => {
            tracing::info!(mail = id, kind = kind.as_str(), "e-mail sent");
            Then::Sent
        }
        Err(Failure::Temporary(why)) if attempt < MAX_ATTEMPTS => {
            let wait = backoff(ctx.config.job_backoff_base, attempt);
            tracing::warn!(mail = id, kind = kind.as_str(), attempt, error = %why, retry_in = ?wait, "e-mail not sent; it will be tried again");
            Then::Retry(at + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6)), why)
        }
        Err(Failure::Temporary(why) | Failure::Permanent(why)) => {
            tracing::error!(mail = id, kind = kind.as_str(), attempt, error = %why, "e-mail given up");
            Then::GiveUp(why)
        }
    };
    Recorded { id, attempt, at, then }
}
