//! indexnow in-process through `temps_bundle_sdk::testing` (real SQLite file, the worker against a local test site
//! and a local IndexNow receiver, 127.0.0.1 only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

mod site;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};
use temps_bundle_crawl::OutboundPolicy;
use temps_bundle_sdk::PluginEvent;
use temps_bundle_sdk::testing::TestMember;

use crate::IndexNow;
use crate::routes::ROUTES;

/// The member started as the engine starts it (worker included), allowed to reach exactly 127.0.0.1, sending
/// to `receiver`.
async fn member(receiver: &site::Receiver) -> TestMember<IndexNow> {
    let policy = OutboundPolicy { allow_private: false, allow_hosts: vec!["127.0.0.1".into()] };
    let m = TestMember::start(IndexNow::with_policy(policy)).await;
    let patch = json!({
        "endpoint": receiver.endpoint(), "base_backoff_ms": 10,
        "discovery": { "requests_per_second": 0, "request_timeout_ms": 2000 }
    });
    m.state().settings.patch(patch).await.unwrap();
    m
}

fn deployed(id: &str, url: &str) -> PluginEvent {
    PluginEvent {
        id: id.into(),
        event_type: "deployment.succeeded".into(),
        timestamp: "2026-03-01T10:00:00Z".into(),
        project_id: Some(1),
        data: json!({ "url": url, "environment_name": "production" }).as_object().unwrap().clone(),
    }
}

