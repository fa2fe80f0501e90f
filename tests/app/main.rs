//! Integration tests: the real app over HTTP, on SQLite by default and on
//! PostgreSQL when `TEST_DATABASE_URL` is set.

mod directory;
mod helpers;
mod kpi;
mod landing_check;
mod retriage;
mod site;
