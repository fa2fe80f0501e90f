//! `frontline-bench`: intake throughput of the release `frontline` binary.
//!
//! Not a test: it starts the real server as a child process (on a fresh
//! SQLite file or a fresh PostgreSQL database), drives it over HTTP with
//! real form posts at a fixed concurrency, and reports throughput, latency,
//! errors and the server's peak RSS as a Markdown table. See
//! `benches/README.md` for how to run it and the figures measured.
//!
//! ```sh
//! cargo build --release          # the server binary under test
//! cargo bench --bench intake -- --backend both --scenario both --runs 3
//! ```

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use chrono::Datelike;
use clap::{Parser, ValueEnum};
use diesel::{Connection, RunQueryDsl};

/// Where `cargo build --release` puts the server (cargo sets this for
/// benchmarks: the bench profile shares `target/release`).
const DEFAULT_SERVER: &str = env!("CARGO_BIN_EXE_frontline");
const DEFAULT_PDF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/documents/invoice_reportlab_long.pdf");
/// The invoice number printed in the default PDF.
const DEFAULT_INVOICE_NUMBER: &str = "INV-2026-0423";
/// Every landing page is on this host; the server pins it to a closed local
/// port, so a landing-page check, if a job runner ever runs one during a
/// benchmark, fails fast instead of reaching the internet.
const LANDING_HOST: &str = "www.contoso-learning.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendSel {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ScenarioSel {
    Directory,
    Kpi,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Directory,
    Kpi,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Directory => "directory",
            Scenario::Kpi => "kpi",
        }
    }

    fn form_path(self) -> &'static str {
        match self {
            Scenario::Directory => "/cases/directory/new",
            Scenario::Kpi => "/cases/kpi/new",
        }
    }

    fn default_requests(self) -> usize {
        match self {
            Scenario::Directory => 20_000,
            Scenario::Kpi => 5_000,
        }
    }
}

/// Drives the release `frontline` binary with valid case filings and reports
/// throughput, latency and peak memory.
#[derive(Debug, Parser)]
#[command(name = "frontline-bench", version)]
struct Args {
    /// The server binary (build it first with `cargo build --release`).
    #[arg(long, default_value = DEFAULT_SERVER)]
    server: PathBuf,
    /// Which database backend(s) to measure.
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: BackendSel,
    /// Which intake scenario(s) to run.
    #[arg(long, value_enum, default_value = "both")]
    scenario: ScenarioSel,
    /// Requests in flight at once (with --rate: at most this many).
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Open loop: send the timed POSTs at this many per second, on a fixed
    /// schedule, instead of as fast as the server answers. Latency is then
    /// counted from each request's scheduled time, so a server that falls
    /// behind shows it (no coordinated omission).
    #[arg(long)]
    rate: Option<f64>,
    /// Timed POSTs per measurement (default: 20000 directory, 5000 kpi).
    #[arg(long)]
    requests: Option<usize>,
    /// Upper bound on the timed window, in seconds; the run stops at
    /// whichever of --requests and --duration comes first.
    #[arg(long, default_value_t = 60.0)]
    duration: f64,
    /// Untimed POSTs sent first (connection set-up, caches, pool).
    #[arg(long, default_value_t = 500)]
    warmup: usize,
    /// Measurements per backend x scenario (each on a fresh server and database).
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// Fetch each form inside the timed window (GET + POST per case) instead
    /// of pre-fetching a pool of forms before it.
    #[arg(long)]
    inline_forms: bool,
    /// The invoice uploaded by the kpi scenario.
    #[arg(long, default_value = DEFAULT_PDF)]
    pdf: PathBuf,
    /// The invoice number printed in --pdf.
    #[arg(long, default_value = DEFAULT_INVOICE_NUMBER)]
    invoice_number: String,
    /// A PostgreSQL server on which a fresh database is created (and dropped).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pg_admin_url: String,
    /// FRONTLINE_WORKERS for the server (default: the app's own, one per core).
    #[arg(long)]
    workers: Option<usize>,
    /// FRONTLINE_POOL_SIZE for the server (default: the app's own).
    #[arg(long)]
    pool_size: Option<u32>,
    /// RUST_LOG for the server (default: the app's own, `info`); the log goes to a file.
    #[arg(long)]
    rust_log: Option<String>,
    /// Client runtime threads (default: one per core).
    #[arg(long)]
    client_threads: Option<usize>,
    /// Record the server with `perf record -g` during the timed window into
    /// this file (suffixed with backend, scenario and run).
    #[arg(long)]
    perf_record: Option<PathBuf>,
    /// Keep the server's log here (suffixed like --perf-record).
    #[arg(long)]
    keep_log: Option<PathBuf>,
    /// Write one CSV line per timed POST here (suffixed like --perf-record):
    /// when it was due (ms after the first), its latency (ms) and its status.
    #[arg(long)]
    latency_log: Option<PathBuf>,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() -> Result<()> {
    run(Args::parse())
}

/// Runs one future to completion on a fresh current-thread runtime.
fn block_on<F: std::future::Future>(f: F) -> Result<F::Output> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(f))
}

