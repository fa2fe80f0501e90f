//! The landing-page check: fetch a partner's landing page in a background job
//! and report what is wrong with it.
//!
//! The fetcher is safe to point at anything (SSRF):
//! * every host is resolved here (or taken from an operator pin), every
//!   address is vetted by [`is_public_ip`], and the HTTP client is told to
//!   connect to exactly those addresses (`ClientBuilder::resolve_to_addrs`),
//!   so a DNS answer cannot change between the check and the connect;
//! * redirects are followed by hand, one vetted hop at a time, at most
//!   [`FetchPolicy::max_redirects`] of them;
//! * no proxy, only `GET`, only `http`/`https`, a total and a connect
//!   time-out, and at most [`FetchPolicy::max_body_bytes`] of body is read.
//!
//! Permanent problems (4xx, not HTML, a refused address, too many redirects,
//! content problems) are [`Finding`]s in an `Ok` report; problems worth
//! retrying (time-out, connection refused/reset, DNS failure, 5xx, 408, 429)
//! are [`CheckError::Transient`], and the job records
//! [`FindingCode::Unreachable`] itself after its last retry.
//!
//! Runtime: needs a Tokio runtime with I/O and time enabled (any flavour;
//! the current-thread runtimes of actix-web workers are fine).

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use url::{Host, Url};

use crate::domain::landing_page;
pub use crate::domain::landing_page::{Finding, FindingCode, default_competitors};

/// Environment variable (test-only) that sets [`FetchPolicy::allow_private`]
/// when it is `1`/`true`/`yes`.
pub const ENV_ALLOW_PRIVATE: &str = "FRONTLINE_CHECK_ALLOW_PRIVATE";
/// Environment variable (test-only) holding [`FetchPolicy::resolve`] pins in
/// the [`parse_resolve_overrides`] syntax.
pub const ENV_RESOLVE: &str = "FRONTLINE_CHECK_RESOLVE";

/// How the landing page may be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Test-only: skip the refusal of non-public addresses.
    pub allow_private: bool,
    /// Test-only pins, like `curl --resolve`: a host listed here connects to
    /// the given address instead of being looked up. Pinned addresses are
    /// trusted (the operator chose them) and are not vetted. If the URL has no
    /// explicit port, the pinned port is used (`0` means the scheme default).
    pub resolve: Vec<(String, SocketAddr)>,
    /// Total time for the whole check, all redirects and the body included.
    pub timeout: Duration,
    /// Time allowed to open each TCP connection.
    pub connect_timeout: Duration,
    /// Most redirects followed before giving up.
    pub max_redirects: usize,
    /// Most bytes of body read; the rest is not downloaded.
    pub max_body_bytes: usize,
    /// The `User-Agent` sent.
    pub user_agent: String,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            allow_private: false,
            resolve: Vec::new(),
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_redirects: 5,
            max_body_bytes: 1024 * 1024,
            user_agent: "FrontlineLandingCheck/0.1 (+support desk listing check)".to_owned(),
        }
    }
}

impl FetchPolicy {
    /// The default policy with the test-only settings taken from
    /// [`ENV_ALLOW_PRIVATE`] and [`ENV_RESOLVE`]; an unparsable
    /// `FRONTLINE_CHECK_RESOLVE` is an error (say so at start-up).
    pub fn from_env() -> Result<FetchPolicy, String> {
        FetchPolicy::from_settings(
            std::env::var(ENV_ALLOW_PRIVATE).ok().as_deref(),
            std::env::var(ENV_RESOLVE).ok().as_deref(),
        )
    }

    /// The default policy with the test-only settings given as the raw values
    /// of [`ENV_ALLOW_PRIVATE`] (`1`/`true`/`yes` enable it) and
    /// [`ENV_RESOLVE`] (for configuration read by other means, e.g. clap).
    pub fn from_settings(allow_private: Option<&str>, resolve: Option<&str>) -> Result<FetchPolicy, String> {
        let allow_private =
            allow_private.is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"));
        let resolve = match resolve {
            Some(v) => parse_resolve_overrides(v).map_err(|e| format!("{ENV_RESOLVE}: {e}"))?,
            None => Vec::new(),
        };
        Ok(FetchPolicy { allow_private, resolve, ..FetchPolicy::default() })
    }
}

