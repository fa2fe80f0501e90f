//! End-to-end tests of the landing-page check against a tiny HTTP server on
//! 127.0.0.1. Host names are pinned to it through `FetchPolicy::resolve`, so
//! nothing leaves the machine.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use frontline::checks::landing::{
    CheckError, FetchPolicy, FindingCode, LandingReport, check_landing_page, default_competitors,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

/// What the test server got.
#[derive(Debug, Clone)]
struct Req {
    method: String,
    host: String,
    path: String,
    user_agent: String,
    port: u16,
}

/// What the test server sends back.
enum Reply {
    /// Status, extra headers, body (sent with Content-Length).
    Full(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// Wait this long before answering at all.
    Sleep(Duration),
    /// 200 text/html without Content-Length, streaming up to this many bytes
    /// until the client goes away.
    Huge(usize),
}

fn html(body: &str) -> Reply {
    Reply::Full(200, vec![("Content-Type", "text/html; charset=utf-8".into())], body.as_bytes().to_vec())
}

fn redirect(status: u16, location: impl Into<String>) -> Reply {
    Reply::Full(status, vec![("Location", location.into())], Vec::new())
}

type Handler = Arc<dyn Fn(&Req) -> Reply + Send + Sync>;

/// Start a server on 127.0.0.1; returns its port. Runs until the test's runtime ends.
async fn serve(handler: impl Fn(&Req) -> Reply + Send + Sync + 'static) -> u16 {
    let handler: Handler = Arc::new(handler);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = handler.clone();
            tokio::spawn(async move {
                let _ = handle(stream, handler, port).await;
            });
        }
    });
    port
}

async fn handle(mut stream: tokio::net::TcpStream, handler: Handler, port: u16) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_owned();
    let path = first.next().unwrap_or("").to_owned();
    let header = |name: &str| {
        head.lines()
            .skip(1)
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
            })
            .unwrap_or_default()
    };
    let req = Req { method, host: header("host"), path, user_agent: header("user-agent"), port };
    match handler(&req) {
        Reply::Full(status, headers, body) => {
            let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            stream.write_all(out.as_bytes()).await?;
            stream.write_all(&body).await?;
        }
        Reply::Sleep(d) => {
            tokio::time::sleep(d).await;
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").await?;
        }
        Reply::Huge(limit) => {
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n").await?;
            let chunk = "<p>Contoso Microsoft</p>\n".repeat(2700).into_bytes(); // ~64 KiB
            let mut sent = 0;
            while sent < limit {
                stream.write_all(&chunk).await?; // fails once the client hangs up
                sent += chunk.len();
            }
        }
    }
    stream.shutdown().await
}

fn pinned(pins: &[(&str, u16)]) -> FetchPolicy {
    FetchPolicy {
        resolve: pins.iter().map(|(h, p)| ((*h).to_owned(), SocketAddr::from(([127, 0, 0, 1], *p)))).collect(),
        ..FetchPolicy::default()
    }
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

async fn check(u: &str, name: &str, policy: &FetchPolicy) -> Result<LandingReport, CheckError> {
    check_landing_page(&url(u), name, &default_competitors(), policy).await
}

async fn report(u: &str, name: &str, policy: &FetchPolicy) -> LandingReport {
    check(u, name, policy).await.unwrap_or_else(|e| panic!("{u}: {e}"))
}

fn codes(r: &LandingReport) -> Vec<FindingCode> {
    r.findings.iter().map(|f| f.code).collect()
}

const GOOD: &str = "<!doctype html><html><head><title>Contoso Learning</title>\
    <script>var competitor = 'AWS';</script></head><body><h1>Contoso Learning Ltd</h1>\
    <p>Official Microsoft Learning Partner &ndash; Azure &amp; Microsoft 365 courses.</p></body></html>";

#[tokio::test]
async fn good_page_has_no_findings_and_sends_a_clear_get() {
    let seen: Arc<Mutex<Vec<Req>>> = Arc::default();
    let log = seen.clone();
    let port = serve(move |r| {
        log.lock().expect("lock").push(r.clone());
        html(GOOD)
    })
    .await;
    let r = report("http://contoso.com/training", "Contoso Learning Ltd", &pinned(&[("contoso.com", port)])).await;
    assert_eq!(r.findings, vec![]);
    assert_eq!(r.http_status, Some(200));
    assert_eq!(r.final_url, "http://contoso.com/training");
    assert_eq!(r.bytes_read, GOOD.len());
    assert!(!r.truncated);
    let seen = seen.lock().expect("lock");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].host, "contoso.com");
    assert_eq!(seen[0].path, "/training");
    assert_eq!(seen[0].user_agent, "FrontlineLandingCheck/0.1 (+support desk listing check)");
}