/// Sends a signal (`TERM`, `INT`, …) to one of our child processes.
fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill").arg(format!("-{name}")).arg(pid.to_string()).status();
}

fn run(args: Args) -> Result<()> {
    anyhow::ensure!(
        args.server.is_file(),
        "no server binary at {}: run `cargo build --release` first, or pass --server",
        args.server.display()
    );
    anyhow::ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    anyhow::ensure!(args.rate.is_none_or(|r| r > 0.0), "--rate must be above 0");
    let pdf = bytes::Bytes::from(std::fs::read(&args.pdf).with_context(|| format!("reading {}", args.pdf.display()))?);
    let backends = match args.backend {
        BackendSel::Sqlite => vec![Backend::Sqlite],
        BackendSel::Postgres => vec![Backend::Postgres],
        BackendSel::Both => vec![Backend::Sqlite, Backend::Postgres],
    };
    let scenarios = match args.scenario {
        ScenarioSel::Directory => vec![Scenario::Directory],
        ScenarioSel::Kpi => vec![Scenario::Kpi],
        ScenarioSel::Both => vec![Scenario::Directory, Scenario::Kpi],
    };
    println!("{}", machine_notes());
    let mut results = Vec::new();
    for &backend in &backends {
        for &scenario in &scenarios {
            for run in 1..=args.runs {
                let r = measure(&args, backend, scenario, run, &pdf)?;
                println!("{}", r.line());
                results.push(r);
            }
        }
    }
    println!();
    println!("{}", markdown(&args, &results));
    Ok(())
}

fn machine_notes() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "machine: {cores} cores, {cpu}; load average {}",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    )
}

// ---------------------------------------------------------------------------------------------
// The server under test

enum DbGuard {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

struct Server {
    child: Child,
    db_url: String,
    base: String,
    log_path: PathBuf,
    db: Option<DbGuard>,
    _log_dir: tempfile::TempDir,
}

fn fresh_database(backend: Backend, admin_url: &str) -> Result<(String, DbGuard)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::Builder::new().prefix("frontline-bench-").tempdir().context("temp dir")?;
            let path = dir.path().join("frontline.db");
            Ok((format!("sqlite://{}", path.display()), DbGuard::Sqlite(dir)))
        }
        Backend::Postgres => {
            let name = format!("frontline_bench_{}", frontline::keys::random_hex(6));
            let mut conn = diesel::PgConnection::establish(admin_url)
                .with_context(|| format!("connecting to {admin_url} to create the bench database"))?;
            diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).context("CREATE DATABASE")?;
            let mut url = url::Url::parse(admin_url).context("--pg-admin-url")?;
            url.set_path(&name);
            Ok((url.to_string(), DbGuard::Postgres { admin_url: admin_url.to_string(), name }))
        }
    }
}

impl DbGuard {
    fn remove(self) {
        match self {
            DbGuard::Sqlite(dir) => {
                let _ = dir.close();
            }
            DbGuard::Postgres { admin_url, name } => {
                if let Ok(mut conn) = diesel::PgConnection::establish(&admin_url) {
                    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut conn);
                }
            }
        }
    }
}

