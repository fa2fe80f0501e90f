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
pub fn text(lang: Lang, key: &str) -> String {
    LOCALES.try_lookup(lang.id(), key).unwrap_or_else(|| key.to_owned())
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

    #[test]
    fn every_message_exists_in_both_languages() {
        let en = message_ids(include_str!("../locales/en/main.ftl"));
        let zh = message_ids(include_str!("../locales/zh-TW/main.ftl"));
        let only_en: Vec<_> = en.difference(&zh).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        assert!(only_en.is_empty() && only_zh.is_empty(), "missing in zh-TW: {only_en:?}; missing in en: {only_zh:?}");
        assert!(en.len() > 10);
        for id in &en {
            assert_ne!(text(Lang::ZhTw, id), *id, "{id} resolves in zh-TW");
            assert_ne!(text(Lang::En, id), *id, "{id} resolves in en");
        }
    }
}
