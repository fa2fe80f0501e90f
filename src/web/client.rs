//! Who is asking: the client's address, taken from the connection, or from
//! the forwarding header only when the connection comes from a proxy the
//! settings trust (anyone can send an `X-Forwarded-For`).

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::dev::ServiceRequest;
use ipnet::IpNet;

use super::AppState;

/// The client's address: the peer, unless the peer is a trusted proxy; then
/// the nearest address in `X-Forwarded-For` (read from the right) that is
/// not itself a trusted proxy.
pub fn client_ip(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted: &[IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    let peer = peer?;
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut nearest = peer;
    for hop in forwarded_for.unwrap_or("").rsplit(',').map(str::trim) {
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        nearest = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(nearest)
}

fn forwarded_for(headers: &actix_web::http::header::HeaderMap) -> Option<&str> {
    headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
}

/// [`client_ip`] of a request.
pub fn of_request(req: &HttpRequest, state: &AppState) -> Option<IpAddr> {
    client_ip(req.peer_addr().map(|a| a.ip()), forwarded_for(req.headers()), &state.config.trusted_proxies)
}

/// The rate-limit key of a request's client (see [`rate_key`]).
pub fn address(req: &HttpRequest, state: &AppState) -> String {
    rate_key(of_request(req, state))
}

/// [`client_ip`] of a request in a middleware (the logger's), or "-".
pub fn of_service_request(req: &ServiceRequest) -> String {
    let trusted = req.app_data::<actix_web::web::Data<AppState>>().map(|s| s.config.trusted_proxies.as_slice());
    client_ip(req.peer_addr().map(|a| a.ip()), forwarded_for(req.headers()), trusted.unwrap_or(&[]))
        .map_or_else(|| "-".into(), |ip| ip.to_string())
}

/// The key a rate limit counts an address under: the address itself for
/// IPv4, its /64 network for IPv6 (one subscriber holds a whole /64).
pub fn rate_key(ip: Option<IpAddr>) -> String {
    match ip {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        None => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(items: &[&str]) -> Vec<IpNet> {
        items.iter().map(|s| s.parse().expect("net")).collect()
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let peer: IpAddr = "203.0.113.9".parse().expect("ip");
        // Not a trusted proxy: its header is ignored.
        assert_eq!(client_ip(Some(peer), Some("1.2.3.4"), &[]), Some(peer));
        let proxy: IpAddr = "10.0.0.2".parse().expect("ip");
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(client_ip(Some(proxy), Some("198.51.100.7"), &trusted), Some("198.51.100.7".parse().expect("ip")));
        // A client that sends its own header cannot hide behind it: the
        // proxy appends the real address, which is read from the right.
        assert_eq!(
            client_ip(Some(proxy), Some("1.2.3.4, 198.51.100.7, 10.0.0.5"), &trusted),
            Some("198.51.100.7".parse().expect("ip"))
        );
        assert_eq!(client_ip(Some(proxy), None, &trusted), Some(proxy));
        assert_eq!(client_ip(Some(proxy), Some("garbage"), &trusted), Some(proxy));
    }

    #[test]
    fn rate_keys_group_an_ipv6_subscriber() {
        assert_eq!(rate_key(Some("192.0.2.1".parse().expect("ip"))), "192.0.2.1");
        assert_eq!(rate_key(Some("2001:db8:1:2:3:4:5:6".parse().expect("ip"))), "2001:db8:1:2::/64");
        assert_eq!(rate_key(Some("::ffff:192.0.2.1".parse().expect("ip"))), "192.0.2.1");
    }
}
