//! notify in-process through `temps_bundle_sdk::testing`: the OpenAPI document covers every route, roles are
//! enforced, bad targets are refused with 422 naming the field, and (with the member stopped, so nothing is
//! sent) events are stored capped and old deliveries pruned.

use axum::http::StatusCode;
use serde_json::{Value, json};
use temps_bundle_sdk::testing::TestMember;

use crate::Notify;
use crate::routes::ROUTES;

#[test]
fn the_openapi_document_describes_every_route() {
    let document = crate::openapi::document();
    assert_eq!(document["openapi"], "3.1.0");
    for (method, path) in ROUTES {
        assert!(document["paths"][path][method].is_object(), "{method} {path} is missing from the OpenAPI document");
    }
    let documented: usize = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().keys().filter(|k| *k != "parameters").count())
        .sum();
    assert_eq!(documented, ROUTES.len(), "the document describes routes the router does not serve");
}

#[tokio::test]
async fn every_listed_route_is_served_and_admin_only_except_the_log() {
    let app = TestMember::start(Notify).await;
    for (method, path) in ROUTES {
        let path = path.replace("{id}", "1");
        let body = matches!(*method, "post" | "patch").then(|| json!({}));
        let (anonymous, _) = app.call(method, &path, None, body.clone()).await;
        assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{method} {path} as anonymous");
        let (reader, _) = app.call(method, &path, Some("reader"), body).await;
        let expected = if path == "/deliveries" { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(reader, expected, "{method} {path} as reader");
    }
}

#[tokio::test]
async fn bad_targets_are_refused_naming_the_field() {
    let app = TestMember::start(Notify).await;
    let cases = [
        (json!({"name": "x", "url": "not a url", "format": "json"}), "url: not a valid"),
        (
            json!({"name": "x", "url": "http://127.0.0.1:9/hook", "format": "json"}),
            "url: 127.0.0.1 is a loopback address",
        ),
        (
            json!({"name": "x", "url": "http://localhost:9/hook", "format": "slack"}),
            "url: localhost is a loopback address",
        ),
        (json!({"name": " ", "url": "https://93.184.216.34", "format": "json"}), "name: "),
        (json!({"name": "x", "url": "https://93.184.216.34", "format": "json", "events": ["Nope"]}), "events: "),
        (json!({"name": "x", "url": "https://93.184.216.34", "format": "json", "events": []}), "events: "),
    ];
    for (body, expected) in cases {
        let (status, problem) = app.call("post", "/targets", Some("admin"), Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.starts_with(expected), "{body}: {detail}");
    }
    let xml = json!({"name": "x", "url": "https://93.184.216.34", "format": "xml"});
    let (status, problem) = app.call("post", "/targets", Some("admin"), Some(xml)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem["detail"].as_str().unwrap().contains("format"), "{problem}");
}

/// notify started as the engine starts it, then shut down: its worker and pruner have stopped, so a test can use
/// its store knowing nothing is sent (targets here are outside addresses) and nothing is pruned beside it.
async fn stopped() -> TestMember<Notify> {
    let notify = TestMember::start(Notify).await;
    notify.shutdown().await;
    notify
}

async fn json_target(state: &crate::state::NotifyState) -> crate::targets::Target {
    let input: crate::targets::TargetInput =
        serde_json::from_value(json!({"name": "hook", "url": "https://93.184.216.34/hook", "format": "json"})).unwrap();
    crate::targets::create(state.db(), &input).await.unwrap()
}

fn deployment_event(id: &str, data: Value) -> temps_bundle_sdk::PluginEvent {
    temps_bundle_sdk::PluginEvent { id: id.into(), ..temps_bundle_sdk::testing::event("deployment.failed", data) }
}

#[tokio::test]
async fn on_start_supervises_the_worker_and_the_pruner() {
    let names: Vec<String> = TestMember::start(Notify).await.tasks().into_iter().map(|task| task.name).collect();
    assert_eq!(names, ["deliveries", "prune"]);
}

#[tokio::test]
async fn a_huge_event_is_stored_capped_in_the_delivery_body() {
    use temps_bundle_store::sea_orm::EntityTrait;

    let notify = stopped().await;
    let state = notify.state();
    json_target(state).await;
    let huge = "x".repeat(4 << 20);
    let event = deployment_event("big", json!({"project_id": 1, "error_message": huge, "logs": [huge]}));
    assert_eq!(crate::dispatch::enqueue_event(state, &event).await.unwrap(), 1);
    let stored = crate::entity::delivery::Entity::find().one(state.db()).await.unwrap().unwrap();
    assert!(stored.body.len() < 3 * crate::dispatch::MAX_FIELD_BYTES, "body of {} bytes", stored.body.len());
    let body: Value = serde_json::from_str(&stored.body).unwrap();
    let data = &body["event"]["data"];
    assert!(data["error_message"].as_str().unwrap().ends_with('…'), "{data}");
    assert_eq!(data["logs"]["truncated"], true, "{data}");
    assert_eq!(data["project_id"], 1, "small fields are kept whole");
}

#[tokio::test]
async fn finished_deliveries_older_than_retention_are_pruned() {
    use temps_bundle_store::sea_orm::sea_query::Expr;
    use temps_bundle_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use temps_bundle_store::timestamp::{self, DAY_MS};

    use crate::deliveries::Status;
    use crate::entity::delivery;

    let notify = stopped().await;
    let state = notify.state();
    let target = json_target(state).await;
    let now = timestamp::now_ms();
    // (event id, status, age in days): only finished deliveries past the 90 days go.
    let rows = [
        ("old-delivered", Status::Delivered, 120),
        ("old-dead", Status::Dead, 91),
        ("old-pending", Status::Pending, 200),
        ("recent-dead", Status::Dead, 89),
    ];
    for (id, status, days) in rows {
        let event = deployment_event(id, json!({}));
        assert!(crate::deliveries::enqueue(state.db(), &target, &event, "{}").await.unwrap());
        delivery::Entity::update_many()
            .col_expr(delivery::Column::Status, Expr::value(status))
            .col_expr(delivery::Column::CreatedAt, Expr::value(now - days * DAY_MS))
            .filter(delivery::Column::EventId.eq(id))
            .exec(state.db())
            .await
            .unwrap();
    }
    assert_eq!(crate::worker::prune_once(state, now).await.unwrap(), 2);
    let mut left: Vec<String> =
        delivery::Entity::find().all(state.db()).await.unwrap().into_iter().map(|d| d.event_id).collect();
    left.sort();
    assert_eq!(left, ["old-pending", "recent-dead"]);
    state.settings.patch(json!({"retention_days": 30})).await.unwrap();
    assert_eq!(crate::worker::prune_once(state, now + 60 * DAY_MS).await.unwrap(), 1);
    assert_eq!(delivery::Entity::find().count(state.db()).await.unwrap(), 1, "the pending one stays");
}
