//! Timestamps as members store them: milliseconds since the Unix epoch (UTC) in an `INTEGER` column, written to
//! the API and parsed from the platform as RFC 3339.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Parses an RFC 3339 timestamp (any offset, optional fraction) to Unix milliseconds.
pub fn parse(text: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(text.trim(), &Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Unix milliseconds as RFC 3339 UTC (`2026-03-04T16:05:00Z`, with a fraction only when there is one).
pub fn format(ms: i64) -> String {
    let Ok(at) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) else {
        return ms.to_string();
    };
    at.format(&Rfc3339).unwrap_or_else(|_| ms.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn round_trips_and_offsets() {
        let ms = parse("2026-03-04T16:05:00Z").unwrap();
        assert_eq!(format(ms), "2026-03-04T16:05:00Z");
        assert_eq!(parse("2026-03-04T17:05:00+01:00"), Some(ms));
        assert_eq!(parse("2026-03-04T16:05:00.250Z"), Some(ms + 250));
        assert_eq!(format(ms + 250), "2026-03-04T16:05:00.25Z");
        assert_eq!(format(0), "1970-01-01T00:00:00Z");
        assert_eq!(parse("yesterday"), None);
        assert!(now_ms() > ms);
    }
}
