//! One table over every entry of the IANA IPv4 and IPv6 Special-Purpose Address Registries (plus multicast,
//! site-local and the IPv6 forms that embed IPv4), first and last address where a range has room, and the
//! ordinary public addresses next to them.

use super::*;

#[track_caller]
fn check(ip: &str, expected: Option<&str>) {
    let parsed: IpAddr = ip.parse().unwrap_or_else(|e| panic!("{ip}: {e}"));
    assert_eq!(forbidden_reason(parsed), expected, "{ip}");
}

#[test]
fn every_ipv4_special_purpose_range() {
    let table = [
        // Public addresses, including neighbours of special ranges.
        ("93.184.216.34", None),
        ("1.1.1.1", None),
        ("8.8.8.8", None),
        ("1.0.0.0", None),
        ("9.255.255.255", None),
        ("11.0.0.0", None),
        ("100.63.255.255", None),
        ("100.128.0.1", None),
        ("126.255.255.255", None),
        ("128.0.0.0", None),
        ("169.253.255.255", None),
        ("172.15.255.255", None),
        ("172.32.0.1", None),
        ("191.255.255.255", None),
        ("192.0.1.0", None),
        ("192.0.3.0", None),
        ("192.88.98.255", None),
        ("192.167.255.255", None),
        ("198.17.255.255", None),
        ("198.20.0.0", None),
        ("198.51.99.255", None),
        ("203.0.112.255", None),
        ("223.255.255.255", None),
        // 0.0.0.0/8 this network, 0.0.0.0/32 this host (RFC 791, RFC 1122).
        ("0.0.0.0", Some("unspecified")),
        ("0.1.2.3", Some("unspecified")),
        ("0.255.255.255", Some("unspecified")),
        // 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918).
        ("10.0.0.0", Some("private")),
        ("10.255.255.255", Some("private")),
        ("172.16.0.1", Some("private")),
        ("172.31.255.255", Some("private")),
        ("192.168.0.0", Some("private")),
        ("192.168.255.255", Some("private")),
        // 100.64.0.0/10 (RFC 6598).
        ("100.64.0.0", Some("carrier-grade NAT")),
        ("100.127.255.255", Some("carrier-grade NAT")),
        // 127.0.0.0/8 (RFC 1122).
        ("127.0.0.1", Some("loopback")),
        ("127.255.255.255", Some("loopback")),
        // 169.254.0.0/16 (RFC 3927).
        ("169.254.0.0", Some("link-local")),
        ("169.254.169.254", Some("link-local")),
        ("169.254.255.255", Some("link-local")),
        // 192.0.0.0/24 and its entries: /29 (RFC 7335), .8 (RFC 7600), .9 (RFC 7723), .10 (RFC 8155),
        // .170 and .171 (RFC 8880).
        ("192.0.0.0", Some("IETF protocol assignment")),
        ("192.0.0.7", Some("IETF protocol assignment")),
        ("192.0.0.8", Some("IETF protocol assignment")),
        ("192.0.0.9", Some("IETF protocol assignment")),
        ("192.0.0.10", Some("IETF protocol assignment")),
        ("192.0.0.170", Some("IETF protocol assignment")),
        ("192.0.0.171", Some("IETF protocol assignment")),
        ("192.0.0.255", Some("IETF protocol assignment")),
        // Documentation (RFC 5737).
        ("192.0.2.0", Some("documentation")),
        ("192.0.2.255", Some("documentation")),
        ("198.51.100.7", Some("documentation")),
        ("203.0.113.255", Some("documentation")),
        // Globally reachable special ranges: AS112-v4 (RFC 7535), AMT (RFC 7450), AS112 direct (RFC 7534).
        ("192.31.196.1", None),
        ("192.52.193.1", None),
        ("192.175.48.1", None),
        // 192.88.99.0/24 deprecated 6to4 relay anycast (RFC 7526).
        ("192.88.99.1", Some("deprecated 6to4 relay")),
        // 198.18.0.0/15 benchmarking (RFC 2544).
        ("198.18.0.0", Some("benchmarking")),
        ("198.19.255.255", Some("benchmarking")),
        // Multicast (RFC 5771), reserved 240.0.0.0/4 (RFC 1112), limited broadcast (RFC 919).
        ("224.0.0.1", Some("multicast")),
        ("239.255.255.255", Some("multicast")),
        ("240.0.0.1", Some("reserved")),
        ("255.255.255.254", Some("reserved")),
        ("255.255.255.255", Some("broadcast")),
    ];
    for (ip, expected) in table {
        check(ip, expected);
    }
}

