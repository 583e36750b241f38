//! Platform events (§8): building them, sample data per event type, and how one was delivered.

use serde_json::{Map, Value, json};
use temps_bundle_protocol::PluginEvent;

use crate::fixtures::{DeploymentInfo, Fixtures};
use crate::time::rfc3339_now;

/// How [`crate::RunningPlugin::fire_event`] delivered an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Pushed as an `event` frame on the platform channel (fire and forget).
    Channel,
    /// Posted to `/_events` on the socket; the plugin answered this status (2xx = delivered).
    Http { status: http::StatusCode },
    /// Not delivered, as Temps would not: the plugin is not subscribed, or `events_read` is not granted.
    Skipped { reason: String },
}

impl Delivery {
    /// Whether the plugin got the event (pushed, or a 2xx from `/_events`).
    pub fn delivered(&self) -> bool {
        match self {
            Self::Channel => true,
            Self::Http { status } => status.is_success(),
            Self::Skipped { .. } => false,
        }
    }

    /// A JSON summary for the console.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Channel => json!({"via": "channel", "delivered": true}),
            Self::Http { status } => {
                json!({"via": "http", "status": status.as_u16(), "delivered": status.is_success()})
            }
            Self::Skipped { reason } => json!({"via": "none", "delivered": false, "reason": reason}),
        }
    }
}

/// A new event with a fresh UUIDv4 id and the current time; `project_id` is taken from `data.project_id`.
pub fn new_event(event_type: &str, data: Map<String, Value>) -> PluginEvent {
    PluginEvent {
        id: uuid::Uuid::new_v4().to_string(),
        event_type: event_type.to_owned(),
        timestamp: rfc3339_now(),
        project_id: data.get("project_id").and_then(Value::as_i64),
        data,
    }
}

/// A realistic event of this type about the fixtures' newest deployment (or project).
pub fn sample_event(event_type: &str, fixtures: &Fixtures) -> PluginEvent {
    new_event(event_type, sample_event_data(event_type, fixtures))
}

/// The `data` keys of §8 for this event type, filled from the fixtures; unknown types get `{}`.
pub fn sample_event_data(event_type: &str, fixtures: &Fixtures) -> Map<String, Value> {
    let deployment = newest_deployment(fixtures);
    let value = match event_type {
        "deployment.created" => {
            with_deployment(deployment, fixtures, |d| json!({"commit_sha": d.commit_sha, "branch": d.branch}))
        }
        "deployment.succeeded" => with_deployment(
            deployment,
            fixtures,
            |d| json!({"commit_sha": d.commit_sha, "url": deployment_url(fixtures, d)}),
        ),
        "deployment.failed" => with_deployment(
            deployment,
            fixtures,
            |_| json!({"error_message": "Build failed: `npm run build` exited with code 1"}),
        ),
        "deployment.cancelled" => with_deployment(deployment, fixtures, |_| json!({})),
        "deployment.ready" => with_deployment(deployment, fixtures, |d| json!({"url": deployment_url(fixtures, d)})),
        "project.created" | "project.deleted" => match fixtures.projects.first() {
            Some(p) => json!({"project_id": p.id, "project_name": p.name}),
            None => json!({"project_id": 1, "project_name": "example"}),
        },
        "domain.created" | "domain.provisioned" => {
            let project = fixtures.projects.first();
            json!({
                "domain_id": 1,
                "project_id": project.map_or(1, |p| p.id),
                "domain_name": format!("{}.example.com", project.map_or("app", |p| p.slug.as_str())),
            })
        }
        _ => json!({}),
    };
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn newest_deployment(fixtures: &Fixtures) -> Option<&DeploymentInfo> {
    fixtures.deployments.iter().max_by(|a, b| (&a.created_at, a.id).cmp(&(&b.created_at, b.id)))
}

/// The common deployment keys plus the type-specific ones.
fn with_deployment(
    deployment: Option<&DeploymentInfo>,
    fixtures: &Fixtures,
    extra: impl Fn(&DeploymentInfo) -> Value,
) -> Value {
    let Some(d) = deployment else {
        return json!({"deployment_id": 1, "project_id": 1, "environment_id": 1, "environment_name": "production"});
    };
    let environment_name = fixtures.environment(d.environment_id).map(|e| e.name.clone());
    let mut value = json!({
        "deployment_id": d.id,
        "project_id": d.project_id,
        "environment_id": d.environment_id,
        "environment_name": environment_name,
    });
    if let (Value::Object(base), Value::Object(more)) = (&mut value, extra(d)) {
        base.extend(more);
    }
    value
}

fn deployment_url(fixtures: &Fixtures, d: &DeploymentInfo) -> String {
    let project = fixtures.project(d.project_id).map_or("app", |p| p.slug.as_str());
    let environment = fixtures.environment(d.environment_id).map_or("production", |e| e.slug.as_str());
    format!("https://{project}-{environment}.example.com")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_carry_the_documented_keys() {
        let fixtures = Fixtures::builtin();
        let check = |event_type: &str, keys: &[&str]| {
            let data = sample_event_data(event_type, &fixtures);
            let mut got: Vec<&str> = data.keys().map(String::as_str).collect();
            got.sort_unstable();
            let mut want = keys.to_vec();
            want.sort_unstable();
            assert_eq!(got, want, "{event_type}");
        };
        let common = ["deployment_id", "project_id", "environment_id", "environment_name"];
        check("deployment.created", &[&common[..], &["commit_sha", "branch"]].concat());
        check("deployment.succeeded", &[&common[..], &["commit_sha", "url"]].concat());
        check("deployment.failed", &[&common[..], &["error_message"]].concat());
        check("deployment.cancelled", &common);
        check("deployment.ready", &[&common[..], &["url"]].concat());
        check("project.created", &["project_id", "project_name"]);
        check("domain.provisioned", &["domain_id", "project_id", "domain_name"]);
    }

    #[test]
    fn new_event_takes_project_from_data() {
        let event = sample_event("deployment.failed", &Fixtures::builtin());
        assert_eq!(event.project_id, Some(3));
        assert_eq!(event.data["deployment_id"], 120);
        assert!(uuid::Uuid::parse_str(&event.id).is_ok());
    }
}
