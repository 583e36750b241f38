//! Test-only members linked into the host tests' bundle (`bundle/host/tests/host-tests.toml`), never into a release:
//! `boom` panics in a handler and in its event handler, `broken` fails in `on_start`, `slow` answers after a delay
//! (for graceful shutdown), `tally` counts `project.*` events and makes channel calls (one declared, one not);
//! [`isolation`] has the members that hang, spin and lag.
#![allow(clippy::panic, reason = "these members panic on purpose: they exist to test panic isolation")]

mod isolation;

use std::time::Duration;

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use serde_json::json;
use temps_bundle_sdk::channel::ChannelError;
use temps_bundle_sdk::prelude::*;

/// Panics on `GET /panic`; answers `GET /ok`.
#[derive(Default)]
pub struct Boom;

impl Plugin for Boom {
    type State = ();

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("boom", "0.0.1").display_name("Boom (test)").event("deployment.*").build()
    }

    async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {
        Ok(())
    }

    fn router(&self, _ctx: &Context, _state: ()) -> Router {
        Router::new()
            .route("/panic", get(panic_now))
            .route("/ok", get(|| async { Json(json!({ "member": "boom", "ok": true })) }))
    }

    async fn on_event(&self, _ctx: &Context, _state: &(), event: PluginEvent) {
        panic!("boom: deliberate panic while handling event {}", event.id);
    }
}

async fn panic_now() -> &'static str {
    panic!("boom: deliberate panic for the isolation test")
}

/// Fails in `on_start`, so all of its routes answer 503.
#[derive(Default)]
pub struct Broken;

impl Plugin for Broken {
    type State = ();

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("broken", "0.0.1").display_name("Broken (test)").build()
    }

    async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {
        Err("the test database is unreachable (deliberate)".into())
    }

    fn router(&self, _ctx: &Context, _state: ()) -> Router {
        Router::new()
    }
}

/// Answers `GET /sleep?ms=N` after N milliseconds, `GET /block?ms=N` at once while a blocking thread sleeps N ms;
/// records `on_shutdown` in a file in its data dir.
#[derive(Default)]
pub struct Slow;

impl Plugin for Slow {
    type State = Context;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("slow", "0.0.1").display_name("Slow (test)").public_path("/open").build()
    }

    async fn on_start(&self, ctx: &Context) -> Result<Context, BoxError> {
        Ok(ctx.clone())
    }

    fn router(&self, _ctx: &Context, _state: Context) -> Router {
        Router::new()
            .route(
                "/sleep",
                get(
                    |axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, u64>>| async move {
                        let ms = q.get("ms").copied().unwrap_or(100);
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                        Json(json!({ "slept_ms": ms }))
                    },
                ),
            )
            // Starts a blocking thread for N milliseconds and answers at once: what a getaddrinfo stuck on a slow
            // DNS server looks like to the runtime.
            .route(
                "/block",
                get(
                    |axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, u64>>| async move {
                        let ms = q.get("ms").copied().unwrap_or(100);
                        drop(tokio::task::spawn_blocking(move || std::thread::sleep(Duration::from_millis(ms))));
                        Json(json!({ "blocking_ms": ms }))
                    },
                ),
            )
            .route(
                "/open/ping",
                get(|caller: Caller| async move { Json(json!({ "anonymous": caller == Caller::Anonymous })) }),
            )
    }

    async fn on_shutdown(&self, ctx: &Context, _state: &Context) {
        let _ = tokio::fs::write(ctx.data_dir().join("shutdown.txt"), "clean").await;
    }
}

/// Records `project.*` events; `/projects` calls the channel (declared), `/environments` too (not declared).
#[derive(Default)]
pub struct Tally;

/// Tally's state: the events it received, and its context for channel calls.
#[derive(Clone)]
pub struct TallyState {
    ctx: Context,
    events: Arc<Mutex<Vec<PluginEvent>>>,
}

impl Plugin for Tally {
    type State = TallyState;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("tally", "0.0.1")
            .display_name("Tally (test)")
            .event("project.*")
            .host_permission(HostPermission::ProjectsRead)
            .host_permission(HostPermission::EventsRead)
            .build()
    }

    async fn on_start(&self, ctx: &Context) -> Result<TallyState, BoxError> {
        Ok(TallyState { ctx: ctx.clone(), events: Arc::default() })
    }

    fn router(&self, _ctx: &Context, state: TallyState) -> Router {
        Router::new()
            .route(
                "/events",
                get(|State(s): State<TallyState>| async move {
                    let events = s.events.lock().map(|e| e.clone()).unwrap_or_default();
                    Json(json!({ "events": events }))
                }),
            )
            .route(
                "/projects",
                get(|State(s): State<TallyState>| async move { outcome(s.ctx.temps().list_projects().await) }),
            )
            .route(
                "/environments",
                get(|State(s): State<TallyState>| async move { outcome(s.ctx.temps().list_environments(1).await) }),
            )
            .with_state(state)
    }

    async fn on_event(&self, _ctx: &Context, state: &TallyState, event: PluginEvent) {
        if let Ok(mut events) = state.events.lock() {
            events.push(event);
        }
    }
}

fn outcome<T: serde::Serialize>(result: Result<T, ChannelError>) -> Json<serde_json::Value> {
    match result {
        Ok(value) => Json(json!({ "ok": value })),
        Err(error) => Json(json!({ "error": error.to_string(), "code": error.code().map(|c| c.as_str()) })),
    }
}

temps_bundle_sdk::register!(Boom);
temps_bundle_sdk::register!(Tally);
temps_bundle_sdk::register!(Broken);
temps_bundle_sdk::register!(Slow);
