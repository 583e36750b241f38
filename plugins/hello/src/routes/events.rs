//! `GET /events`: the last deployment events received, newest first.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use temps_bundle_sdk::PluginEvent;

use crate::state::HelloState;

/// The answer of `GET /events`.
#[derive(Debug, Serialize)]
pub struct Events {
    pub events: Vec<PluginEvent>,
}

pub async fn list(State(state): State<HelloState>) -> Json<Events> {
    Json(Events { events: state.recent.list() })
}