#[tokio::test]
async fn content_findings() {
    let port = serve(|r| match r.path.as_str() {
        "/competitor" => html("<h1>Contoso</h1><p>Microsoft Azure and Amazon Web Services (AWS) courses</p>"),
        "/laws" => html("<h1>Contoso</h1><p>Microsoft training that follows the laws of Taiwan.</p>"),
        "/no-name" => html("<h1>Fabrikam</h1><p>Microsoft training</p>"),
        "/no-microsoft" => html("<h1>Contoso</h1><p>Cloud training</p>"),
        "/zh" => html(
            "<html lang=zh-Hant><body><h1>台灣微軟\n學習夥伴<span>有限公司</span></h1>\
             <p>&#24494;&#36575;認證課程</p></body></html>",
        ),
        "/zh-big5" => {
            let (body, _, _) = encoding_rs::BIG5.encode("<h1>台灣微軟學習夥伴有限公司</h1><p>微軟課程</p>");
            Reply::Full(200, vec![("Content-Type", "text/html; charset=big5".into())], body.into_owned())
        }
        "/zh-aliyun" => html("<h1>台灣微軟學習夥伴有限公司</h1><p>微軟與阿里雲課程</p>"),
        _ => redirect(404, ""),
    })
    .await;
    let policy = pinned(&[("contoso.com", port)]);
    let zh = "台灣微軟學習夥伴有限公司";
    let cases: &[(&str, &str, &[FindingCode], &str)] = &[
        ("/competitor", "Contoso", &[FindingCode::Competitor], "names AWS"),
        ("/laws", "Contoso", &[], "'laws' is not 'aws'"),
        ("/no-name", "Contoso", &[FindingCode::NameMissing], "name missing"),
        ("/no-microsoft", "Contoso", &[FindingCode::NoMicrosoft], "Microsoft missing"),
        ("/zh", zh, &[], "Chinese name split by a line break and a span, entity-coded 微軟"),
        ("/zh-big5", zh, &[], "Big5-encoded page"),
        ("/zh-aliyun", zh, &[FindingCode::Competitor], "Chinese competitor name"),
        ("/zh", "Contoso", &[FindingCode::NameMissing], "Chinese page, other name"),
    ];
    for (path, name, want, why) in cases {
        let r = report(&format!("http://contoso.com{path}"), name, &policy).await;
        assert_eq!(codes(&r), *want, "{path}: {why}: {:?}", r.findings);
    }
    let r = report("http://contoso.com/competitor", "Contoso", &policy).await;
    assert_eq!(r.findings[0].code.flag().as_str(), "landing_competitor");
    assert_eq!(r.findings[0].reason, "The page names a competitor: Amazon Web Services, AWS");
}

#[tokio::test]
async fn redirects_across_sites() {
    let port = serve(|r| match (r.host.as_str(), r.path.as_str()) {
        ("www.contoso.com", "/") => redirect(301, "http://contoso.com/home"),
        ("contoso.com", "/home") => html(GOOD),
        ("contoso.com", "/away") => redirect(302, "http://fabrikam.com/landing"),
        ("fabrikam.com", "/landing") => html(GOOD),
        ("contoso.com", "/a/rel") => redirect(307, "../home?x=1"),
        ("contoso.com", "/home?x=1") => html(GOOD),
        _ => redirect(404, ""),
    })
    .await;
    let policy = pinned(&[("www.contoso.com", port), ("contoso.com", port), ("fabrikam.com", port)]);

    let r = report("http://www.contoso.com/", "Contoso Learning Ltd", &policy).await;
    assert_eq!(r.findings, vec![], "www → apex is the same site");
    assert_eq!(r.final_url, "http://contoso.com/home");

    let r = report("http://contoso.com/away", "Contoso Learning Ltd", &policy).await;
    assert_eq!(codes(&r), vec![FindingCode::RedirectOffsite]);
    assert_eq!(r.final_url, "http://fabrikam.com/landing");
    assert!(r.findings[0].reason.contains("fabrikam.com"), "{}", r.findings[0].reason);

    let r = report("http://contoso.com/a/rel", "Contoso Learning Ltd", &policy).await;
    assert_eq!(r.findings, vec![], "relative Location resolved against the current URL");
    assert_eq!(r.final_url, "http://contoso.com/home?x=1");
}

