//! Timestamps as members store them: milliseconds since the Unix epoch (UTC) in an `INTEGER` column, written to
//! the API and parsed from the platform as RFC 3339.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Milliseconds in one day.
pub const DAY_MS: i64 = 86_400_000;

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

/// The UTC calendar day of `ms` as `YYYY-MM-DD`.
pub fn day_label(ms: i64) -> String {
    format(ms.div_euclid(DAY_MS) * DAY_MS).chars().take(10).collect()
}

/// The moment `days` days before `now` (both Unix milliseconds): where a retention window starts.
pub fn days_before(now: i64, days: u32) -> i64 {
    now.saturating_sub(i64::from(days).saturating_mul(DAY_MS))
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
        assert_eq!(parse("2026-03-04T23:59:59Z").map(day_label).as_deref(), Some("2026-03-04"));
        assert_eq!(day_label(0), "1970-01-01");
        assert_eq!(days_before(ms, 90), parse("2025-12-04T16:05:00Z").unwrap());
    }
}
