//! The rule for a partner's landing-page URL.
//!
//! The partner gives "the URL of the associated, Microsoft-themed landing page".
//! It must be a public `http`/`https` website address on a site the partner
//! owns. This module is pure: it only parses and classifies text (with `url`,
//! `psl` and `idna`), it never resolves names or fetches anything. Whether the
//! page really exists and says the right things is checked later, in the
//! background, by [`crate::checks::landing`].
//!
//! Decisions worth knowing:
//! * A value without a scheme (`contoso.com/training`) is read as `https://…`.
//! * Hosts are compared in their ASCII (punycode) form, lower-case, without a
//!   trailing dot, so `BÜCHER.de`, `bücher.de` and `xn--bcher-kva.de` are equal.
//! * A host is "public" when it is a domain name (never an IP literal) whose
//!   registrable domain sits under a suffix in the Public Suffix List.
//! * Hosts under a *private* PSL suffix (`contoso.github.io`,
//!   `contoso.azurewebsites.net`, `contoso.z13.web.core.windows.net` (whose
//!   registrable domain is `z13.web.core.windows.net`, as the PSL has it),
//!   `contoso.blogspot.com`, …) are separately-owned sites: the PSL lists those
//!   suffixes precisely because each label below them belongs to a different
//!   customer who controls its content. They therefore count as partner-owned,
//!   and [`default_deny_list`] deliberately does not list such platform suffixes
//!   (nor a parent such as `windows.net`, which would block them).

use std::borrow::Cow;
use std::collections::HashSet;

use url::{Host, Url};

/// Longest landing-page URL accepted, in bytes of its normalised form.
pub const MAX_URL_LEN: usize = 2048;

/// A validated landing-page URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandingUrl {
    /// The normalised URL (scheme and host lower-case, host in ASCII/punycode
    /// form, trailing dot of the host removed).
    pub url: Url,
    /// The registrable domain of the host (e.g. `contoso.com` for
    /// `www.contoso.com`), in ASCII/punycode form.
    pub registrable_domain: String,
    /// Whether the URL uses `https`.
    pub https: bool,
    /// The host for people to read: Unicode form of an internationalised
    /// domain name (`例子.台灣` rather than `xn--fsqu00a.xn--kpry57d`).
    pub display_host: String,
}

/// Why a landing-page URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LandingUrlError {
    /// Nothing (or only whitespace) was entered.
    #[error("Enter the landing page URL")]
    Empty,
    /// The text is not an `http`/`https` URL of the expected form (wrong
    /// scheme, user-info, unparsable, too long, …).
    #[error("Enter the landing page URL in the correct format")]
    Format,
    /// The host is not a public website address (IP literal, `localhost`,
    /// single label, unknown or special-use suffix, bare public suffix).
    #[error("Landing page URL must be a public website address")]
    NotPublic,
    /// The URL names a port the settings do not allow (a public website is
    /// on the scheme's own port; anything else is often an admin or test
    /// service).
    #[error("Landing page URL must not name a port: use the address of your public website, without :{port}")]
    Port {
        /// The port the URL named.
        port: u16,
    },
    /// The host is on the deny list: a site the partner cannot own a page on.
    /// `domain` is the registrable domain of the host, in Unicode form.
    #[error("Landing page must be on your own website, not on {domain}")]
    NotPartnerOwned {
        /// Registrable domain of the refused host (Unicode form), e.g. `microsoft.com`.
        domain: String,
    },
}

impl LandingUrlError {
    /// The message to show next to the form field, in the reader's language
    /// (`Display` stays English, for logs).
    pub fn message(&self) -> String {
        use crate::i18n::{t, ta};
        match self {
            Self::Empty => t("url-error-empty"),
            Self::Format => t("url-error-format"),
            Self::NotPublic => t("url-error-not-public"),
            Self::Port { port } => ta("url-error-port", &[("port", port)]),
            Self::NotPartnerOwned { domain } => ta("url-error-not-owned", &[("domain", domain)]),
        }
    }
}

