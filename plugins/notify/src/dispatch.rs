//! Turning a platform event into deliveries: one persisted row per matching enabled target, then a wake-up.

use serde_json::json;
use temps_bundle_sdk::PluginEvent;

use crate::deliveries;
use crate::error::NotifyError;
use crate::state::NotifyState;
use crate::targets::{self, Target};
use temps_bundle_store::timestamp;

/// Records a delivery of `event` for every enabled target whose filters accept it, and wakes the worker.
/// Returns how many deliveries were added (a repeated event id adds none).
pub async fn enqueue_event(state: &NotifyState, event: &PluginEvent) -> Result<usize, NotifyError> {
    let mut added = 0;
    for target in targets::list(state.pool()).await? {
        if !target.input.enabled || !target.filter().accepts(event) {
            continue;
        }
        let body = target.input.format.render(event, false);
        if deliveries::enqueue(state.pool(), &target, event, &body).await? {
            added += 1;
        }
    }
    if added > 0 {
        state.wake.notify_one();
    }
    Ok(added)
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
