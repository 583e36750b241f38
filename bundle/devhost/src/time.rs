//! RFC 3339 UTC timestamps for the events the dev host fires.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339_now() -> String {
    let now = OffsetDateTime::now_utc();
    let whole_seconds = now.replace_nanosecond(0).unwrap_or(now);
    whole_seconds.format(&Rfc3339).unwrap_or_else(|_| now.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn shape() {
        let now = super::rfc3339_now();
        assert_eq!(now.len(), "2026-03-09T08:50:45Z".len(), "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T', "{now}");
    }
}