/// Hosts a partner cannot own a landing page on, matched on the host and all
/// of its parent domains (so `microsoft.com` also covers `learn.microsoft.com`).
///
/// Why these:
/// * Microsoft-owned domains: a page there is Microsoft's, not the partner's
///   (`microsoft.com`, `microsoft.net`, `microsoft365.com`, `microsoftonline.com`,
///   `onmicrosoft.com`, `office.com`, `office.net`, `office365.com`,
///   `sharepoint.com` (tenant sites are Microsoft-hosted intranet storage, not a
///   public partner website), `live.com`, `outlook.com`, `hotmail.com`, `msn.com`,
///   `bing.com`, `azure.com`, `azure.net`, `windowsazure.com`, `windows.com`,
///   `xbox.com`, `linkedin.com`, `lnkd.in`, `github.com`, `dynamics.com`,
///   `powerbi.com`, `powerapps.com`, `microsoftstore.com`, `visualstudio.com`,
///   `skype.com`, `onedrive.com`, `1drv.ms`, `aka.ms`, `msft.net`, `yammer.com`).
///   Not listed on purpose: `github.io`, `azurewebsites.net`,
///   `azurestaticapps.net`, `cloudapp.net`, `windows.net` and other platforms whose
///   customer sub-domains are private suffixes in the PSL – the partner controls
///   those sites (see the module documentation).
/// * Generic platforms where the page would be the platform's, not the
///   partner's own site: social networks and video sites (`facebook.com`,
///   `fb.com`, `instagram.com`, `youtube.com`, `youtu.be`, `twitter.com`, `x.com`,
///   `tiktok.com`, `weibo.com`, `bilibili.com`, `line.me`, `qq.com` – WeChat
///   articles live on `mp.weixin.qq.com`), Google's shared hosting and
///   documents (`google.com` covers `sites.google.com`, `docs.google.com`,
///   `drive.google.com`; `forms.gle`, `goo.gl`), event and blogging platforms
///   without per-customer domains (`eventbrite.com`, `meetup.com`, `medium.com`),
///   file sharing (`dropbox.com`), and link shorteners that only hide where the
///   page is (`bit.ly`, `tinyurl.com`, `t.co`, `ow.ly`, `reurl.cc`).
pub fn default_deny_list() -> Vec<String> {
    const MICROSOFT: &[&str] = &[
        "microsoft.com",
        "microsoft.net",
        "microsoft365.com",
        "microsoftonline.com",
        "onmicrosoft.com",
        "office.com",
        "office.net",
        "office365.com",
        "sharepoint.com",
        "live.com",
        "outlook.com",
        "hotmail.com",
        "msn.com",
        "bing.com",
        "azure.com",
        "azure.net",
        "windowsazure.com",
        "windows.com",
        "xbox.com",
        "linkedin.com",
        "lnkd.in",
        "github.com",
        "dynamics.com",
        "powerbi.com",
        "powerapps.com",
        "microsoftstore.com",
        "visualstudio.com",
        "skype.com",
        "onedrive.com",
        "1drv.ms",
        "aka.ms",
        "msft.net",
        "yammer.com",
    ];
    const GENERIC: &[&str] = &[
        "facebook.com",
        "fb.com",
        "instagram.com",
        "youtube.com",
        "youtu.be",
        "twitter.com",
        "x.com",
        "tiktok.com",
        "weibo.com",
        "bilibili.com",
        "line.me",
        "qq.com",
        "google.com",
        "forms.gle",
        "goo.gl",
        "eventbrite.com",
        "meetup.com",
        "medium.com",
        "dropbox.com",
        "bit.ly",
        "tinyurl.com",
        "t.co",
        "ow.ly",
        "reurl.cc",
    ];
    MICROSOFT.iter().chain(GENERIC).map(|s| (*s).to_owned()).collect()
}

/// Top-level labels that are never public websites even if a list knows them:
/// special-use names (RFC 6761/6762/7686/8375/9476) and common internal TLDs.
const SPECIAL_USE_TLDS: &[&str] = &[
    "localhost",
    "local",
    "onion",
    "arpa",
    "test",
    "example",
    "invalid",
    "internal",
    "alt",
    "home",
    "lan",
    "corp",
    "intranet",
    "private",
];