/// Waits for the newest submission to finish and returns it.
async fn latest_finished(app: &TestMember<IndexNow>) -> Value {
    let started = Instant::now();
    loop {
        let (_, list) = app.call("GET", "/submissions?limit=1", Some("user"), None).await;
        let latest = list["submissions"][0].clone();
        if !matches!(latest["status"].as_str(), Some("queued" | "running") | None) {
            return latest;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "still {latest}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn generate_key(app: &TestMember<IndexNow>) -> String {
    let (status, key) = app.call("POST", "/key", Some("admin"), None).await;
    assert_eq!(status, StatusCode::OK, "{key}");
    key["key"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_deploy_submits_every_page_and_the_next_only_what_changed() {
    let receiver = site::receiver().await;
    let site = site::site().await;
    let m = member(&receiver).await;
    m.state().settings.patch(json!({ "batch_size": 3 })).await.unwrap();
    let key = generate_key(&m).await;
    site.serve_key(&key);
    let (_, described) = m.call("GET", &format!("/key?site={}", site.url("/")), Some("user"), None).await;
    assert_eq!(described["file_url"], site.url(&format!("/{key}.txt")));

    m.event(deployed("d1", &site.url("/"))).await;
    let first = latest_finished(&m).await;
    assert_eq!(first["status"], "submitted", "{first}");
    assert_eq!(
        (first["pages_found"].as_i64(), first["urls_submitted"].as_i64(), first["batches"].as_i64()),
        (Some(5), Some(5), Some(2))
    );
    assert_eq!(receiver.url_lists(&site), [vec!["/", "/a", "/b"], vec!["/c", "/dynamic"]]);
    let body = receiver.bodies.lock().unwrap()[0].clone();
    assert_eq!((body["host"].as_str(), body["key"].as_str()), (Some("127.0.0.1"), Some(key.as_str())));
    assert_eq!(body["keyLocation"], site.url(&format!("/{key}.txt")));

    // Two pages change; /dynamic renders differently but keeps its ETag.
    site.edit();
    receiver.clear();
    m.event(deployed("d2", &site.url("/"))).await;
    m.event(deployed("d2", &site.url("/"))).await;
    let second = latest_finished(&m).await;
    assert_eq!(
        (second["status"].as_str(), second["urls_submitted"].as_i64()),
        (Some("submitted"), Some(2)),
        "{second}"
    );
    assert_eq!(receiver.url_lists(&site), [vec!["/a", "/b"]]);
    let (_, detail) = m.call("GET", &format!("/submissions/{}", second["id"]), Some("user"), None).await;
    assert_eq!(detail["urls"], json!([site.url("/a"), site.url("/b")]));

    receiver.clear();
    m.event(deployed("d3", &site.url("/"))).await;
    let third = latest_finished(&m).await;
    assert_eq!(third["status"], "nothing_changed", "{third}");
    assert!(receiver.url_lists(&site).is_empty());
    let (_, list) = m.call("GET", "/submissions", Some("user"), None).await;
    assert_eq!(list["submissions"].as_array().unwrap().len(), 3, "the redelivered d2 was one submission");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_key_or_key_file_blocks_submission() {
    let receiver = site::receiver().await;
    let site = site::site().await;
    let m = member(&receiver).await;
    let body = json!({ "url": site.url("/") });
    assert_eq!(m.call("POST", "/submissions", Some("user"), Some(body.clone())).await.0, StatusCode::FORBIDDEN);
    assert_eq!(m.call("POST", "/submissions", Some("admin"), Some(body.clone())).await.0, StatusCode::ACCEPTED);
    let blocked = latest_finished(&m).await;
    assert_eq!(blocked["status"], "blocked");
    assert!(blocked["reason"].as_str().unwrap().contains("no IndexNow key"), "{blocked}");

    let key = generate_key(&m).await;
    m.call("POST", "/submissions", Some("admin"), Some(body.clone())).await;
    let blocked = latest_finished(&m).await;
    assert_eq!(blocked["status"], "blocked");
    let reason = blocked["reason"].as_str().unwrap();
    assert!(reason.contains(&site.url(&format!("/{key}.txt"))) && reason.contains("404"), "{reason}");
    let (_, check) = m.call("POST", "/key/check", Some("admin"), Some(json!({ "site": site.url("/") }))).await;
    assert_eq!(check["ok"], false);
    site.serve_key_file(&key, "not-the-key");
    let (_, check) = m.call("POST", "/key/check", Some("admin"), Some(json!({ "site": site.url("/") }))).await;
    assert!(check["problem"].as_str().unwrap().contains("does not contain the key"), "{check}");
    assert!(receiver.bodies.lock().unwrap().is_empty(), "nothing was submitted");
    site.serve_key(&key);
    let (_, check) = m.call("POST", "/key/check", Some("admin"), Some(json!({ "site": site.url("/") }))).await;
    assert_eq!(check["ok"], true, "{check}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_answers_are_retried_and_other_4xx_are_not() {
    let receiver = site::receiver().await;
    let site = site::site().await;
    let m = member(&receiver).await;
    let key = generate_key(&m).await;
    site.serve_key(&key);

    receiver.answer(&[403]);
    m.call("POST", "/submissions", Some("admin"), Some(json!({ "url": site.url("/") }))).await;
    let refused = latest_finished(&m).await;
    assert_eq!((refused["status"].as_str(), refused["attempts"].as_i64()), (Some("failed"), Some(1)), "{refused}");
    assert!(refused["reason"].as_str().unwrap().contains("403: the key is not valid"), "{refused}");
    let (_, suggestions) = m.call("GET", "/suggestions", Some("user"), None).await;
    assert_eq!(suggestions["suggestions"].as_array().unwrap().len(), 5, "{suggestions}");
    assert_eq!(suggestions["suggestions"][0]["reason"], "never submitted");

    receiver.clear();
    receiver.answer(&[429, 503]);
    let urls = json!({ "url": site.url("/"), "urls": [site.url("/c")] });
    m.call("POST", "/submissions", Some("admin"), Some(urls)).await;
    let retried = latest_finished(&m).await;
    assert_eq!((retried["status"].as_str(), retried["attempts"].as_i64()), (Some("submitted"), Some(3)), "{retried}");
    assert_eq!(receiver.url_lists(&site), [vec!["/c"], vec!["/c"], vec!["/c"]]);
    let (_, suggestions) = m.call("GET", "/suggestions", Some("user"), None).await;
    let urls: Vec<&str> =
        suggestions["suggestions"].as_array().unwrap().iter().map(|s| s["url"].as_str().unwrap()).collect();
    assert!(!urls.contains(&site.url("/c").as_str()) && urls.len() == 4, "{suggestions}");

    let (status, bad) = m
        .call(
            "POST",
            "/submissions",
            Some("admin"),
            Some(json!({ "url": site.url("/"), "urls": ["https://elsewhere.example/x"] })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad["detail"].as_str().unwrap().contains("urls[0]"), "{bad}");
}

#[test]
fn the_openapi_document_describes_every_route() {
    let document = crate::openapi::document();
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
