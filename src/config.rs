//! Settings: from flags and the environment (`FRONTLINE_*`, `DATABASE_URL`),
//! validated at start with messages that say what to change. Uses `domain`
//! (the rules' thresholds) and `store` (the database URL).

use std::net::SocketAddr;
use std::time::Duration;

use crate::domain::calendar::Holidays;
use crate::domain::kpi::OmlpType;
use crate::domain::landing_url::default_deny_list;
use crate::domain::rate::RateLimit;
use crate::domain::triage::TriageRules;
use crate::store::DatabaseUrl;

/// Everything the app needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub bind: String,
    /// The database.
    pub database_url: DatabaseUrl,
    /// Pooled connections.
    pub pool_size: u32,
    /// HTTP worker threads (0 = one per core).
    pub workers: usize,
    /// OMLP types offered on the KPI form.
    pub omlp_types: Vec<OmlpType>,
    /// Hosts a partner cannot own a landing page on.
    pub landing_deny_list: Vec<String>,
    /// Competitor names the landing-page check looks for.
    pub competitors: Vec<String>,
    /// Test-only: let the landing-page check reach private addresses.
    pub check_allow_private: bool,
    /// Test-only: pin host names to addresses for the landing-page check.
    pub check_resolve: Vec<(String, SocketAddr)>,
    /// Whether background jobs run in this process.
    pub run_jobs: bool,
    /// Total time one landing-page check may take (all redirects and the body).
    pub check_timeout: Duration,
    /// First retry delay of a job that failed transiently; each further retry
    /// waits four times longer (30 s, 2 min, 8 min, 32 min by default).
    pub job_backoff_base: Duration,
    /// Attempts a job gets before its failure is recorded for good.
    pub job_max_attempts: i32,
    /// How long a claimed job stays leased to its runner; a job still running
    /// after that (its instance crashed) is claimed again.
    pub job_lease: Duration,
    /// How often the job runner looks for due jobs when nobody wakes it.
    pub job_poll_interval: Duration,
    /// Triage thresholds.
    pub triage: TriageRules,
    /// Mark cookies `Secure` (on unless serving plain HTTP on loopback).
    pub secure_cookies: bool,
    /// A staff session ends after this long without a request.
    pub session_idle: Duration,
    /// A staff session ends this long after sign-in, whatever happens.
    pub session_absolute: Duration,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` headers name the client;
    /// from anyone else those headers are ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Anonymous POSTs (cases filed, partner replies) per client address.
    pub rate_posts: Option<RateLimit>,
    /// Tracking links that match no case, per client address; past it every
    /// look-up from that address waits for the window to end.
    pub rate_lookups: Option<RateLimit>,
    /// Uploads (multipart bodies) read and examined at once; more wait in a
    /// short queue, and beyond it are answered 503.
    pub max_uploads: usize,
    /// Password hashes and checks (argon2id, ~19 MiB each) run at once.
    pub max_password_checks: usize,
    /// A request body must arrive within this long in all...
    pub body_timeout: Duration,
    /// ...and with no gap between two pieces longer than this.
    pub body_idle_timeout: Duration,
    /// Ports a landing page URL may name (the scheme's default always may).
    pub landing_ports: Vec<u16>,
    /// Where e-mail goes (`FRONTLINE_SMTP_URL`, `FRONTLINE_MAIL_FROM`,
    /// `FRONTLINE_MAIL_DIR`).
    pub mail: MailSettings,
    /// The base of every link in an e-mail (`FRONTLINE_PUBLIC_URL`); empty
    /// means `http://` and the address the server listens on.
    pub public_url: String,
    /// Days after closing during which a partner's reply reopens the case
    /// (`FRONTLINE_REOPEN_DAYS`; 0 = never).
    pub reopen_days: u32,
    /// Days after a case closes that its uploaded files (the invoice,
    /// message attachments) are kept before their contents are removed
    /// (`FRONTLINE_RETENTION_DAYS`; 0 = kept for good).
    pub retention_days: u32,
    /// "Find my case" requests per address (`FRONTLINE_RATE_FIND`).
    pub rate_find: Option<RateLimit>,
    /// The programme's time zone (`FRONTLINE_TIME_ZONE`, IANA name): partner
    /// pages and e-mails, and staff who chose none.
    pub time_zone: chrono_tz::Tz,
}

