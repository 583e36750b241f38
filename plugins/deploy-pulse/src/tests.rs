//! deploy-pulse in-process through `temps_bundle_sdk::testing`: metrics over seeded rows, parameter errors, roles.

#![allow(clippy::unwrap_used, reason = "tests")]

use axum::http::StatusCode;
use serde_json::{Value, json};
use temps_bundle_sdk::testing::TestMember;

use crate::DeployPulse;
use crate::repository::tests::event;
use crate::repository::{Project, record_event, record_project};
use crate::state::PulseState;

/// `GET path` as a reader, which must answer 200.
async fn get(app: &TestMember<DeployPulse>, path: &str) -> Value {
    let (status, body) = app.call("GET", path, Some("reader"), None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
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
    let app = TestMember::start(DeployPulse).await;
    seed(app.state()).await;
    let body = get(&app, "/overview?window=7d&until=2026-03-03T00:00:00Z").await;
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
    let app = TestMember::start(DeployPulse).await;
    seed(app.state()).await;
    let detail = get(&app, "/projects/1?window=7d&until=2026-03-03T00:00:00Z").await;
    assert_eq!(detail["daily"].as_array().unwrap().len(), 8);
    assert_eq!(detail["lead_times"], json!([{"deployment_id": 10, "at": "2026-03-01T10:00:00Z", "seconds": 600.0}]));
    assert_eq!(detail["timeline"].as_array().unwrap().len(), 2);
    let page = get(&app, "/projects/1/deployments?limit=1").await;
    assert_eq!(page["deployments"][0]["deployment_id"], 11);
    assert_eq!(page["deployments"][0]["error_message"], "exit 1");
    assert_eq!(page["deployments"][0]["event_count"], 2);
    assert_eq!(page["next_before"], 11);
    let next = get(&app, "/projects/1/deployments?limit=1&before=11").await;
    assert_eq!(next["deployments"][0]["deployment_id"], 10);
    assert_eq!(app.call("GET", "/projects/99", Some("reader"), None).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_parameters_are_400_problems_naming_the_parameter() {
    let app = TestMember::start(DeployPulse).await;
    for (path, name) in [
        ("/overview?window=14d", "`window`"),
        ("/overview?until=soon", "`until`"),
        ("/projects/abc", "`id`"),
        ("/projects/1/deployments?limit=0", "`limit`"),
        ("/projects/1/deployments?before=x", "`before`"),
        ("/overview?window=%FF", "`window`"),
    ] {
        let (status, body) = app.call("GET", path, Some("reader"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(body["detail"].as_str().unwrap().contains(name), "{path}: {body}");
    }
}

#[tokio::test]
async fn roles() {
    let app = TestMember::start(DeployPulse).await;
    assert_eq!(app.call("GET", "/overview", None, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.call("POST", "/backfill", Some("reader"), None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.call("POST", "/backfill", Some("user"), None).await.0, StatusCode::FORBIDDEN);
    let off = json!({"backfill_on_start": false});
    assert_eq!(app.call("PATCH", "/settings", Some("reader"), Some(off.clone())).await.0, StatusCode::FORBIDDEN);
    let (status, body) = app.call("POST", "/backfill", Some("admin"), None).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "the test's host answers no channel call: {body}");
    let (status, body) = app.call("PATCH", "/settings", Some("admin"), Some(json!({"backfill_limit": 1000}))).await;
    assert_eq!((status.as_u16(), body["errors"][0]["field"].as_str()), (422, Some("backfill_limit")));
    let (status, body) = app.call("PATCH", "/settings", Some("platform_admin"), Some(off)).await;
    assert_eq!((status.as_u16(), body["backfill_on_start"].as_bool()), (200, Some(false)));
}
