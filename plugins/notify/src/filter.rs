//! Which events a target wants: event-type patterns plus optional project and environment filters.

use temps_bundle_sdk::PluginEvent;

/// Whether `pattern` (an exact type, `prefix.*`, or `*`) matches `event_type`, the way manifest subscriptions do.
pub fn pattern_matches(pattern: &str, event_type: &str) -> bool {
    match pattern.strip_suffix(".*") {
        _ if pattern == "*" => true,
        Some(prefix) => event_type.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.')),
        None => pattern == event_type,
    }
}

/// Why `pattern` is not a valid event filter, or `None` when it is.
pub fn pattern_problem(pattern: &str) -> Option<String> {
    let body = pattern.strip_suffix(".*").unwrap_or(pattern);
    let valid_body = !body.is_empty()
        && body.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    (pattern != "*" && !valid_body)
        .then(|| format!("{pattern:?} is not an event pattern (use `deployment.failed`, `deployment.*` or `*`)"))
}

/// A target's filters.
#[derive(Debug, Clone, Copy)]
pub struct Filter<'t> {
    pub events: &'t [String],
    pub project_id: Option<i64>,
    pub environment: Option<&'t str>,
}

impl Filter<'_> {
    /// Whether `event` passes every filter.
    pub fn accepts(&self, event: &PluginEvent) -> bool {
        let type_ok = self.events.iter().any(|p| pattern_matches(p, &event.event_type));
        let project_ok = self.project_id.is_none_or(|wanted| event_project(event) == Some(wanted));
        let environment_ok = self.environment.is_none_or(|wanted| {
            event.data.get("environment_name").and_then(|v| v.as_str()).is_some_and(|name| name == wanted)
        });
        type_ok && project_ok && environment_ok
    }
}

/// The project an event is about: the envelope's, else `data.project_id`.
pub fn event_project(event: &PluginEvent) -> Option<i64> {
    event.project_id.or_else(|| event.data.get("project_id").and_then(serde_json::Value::as_i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let table = [
            ("deployment.failed", "deployment.failed", true),
            ("deployment.failed", "deployment.succeeded", false),
            ("deployment.*", "deployment.failed", true),
            ("deployment.*", "deploymentx.failed", false),
            ("deployment.*", "project.created", false),
            ("*", "project.created", true),
        ];
        for (pattern, event_type, expected) in table {
            assert_eq!(pattern_matches(pattern, event_type), expected, "{pattern} vs {event_type}");
        }
        for valid in ["*", "deployment.*", "deployment.failed", "domain.provisioned"] {
            assert_eq!(pattern_problem(valid), None, "{valid}");
        }
        for invalid in ["", "deployment.", "Deployment.failed", "deploy*", ".*", "a..b"] {
            assert!(pattern_problem(invalid).is_some(), "{invalid}");
        }
    }

    #[test]
    fn project_and_environment_filters() {
        let mut event = PluginEvent {
            id: "e".into(),
            event_type: "deployment.failed".into(),
            timestamp: "2026-01-01T00:00:00Z".into(),
            project_id: Some(7),
            data: serde_json::Map::new(),
        };
        event.data.insert("environment_name".into(), "production".into());
        let events = vec!["deployment.*".to_owned()];
        let filter = |project_id, environment| Filter { events: &events, project_id, environment };
        assert!(filter(None, None).accepts(&event));
        assert!(filter(Some(7), Some("production")).accepts(&event));
        assert!(!filter(Some(8), None).accepts(&event));
        assert!(!filter(None, Some("staging")).accepts(&event));
    }
}
