//! Integration tests: the real app over HTTP, on SQLite by default and on
//! PostgreSQL when `TEST_DATABASE_URL` is set.

mod accounts;
mod batches;
mod case;
mod directory;
mod evidence;
mod hardening;
mod helpers;
mod kpi;
mod landing_check;
mod queue;
mod retriage;
mod site;
mod staff_auth;
mod triage;
