//! Signing `json` deliveries: HMAC-SHA256 over `<unix seconds>.<body>` with the target's secret, sent as
//! `x-temps-notify-signature: t=<unix seconds>,v1=<hex>`. [`verify`] is what a receiver does.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-temps-notify-signature";
/// The delivery id header: the same on every attempt of one delivery, so receivers can dedupe.
pub const DELIVERY_HEADER: &str = "x-temps-notify-delivery";
/// The event type header.
pub const EVENT_HEADER: &str = "x-temps-notify-event";

/// The value of [`SIGNATURE_HEADER`] for `body` sent at `timestamp` (Unix seconds).
pub fn signature_header(secret: &str, timestamp: u64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", hex(&mac(secret, timestamp, body)))
}

/// Checks a [`SIGNATURE_HEADER`] value against `body`, in constant time; `max_age` bounds replays
/// (`now` and the header's `t` in Unix seconds).
pub fn verify(secret: &str, header: &str, body: &[u8], now: u64, max_age: u64) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<u64>().ok(),
            Some(("v1", v)) => signatures.push(v),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else { return false };
    if now.abs_diff(timestamp) > max_age {
        return false;
    }
    let mut verifier = keyed(secret);
    verifier.update(format!("{timestamp}.").as_bytes());
    verifier.update(body);
    signatures.iter().filter_map(|s| unhex(s)).any(|bytes| verifier.clone().verify_slice(&bytes).is_ok())
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

fn mac(secret: &str, timestamp: u64, body: &[u8]) -> Vec<u8> {
    let mut mac = keyed(secret);
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn keyed(secret: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    #[allow(clippy::expect_used, reason = "HMAC takes keys of any length")]
    Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_a_tampered_one_does_not() {
        let header = signature_header("s3cret", 1_700_000_000, b"{\"a\":1}");
        assert!(header.starts_with("t=1700000000,v1="), "{header}");
        assert!(verify("s3cret", &header, b"{\"a\":1}", 1_700_000_010, 300));
        assert!(!verify("s3cret", &header, b"{\"a\":2}", 1_700_000_010, 300), "body changed");
        assert!(!verify("other", &header, b"{\"a\":1}", 1_700_000_010, 300), "wrong secret");
        assert!(!verify("s3cret", &header, b"{\"a\":1}", 1_700_001_000, 300), "too old");
        assert!(!verify("s3cret", "v1=00", b"", 0, 300), "no timestamp");
    }

    #[test]
    fn matches_an_independent_implementation() {
        // Python: hmac.new(b"key", b"1.body", hashlib.sha256).hexdigest()
        let expected = "91b5374b153842ad05b2c4eab9349b8321b14703165bd3fb8b034dfb8be98ae5";
        assert_eq!(signature_header("key", 1, b"body"), format!("t=1,v1={expected}"));
    }
}
