//! The directory listing request: the name to show, the country, and the
//! landing page with the three rules it must meet.

use celes::{Country, LookupTable};

use super::contact::{Contact, ContactInput, NAME_MAX_CHARS, parse_contact};
use super::errors::FieldErrors;
use super::landing_url::{LandingUrl, parse_landing_url_on_ports};
use super::text::required_line;

/// Longest landing page URL we keep.
pub const URL_MAX_CHARS: usize = 2000;

/// The three landing-page rules a partner attests to, in page order:
/// (field name, message when unticked).
pub const ATTESTATIONS: [(&str, &str); 3] = [
    ("attest_about_partner_only", "Confirm that the landing page is only about your organisation"),
    ("attest_no_competitors", "Confirm that the landing page shows no competitors"),
    ("attest_partner_owned", "Confirm that your organisation owns the landing page"),
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
            landing_page_url: f(&self.landing_page_url),
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

/// A country for the select: (alpha-2 code, name), sorted by name.
pub fn countries() -> Vec<(&'static str, String)> {
    let mut all: Vec<(&'static str, String)> =
        Country::get_countries().iter().map(|c| (c.alpha2, country_name_of(c))).collect();
    all.sort_by(|a, b| a.1.cmp(&b.1));
    all
}

fn country_name_of(c: &Country) -> String {
    // celes' long names are official ("Taiwan, Republic Of China"); its first
    // alias, where there is one in Latin letters, is the everyday name.
    match c.aliases.iter().next() {
        Some(alias) if alias.is_ascii() && alias.len() < c.long_name.len() => (*alias).to_string(),
        _ => c.long_name.to_string(),
    }
}

/// The name of a country by its alpha-2 code.
pub fn country_name(alpha2: &str) -> Option<String> {
    Country::from_alpha2(alpha2).ok().map(|c| country_name_of(&c))
}

/// Parses the country: an ISO 3166-1 alpha-2 code from the list.
pub fn parse_country(raw: &str) -> Result<&'static str, String> {
    let v = raw.trim().to_ascii_uppercase();
    if v.is_empty() {
        return Err("Select a country".into());
    }
    if v.len() != 2 {
        return Err("Select a country from the list".into());
    }
    Country::from_alpha2(&v).map(|c| c.alpha2).map_err(|_| "Select a country from the list".into())
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
        required_line(
            &input.directory_name,
            NAME_MAX_CHARS,
            "Enter the name to show in the directory",
            "Name on the directory",
        ),
    );
    let country = errors.check("country", parse_country(&input.country));
    let landing = if input.landing_page_url.chars().count() > URL_MAX_CHARS {
        errors.add(
            "landing_page_url",
            format!("Landing page URL must be {} characters or less", super::text::thousands(URL_MAX_CHARS)),
        );
        None
    } else {
        errors.check(
            "landing_page_url",
            parse_landing_url_on_ports(&input.landing_page_url, deny, ports).map_err(|e| e.message()),
        )
    };
    for ((field, message), ticked) in ATTESTATIONS.iter().zip(input.attestations) {
        if !ticked {
            errors.add(field, *message);
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
        assert_eq!(e.get("attest_about_partner_only"), Some(ATTESTATIONS[0].1));
        assert_eq!(e.get("attest_no_competitors"), None);
        assert_eq!(e.get("attest_partner_owned"), Some(ATTESTATIONS[2].1));
    }

    #[test]
    fn countries_come_from_iso_3166() {
        assert_eq!(parse_country("TW"), Ok("TW"));
        assert_eq!(parse_country(""), Err("Select a country".into()));
        assert!(parse_country("XX").is_err());
        assert!(parse_country("Taiwan").is_err());
        assert_eq!(country_name("TW").as_deref(), Some("Taiwan"));
        assert!(countries().len() >= 240);
    }
}
