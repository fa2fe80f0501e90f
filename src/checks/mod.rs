//! Adapters that look outside the request: the attached document and the
//! landing page.

pub mod document;
pub mod landing;
pub mod pdf;