impl Server {
    fn start(args: &Args, backend: Backend) -> Result<Self> {
        let (db_url, guard) = fresh_database(backend, &args.pg_admin_url)?;
        let log_dir = tempfile::Builder::new().prefix("frontline-bench-log-").tempdir().context("temp dir")?;
        let log_path = log_dir.path().join("server.log");
        let log = std::fs::File::create(&log_path).context("server log")?;
        let log_for_stdout = log.try_clone().context("server log")?;
        let mut cmd = Command::new(&args.server);
        // The outbox is delivered as it is in production without SMTP: as
        // `.eml` files (in the log's temp dir, removed with it).
        cmd.arg("serve")
            .env("DATABASE_URL", &db_url)
            .env("FRONTLINE_MAIL_DIR", log_dir.path().join("mail"))
            .env("FRONTLINE_BIND", "127.0.0.1:0")
            .env("FRONTLINE_CHECK_ALLOW_PRIVATE", "1")
            .env("FRONTLINE_CHECK_RESOLVE", format!("{LANDING_HOST}=127.0.0.1:9"))
            .env_remove("FRONTLINE_NO_JOBS")
            // Every request comes from this one address: the per-address
            // limit is raised out of the way (its counter is still written,
            // so its cost is measured).
            .env("FRONTLINE_RATE_POSTS", "100000000/1h")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        if let Some(w) = args.workers {
            cmd.env("FRONTLINE_WORKERS", w.to_string());
        }
        if let Some(p) = args.pool_size {
            cmd.env("FRONTLINE_POOL_SIZE", p.to_string());
        }
        if let Some(l) = &args.rust_log {
            cmd.env("RUST_LOG", l);
        }
        let mut child = cmd.spawn().with_context(|| format!("starting {}", args.server.display()))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        let mut server =
            Server { child, db_url: db_url.clone(), base: String::new(), log_path, db: Some(guard), _log_dir: log_dir };
        // "Frontline is serving on http://127.0.0.1:PORT (…)"
        // The app logs to stdout too: copy it all to the log file, and pass
        // on the line that says where it serves.
        let mut log_out = log_for_stdout;
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
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let Some(base) = line.split_whitespace().find(|w| w.starts_with("http://")) else {
            bail!("the server did not say where it serves (got {line:?}); log:\n{}", server.log_tail());
        };
        server.base = base.to_string();
        let healthz = format!("{}/healthz", server.base);
        let healthy = block_on(async {
            let client = reqwest::Client::new();
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Ok(r) = client.get(&healthz).send().await
                    && r.status().as_u16() == 200
                {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            false
        })?;
        if !healthy {
            bail!("/healthz never answered 200; log:\n{}", server.log_tail());
        }
        Ok(server)
    }

    /// How many stored cases have each `evidence` value (KPI: whether the
    /// invoice's text was read in time), as "value: n, …".
    fn evidence_counts(&self) -> String {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            evidence: String,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let q = "SELECT COALESCE(evidence, '-') AS evidence, COUNT(*) AS n FROM cases GROUP BY 1 ORDER BY 2 DESC";
        let rows: Result<Vec<Row>, String> = if let Some(path) = self.db_url.strip_prefix("sqlite://") {
            diesel::SqliteConnection::establish(path)
                .map_err(|e| e.to_string())
                .and_then(|mut c| diesel::sql_query(q).load(&mut c).map_err(|e| e.to_string()))
        } else {
            diesel::PgConnection::establish(&self.db_url)
                .map_err(|e| e.to_string())
                .and_then(|mut c| diesel::sql_query(q).load(&mut c).map_err(|e| e.to_string()))
        };
        match rows {
            Ok(rows) => rows.iter().map(|r| format!("{}: {}", r.evidence, r.n)).collect::<Vec<_>>().join(", "),
            Err(e) => format!("(could not count: {e})"),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Peak and current resident set size (VmHWM, VmRSS), in KiB.
    fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    /// Stops the server with SIGTERM (it finishes requests in flight), then
    /// removes its database.
    fn stop(mut self) -> Result<()> {
        signal(self.pid(), "TERM");
        let deadline = Instant::now() + Duration::from_secs(40);
        let status = loop {
            if let Some(s) = self.child.try_wait()? {
                break Some(s);
            }
            if Instant::now() > deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        if status.is_none() {
            eprintln!("server ignored SIGTERM for 40 s; killing it");
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if let Some(db) = self.db.take() {
            db.remove();
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only on an error path: stop() has already reaped the child.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if let Some(db) = self.db.take() {
            db.remove();
        }
    }
}

/// Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, usually 100).
fn clock_ticks() -> f64 {
    static HZ: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *HZ.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .filter(|hz: &f64| *hz > 0.0)
            .unwrap_or(100.0)
    })
}

/// CPU time (user + system) of a process, in seconds.
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after ')'.
    let ticks: f64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<f64>().ok()).sum();
    ticks / clock_ticks()
}

// ---------------------------------------------------------------------------------------------
// The load

type Hidden = Vec<(String, String)>;

/// The hidden inputs of the first form on a page (as `tests/app/helpers.rs` reads them).
fn hidden_inputs(html: &str) -> Hidden {
    let mut out: Hidden = Vec::new();
    for tag in html.split('<').filter(|t| t.starts_with("input ") && t.contains("type=\"hidden\"")) {
        if let (Some(name), Some(value)) = (attr(tag, "name"), attr(tag, "value"))
            && !out.iter().any(|(n, _)| *n == name)
        {
            out.push((name, value));
        }
    }
    out
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].replace("&quot;", "\"").replace("&#x27;", "'").replace("&amp;", "&"))
}

