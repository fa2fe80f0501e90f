//! `frontline-bench queue`: the staff queue page (`GET /staff/queue`) of the
//! release `frontline` binary over a database seeded with many cases.
//!
//! Not a test: it creates a fresh database (SQLite temp file or a fresh
//! PostgreSQL database), creates a staff account with the CLI, seeds
//! `--cases` cases through the library, starts the server, signs in, and
//! drives five queue views at a fixed concurrency, reporting throughput,
//! latency, errors and the server's peak RSS as a Markdown table. See
//! `benches/README.md` ("Queue page at 100,000 cases").
//!
//! ```sh
//! cargo build --release
//! cargo bench --bench queue -- --backend both
//! ```

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Datelike, Duration as Days};
use clap::{Parser, ValueEnum};
use diesel::{Connection, RunQueryDsl};
use frontline::store::{DatabaseUrl, Db};

const DEFAULT_SERVER: &str = env!("CARGO_BIN_EXE_frontline");
const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "a long passphrase 123";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendSel {
    Sqlite,
    Postgres,
    Both,
}

/// Seeds a database with many cases and measures `GET /staff/queue`.
#[derive(Debug, Parser)]
#[command(name = "frontline-bench-queue")]
struct Args {
    /// The server binary (build it first with `cargo build --release`).
    #[arg(long, default_value = DEFAULT_SERVER)]
    server: PathBuf,
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: BackendSel,
    /// Cases to seed.
    #[arg(long, default_value_t = 100_000)]
    cases: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Timed requests per scenario.
    #[arg(long, default_value_t = 2_000)]
    requests: usize,
    /// Upper bound on each scenario's timed window, in seconds: a scenario
    /// stops at whichever of --requests and --duration comes first.
    #[arg(long, default_value_t = 60.0)]
    duration: f64,
    /// Untimed requests per scenario, sent first.
    #[arg(long, default_value_t = 100)]
    warmup: usize,
    /// Only run scenarios whose name contains this.
    #[arg(long)]
    only: Option<String>,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pg_admin_url: String,
    /// Client runtime threads (default: one per core).
    #[arg(long)]
    client_threads: Option<usize>,
    /// Keep the server's log here (suffixed with the backend).
    #[arg(long)]
    keep_log: Option<PathBuf>,
    /// Copy the seeded SQLite database here at the end (to look at query
    /// plans with `sqlite3 FILE 'EXPLAIN QUERY PLAN …'`).
    #[arg(long)]
    keep_db: Option<PathBuf>,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        args.server.is_file(),
        "no server binary at {}: run `cargo build --release`",
        args.server.display()
    );
    println!("{}", machine_notes());
    let backends: &[&str] = match args.backend {
        BackendSel::Sqlite => &["SQLite"],
        BackendSel::Postgres => &["PostgreSQL"],
        BackendSel::Both => &["SQLite", "PostgreSQL"],
    };
    let mut rows = Vec::new();
    for b in backends {
        rows.extend(run_backend(&args, b)?);
    }
    println!(
        "\n| backend | scenario | path | ok / sent | errors | req/s | p50 | p90 | p99 | max | server CPU (cores) | peak RSS |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!("{r}");
    }
    println!("\n{}", machine_notes());
    Ok(())
}

fn machine_notes() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("machine: {cores} cores; load average {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

fn block_on<F: std::future::Future>(f: F) -> Result<F::Output> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(f))
}

// ---------------------------------------------------------------------------------------------
// Database: fresh, staff account, seed

enum DbGuard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
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

fn fresh_database(backend: &str, admin_url: &str) -> Result<(String, DbGuard)> {
    if backend == "SQLite" {
        let dir = tempfile::Builder::new().prefix("frontline-qbench-").tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("frontline.db").display());
        return Ok((url, DbGuard::Sqlite(dir)));
    }
    let name = format!("frontline_qbench_{}", frontline::keys::random_hex(6));
    let mut conn = diesel::PgConnection::establish(admin_url).with_context(|| format!("connecting to {admin_url}"))?;
    diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn)?;
    let mut url = url::Url::parse(admin_url)?;
    url.set_path(&name);
    Ok((url.to_string(), DbGuard::Postgres { admin_url: admin_url.into(), name }))
}

