//! The listing rules a landing page is checked against: it shows the name
//! to list, mentions Microsoft, names no competitor, and does not send the
//! visitor to another site. Pure rules over the page's visible text and
//! URLs (`checks::landing` fetches the page and finds its visible text).

use url::Url;

use super::landing_url::registrable_domain;
use super::triage::FlagCode;

/// What is wrong with a landing page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingCode {
    /// The page could not be fetched (HTTP 4xx, refused address, too many
    /// redirects, …), or, recorded by the job, kept failing transiently.
    Unreachable,
    /// The page is not HTML. Stored under the same code as `Unreachable`
    /// (`landing_unreachable`) with its own reason.
    NotHtml,
    /// The directory (company) name is not shown on the page.
    NameMissing,
    /// The page does not mention Microsoft.
    NoMicrosoft,
    /// The page names a competitor.
    Competitor,
    /// The page redirects to another website (registrable domain).
    RedirectOffsite,
}

impl FindingCode {
    /// The flag a finding is stored and shown to staff as.
    pub fn flag(self) -> FlagCode {
        match self {
            FindingCode::Unreachable | FindingCode::NotHtml => FlagCode::LandingUnreachable,
            FindingCode::NameMissing => FlagCode::LandingNameMissing,
            FindingCode::NoMicrosoft => FlagCode::LandingNoMicrosoft,
            FindingCode::Competitor => FlagCode::LandingCompetitor,
            FindingCode::RedirectOffsite => FlagCode::LandingRedirectOffsite,
        }
    }
}

/// One problem found, with a reason for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What kind of problem.
    pub code: FindingCode,
    /// A sentence explaining it.
    pub reason: String,
}

impl Finding {
    /// A finding with its reason.
    pub fn new(code: FindingCode, reason: impl Into<String>) -> Finding {
        Finding { code, reason: reason.into() }
    }
}

