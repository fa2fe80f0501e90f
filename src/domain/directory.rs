//! The directory listing request: the name to show, the country, and the
//! landing page with the three rules it must meet.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::i18n::{Lang, t, ta};
use celes::Country;
use icu_collator::Collator;
use icu_collator::options::CollatorOptions;
use icu_locale::names::RegionDisplayName;
use icu_locale::subtags::Region;
use icu_locale::{Locale, locale};

use super::contact::{Contact, ContactInput, NAME_MAX_CHARS, parse_contact};
use super::errors::FieldErrors;
use super::landing_url::{LandingUrl, parse_landing_url_on_ports};
use super::text::required_line;

/// Longest landing page URL we keep.
pub const URL_MAX_CHARS: usize = 2000;

/// The three landing-page rules a partner attests to, in page order:
/// (field name, id of the message when unticked).
pub const ATTESTATIONS: [(&str, &str); 3] = [
    ("attest_about_partner_only", "dir-error-attest-about"),
    ("attest_no_competitors", "dir-error-attest-competitors"),
    ("attest_partner_owned", "dir-error-attest-owned"),
];

/// Raw directory answers, as typed.
#[derive(Debug, Clone, Default)]
pub struct DirectoryInput {
    /// The shared contact block.
    pub contact: ContactInput,
    /// `directory_name`.
    pub directory_name: String,
    /// `country`.
    pub country: String,
    /// `landing_page_url`.
    pub landing_page_url: String,
    /// The attestation checkboxes, in [`ATTESTATIONS`] order: ticked or not.
    pub attestations: [bool; 3],
}

impl DirectoryInput {
    /// The answers with invisible formatting characters removed (every field
    /// here is one line).
    pub fn normalised(&self) -> Self {
        let f = super::text::strip_format_controls;
        Self {
            contact: self.contact.normalised(),
            directory_name: super::text::fold_width_in_name(&f(&self.directory_name)),
            country: super::text::fold_width(&f(&self.country)),
            // Full-width forms of ASCII only: a Chinese path stays as written.
            landing_page_url: super::text::fold_width_in_name(&f(&self.landing_page_url)),
            attestations: self.attestations,
        }
    }
}

/// A validated directory listing request.
#[derive(Debug, Clone)]
pub struct DirectoryRequest {
    /// Who files.
    pub contact: Contact,
    /// The name to show on the directory.
    pub directory_name: String,
    /// ISO 3166-1 alpha-2.
    pub country: &'static str,
    /// The parsed landing page.
    pub landing: LandingUrl,
}

/// The countries for the select in `lang`: (alpha-2 code, name), in the
/// order a reader of that language expects. Names are CLDR's ("United
/// States", "Côte d’Ivoire"; 美國, 台灣); English is alphabetical with accents
/// folded (Åland Islands among the A's), Traditional Chinese by stroke count,
/// CLDR's default collation for zh-Hant.
pub fn countries(lang: Lang) -> Vec<(&'static str, String)> {
    names(lang).sorted.clone()
}

/// The name of a country in `lang` by its alpha-2 code (any case); `None`
/// for a code [`parse_country`] does not accept.
pub fn country_name(lang: Lang, alpha2: &str) -> Option<String> {
    let names = names(lang);
    names.by_code.get(alpha2.to_ascii_uppercase().as_str()).map(|&i| names.sorted[i].1.clone())
}

/// Every country's name in one language, computed once: the select is on
/// every directory form.
struct CountryNames {
    /// (alpha-2, name), in the language's order.
    sorted: Vec<(&'static str, String)>,
    /// alpha-2 → index in `sorted`.
    by_code: HashMap<&'static str, usize>,
}

fn names(lang: Lang) -> &'static CountryNames {
    static EN: OnceLock<CountryNames> = OnceLock::new();
    static ZH_TW: OnceLock<CountryNames> = OnceLock::new();
    let cell = match lang {
        Lang::En => &EN,
        Lang::ZhTw => &ZH_TW,
    };
    cell.get_or_init(|| CountryNames::of(lang))
}

/// The CLDR locale a language's country names and order come from
/// (zh-Hant's default collation is by stroke count).
fn locale_of(lang: Lang) -> Locale {
    match lang {
        Lang::En => locale!("en"),
        Lang::ZhTw => locale!("zh-Hant-TW"),
    }
}