fn http_client(idle: usize) -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(idle)
        .timeout(Duration::from_secs(60))
        .build()?)
}

/// What every client task shares.
struct Load {
    base: String,
    scenario: Scenario,
    pdf: bytes::Bytes,
    invoice_number: String,
    month: u32,
    year: i32,
}

impl Load {
    async fn fetch_form(&self, client: &reqwest::Client) -> Result<Hidden> {
        let path = self.scenario.form_path();
        let r = client.get(format!("{}{path}", self.base)).send().await?;
        anyhow::ensure!(r.status().as_u16() == 200, "GET {path} answered {}", r.status());
        let hidden = hidden_inputs(&r.text().await?);
        anyhow::ensure!(
            hidden.iter().any(|(n, _)| n == "csrf_token") && hidden.iter().any(|(n, _)| n == "idempotency_key"),
            "the form carries no csrf_token / idempotency_key"
        );
        Ok(hidden)
    }

    /// A case for partner `i`: every case has its own partner ID, so triage
    /// finds no duplicates and each POST is one new case.
    async fn post(&self, client: &reqwest::Client, hidden: Hidden, i: usize) -> Result<reqwest::Response> {
        let partner_id = (1_000_000 + i).to_string();
        match self.scenario {
            Scenario::Directory => {
                let mut body = hidden;
                body.extend(
                    [
                        ("partner_id", partner_id.as_str()),
                        ("company_name", "Contoso Learning"),
                        ("contact_name", "Ana Silva"),
                        ("contact_email", "ana@contoso-learning.com"),
                        ("contact_role", "account_admin"),
                        ("directory_name", "Contoso Learning"),
                        ("country", "TW"),
                        ("landing_page_url", "https://www.contoso-learning.com/microsoft-training"),
                        ("attest_about_partner_only", "on"),
                        ("attest_no_competitors", "on"),
                        ("attest_partner_owned", "on"),
                    ]
                    .map(|(k, v)| (k.to_string(), v.to_string())),
                );
                Ok(client.post(format!("{}/cases/directory", self.base)).form(&body).send().await?)
            }
            Scenario::Kpi => {
                let mut form = reqwest::multipart::Form::new();
                for (k, v) in hidden {
                    form = form.text(k, v);
                }
                for (k, v) in [
                    ("partner_id", partner_id),
                    ("company_name", "台灣微軟學習夥伴有限公司".into()),
                    ("contact_name", "陳小明".into()),
                    ("contact_email", "chen@partner.com.tw".into()),
                    ("contact_role", "partner_admin".into()),
                    ("month", self.month.to_string()),
                    ("year", self.year.to_string()),
                    ("omlp_type", "moc".into()),
                    ("purchase_unit", "25".into()),
                    ("invoice_number", self.invoice_number.clone()),
                    ("kpi_value", "12.5".into()),
                    ("revenue_value", "1,250.50".into()),
                    ("revenue_currency", "USD".into()),
                    ("document_type", "invoice".into()),
                    ("anniversary_date", String::new()),
                    ("description", "儀表板顯示 0，合作夥伴中心顯示 25。".into()),
                ] {
                    form = form.text(k, v);
                }
                let len = self.pdf.len() as u64;
                let part = reqwest::multipart::Part::stream_with_length(reqwest::Body::from(self.pdf.clone()), len)
                    .file_name("invoice.pdf")
                    .mime_str("application/pdf")?;
                form = form.part("invoice_file", part);
                Ok(client.post(format!("{}/cases/kpi", self.base)).multipart(form).send().await?)
            }
        }
    }
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    /// When each timed POST was due (or sent) and what it answered, for --latency-log.
    timeline: Vec<(Instant, Duration, u16)>,
    ok: usize,
    errors: BTreeMap<String, usize>,
    samples: Vec<String>,
    forms: Vec<Hidden>,
}