/// Competitor names a Microsoft learning partner's page must not show.
///
/// Cloud/productivity/CRM vendors that compete with Azure, Microsoft 365 and
/// Dynamics 365 for training and certification, including their Chinese
/// brand names (partners in Taiwan, Hong Kong and mainland China). Kept to
/// names that are not ordinary words: bare "Amazon", "Google", "Oracle",
/// "Zoom" or "Slack" would flag shop links and plain English, and names that
/// are part of Microsoft offerings ("SAP on Azure", "Azure Databricks",
/// "Azure Red Hat OpenShift", "Azure VMware Solution") are left out. Matched
/// as whole words, case-insensitively, so "AWS" does not match "laws".
pub fn default_competitors() -> Vec<String> {
    [
        "Amazon Web Services",
        "AWS",
        "亞馬遜雲端",
        "亚马逊云科技",
        "Google Cloud",
        "GCP",
        "Google Workspace",
        "G Suite",
        "谷歌雲端",
        "谷歌云",
        "Oracle Cloud",
        "OCI",
        "IBM Cloud",
        "Alibaba Cloud",
        "阿里雲",
        "阿里云",
        "Tencent Cloud",
        "騰訊雲",
        "腾讯云",
        "Huawei Cloud",
        "華為雲",
        "华为云",
        "Salesforce",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

/// Why the final URL is on another site than the start, if it is.
pub fn offsite_reason(start: &Url, last: &Url) -> Option<String> {
    let site = |u: &Url| -> Option<String> {
        let host = u.host_str()?;
        Some(registrable_domain(host).unwrap_or_else(|| {
            let h = host.strip_suffix('.').unwrap_or(host);
            h.strip_prefix("www.").unwrap_or(h).to_ascii_lowercase()
        }))
    };
    let (from, to) = (site(start)?, site(last)?);
    (from != to)
        .then(|| format!("The page redirects to another website: {} (not {})", show_host(&to), show_host(&from)))
}

fn show_host(ascii: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(ascii);
    if result.is_ok() { unicode } else { ascii.to_owned() }
}

/// Findings about a page's visible text: the directory name missing,
/// Microsoft not mentioned, a competitor named.
pub fn content_findings(visible_text: &str, directory_name: &str, competitors: &[String]) -> Vec<Finding> {
    let text = normalize_text(visible_text);
    let mut findings = Vec::new();

    let name = normalize_text(directory_name);
    if !name.is_empty() && !contains_name(&text, &name) {
        findings.push(Finding::new(
            FindingCode::NameMissing,
            format!("The page does not show the name \"{}\"", directory_name.trim()),
        ));
    }
    if !["microsoft", "微軟", "微软"].iter().any(|m| text.contains(m)) {
        findings.push(Finding::new(FindingCode::NoMicrosoft, "The page does not mention Microsoft"));
    }
    let mut named: Vec<&str> = Vec::new();
    for competitor in competitors {
        let needle = normalize_text(competitor);
        if !needle.is_empty() && contains_word(&text, &needle) && !named.contains(&competitor.trim()) {
            named.push(competitor.trim());
        }
    }
    if !named.is_empty() {
        findings
            .push(Finding::new(FindingCode::Competitor, format!("The page names a competitor: {}", named.join(", "))));
    }
    findings
}

/// The name is found as normalised text, or with all white space removed
/// (browsers render a source line break between CJK characters as nothing or a
/// space, and inline tags may split a name).
pub fn contains_name(text: &str, name: &str) -> bool {
    if text.contains(name) {
        return true;
    }
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    squash(text).contains(&squash(name))
}

/// Case-folded `needle` occurs in `text` not preceded or followed by a letter
/// or digit (at an edge where the needle itself is a letter/digit; CJK
/// needles need no boundary, as CJK text has no spaces).
pub fn contains_word(text: &str, needle: &str) -> bool {
    let first_needs_edge = needle.chars().next().is_some_and(needs_boundary);
    let last_needs_edge = needle.chars().next_back().is_some_and(needs_boundary);
    let mut from = 0;
    while let Some(pos) = text[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before_ok = !first_needs_edge || !text[..start].chars().next_back().is_some_and(char::is_alphanumeric);
        let after_ok = !last_needs_edge || !text[end..].chars().next().is_some_and(char::is_alphanumeric);
        if before_ok && after_ok {
            return true;
        }
        from = start + needle.chars().next().map_or(1, char::len_utf8);
    }
    false
}

fn needs_boundary(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30ff // kana
        | 0x3400..=0x4dbf // CJK ext A
        | 0x4e00..=0x9fff // CJK unified
        | 0xac00..=0xd7af // Hangul
        | 0xf900..=0xfaff // CJK compatibility
        | 0x20000..=0x2ffff) // CJK ext B+
}

/// Lower-case, full-width ASCII folded to ASCII, curly quotes straightened,
/// zero-width characters and soft hyphens dropped, white space (incl. NBSP and
/// the ideographic space) collapsed to single spaces, trimmed.
pub fn normalize_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        let c = match c {
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => continue,
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2033}' => '"',
            '\u{2010}' | '\u{2011}' => '-',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        };
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Where a landing-page check stands, as the job runner recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckState {
    /// Queued, not tried yet.
    Waiting,
    /// Tried and failed `attempts` times; tried again at `next` (last error).
    Retrying {
        /// Attempts so far.
        attempts: i32,
        /// When it runs next.
        next: chrono::NaiveDateTime,
        /// Why the last attempt failed.
        last_error: String,
    },
    /// Running now.
    Running,
    /// Done at `at`, with this many problems.
    Checked {
        /// When.
        at: chrono::NaiveDateTime,
        /// Problems found.
        problems: usize,
    },
    /// Given up after `attempts` attempts.
    Failed {
        /// Attempts made.
        attempts: i32,
        /// Why the last one failed.
        last_error: String,
    },
}