impl CountryNames {
    fn of(lang: Lang) -> Self {
        let locale = locale_of(lang);
        // The codes are the ones `parse_country` accepts (celes' list).
        let mut sorted: Vec<(&'static str, String)> =
            Country::get_countries().iter().map(|c| (c.alpha2, cldr_name(&locale, c.alpha2))).collect();
        // Compiled data: this cannot fail short of a broken build, which the
        // tests catch; code-point order is then better than no list.
        match Collator::try_new((&locale).into(), CollatorOptions::default()) {
            Ok(collator) => sorted.sort_by(|a, b| collator.compare(&a.1, &b.1).then_with(|| a.0.cmp(b.0))),
            Err(_) => sorted.sort_by(|a, b| a.1.cmp(&b.1)),
        }
        let by_code = sorted.iter().enumerate().map(|(i, (code, _))| (*code, i)).collect();
        Self { sorted, by_code }
    }
}

/// CLDR's name for a region in `locale`, or the code itself where CLDR has
/// none (every code in the list has one: see the tests).
fn cldr_name(locale: &Locale, alpha2: &str) -> String {
    Region::try_from_str(alpha2)
        .ok()
        .and_then(|region| RegionDisplayName::try_new_light(locale.into(), region).ok())
        .map_or_else(|| alpha2.to_string(), |name| name.to_string())
}

/// Parses the country: an ISO 3166-1 alpha-2 code from the list.
pub fn parse_country(raw: &str) -> Result<&'static str, String> {
    let v = raw.trim().to_ascii_uppercase();
    if v.is_empty() {
        return Err(t("dir-error-country-missing"));
    }
    if v.len() != 2 {
        return Err(t("dir-error-country-list"));
    }
    Country::from_alpha2(&v).map(|c| c.alpha2).map_err(|_| t("dir-error-country-list"))
}

