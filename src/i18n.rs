//! The two languages every page is offered in: English (`en`) and
//! Traditional Chinese (`zh-TW`). Messages live in Fluent files under
//! `locales/` (embedded at build time); a request's language is chosen once
//! (`?lang=`, then the `lang` cookie, then `Accept-Language`, else English)
//! and held for the request's task, so templates ask for a message by key
//! (`{{ crate::i18n::t("site-name") }}`) without every page carrying it.
//! Uses nothing else of the crate.

use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static ZH_TW: LanguageIdentifier = langid!("zh-TW");

/// A language Frontline speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Traditional Chinese (Taiwan).
    ZhTw,
}

impl Lang {
    /// Every language, in the order the switch offers them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhTw];

    /// The code used in `?lang=`, the cookie and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhTw => "zh-TW",
        }
    }

    /// Parses a code as the switch and the cookie write it.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str().eq_ignore_ascii_case(raw.trim()))
    }

    /// `<html lang>`: BCP 47 with the script, so `:lang(zh-Hant)` applies.
    pub fn html_lang(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhTw => "zh-Hant-TW",
        }
    }

    /// The language's own name, for the switch.
    pub fn own_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::ZhTw => "繁體中文",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Self::En => &EN,
            Self::ZhTw => &ZH_TW,
        }
    }

    /// The first language of an `Accept-Language` header Frontline speaks
    /// (any `zh`, `zh-*` → Traditional Chinese), by the header's weights.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut ranges: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut bits = part.split(';');
                let tag = bits.next()?.trim().to_ascii_lowercase();
                let q = bits
                    .find_map(|b| b.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                    .unwrap_or(1.0);
                let lang = if tag == "zh" || tag.starts_with("zh-") {
                    Lang::ZhTw
                } else if tag == "en" || tag.starts_with("en-") {
                    Lang::En
                } else {
                    return None;
                };
                (q > 0.0).then_some((q, lang))
            })
            .collect();
        // Stable: equal weights keep the header's order.
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranges.first().map(|(_, l)| *l)
    }

    /// The chosen language: `?lang=`, else the cookie, else `Accept-Language`,
    /// else English.
    pub fn negotiate(query: Option<&str>, cookie: Option<&str>, accept: Option<&str>) -> Self {
        query
            .and_then(Self::parse)
            .or_else(|| cookie.and_then(Self::parse))
            .or_else(|| accept.and_then(Self::from_accept_language))
            .unwrap_or_default()
    }
}

/// What a request's pages are rendered with: its language, and where it is
/// (so the switch can keep the page and its query).
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The chosen language.
    pub lang: Lang,
    /// The request's path and query without `lang` (for the switch).
    pub path_and_query: String,
}

tokio::task_local! {
    static CURRENT: Context;
}

/// Runs `f` (a request's handling) with `context` as its language.
pub async fn scope<F: std::future::Future>(context: Context, f: F) -> F::Output {
    CURRENT.scope(context, f).await
}

/// The current request's language (English outside a request).
pub fn current() -> Lang {
    CURRENT.try_with(|c| c.lang).unwrap_or_default()
}

/// A message in the current request's language.
pub fn t(key: &str) -> String {
    text(current(), key)
}

/// A message in `lang` (e-mails use the case's language).
///
/// A message without arguments is the same every time: the first lookup of
/// each id is kept (ids only, so the memo is bounded by the message files),
/// and a page that asks for a few hundred messages (the staff queue: each
/// row's status, kind, priority and flags) pays for formatting once.
pub fn text(lang: Lang, key: &str) -> String {
    let memo = &MEMO[lang as usize];
    if let Some(found) = memo.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(key) {
        return found.clone();
    }
    match LOCALES.try_lookup(lang.id(), key) {
        Some(found) => {
            memo.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(key.to_owned(), found.clone());
            found
        }
        None => key.to_owned(),
    }
}

/// Messages without arguments already formatted, per language (see [`text`]).
#[allow(clippy::type_complexity)]
static MEMO: [std::sync::LazyLock<std::sync::RwLock<std::collections::HashMap<String, String>>>; Lang::ALL.len()] =
    [const { std::sync::LazyLock::new(|| std::sync::RwLock::new(std::collections::HashMap::new())) }; Lang::ALL.len()];

/// A message's arguments: `&[("name", &value), …]`, each value anything
/// that can be shown (in Rust code and in templates alike).
pub trait Args {
    /// The arguments as Fluent takes them: text, so numbers keep the form
    /// they were given in (no digit grouping added).
    fn fluent(
        &self,
    ) -> std::collections::HashMap<std::borrow::Cow<'static, str>, fluent_templates::fluent_bundle::FluentValue<'static>>;
}

