//! Test-only members linked into `temps-bundle` by its `test-members` feature (enabled for its own tests only):
//! `boom` panics in a handler, `broken` fails in `on_start`, `slow` answers after a delay (for graceful shutdown).

use std::time::Duration;

use axum::Json;
use axum::routing::get;
use serde_json::json;
use temps_bundle_sdk::prelude::*;

/// Panics on `GET /panic`; answers `GET /ok`.
#[derive(Default)]
pub struct Boom;

impl Plugin for Boom {
    type State = ();

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("boom", "0.0.1")
            .display_name("Boom (test)")
            .build()
    }

    async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {
        Ok(())
    }

    fn router(&self, _ctx: &Context, _state: ()) -> Router {
        Router::new()
            .route(
                "/panic",
                get(|| async { panic!("boom: deliberate panic for the isolation test") }),
            )
            .route(
                "/ok",
                get(|| async { Json(json!({ "member": "boom", "ok": true })) }),
            )
    }
}

/// Fails in `on_start`, so all of its routes answer 503.
#[derive(Default)]
pub struct Broken;

impl Plugin for Broken {
    type State = ();

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("broken", "0.0.1")
            .display_name("Broken (test)")
            .build()
    }

    async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {
        Err("the test database is unreachable (deliberate)".into())
    }

    fn router(&self, _ctx: &Context, _state: ()) -> Router {
        Router::new()
    }
}

/// Answers `GET /sleep?ms=N` after N milliseconds; records `on_shutdown` in a file in its data dir.
#[derive(Default)]
pub struct Slow;

impl Plugin for Slow {
    type State = Context;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("slow", "0.0.1")
            .display_name("Slow (test)")
            .public_path("/open")
            .build()
    }

    async fn on_start(&self, ctx: &Context) -> Result<Context, BoxError> {
        Ok(ctx.clone())
    }

    fn router(&self, _ctx: &Context, _state: Context) -> Router {
        Router::new()
            .route(
                "/sleep",
                get(
                    |axum::extract::Query(q): axum::extract::Query<
                        std::collections::HashMap<String, u64>,
                    >| async move {
                        let ms = q.get("ms").copied().unwrap_or(100);
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                        Json(json!({ "slept_ms": ms }))
                    },
                ),
            )
            .route(
                "/open/ping",
                get(|caller: Caller| async move {
                    Json(json!({ "anonymous": caller == Caller::Anonymous }))
                }),
            )
    }

    async fn on_shutdown(&self, ctx: &Context, _state: &Context) {
        let _ = tokio::fs::write(ctx.data_dir().join("shutdown.txt"), "clean").await;
    }
}

temps_bundle_sdk::register!(Boom);
temps_bundle_sdk::register!(Broken);
temps_bundle_sdk::register!(Slow);
