//! The router in-process (`oneshot`): metrics over seeded rows, parameter errors, roles.

#![allow(clippy::unwrap_used, reason = "tests")]

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use temps_bundle_sdk::prelude::*;
use temps_bundle_store::{Settings, Store};
use tower::ServiceExt;

use crate::repository::tests::event;
use crate::repository::{Project, record_event, record_project};
use crate::routes::router;
use crate::state::PulseState;

pub(crate) struct App(Router);

pub(crate) struct Harness {
    pub(crate) app: App,
    pub(crate) state: PulseState,
    pub(crate) _dir: tempfile::TempDir,
}

/// The member as the engine would start it, with a channel that never connects.
pub(crate) async fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let plugin = crate::DeployPulse;
    let ctx = temps_bundle_sdk::testing::context(&plugin.manifest(), dir.path().to_owned());
    let store = Store::open_for(&ctx, crate::schema::DB_FILE, crate::schema::MIGRATIONS).await.unwrap();
    let settings = Settings::load(&store).await.unwrap();
    let state = PulseState { store, settings, temps: ctx.temps().clone(), backfill_lock: Default::default() };
    Harness { app: App(router(state.clone())), state, _dir: dir }
}

impl App {
    pub(crate) async fn call(&self, method: &str, path: &str, role: &str, body: Option<&str>) -> (u16, Value) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .body(Body::from(body.unwrap_or_default().to_owned()))
            .unwrap();
        let caller = match role {
            "" => Caller::Anonymous,
            role => Caller::User(User {
                id: 1,
                email: "dev@localhost".into(),
                role: role.into(),
                permissions: vec![],
                actor_token: None,
            }),
        };
        request.extensions_mut().insert(caller);
        let response = self.0.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call("GET", path, "reader", None).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }
}

async fn seed(state: &PulseState) {
    let project = Project { project_id: 1, name: "storefront".into(), slug: "storefront".into() };
    record_project(&state.store, &project).await.unwrap();
    let quiet = Project { project_id: 2, name: "quiet".into(), slug: "quiet".into() };
    record_project(&state.store, &quiet).await.unwrap();
    let at = |e: temps_bundle_sdk::PluginEvent, ts: &str| temps_bundle_sdk::PluginEvent { timestamp: ts.into(), ..e };
    let events = [
        at(event("a1", "deployment.created", 10, json!({"branch": "main"})), "2026-03-01T10:00:00Z"),
        at(event("a2", "deployment.succeeded", 10, json!({"url": "https://x"})), "2026-03-01T10:10:00Z"),
        at(event("b1", "deployment.created", 11, json!({})), "2026-03-02T10:00:00Z"),
        at(event("b2", "deployment.failed", 11, json!({"error_message": "exit 1"})), "2026-03-02T10:05:00Z"),
    ];
    for e in &events {
        record_event(&state.store, e, 0).await.unwrap();
    }
}

#[tokio::test]
async fn overview_puts_failing_projects_first_with_their_metrics() {
    let Harness { app, state, _dir } = harness().await;
    seed(&state).await;
    let body = app.get("/overview?window=7d&until=2026-03-03T00:00:00Z").await;
    assert_eq!(body["window"]["days"], 7);
    assert_eq!(body["totals"], json!({"projects": 2, "failing": 1, "deployments": 2}));
    let first = &body["projects"][0];
    assert_eq!((first["name"].as_str(), first["health"].as_str()), (Some("storefront"), Some("failing")));
    assert_eq!(first["temps_url"], "/projects/storefront");
    assert_eq!(first["metrics"]["change_failure_rate"], 0.5);
    assert_eq!(first["metrics"]["lead_time"]["p50_seconds"], 600.0);
    assert_eq!(first["environments"][0]["environment_name"], "production");
    assert_eq!(body["projects"][1]["health"], "unknown");
}

#[tokio::test]
async fn project_detail_and_deployment_pages() {
    let Harness { app, state, _dir } = harness().await;
    seed(&state).await;
    let detail = app.get("/projects/1?window=7d&until=2026-03-03T00:00:00Z").await;
    assert_eq!(detail["daily"].as_array().unwrap().len(), 8);
    assert_eq!(detail["lead_times"], json!([{"deployment_id": 10, "at": "2026-03-01T10:00:00Z", "seconds": 600.0}]));
    assert_eq!(detail["timeline"].as_array().unwrap().len(), 2);
    let page = app.get("/projects/1/deployments?limit=1").await;
    assert_eq!(page["deployments"][0]["deployment_id"], 11);
    assert_eq!(page["deployments"][0]["error_message"], "exit 1");
    assert_eq!(page["deployments"][0]["event_count"], 2);
    assert_eq!(page["next_before"], 11);
    let next = app.get("/projects/1/deployments?limit=1&before=11").await;
    assert_eq!(next["deployments"][0]["deployment_id"], 10);
    assert_eq!(app.call("GET", "/projects/99", "reader", None).await.0, 404);
}

#[tokio::test]
async fn bad_parameters_are_400_problems_naming_the_parameter() {
    let Harness { app, _dir, .. } = harness().await;
    for (path, name) in [
        ("/overview?window=14d", "`window`"),
        ("/overview?until=soon", "`until`"),
        ("/projects/abc", "`id`"),
        ("/projects/1/deployments?limit=0", "`limit`"),
        ("/projects/1/deployments?before=x", "`before`"),
        ("/overview?window=%FF", "`window`"),
    ] {
        let (status, body) = app.call("GET", path, "reader", None).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body["detail"].as_str().unwrap().contains(name), "{path}: {body}");
    }
}

#[tokio::test]
async fn roles() {
    let Harness { app, _dir, .. } = harness().await;
    assert_eq!(app.call("GET", "/overview", "", None).await.0, 401);
    assert_eq!(app.call("POST", "/backfill", "reader", None).await.0, 403);
    assert_eq!(app.call("POST", "/backfill", "user", None).await.0, 403);
    assert_eq!(app.call("PATCH", "/settings", "reader", Some(r#"{"backfill_on_start":false}"#)).await.0, 403);
    let (status, body) = app.call("POST", "/backfill", "admin", None).await;
    assert_eq!(status, 502, "the test channel never connects: {body}");
    let (status, body) = app.call("PATCH", "/settings", "admin", Some(r#"{"backfill_limit":1000}"#)).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("backfill_limit")));
    let (status, body) = app.call("PATCH", "/settings", "platform_admin", Some(r#"{"backfill_on_start":false}"#)).await;
    assert_eq!((status, body["backfill_on_start"].as_bool()), (200, Some(false)));
}
