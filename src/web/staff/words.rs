//! The staff pages' words for things the domain names in English: the
//! vocabularies only staff see (priorities, flags, roles, batch states, the
//! e-mail list, invoice checks, timeline headings, a case's age) and dates,
//! each in the request's language (`locales/*/staff.ftl`). The English
//! messages say exactly what the domain's labels say.

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::batch::BatchStatus;
use crate::domain::calendar::BatchWindow;
use crate::domain::case::{CaseKind, Status};
use crate::domain::mail::MailKind;
use crate::domain::staff::StaffRole;
use crate::domain::timeline::EventType;
use crate::domain::triage::{Evidence, FlagCode, Priority};
use crate::i18n::{t, ta};

/// The message `key`, or the domain's own English words when there is no
/// such message (a kind added to the domain after its translation).
fn or_english(key: &str, english: &str) -> String {
    let words = t(key);
    if words == key { english.to_owned() } else { words }
}

/// A case status as staff name it (`In review`, 審查中).
pub fn status(s: Status) -> String {
    or_english(&format!("staff-status-{}", s.as_str()), s.label())
}

/// A case kind (`KPI discrepancy`, KPI 差異).
pub fn kind(k: CaseKind) -> String {
    or_english(&format!("staff-kind-{}", k.as_str()), k.label())
}

/// A priority's tag text (`Urgent`, 緊急); an unknown stored value says so.
pub fn priority(p: Option<Priority>) -> String {
    t(match p {
        Some(Priority::Urgent) => "staff-priority-urgent",
        Some(Priority::High) => "staff-priority-high",
        Some(Priority::Normal) => "staff-priority-normal",
        Some(Priority::Low) => "staff-priority-low",
        None => "staff-priority-unknown",
    })
}

/// A flag's tag text.
pub fn flag(f: FlagCode) -> String {
    or_english(&format!("staff-flag-{}", f.as_str()), f.label())
}

/// A staff role (`Admin`, `Agent`).
pub fn role(r: StaffRole) -> String {
    or_english(&format!("staff-role-{}", r.as_str()), r.label())
}

/// Where a directory batch stands.
pub fn batch_status(s: BatchStatus) -> String {
    or_english(&format!("staff-batch-status-{}", s.as_str()), s.label())
}

/// What an e-mail about a case was.
pub fn mail_kind(k: MailKind) -> String {
    or_english(&format!("staff-mail-kind-{}", k.as_str()), k.label())
}

/// What the invoice file's check found.
pub fn evidence(e: Evidence) -> String {
    or_english(&format!("staff-evidence-{}", e.as_str()), e.words())
}

/// A timeline entry's heading, and whether its text is shown under it.
/// Entries whose heading is their own text (status changes, assignments…)
/// keep that text: it was written when the event happened.
pub fn event_heading(kind: EventType, body: Option<&str>) -> (String, bool) {
    let (own, show_body) = kind.heading(body);
    let has_own_text = !show_body && body.is_some_and(|b| !b.trim().is_empty());
    if has_own_text {
        (own, show_body)
    } else {
        (or_english(&format!("staff-event-{}", kind.as_str()), &own), show_body)
    }
}

/// How old a case is: `Today`, `1 day`, `3 days`.
pub fn age(created_at: NaiveDateTime, now: NaiveDateTime) -> String {
    match (now - created_at).num_days() {
        d if d <= 0 => t("staff-age-today"),
        1 => t("staff-age-one-day"),
        d => ta("staff-age-days", &[("n", &d)]),
    }
}

/// A batch's month: `December 2026`, `2026年12月`.
pub fn batch_label(b: &BatchWindow) -> String {
    crate::i18n::month_year(b.year, b.month)
}

/// A date in a sentence: `15 April 2025`, `2025年4月15日`.
pub fn date(d: NaiveDate) -> String {
    crate::i18n::date(d)
}