/// Where e-mail goes.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The SMTP server; `None` writes every message to `dir` as a `.eml` file.
    pub smtp_url: Option<url::Url>,
    /// The From address.
    pub from: String,
    /// Where messages are written when there is no SMTP server.
    pub dir: std::path::PathBuf,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "Frontline Support <frontline@localhost>".into(),
            dir: std::path::PathBuf::from("mail"),
        }
    }
}

/// Checks `FRONTLINE_SMTP_URL`: `smtp://HOST[:PORT]` (plain), with
/// `USER:PASS@` (STARTTLS, port 587), or `smtps://` (TLS, port 465).
pub fn parse_smtp_url(raw: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(raw.trim()).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err(format!("the scheme must be smtp or smtps, not {:?}", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("it names no host".into());
    }
    Ok(url)
}

/// The OMLP types offered by default (Official Microsoft Learning Products).
pub fn default_omlp_types() -> Vec<OmlpType> {
    [
        ("moc", "Microsoft Official Course (MOC)"),
        ("moc_on_demand", "MOC On-Demand"),
        ("official_practice_test", "Official practice test"),
        ("certification_exam", "Certification exam voucher"),
    ]
    .into_iter()
    .map(|(code, label)| OmlpType { code: code.into(), label: label.into() })
    .collect()
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_flag(name: &str) -> bool {
    matches!(env(name).as_deref(), Some("1" | "true" | "yes" | "on"))
}

fn env_list(name: &str) -> Option<Vec<String>> {
    env(name).map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match env(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| anyhow::anyhow!("{name} must be a number, got {v:?}")),
    }
}

/// Parses `code=Label,code=Label`.
pub fn parse_omlp_types(raw: &str) -> anyhow::Result<Vec<OmlpType>> {
    let mut out = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (code, label) = item
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("FRONTLINE_OMLP_TYPES items look like code=Label, got {item:?}"))?;
        out.push(OmlpType { code: code.trim().into(), label: label.trim().into() });
    }
    anyhow::ensure!(!out.is_empty(), "FRONTLINE_OMLP_TYPES lists no types");
    Ok(out)
}

