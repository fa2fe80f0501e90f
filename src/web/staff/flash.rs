//! One-time success banners after POST-redirect-GET (UX §13).
//!
//! The POST handler redirects with a short cookie naming *what happened*
//! (a code plus a parameter, e.g. `batch-submitted:2026-12`), never free
//! text; the page it lands on turns the code into its own words, shows the
//! banner once and removes the cookie. A forged cookie can only pick one of
//! our own messages.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use crate::web::AppState;

/// The cookie's name.
pub const FLASH_COOKIE: &str = "frontline_staff_flash";

/// Longest value we accept back.
const MAX_LEN: usize = 200;

/// 303 to `location`, carrying the one-time flash `code`.
pub fn redirect(state: &AppState, location: &str, code: &str) -> HttpResponse {
    let cookie = Cookie::build(FLASH_COOKIE, code.to_string())
        .path("/staff")
        .http_only(true)
        .secure(state.config.secure_cookies)
        .same_site(SameSite::Strict)
        .finish();
    HttpResponse::SeeOther().cookie(cookie).insert_header((header::LOCATION, location)).finish()
}

/// The flash code of this request, if any: `(code, parameter)`.
pub fn take(req: &HttpRequest) -> Option<(String, String)> {
    let raw = req.cookie(FLASH_COOKIE)?.value().to_string();
    if raw.is_empty() || raw.len() > MAX_LEN {
        return None;
    }
    match raw.split_once(':') {
        Some((code, param)) => Some((code.to_string(), param.to_string())),
        None => Some((raw, String::new())),
    }
}

/// Removes the flash cookie on `res` (after the banner was shown once).
pub fn clear(req: &HttpRequest, res: &mut HttpResponse) {
    if req.cookie(FLASH_COOKIE).is_some() {
        let mut gone = Cookie::build(FLASH_COOKIE, "").path("/staff").finish();
        gone.make_removal();
        if let Err(e) = res.add_cookie(&gone) {
            tracing::warn!(error = %e, "could not clear the flash cookie");
        }
    }
}
