//! "Find my case": a partner who lost the tracking link gives the case
//! reference and their e-mail address; when the pair matches a case, its
//! tracking link is e-mailed to the address on the case. The answer is the
//! same whether or not it matched, and look-ups are rate limited per client
//! address and per reference, so the form can neither confirm a case
//! exists nor flood a partner's mailbox.

use super::Ctx;
use crate::domain::errors::FieldErrors;
use crate::domain::mail::MailKind;
use crate::error::AppError;
use crate::i18n::t;
use crate::store::cases;

/// Longest reference or address looked at.
const MAX_CHARS: usize = 254;

/// The form as typed.
#[derive(Debug, Default, Clone)]
pub struct FindInput {
    /// `reference`.
    pub reference: String,
    /// `email`.
    pub email: String,
}

/// The reference as people type it: spaces gone, full-width forms folded,
/// upper case.
fn normalise_reference(raw: &str) -> String {
    crate::domain::text::fold_width(raw).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase()
}

/// Checks the form; the field errors, or the normalised pair.
pub fn parse(input: &FindInput) -> Result<(String, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let reference = normalise_reference(&input.reference);
    let email = crate::domain::text::fold_width(input.email.trim()).to_lowercase();
    if reference.is_empty() {
        errors.add("reference", t("find-error-reference-missing"));
    } else if reference.chars().count() > MAX_CHARS {
        errors.add("reference", t("find-error-reference-long"));
    }
    if email.is_empty() {
        errors.add("email", t("find-error-email-missing"));
    } else if email.chars().count() > MAX_CHARS || !email.contains('@') {
        errors.add("email", t("find-error-email-format"));
    }
    if errors.is_empty() { Ok((reference, email)) } else { Err(errors) }
}

/// Looks the pair up and, when it matches, queues the tracking link to the
/// case's contact address, in one transaction with the rate-limit counts.
/// `Ok(())` either way; `TooManyRequests` past a limit.
pub async fn find_case(ctx: &Ctx<'_>, reference: String, email: String, address: &str) -> Result<(), AppError> {
    let (now, limit, address) = (ctx.clock.now(), ctx.config.rate_find, address.to_owned());
    let queued = ctx
        .db
        .write(move |conn| {
            super::limits::count_find(conn, limit, &address, &reference, now)?;
            let Some(case) = cases::find_by_reference(conn, &reference)? else { return Ok(false) };
            if !same_address(&case.contact_email, &email) {
                return Ok(false);
            }
            super::mail::queue(conn, MailKind::TrackingLink, Some(case.id), &case.contact_email, None, now)?;
            Ok(true)
        })
        .await?;
    if queued {
        ctx.jobs.notify();
    }
    // Not whether it matched: the log must not answer the question either.
    tracing::info!("find-my-case request handled");
    Ok(())
}

/// The same mailbox: the whole address compared without regard to case.
fn same_address(stored: &str, typed: &str) -> bool {
    stored.trim().to_lowercase() == typed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_taken_as_people_type_them() {
        let input = FindInput {
            reference: " ｋｐｉ－２０２６－０００４２ ".into(), email: " Ana@Contoso.COM ".into()
        };
        assert_eq!(parse(&input), Ok(("KPI-2026-00042".into(), "ana@contoso.com".into())));
        let errors = parse(&FindInput::default()).expect_err("both missing");
        assert!(errors.has("reference") && errors.has("email"));
        assert!(same_address("Ana@Contoso.com", "ana@contoso.com"));
        assert!(!same_address("ana@contoso.com", "ana@contoso.co"));
    }
}
