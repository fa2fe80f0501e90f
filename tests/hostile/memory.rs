//! Every attack of the hardening review at once, against the real binary in
//! its own process, whose peak memory (`VmHWM`) is read when it is over:
//! parser bombs, a hundred thousand pages, 128 sign-ins, 40 stalled uploads
//! and a trickling one, an intake flood and random tracking look-ups.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use super::helpers::{directory_fields, hidden_inputs, kpi_fields};

/// The server's peak memory must stay below this.
const PEAK_LIMIT_KIB: u64 = 256 * 1024;

struct Server {
    child: Child,
    base: String,
    output: Arc<Mutex<Vec<String>>>,
    _db: Box<dyn std::any::Any>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn peak_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("proc status");
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
        line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("kB")
    }
}

/// A database for the server: a SQLite file, or a fresh PostgreSQL database
/// when `TEST_DATABASE_URL` is set (dropped when the guard goes).
fn database() -> (String, Box<dyn std::any::Any>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if !admin.trim().is_empty() => {
            use diesel::{Connection, RunQueryDsl};
            struct Drop_(String, String);
            impl Drop for Drop_ {
                fn drop(&mut self) {
                    if let Ok(mut c) = diesel::PgConnection::establish(&self.0) {
                        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.1))
                            .execute(&mut c);
                    }
                }
            }
            let name = format!("frontline_hostile_{}", frontline::keys::random_hex(6));
            let mut conn = diesel::PgConnection::establish(&admin).expect("PostgreSQL");
            diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).expect("create");
            let mut url = url::Url::parse(&admin).expect("url");
            url.set_path(&name);
            (url.to_string(), Box::new(Drop_(admin, name)))
        }
        _ => {
            let dir = tempfile::tempdir().expect("dir");
            (dir.path().join("hostile.db").display().to_string(), Box::new(dir))
        }
    }
}

fn start() -> Server {
    let (database_url, guard) = database();
    let mail = std::env::temp_dir().join(format!("frontline-hostile-mail-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("serve")
        .env("FRONTLINE_MAIL_DIR", &mail)
        .env("DATABASE_URL", &database_url)
        .env("FRONTLINE_BIND", "127.0.0.1:0")
        .env("FRONTLINE_NO_JOBS", "1")
        // Enough posts for every attack to reach the parser (the flood past
        // it meets the limit), and short body deadlines.
        .env("FRONTLINE_RATE_POSTS", "100/10m")
        .env("FRONTLINE_BODY_TIMEOUT_SECONDS", "8")
        .env("FRONTLINE_BODY_IDLE_SECONDS", "4")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the frontline binary");
    let output = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    for pipe in [
        child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        child.stderr.take().map(|p| Box::new(p) as _),
    ]
    .into_iter()
    .flatten()
    {
        let (output, tx) = (output.clone(), tx.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(at) = line.find("serving on http://") {
                    let url: String = line[at + 11..].split_whitespace().next().unwrap_or("").to_string();
                    let _ = tx.send(url);
                }
                output.lock().expect("lock").push(line);
            }
        });
    }
    let base = rx.recv_timeout(Duration::from_secs(60)).expect("the server says where it serves");
    Server { child, base, output, _db: guard }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client")
}

async fn post_kpi(c: reqwest::Client, base: &str, name: &str, bytes: Vec<u8>) -> u16 {
    let page = match c.get(format!("{base}/cases/kpi/new")).send().await {
        Ok(page) => page,
        Err(e) => {
            println!("{name}: form: {e:?}");
            return 0;
        }
    };
    let page = page.text().await.unwrap_or_default();
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in hidden_inputs(&page) {
        form = form.text(k, v);
    }
    for (k, v) in kpi_fields() {
        form = form.text(k, v);
    }
    form = form.part("invoice_file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    match c.post(format!("{base}/cases/kpi")).multipart(form).send().await {
        Ok(r) => r.status().as_u16(),
        Err(e) => {
            println!("{name}: {e:?}");
            0
        }
    }
}

