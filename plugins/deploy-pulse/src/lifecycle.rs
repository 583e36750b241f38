//! One deployment's record and how observations (events, backfilled host data) merge into it. Pure: the store
//! reads the existing row, calls [`merge`], and writes the result only if it changed.
//!
//! Merge rule: the first known value of each field wins (events usually arrive first and carry the exact
//! moment; backfill only fills gaps), except the host's raw `host_state`, which follows the newest view. Merging
//! the same observation twice changes nothing, which is what makes backfill idempotent.

use serde_json::{Map, Value};
use temps_bundle_sdk::PluginEvent;
use temps_bundle_sdk::protocol::DeploymentInfo;
use temps_bundle_store::timestamp;

use crate::caps;

/// The normalized outcome of a deployment.
pub const SUCCEEDED: &str = "succeeded";
pub const FAILED: &str = "failed";
pub const CANCELLED: &str = "cancelled";
/// Created but not finished (the host's `pending`, `building`, `running`, …).
pub const RUNNING: &str = "running";

/// The four outcomes as the API describes them (the stored and served values are the constants above).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeploymentState {
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// See [`Deployment::environment_key`].
pub type EnvironmentKey<'a> = (Option<i64>, Option<&'a str>);

/// One row of the `deployments` table (the sea-orm model). Times are Unix milliseconds.
pub type Deployment = crate::entity::deployment::Model;

/// What one event or one backfilled record says about a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observation {
    pub deployment_id: i64,
    pub project_id: i64,
    pub environment_id: Option<i64>,
    pub environment_name: Option<String>,
    pub host_state: Option<String>,
    pub branch: Option<String>,
    pub commit_sha: Option<String>,
    pub commit_message: Option<String>,
    pub commit_author: Option<String>,
    pub url: Option<String>,
    pub error_message: Option<String>,
    pub created_at: Option<i64>,
    pub started_at: Option<i64>,
    pub succeeded_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub ready_at: Option<i64>,
}

impl Deployment {
    /// When the deployment happened, for windows and ordering: its creation, else the first lifecycle moment known.
    pub fn at(&self) -> Option<i64> {
        self.created_at.or_else(|| self.finished_at()).or(self.ready_at).or(self.started_at)
    }

    /// Which environment it belongs to: its id when known, else its name (events always carry both; a row without
    /// an id only comes from an event that lacked one).
    pub fn environment_key(&self) -> EnvironmentKey<'_> {
        (self.environment_id, if self.environment_id.is_some() { None } else { self.environment_name.as_deref() })
    }

    /// When it reached its terminal state (success, failure or cancellation).
    pub fn finished_at(&self) -> Option<i64> {
        match self.state.as_str() {
            SUCCEEDED => self.succeeded_at.or(self.ready_at),
            FAILED => self.failed_at,
            CANCELLED => self.cancelled_at,
            _ => None,
        }
    }

    /// created → succeeded, in milliseconds, for succeeded deployments with both moments known.
    pub fn lead_time_ms(&self) -> Option<i64> {
        if self.state != SUCCEEDED {
            return None;
        }
        Some(self.succeeded_at.or(self.ready_at)? - self.created_at?).filter(|ms| *ms >= 0)
    }
}

/// An observation from a `deployment.*` event (§8 of the protocol); `None` for other events or without a
/// `deployment_id`.
pub fn from_event(event: &PluginEvent) -> Option<Observation> {
    let data = &event.data;
    let deployment_id = int(data, "deployment_id")?;
    let project_id = int(data, "project_id").or(event.project_id)?;
    let at = timestamp::parse(&event.timestamp);
    let mut observation = Observation {
        deployment_id,
        project_id,
        environment_id: int(data, "environment_id"),
        environment_name: text(data, "environment_name"),
        commit_sha: text(data, "commit_sha"),
        ..Observation::default()
    };
    match event.event_type.strip_prefix("deployment.")? {
        "created" => {
            observation.created_at = at;
            observation.branch = text(data, "branch");
        }
        "succeeded" => {
            observation.succeeded_at = at;
            observation.url = text(data, "url");
        }
        "failed" => {
            observation.failed_at = at;
            observation.error_message = text(data, "error_message");
        }
        "cancelled" => observation.cancelled_at = at,
        "ready" => {
            observation.ready_at = at;
            observation.url = text(data, "url");
        }
        _ => {}
    }
    Some(observation)
}

