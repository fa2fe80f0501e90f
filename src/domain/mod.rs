//! The programme's rules, pure: no actix, no diesel, no I/O.

pub mod actions;
pub mod batch;
pub mod calendar;
pub mod case;
pub mod contact;
pub mod directory;
pub mod document;
pub mod errors;
pub mod kpi;
pub mod landing_page;
pub mod landing_url;
pub mod queue;
pub mod rate;
pub mod staff;
pub mod text;
pub mod throttle;
pub mod timeline;
pub mod triage;
