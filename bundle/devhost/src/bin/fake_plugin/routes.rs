//! The fake plugin's HTTP routes: health, request echo, `/_events`, the channel upgrade and test hooks.

use std::sync::{Arc, Mutex, PoisonError};

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::{Map, Value, json};
use temps_bundle_protocol::{Generation, PluginEvent, headers};

use crate::Launch;
use crate::channel::ChannelSlot;

/// Shared state of the fake.
#[derive(Debug, Clone)]
pub(crate) struct FakeState {
    pub(crate) launch: Arc<Launch>,
    pub(crate) events: Arc<Mutex<Vec<Value>>>,
    pub(crate) channel: ChannelSlot,
}

impl FakeState {
    pub(crate) fn new(launch: Launch) -> Self {
        Self { launch: Arc::new(launch), events: Arc::default(), channel: ChannelSlot::default() }
    }

    pub(crate) fn record_event(&self, via: &str, event: Value) {
        self.events.lock().unwrap_or_else(PoisonError::into_inner).push(json!({"via": via, "event": event}));
    }

    fn signed(&self, headers: &HeaderMap) -> bool {
        self.launch.generation == Generation::A
            || headers.get(headers::AUTH_SIGNATURE).is_some_and(|v| v.as_bytes() == self.launch.secret.as_bytes())
    }
}

pub(crate) fn router(state: FakeState) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route(headers::EVENTS_PATH, post(events))
        .route(headers::CHANNEL_PATH, any(channel_upgrade))
        .route("/_fake/events", get(received_events))
        .route("/_fake/call", post(call))
        .route("/_fake/raw-frame", post(raw_frame))
        .fallback(echo)
        .with_state(state)
}

/// Any other request: its method, path, query and headers as JSON.
async fn echo(State(state): State<FakeState>, request: Request) -> Json<Value> {
    let headers: Map<String, Value> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned())))
        .collect();
    Json(json!({
        "plugin": state.launch.name,
        "method": request.method().as_str(),
        "path": request.uri().path(),
        "query": request.uri().query(),
        "headers": headers,
    }))
}

async fn events(State(state): State<FakeState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if !state.signed(&headers) {
        return StatusCode::UNAUTHORIZED;
    }
    match serde_json::from_slice::<PluginEvent>(&body) {
        Ok(event) => {
            state.record_event("http", json!(event));
            StatusCode::NO_CONTENT
        }
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

async fn channel_upgrade(State(state): State<FakeState>, headers: HeaderMap, upgrade: WebSocketUpgrade) -> Response {
    if !state.signed(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if !state.channel.claim() {
        return StatusCode::CONFLICT.into_response();
    }
    upgrade.on_upgrade(move |socket| crate::channel::serve(socket, state))
}

async fn received_events(State(state): State<FakeState>) -> Json<Value> {
    Json(Value::Array(state.events.lock().unwrap_or_else(PoisonError::into_inner).clone()))
}

/// `{"method": "...", "params": {...}}` → the host's response frame, as received.
async fn call(State(state): State<FakeState>, Json(body): Json<Value>) -> Result<Json<Value>, (StatusCode, String)> {
    let method = body["method"].as_str().unwrap_or_default().to_owned();
    let params = body.get("params").cloned().unwrap_or_else(|| json!({}));
    state
        .channel
        .call(state.launch.generation, &method, params)
        .await
        .map(Json)
        .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e))
}

async fn raw_frame(State(state): State<FakeState>, body: String) -> StatusCode {
    match state.channel.send_raw(body) {
        true => StatusCode::ACCEPTED,
        false => StatusCode::SERVICE_UNAVAILABLE,
    }
}