impl Tally {
    fn error(&mut self, kind: String, sample: String) {
        *self.errors.entry(kind).or_default() += 1;
        if self.samples.len() < 3 {
            self.samples.push(sample);
        }
    }

    fn merge(&mut self, t: Tally) {
        self.latencies.extend(t.latencies);
        self.timeline.extend(t.timeline);
        self.ok += t.ok;
        for (k, v) in t.errors {
            *self.errors.entry(k).or_default() += v;
        }
        for s in t.samples {
            if self.samples.len() < 3 {
                self.samples.push(s);
            }
        }
        self.forms.extend(t.forms);
    }
}

#[derive(Clone, Copy)]
enum Work {
    /// GET `n` forms and keep their hidden inputs.
    Fetch,
    /// POST `n` cases (partner IDs from `first`), stopping early once
    /// `duration` has passed; with `rate` (per second), case `i` is due at
    /// `start + i / rate`.
    Post { first: usize, duration: Option<Duration>, rate: Option<f64> },
}

/// Runs `n` units of `work` with `conc` tasks in flight, spread over
/// `threads` OS threads, each with its own current-thread runtime and its own
/// HTTP client. POSTs take their forms from `forms` while it lasts, then
/// fetch one each (inside the timing).
fn drive(
    load: &Arc<Load>,
    work: Work,
    forms: Vec<Hidden>,
    n: usize,
    conc: usize,
    threads: usize,
) -> Result<(Tally, Duration)> {
    let forms = Arc::new(std::sync::Mutex::new(forms));
    let next = Arc::new(AtomicUsize::new(0));
    let threads = threads.clamp(1, conc.max(1));
    // The clock starts once every thread has its runtime and client: building
    // a client loads the system's CA certificates (tens of milliseconds),
    // which is the load generator's cost, not the server's.
    let ready = Arc::new(std::sync::Barrier::new(threads));
    let start = Arc::new(std::sync::OnceLock::new());
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let per = conc / threads + usize::from(t < conc % threads);
            let (load, forms, next, ready, start) =
                (load.clone(), forms.clone(), next.clone(), ready.clone(), start.clone());
            std::thread::spawn(move || -> Result<Tally> {
                let built = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(anyhow::Error::from)
                    .and_then(|rt| Ok((rt, http_client(per * 2)?)));
                ready.wait();
                let (rt, client) = built?;
                let start = *start.get_or_init(Instant::now);
                let tallies = rt.block_on(futures_util::future::join_all((0..per).map(|_| {
                    let (load, forms, next, client) = (load.clone(), forms.clone(), next.clone(), client.clone());
                    async move { task(&load, &client, work, start, &forms, &next, n).await }
                })));
                let mut all = Tally::default();
                for t in tallies {
                    all.merge(t);
                }
                Ok(all)
            })
        })
        .collect();
    let mut all = Tally::default();
    for h in handles {
        all.merge(h.join().map_err(|_| anyhow!("a client thread panicked"))??);
    }
    let wall = start.get().map(Instant::elapsed).unwrap_or_default();
    Ok((all, wall))
}

async fn task(
    load: &Load,
    client: &reqwest::Client,
    work: Work,
    start: Instant,
    forms: &std::sync::Mutex<Vec<Hidden>>,
    next: &AtomicUsize,
    n: usize,
) -> Tally {
    let mut tally = Tally::default();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= n {
            break;
        }
        let mut t0 = Instant::now();
        let (first, deadline) = match work {
            Work::Fetch => {
                match load.fetch_form(client).await {
                    Ok(h) => tally.forms.push(h),
                    Err(e) => tally.error("form fetch".into(), format!("{e:#}")),
                }
                continue;
            }
            Work::Post { first, duration, rate } => {
                if let Some(rate) = rate {
                    let due = start + Duration::from_secs_f64(i as f64 / rate);
                    tokio::time::sleep_until(due.into()).await;
                    t0 = due;
                }
                (first, duration.map(|d| start + d))
            }
        };
        if deadline.is_some_and(|d| t0 >= d) {
            break;
        }
        let pooled = forms.lock().map(|mut f| f.pop()).unwrap_or(None);
        let hidden = match pooled {
            Some(h) => h,
            None => match load.fetch_form(client).await {
                Ok(h) => h,
                Err(e) => {
                    tally.error("form fetch".into(), format!("{e:#}"));
                    continue;
                }
            },
        };
        match load.post(client, hidden, first + i).await {
            Ok(r) => {
                let status = r.status().as_u16();
                let body = r.bytes().await.unwrap_or_default();
                let took = t0.elapsed();
                tally.latencies.push(took);
                tally.timeline.push((t0, took, status));
                if status == 303 {
                    tally.ok += 1;
                } else {
                    let text = String::from_utf8_lossy(&body);
                    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    tally
                        .error(status.to_string(), format!("{status}: {}", text.chars().take(400).collect::<String>()));
                }
            }
            Err(e) => tally.error("transport".into(), format!("{e:#}")),
        }
    }
    tally
}

