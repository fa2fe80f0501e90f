//! The programme's rules, pure: parsing the forms, the calendar and timing
//! rules, triage, case statuses and actions, batches, what a document and a
//! landing page must be. No actix, no diesel, no I/O; uses nothing else in
//! the crate.

pub mod actions;
pub mod batch;
pub mod calendar;
pub mod case;
pub mod contact;
pub mod directory;
pub mod document;
pub mod errors;
pub mod invoice_facts;
pub mod kpi;
pub mod landing_page;
pub mod landing_url;
pub mod mail;
pub mod queue;
pub mod rate;
pub mod retention;
pub mod staff;
pub mod text;
pub mod throttle;
pub mod timeline;
pub mod triage;
