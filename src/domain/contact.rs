//! The contact block both forms share: who files, for which partner.

use crate::i18n::t;
use validator::ValidateEmail;

use super::errors::FieldErrors;
use super::text::required_line;

/// Longest company or person name we keep.
pub const NAME_MAX_CHARS: usize = 200;
/// Longest e-mail address (RFC 5321 path limit).
pub const EMAIL_MAX_CHARS: usize = 254;
/// Partner IDs are 6 to 10 digits.
pub const PARTNER_ID_DIGITS: std::ops::RangeInclusive<usize> = 6..=10;

/// The filer's role. Only these two may file (the programme's "appropriate roles").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactRole {
    /// MPN partner admin.
    PartnerAdmin,
    /// MPN account admin.
    AccountAdmin,
}

impl ContactRole {
    /// The form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PartnerAdmin => "partner_admin",
            Self::AccountAdmin => "account_admin",
        }
    }

    /// The id of the role's name in the message files (the forms use it too).
    pub fn message_id(self) -> &'static str {
        match self {
            Self::PartnerAdmin => "form-role-partner-admin",
            Self::AccountAdmin => "form-role-account-admin",
        }
    }

    /// The role's English name (for logs and staff's English).
    pub fn label(self) -> &'static str {
        match self {
            Self::PartnerAdmin => "MPN partner admin",
            Self::AccountAdmin => "MPN account admin",
        }
    }

    /// Parses a stored or submitted value.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "partner_admin" => Some(Self::PartnerAdmin),
            "account_admin" => Some(Self::AccountAdmin),
            _ => None,
        }
    }
}

/// Raw contact answers, as typed.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    /// MPN / Partner ID.
    pub partner_id: String,
    /// Company name.
    pub company_name: String,
    /// Filer's full name.
    pub contact_name: String,
    /// Filer's e-mail.
    pub contact_email: String,
    /// Filer's role.
    pub contact_role: String,
}

impl ContactInput {
    /// The answers with invisible formatting characters removed (every field
    /// here is one line).
    pub fn normalised(&self) -> Self {
        use super::text::{fold_width, fold_width_in_name, strip_format_controls as f};
        Self {
            partner_id: fold_width(&f(&self.partner_id)),
            company_name: fold_width_in_name(&f(&self.company_name)),
            contact_name: fold_width_in_name(&f(&self.contact_name)),
            contact_email: fold_width(&f(&self.contact_email)),
            contact_role: f(&self.contact_role),
        }
    }
}

/// A validated contact block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Digits only.
    pub partner_id: String,
    /// Trimmed, bounded.
    pub company_name: String,
    /// Trimmed, bounded.
    pub contact_name: String,
    /// Lower-cased domain part.
    pub contact_email: String,
    /// One of the two roles allowed to file.
    pub contact_role: ContactRole,
}

impl Contact {
    /// The registrable domain of the contact's e-mail, if any.
    pub fn email_domain(&self) -> Option<&str> {
        self.contact_email.rsplit_once('@').map(|(_, d)| d)
    }
}

/// Parses the MPN / Partner ID: spaces and hyphens are noise.
pub fn parse_partner_id(raw: &str) -> Result<String, String> {
    let v: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if v.is_empty() {
        return Err(t("contact-error-partner-id-missing"));
    }
    if !v.chars().all(|c| c.is_ascii_digit()) {
        return Err(t("contact-error-partner-id-digits"));
    }
    if !PARTNER_ID_DIGITS.contains(&v.len()) {
        return Err(t("contact-error-partner-id-length"));
    }
    Ok(v)
}

/// Parses an e-mail address; the domain part is lower-cased.
pub fn parse_email(raw: &str) -> Result<String, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(t("contact-error-email-missing"));
    }
    let format = || t("contact-error-email-format");
    let Some((local, domain)) = v.rsplit_once('@') else {
        return Err(format());
    };
    // Internationalised addresses (RFC 6531): check the domain in its ASCII
    // form and a non-ASCII local part by the characters it may not hold;
    // everything else goes through `validator`'s check.
    let ascii_domain = idna::domain_to_ascii(domain).map_err(|_| format())?;
    let local_for_check =
        if local.is_ascii() { local.to_string() } else { unicode_local_stand_in(local).ok_or_else(format)? };
    let candidate = format!("{local_for_check}@{ascii_domain}");
    if v.chars().count() > EMAIL_MAX_CHARS || !candidate.validate_email() {
        return Err(format());
    }
    // A domain needs a dot: "name@localhost" is no address a partner has.
    if !domain.contains('.') {
        return Err(format());
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

/// A non-ASCII local part is fine if it has no spaces, controls or
/// specials; `validator` then checks an ASCII stand-in of the same shape.
fn unicode_local_stand_in(local: &str) -> Option<String> {
    let ok = !local.is_empty()
        && local.chars().count() <= 64
        && local.chars().all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c));
    ok.then(|| local.chars().map(|c| if c.is_ascii() { c } else { 'u' }).collect())
}