struct Measurement {
    backend: Backend,
    scenario: Scenario,
    run: usize,
    concurrency: usize,
    sent: usize,
    ok: usize,
    errors: usize,
    error_kinds: String,
    wall: Duration,
    p50: Duration,
    p90: Duration,
    p99: Duration,
    max: Duration,
    server_cpu: f64,
    client_cpu: f64,
    peak_rss_kib: u64,
    end_rss_kib: u64,
}

impl Measurement {
    fn throughput(&self) -> f64 {
        self.ok as f64 / self.wall.as_secs_f64()
    }

    fn line(&self) -> String {
        format!(
            "{} {} run {}: {} ok / {} sent in {:.2} s = {:.0} req/s; p50 {} p90 {} p99 {} max {}; errors {}{}; server CPU {:.2} cores, client CPU {:.2} cores; peak RSS {:.1} MiB (end {:.1} MiB)",
            self.backend.name(),
            self.scenario.name(),
            self.run,
            self.ok,
            self.sent,
            self.wall.as_secs_f64(),
            self.throughput(),
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max),
            self.errors,
            if self.error_kinds.is_empty() { String::new() } else { format!(" ({})", self.error_kinds) },
            self.server_cpu,
            self.client_cpu,
            self.peak_rss_kib as f64 / 1024.0,
            self.end_rss_kib as f64 / 1024.0,
        )
    }
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

fn suffixed(path: &Path, backend: Backend, scenario: Scenario, run: usize) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".{}-{}-{run}", backend.name().to_lowercase(), scenario.name()));
    PathBuf::from(s)
}

fn measure(args: &Args, backend: Backend, scenario: Scenario, run: usize, pdf: &bytes::Bytes) -> Result<Measurement> {
    let server = Server::start(args, backend)?;
    let pid = server.pid().to_string();
    eprintln!("{} {} run {run}: server pid {pid} on {}", backend.name(), scenario.name(), server.base);
    let result = measure_on(args, &server, backend, scenario, run, pdf);
    if let Some(keep) = &args.keep_log {
        let _ = std::fs::copy(&server.log_path, suffixed(keep, backend, scenario, run));
    }
    match result {
        Ok(mut m) => {
            (m.peak_rss_kib, m.end_rss_kib) = server.memory_kib();
            eprintln!("  stored cases by evidence: {}", server.evidence_counts());
            server.stop()?;
            Ok(m)
        }
        Err(e) => {
            let tail = server.log_tail();
            let _ = server.stop();
            Err(e.context(format!("server log tail:\n{tail}")))
        }
    }
}