#[test]
fn every_ipv6_special_purpose_range() {
    let table = [
        // Public addresses.
        ("2606:4700:4700::1111", None),
        ("2a00:1450:4001:80b::200e", None),
        ("2001:4860:4860::8888", None),
        ("2001:200::1", None),
        ("2001:db7:ffff::1", None),
        ("2001:db9::1", None),
        ("3ffe:ffff::1", None),
        // ::/128, ::1/128 (RFC 4291).
        ("::", Some("unspecified")),
        ("::1", Some("loopback")),
        // Deprecated IPv4-compatible ::/96 (RFC 4291).
        ("::127.0.0.1", Some("IPv4-compatible")),
        ("::8.8.8.8", Some("IPv4-compatible")),
        // IPv4-mapped ::ffff:0:0/96 (RFC 4291) and IPv4-translated ::ffff:0:0:0/96 (RFC 2765): the IPv4 decides.
        ("::ffff:127.0.0.1", Some("loopback")),
        ("::ffff:10.0.0.1", Some("private")),
        ("::ffff:93.184.216.34", None),
        ("::ffff:0:169.254.169.254", Some("link-local")),
        ("::ffff:0:127.0.0.1", Some("loopback")),
        ("::ffff:0:93.184.216.34", None),
        // NAT64 64:ff9b::/96 (RFC 6052) and local-use 64:ff9b:1::/48 (RFC 8215).
        ("64:ff9b::a9fe:a9fe", Some("link-local")),
        ("64:ff9b::7f00:1", Some("loopback")),
        ("64:ff9b::5db8:d822", None),
        ("64:ff9b:1::a00:1", Some("private")),
        ("64:ff9b:1:ffff::c0a8:101", Some("private")),
        ("64:ff9b:1::5db8:d822", None),
        // Outside the well-known /96 but in neither prefix: reserved space below 2000::/3.
        ("64:ff9b:2::1", Some("reserved")),
        // Discard-only 100::/64 (RFC 6666), dummy prefix 100:0:0:1::/64 (RFC 9780).
        ("100::", Some("discard")),
        ("100::ffff:ffff:ffff:ffff", Some("discard")),
        ("100:0:0:1::1", Some("dummy prefix")),
        ("100:0:0:2::1", Some("reserved")),
        // 2001::/23 IETF protocol assignments (RFC 2928) and its entries.
        // Teredo 2001::/32 (RFC 4380): server 65.54.227.120, the client (93.184.216.34, 127.0.0.1) inverted in the last 32 bits.
        ("2001:0:4136:e378:8000:63bf:a247:27dd", None),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", Some("loopback")),
        ("2001:0:7f00:1:8000:63bf:3fff:fdd2", Some("loopback")),
        ("2001:1::1", Some("IETF protocol assignment")),
        ("2001:1::2", Some("IETF protocol assignment")),
        ("2001:1::3", Some("IETF protocol assignment")),
        ("2001:2::1", Some("benchmarking")),
        ("2001:2:0:ffff::1", Some("benchmarking")),
        ("2001:3::1", None),
        ("2001:4:112::1", None),
        ("2001:10::1", Some("IETF protocol assignment")),
        ("2001:20::1", Some("IETF protocol assignment")),
        ("2001:30::1", Some("IETF protocol assignment")),
        ("2001:1ff:ffff::1", Some("IETF protocol assignment")),
        // Documentation 2001:db8::/32 (RFC 3849) and 3fff::/20 (RFC 9637).
        ("2001:db8::1", Some("documentation")),
        ("2001:db8:ffff:ffff::1", Some("documentation")),
        ("3fff::1", Some("documentation")),
        ("3fff:fff:ffff::1", Some("documentation")),
        ("3fff:1000::1", None),
        // 6to4 2002::/16 (RFC 3056): the IPv4 after the prefix decides.
        ("2002:7f00:1::1", Some("loopback")),
        ("2002:a9fe:a9fe::1", Some("link-local")),
        ("2002:5db8:d822::1", None),
        // AS112 direct delegation 2620:4f:8000::/48 (RFC 7534): globally reachable.
        ("2620:4f:8000::1", None),
        // Segment Routing SIDs 5f00::/16 (RFC 9602).
        ("5f00::1", Some("segment routing")),
        // Unique-local fc00::/7 (RFC 4193), link-local fe80::/10 (RFC 4291), site-local fec0::/10 (RFC 3879).
        ("fc00::1", Some("unique-local")),
        ("fd12:3456::1", Some("unique-local")),
        ("fe80::1", Some("link-local")),
        ("febf::1", Some("link-local")),
        ("fec0::1", Some("site-local")),
        // Multicast ff00::/8 (RFC 4291).
        ("ff02::1", Some("multicast")),
        ("ff0e::1", Some("multicast")),
        // Unassigned space outside 2000::/3.
        ("4000::1", Some("reserved")),
        ("e000::1", Some("reserved")),
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