/// Parses the role; anything but the two filing roles is refused with a
/// message that says who may file.
pub fn parse_role(raw: &str) -> Result<ContactRole, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(t("contact-error-role-missing"));
    }
    ContactRole::parse(v).ok_or_else(|| t("contact-error-role-other"))
}

/// Parses the whole block, recording every problem in `errors`.
pub fn parse_contact(input: &ContactInput, errors: &mut FieldErrors) -> Option<Contact> {
    let input = &input.normalised();
    let partner_id = errors.check("partner_id", parse_partner_id(&input.partner_id));
    let company_name = errors.check(
        "company_name",
        required_line(
            &input.company_name,
            NAME_MAX_CHARS,
            &t("contact-error-company-missing"),
            &t("form-company-name"),
        ),
    );
    let contact_name = errors.check(
        "contact_name",
        required_line(&input.contact_name, NAME_MAX_CHARS, &t("contact-error-name-missing"), &t("form-contact-name")),
    );
    let contact_email = errors.check("contact_email", parse_email(&input.contact_email));
    let contact_role = errors.check("contact_role", parse_role(&input.contact_role));
    Some(Contact {
        partner_id: partner_id?,
        company_name: company_name?,
        contact_name: contact_name?,
        contact_email: contact_email?,
        contact_role: contact_role?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_ids_are_six_to_ten_digits_with_noise_removed() {
        let cases = [
            ("123456", Ok("123456".to_string()), "six digits"),
            ("12-34 5678", Ok("12345678".to_string()), "hyphens and spaces are noise"),
            ("1234567890", Ok("1234567890".to_string()), "ten digits"),
            ("", Err("Enter your MPN / Partner ID".to_string()), "empty"),
            ("12345", Err("MPN / Partner ID must be between 6 and 10 digits".to_string()), "five digits"),
            ("12345678901", Err("MPN / Partner ID must be between 6 and 10 digits".to_string()), "eleven"),
            ("12345a", Err("MPN / Partner ID must only include numbers 0 to 9".to_string()), "a letter"),
            ("１２３４５６", Err("MPN / Partner ID must only include numbers 0 to 9".to_string()), "full-width digits"),
        ];
        for (raw, want, why) in cases {
            assert_eq!(parse_partner_id(raw), want, "{why}");
        }
    }

    #[test]
    fn roles_other_than_the_two_admins_are_refused_with_who_may_file() {
        assert_eq!(parse_role("partner_admin"), Ok(ContactRole::PartnerAdmin));
        assert_eq!(parse_role("account_admin"), Ok(ContactRole::AccountAdmin));
        assert_eq!(parse_role(""), Err(t("contact-error-role-missing")));
        let refused = parse_role("other").unwrap_err();
        assert!(refused.contains("Only MPN partner admins and MPN account admins"));
        assert!(parse_role("global_admin").is_err());
    }

    #[test]
    fn emails_need_a_real_format() {
        assert_eq!(parse_email(" Ana@Example.COM "), Ok("Ana@example.com".into()));
        assert!(parse_email("王@例子.台灣").is_ok(), "IDN addresses are fine");
        for bad in ["ana", "ana@", "@example.com", "ana@localhost", "a b@example.com"] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_email(""), Err(t("contact-error-email-missing")));
    }

    #[test]
    fn the_whole_block_reports_every_field() {
        let mut errors = FieldErrors::new();
        let got = parse_contact(&ContactInput::default(), &mut errors);
        assert!(got.is_none());
        for f in ["partner_id", "company_name", "contact_name", "contact_email", "contact_role"] {
            assert!(errors.has(f), "{f}");
        }
        let mut errors = FieldErrors::new();
        let ok = parse_contact(
            &ContactInput {
                partner_id: "1234567".into(),
                company_name: " 台灣微軟學習夥伴有限公司 ".into(),
                contact_name: "陳 小明".into(),
                contact_email: "chen@partner.com.tw".into(),
                contact_role: "account_admin".into(),
            },
            &mut errors,
        );
        assert!(errors.is_empty());
        assert_eq!(ok.map(|c| c.company_name), Some("台灣微軟學習夥伴有限公司".into()));
    }
}