fn create_staff(server: &PathBuf, db_url: &str) -> Result<()> {
    let mut child = Command::new(server)
        .args(["staff", "create", "--email", EMAIL, "--name", "Bench", "--role", "agent", "--database-url", db_url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child.stdin.take().ok_or_else(|| anyhow!("no stdin"))?.write_all(format!("{PASSWORD}\n").as_bytes())?;
    let out = child.wait_with_output()?;
    anyhow::ensure!(out.status.success(), "staff create failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

/// Deterministic pseudo-random numbers (SplitMix64), so every run seeds the same data.
fn mix(i: u64, salt: u64) -> u64 {
    let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(salt.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<'a>(r: u64, weighted: &[(&'a str, u64)]) -> &'a str {
    let total: u64 = weighted.iter().map(|w| w.1).sum();
    let mut x = r % total;
    for (v, w) in weighted {
        if x < *w {
            return v;
        }
        x -= w;
    }
    weighted[0].0
}

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn opt(s: Option<String>) -> String {
    s.map(|s| q(&s)).unwrap_or_else(|| "NULL".into())
}

const COLUMNS: &str = "reference, kind, status, version, tracking_hash, idempotency_key, partner_id, company_name, \
    contact_name, contact_email, contact_role, priority, priority_reason, guidance, due_date, assignee_id, search_text, \
    created_at, updated_at, closed_at, kpi_month, kpi_year, omlp_type, purchase_unit, invoice_number, \
    invoice_number_norm, kpi_value, revenue_minor, revenue_currency, document_type, evidence, directory_name, \
    country, landing_page_url";

/// One `VALUES (…)` tuple for case number `i` (its id will be `i`: fresh table).
fn case_values(i: u64, staff_id: i64, now: chrono::NaiveDateTime) -> String {
    let kind = if mix(i, 1).is_multiple_of(2) { "kpi" } else { "directory" };
    let status = pick(
        mix(i, 2),
        &[
            ("open", 40),
            ("in_review", 20),
            ("waiting_on_partner", 15),
            ("approved", 3),
            ("submitted", 2),
            ("resolved", 12),
            ("rejected", 5),
            ("duplicate", 3),
        ],
    );
    let closed = matches!(status, "resolved" | "rejected" | "duplicate" | "published");
    let priority = pick(mix(i, 3), &[("1", 5), ("2", 20), ("3", 50), ("4", 25)]);
    let today = now.date();
    let created = now - Days::seconds((mix(i, 4) % (90 * 86_400)) as i64);
    let due = today + Days::days((mix(i, 5) % 61) as i64 - 30);
    let assignee = if status != "open" && mix(i, 6).is_multiple_of(2) { staff_id.to_string() } else { "NULL".into() };
    let n = i % 10_000;
    let partner_id = format!("{}", 1_000_000 + i % 20_000);
    let company = format!("Company {n}");
    let email = format!("contact{n}@company{n}.example.com");
    let filed = created.date();
    let reference = format!("{}-{}-{:05}", if kind == "kpi" { "KPI" } else { "DIR" }, filed.year(), i);
    let (invoice, norm, directory, country, landing) = if kind == "kpi" {
        (Some(format!("INV-{}-{i:06}", filed.year())), Some(format!("INV{}{i:06}", filed.year())), None, None, None)
    } else {
        let c = ["TW", "DE", "US", "BR", "JP", "FR"][(mix(i, 7) % 6) as usize];
        (
            None,
            None,
            Some(format!("Company {n} Learning")),
            Some(c.to_string()),
            Some(format!("https://www.company{n}.example.com/training")),
        )
    };
    let search = [
        Some(reference.as_str()),
        Some(&partner_id),
        Some(&company),
        Some(&email),
        invoice.as_deref(),
        norm.as_deref(),
        directory.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\u{1f}")
    .to_lowercase();
    let ts = |t: chrono::NaiveDateTime| q(&t.format("%Y-%m-%d %H:%M:%S").to_string());
    let is_kpi = kind == "kpi";
    let km = (filed - Days::days(60)).month();
    let ky = (filed - Days::days(60)).year();
    format!(
        "({}, '{kind}', '{status}', 1, '{:016x}{i:048x}', 'bench-{i}', {}, {}, 'Ana Silva', {}, 'partner_admin', {priority}, \
         'bench', '', '{}', {assignee}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        q(&reference),
        mix(i, 8),
        q(&partner_id),
        q(&company),
        q(&email),
        due.format("%Y-%m-%d"),
        q(&search),
        ts(created),
        ts(created),
        if closed { ts(created) } else { "NULL".into() },
        if is_kpi { km.to_string() } else { "NULL".into() },
        if is_kpi { ky.to_string() } else { "NULL".into() },
        if is_kpi { "'moc'" } else { "NULL" },
        if is_kpi { "25" } else { "NULL" },
        opt(invoice),
        opt(norm),
        if is_kpi { "'12.5'" } else { "NULL" },
        if is_kpi { "125050" } else { "NULL" },
        if is_kpi { "'USD'" } else { "NULL" },
        if is_kpi { "'invoice'" } else { "NULL" },
        if is_kpi { "'text_matched'" } else { "NULL" },
        opt(directory),
        opt(country),
        opt(landing),
    )
}

#[derive(diesel::QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// Seeds `n` cases (and a flag on ~8 % of them) in write transactions of
/// 5 000 rows, 500 rows per INSERT. Returns the seconds it took.
fn seed(db_url: &str, n: usize) -> Result<f64> {
    let t = Instant::now();
    let db = Db::connect(DatabaseUrl::parse(db_url).map_err(|e| anyhow!(e))?, 2)?;
    let rt = actix_web::rt::System::new();
    let staff_id = rt
        .block_on(
            db.read(|c| Ok(diesel::sql_query("SELECT id FROM staff ORDER BY id LIMIT 1").get_result::<IdRow>(c)?)),
        )
        .map_err(|e| anyhow!("{e}"))?
        .id;
    let now = chrono::Utc::now().naive_utc();
    let mut next = 1u64;
    while next <= n as u64 {
        let end = (next + 5_000).min(n as u64 + 1);
        let first = next;
        rt.block_on(db.write(move |conn| {
            let mut i = first;
            while i < end {
                let stop = (i + 500).min(end);
                let values: Vec<String> = (i..stop).map(|k| case_values(k, staff_id, now)).collect();
                diesel::sql_query(format!("INSERT INTO cases ({COLUMNS}) VALUES {}", values.join(",\n")))
                    .execute(conn)?;
                let flags: Vec<String> = (i..stop)
                    .filter(|k| mix(*k, 9) % 100 < 8)
                    .map(|k| {
                        let code = ["check_evidence", "possible_duplicate", "too_early"][(mix(k, 10) % 3) as usize];
                        format!(
                            "({k}, '{code}', 'bench', 'triage', {})",
                            q(&now.format("%Y-%m-%d %H:%M:%S").to_string())
                        )
                    })
                    .collect();
                if !flags.is_empty() {
                    diesel::sql_query(format!(
                        "INSERT INTO case_flags (case_id, code, reason, source, created_at) VALUES {}",
                        flags.join(",")
                    ))
                    .execute(conn)?;
                }
                i = stop;
            }
            Ok(())
        }))
        .map_err(|e| anyhow!("seeding: {e}"))?;
        next = end;
    }
    if !db_url.starts_with("sqlite") {
        // What autovacuum would do within a minute of such a load.
        rt.block_on(db.read(|c| Ok(diesel::sql_query("ANALYZE").execute(c)?))).map_err(|e| anyhow!("{e}"))?;
    }
    Ok(t.elapsed().as_secs_f64())
}

// ---------------------------------------------------------------------------------------------
// The server

struct Server {
    child: Child,
    base: String,
    log_path: PathBuf,
    _log_dir: tempfile::TempDir,
}

impl Server {
    fn start(server: &PathBuf, db_url: &str) -> Result<Self> {
        let log_dir = tempfile::Builder::new().prefix("frontline-qbench-log-").tempdir()?;
        let log_path = log_dir.path().join("server.log");
        let log = std::fs::File::create(&log_path)?;
        let mut log_out = log.try_clone()?;
        let mut child = Command::new(server)
            .arg("serve")
            .env("DATABASE_URL", db_url)
            .env("FRONTLINE_MAIL_DIR", log_dir.path().join("mail"))
            .env("FRONTLINE_BIND", "127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                if line.contains("Frontline is serving on") {
                    let _ = tx.send(line.clone());
                }
                let _ = log_out.write_all(line.as_bytes());
                line.clear();
            }
        });
        let mut s = Server { child, base: String::new(), log_path, _log_dir: log_dir };
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let Some(base) = line.split_whitespace().find(|w| w.starts_with("http://")) else {
            bail!("the server did not say where it serves; log:\n{}", s.log_tail());
        };
        s.base = base.to_string();
        let healthz = format!("{}/healthz", s.base);
        let ok = block_on(async {
            let client = reqwest::Client::new();
            for _ in 0..600 {
                if let Ok(r) = client.get(&healthz).send().await
                    && r.status().as_u16() == 200
                {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            false
        })?;
        anyhow::ensure!(ok, "/healthz never answered 200; log:\n{}", s.log_tail());
        Ok(s)
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Peak resident set size (VmHWM), in KiB.
    fn peak_rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        for _ in 0..800 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    [11, 12].iter().filter_map(|&i| f.get(i)?.parse::<f64>().ok()).sum::<f64>() / 100.0
}

// ---------------------------------------------------------------------------------------------
// Sign-in and load

fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].replace("&quot;", "\"").replace("&#x27;", "'").replace("&amp;", "&"))
}