fn measure_on(
    args: &Args,
    server: &Server,
    backend: Backend,
    scenario: Scenario,
    run: usize,
    pdf: &bytes::Bytes,
) -> Result<Measurement> {
    let conc = args.concurrency;
    let threads =
        args.client_threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let n = args.requests.unwrap_or(scenario.default_requests());
    let visible = frontline::domain::calendar::add_months(chrono::Utc::now().date_naive(), -2);
    let load = Arc::new(Load {
        base: server.base.clone(),
        scenario,
        pdf: pdf.clone(),
        invoice_number: args.invoice_number.clone(),
        month: visible.month(),
        year: visible.year(),
    });
    // Warm-up: untimed, forms fetched inline; partner IDs 0.. (the timed run starts after them).
    if args.warmup > 0 {
        let (w, _) =
            drive(&load, Work::Post { first: 0, duration: None, rate: None }, Vec::new(), args.warmup, conc, threads)?;
        if w.ok != args.warmup {
            bail!(
                "warm-up: {} of {} posts failed: {:?} e.g. {:?}",
                args.warmup - w.ok,
                args.warmup,
                w.errors,
                w.samples
            );
        }
    }
    let forms = if args.inline_forms {
        Vec::new()
    } else {
        let t = Instant::now();
        let (f, _) = drive(&load, Work::Fetch, Vec::new(), n, conc, threads)?;
        if !f.errors.is_empty() {
            bail!("pre-fetching forms failed: {:?} e.g. {:?}", f.errors, f.samples);
        }
        eprintln!("  pre-fetched {} forms in {:.1} s", f.forms.len(), t.elapsed().as_secs_f64());
        f.forms
    };
    let perf = match &args.perf_record {
        Some(p) => {
            let out = suffixed(p, backend, scenario, run);
            let child = Command::new("perf")
                .args(["record", "-g", "-F", "499", "-o"])
                .arg(&out)
                .args(["-p", &server.pid().to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("starting perf record")?;
            std::thread::sleep(Duration::from_millis(500));
            Some(child)
        }
        None => None,
    };
    let pid = server.pid().to_string();
    let cpu0 = (cpu_seconds(&pid), cpu_seconds("self"));
    let work =
        Work::Post { first: args.warmup, duration: Some(Duration::from_secs_f64(args.duration)), rate: args.rate };
    let (tally, wall) = drive(&load, work, forms, n, conc, threads)?;
    let cpu1 = (cpu_seconds(&pid), cpu_seconds("self"));
    if let Some(mut p) = perf {
        signal(p.id(), "INT");
        let _ = p.wait();
    }
    if let Some(path) = &args.latency_log {
        write_timeline(&suffixed(path, backend, scenario, run), &tally.timeline)?;
    }
    let mut lat = tally.latencies;
    lat.sort_unstable();
    let errors: usize = tally.errors.values().sum();
    for s in &tally.samples {
        eprintln!("  error sample: {s}");
    }
    let secs = wall.as_secs_f64();
    Ok(Measurement {
        backend,
        scenario,
        run,
        concurrency: conc,
        sent: tally.ok + errors,
        ok: tally.ok,
        errors,
        error_kinds: tally.errors.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "),
        wall,
        p50: percentile(&lat, 50.0),
        p90: percentile(&lat, 90.0),
        p99: percentile(&lat, 99.0),
        max: lat.last().copied().unwrap_or_default(),
        server_cpu: (cpu1.0 - cpu0.0) / secs,
        client_cpu: (cpu1.1 - cpu0.1) / secs,
        peak_rss_kib: 0,
        end_rss_kib: 0,
    })
}

/// The --latency-log CSV: due (ms from the first POST), latency (ms), status.
fn write_timeline(path: &Path, timeline: &[(Instant, Duration, u16)]) -> Result<()> {
    let mut rows: Vec<_> = timeline.to_vec();
    rows.sort_by_key(|(due, _, _)| *due);
    let Some(&(first, _, _)) = rows.first() else { return Ok(()) };
    let mut out = String::from("due_ms,latency_ms,status\n");
    for (due, took, status) in rows {
        out.push_str(&format!(
            "{:.3},{:.3},{status}\n",
            due.duration_since(first).as_secs_f64() * 1000.0,
            took.as_secs_f64() * 1000.0
        ));
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

fn markdown(args: &Args, results: &[Measurement]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Forms: {}. Each POST is a new valid case for its own partner ID; only 303 counts as success.\n\n",
        if args.inline_forms {
            "fetched inside the timed window (GET + POST per case)"
        } else {
            "pre-fetched before the timed window"
        }
    ));
    if let Some(rate) = args.rate {
        out.push_str(&format!(
            "Open loop: POSTs sent at {rate} per second on a fixed schedule (at most --concurrency in flight); latency counted from each POST's scheduled time.\n\n"
        ));
    }
    out.push_str("| backend | scenario | run | conc. | ok / sent | errors | req/s | p50 | p90 | p99 | max | server CPU (cores) | peak RSS |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in results {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} / {} | {} | {:.0} | {} | {} | {} | {} | {:.2} | {:.1} MiB |\n",
            r.backend.name(),
            r.scenario.name(),
            r.run,
            r.concurrency,
            r.ok,
            r.sent,
            r.errors,
            r.throughput(),
            ms(r.p50),
            ms(r.p90),
            ms(r.p99),
            ms(r.max),
            r.server_cpu,
            r.peak_rss_kib as f64 / 1024.0,
        ));
    }
    out
}