#[tokio::test]
async fn redirect_to_a_private_address_is_refused() {
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    let port = serve(move |r| match r.path.as_str() {
        "/" => redirect(302, format!("http://127.0.0.1:{}/secret", r.port)),
        "/mapped" => redirect(302, format!("http://[::ffff:127.0.0.1]:{}/secret", r.port)),
        "/metadata" => redirect(302, "http://169.254.169.254/latest/meta-data/"),
        "/localhost" => redirect(302, format!("http://localhost:{}/secret", r.port)),
        _ => {
            count.fetch_add(1, Ordering::SeqCst);
            html(GOOD)
        }
    })
    .await;
    let policy = pinned(&[("contoso.com", port)]);
    for path in ["/", "/mapped", "/metadata", "/localhost"] {
        let r = report(&format!("http://contoso.com{path}"), "Contoso", &policy).await;
        assert_eq!(codes(&r), vec![FindingCode::Unreachable], "{path}");
        assert!(r.findings[0].reason.contains("non-public address"), "{path}: {}", r.findings[0].reason);
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the refused target was never requested");
}

#[tokio::test]
async fn unpinned_loopback_is_refused_unless_private_is_allowed() {
    let port = serve(|_| html(GOOD)).await;
    let strict = FetchPolicy::default();
    for u in [format!("http://localhost:{port}/"), format!("http://127.0.0.1:{port}/"), format!("http://[::1]:{port}/")]
    {
        let r = report(&u, "Contoso", &strict).await;
        assert_eq!(codes(&r), vec![FindingCode::Unreachable], "{u}");
        assert!(r.findings[0].reason.contains("non-public address"), "{u}: {}", r.findings[0].reason);
        assert_eq!(r.http_status, None, "{u}: nothing was requested");
    }
    let relaxed = FetchPolicy { allow_private: true, ..FetchPolicy::default() };
    let r = report(&format!("http://127.0.0.1:{port}/"), "Contoso Learning Ltd", &relaxed).await;
    assert_eq!(r.findings, vec![]);
}

#[tokio::test]
async fn slow_page_times_out_as_transient() {
    let port = serve(|_| Reply::Sleep(Duration::from_secs(20))).await;
    let policy = FetchPolicy { timeout: Duration::from_millis(500), ..pinned(&[("contoso.com", port)]) };
    let started = Instant::now();
    let err = check("http://contoso.com/", "Contoso", &policy).await;
    assert!(matches!(err, Err(CheckError::Transient(_))), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn huge_page_is_cut_off() {
    let port = serve(|_| Reply::Huge(64 * 1024 * 1024)).await;
    let policy = FetchPolicy { max_body_bytes: 300_000, ..pinned(&[("contoso.com", port)]) };
    let r = report("http://contoso.com/", "Contoso", &policy).await;
    assert!(r.truncated);
    assert_eq!(r.bytes_read, 300_000);
    assert_eq!(r.findings, vec![], "the part read is still checked");

    let policy = pinned(&[("contoso.com", port)]);
    let r = report("http://contoso.com/", "Contoso", &policy).await;
    assert!(r.truncated);
    assert_eq!(r.bytes_read, 1024 * 1024, "default limit is 1 MiB");
}

#[tokio::test]
async fn http_errors_and_content_types() {
    let port = serve(|r| match r.path.as_str() {
        "/pdf" => Reply::Full(200, vec![("Content-Type", "application/pdf".into())], b"%PDF-1.7".to_vec()),
        "/xhtml" => Reply::Full(200, vec![("Content-Type", "application/xhtml+xml".into())], GOOD.as_bytes().to_vec()),
        "/untyped-html" => Reply::Full(200, vec![], GOOD.as_bytes().to_vec()),
        "/untyped-text" => Reply::Full(200, vec![], b"Contoso Microsoft".to_vec()),
        "/gone" => Reply::Full(404, vec![("Content-Type", "text/html".into())], b"nope".to_vec()),
        "/busy" => Reply::Full(503, vec![], Vec::new()),
        "/slow-down" => Reply::Full(429, vec![], Vec::new()),
        "/no-location" => Reply::Full(302, vec![], Vec::new()),
        "/ftp" => redirect(302, "ftp://contoso.com/file"),
        _ => html(GOOD),
    })
    .await;
    let policy = pinned(&[("contoso.com", port)]);
    let base = "http://contoso.com";
    let name = "Contoso Learning Ltd";

    let r = report(&format!("{base}/pdf"), name, &policy).await;
    assert_eq!(codes(&r), vec![FindingCode::NotHtml]);
    assert_eq!(r.findings[0].code.flag().as_str(), "landing_unreachable");
    assert!(r.findings[0].reason.contains("application/pdf"), "{}", r.findings[0].reason);

    assert_eq!(report(&format!("{base}/xhtml"), name, &policy).await.findings, vec![]);
    assert_eq!(report(&format!("{base}/untyped-html"), name, &policy).await.findings, vec![]);
    assert_eq!(codes(&report(&format!("{base}/untyped-text"), name, &policy).await), vec![FindingCode::NotHtml]);

    let r = report(&format!("{base}/gone"), name, &policy).await;
    assert_eq!(codes(&r), vec![FindingCode::Unreachable]);
    assert_eq!(r.http_status, Some(404));
    assert!(r.findings[0].reason.contains("404"));

    for path in ["/busy", "/slow-down"] {
        let err = check(&format!("{base}{path}"), name, &policy).await;
        assert!(matches!(err, Err(CheckError::Transient(_))), "{path}: {err:?}");
    }
    for path in ["/no-location", "/ftp"] {
        assert_eq!(
            codes(&report(&format!("{base}{path}"), name, &policy).await),
            vec![FindingCode::Unreachable],
            "{path}"
        );
    }
}

#[tokio::test]
async fn redirect_loops_are_bounded() {
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    let port = serve(move |r| {
        count.fetch_add(1, Ordering::SeqCst);
        match r.path.as_str() {
            "/a" => redirect(302, "/b"),
            "/b" => redirect(302, "/a"),
            p => {
                // /n/1 → /n/2 → … never repeats
                let n: usize = p.rsplit('/').next().and_then(|n| n.parse().ok()).unwrap_or(0);
                redirect(302, format!("/n/{}", n + 1))
            }
        }
    })
    .await;
    let policy = pinned(&[("contoso.com", port)]);

    let r = report("http://contoso.com/a", "Contoso", &policy).await;
    assert_eq!(codes(&r), vec![FindingCode::Unreachable]);
    assert_eq!(hits.swap(0, Ordering::SeqCst), 2, "loop noticed on the first repeat");

    let r = report("http://contoso.com/n/0", "Contoso", &policy).await;
    assert_eq!(codes(&r), vec![FindingCode::Unreachable]);
    assert!(r.findings[0].reason.contains("Too many redirects"), "{}", r.findings[0].reason);
    assert_eq!(hits.load(Ordering::SeqCst), policy.max_redirects + 1);
}

#[tokio::test]
async fn connection_refused_is_transient() {
    // Bind then drop to get a port nobody listens on.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        l.local_addr().expect("addr").port()
    };
    let policy = pinned(&[("contoso.com", port)]);
    let err = check("http://contoso.com/", "Contoso", &policy).await;
    assert!(matches!(err, Err(CheckError::Transient(_))), "{err:?}");
}

#[tokio::test]
async fn explicit_url_port_wins_over_pinned_port() {
    let port = serve(|_| html(GOOD)).await;
    let policy = FetchPolicy {
        resolve: vec![("contoso.com".into(), SocketAddr::from(([127, 0, 0, 1], 1)))],
        ..FetchPolicy::default()
    };
    let r = report(&format!("http://contoso.com:{port}/"), "Contoso Learning Ltd", &policy).await;
    assert_eq!(r.findings, vec![]);
}

#[test]
fn check_future_is_send_so_any_runtime_can_spawn_it() {
    fn assert_send<T: Send>(_: &T) {}
    let u = url("http://contoso.com/");
    let competitors = default_competitors();
    let policy = FetchPolicy::default();
    let fut = check_landing_page(&u, "Contoso", &competitors, &policy);
    assert_send(&fut);
}
