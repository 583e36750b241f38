//! Which addresses members may not reach by default: everything that is not a globally reachable unicast address.
//!
//! The tables follow the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and the RFCs each entry
//! cites). Addresses that carry an IPv4 address inside an IPv6 one (mapped, translated, NAT64, 6to4, Teredo) are
//! judged by the IPv4 address they lead to, since that is where the packets go.

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

/// A verdict for a prefix: `Some(reason)` refuses it, `None` allows it (globally reachable special ranges).
type Verdict = Option<&'static str>;

/// IPv4 special-purpose ranges, most specific first (the first match decides).
const V4: &[([u8; 4], u8, Verdict)] = &[
    // "This host on this network" (RFC 1122 §3.2.1.3) and "this network" (RFC 791).
    ([0, 0, 0, 0], 8, Some("unspecified")),
    // Private-Use (RFC 1918).
    ([10, 0, 0, 0], 8, Some("private")),
    // Shared Address Space (RFC 6598).
    ([100, 64, 0, 0], 10, Some("carrier-grade NAT")),
    // Loopback (RFC 1122 §3.2.1.3).
    ([127, 0, 0, 0], 8, Some("loopback")),
    // Link Local (RFC 3927), which holds the cloud metadata address 169.254.169.254.
    ([169, 254, 0, 0], 16, Some("link-local")),
    // Private-Use (RFC 1918).
    ([172, 16, 0, 0], 12, Some("private")),
    // IETF Protocol Assignments (RFC 6890 §2.1): service continuity (RFC 7335), dummy (RFC 7600), PCP and TURN
    // anycast (RFC 7723, RFC 8155: they reach the nearest, usually local, server), NAT64 discovery (RFC 8880).
    ([192, 0, 0, 0], 24, Some("IETF protocol assignment")),
    // Documentation TEST-NET-1 (RFC 5737).
    ([192, 0, 2, 0], 24, Some("documentation")),
    // AS112-v4 (RFC 7535) and AMT (RFC 7450): globally reachable public anycast services.
    ([192, 31, 196, 0], 24, None),
    ([192, 52, 193, 0], 24, None),
    // Deprecated 6to4 Relay Anycast (RFC 7526).
    ([192, 88, 99, 0], 24, Some("deprecated 6to4 relay")),
    // Private-Use (RFC 1918).
    ([192, 168, 0, 0], 16, Some("private")),
    // Direct Delegation AS112 Service (RFC 7534): globally reachable.
    ([192, 175, 48, 0], 24, None),
    // Benchmarking (RFC 2544).
    ([198, 18, 0, 0], 15, Some("benchmarking")),
    // Documentation TEST-NET-2 and TEST-NET-3 (RFC 5737).
    ([198, 51, 100, 0], 24, Some("documentation")),
    ([203, 0, 113, 0], 24, Some("documentation")),
    // Multicast (RFC 5771; the multicast registry, not the special-purpose one).
    ([224, 0, 0, 0], 4, Some("multicast")),
    // Limited Broadcast (RFC 919, RFC 8190) before the rest of Reserved (RFC 1112 §4).
    ([255, 255, 255, 255], 32, Some("broadcast")),
    ([240, 0, 0, 0], 4, Some("reserved")),
];