/// Validate the landing-page URL a partner typed.
///
/// `deny` lists hosts a partner cannot own a page on (usually
/// [`default_deny_list`]); entries may be Unicode or punycode, any case, with
/// an optional leading `*.` or `.`. Each is matched against the host and all of
/// its parent domains.
pub fn parse_landing_url(input: &str, deny: &[String]) -> Result<LandingUrl, LandingUrlError> {
    parse_landing_url_on_ports(input, deny, &DEFAULT_PORTS)
}

/// The ports a landing page URL may name by default: the web's own.
pub const DEFAULT_PORTS: [u16; 2] = [80, 443];

/// [`parse_landing_url`], allowing an explicit port only from `ports` (the
/// scheme's default port is never "explicit": `https://x.com:443/` is fine).
pub fn parse_landing_url_on_ports(input: &str, deny: &[String], ports: &[u16]) -> Result<LandingUrl, LandingUrlError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(LandingUrlError::Empty);
    }
    if input.len() > MAX_URL_LEN || input.chars().any(char::is_control) {
        return Err(LandingUrlError::Format);
    }
    let mut url = Url::parse(&with_scheme(input)).map_err(|_| LandingUrlError::Format)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(LandingUrlError::Format);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(LandingUrlError::Format);
    }
    let host = match url.host() {
        Some(Host::Domain(d)) => d.to_owned(),
        // `url` turns every IPv4 spelling (`2130706433`, `0x7f.1`, `127.1`)
        // into Host::Ipv4, so these are all caught here.
        Some(Host::Ipv4(_)) | Some(Host::Ipv6(_)) => return Err(LandingUrlError::NotPublic),
        None => return Err(LandingUrlError::Format),
    };
    let host = host.strip_suffix('.').unwrap_or(&host).to_owned();
    if host.is_empty() || host.split('.').any(str::is_empty) {
        return Err(LandingUrlError::Format);
    }
    let Some(tld) = host.rsplit('.').next() else {
        return Err(LandingUrlError::Format);
    };
    if !host.contains('.') || SPECIAL_USE_TLDS.contains(&tld) {
        return Err(LandingUrlError::NotPublic);
    }
    let registrable = registrable_domain(&host).ok_or(LandingUrlError::NotPublic)?;

    let deny: HashSet<String> = deny.iter().filter_map(|d| normalize_deny_entry(d)).collect();
    if parent_domains(&host).any(|d| deny.contains(d)) {
        return Err(LandingUrlError::NotPartnerOwned { domain: to_unicode(&registrable) });
    }

    if let Some(port) = url.port()
        && !ports.contains(&port)
    {
        return Err(LandingUrlError::Port { port });
    }
    if url.host_str() != Some(host.as_str()) {
        url.set_host(Some(&host)).map_err(|_| LandingUrlError::Format)?;
    }
    if url.as_str().len() > MAX_URL_LEN {
        return Err(LandingUrlError::Format);
    }
    Ok(LandingUrl {
        https: url.scheme() == "https",
        display_host: to_unicode(&host),
        registrable_domain: registrable,
        url,
    })
}

/// A host as people read it: an internationalised domain name in Unicode
/// (`xn--g5tv78d7jilye.xn--kpry57d` → `微軟訓練.台灣`); anything else, or a
/// label that does not decode, as it is.
pub fn unicode_host(host: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(host);
    if result.is_ok() && !unicode.chars().any(|c| c.is_control() || super::text::is_format_control(c)) {
        unicode
    } else {
        host.to_owned()
    }
}

/// A stored URL as people read it: the host in Unicode and the path, query
/// and fragment percent-decoded where they decode to readable UTF-8
/// (`https://微軟訓練.台灣/課程/azure`). What is stored and fetched stays the
/// ASCII form; this is for showing and searching only.
pub fn display_url(stored: &str) -> String {
    let Ok(url) = url::Url::parse(stored) else { return stored.to_owned() };
    let Some(host) = url.host_str() else { return stored.to_owned() };
    let mut out = format!("{}://{}", url.scheme(), unicode_host(host));
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    let rest = &stored[url[..url::Position::BeforePath].len()..];
    let decoded = percent_encoding::percent_decode_str(rest).decode_utf8();
    match decoded {
        Ok(d) if !d.chars().any(|c| c.is_control() || c.is_whitespace() || super::text::is_format_control(c)) => {
            out.push_str(&d);
        }
        _ => out.push_str(rest),
    }
    out
}