/// Signs in; returns the `frontline_session=…` cookie pair.
async fn sign_in(base: &str) -> Result<String> {
    // The sign-in form is bound to a pre-session cookie: keep it.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).cookie_store(true).build()?;
    let html = client.get(format!("{base}/staff/login")).send().await?.text().await?;
    let mut form: Vec<(String, String)> = html
        .split('<')
        .filter(|t| t.starts_with("input ") && t.contains("type=\"hidden\""))
        .filter_map(|t| Some((attr(t, "name")?, attr(t, "value")?)))
        .collect();
    form.push(("email".into(), EMAIL.into()));
    form.push(("password".into(), PASSWORD.into()));
    let r = client.post(format!("{base}/staff/login")).form(&form).send().await?;
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("frontline_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    let status = r.status();
    cookie.ok_or_else(|| anyhow!("sign-in answered {status} without a session cookie"))
}

struct Tally {
    lat: Vec<Duration>,
    ok: usize,
    errors: usize,
    sample: Option<String>,
}

/// Sends `n` GETs of `path` with `conc` in flight over `threads` client threads.
fn drive(
    base: &str,
    cookie: &str,
    path: &str,
    n: usize,
    conc: usize,
    threads: usize,
    duration: f64,
) -> Result<(Tally, Duration)> {
    let deadline = Instant::now() + Duration::from_secs_f64(duration);
    let next = Arc::new(AtomicUsize::new(0));
    let threads = threads.clamp(1, conc);
    let url = Arc::new(format!("{base}{path}"));
    let cookie = Arc::new(cookie.to_string());
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let per = conc / threads + usize::from(t < conc % threads);
            let (next, url, cookie) = (next.clone(), url.clone(), cookie.clone());
            std::thread::spawn(move || -> Result<Tally> {
                let client = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .pool_max_idle_per_host(per * 2)
                    .timeout(Duration::from_secs(60))
                    .build()?;
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                let parts = rt.block_on(futures_util::future::join_all((0..per).map(|_| {
                    let (next, url, cookie, client) = (next.clone(), url.clone(), cookie.clone(), client.clone());
                    async move {
                        let mut t = Tally { lat: Vec::new(), ok: 0, errors: 0, sample: None };
                        while Instant::now() < deadline && next.fetch_add(1, Ordering::Relaxed) < n {
                            let t0 = Instant::now();
                            let r = client.get(url.as_str()).header("cookie", cookie.as_str()).send().await;
                            match r {
                                Ok(r) => {
                                    let status = r.status().as_u16();
                                    let body = r.bytes().await;
                                    t.lat.push(t0.elapsed());
                                    if status == 200 && body.is_ok() {
                                        t.ok += 1;
                                    } else {
                                        t.errors += 1;
                                        t.sample.get_or_insert(format!("status {status}"));
                                    }
                                }
                                Err(e) => {
                                    t.errors += 1;
                                    t.sample.get_or_insert(format!("{e:#}"));
                                }
                            }
                        }
                        t
                    }
                })));
                let mut all = Tally { lat: Vec::new(), ok: 0, errors: 0, sample: None };
                for p in parts {
                    all.lat.extend(p.lat);
                    all.ok += p.ok;
                    all.errors += p.errors;
                    all.sample = all.sample.or(p.sample);
                }
                Ok(all)
            })
        })
        .collect();
    let mut all = Tally { lat: Vec::new(), ok: 0, errors: 0, sample: None };
    for h in handles {
        let p = h.join().map_err(|_| anyhow!("a client thread panicked"))??;
        all.lat.extend(p.lat);
        all.ok += p.ok;
        all.errors += p.errors;
        all.sample = all.sample.or(p.sample);
    }
    Ok((all, started.elapsed()))
}