/// A date in a table: `3 Mar 2025`, `2025/3/3`.
pub fn short_date(d: NaiveDate) -> String {
    crate::i18n::short_date(d)
}

/// A moment in the reader's zone, naming it: `5 December 2026 at 02:35
/// (Taipei time, UTC+8)`, `2026年12月5日 02:35（Asia/Taipei，UTC+8）`.
pub fn time(at: NaiveDateTime, zone: chrono_tz::Tz) -> String {
    crate::i18n::time(at, zone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Context, Lang, scope};

    fn in_lang<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        rt.block_on(scope(Context { lang, path_and_query: String::new() }, async { f() }))
    }

    #[test]
    fn every_kind_has_its_own_message() {
        let exists = |key: String| assert_ne!(t(&key), key, "{key} is in locales/*/staff.ftl");
        FlagCode::ALL.into_iter().for_each(|f| exists(format!("staff-flag-{}", f.as_str())));
        [StaffRole::Admin, StaffRole::Agent].into_iter().for_each(|r| exists(format!("staff-role-{}", r.as_str())));
        [BatchStatus::Open, BatchStatus::Submitted, BatchStatus::Published]
            .into_iter()
            .for_each(|s| exists(format!("staff-batch-status-{}", s.as_str())));
        MailKind::ALL.into_iter().for_each(|k| exists(format!("staff-mail-kind-{}", k.as_str())));
        Evidence::ALL.into_iter().for_each(|e| exists(format!("staff-evidence-{}", e.as_str())));
        EventType::ALL.into_iter().for_each(|e| exists(format!("staff-event-{}", e.as_str())));
    }

    #[test]
    fn english_words_are_the_domains_own() {
        for p in Priority::ALL {
            assert_eq!(priority(Some(p)), p.label());
        }
        for f in FlagCode::ALL {
            assert_eq!(flag(f), f.label());
        }
        for r in [StaffRole::Admin, StaffRole::Agent] {
            assert_eq!(role(r), r.label());
        }
        for s in Status::ALL {
            assert_eq!(status(s), s.label());
        }
        for k in CaseKind::ALL {
            assert_eq!(kind(k), k.label());
        }
        for s in [BatchStatus::Open, BatchStatus::Submitted, BatchStatus::Published] {
            assert_eq!(batch_status(s), s.label());
        }
        for k in MailKind::ALL {
            assert_eq!(mail_kind(k), k.label());
        }
        for e in Evidence::ALL {
            assert_eq!(evidence(e), e.words());
        }
        for e in EventType::ALL {
            assert_eq!(event_heading(e, None), e.heading(None), "{e:?}");
            assert_eq!(event_heading(e, Some("Assigned to Ana")), e.heading(Some("Assigned to Ana")), "{e:?}");
        }
        let now = NaiveDate::from_ymd_opt(2026, 5, 15).and_then(|d| d.and_hms_opt(14, 5, 0)).expect("time");
        for days in [0, 1, 3] {
            let then = now - chrono::Duration::days(days);
            assert_eq!(age(then, now), crate::domain::queue::age_label(then, now));
        }
    }

    #[test]
    fn chinese_words_and_dates() {
        let now = NaiveDate::from_ymd_opt(2026, 5, 15).and_then(|d| d.and_hms_opt(6, 5, 0)).expect("time");
        let (p, f, a, d, when) = in_lang(Lang::ZhTw, || {
            (
                priority(Some(Priority::Urgent)),
                flag(FlagCode::PossibleDuplicate),
                age(now - chrono::Duration::days(3), now),
                date(now.date()),
                time(now, chrono_tz::Asia::Taipei),
            )
        });
        assert_eq!((p.as_str(), f.as_str(), a.as_str(), d.as_str()), ("緊急", "可能重複", "3 天", "2026年5月15日"));
        assert!(when.contains("14:05") && when.contains("Asia/Taipei"), "{when}");
    }
}