/// An observation from the host's `DeploymentInfo` (backfill). A terminal host state dates its outcome at
/// `finished_at`.
pub fn from_info(info: &DeploymentInfo) -> Observation {
    let finished = info.finished_at.as_deref().and_then(timestamp::parse);
    let mut observation = Observation {
        deployment_id: i64::from(info.id),
        project_id: i64::from(info.project_id),
        environment_id: Some(i64::from(info.environment_id)),
        host_state: Some(caps::text(&info.state)),
        branch: info.branch.as_deref().map(caps::text),
        commit_sha: info.commit_sha.as_deref().map(caps::text),
        commit_message: info.commit_message.as_deref().map(caps::text),
        commit_author: info.commit_author.as_deref().map(caps::text),
        created_at: timestamp::parse(&info.created_at),
        started_at: info.started_at.as_deref().and_then(timestamp::parse),
        ..Observation::default()
    };
    match normalize_state(&info.state) {
        SUCCEEDED => observation.succeeded_at = finished,
        FAILED => observation.failed_at = finished,
        CANCELLED => observation.cancelled_at = finished,
        _ => {}
    }
    observation
}

/// `existing` with `observation` merged in (see the module docs for the rule).
pub fn merge(existing: Option<&Deployment>, observation: &Observation) -> Deployment {
    let base = existing.cloned().unwrap_or_else(|| Deployment {
        deployment_id: observation.deployment_id,
        project_id: observation.project_id,
        ..Deployment::default()
    });
    let o = observation.clone();
    let mut merged = Deployment {
        deployment_id: base.deployment_id,
        project_id: base.project_id,
        environment_id: base.environment_id.or(o.environment_id),
        environment_name: base.environment_name.or(o.environment_name),
        state: String::new(),
        host_state: o.host_state.or(base.host_state),
        branch: base.branch.or(o.branch),
        commit_sha: base.commit_sha.or(o.commit_sha),
        commit_message: base.commit_message.or(o.commit_message),
        commit_author: base.commit_author.or(o.commit_author),
        url: base.url.or(o.url),
        error_message: base.error_message.or(o.error_message),
        created_at: base.created_at.or(o.created_at),
        started_at: base.started_at.or(o.started_at),
        succeeded_at: base.succeeded_at.or(o.succeeded_at),
        failed_at: base.failed_at.or(o.failed_at),
        cancelled_at: base.cancelled_at.or(o.cancelled_at),
        ready_at: base.ready_at.or(o.ready_at),
    };
    merged.state = derive_state(&merged).to_owned();
    merged
}

/// The outcome: a failure, cancellation or success moment decides (in that order); else the host's word.
fn derive_state(d: &Deployment) -> &'static str {
    if d.failed_at.is_some() {
        FAILED
    } else if d.cancelled_at.is_some() {
        CANCELLED
    } else if d.succeeded_at.is_some() || d.ready_at.is_some() {
        SUCCEEDED
    } else {
        d.host_state.as_deref().map_or(RUNNING, normalize_state)
    }
}

/// Maps the host's state words onto the four outcomes deploy-pulse reasons about.
pub fn normalize_state(host_state: &str) -> &'static str {
    match host_state.to_ascii_lowercase().as_str() {
        "succeeded" | "success" | "successful" | "completed" | "deployed" | "ready" | "active" => SUCCEEDED,
        "failed" | "failure" | "error" | "errored" => FAILED,
        "cancelled" | "canceled" | "aborted" => CANCELLED,
        _ => RUNNING,
    }
}