impl Config {
    /// Reads settings; `bind` and `database_url` come from flags (which clap
    /// already backs with `FRONTLINE_BIND` / `DATABASE_URL`).
    pub fn from_env(bind: String, database_url: &str) -> anyhow::Result<Self> {
        let database_url = DatabaseUrl::parse(database_url).map_err(|e| anyhow::anyhow!("DATABASE_URL: {e}"))?;
        let mut c = Self::defaults(database_url);
        c.bind = bind;
        c.pool_size = env_number("FRONTLINE_POOL_SIZE", c.pool_size)?;
        anyhow::ensure!((1..=200).contains(&c.pool_size), "FRONTLINE_POOL_SIZE must be between 1 and 200");
        c.workers = env_number("FRONTLINE_WORKERS", 0)?;
        if let Some(v) = env("FRONTLINE_OMLP_TYPES") {
            c.omlp_types = parse_omlp_types(&v)?;
        }
        if let Some(v) = env_list("FRONTLINE_LANDING_DENY") {
            c.landing_deny_list = v;
        }
        if let Some(v) = env_list("FRONTLINE_COMPETITORS") {
            c.competitors = v;
        }
        c.check_allow_private = env_flag("FRONTLINE_CHECK_ALLOW_PRIVATE");
        if let Some(v) = env("FRONTLINE_CHECK_RESOLVE") {
            c.check_resolve = crate::checks::landing::parse_resolve_overrides(&v)
                .map_err(|e| anyhow::anyhow!("FRONTLINE_CHECK_RESOLVE: {e}"))?;
        }
        if c.check_allow_private || !c.check_resolve.is_empty() {
            tracing::warn!("landing-page check test settings are on: never use them in production");
        }
        c.run_jobs = !env_flag("FRONTLINE_NO_JOBS");
        c.job_backoff_base = Duration::from_secs(env_number("FRONTLINE_JOB_BACKOFF_SECONDS", 30u64)?);
        c.job_max_attempts = env_number("FRONTLINE_JOB_MAX_ATTEMPTS", c.job_max_attempts)?;
        anyhow::ensure!((1..=20).contains(&c.job_max_attempts), "FRONTLINE_JOB_MAX_ATTEMPTS must be between 1 and 20");
        c.triage.kpi_sla_business_days = env_number("FRONTLINE_KPI_SLA_DAYS", c.triage.kpi_sla_business_days)?;
        c.triage.directory_sla_business_days =
            env_number("FRONTLINE_DIRECTORY_SLA_DAYS", c.triage.directory_sla_business_days)?;
        c.triage.renewal_at_stake_days = env_number("FRONTLINE_RENEWAL_AT_STAKE_DAYS", c.triage.renewal_at_stake_days)?;
        anyhow::ensure!(
            c.triage.kpi_sla_business_days <= 365 && c.triage.directory_sla_business_days <= 365,
            "FRONTLINE_KPI_SLA_DAYS and FRONTLINE_DIRECTORY_SLA_DAYS must be 365 or fewer business days"
        );
        if let Some(path) = env("FRONTLINE_HOLIDAYS") {
            c.triage.holidays = load_holidays(std::path::Path::new(path.trim()))?;
            tracing::info!(days = c.triage.holidays.len(), path = %path.trim(), "holiday calendar loaded");
        }
        c.secure_cookies = match env("FRONTLINE_SECURE_COOKIES").as_deref() {
            Some("1" | "true" | "yes" | "on") => true,
            Some(_) => false,
            None => !is_loopback_bind(&c.bind),
        };
        c.session_idle = Duration::from_secs(60 * env_number("FRONTLINE_SESSION_IDLE_MINUTES", 30u64)?);
        c.session_absolute = Duration::from_secs(60 * env_number("FRONTLINE_SESSION_MAX_MINUTES", 12 * 60u64)?);
        if let Some(v) = env_list("FRONTLINE_TRUSTED_PROXIES") {
            c.trusted_proxies = parse_networks(&v).map_err(|e| anyhow::anyhow!("FRONTLINE_TRUSTED_PROXIES: {e}"))?;
        }
        if let Some(v) = env("FRONTLINE_RATE_POSTS") {
            c.rate_posts = RateLimit::parse(&v).map_err(|e| anyhow::anyhow!("FRONTLINE_RATE_POSTS: {e}"))?;
        }
        if let Some(v) = env("FRONTLINE_RATE_LOOKUPS") {
            c.rate_lookups = RateLimit::parse(&v).map_err(|e| anyhow::anyhow!("FRONTLINE_RATE_LOOKUPS: {e}"))?;
        }
        c.max_uploads = env_number("FRONTLINE_MAX_UPLOADS", c.max_uploads)?;
        anyhow::ensure!((1..=256).contains(&c.max_uploads), "FRONTLINE_MAX_UPLOADS must be between 1 and 256");
        c.max_password_checks = env_number("FRONTLINE_MAX_PASSWORD_CHECKS", c.max_password_checks)?;
        anyhow::ensure!(
            (1..=64).contains(&c.max_password_checks),
            "FRONTLINE_MAX_PASSWORD_CHECKS must be between 1 and 64"
        );
        c.body_timeout = Duration::from_secs(env_number("FRONTLINE_BODY_TIMEOUT_SECONDS", 30u64)?);
        c.body_idle_timeout = Duration::from_secs(env_number("FRONTLINE_BODY_IDLE_SECONDS", 10u64)?);
        anyhow::ensure!(
            !c.body_timeout.is_zero() && !c.body_idle_timeout.is_zero(),
            "FRONTLINE_BODY_TIMEOUT_SECONDS and FRONTLINE_BODY_IDLE_SECONDS must be at least 1"
        );
        if let Some(v) = env_list("FRONTLINE_LANDING_PORTS") {
            c.landing_ports = v
                .iter()
                .map(|p| p.parse::<u16>().map_err(|_| anyhow::anyhow!("FRONTLINE_LANDING_PORTS: {p:?} is not a port")))
                .collect::<anyhow::Result<_>>()?;
        }
        if let Some(v) = env("FRONTLINE_SMTP_URL") {
            c.mail.smtp_url = Some(parse_smtp_url(&v).map_err(|e| anyhow::anyhow!("FRONTLINE_SMTP_URL: {e}"))?);
        }
        if let Some(v) = env("FRONTLINE_MAIL_FROM") {
            v.parse::<lettre::message::Mailbox>()
                .map_err(|e| anyhow::anyhow!("FRONTLINE_MAIL_FROM: {v:?} is not an address ({e})"))?;
            c.mail.from = v;
        }
        if let Some(v) = env("FRONTLINE_MAIL_DIR") {
            c.mail.dir = std::path::PathBuf::from(v.trim());
        }
        if let Some(v) = env("FRONTLINE_PUBLIC_URL") {
            let u = url::Url::parse(v.trim())
                .map_err(|e| anyhow::anyhow!("FRONTLINE_PUBLIC_URL: {v:?} is not a URL ({e})"))?;
            anyhow::ensure!(
                matches!(u.scheme(), "http" | "https"),
                "FRONTLINE_PUBLIC_URL must start with http:// or https://"
            );
            c.public_url = v.trim().trim_end_matches('/').to_owned();
        }
        c.reopen_days = env_number("FRONTLINE_REOPEN_DAYS", c.reopen_days)?;
        anyhow::ensure!(c.reopen_days <= 3650, "FRONTLINE_REOPEN_DAYS must be 3650 or fewer");
        c.retention_days = env_number("FRONTLINE_RETENTION_DAYS", c.retention_days)?;
        anyhow::ensure!(
            c.retention_days <= crate::domain::retention::MAX_DAYS,
            "FRONTLINE_RETENTION_DAYS must be {} or fewer days (0 keeps uploaded files for good), got {}",
            crate::domain::retention::MAX_DAYS,
            c.retention_days
        );
        if let Some(v) = env("FRONTLINE_TIME_ZONE") {
            c.time_zone = crate::domain::calendar::parse_time_zone(&v)
                .map_err(|e| anyhow::anyhow!("FRONTLINE_TIME_ZONE: {e}"))?;
        }
        if let Some(v) = env("FRONTLINE_RATE_FIND") {
            c.rate_find = RateLimit::parse(&v).map_err(|e| anyhow::anyhow!("FRONTLINE_RATE_FIND: {e}"))?;
        }
        Ok(c)
    }

