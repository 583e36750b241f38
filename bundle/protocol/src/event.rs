//! Platform events (§8): the envelope Temps pushes on the channel or posts to `/_events`.

use serde::{Deserialize, Serialize};

/// One platform event. `data` keys depend on `event_type` (see the protocol doc's table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginEvent {
    pub id: String,
    pub event_type: String,
    pub timestamp: String,
    #[serde(default)]
    pub project_id: Option<i64>,
    #[serde(default)]
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// The event types Temps emits today.
pub const EVENT_TYPES: &[&str] = &[
    "deployment.created",
    "deployment.succeeded",
    "deployment.failed",
    "deployment.cancelled",
    "deployment.ready",
    "project.created",
    "project.deleted",
    "domain.created",
    "domain.provisioned",
];

/// Whether a subscription pattern (`exact`, `prefix.*` or `*`) matches an event type.
pub fn subscription_matches(pattern: &str, event_type: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix(".*") {
        Some(prefix) => event_type.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.')),
        None => pattern == event_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let check = |p, t, want| assert_eq!(subscription_matches(p, t), want, "{p} vs {t}");
        check("*", "deployment.failed", true);
        check("deployment.*", "deployment.failed", true);
        check("deployment.*", "deployments.failed", false);
        check("deployment.*", "deployment", false);
        check("deployment.failed", "deployment.failed", true);
        check("deployment.failed", "deployment.succeeded", false);
    }

    #[test]
    fn event_round_trips_with_null_data() {
        let text = r#"{"id":"e1","event_type":"project.created","timestamp":"2026-01-01T00:00:00Z","project_id":null,"data":{"project_id":7,"project_name":null}}"#;
        let event: PluginEvent = serde_json::from_str(text).unwrap();
        assert_eq!(event.project_id, None);
        assert_eq!(serde_json::to_string(&event).unwrap(), text);
    }
}
