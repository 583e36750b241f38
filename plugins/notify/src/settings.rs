//! notify's settings (`GET|PATCH /settings`): how hard the worker tries before giving a delivery up, and how
//! long finished deliveries stay in the log.

use serde::{Deserialize, Serialize};
use temps_bundle_store::{FieldError, SettingsModel};
use utoipa::ToSchema;

/// The delivery worker's retry policy and the log's retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = Settings)]
#[serde(default)]
pub struct NotifySettings {
    /// Attempts per delivery (the first one included) before it is marked dead.
    pub max_attempts: u32,
    /// The wait after the first failed attempt; it doubles after each further failure.
    pub base_backoff_ms: u64,
    /// The longest wait between two attempts.
    pub max_backoff_ms: u64,
    /// Delivered and dead deliveries older than this many days are deleted by the pruner (1–3650).
    pub retention_days: u32,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self { max_attempts: 5, base_backoff_ms: 10_000, max_backoff_ms: 3_600_000, retention_days: 90 }
    }
}

impl NotifySettings {
    /// How long to wait after the `attempts`-th failed attempt.
    pub fn backoff_ms(&self, attempts: u32) -> u64 {
        let doublings = attempts.saturating_sub(1).min(32);
        self.base_backoff_ms.saturating_mul(1 << doublings).min(self.max_backoff_ms)
    }
}

impl SettingsModel for NotifySettings {
    const KEY: &'static str = "notify";

    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(1..=20).contains(&self.max_attempts) {
            errors.push(FieldError::new("max_attempts", "must be between 1 and 20"));
        }
        if !(10..=3_600_000).contains(&self.base_backoff_ms) {
            errors.push(FieldError::new("base_backoff_ms", "must be between 10 ms and one hour"));
        }
        if self.max_backoff_ms < self.base_backoff_ms || self.max_backoff_ms > 86_400_000 {
            errors.push(FieldError::new("max_backoff_ms", "must be at least base_backoff_ms and at most one day"));
        }
        if !(1..=3650).contains(&self.retention_days) {
            errors.push(FieldError::new("retention_days", "must be between 1 and 3650"));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let settings =
            NotifySettings { max_attempts: 5, base_backoff_ms: 100, max_backoff_ms: 500, retention_days: 90 };
        let waits: Vec<u64> = (1..=5).map(|n| settings.backoff_ms(n)).collect();
        assert_eq!(waits, [100, 200, 400, 500, 500]);
        assert!(settings.validate().is_ok());
        let bad = NotifySettings { max_attempts: 0, base_backoff_ms: 1, max_backoff_ms: 0, retention_days: 0 };
        let fields: Vec<String> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["max_attempts", "base_backoff_ms", "max_backoff_ms", "retention_days"]);
    }
}
