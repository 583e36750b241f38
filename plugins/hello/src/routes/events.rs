//! `GET /events`: the last deployment events received, newest first.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use serde_json::{Map, Value};
use temps_bundle_sdk::PluginEvent;
use utoipa::ToSchema;

use crate::state::HelloState;

/// The answer of `GET /events`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Events {
    #[schema(value_type = Vec<EventSchema>)]
    pub events: Vec<PluginEvent>,
}

// The protocol crate carries no OpenAPI derive, so this describes its `PluginEvent`; the test below keeps the two
// in step.
/// A platform event as the platform sent it.
#[derive(Serialize, ToSchema)]
#[schema(as = PluginEvent)]
pub struct EventSchema {
    id: String,
    event_type: String,
    /// RFC 3339.
    timestamp: String,
    project_id: Option<i64>,
    data: Map<String, Value>,
}

/// The last deployment events received
#[utoipa::path(get, path = "/events", responses((status = 200, description = "Newest first, at most 50", body = Events)))]
pub async fn list(State(state): State<HelloState>) -> Json<Events> {
    Json(Events { events: state.recent.list() })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn the_event_schema_has_the_fields_a_plugin_event_serializes() {
        let event = PluginEvent {
            id: "e".into(),
            event_type: "deployment.created".into(),
            timestamp: "2026-03-04T16:05:00Z".into(),
            project_id: Some(1),
            data: Map::new(),
        };
        let real: Vec<String> = serde_json::to_value(event).unwrap().as_object().unwrap().keys().cloned().collect();
        let schema = serde_json::to_value(<EventSchema as utoipa::PartialSchema>::schema()).unwrap();
        let described: Vec<String> = schema["properties"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(described, real);
    }
}
