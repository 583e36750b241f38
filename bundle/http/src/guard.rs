//! Which addresses members may not reach by default: everything that is not a public unicast internet address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::policy::OutboundPolicy;

/// Why `ip` is not a public unicast address (`"loopback"`, `"private"`, …), or `None` when it is one.
pub fn forbidden_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

/// The reason `ip` is refused for `host` under `policy`, or `None` when the request may go ahead.
pub fn refusal(policy: &OutboundPolicy, host: &str, ip: IpAddr) -> Option<&'static str> {
    if policy.host_is_allowed(host) { None } else { forbidden_reason(ip) }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    let reason = match () {
        () if a == 0 => "unspecified",
        () if ip.is_loopback() => "loopback",
        () if ip.is_private() => "private",
        () if ip.is_link_local() => "link-local",
        () if a == 100 && (64..128).contains(&b) => "carrier-grade NAT",
        () if ip.is_broadcast() => "broadcast",
        () if ip.is_multicast() => "multicast",
        () if a >= 240 => "reserved",
        () if a == 192 && b == 0 && ip.octets()[2] == 0 => "reserved",
        () if a == 198 && (18..20).contains(&b) => "benchmarking",
        () => return None,
    };
    Some(reason)
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // Addresses that embed an IPv4 address reach that address: judge them by it.
    if let Some(v4) = ip.to_ipv4_mapped().or_else(|| nat64_embedded(ip)) {
        return forbidden_v4(v4);
    }
    let first = ip.segments()[0];
    let reason = match () {
        () if ip.is_unspecified() => "unspecified",
        () if ip.is_loopback() => "loopback",
        () if first & 0xfe00 == 0xfc00 => "unique-local",
        () if first & 0xffc0 == 0xfe80 => "link-local",
        () if first & 0xffc0 == 0xfec0 => "site-local",
        () if ip.is_multicast() => "multicast",
        // `::a.b.c.d` (deprecated IPv4-compatible) and the rest of `::/96`.
        () if ip.segments()[..6].iter().all(|s| *s == 0) => "IPv4-compatible",
        () => return None,
    };
    Some(reason)
}

/// The IPv4 address inside a NAT64 address (`64:ff9b::/96`).
fn nat64_embedded(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let prefix = [0x64, 0xff9b, 0, 0, 0, 0];
    (s[..6] == prefix).then(|| Ipv4Addr::from(u32::from(s[6]) << 16 | u32::from(s[7])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(ip: &str, expected: Option<&str>) {
        let parsed: IpAddr = ip.parse().unwrap_or_else(|e| panic!("{ip}: {e}"));
        assert_eq!(forbidden_reason(parsed), expected, "{ip}");
    }

    #[test]
    fn classifies_addresses() {
        let table = [
            ("93.184.216.34", None),
            ("1.1.1.1", None),
            ("2606:4700:4700::1111", None),
            ("0.0.0.0", Some("unspecified")),
            ("0.1.2.3", Some("unspecified")),
            ("127.0.0.1", Some("loopback")),
            ("127.255.0.9", Some("loopback")),
            ("10.1.2.3", Some("private")),
            ("172.16.0.1", Some("private")),
            ("172.31.255.255", Some("private")),
            ("172.32.0.1", None),
            ("192.168.1.1", Some("private")),
            ("169.254.169.254", Some("link-local")),
            ("100.64.0.1", Some("carrier-grade NAT")),
            ("100.127.255.254", Some("carrier-grade NAT")),
            ("100.128.0.1", None),
            ("224.0.0.1", Some("multicast")),
            ("255.255.255.255", Some("broadcast")),
            ("240.0.0.1", Some("reserved")),
            ("::", Some("unspecified")),
            ("::1", Some("loopback")),
            ("fd00::1", Some("unique-local")),
            ("fc12::1", Some("unique-local")),
            ("fe80::1", Some("link-local")),
            ("ff02::1", Some("multicast")),
            ("::ffff:127.0.0.1", Some("loopback")),
            ("::ffff:10.0.0.1", Some("private")),
            ("::ffff:93.184.216.34", None),
            ("64:ff9b::a9fe:a9fe", Some("link-local")),
            ("::127.0.0.1", Some("IPv4-compatible")),
        ];
        for (ip, expected) in table {
            check(ip, expected);
        }
    }

    #[test]
    fn the_policy_opens_the_guard() {
        let loopback: IpAddr = [127, 0, 0, 1].into();
        assert_eq!(refusal(&OutboundPolicy::default(), "localhost", loopback), Some("loopback"));
        assert_eq!(refusal(&OutboundPolicy::allow_all(), "localhost", loopback), None);
        let hosts = OutboundPolicy { allow_private: false, allow_hosts: vec!["localhost".into()] };
        assert_eq!(refusal(&hosts, "localhost", loopback), None);
        assert_eq!(refusal(&hosts, "127.0.0.1", loopback), Some("loopback"));
    }
}