async fn sign_in(c: reqwest::Client, base: &str, i: usize) -> u16 {
    let Ok(page) = c.get(format!("{base}/staff/login")).send().await else { return 0 };
    let page = page.text().await.unwrap_or_default();
    let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
    body.push(("email".into(), format!("guess{i}@frontline.example")));
    body.push(("password".into(), "a long wrong guess".into()));
    c.post(format!("{base}/staff/login")).form(&body).send().await.map_or(0, |r| r.status().as_u16())
}

async fn file_directory(c: reqwest::Client, base: &str) -> (u16, String) {
    let Ok(page) = c.get(format!("{base}/cases/directory/new")).send().await else { return (0, String::new()) };
    let page = page.text().await.unwrap_or_default();
    let mut body: Vec<(String, String)> = hidden_inputs(&page).into_iter().collect();
    body.extend(directory_fields().into_iter().map(|(k, v)| (k.to_string(), v)));
    match c.post(format!("{base}/cases/directory")).form(&body).send().await {
        Ok(r) => {
            let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            (r.status().as_u16(), to)
        }
        Err(_) => (0, String::new()),
    }
}

/// An upload that sends its head and `sent` bytes of a 10 MB body, then
/// either stalls or trickles a byte at a time until the server hangs up.
async fn slow_upload(base: &str, sent: usize, trickle: bool) -> String {
    let addr = base.trim_start_matches("http://").to_string();
    let Ok(mut s) = tokio::net::TcpStream::connect(&addr).await else { return "connect failed".into() };
    let head = "POST /cases/kpi HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 10000000\r\n\r\n--B\r\nContent-Disposition: form-data; name=\"invoice_file\"; filename=\"a.pdf\"\r\n\r\n";
    if s.write_all(head.as_bytes()).await.is_err() || s.write_all(&vec![b'x'; sent]).await.is_err() {
        return "closed early".into();
    }
    let mut buf = vec![0u8; 512];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if trickle && s.write_all(b"x").await.is_err() {
            return "closed".into();
        }
        let wait = if trickle { Duration::from_millis(250) } else { Duration::from_secs(60) };
        match tokio::time::timeout(wait, tokio::io::AsyncReadExt::read(&mut s, &mut buf)).await {
            Ok(Ok(n)) => return String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("closed").to_string(),
            Ok(Err(_)) => return "closed".into(),
            Err(_) if tokio::time::Instant::now() > deadline => return "never answered".into(),
            Err(_) => {}
        }
    }
}