/// Parse `host=IP:PORT[,host=IP:PORT…]` (IPv6 as `[::1]:8080`) into pins for
/// [`FetchPolicy::resolve`]. Hosts are normalised to lower-case ASCII
/// (punycode) without a trailing dot. Blank input (or blank items) give no pins.
pub fn parse_resolve_overrides(s: &str) -> Result<Vec<(String, SocketAddr)>, String> {
    let mut pins = Vec::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (host, addr) = item.split_once('=').ok_or_else(|| format!("`{item}`: expected host=IP:PORT"))?;
        let host =
            normalize_host(host.trim()).ok_or_else(|| format!("`{item}`: `{}` is not a host name", host.trim()))?;
        let addr: SocketAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("`{item}`: `{}` is not IP:PORT (IPv6 as [::1]:8080)", addr.trim()))?;
        pins.push((host, addr));
    }
    Ok(pins)
}

/// The outcome of one completed check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandingReport {
    /// The URL last requested (after redirects).
    pub final_url: String,
    /// HTTP status of the last response, if there was one.
    pub http_status: Option<u16>,
    /// Body bytes read from the last response.
    pub bytes_read: usize,
    /// Whether the body was cut off at [`FetchPolicy::max_body_bytes`].
    pub truncated: bool,
    /// Problems found; empty means the page passed.
    pub findings: Vec<Finding>,
}

/// The check could not finish, but trying again later may help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// Time-out, connection refused/reset, DNS failure, HTTP 5xx/408/429.
    #[error("landing page check failed, worth retrying: {0}")]
    Transient(String),
}

/// Whether an address may be connected to: false for loopback, unspecified,
/// private (RFC 1918, `fc00::/7`), link-local (`169.254/16`, `fe80::/10`),
/// CGNAT (`100.64/10`), multicast, broadcast, documentation, benchmarking,
/// reserved and protocol-assignment ranges, and for IPv4-mapped, IPv4-compatible,
/// NAT64 (`64:ff9b::/96`) and 6to4 addresses that embed any of those. Only
/// IPv6 global unicast (`2000::/3`) outside special ranges counts as public.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0 // "this network", 0.0.0.0
        || a == 10 // RFC 1918
        || a == 127 // loopback
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 169 && b == 254) // link-local
        || (a == 172 && (16..32).contains(&b)) // RFC 1918
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // TEST-NET-1
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast (deprecated)
        || (a == 192 && b == 168) // RFC 1918
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18/15
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // TEST-NET-3
        || a >= 224) // multicast 224/4, reserved 240/4, broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let seg = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    // ::ffff:0:0/96 IPv4-mapped: judge the IPv4 address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    // 64:ff9b::/96 well-known NAT64 prefix: judge the embedded IPv4 address.
    if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded_v4(seg[6], seg[7]));
    }
    // 2002::/16 6to4: judge the embedded IPv4 address.
    if seg[0] == 0x2002 {
        return is_public_v4(embedded_v4(seg[1], seg[2]));
    }
    // Everything else must be global unicast 2000::/3 (this excludes ::/128,
    // ::1, ::/96 IPv4-compatible, 100::/64 discard, fc00::/7, fe80::/10,
    // fec0::/10, ff00::/8 and 64:ff9b:1::/48 local NAT64)…
    if seg[0] & 0xe000 != 0x2000 {
        return false;
    }
    // …outside its special-purpose blocks.
    let special = match seg[0] {
        // 2001::/23 IETF protocol assignments (Teredo, ORCHID, …) and
        // 2001:db8::/32 documentation.
        0x2001 => seg[1] < 0x0200 || seg[1] == 0x0db8,
        // 3fff::/20 documentation (RFC 9637).
        0x3fff => seg[1] < 0x1000,
        // 5f00::/16 SRv6 SIDs.
        0x5f00 => true,
        _ => false,
    };
    !special
}

