//! Integration tests: the real app over HTTP, on SQLite by default and on
//! PostgreSQL when `TEST_DATABASE_URL` is set.

mod accounts;
mod batches;
mod browser;
mod case;
mod conversation;
mod directory;
mod evidence;
mod find;
mod hardening;
mod helpers;
mod kpi;
mod landing_check;
mod language;
mod mail;
mod queue;
mod retention;
mod retriage;
mod site;
mod smtp;
mod staff_auth;
mod staff_language;
mod track_language;
mod triage;
