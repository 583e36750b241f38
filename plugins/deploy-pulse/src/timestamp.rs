//! Timestamps as deploy-pulse stores them: Unix milliseconds (the shared store's convention), plus calendar days.

pub use temps_bundle_store::timestamp::{format, now_ms as now, parse};

/// Milliseconds in one day.
pub const DAY_MS: i64 = 86_400_000;

/// The UTC calendar day of `ms` as `YYYY-MM-DD`.
pub fn day_label(ms: i64) -> String {
    format(ms.div_euclid(DAY_MS) * DAY_MS).chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_labels() {
        assert_eq!(parse("2026-03-04T23:59:59Z").map(day_label).as_deref(), Some("2026-03-04"));
        assert_eq!(day_label(0), "1970-01-01");
    }
}
