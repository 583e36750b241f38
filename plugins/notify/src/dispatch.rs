//! Turning a platform event into deliveries: one persisted row per matching enabled target, then a wake-up.

use serde_json::json;
use temps_bundle_sdk::PluginEvent;

use crate::deliveries;
use crate::error::NotifyError;
use crate::state::NotifyState;
use crate::targets::{self, Target};
use temps_bundle_store::{cap, timestamp};

/// The most bytes of one field of an event's `data` in a rendered body (see [`capped`]).
pub const MAX_FIELD_BYTES: usize = 4 * 1024;

/// Records a delivery of `event` for every enabled target whose filters accept it, and wakes the worker.
/// Returns how many deliveries were added (a repeated event id adds none).
pub async fn enqueue_event(state: &NotifyState, event: &PluginEvent) -> Result<usize, NotifyError> {
    let event = &capped(event);
    let mut added = 0;
    for target in targets::list(state.db()).await? {
        if !target.input.enabled || !target.filter().accepts(event) {
            continue;
        }
        let body = target.input.format.render(event, false);
        if deliveries::enqueue(state.db(), &target, event, &body).await? {
            added += 1;
        }
    }
    if added > 0 {
        state.wake.notify_one();
    }
    Ok(added)
}

/// `event` with each field of its `data` capped at [`MAX_FIELD_BYTES`]: receivers get every field the platform
/// sent, but a multi-megabyte log line or payload is not copied into one stored body per target.
pub fn capped(event: &PluginEvent) -> PluginEvent {
    let data = cap::json(&serde_json::Value::Object(event.data.clone()), MAX_FIELD_BYTES);
    PluginEvent { data: data.as_object().cloned().unwrap_or_default(), ..event.clone() }
}

/// The event a "send test" delivers: a successful deployment matching the target's own filters.
pub fn test_event(target: &Target) -> PluginEvent {
    let project_id = target.input.project_id.unwrap_or(0);
    let environment = target.input.environment.clone().unwrap_or_else(|| "production".to_owned());
    let data = json!({
        "deployment_id": 0,
        "project_id": project_id,
        "environment_id": 0,
        "environment_name": environment,
        "commit_sha": "0000000",
        "url": "https://example.com",
    });
    PluginEvent {
        id: format!("test-{}", uuid::Uuid::new_v4()),
        event_type: "deployment.succeeded".to_owned(),
        timestamp: timestamp::format(timestamp::now_ms()),
        project_id: Some(project_id),
        data: data.as_object().cloned().unwrap_or_default(),
    }
}