/// Fetch `url` safely and check the page: reachable, HTML, shows
/// `directory_name`, mentions Microsoft, names none of `competitors`, stays on
/// the same registrable domain. See the module documentation for what is a
/// finding and what is a [`CheckError::Transient`].
pub async fn check_landing_page(
    url: &Url,
    directory_name: &str,
    competitors: &[String],
    policy: &FetchPolicy,
) -> Result<LandingReport, CheckError> {
    match tokio::time::timeout(policy.timeout, fetch_and_check(url, directory_name, competitors, policy)).await {
        Ok(result) => result,
        Err(_) => Err(CheckError::Transient(format!("timed out after {} ms", policy.timeout.as_millis()))),
    }
}

/// Result of one hop's address vetting.
enum Target {
    /// Connect to these addresses (host name → addresses for the client).
    Connect(Option<(String, Vec<SocketAddr>)>),
    /// Permanent refusal, with the reason.
    Refused(String),
}

async fn fetch_and_check(
    start: &Url,
    directory_name: &str,
    competitors: &[String],
    policy: &FetchPolicy,
) -> Result<LandingReport, CheckError> {
    let mut current = start.clone();
    let mut visited: HashSet<String> = HashSet::new();
    let mut redirects = 0usize;
    let mut report = LandingReport {
        final_url: current.to_string(),
        http_status: None,
        bytes_read: 0,
        truncated: false,
        findings: Vec::new(),
    };
    let unreachable = |mut report: LandingReport, reason: String| {
        report.findings.push(Finding::new(FindingCode::Unreachable, reason));
        Ok(report)
    };

    let response = loop {
        // Never send credentials from a URL.
        let _ = current.set_username("");
        let _ = current.set_password(None);
        report.final_url = current.to_string();
        visited.insert(current.to_string());
        if !matches!(current.scheme(), "http" | "https") {
            return unreachable(report, format!("Unsupported address scheme `{}`", current.scheme()));
        }

        let pin = match vet_target(&current, policy).await? {
            Target::Connect(pin) => pin,
            Target::Refused(reason) => return unreachable(report, reason),
        };
        let client = build_client(policy, pin)?;
        let response = client
            .get(current.clone())
            .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
            .send()
            .await
            .map_err(|e| transient(&e))?;
        let status = response.status();
        report.http_status = Some(status.as_u16());

        if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            let Some(location) = response
                .headers()
                .get(reqwest::header::LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .filter(|v| !v.trim().is_empty())
            else {
                return unreachable(report, format!("HTTP {} redirect without a usable Location", status.as_u16()));
            };
            let Ok(next) = current.join(location.trim()) else {
                return unreachable(report, format!("Redirect to an invalid address: {location}"));
            };
            redirects += 1;
            if redirects > policy.max_redirects {
                return unreachable(report, format!("Too many redirects (more than {})", policy.max_redirects));
            }
            if visited.contains(next.as_str()) {
                report.final_url = next.to_string();
                return unreachable(report, "Redirect loop".to_owned());
            }
            current = next;
            continue;
        }
        let code = status.as_u16();
        if status.is_server_error() || code == 408 || code == 429 {
            return Err(CheckError::Transient(format!("HTTP {code} from {current}")));
        }
        if !status.is_success() {
            return unreachable(report, format!("The page returned HTTP {code}"));
        }
        break response;
    };

    let content_type =
        response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mime = content_type.as_deref().map(|ct| ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    if let Some(mime) = &mime
        && !is_html_mime(mime)
    {
        report
            .findings
            .push(Finding::new(FindingCode::NotHtml, format!("The page is not an HTML page (Content-Type: {mime})")));
        return Ok(report);
    }

    let (body, truncated) = read_limited(response, policy.max_body_bytes).await?;
    report.bytes_read = body.len();
    report.truncated = truncated;
    if mime.is_none() && !looks_like_html(&body) {
        report.findings.push(Finding::new(FindingCode::NotHtml, "The page is not an HTML page (no Content-Type)"));
        return Ok(report);
    }

    if let Some(reason) = landing_page::offsite_reason(start, &current) {
        report.findings.push(Finding::new(FindingCode::RedirectOffsite, reason));
    }
    // Parsing and styling the page is CPU work: off the async executor.
    let (name, competitors) = (directory_name.to_owned(), competitors.to_vec());
    let content_type = content_type.clone();
    let findings = tokio::task::spawn_blocking(move || {
        content_findings(&decode_body(&body, content_type.as_deref()), &name, &competitors)
    })
    .await
    .map_err(|e| CheckError::Transient(format!("the page could not be read: {e}")))?;
    report.findings.extend(findings);
    Ok(report)
}

/// Resolve (or take the pin for) the URL's host and vet every address.
async fn vet_target(url: &Url, policy: &FetchPolicy) -> Result<Target, CheckError> {
    let Some(port) = url.port_or_known_default() else {
        return Ok(Target::Refused(format!("No port for {url}")));
    };
    match url.host() {
        Some(Host::Ipv4(ip)) => Ok(vet_addrs(None, vec![SocketAddr::new(ip.into(), port)], policy)),
        Some(Host::Ipv6(ip)) => Ok(vet_addrs(None, vec![SocketAddr::new(ip.into(), port)], policy)),
        Some(Host::Domain(host)) => {
            if let Some(mut pinned) = pinned_addr(policy, host) {
                // Same port rule as the HTTP connector: an explicit URL port
                // wins, else the pinned port, else the scheme default.
                if url.port().is_some() || pinned.port() == 0 {
                    pinned.set_port(port);
                }
                return Ok(Target::Connect(Some((host.to_owned(), vec![pinned]))));
            }
            let lookup = host.strip_suffix('.').unwrap_or(host);
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((lookup, port))
                .await
                .map_err(|e| CheckError::Transient(format!("cannot resolve {host}: {e}")))?
                .collect();
            if addrs.is_empty() {
                return Err(CheckError::Transient(format!("{host} has no addresses")));
            }
            Ok(vet_addrs(Some(host.to_owned()), addrs, policy))
        }
        None => Ok(Target::Refused(format!("No host in {url}"))),
    }
}

/// Refuse if any address is non-public (unless allowed): a name that
/// resolves to a mix could be steered to the private one.
fn vet_addrs(host: Option<String>, addrs: Vec<SocketAddr>, policy: &FetchPolicy) -> Target {
    if !policy.allow_private
        && let Some(bad) = addrs.iter().find(|a| !is_public_ip(a.ip()))
    {
        let name = host.as_deref().map_or_else(|| bad.ip().to_string(), str::to_owned);
        return Target::Refused(format!("The address {name} resolves to a non-public address ({})", bad.ip()));
    }
    Target::Connect(host.map(|h| (h, addrs)))
}

fn pinned_addr(policy: &FetchPolicy, host: &str) -> Option<SocketAddr> {
    let host = normalize_host(host)?;
    policy.resolve.iter().find(|(h, _)| normalize_host(h).as_deref() == Some(host.as_str())).map(|(_, a)| *a)
}

/// Lower-case ASCII form of a host name without trailing dot.
fn normalize_host(host: &str) -> Option<String> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.contains(['/', ':', '@', ' ', '[', ']']) {
        return None;
    }
    idna::domain_to_ascii(host).ok().filter(|h| !h.is_empty())
}