    /// Defaults, as `cargo run` uses them; tests start from here.
    pub fn defaults(database_url: DatabaseUrl) -> Self {
        let pool_size = if database_url.is_sqlite() { 8 } else { 16 };
        Self {
            bind: "127.0.0.1:8080".into(),
            database_url,
            pool_size,
            workers: 0,
            omlp_types: default_omlp_types(),
            landing_deny_list: default_deny_list(),
            competitors: crate::checks::landing::default_competitors(),
            check_allow_private: false,
            check_resolve: Vec::new(),
            run_jobs: true,
            check_timeout: Duration::from_secs(10),
            job_backoff_base: Duration::from_secs(30),
            job_max_attempts: 5,
            job_lease: Duration::from_secs(5 * 60),
            job_poll_interval: Duration::from_secs(5),
            triage: TriageRules::default(),
            secure_cookies: false,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            trusted_proxies: Vec::new(),
            rate_posts: Some(RateLimit::per_minutes(30, 10)),
            rate_lookups: Some(RateLimit::per_minutes(20, 10)),
            max_uploads: 6,
            max_password_checks: std::thread::available_parallelism().map_or(2, |n| n.get()),
            body_timeout: Duration::from_secs(30),
            body_idle_timeout: Duration::from_secs(10),
            landing_ports: vec![80, 443],
            mail: MailSettings::default(),
            public_url: String::new(),
            reopen_days: 30,
            retention_days: crate::domain::retention::DEFAULT_DAYS,
            rate_find: Some(RateLimit::per_minutes(5, 15)),
            time_zone: chrono_tz::UTC,
        }
    }
}

impl Config {
    /// How the landing-page check may fetch: the checker's safe defaults, with
    /// the (test-only) private-address and pinning settings and the time-out
    /// from these settings.
    pub fn fetch_policy(&self) -> crate::checks::landing::FetchPolicy {
        crate::checks::landing::FetchPolicy {
            allow_private: self.check_allow_private,
            resolve: self.check_resolve.clone(),
            timeout: self.check_timeout,
            ..crate::checks::landing::FetchPolicy::default()
        }
    }
}

