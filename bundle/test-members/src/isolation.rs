//! Members that misbehave in the ways one process must survive (issue: isolation inside one process):
//! `sleepy` has a route that never answers and one that busy-loops for 2 s on its worker, `stuck` has an event
//! handler that never returns, `laggard` consumes events slowly and runs a background task the kill switch stops,
//! `counter` keeps up and counts the distinct events it got. The three subscribe to `domain.*`, which no other
//! member does, so the backlog test's events cost nobody else memory.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{get, post};
use serde_json::json;
use temps_bundle_sdk::prelude::*;

/// `GET /forever` never answers; `GET /spin` holds its runtime worker for 2 s; `POST /upload` reads a body;
/// `GET /ok` answers at once.
#[derive(Default)]
pub struct Sleepy;

impl Plugin for Sleepy {
    type State = ();

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("sleepy", "0.0.1").display_name("Sleepy (test)").build()
    }

    async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {
        Ok(())
    }

    fn router(&self, _ctx: &Context, _state: ()) -> Router {
        Router::new()
            .route("/forever", get(std::future::pending::<&'static str>))
            .route("/spin", get(spin))
            .route("/upload", post(|body: Bytes| async move { Json(json!({ "bytes": body.len() })) }))
            .route("/ok", get(|| async { Json(json!({ "member": "sleepy", "ok": true })) }))
    }
}

/// Blocking code in an async handler: exactly what the watchdog exists to name.
async fn spin() -> Json<serde_json::Value> {
    let start = Instant::now();
    let mut turns: u64 = 0;
    while start.elapsed() < Duration::from_secs(2) {
        turns = turns.wrapping_add(1);
        std::hint::spin_loop();
    }
    Json(json!({ "spun_ms": start.elapsed().as_millis() as u64, "turns": turns }))
}

/// Subscribes to `domain.*` and never returns from its event handler.
#[derive(Default)]
pub struct Stuck;

impl Plugin for Stuck {
    type State = ();

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("stuck", "0.0.1").display_name("Stuck (test)").event("domain.*").build()
    }

    async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {
        Ok(())
    }

    fn router(&self, _ctx: &Context, _state: ()) -> Router {
        Router::new()
    }

    async fn on_event(&self, _ctx: &Context, _state: &(), _event: PluginEvent) {
        std::future::pending::<()>().await;
    }
}

/// Takes 20 ms per `domain.*` event (`GET /handled` counts them) and ticks a background task every 20 ms
/// (`GET /ticks`).
#[derive(Default)]
pub struct Laggard;

/// Laggard's counters.
#[derive(Clone, Default)]
pub struct LaggardState {
    handled: Arc<AtomicU64>,
    ticks: Arc<AtomicU64>,
}

impl Plugin for Laggard {
    type State = LaggardState;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("laggard", "0.0.1").display_name("Laggard (test)").event("domain.*").build()
    }

    async fn on_start(&self, ctx: &Context) -> Result<LaggardState, BoxError> {
        let state = LaggardState::default();
        let ticks = state.ticks.clone();
        ctx.spawn("ticker", move || {
            let ticks = ticks.clone();
            async move {
                loop {
                    ticks.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        });
        Ok(state)
    }

    fn router(&self, _ctx: &Context, state: LaggardState) -> Router {
        Router::new()
            .route(
                "/handled",
                get(|State(s): State<LaggardState>| async move {
                    Json(json!({ "handled": s.handled.load(Ordering::Relaxed) }))
                }),
            )
            .route(
                "/ticks",
                get(|State(s): State<LaggardState>| async move {
                    Json(json!({ "ticks": s.ticks.load(Ordering::Relaxed) }))
                }),
            )
            .with_state(state)
    }

    async fn on_event(&self, _ctx: &Context, state: &LaggardState, _event: PluginEvent) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        state.handled.fetch_add(1, Ordering::Relaxed);
    }
}

/// Counts the distinct `domain.*` events it got (`GET /count`), keeping only their ids.
#[derive(Default)]
pub struct Counter;

impl Plugin for Counter {
    type State = Arc<Mutex<HashSet<String>>>;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("counter", "0.0.1").display_name("Counter (test)").event("domain.*").build()
    }

    async fn on_start(&self, _ctx: &Context) -> Result<Self::State, BoxError> {
        Ok(Arc::default())
    }

    fn router(&self, _ctx: &Context, state: Self::State) -> Router {
        let count = |State(ids): State<Arc<Mutex<HashSet<String>>>>| async move {
            Json(json!({ "count": ids.lock().map(|ids| ids.len()).unwrap_or_default() }))
        };
        Router::new().route("/count", get(count)).with_state(state)
    }

    async fn on_event(&self, _ctx: &Context, ids: &Self::State, event: PluginEvent) {
        if let Ok(mut ids) = ids.lock() {
            ids.insert(event.id);
        }
    }
}

temps_bundle_sdk::register!(Sleepy);
temps_bundle_sdk::register!(Counter);
temps_bundle_sdk::register!(Stuck);
temps_bundle_sdk::register!(Laggard);
