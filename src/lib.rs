//! Frontline: a support-case intake and triage desk for a partner
//! programme's Frontline Support team. The binary (`main.rs`) is a thin CLI
//! over this library, so that tests drive the real application.
//!
//! Dependencies run one way: `web` → `app` → {`domain`, `store`, `checks`};
//! `startup` and `main` wire them together; nothing imports `web`.

pub mod app;
pub mod checks;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod gate;
pub mod i18n;
pub mod keys;
pub mod startup;
pub mod store;
pub mod web;

pub use startup::{AppState, Application, DEFAULT_BODY_LIMIT};