impl<T: std::fmt::Display + ?Sized, const N: usize> Args for [(&'static str, &T); N] {
    fn fluent(
        &self,
    ) -> std::collections::HashMap<std::borrow::Cow<'static, str>, fluent_templates::fluent_bundle::FluentValue<'static>>
    {
        self.iter().map(|(k, v)| (std::borrow::Cow::Borrowed(*k), v.to_string().into())).collect()
    }
}

impl Args for [(&'static str, &dyn std::fmt::Display)] {
    fn fluent(
        &self,
    ) -> std::collections::HashMap<std::borrow::Cow<'static, str>, fluent_templates::fluent_bundle::FluentValue<'static>>
    {
        self.iter().map(|(k, v)| (std::borrow::Cow::Borrowed(*k), v.to_string().into())).collect()
    }
}

impl<A: Args + ?Sized> Args for &A {
    fn fluent(
        &self,
    ) -> std::collections::HashMap<std::borrow::Cow<'static, str>, fluent_templates::fluent_bundle::FluentValue<'static>>
    {
        (**self).fluent()
    }
}

/// A message with arguments (`{ $name }` in the Fluent file), in the
/// current request's language: `ta("kpi-error-year-two", &[("year", &2026)])`.
pub fn ta(key: &str, args: &[(&'static str, &dyn std::fmt::Display)]) -> String {
    text_args(current(), key, args)
}

/// [`ta`] for templates, which pass arguments by reference and of one type:
/// `{{ crate::i18n::tv("staff-queue-page-n", &[("n", &n)]) }}`.
pub fn tv<A: Args + ?Sized>(key: &str, args: &A) -> String {
    text_args(current(), key, args)
}

/// A message with arguments, in `lang`.
pub fn text_args<A: Args + ?Sized>(lang: Lang, key: &str, args: &A) -> String {
    LOCALES.try_lookup_with_args(lang.id(), key, &args.fluent()).unwrap_or_else(|| key.to_owned())
}

/// A date in the current request's language: `15 March 2026`, `2026年3月15日`.
pub fn date(d: chrono::NaiveDate) -> String {
    date_in(current(), d)
}

/// A date as `lang` writes it: `15 March 2026`, `2026年3月15日`.
pub fn date_in(lang: Lang, d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    match lang {
        Lang::En => crate::domain::calendar::long_date(d),
        Lang::ZhTw => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
    }
}

/// A short date for tables in the current language: `3 Mar 2025`, `2025/3/3`.
pub fn short_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    match current() {
        Lang::En => crate::domain::calendar::short_date(d),
        Lang::ZhTw => format!("{}/{}/{}", d.year(), d.month(), d.day()),
    }
}

/// A month and year in the current language: `March 2026`, `2026年3月`.
pub fn month_year(year: i32, month: u32) -> String {
    month_year_in(current(), year, month)
}

/// A month and year as `lang` writes it.
pub fn month_year_in(lang: Lang, year: i32, month: u32) -> String {
    match lang {
        Lang::En => format!("{} {year}", crate::domain::calendar::month_name(month)),
        Lang::ZhTw => format!("{year}年{month}月"),
    }
}

/// A moment (stored in UTC) in the current language, naming the zone.
pub fn time(at: chrono::NaiveDateTime, zone: chrono_tz::Tz) -> String {
    time_in(current(), at, zone)
}

/// A moment as `lang` writes it, naming the zone: `5 December 2026 at 02:35
/// (Taipei time, UTC+8)`, `2026年12月5日 02:35（Asia/Taipei，UTC+8）`.
pub fn time_in(lang: Lang, at: chrono::NaiveDateTime, zone: chrono_tz::Tz) -> String {
    use chrono::{Offset, TimeZone};
    match lang {
        Lang::En => crate::domain::calendar::long_time(at, zone),
        Lang::ZhTw => {
            let local = zone.from_utc_datetime(&at);
            let seconds = local.offset().fix().local_minus_utc();
            let (sign, abs) = if seconds < 0 { ('-', -seconds) } else { ('+', seconds) };
            let offset = match (abs / 3600, abs % 3600) {
                (0, 0) => "UTC".to_owned(),
                (h, 0) => format!("UTC{sign}{h}"),
                (h, m) => format!("UTC{sign}{h}:{:02}", m / 60),
            };
            let when = format!("{} {}", date_in(lang, local.date_naive()), local.format("%H:%M"));
            if zone == chrono_tz::UTC {
                format!("{when}（UTC）")
            } else {
                format!("{when}（{}，{offset}）", zone.name())
            }
        }
    }
}

/// `<html lang>` for the current request.
pub fn html_lang() -> &'static str {
    current().html_lang()
}

/// The language switch: each other language with a link to this page in it.
pub fn switch() -> Vec<(&'static str, &'static str, String)> {
    let context = CURRENT.try_with(Clone::clone).unwrap_or_default();
    Lang::ALL
        .into_iter()
        .filter(|l| *l != context.lang)
        .map(|l| {
            let sep = if context.path_and_query.contains('?') { '&' } else { '?' };
            (l.own_name(), l.html_lang(), format!("{}{sep}lang={}", context.path_and_query, l.as_str()))
        })
        .collect()
}

/// The message ids of a Fluent file (`id = …` at the start of a line).
pub fn message_ids(ftl: &str) -> std::collections::BTreeSet<String> {
    ftl.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_is_chosen_by_query_then_cookie_then_accept_language() {
        assert_eq!(Lang::negotiate(Some("zh-TW"), Some("en"), Some("en")), Lang::ZhTw);
        assert_eq!(Lang::negotiate(Some("fr"), Some("zh-tw"), None), Lang::ZhTw, "an unknown ?lang is ignored");
        assert_eq!(Lang::negotiate(None, None, Some("zh-HK,zh;q=0.9,en;q=0.8")), Lang::ZhTw);
        assert_eq!(Lang::negotiate(None, None, Some("fr-FR, en;q=0.5, zh;q=0.4")), Lang::En);
        assert_eq!(Lang::negotiate(None, None, Some("zh-CN;q=0.9, en;q=0.95")), Lang::En);
        assert_eq!(Lang::negotiate(None, None, Some("de")), Lang::En);
        assert_eq!(Lang::negotiate(None, None, None), Lang::En);
        assert_eq!(Lang::ZhTw.html_lang(), "zh-Hant-TW");
    }

    /// Every `.ftl` file of a language directory, by file name.
    fn files_of(lang: &str) -> std::collections::BTreeMap<String, String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
            .collect()
    }

    #[test]
    fn every_message_exists_in_both_languages() {
        let en_files = files_of("en");
        let zh_files = files_of("zh-TW");
        assert_eq!(
            en_files.keys().collect::<Vec<_>>(),
            zh_files.keys().collect::<Vec<_>>(),
            "each language has the same message files"
        );
        let mut all = std::collections::BTreeSet::new();
        for (name, en_ftl) in &en_files {
            let en = message_ids(en_ftl);
            let zh = message_ids(&zh_files[name]);
            let only_en: Vec<_> = en.difference(&zh).collect();
            let only_zh: Vec<_> = zh.difference(&en).collect();
            assert!(
                only_en.is_empty() && only_zh.is_empty(),
                "{name}: missing in zh-TW: {only_en:?}; missing in en: {only_zh:?}"
            );
            for id in en {
                assert!(all.insert(id.clone()), "{id} is defined in two files");
            }
        }
        assert!(all.len() > 10);
        // Each message resolves in both languages, given the arguments it names.
        for id in &all {
            let args_of = |lang: &str| -> std::collections::BTreeSet<String> {
                let files = if lang == "en" { &en_files } else { &zh_files };
                let line = files
                    .values()
                    .flat_map(|f| f.lines())
                    .find(|l| l.split_once('=').is_some_and(|(k, _)| k.trim() == id))
                    .unwrap_or_default();
                line.split("{ $").skip(1).filter_map(|rest| rest.split_once(' ').map(|(n, _)| n.to_owned())).collect()
            };
            // A translation may use other arguments the code passes (a full
            // date where English names only the day): give each what it names.
            let names: std::collections::BTreeSet<String> = args_of("en").union(&args_of("zh-TW")).cloned().collect();
            let values: Vec<(&'static str, &dyn std::fmt::Display)> = names
                .iter()
                .map(|n| (&*Box::leak(n.clone().into_boxed_str()), &"x" as &dyn std::fmt::Display))
                .collect();
            assert_ne!(text_args(Lang::ZhTw, id, values.as_slice()), *id, "{id} resolves in zh-TW");
            assert_ne!(text_args(Lang::En, id, values.as_slice()), *id, "{id} resolves in en");
        }
    }

    #[test]
    fn dates_and_times_are_written_the_reader_s_way() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 5, 15).unwrap();
        assert_eq!(date_in(Lang::En, d), "15 May 2026");
        assert_eq!(date_in(Lang::ZhTw, d), "2026年5月15日");
        let at = d.and_hms_opt(18, 35, 0).unwrap();
        assert_eq!(time_in(Lang::ZhTw, at, chrono_tz::Asia::Taipei), "2026年5月16日 02:35（Asia/Taipei，UTC+8）");
        assert_eq!(time_in(Lang::ZhTw, at, chrono_tz::UTC), "2026年5月15日 18:35（UTC）");
        assert_eq!(time_in(Lang::En, at, chrono_tz::UTC), "15 May 2026 at 18:35 UTC");
    }

    #[test]
    fn lookups_are_kept_for_ids_only() {
        assert_eq!(text(Lang::ZhTw, "site-service"), "學習合作夥伴支援");
        assert_eq!(text(Lang::ZhTw, "site-service"), "學習合作夥伴支援", "the kept one");
        assert_eq!(text(Lang::En, "site-service"), "Learning Partner support", "per language");
        let typed = "No case has the reference KPI-2026-99999";
        assert_eq!(text(Lang::En, typed), typed, "text that is no id passes through");
        assert!(!MEMO[Lang::En as usize].read().unwrap().contains_key(typed), "and is not kept");
    }

    #[test]
    fn messages_take_arguments() {
        assert_eq!(text_args(Lang::En, "test-args", &[("n", &2026)]), "Year 2026");
        assert_eq!(text_args(Lang::ZhTw, "test-args", &[("n", &2026)]), "2026 年");
    }
}