/// How many pages a view has, from its title "Queue (page 1 of N)".
/// The page's `rel="next"` link (what a click on "Next" requests).
async fn next_link(base: &str, cookie: &str, path: &str) -> Result<String> {
    let html =
        reqwest::Client::new().get(format!("{base}{path}")).header("cookie", cookie).send().await?.text().await?;
    let at = html.find("rel=\"next\"").ok_or_else(|| anyhow!("{path} has no Next link"))?;
    let start = html[..at].rfind("href=\"").ok_or_else(|| anyhow!("no href"))? + 6;
    let end = html[start..].find('"').ok_or_else(|| anyhow!("no href end"))? + start;
    Ok(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

async fn page_count(base: &str, cookie: &str, path: &str) -> Result<usize> {
    let html =
        reqwest::Client::new().get(format!("{base}{path}")).header("cookie", cookie).send().await?.text().await?;
    Ok(html.split_once(" of ").and_then(|(_, rest)| rest.split(')').next()?.trim().parse().ok()).unwrap_or(1))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn run_backend(args: &Args, backend: &str) -> Result<Vec<String>> {
    let (db_url, _guard) = fresh_database(backend, &args.pg_admin_url)?;
    create_staff(&args.server, &db_url)?;
    let secs = seed(&db_url, args.cases)?;
    eprintln!("{backend}: seeded {} cases in {secs:.1} s", args.cases);
    let server = Server::start(&args.server, &db_url)?;
    let result = measure(args, backend, &server);
    if let Some(keep) = &args.keep_log {
        let _ = std::fs::copy(&server.log_path, format!("{}.{}", keep.display(), backend.to_lowercase()));
    }
    if let (Some(keep), Some(path)) = (&args.keep_db, db_url.strip_prefix("sqlite://")) {
        // Sessions write now and then: fold the WAL in first so the copy is whole.
        let _ = Command::new("sqlite3").arg(path).arg("PRAGMA wal_checkpoint(TRUNCATE);").status();
        std::fs::copy(path, keep).with_context(|| format!("copying the database to {}", keep.display()))?;
        let wal = format!("{path}-wal");
        if std::path::Path::new(&wal).exists() {
            std::fs::copy(&wal, format!("{}-wal", keep.display()))?;
        }
    }
    result.map_err(|e| e.context(format!("server log tail:\n{}", server.log_tail())))
}

fn measure(args: &Args, backend: &str, server: &Server) -> Result<Vec<String>> {
    let threads =
        args.client_threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let base = server.base.clone();
    let cookie = block_on(sign_in(&base))??;
    let filtered = "/staff/queue?kind=kpi&status=open";
    let all_pages = block_on(page_count(&base, &cookie, "/staff/queue"))??;
    let kpi_pages = block_on(page_count(&base, &cookie, filtered))??;
    eprintln!("{backend}: default view {all_pages} pages, kind=kpi&status=open {kpi_pages} pages");
    let middle = all_pages / 2;
    let middle_next = block_on(next_link(&base, &cookie, &format!("/staff/queue?page={}", middle - 1)))??;
    let scenarios = [
        ("unfiltered p1".to_string(), "/staff/queue".to_string()),
        (format!("unfiltered p{all_pages} (last)"), format!("/staff/queue?page={all_pages}")),
        (format!("unfiltered p{middle} (middle)"), format!("/staff/queue?page={middle}")),
        (format!("unfiltered p{middle} (middle, by Next)"), middle_next),
        ("filtered p1".into(), filtered.into()),
        (format!("filtered p{kpi_pages} (last)"), format!("{filtered}&page={kpi_pages}")),
        ("search".into(), "/staff/queue?q=company+4242".into()),
    ];
    let mut rows = Vec::new();
    for (name, path) in scenarios {
        if args.only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        if args.warmup > 0 {
            drive(&base, &cookie, &path, args.warmup, args.concurrency, threads, args.duration)?;
        }
        let cpu0 = cpu_seconds(server.child.id());
        let (mut t, wall) = drive(&base, &cookie, &path, args.requests, args.concurrency, threads, args.duration)?;
        let cpu = (cpu_seconds(server.child.id()) - cpu0) / wall.as_secs_f64();
        t.lat.sort_unstable();
        let rss = server.peak_rss_kib() as f64 / 1024.0;
        let row = format!(
            "| {backend} | {name} | `{path}` | {} / {} | {} | {:.0} | {} | {} | {} | {} | {cpu:.2} | {rss:.1} MiB |",
            t.ok,
            t.ok + t.errors,
            t.errors,
            t.ok as f64 / wall.as_secs_f64(),
            ms(percentile(&t.lat, 50.0)),
            ms(percentile(&t.lat, 90.0)),
            ms(percentile(&t.lat, 99.0)),
            ms(t.lat.last().copied().unwrap_or_default()),
        );
        eprintln!("{row}{}", t.sample.map(|s| format!(" (e.g. {s})")).unwrap_or_default());
        rows.push(row);
    }
    Ok(rows)
}
