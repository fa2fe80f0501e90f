//! Adapters that look outside the request: reading an uploaded document's
//! bytes (type, readability, text) and fetching a landing page safely.
//! They extract; the rules that judge what they extract are in `domain`.
//! Uses `domain`; never `store`, `app` or `web`.

pub mod document;
pub mod landing;
pub mod page_text;
pub mod pdf;
