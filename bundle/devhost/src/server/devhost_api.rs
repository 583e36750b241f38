//! The JSON endpoints behind the console: running manifests, plugin info, firing events, channel calls, stderr.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use temps_bundle_protocol::event::EVENT_TYPES;

use super::FrontState;
use super::problem::Problem;
use crate::caller::Caller;
use crate::events::{new_event, sample_event_data};

/// `GET /api/x/plugins`: the running manifests, exactly as the plugins sent them.
pub(crate) async fn plugins(State(state): State<FrontState>) -> Json<Value> {
    Json(json!([state.plugin.manifest_json()]))
}

/// `GET /_devhost/info`: what the console shows in its header and uses to prefill the event form.
pub(crate) async fn info(State(state): State<FrontState>) -> Json<Value> {
    let plugin = &state.plugin;
    let samples: Map<String, Value> =
        EVENT_TYPES.iter().map(|t| ((*t).to_owned(), Value::Object(sample_event_data(t, plugin.fixtures())))).collect();
    let role = match state.caller.as_ref() {
        Caller::User { role, .. } => Some(role.clone()),
        _ => None,
    };
    Json(json!({
        "name": plugin.manifest().name,
        "installed_name": plugin.plugin_name(),
        "install": plugin.install_source(),
        "version": plugin.manifest().version,
        "generation": format!("{:?}", plugin.generation()),
        "socket_path": plugin.socket_path(),
        "data_dir": plugin.data_dir(),
        "channel_connected": plugin.channel_connected(),
        "role": role,
        "subscriptions": plugin.manifest().events,
        "event_types": EVENT_TYPES,
        "samples": samples,
    }))
}

/// The body of `POST /_devhost/events`.
#[derive(Debug, Deserialize)]
pub(crate) struct FireEvent {
    event_type: String,
    #[serde(default)]
    data: Map<String, Value>,
    /// Overrides the envelope's `project_id` (default: `data.project_id`).
    #[serde(default)]
    project_id: Option<i64>,
}

/// `POST /_devhost/events`: builds the envelope and delivers it like Temps.
pub(crate) async fn fire_event(
    State(state): State<FrontState>,
    Json(body): Json<FireEvent>,
) -> Result<Json<Value>, Problem> {
    if body.event_type.trim().is_empty() {
        return Err(Problem::new(StatusCode::BAD_REQUEST, "event_type is required"));
    }
    let mut event = new_event(&body.event_type, body.data);
    if body.project_id.is_some() {
        event.project_id = body.project_id;
    }
    let delivery = state.plugin.fire_event(event.clone()).await?;
    Ok(Json(json!({"event": event, "delivery": delivery.to_json()})))
}

/// `GET /_devhost/calls`: the channel calls so far and any frames the host rejected.
pub(crate) async fn calls(State(state): State<FrontState>) -> Json<Value> {
    let calls: Vec<Value> = state
        .plugin
        .channel_calls()
        .into_iter()
        .map(|call| {
            let (ok, answer) = match call.answered {
                Ok(result) => (true, result),
                // The protocol's `CallError`, as the plugin received it.
                Err(error) => (false, json!(error)),
            };
            json!({"id": call.id, "method": call.method, "params": call.params, "ok": ok, "answer": answer})
        })
        .collect();
    Json(json!({
        "channel_connected": state.plugin.channel_connected(),
        "calls": calls,
        "protocol_errors": state.plugin.channel_protocol_errors(),
    }))
}

/// `GET /_devhost/stderr`: the tail of the plugin's stderr.
pub(crate) async fn stderr(State(state): State<FrontState>) -> String {
    const TAIL: usize = 64 * 1024;
    let text = state.plugin.stderr();
    let start = text.len().saturating_sub(TAIL);
    let start = (start..text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
    text[start..].to_owned()
}
