//! The harness's promises `tests/author_api.rs` does not show: `call` takes a route table's methods in any case,
//! and `shutdown` returns only once the member's supervised tasks have stopped.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::get;

use super::{TaskState, TestMember};
use crate::prelude::*;

/// Serves `/item` (GET, PUT, DELETE) and counts the ticks of a supervised task.
#[derive(Default)]
struct Ticker;

impl Plugin for Ticker {
    type State = Arc<AtomicU64>;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("ticker", "1.0.0").build()
    }

    async fn on_start(&self, ctx: &Context) -> Result<Arc<AtomicU64>, BoxError> {
        let ticks = Arc::new(AtomicU64::new(0));
        let counter = ticks.clone();
        ctx.spawn("tick", move || {
            let counter = counter.clone();
            async move {
                loop {
                    counter.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        });
        Ok(ticks)
    }

    fn router(&self, _ctx: &Context, _state: Arc<AtomicU64>) -> Router {
        Router::new().route(
            "/item",
            get(|| async { "read" }).put(|| async { "replaced" }).delete(|| async { StatusCode::NO_CONTENT }),
        )
    }
}

#[tokio::test]
async fn call_takes_a_route_tables_methods_in_any_case() {
    let member = TestMember::start(Ticker).await;
    for (method, expected) in [
        ("get", StatusCode::OK),
        ("DELETE", StatusCode::NO_CONTENT),
        ("delete", StatusCode::NO_CONTENT),
        ("Put", StatusCode::OK),
        ("patch", StatusCode::METHOD_NOT_ALLOWED),
        ("post", StatusCode::METHOD_NOT_ALLOWED),
    ] {
        assert_eq!(member.call(method, "/item", Some("user"), None).await.0, expected, "{method}");
    }
}

#[tokio::test]
async fn shutdown_returns_once_the_tasks_have_stopped() {
    let member = TestMember::start(Ticker).await;
    while member.state().load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(member.tasks()[0].state, TaskState::Running);
    member.shutdown().await;
    assert_eq!(member.tasks()[0].state, TaskState::Finished);
    let ticks = member.state().load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(member.state().load(Ordering::SeqCst), ticks, "the task ran on after shutdown");
}