impl CheckState {
    /// What happened, in words: "3 attempts failed; next attempt at 14:05
    /// UTC", "checked 2 minutes ago: 1 problem".
    pub fn words(&self, now: chrono::NaiveDateTime) -> String {
        let attempts = |n: i32| if n == 1 { "1 attempt".to_string() } else { format!("{n} attempts") };
        match self {
            Self::Waiting => "Not checked yet – the check runs shortly after filing".into(),
            Self::Retrying { attempts: n, next, last_error } => format!(
                "{} failed ({last_error}); next attempt at {}",
                attempts(*n),
                next.format("%H:%M UTC on %-d %B")
            ),
            Self::Running => "Being checked now".into(),
            Self::Checked { at, problems } => {
                let found = match problems {
                    0 => "no problems found".to_string(),
                    1 => "1 problem – see the flags above".to_string(),
                    n => format!("{n} problems – see the flags above"),
                };
                format!("Checked {}: {found}", ago(*at, now))
            }
            Self::Failed { attempts: n, last_error } => {
                format!("Could not be checked: {} failed ({last_error})", attempts(*n))
            }
        }
    }

    /// Why approving the request needs a second thought, if it does: the
    /// check failed, could not finish yet, or found problems.
    pub fn approval_warning(&self) -> Option<String> {
        match self {
            Self::Checked { problems: 0, .. } => None,
            Self::Checked { problems, .. } => Some(format!(
                "The landing-page check found {} – check the page before approving.",
                if *problems == 1 { "1 problem".to_string() } else { format!("{problems} problems") }
            )),
            Self::Failed { .. } => {
                Some("The landing page could not be checked – check it by hand before approving.".into())
            }
            Self::Retrying { .. } | Self::Waiting | Self::Running => {
                Some("The landing page has not been checked yet – check it by hand before approving.".into())
            }
        }
    }
}

/// "just now", "2 minutes ago", "3 hours ago", "on 4 December 2026".
fn ago(at: chrono::NaiveDateTime, now: chrono::NaiveDateTime) -> String {
    let minutes = (now - at).num_minutes();
    match minutes {
        m if m < 1 => "just now".into(),
        1 => "1 minute ago".into(),
        m if m < 60 => format!("{m} minutes ago"),
        m if m < 120 => "1 hour ago".into(),
        m if m < 24 * 60 => format!("{} hours ago", m / 60),
        _ => format!("on {}", super::calendar::long_date(at.date())),
    }
}

#[cfg(test)]
mod check_state_tests {
    use super::CheckState;

    fn t(h: u32, m: u32) -> chrono::NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 4).and_then(|d| d.and_hms_opt(h, m, 0)).expect("time")
    }

    #[test]
    fn the_state_says_what_happened() {
        let retrying = CheckState::Retrying { attempts: 3, next: t(14, 5), last_error: "timed out".into() };
        assert_eq!(retrying.words(t(13, 0)), "3 attempts failed (timed out); next attempt at 14:05 UTC on 4 December");
        assert_eq!(
            CheckState::Checked { at: t(12, 58), problems: 1 }.words(t(13, 0)),
            "Checked 2 minutes ago: 1 problem – see the flags above"
        );
        assert_eq!(
            CheckState::Checked { at: t(9, 0), problems: 0 }.words(t(13, 0)),
            "Checked 4 hours ago: no problems found"
        );
        let failed = CheckState::Failed { attempts: 5, last_error: "refused".into() };
        assert_eq!(failed.words(t(13, 0)), "Could not be checked: 5 attempts failed (refused)");
    }

    #[test]
    fn approving_warns_unless_the_check_passed() {
        assert_eq!(CheckState::Checked { at: t(9, 0), problems: 0 }.approval_warning(), None);
        assert!(
            CheckState::Checked { at: t(9, 0), problems: 2 }
                .approval_warning()
                .is_some_and(|w| w.contains("2 problems"))
        );
        assert!(CheckState::Failed { attempts: 5, last_error: String::new() }.approval_warning().is_some());
        assert!(CheckState::Waiting.approval_warning().is_some());
    }
}
