//! `hello`: the example member. It greets the caller, counts visits in a file inside its own data dir, and keeps
//! the last deployment events it received, so every part of the runtime has something small to exercise.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Query, State};
use axum::routing::get;
use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use temps_bundle_sdk::prelude::*;

/// The built UI (`web/dist`, or the placeholder `build.rs` writes until `cargo xtask ui` has run).
static UI: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web/dist");

/// How many recent events `GET /events` remembers.
const RECENT_EVENTS: usize = 50;

/// The plugin type registered with the bundle.
#[derive(Default)]
pub struct Hello;

/// Hello's state: where its counter lives and the recent events.
#[derive(Clone)]
pub struct HelloState {
    counter_file: PathBuf,
    recent: Arc<Mutex<VecDeque<PluginEvent>>>,
}

#[derive(Debug, thiserror::Error)]
enum HelloError {
    #[error("cannot read visit counter {path}: {source}")]
    ReadCounter { path: PathBuf, source: std::io::Error },
    #[error("cannot write visit counter {path}: {source}")]
    WriteCounter { path: PathBuf, source: std::io::Error },
}

impl Plugin for Hello {
    type State = HelloState;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("hello", env!("CARGO_PKG_VERSION"))
            .display_name("Hello")
            .description("Example member: greets you and shows the deployment events it received.")
            .nav("Hello", "hand", NavSection::Platform, "/", 90)
            .ui(&[("/", "Hello")])
            .public_path("/public")
            .event("deployment.*")
            .host_permission("events_read")
            .build()
    }

    async fn on_start(&self, ctx: &Context) -> Result<HelloState, BoxError> {
        let counter_file = ctx.data_dir().join("visits.txt");
        read_visits(&counter_file).await?;
        Ok(HelloState { counter_file, recent: Arc::default() })
    }

    fn router(&self, _ctx: &Context, state: HelloState) -> Router {
        Router::new()
            .route("/greeting", get(greeting))
            .route("/events", get(recent_events))
            .route("/public/ping", get(|| async { Json(json!({ "pong": true })) }))
            .with_state(state)
    }

    async fn on_event(&self, _ctx: &Context, state: &HelloState, event: PluginEvent) {
        tracing::info!(event_id = %event.id, event_type = %event.event_type, "hello received an event");
        if let Ok(mut recent) = state.recent.lock() {
            recent.push_front(event);
            recent.truncate(RECENT_EVENTS);
        }
    }

    fn openapi(&self) -> Option<Value> {
        Some(openapi())
    }

    fn ui(&self) -> Option<&'static Dir<'static>> {
        Some(&UI)
    }
}

temps_bundle_sdk::register!(Hello);

/// The OpenAPI description of hello's routes.
fn openapi() -> Value {
    let json_ok =
        |description: &str| json!({ "200": { "description": description, "content": { "application/json": {} } } });
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Hello", "version": env!("CARGO_PKG_VERSION") },
        "paths": {
            "/greeting": { "get": {
                "summary": "Greet the caller and count the visit",
                "parameters": [{ "name": "name", "in": "query", "required": false, "schema": { "type": "string" } }],
                "responses": json_ok("The greeting, the visit count and the caller's role"),
            } },
            "/events": { "get": { "summary": "The last deployment events received", "responses": json_ok("Recent events") } },
            "/public/ping": { "get": { "summary": "Liveness without a login", "responses": json_ok("Pong") } },
        },
    })
}

#[derive(Debug, Deserialize)]
struct GreetingQuery {
    name: Option<String>,
}

#[derive(Debug, Serialize)]
struct Greeting {
    message: String,
    visits: u64,
    caller: Option<String>,
}

async fn greeting(
    State(state): State<HelloState>,
    caller: Caller,
    Query(query): Query<GreetingQuery>,
) -> Result<Json<Greeting>, Problem> {
    let visits = read_visits(&state.counter_file).await.map_err(log_internal)? + 1;
    tokio::fs::write(&state.counter_file, visits.to_string())
        .await
        .map_err(|source| log_internal(HelloError::WriteCounter { path: state.counter_file.clone(), source }))?;
    let name = query.name.or_else(|| caller.user().ok().map(|u| u.email.clone())).unwrap_or_else(|| "stranger".into());
    Ok(Json(Greeting {
        message: format!("Hello, {name}!"),
        visits,
        caller: caller.user().ok().map(|u| u.role.clone()),
    }))
}

async fn recent_events(State(state): State<HelloState>) -> Json<Value> {
    let events: Vec<PluginEvent> = state.recent.lock().map(|r| r.iter().cloned().collect()).unwrap_or_default();
    Json(json!({ "events": events }))
}

async fn read_visits(path: &PathBuf) -> Result<u64, HelloError> {
    match tokio::fs::read_to_string(path).await {
        Ok(text) => Ok(text.trim().parse().unwrap_or(0)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(source) => Err(HelloError::ReadCounter { path: path.clone(), source }),
    }
}

fn log_internal(error: HelloError) -> Problem {
    tracing::error!(%error, "hello failed");
    Problem::internal()
}