fn build_client(policy: &FetchPolicy, pin: Option<(String, Vec<SocketAddr>)>) -> Result<reqwest::Client, CheckError> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(policy.connect_timeout)
        .timeout(policy.timeout)
        .pool_max_idle_per_host(0)
        .user_agent(policy.user_agent.clone())
        // Defence in depth: any name not pinned below fails instead of being
        // looked up (and connected to) unvetted.
        .dns_resolver(NoDns);
    if let Some((host, addrs)) = pin {
        builder = builder.resolve_to_addrs(&host, &addrs);
    }
    builder.build().map_err(|e| CheckError::Transient(format!("cannot build HTTP client: {e}")))
}

/// A resolver that resolves nothing: the client may only connect to the
/// addresses vetted and pinned per hop with `resolve_to_addrs`.
struct NoDns;

impl reqwest::dns::Resolve for NoDns {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let message = format!("{} was not vetted for this request", name.as_str());
        Box::pin(std::future::ready(Err(message.into())))
    }
}

fn transient(e: &reqwest::Error) -> CheckError {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut msg = format!("{kind}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    CheckError::Transient(msg)
}

/// Read at most `limit` bytes of body; never holds more than that.
async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<(Vec<u8>, bool), CheckError> {
    let mut body = Vec::with_capacity(limit.min(64 * 1024));
    while let Some(chunk) = response.chunk().await.map_err(|e| transient(&e))? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

fn is_html_mime(mime: &str) -> bool {
    matches!(mime, "text/html" | "application/xhtml+xml")
}

/// Findings about the page's visible text (see [`super::page_text`]).
fn content_findings(html: &str, directory_name: &str, competitors: &[String]) -> Vec<Finding> {
    landing_page::content_findings(&super::page_text::visible_text(html), directory_name, competitors)
}

fn looks_like_html(body: &[u8]) -> bool {
    let start: Vec<u8> = body
        .iter()
        .skip_while(|b| b.is_ascii_whitespace() || **b == 0xef || **b == 0xbb || **b == 0xbf)
        .take(16)
        .map(u8::to_ascii_lowercase)
        .collect();
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html") || start.starts_with(b"<head")
}

/// Decode per the Content-Type charset, else a `<meta charset>` in the first
/// 1024 bytes, else UTF-8; a BOM wins over both. Invalid bytes become U+FFFD.
fn decode_body(body: &[u8], content_type: Option<&str>) -> String {
    let label = content_type.and_then(charset_param).or_else(|| meta_charset(&body[..body.len().min(1024)]));
    let encoding = label.and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes())).unwrap_or(encoding_rs::UTF_8);
    let (text, _, _) = encoding.decode(body);
    text.into_owned()
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches(['"', '\'']).to_owned())
    })
}

