//! Starts the real application on a free port, on SQLite (a temp file per
//! test) or, when `TEST_DATABASE_URL` is set, on a fresh PostgreSQL database
//! per test; and drives it over HTTP like a browser would.

#![allow(dead_code)]

use std::collections::HashMap;

use diesel::prelude::*;
use frontline::Application;
use frontline::config::Config;
use frontline::store::{DatabaseUrl, Db};

/// A running app and a client with a cookie jar that does not follow redirects.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    /// The app's shared state (for calling library functions directly).
    pub state: frontline::web::AppState,
    /// Where e-mail is written when no SMTP server is set.
    pub mail_dir: std::path::PathBuf,
    _mail: tempfile::TempDir,
    _guard: DbGuard,
}

enum DbGuard {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Postgres { admin_url, name } = self
            && let Ok(mut conn) = diesel::PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn);
        }
    }
}

/// Which backend this run uses.
pub fn backend() -> &'static str {
    if std::env::var("TEST_DATABASE_URL").is_ok() { "postgres" } else { "sqlite" }
}

fn fresh_database() -> (DatabaseUrl, DbGuard) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.trim().is_empty() => {
            let name = format!("frontline_test_{}", frontline::keys::random_hex(8));
            let mut conn =
                diesel::PgConnection::establish(&admin_url).expect("TEST_DATABASE_URL must reach PostgreSQL");
            diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).expect("create test database");
            let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
            url.set_path(&name);
            (DatabaseUrl::Postgres(url.to_string()), DbGuard::Postgres { admin_url, name })
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("frontline.db");
            (DatabaseUrl::Sqlite(path.display().to_string()), DbGuard::Sqlite(dir))
        }
    }
}

/// Starts the app with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app after `tweak` adjusts its settings.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_with_clock(frontline::clock::Clock::system(), tweak).await
}

/// Starts the app on `clock` (pin it to pin "today") after `tweak`.
pub async fn spawn_app_with_clock(clock: frontline::clock::Clock, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let (url, guard) = fresh_database();
    let mut config = Config::defaults(url);
    config.bind = "127.0.0.1:0".into();
    config.workers = 2;
    config.pool_size = 4;
    let mail = tempfile::tempdir().expect("mail dir");
    config.mail.dir = mail.path().join("mail");
    tweak(&mut config);
    let mail_dir = config.mail.dir.clone();
    let app = Application::build_with_clock(config, clock).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.state().db.clone();
    let state = app.state().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client");
    TestApp { address, client, db, state, mail_dir, _mail: mail, _guard: guard }
}

/// The hidden inputs of the first form on a page.
pub fn hidden_inputs(html: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for tag in html.split('<').filter(|t| t.starts_with("input ") && t.contains("type=\"hidden\"")) {
        if let (Some(name), Some(value)) = (attr(tag, "name"), attr(tag, "value")) {
            out.entry(name).or_insert(value);
        }
    }
    out
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(html_unescape(&tag[start..end]))
}

/// Undoes askama's escaping for comparisons.
pub fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Reads a fixture document.
/// `１２３４５６７` for `1234567`: what a Chinese input method in full-width
/// mode sends for letters, digits and punctuation (spaces stay).
pub fn wide(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_graphic() { char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c) } else { c })
        .collect()
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/documents/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The current month and year as the KPI form takes them, and last month.
pub fn this_month() -> (u32, i32) {
    use chrono::Datelike;
    let t = chrono::Utc::now().date_naive();
    (t.month(), t.year())
}

/// A month that is certainly visible already (two months ago).
pub fn visible_month() -> (u32, i32) {
    use chrono::Datelike;
    let d = frontline::domain::calendar::add_months(chrono::Utc::now().date_naive(), -2);
    (d.month(), d.year())
}

/// A valid KPI form.
pub fn kpi_fields() -> Vec<(&'static str, String)> {
    let (m, y) = visible_month();
    vec![
        ("partner_id", "1234567".into()),
        ("company_name", "台灣微軟學習夥伴有限公司".into()),
        ("contact_name", "陳小明".into()),
        ("contact_email", "chen@partner.com.tw".into()),
        ("contact_role", "partner_admin".into()),
        ("month", m.to_string()),
        ("year", y.to_string()),
        ("omlp_type", "moc".into()),
        ("purchase_unit", "25".into()),
        ("invoice_number", "INV-2026-0423".into()),
        ("kpi_value", "12.5".into()),
        ("revenue_value", "1,250.50".into()),
        ("revenue_currency", "USD".into()),
        ("document_type", "invoice".into()),
        ("anniversary_date", "".into()),
        ("description", "儀表板顯示 0，合作夥伴中心顯示 25。".into()),
    ]
}