/// Parses every directory answer, recording every problem.
pub fn parse_directory(
    input: &DirectoryInput,
    deny: &[String],
    ports: &[u16],
    errors: &mut FieldErrors,
) -> Option<DirectoryRequest> {
    let input = &input.normalised();
    let contact = parse_contact(&input.contact, errors);
    let directory_name = errors.check(
        "directory_name",
        required_line(&input.directory_name, NAME_MAX_CHARS, &t("dir-error-name-missing"), &t("dir-name-label")),
    );
    let country = errors.check("country", parse_country(&input.country));
    let landing = if input.landing_page_url.chars().count() > URL_MAX_CHARS {
        errors.add("landing_page_url", ta("dir-error-url-long", &[("max", &super::text::thousands(URL_MAX_CHARS))]));
        None
    } else {
        errors.check(
            "landing_page_url",
            parse_landing_url_on_ports(&input.landing_page_url, deny, ports).map_err(|e| e.message()),
        )
    };
    for ((field, message), ticked) in ATTESTATIONS.iter().zip(input.attestations) {
        if !ticked {
            errors.add(field, t(message));
        }
    }
    if !errors.is_empty() {
        return None;
    }
    Some(DirectoryRequest { contact: contact?, directory_name: directory_name?, country: country?, landing: landing? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::landing_url::{DEFAULT_PORTS, default_deny_list};

    fn input() -> DirectoryInput {
        DirectoryInput {
            contact: ContactInput {
                partner_id: "1234567".into(),
                company_name: "Contoso Learning".into(),
                contact_name: "Ana Silva".into(),
                contact_email: "ana@contoso-learning.com".into(),
                contact_role: "partner_admin".into(),
            },
            directory_name: "Contoso Learning".into(),
            country: "tw".into(),
            landing_page_url: "https://www.contoso-learning.com/microsoft".into(),
            attestations: [true; 3],
        }
    }

    #[test]
    fn a_complete_request_parses() {
        let mut e = FieldErrors::new();
        let got = parse_directory(&input(), &default_deny_list(), &DEFAULT_PORTS, &mut e).expect("valid");
        assert_eq!(got.country, "TW");
        assert!(e.is_empty());
    }

    #[test]
    fn each_missing_attestation_names_its_rule() {
        let mut i = input();
        i.attestations = [false, true, false];
        let mut e = FieldErrors::new();
        assert!(parse_directory(&i, &default_deny_list(), &DEFAULT_PORTS, &mut e).is_none());
        assert_eq!(e.get("attest_about_partner_only"), Some(t(ATTESTATIONS[0].1).as_str()));
        assert_eq!(e.get("attest_no_competitors"), None);
        assert_eq!(e.get("attest_partner_owned"), Some(t(ATTESTATIONS[2].1).as_str()));
    }

    #[test]
    fn countries_come_from_iso_3166() {
        assert_eq!(parse_country("TW"), Ok("TW"));
        assert_eq!(parse_country(""), Err(t("dir-error-country-missing")));
        assert!(parse_country("XX").is_err());
        assert!(parse_country("Taiwan").is_err());
        assert_eq!(country_name(Lang::En, "TW").as_deref(), Some("Taiwan"));
        assert!(countries(Lang::En).len() >= 240);
    }

    #[test]
    fn country_names_are_cldr_s_in_both_languages() {
        for (code, en, zh) in [
            ("US", "United States", "美國"),
            ("GB", "United Kingdom", "英國"),
            ("KR", "South Korea", "南韓"),
            ("CI", "Côte d’Ivoire", "象牙海岸"),
            ("TW", "Taiwan", "台灣"),
        ] {
            assert_eq!(country_name(Lang::En, code).as_deref(), Some(en), "{code}");
            assert_eq!(country_name(Lang::ZhTw, code).as_deref(), Some(zh), "{code}");
        }
        assert_eq!(country_name(Lang::En, "kn").as_deref(), Some("St. Kitts & Nevis"), "any case");
        assert_eq!(country_name(Lang::En, "TL").as_deref(), Some("Timor-Leste"));
        assert_eq!(country_name(Lang::En, "XX"), None);
        assert_eq!(country_name(Lang::ZhTw, ""), None);
    }

    #[test]
    fn every_accepted_code_has_a_name_in_both_languages() {
        let mut accepted = 0;
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let code = String::from_utf8(vec![a, b]).expect("ascii");
                let Ok(parsed) = parse_country(&code) else {
                    assert_eq!(country_name(Lang::En, &code), None, "{code}");
                    continue;
                };
                accepted += 1;
                for lang in Lang::ALL {
                    let name = country_name(lang, parsed).unwrap_or_default();
                    assert!(!name.is_empty() && name != code, "{code} has a {lang:?} name: {name:?}");
                }
            }
        }
        for lang in Lang::ALL {
            assert_eq!(countries(lang).len(), accepted, "the list is the codes the parser accepts");
        }
    }

    fn position(list: &[(&'static str, String)], code: &str) -> usize {
        list.iter().position(|(c, _)| *c == code).expect(code)
    }

    #[test]
    fn the_english_list_is_alphabetical_with_accents_folded() {
        let list = countries(Lang::En);
        let initial = |name: &str| {
            use unicode_normalization::UnicodeNormalization;
            name.nfd().next().map(|c| c.to_ascii_uppercase()).unwrap_or_default()
        };
        for pair in list.windows(2) {
            assert!(initial(&pair[0].1) <= initial(&pair[1].1), "{:?} before {:?}", pair[0], pair[1]);
        }
        assert_eq!(list[0].1, "Afghanistan");
        assert_eq!(list[1].1, "Åland Islands", "Å sorts as A");
        assert_eq!(list[2].1, "Albania");
        let us = position(&list, "US");
        assert!(position(&list, "UG") < us && us < position(&list, "UY"), "United States under U");
        assert!(position(&list, "GB") < us);
        let ci = position(&list, "CI");
        assert!(position(&list, "CR") < ci && ci < position(&list, "HR"), "Côte between Costa Rica and Croatia");
    }

    #[test]
    fn the_chinese_list_is_in_stroke_order() {
        let list = countries(Lang::ZhTw);
        // 日 (4 strokes) < 台 (5) < 美 (9) < 德 (15): not code-point order,
        // where 德 U+5FB7 would come first.
        let order = ["JP", "TW", "US", "DE"].map(|c| position(&list, c));
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        assert!(position(&list, "TR") < position(&list, "CN"), "土耳其 (3) before 中國 (4)");
        assert!(position(&list, "CI") < position(&list, "DE"), "象牙海岸 (12) before 德國 (15)");
        let codepoints = list.windows(2).all(|w| w[0].1 <= w[1].1);
        assert!(!codepoints, "collated, not code-point order");
    }
}