/// The registrable domain ("eTLD+1") of a host name, via the Public Suffix
/// List, in lower-case ASCII (punycode) form; `None` for IP addresses, single
/// labels, bare public suffixes (`co.uk`) and names under an unknown suffix
/// (`example.invalid`).
///
/// Works for e-mail domains too: anything up to the last `@` is ignored, so
/// `registrable_domain("ann@mail.Bücher.de") == Some("xn--bcher-kva.de")`.
/// Because the result is ASCII, compare two results directly to know whether
/// two hosts (or a host and an e-mail domain) belong to the same site.
/// Private PSL suffixes count: `contoso.github.io` is its own registrable domain.
pub fn registrable_domain(host: &str) -> Option<String> {
    let host = host.trim();
    let host = host.rsplit_once('@').map_or(host, |(_, d)| d);
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let ascii = idna::domain_to_ascii(host).ok()?;
    if ascii.is_empty() || ascii.split('.').any(str::is_empty) {
        return None;
    }
    let domain = psl::domain(ascii.as_bytes())?;
    if !domain.suffix().is_known() {
        return None;
    }
    String::from_utf8(domain.trim().as_bytes().to_vec()).ok()
}

/// Add `https://` unless the input already starts with a scheme.
///
/// `contoso.com:8443/x` and `localhost:3000` are host:port, not scheme:path,
/// so they get `https://` too; `mailto:x@y` keeps its (refused) scheme.
fn with_scheme(input: &str) -> Cow<'_, str> {
    if input.starts_with("//") {
        return Cow::Owned(format!("https:{input}"));
    }
    if let Some((scheme, rest)) = input.split_once(':') {
        let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-'));
        let port = rest.split(['/', '?', '#']).next().unwrap_or("");
        let rest_is_port = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
        if is_scheme && !rest_is_port {
            return Cow::Borrowed(input);
        }
    }
    Cow::Owned(format!("https://{input}"))
}

/// Normalise a deny-list entry to lower-case ASCII without leading `*.`/`.`
/// or trailing dot; `None` for an unusable entry.
fn normalize_deny_entry(entry: &str) -> Option<String> {
    let e = entry.trim();
    let e = e.strip_prefix("*.").unwrap_or(e);
    let e = e.strip_prefix('.').unwrap_or(e);
    let e = e.strip_suffix('.').unwrap_or(e);
    if e.is_empty() {
        return None;
    }
    idna::domain_to_ascii(e).ok().filter(|a| !a.is_empty())
}

/// The host itself and each of its parent domains: `a.b.c`, `b.c`, `c`.
fn parent_domains(host: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(host), |h| h.split_once('.').map(|(_, rest)| rest))
}