/// IPv6 special-purpose ranges, most specific first. The forms that embed IPv4 are handled before this table.
const V6: &[(u128, u8, Verdict)] = &[
    // Unspecified and Loopback (RFC 4291 §2.5.2, §2.5.3).
    (0, 128, Some("unspecified")),
    (1, 128, Some("loopback")),
    // Deprecated IPv4-compatible addresses and the rest of ::/96 (RFC 4291 §2.5.5.1).
    (0, 96, Some("IPv4-compatible")),
    // Discard-Only (RFC 6666) and the Dummy IPv6 Prefix (RFC 9780).
    (0x0100_0000_0000_0000 << 64, 64, Some("discard")),
    (0x0100_0000_0000_0001 << 64, 64, Some("dummy prefix")),
    // IETF Protocol Assignments (RFC 2928), except what is globally reachable: AMT (RFC 7450) and AS112-v6
    // (RFC 7535). Teredo (RFC 4380) is judged by its embedded addresses first. PCP/TURN/SRP anycast
    // (2001:1::1-3, RFC 7723, RFC 8155, RFC 9665), Benchmarking 2001:2::/48 (RFC 5180), ORCHID and ORCHIDv2
    // (RFC 4843, RFC 7343) and DETs (RFC 9374) stay refused: identifiers or nearest-server anycast, no webhook.
    (0x2001_0003 << 96, 32, None),
    (0x2001_0004_0112 << 80, 48, None),
    (0x2001_0002 << 96, 48, Some("benchmarking")),
    (0x2001 << 112, 23, Some("IETF protocol assignment")),
    // Documentation (RFC 3849, RFC 9637).
    (0x2001_0db8 << 96, 32, Some("documentation")),
    (0x3fff << 112, 20, Some("documentation")),
    // Direct Delegation AS112 Service (RFC 7534): globally reachable, inside 2000::/3 anyway.
    (0x2620_004f_8000 << 80, 48, None),
    // Segment Routing SIDs (RFC 9602): not globally reachable.
    (0x5f00 << 112, 16, Some("segment routing")),
    // Unique-Local (RFC 4193), Link-Local (RFC 4291), deprecated Site-Local (RFC 3879), Multicast (RFC 4291).
    (0xfc00 << 112, 7, Some("unique-local")),
    (0xfe80 << 112, 10, Some("link-local")),
    (0xfec0 << 112, 10, Some("site-local")),
    (0xff00 << 112, 8, Some("multicast")),
    // Global Unicast (RFC 4291 §2.4, the IANA IPv6 address space registry); everything outside it is reserved.
    (0x2000 << 112, 3, None),
    (0, 0, Some("reserved")),
];

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let address = u32::from(ip);
    V4.iter()
        .find(|(base, len, _)| prefix_matches(u128::from(address), u128::from(u32::from_be_bytes(*base)), *len, 32))
        .and_then(|(_, _, verdict)| *verdict)
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let embedded = embedded_v4(ip);
    if !embedded.is_empty() {
        // The first refused embedded address decides; all of them public means the address is.
        return embedded.into_iter().find_map(forbidden_v4);
    }
    let address = u128::from(ip);
    V6.iter().find(|(base, len, _)| prefix_matches(address, *base, *len, 128)).and_then(|(_, _, verdict)| *verdict)
}

/// The IPv4 addresses an IPv6 address leads to, when it is one of the forms that carry them.
fn embedded_v4(ip: Ipv6Addr) -> Vec<Ipv4Addr> {
    let address = u128::from(ip);
    let low32 = Ipv4Addr::from(address as u32);
    let in_prefix = |base: u128, len: u8| prefix_matches(address, base, len, 128);
    // IPv4-mapped ::ffff:0:0/96 (RFC 4291 §2.5.5.2) and IPv4-translated ::ffff:0:0:0/96 (RFC 2765 §2.1);
    // well-known NAT64 64:ff9b::/96 (RFC 6052).
    if in_prefix(0xffff << 32, 96) || in_prefix(0xffff << 48, 96) || in_prefix(0x0064_ff9b << 96, 96) {
        return vec![low32];
    }
    // Local-use NAT64 64:ff9b:1::/48 (RFC 8215): judged by the last 32 bits, the layout of a /96 translator
    // prefix inside it (RFC 6052 §2.2), which is how it is deployed.
    if in_prefix(0x0064_ff9b_0001 << 80, 48) {
        return vec![low32];
    }
    // 6to4 2002::/16 (RFC 3056 §2): the IPv4 address follows the prefix.
    if in_prefix(0x2002 << 112, 16) {
        return vec![Ipv4Addr::from((address >> 80) as u32)];
    }
    // Teredo 2001::/32 (RFC 4380 §4): the server's IPv4 address, then the client's, obfuscated (bits inverted).
    if in_prefix(0x2001_0000 << 96, 32) {
        return vec![Ipv4Addr::from((address >> 64) as u32), Ipv4Addr::from(!(address as u32))];
    }
    Vec::new()
}

/// Whether the first `len` of `width` bits of `address` equal those of `base`.
fn prefix_matches(address: u128, base: u128, len: u8, width: u32) -> bool {
    let len = u32::from(len);
    if len == 0 {
        return true;
    }
    let shift = width - len;
    (address >> shift) == (base >> shift)
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
