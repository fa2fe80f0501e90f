//! One-time messages after a POST-redirect-GET (UX §13): a short-lived,
//! HttpOnly, SameSite=Strict cookie scoped to the page the redirect goes to,
//! read once and removed by that page's response.
//!
//! A cookie rather than a query flag: a query flag survives reloads,
//! bookmarks and shared links, so the message would be shown again; the
//! cookie carries only a code from [`Flash`], never text, and expires within
//! a minute even if the page never takes it.

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{HttpRequest, HttpResponse};

/// The cookie's name.
pub const FLASH_COOKIE: &str = "frontline_flash";

/// How long an unread flash lives.
const FLASH_SECONDS: i64 = 60;

/// The messages a flash can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    /// Claim next found nothing (neutral banner).
    NothingToClaim,
    /// Claim next assigned a case (success banner).
    Claimed,
}

impl Flash {
    fn code(self) -> &'static str {
        match self {
            Self::NothingToClaim => "nothing_to_claim",
            Self::Claimed => "claimed",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        match code {
            "nothing_to_claim" => Some(Self::NothingToClaim),
            "claimed" => Some(Self::Claimed),
            _ => None,
        }
    }

    /// The banner's one line.
    pub fn message(self) -> &'static str {
        match self {
            Self::NothingToClaim => "There are no unassigned open cases",
            Self::Claimed => "Case assigned to you",
        }
    }

    /// True for a success banner (title "Success"); otherwise neutral ("Important").
    pub fn is_success(self) -> bool {
        matches!(self, Self::Claimed)
    }
}

/// A 303 to `location` that leaves `flash` for the page at `path`.
pub fn redirect_with(location: &str, path: &str, flash: Flash) -> HttpResponse {
    let cookie = Cookie::build(FLASH_COOKIE, flash.code())
        .path(path.to_string())
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(Duration::seconds(FLASH_SECONDS))
        .finish();
    HttpResponse::SeeOther().cookie(cookie).insert_header((actix_web::http::header::LOCATION, location)).finish()
}

/// The flash left for this request's page, if any. Call [`clear`] on the
/// response when it is `Some`.
pub fn take(req: &HttpRequest) -> Option<Flash> {
    req.cookie(FLASH_COOKIE).and_then(|c| Flash::parse(c.value()))
}

/// Removes the flash cookie for `path` (so it is shown once).
pub fn clear(res: &mut HttpResponse, path: &str) {
    let mut gone = Cookie::build(FLASH_COOKIE, "").path(path.to_string()).finish();
    gone.make_removal();
    if let Err(e) = res.add_cookie(&gone) {
        tracing::warn!(error = %e, "could not clear the flash cookie");
    }
}