fn meta_charset(head: &[u8]) -> Option<String> {
    let lower = head.to_ascii_lowercase();
    let pos = lower.windows(8).position(|w| w == b"charset=")?;
    let rest = &lower[pos + 8..];
    let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")).unwrap_or(rest);
    let label: Vec<u8> = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
        .copied()
        .collect();
    (!label.is_empty()).then(|| String::from_utf8_lossy(&label).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::landing_page::{contains_name, contains_word, normalize_text, offsite_reason};

    #[test]
    fn address_classifier() {
        // (address, public?, why)
        let cases: &[(&str, bool, &str)] = &[
            ("93.184.215.14", true, "ordinary public IPv4"),
            ("8.8.8.8", true, "public resolver"),
            ("100.63.255.255", true, "just below CGNAT"),
            ("100.128.0.0", true, "just above CGNAT"),
            ("172.15.255.255", true, "just below 172.16/12"),
            ("172.32.0.0", true, "just above 172.16/12"),
            ("223.255.255.255", true, "last unicast before multicast"),
            ("0.0.0.0", false, "unspecified"),
            ("0.1.2.3", false, "this network 0/8"),
            ("10.1.2.3", false, "RFC 1918 10/8"),
            ("127.0.0.1", false, "loopback"),
            ("127.255.255.254", false, "loopback /8"),
            ("100.64.0.1", false, "CGNAT"),
            ("100.127.255.255", false, "CGNAT end"),
            ("169.254.169.254", false, "link-local (cloud metadata)"),
            ("172.16.0.1", false, "RFC 1918 172.16/12"),
            ("172.31.255.255", false, "RFC 1918 172.16/12 end"),
            ("192.0.0.8", false, "IETF protocol assignments"),
            ("192.0.2.1", false, "TEST-NET-1"),
            ("192.88.99.1", false, "6to4 relay anycast"),
            ("192.168.1.1", false, "RFC 1918 192.168/16"),
            ("198.18.0.1", false, "benchmarking"),
            ("198.19.255.255", false, "benchmarking end"),
            ("198.51.100.7", false, "TEST-NET-2"),
            ("203.0.113.9", false, "TEST-NET-3"),
            ("224.0.0.1", false, "multicast"),
            ("240.0.0.1", false, "reserved"),
            ("255.255.255.255", false, "broadcast"),
            ("2606:4700:4700::1111", true, "public IPv6"),
            ("2a00:1450:4001:80b::200e", true, "public IPv6"),
            ("::", false, "unspecified"),
            ("::1", false, "loopback"),
            ("::127.0.0.1", false, "IPv4-compatible"),
            ("::ffff:127.0.0.1", false, "IPv4-mapped loopback"),
            ("::ffff:10.0.0.1", false, "IPv4-mapped private"),
            ("::ffff:169.254.169.254", false, "IPv4-mapped link-local"),
            ("::ffff:8.8.8.8", true, "IPv4-mapped public"),
            ("64:ff9b::7f00:1", false, "NAT64 of loopback"),
            ("64:ff9b::808:808", true, "NAT64 of public"),
            ("64:ff9b:1::1", false, "local-use NAT64"),
            ("2002:7f00:1::1", false, "6to4 of loopback"),
            ("2002:c0a8:101::1", false, "6to4 of 192.168.1.1"),
            ("2002:808:808::1", true, "6to4 of public"),
            ("fc00::1", false, "unique local"),
            ("fd12:3456::1", false, "unique local fd"),
            ("fe80::1", false, "link-local"),
            ("fec0::1", false, "site-local (deprecated)"),
            ("ff02::1", false, "multicast"),
            ("100::1", false, "discard-only"),
            ("2001:db8::1", false, "documentation"),
            ("3fff::1", false, "documentation (RFC 9637)"),
            ("2001::1", false, "Teredo"),
            ("2001:10::1", false, "ORCHID"),
            ("2001:200::1", true, "just past 2001::/23"),
            ("3fff:fff::1", false, "documentation 3fff::/20 end"),
            ("3fff:1000::1", true, "just past 3fff::/20"),
            ("5f00::1", false, "SRv6"),
            ("4000::1", false, "outside 2000::/3"),
        ];
        for (addr, public, why) in cases {
            let ip: IpAddr = addr.parse().unwrap_or_else(|e| panic!("{addr}: {e}"));
            assert_eq!(is_public_ip(ip), *public, "{addr}: {why}");
        }
    }

    #[test]
    fn resolve_overrides() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let ok: &[Case] = &[
            ("", &[], "empty means no pins"),
            ("  ", &[], "blank means no pins"),
            ("partner.example=127.0.0.1:8080", &[("partner.example", "127.0.0.1:8080")], "one pin"),
            (
                "a.example=127.0.0.1:1, b.example=[::1]:8443 ,",
                &[("a.example", "127.0.0.1:1"), ("b.example", "[::1]:8443")],
                "several, spaces, IPv6, trailing comma",
            ),
            ("WWW.Contoso.COM.=10.0.0.1:80", &[("www.contoso.com", "10.0.0.1:80")], "host normalised"),
            ("bücher.de=127.0.0.1:0", &[("xn--bcher-kva.de", "127.0.0.1:0")], "IDN to punycode, port 0"),
        ];
        for (input, want, why) in ok {
            let got = parse_resolve_overrides(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            let want: Vec<(String, SocketAddr)> =
                want.iter().map(|(h, a)| ((*h).to_owned(), a.parse().unwrap_or_else(|e| panic!("{a}: {e}")))).collect();
            assert_eq!(got, want, "{why}");
        }
        let bad: &[(&str, &str)] = &[
            ("partner.example", "no ="),
            ("partner.example=127.0.0.1", "no port"),
            ("partner.example=::1:80", "IPv6 without brackets"),
            ("partner.example=localhost:80", "name instead of IP"),
            ("=127.0.0.1:80", "no host"),
            ("http://x=127.0.0.1:80", "URL instead of host"),
            ("a.example=127.0.0.1:99999", "port out of range"),
        ];
        for (input, why) in bad {
            assert!(parse_resolve_overrides(input).is_err(), "{input:?}: {why}");
        }
    }

    #[tokio::test]
    async fn client_never_resolves_unpinned_names() {
        let client = build_client(&FetchPolicy::default(), None).unwrap_or_else(|e| panic!("{e}"));
        let err = client.get("http://localhost:9/").send().await;
        let err = err.err().unwrap_or_else(|| panic!("localhost must not be resolved"));
        assert!(format!("{err:?}").contains("was not vetted"), "{err:?}");
    }

    #[test]
    fn policy_from_settings() {
        let p = FetchPolicy::from_settings(None, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p, FetchPolicy::default());
        assert_eq!(p.timeout, Duration::from_secs(10));
        assert_eq!(p.max_redirects, 5);
        assert_eq!(p.max_body_bytes, 1 << 20);
        for (v, want) in [("1", true), ("TRUE", true), (" yes ", true), ("0", false), ("", false)] {
            let p = FetchPolicy::from_settings(Some(v), None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(p.allow_private, want, "{v:?}");
        }
        let p = FetchPolicy::from_settings(None, Some("a.example=127.0.0.1:80")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.resolve.len(), 1);
        assert!(FetchPolicy::from_settings(None, Some("nonsense")).is_err());
    }

    #[test]
    fn finding_codes() {
        use FindingCode::*;
        let cases = [
            (Unreachable, "landing_unreachable"),
            (NotHtml, "landing_unreachable"),
            (NameMissing, "landing_name_missing"),
            (NoMicrosoft, "landing_no_microsoft"),
            (Competitor, "landing_competitor"),
            (RedirectOffsite, "landing_redirect_offsite"),
        ];
        for (code, s) in cases {
            assert_eq!(code.flag().as_str(), s);
        }
    }

    #[test]
    fn word_matching() {
        let cases: &[(&str, &str, bool, &str)] = &[
            ("we teach aws and azure", "aws", true, "whole word"),
            ("know the laws of azure", "aws", false, "inside a word"),
            ("aws-certified trainers", "aws", true, "hyphen is a boundary"),
            ("(aws)", "aws", true, "punctuation boundary"),
            ("awsome", "aws", false, "prefix of a word"),
            ("laws, then aws", "aws", true, "second occurrence"),
            ("amazon web services training", "amazon web services", true, "multi-word"),
            ("我們也教阿里雲課程", "阿里雲", true, "CJK needs no boundary"),
            ("salesforcecom", "salesforce", false, "glued"),
        ];
        for (text, needle, want, why) in cases {
            assert_eq!(contains_word(text, needle), *want, "{text:?} / {needle:?}: {why}");
        }
    }

    #[test]
    fn name_matching() {
        let name = normalize_text("台灣微軟學習夥伴有限公司");
        let page =
            normalize_text(&crate::checks::page_text::visible_text("<h1>台灣微軟\n學習夥伴<span>有限公司</span></h1>"));
        assert!(contains_name(&page, &name), "line break inside a CJK name");
        let name = normalize_text("Contoso  Learning\u{a0}Ltd");
        assert!(contains_name("welcome to contoso learning ltd.", &name));
        assert!(contains_name(&normalize_text("O\u{2019}Brien & Sons"), &normalize_text("O'Brien & Sons")));
        assert!(!contains_name("fabrikam", &normalize_text("Contoso")));
    }

    #[test]
    fn charset_decoding() {
        let (big5, _, _) = encoding_rs::BIG5.encode("微軟 夥伴");
        assert_eq!(decode_body(&big5, Some("text/html; charset=Big5")), "微軟 夥伴", "header charset");
        let mut meta = b"<meta charset=\"big5\">".to_vec();
        meta.extend_from_slice(&big5);
        assert!(decode_body(&meta, Some("text/html")).ends_with("微軟 夥伴"), "meta charset");
        let mut http_equiv = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">".to_vec();
        let (gbk, _, _) = encoding_rs::GBK.encode("微软");
        http_equiv.extend_from_slice(&gbk);
        assert!(decode_body(&http_equiv, None).ends_with("微软"), "http-equiv charset");
        assert_eq!(decode_body("微軟".as_bytes(), Some("text/html")), "微軟", "UTF-8 default");
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice("微軟".as_bytes());
        assert_eq!(decode_body(&bom, Some("text/html; charset=iso-8859-1")), "微軟", "BOM wins");
        assert_eq!(decode_body(&[0x66, 0xff], None), "f\u{fffd}", "invalid UTF-8 replaced");
    }

    #[test]
    fn content_checks() {
        let comps = default_competitors();
        let codes = |html: &str, name: &str| -> Vec<FindingCode> {
            content_findings(html, name, &comps).into_iter().map(|f| f.code).collect()
        };
        use FindingCode::*;
        let cases: &[(&str, &str, &[FindingCode], &str)] = &[
            ("<h1>Contoso</h1><p>Microsoft Learn partner</p>", "Contoso", &[], "good page"),
            ("<p>Microsoft training</p>", "Contoso", &[NameMissing], "name missing"),
            ("<p>Contoso training</p>", "Contoso", &[NoMicrosoft], "no Microsoft"),
            ("<p>Contoso 微软 培训</p>", "Contoso", &[], "simplified Chinese Microsoft"),
            ("<p>Contoso: Microsoft &amp; AWS</p>", "Contoso", &[Competitor], "competitor"),
            ("<p>Contoso follows the laws; Microsoft</p>", "Contoso", &[], "no false positive in laws"),
            ("<p>Microsoft</p><!-- Contoso -->", "Contoso", &[NameMissing], "comment is not visible"),
            ("<p>Contoso Microsoft</p>", "  ", &[], "blank name is not checked"),
        ];
        for (html, name, want, why) in cases {
            assert_eq!(codes(html, name), *want, "{why}");
        }
        let f = content_findings("<p>Contoso Microsoft AWS, Google Cloud and aws</p>", "Contoso", &comps);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].reason, "The page names a competitor: AWS, Google Cloud");
    }

    #[test]
    fn offsite() {
        let u = |s: &str| Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        let cases: &[(&str, &str, bool, &str)] = &[
            ("https://www.contoso.com/", "https://contoso.com/x", false, "www to apex"),
            ("https://contoso.com/", "https://learn.contoso.com/x", false, "subdomain"),
            ("http://contoso.com/", "https://contoso.com/", false, "http to https"),
            ("https://contoso.com/", "https://fabrikam.com/", true, "other domain"),
            ("https://contoso.github.io/", "https://fabrikam.github.io/", true, "private suffix sites differ"),
            ("http://partner.example/", "http://www.partner.example/", false, "unknown suffix: www ignored"),
            ("http://partner.example/", "http://127.0.0.1/", true, "to an IP"),
        ];
        for (from, to, want, why) in cases {
            assert_eq!(offsite_reason(&u(from), &u(to)).is_some(), *want, "{why}");
        }
    }
}