/// A valid directory form.
pub fn directory_fields() -> Vec<(&'static str, String)> {
    vec![
        ("partner_id", "7654321".into()),
        ("company_name", "Contoso Learning".into()),
        ("contact_name", "Ana Silva".into()),
        ("contact_email", "ana@contoso-learning.com".into()),
        ("contact_role", "account_admin".into()),
        ("directory_name", "Contoso Learning".into()),
        ("country", "TW".into()),
        ("landing_page_url", "https://www.contoso-learning.com/microsoft-training".into()),
        ("attest_about_partner_only", "on".into()),
        ("attest_no_competitors", "on".into()),
        ("attest_partner_owned", "on".into()),
    ]
}

/// Sets (or with `None` removes) a field.
pub fn with(
    mut fields: Vec<(&'static str, String)>,
    name: &'static str,
    value: Option<&str>,
) -> Vec<(&'static str, String)> {
    fields.retain(|(n, _)| *n != name);
    if let Some(v) = value {
        fields.push((name, v.to_string()));
    }
    fields
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.text().await.expect("body"))
    }

    /// Fetches a form page and returns its hidden inputs.
    pub async fn form_keys(&self, path: &str) -> HashMap<String, String> {
        let (status, html) = self.get_html(path).await;
        assert_eq!(status, 200, "{path}");
        hidden_inputs(&html)
    }

    /// Posts the KPI form (multipart) with the hidden fields of a fresh form.
    pub async fn post_kpi(
        &self,
        fields: &[(&'static str, String)],
        file: Option<(&str, Vec<u8>)>,
    ) -> reqwest::Response {
        let keys = self.form_keys("/cases/kpi/new").await;
        self.post_kpi_with_keys(&keys, fields, file).await
    }

    pub async fn post_kpi_with_keys(
        &self,
        keys: &HashMap<String, String>,
        fields: &[(&'static str, String)],
        file: Option<(&str, Vec<u8>)>,
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in keys {
            form = form.text(k.clone(), v.clone());
        }
        for (k, v) in fields {
            form = form.text(*k, v.clone());
        }
        if let Some((name, bytes)) = file {
            let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
            form = form.part("invoice_file", part);
        }
        self.client.post(self.url("/cases/kpi")).multipart(form).send().await.expect("POST /cases/kpi")
    }

    /// Posts the directory form with the hidden fields of a fresh form.
    pub async fn post_directory(&self, fields: &[(&'static str, String)]) -> reqwest::Response {
        let keys = self.form_keys("/cases/directory/new").await;
        self.post_directory_with_keys(&keys, fields).await
    }

    pub async fn post_directory_with_keys(
        &self,
        keys: &HashMap<String, String>,
        fields: &[(&'static str, String)],
    ) -> reqwest::Response {
        let mut body: Vec<(String, String)> = keys.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.clone())));
        self.client.post(self.url("/cases/directory")).form(&body).send().await.expect("POST /cases/directory")
    }

    /// How many cases are stored.
    pub async fn case_count(&self) -> i64 {
        self.db.read(|conn| Ok(frontline::store::cases::count(conn)?)).await.expect("count")
    }

    /// A stored case by reference.
    pub async fn case(&self, reference: &str) -> frontline::store::cases::CaseRow {
        let r = reference.to_string();
        self.db
            .read(move |conn| Ok(frontline::store::cases::find_by_reference(conn, &r)?))
            .await
            .expect("query")
            .expect("case exists")
    }
}

/// The Location header of a redirect.
pub fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// The case reference shown on a page (KPI-… or DIR-…).
pub fn reference_in(html: &str) -> Option<String> {
    for prefix in ["KPI-", "DIR-"] {
        if let Some(i) = html.find(prefix) {
            let r: String = html[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            if r.len() > 9 {
                return Some(r);
            }
        }
    }
    None
}

/// A staff password that meets the policy.
pub const STAFF_PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// Creates a staff account directly (as `frontline staff create` does).
    pub async fn create_staff(&self, email: &str, name: &str, role: &str) -> i64 {
        let new = frontline::app::accounts::NewAccount { email, name, role, password: STAFF_PASSWORD };
        frontline::app::accounts::create(&self.db, &self.state.clock, &self.state.gates.passwords, new)
            .await
            .expect("create staff")
    }

    /// Posts the sign-in form with a fresh form's hidden inputs.
    pub async fn post_login(&self, email: &str, password: &str) -> reqwest::Response {
        let keys = self.form_keys("/staff/login").await;
        let mut body: Vec<(String, String)> = keys.into_iter().collect();
        body.push(("email".into(), email.into()));
        body.push(("password".into(), password.into()));
        self.client.post(self.url("/staff/login")).form(&body).send().await.expect("POST /staff/login")
    }

    /// Creates an agent and signs in as them; returns the account id.
    pub async fn sign_in_as(&self, email: &str, role: &str) -> i64 {
        let id = self.create_staff(email, &format!("Staff {email}"), role).await;
        let r = self.post_login(email, STAFF_PASSWORD).await;
        assert_eq!(r.status().as_u16(), 303, "sign-in works");
        id
    }

    /// A fresh client without cookies, for a second user.
    pub fn second_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("client")
    }
}