/// Reads the holiday calendar: an iCalendar file (`.ics`: each event's
/// dates, an all-day event spanning several days counting each) or a list
/// of `YYYY-MM-DD` dates, one per line (`#` starts a comment).
pub fn load_holidays(path: &std::path::Path) -> anyhow::Result<Holidays> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("FRONTLINE_HOLIDAYS: cannot read {}: {e}", path.display()))?;
    let is_ics = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("ics")) || text.contains("BEGIN:VCALENDAR");
    if is_ics {
        holidays_from_ics(&text).map_err(|e| anyhow::anyhow!("FRONTLINE_HOLIDAYS: {}: {e}", path.display()))
    } else {
        Holidays::parse_list(&text).map_err(|e| anyhow::anyhow!("FRONTLINE_HOLIDAYS: {}: {e}", path.display()))
    }
}

/// The all-day dates of an iCalendar file's events.
pub fn holidays_from_ics(text: &str) -> Result<Holidays, String> {
    use icalendar::{CalendarComponent, Component, DatePerhapsTime};
    let calendar: icalendar::Calendar = text.parse()?;
    // The day as the calendar writes it (a holiday is a local day).
    let day = |d: DatePerhapsTime| Some(d.date_naive());
    let mut dates = Vec::new();
    for component in &calendar.components {
        let CalendarComponent::Event(event) = component else { continue };
        let Some(start) = event.get_start().and_then(day) else { continue };
        // DTEND is exclusive; a one-day event may have none.
        let end = event.get_end().and_then(day).filter(|e| *e > start).unwrap_or(start + chrono::Duration::days(1));
        let mut d = start;
        while d < end && dates.len() < 10_000 {
            dates.push(d);
            d += chrono::Duration::days(1);
        }
    }
    if dates.is_empty() {
        return Err("no event with a date was found".into());
    }
    Ok(Holidays::new(dates))
}

/// Parses `10.0.0.1, 192.168.0.0/16, ::1` into networks (an address alone
/// is a network of one).
pub fn parse_networks(items: &[String]) -> Result<Vec<ipnet::IpNet>, String> {
    items
        .iter()
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("{item:?} is not an IP address or network (like 10.0.0.0/8)"))
        })
        .collect()
}

/// True when the bind address is loopback only (plain HTTP is then fine).
pub fn is_loopback_bind(bind: &str) -> bool {
    let host = bind.rsplit_once(':').map(|(h, _)| h).unwrap_or(bind);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAIWAN_ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Holidays//EN\r\n\
BEGIN:VEVENT\r\nUID:1@test\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:中華民國開國紀念日\r\n\
DTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270102\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:2@test\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:春節\r\n\
DTSTART;VALUE=DATE:20270205\r\nDTEND;VALUE=DATE:20270211\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:3@test\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Office closed\r\n\
DTSTART;TZID=Asia/Taipei:20270301T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn holidays_load_from_an_ics_file_or_a_list_of_dates() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date");
        let dir = tempfile::tempdir().expect("dir");
        let ics = dir.path().join("taiwan.ics");
        std::fs::write(&ics, TAIWAN_ICS).expect("write");
        let h = load_holidays(&ics).expect("ics loads");
        // New Year, the six days of the Lunar New Year (DTEND exclusive), 1 March.
        assert_eq!(h.len(), 8);
        assert!(h.contains(day(2027, 1, 1)) && h.contains(day(2027, 2, 10)) && h.contains(day(2027, 3, 1)));
        assert!(!h.contains(day(2027, 2, 11)));

        let list = dir.path().join("days.txt");
        std::fs::write(&list, "2027-01-01\n2027-02-05 # Lunar New Year\n").expect("write");
        assert_eq!(load_holidays(&list).expect("list loads").len(), 2);

        std::fs::write(&list, "2027-01-01\n2027-02-30\n").expect("write");
        let err = load_holidays(&list).expect_err("no 30 February").to_string();
        assert!(err.contains("FRONTLINE_HOLIDAYS") && err.contains("line 2"), "{err}");
        let missing = load_holidays(&dir.path().join("nope.ics")).expect_err("missing").to_string();
        assert!(missing.contains("cannot read"), "{missing}");
    }

    #[test]
    fn omlp_types_parse_from_a_list() {
        let t = parse_omlp_types("moc=MOC, exam = Exam voucher").expect("parses");
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].code, "exam");
        assert!(parse_omlp_types("nolabel").is_err());
    }

    #[test]
    fn loopback_binds_are_recognised() {
        assert!(is_loopback_bind("127.0.0.1:8080"));
        assert!(is_loopback_bind("[::1]:8080"));
        assert!(is_loopback_bind("localhost:80"));
        assert!(!is_loopback_bind("0.0.0.0:8080"));
    }
}