#[actix_web::test]
async fn a_server_under_every_attack_at_once_stays_under_256_mb() {
    let files = super::hostile_files();
    // Clients are built first: each loads the system's certificates, which
    // takes long enough to stall every connection already open.
    let mut clients: Vec<reqwest::Client> = (0..128 + files.len() + 200 + 1).map(|_| client()).collect();
    let server = start();
    let base = server.base.clone();

    let uploads = futures_util::future::join_all(files.into_iter().map(|(name, bytes, _)| {
        let (base, c) = (base.clone(), clients.pop().expect("client"));
        async move { (name, post_kpi(c, &base, name, bytes).await) }
    }));
    let sign_ins = futures_util::future::join_all((0..128).map(|i| {
        let (base, c) = (base.clone(), clients.pop().expect("client"));
        async move { sign_in(c, &base, i).await }
    }));
    let flood_clients: Vec<reqwest::Client> = clients.drain(..200).collect();
    let lookup_client = clients.pop().expect("client");
    let stalls = {
        let base = base.clone();
        async move {
            // After the parser attacks have taken their upload slots.
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let stalled = futures_util::future::join_all((0..40).map(|_| slow_upload(&base, 256 * 1024, false)));
            let trickle = slow_upload(&base, 1024, true);
            futures_util::future::join(stalled, trickle).await
        }
    };
    let flood = {
        let base = base.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let mut out = Vec::new();
            for chunk in flood_clients.chunks(8) {
                out.extend(
                    futures_util::future::join_all(chunk.iter().map(|c| file_directory(c.clone(), &base))).await,
                );
            }
            out
        }
    };
    let lookups = {
        let base = base.clone();
        async move {
            let c = lookup_client;
            let mut statuses = Vec::new();
            for round in 0..125u64 {
                let batch = (0..16u64).map(|i| {
                    let url = format!("{base}/track/{:064x}", round * 16 + i + 1);
                    let c = c.clone();
                    // A forged forwarding header: not what the log records.
                    async move {
                        c.get(url)
                            .header("x-forwarded-for", "203.0.113.250")
                            .send()
                            .await
                            .map_or(0, |r| r.status().as_u16())
                    }
                });
                statuses.extend(futures_util::future::join_all(batch).await);
            }
            statuses
        }
    };
    let (uploads, sign_ins, (stalled, trickle), flood, lookups) =
        futures_util::future::join5(uploads, sign_ins, stalls, flood, lookups).await;

    let peak = server.peak_kib();
    let output = server.output.lock().expect("lock").clone();
    println!("peak server memory: {} MiB", peak / 1024);
    println!("uploads: {uploads:?}");
    let count = |v: &[u16], s: u16| v.iter().filter(|x| **x == s).count();
    println!(
        "sign-ins: {} refused as wrong, {} busy (503), {} limited (429)",
        count(&sign_ins, 422),
        count(&sign_ins, 503),
        count(&sign_ins, 429)
    );
    let flood_statuses: Vec<u16> = flood.iter().map(|(s, _)| *s).collect();
    println!("intake flood: {} filed, {} limited", count(&flood_statuses, 303), count(&flood_statuses, 429));
    println!("look-ups: {} not found, {} limited", count(&lookups, 404), count(&lookups, 429));
    println!("stalled uploads: {stalled:?}; trickle: {trickle}");

    assert!(peak < PEAK_LIMIT_KIB, "peak server memory {} MiB", peak / 1024);
    // Every attack got an answer, and none a server error.
    for (name, status) in &uploads {
        assert!(matches!(status, 303 | 422 | 429 | 503), "{name}: {status}");
    }
    assert!(
        uploads.iter().filter(|(_, s)| *s == 303).count() >= 6,
        "the parser attacks reached the parser: {uploads:?}"
    );
    assert!(sign_ins.iter().all(|s| matches!(s, 422 | 429 | 503)), "{sign_ins:?}");
    assert!(flood_statuses.iter().all(|s| matches!(s, 303 | 429)), "{flood_statuses:?}");
    assert!(count(&flood_statuses, 429) > 100, "the flood met the limit");
    assert!(lookups.iter().all(|s| matches!(s, 404 | 429)), "{lookups:?}");
    assert!(count(&lookups, 429) > 1900, "random look-ups are paused");
    for answer in stalled.iter().chain(std::iter::once(&trickle)) {
        assert!(
            answer.starts_with("HTTP/1.1 408")
                || answer.starts_with("HTTP/1.1 503")
                || answer.starts_with("HTTP/1.1 429")
                || answer == "closed",
            "a slow upload was not cut off: {answer}"
        );
    }
    // Nothing secret reached the log: no tracking token, no password.
    let log = output.join("\n");
    for (_, to) in flood.iter().filter(|(s, _)| *s == 303) {
        let token = to.trim_start_matches("/track/");
        assert!(token.len() == 64 && !log.contains(token), "a tracking token is in the log");
    }
    assert!(!log.contains("a long wrong guess"));
    assert!(log.contains("/track/{token}"), "requests are logged by route pattern");
    assert!(!log.contains("203.0.113.250"), "a forged X-Forwarded-For is not the logged client address");
    assert!(!log.contains("panicked"), "{log}");
    // And it still serves.
    let health = client().get(format!("{}/healthz", server.base)).send().await.expect("healthz");
    assert_eq!(health.status().as_u16(), 200);
}