fn int(data: &Map<String, Value>, key: &str) -> Option<i64> {
    match data.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text(data: &Map<String, Value>, key: &str) -> Option<String> {
    data.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(caps::text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use serde_json::json;

    use super::*;

    fn event(event_type: &str, timestamp: &str, data: Value) -> PluginEvent {
        PluginEvent {
            id: format!("{event_type}-{timestamp}"),
            event_type: event_type.into(),
            timestamp: timestamp.into(),
            project_id: None,
            data: data.as_object().unwrap().clone(),
        }
    }

    fn common(extra: Value) -> Value {
        let mut data =
            json!({"deployment_id": 9, "project_id": 2, "environment_id": 3, "environment_name": "production"});
        data.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        data
    }

    #[test]
    fn events_build_the_lifecycle_in_any_order() {
        let created =
            event("deployment.created", "2026-03-01T10:00:00Z", common(json!({"branch": "main", "commit_sha": "abc"})));
        let failed = event("deployment.failed", "2026-03-01T10:05:00Z", common(json!({"error_message": "exit 1"})));
        let forward = [&created, &failed]
            .iter()
            .fold(None, |d: Option<Deployment>, e| Some(merge(d.as_ref(), &from_event(e).unwrap())));
        let backward = [&failed, &created]
            .iter()
            .fold(None, |d: Option<Deployment>, e| Some(merge(d.as_ref(), &from_event(e).unwrap())));
        let d = forward.unwrap();
        assert_eq!(Some(&d), backward.as_ref());
        assert_eq!(d.state, FAILED);
        assert_eq!((d.branch.as_deref(), d.error_message.as_deref()), (Some("main"), Some("exit 1")));
        assert_eq!(d.failed_at.unwrap() - d.created_at.unwrap(), 300_000);
        assert_eq!(d.finished_at(), d.failed_at);
        assert_eq!(d.lead_time_ms(), None);
    }

    #[test]
    fn merging_is_idempotent_and_backfill_fills_gaps() {
        let ready = from_event(&event("deployment.ready", "2026-03-01T10:07:00Z", common(json!({"url": "https://x"}))))
            .unwrap();
        let info = DeploymentInfo {
            id: 9,
            project_id: 2,
            environment_id: 3,
            state: "completed".into(),
            branch: Some("main".into()),
            tag: None,
            commit_sha: Some("abc".into()),
            commit_message: Some("Fix".into()),
            commit_author: Some("ana".into()),
            created_at: "2026-03-01T10:00:00Z".into(),
            started_at: None,
            finished_at: Some("2026-03-01T10:06:00Z".into()),
        };
        let once = merge(Some(&merge(None, &ready)), &from_info(&info));
        let twice = merge(Some(&once), &from_info(&info));
        assert_eq!(once, twice);
        assert_eq!(once.state, SUCCEEDED);
        assert_eq!(once.lead_time_ms(), Some(360_000), "succeeded_at comes from finished_at");
        assert_eq!(once.url.as_deref(), Some("https://x"));
        assert_eq!(once.host_state.as_deref(), Some("completed"));
    }

    #[test]
    fn the_described_states_are_the_stored_ones() {
        let described =
            [DeploymentState::Running, DeploymentState::Succeeded, DeploymentState::Failed, DeploymentState::Cancelled]
                .map(|state| serde_json::to_value(state).unwrap());
        assert_eq!(described, [RUNNING, SUCCEEDED, FAILED, CANCELLED].map(Value::from));
    }

    #[test]
    fn other_events_and_missing_ids_are_not_deployments() {
        assert!(from_event(&event("project.created", "2026-03-01T10:00:00Z", json!({"project_id": 1}))).is_none());
        assert!(from_event(&event("deployment.created", "2026-03-01T10:00:00Z", json!({"project_id": 1}))).is_none());
        assert_eq!(normalize_state("Building"), RUNNING);
        assert_eq!(normalize_state("CANCELED"), CANCELLED);
    }
}