/// Unicode form of an ASCII host, for display; falls back to the input.
fn to_unicode(ascii: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(ascii);
    if result.is_ok() { unicode } else { ascii.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deny() -> Vec<String> {
        default_deny_list()
    }

    #[test]
    fn accepted_urls() {
        // (input, expected url, registrable domain, https, display host, why)
        let cases: &[(&str, &str, &str, bool, &str, &str)] = &[
            (
                "https://contoso.com/training",
                "https://contoso.com/training",
                "contoso.com",
                true,
                "contoso.com",
                "plain https URL",
            ),
            (
                "  https://contoso.com/  ",
                "https://contoso.com/",
                "contoso.com",
                true,
                "contoso.com",
                "surrounding whitespace is trimmed",
            ),
            (
                "contoso.com/training",
                "https://contoso.com/training",
                "contoso.com",
                true,
                "contoso.com",
                "missing scheme gets https://",
            ),
            (
                "www.contoso.co.uk",
                "https://www.contoso.co.uk/",
                "contoso.co.uk",
                true,
                "www.contoso.co.uk",
                "multi-label public suffix",
            ),
            (
                "http://contoso.com/x",
                "http://contoso.com/x",
                "contoso.com",
                false,
                "contoso.com",
                "http is allowed, https=false",
            ),
            (
                "HTTPS://WWW.Contoso.COM/Path",
                "https://www.contoso.com/Path",
                "contoso.com",
                true,
                "www.contoso.com",
                "scheme and host are case-insensitive, path keeps case",
            ),
            ("//contoso.com/x", "https://contoso.com/x", "contoso.com", true, "contoso.com", "scheme-relative URL"),
            (
                "https://contoso.com./x",
                "https://contoso.com/x",
                "contoso.com",
                true,
                "contoso.com",
                "trailing dot of FQDN removed",
            ),
            (
                "https://例子.台灣/training",
                "https://xn--fsqu00a.xn--kpry57d/training",
                "xn--fsqu00a.xn--kpry57d",
                true,
                "例子.台灣",
                "IDN with IDN TLD",
            ),
            ("https://bücher.de", "https://xn--bcher-kva.de/", "xn--bcher-kva.de", true, "bücher.de", "IDN label"),
            (
                "https://xn--bcher-kva.de/",
                "https://xn--bcher-kva.de/",
                "xn--bcher-kva.de",
                true,
                "bücher.de",
                "punycode input shown in Unicode",
            ),
            (
                "https://contoso.github.io/learn",
                "https://contoso.github.io/learn",
                "contoso.github.io",
                true,
                "contoso.github.io",
                "private PSL suffix: partner controls the site",
            ),
            (
                "https://contoso.azurewebsites.net/",
                "https://contoso.azurewebsites.net/",
                "contoso.azurewebsites.net",
                true,
                "contoso.azurewebsites.net",
                "Azure App Service site is the partner's",
            ),
            (
                "https://contoso.z13.web.core.windows.net/",
                "https://contoso.z13.web.core.windows.net/",
                "z13.web.core.windows.net",
                true,
                "contoso.z13.web.core.windows.net",
                "Azure Storage static site is accepted (the PSL lists web.core.windows.net, not *.web.core.windows.net, so the zone label is the registrable part)",
            ),
            (
                "https://contoso.com/a?b=c#d",
                "https://contoso.com/a?b=c#d",
                "contoso.com",
                true,
                "contoso.com",
                "query and fragment kept",
            ),
            (
                "https://microsoftpartner.com/",
                "https://microsoftpartner.com/",
                "microsoftpartner.com",
                true,
                "microsoftpartner.com",
                "deny matching is per label, not substring",
            ),
            (
                "https://notmicrosoft.com/",
                "https://notmicrosoft.com/",
                "notmicrosoft.com",
                true,
                "notmicrosoft.com",
                "deny matching is per label, not suffix string",
            ),
        ];
        for (input, url, reg, https, display, why) in cases {
            let got = parse_landing_url(input, &deny()).unwrap_or_else(|e| panic!("{input:?} ({why}) refused: {e:?}"));
            assert_eq!(got.url.as_str(), *url, "{why}");
            assert_eq!(got.registrable_domain, *reg, "{why}");
            assert_eq!(got.https, *https, "{why}");
            assert_eq!(got.display_host, *display, "{why}");
        }
    }

    #[test]
    fn ports_other_than_the_webs_own_need_a_setting() {
        let got = parse_landing_url_on_ports("contoso.com:8443/x", &deny(), &[80, 443, 8443])
            .expect("host:port without scheme is not a scheme");
        assert_eq!(got.url.as_str(), "https://contoso.com:8443/x");
        assert_eq!(parse_landing_url("contoso.com:8443/x", &deny()), Err(LandingUrlError::Port { port: 8443 }));
        assert_eq!(
            parse_landing_url("http://contoso.com:8080/", &deny()).map_err(|e| e.message()),
            Err("Landing page URL must not name a port: use the address of your public website, without :8080".into())
        );
        // The scheme's own port, written out, is no port at all.
        assert_eq!(
            parse_landing_url("https://contoso.com:443/", &deny()).map(|u| u.url.to_string()),
            Ok("https://contoso.com/".into())
        );
        assert!(parse_landing_url("http://contoso.com:443/", &deny()).is_ok(), "443 is allowed by default");
    }

    #[test]
    fn refused_urls() {
        use LandingUrlError::*;
        let nope = |d: &str| NotPartnerOwned { domain: d.to_owned() };
        let long = format!("https://contoso.com/{}", "a".repeat(MAX_URL_LEN));
        let cases: Vec<(&str, LandingUrlError, &str)> = vec![
            ("", Empty, "empty"),
            ("   \t ", Empty, "whitespace only"),
            ("ftp://contoso.com/", Format, "scheme other than http/https"),
            ("mailto:info@contoso.com", Format, "mailto is not a web page"),
            ("javascript:alert(1)", Format, "javascript URL"),
            ("file:///etc/passwd", Format, "file URL"),
            ("https://user:pass@contoso.com/", Format, "user-info with password"),
            ("https://user@contoso.com/", Format, "user-info without password"),
            ("https://", Format, "no host"),
            ("https://conto so.com/", Format, "space in host"),
            ("https://contoso..com/", Format, "empty label"),
            (long.as_str(), Format, "too long"),
            ("https://contoso.com/\u{0}", Format, "control character"),
            ("http://127.0.0.1/", NotPublic, "IPv4 literal"),
            ("http://8.8.8.8/", NotPublic, "public IPv4 literal is still not a domain"),
            ("http://2130706433/", NotPublic, "decimal IPv4 normalised by url"),
            ("http://0x7f.1/", NotPublic, "hex/short IPv4 normalised by url"),
            ("http://[::1]/", NotPublic, "IPv6 literal"),
            ("http://[2001:4860::8888]/", NotPublic, "public IPv6 literal"),
            ("[::1]:8080", NotPublic, "IPv6 literal without scheme"),
            ("http://localhost/", NotPublic, "localhost"),
            ("localhost:3000", NotPublic, "localhost:port without scheme"),
            ("http://app.localhost/", NotPublic, "*.localhost"),
            ("http://intranet/", NotPublic, "single label"),
            ("https://example.invalid/", NotPublic, "unknown suffix"),
            ("https://printer.local/", NotPublic, "mDNS .local"),
            ("https://router.home.arpa/", NotPublic, ".arpa infrastructure"),
            ("https://abcdefghijklmnop.onion/", NotPublic, "onion is special-use"),
            ("https://co.uk/", NotPublic, "bare public suffix"),
            ("https://github.io/", NotPublic, "bare private suffix"),
            ("https://microsoft.com/", nope("microsoft.com"), "Microsoft apex"),
            ("https://learn.microsoft.com/training", nope("microsoft.com"), "Microsoft subdomain"),
            ("learn.MICROSOFT.com", nope("microsoft.com"), "case and missing scheme do not matter"),
            ("https://microsoft.com./", nope("microsoft.com"), "trailing dot does not dodge the list"),
            ("https://contoso.sharepoint.com/sites/x", nope("sharepoint.com"), "SharePoint tenant"),
            ("https://www.linkedin.com/company/contoso", nope("linkedin.com"), "LinkedIn page"),
            ("https://github.com/contoso", nope("github.com"), "GitHub repo page"),
            ("https://sites.google.com/view/contoso", nope("google.com"), "Google Sites"),
            ("https://www.facebook.com/contoso", nope("facebook.com"), "social page"),
            ("https://youtu.be/abc", nope("youtu.be"), "video link"),
            ("https://mp.weixin.qq.com/s/abc", nope("qq.com"), "WeChat article"),
            ("https://bit.ly/abc", nope("bit.ly"), "link shortener"),
        ];
        for (input, want, why) in cases {
            assert_eq!(parse_landing_url(input, &deny()), Err(want), "{input:?}: {why}");
        }
    }

    #[test]
    fn custom_deny_list_is_normalised() {
        let deny = vec![
            " *.Bücher.DE. ".to_owned(),
            ".fabrikam.com".to_owned(),
            "sites.example.org".to_owned(),
            "".to_owned(),
        ];
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("https://xn--bcher-kva.de/", Some("bücher.de"), "Unicode entry matches punycode host; error in Unicode"),
            ("https://shop.bücher.de/", Some("bücher.de"), "subdomain of a Unicode entry"),
            ("https://fabrikam.com/", Some("fabrikam.com"), "leading dot entry"),
            ("https://sites.example.org/x", Some("example.org"), "error names the registrable domain"),
            ("https://a.sites.example.org/x", Some("example.org"), "child of a non-apex entry"),
            ("https://www.example.org/", None, "sibling of a non-apex entry is fine"),
            ("https://microsoft.com/", None, "custom list replaces the defaults"),
        ];
        for (input, denied, why) in cases {
            let got = parse_landing_url(input, &deny);
            match denied {
                Some(d) => assert_eq!(got, Err(LandingUrlError::NotPartnerOwned { domain: (*d).to_owned() }), "{why}"),
                None => assert!(got.is_ok(), "{input}: {why}: {got:?}"),
            }
        }
    }

    #[test]
    fn messages_are_exact() {
        use LandingUrlError::*;
        let cases = [
            (Empty, "Enter the landing page URL"),
            (Format, "Enter the landing page URL in the correct format"),
            (NotPublic, "Landing page URL must be a public website address"),
            (
                NotPartnerOwned { domain: "microsoft.com".into() },
                "Landing page must be on your own website, not on microsoft.com",
            ),
        ];
        for (err, msg) in cases {
            assert_eq!(err.message(), msg);
        }
    }

    #[test]
    fn registrable_domains() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("contoso.com", Some("contoso.com"), "apex"),
            ("www.Contoso.COM", Some("contoso.com"), "case-insensitive"),
            ("a.b.contoso.co.uk", Some("contoso.co.uk"), "multi-label suffix"),
            ("contoso.com.", Some("contoso.com"), "trailing dot"),
            ("ann@Mail.Contoso.com", Some("contoso.com"), "e-mail address"),
            ("mail.bücher.de", Some("xn--bcher-kva.de"), "IDN to punycode"),
            ("xn--bcher-kva.de", Some("xn--bcher-kva.de"), "punycode stays"),
            ("例子.台灣", Some("xn--fsqu00a.xn--kpry57d"), "IDN TLD"),
            ("contoso.github.io", Some("contoso.github.io"), "private suffix"),
            ("co.uk", None, "bare suffix"),
            ("github.io", None, "bare private suffix"),
            ("localhost", None, "single label"),
            ("example.invalid", None, "unknown suffix"),
            ("127.0.0.1", None, "IPv4"),
            ("[::1]", None, "bracketed IPv6"),
            ("::1", None, "IPv6"),
            ("", None, "empty"),
            ("a..com", None, "empty label"),
        ];
        for (host, want, why) in cases {
            assert_eq!(registrable_domain(host).as_deref(), *want, "{host:?}: {why}");
        }
    }

    #[test]
    fn default_deny_list_covers_microsoft_and_is_normalised() {
        let list = default_deny_list();
        for needed in ["microsoft.com", "office.com", "live.com", "github.com", "linkedin.com"] {
            assert!(list.iter().any(|d| d == needed), "{needed}");
        }
        for must_not in ["github.io", "azurewebsites.net", "windows.net", "azurestaticapps.net"] {
            assert!(!list.iter().any(|d| d == must_not), "{must_not} is partner-controlled");
        }
        for d in &list {
            assert_eq!(normalize_deny_entry(d).as_deref(), Some(d.as_str()), "{d} normalised");
            assert!(registrable_domain(d).is_some(), "{d} is a real registrable domain");
        }
    }
}

#[cfg(test)]
mod display_tests {
    use super::*;

    #[test]
    fn idn_hosts_and_paths_are_shown_in_unicode() {
        let stored = url::Url::parse("https://微軟訓練.台灣/課程/azure?q=雲").expect("url").to_string();
        assert!(stored.starts_with("https://xn--"), "{stored}");
        assert_eq!(display_url(&stored), "https://微軟訓練.台灣/課程/azure?q=雲");
        assert_eq!(
            display_url("https://example.com:8443/a%20b"),
            "https://example.com:8443/a%20b",
            "a space stays encoded"
        );
        assert_eq!(
            display_url("https://example.com/%E2%80%AEexe"),
            "https://example.com/%E2%80%AEexe",
            "no bidi override"
        );
        assert_eq!(display_url("not a url"), "not a url");
        assert_eq!(unicode_host("xn--kpry57d"), "台灣");
    }
}
