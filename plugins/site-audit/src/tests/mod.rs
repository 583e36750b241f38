//! site-audit in-process through `temps_bundle_sdk::testing` (real SQLite file, the worker crawling a local test site).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

mod site;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};
use temps_bundle_crawl::OutboundPolicy;
use temps_bundle_sdk::testing::TestMember;
use temps_bundle_sdk::{Plugin, PluginEvent};

use crate::SiteAudit;
use crate::routes::ROUTES;

/// The member started as the engine starts it (worker included), allowed to reach exactly 127.0.0.1 (the test site).
async fn member() -> TestMember<SiteAudit> {
    let policy = OutboundPolicy { allow_private: false, allow_hosts: vec!["127.0.0.1".into()] };
    let m = TestMember::start(SiteAudit::with_policy(policy)).await;
    // Fast crawls: no rate limit, short timeouts.
    m.state()
        .settings
        .patch(json!({ "limits": { "requests_per_second": 0, "request_timeout_ms": 2000 } }))
        .await
        .unwrap();
    m
}

/// Polls the report until the audit leaves `queued`/`running`.
async fn finished(app: &TestMember<SiteAudit>, id: i64, within: Duration) -> Value {
    let started = Instant::now();
    loop {
        let (status, report) = app.call("GET", &format!("/audits/{id}"), Some("user"), None).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        if !matches!(report["audit"]["status"].as_str(), Some("queued" | "running")) {
            return report;
        }
        assert!(started.elapsed() < within, "audit {id} still {} after {within:?}", report["audit"]["status"]);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `(kind, url path)` of every finding, sorted.
fn findings(report: &Value, site: &site::Site) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["findings"].as_array().unwrap().iter())
        .map(|f| (f["kind"].as_str().unwrap().to_owned(), f["url"].as_str().unwrap().replace(&site.url(""), "")))
        .collect();
    found.sort();
    found
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audits_find_exactly_the_problems_and_compare_with_the_previous_one() {
    let app = member().await;
    let site = site::serve(Duration::ZERO).await;
    let body = json!({ "url": site.url("/") });
    assert_eq!(app.call("POST", "/audits", None, Some(body.clone())).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.call("POST", "/audits", Some("user"), Some(body.clone())).await.0, StatusCode::FORBIDDEN);
    let (status, bad) = app.call("POST", "/audits", Some("admin"), Some(json!({ "url": "ftp://x" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(bad["detail"].as_str().unwrap().starts_with("url:"), "{bad}");

    let (status, audit) = app.call("POST", "/audits", Some("admin"), Some(body.clone())).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{audit}");
    let (status, conflict) = app.call("POST", "/audits", Some("admin"), Some(body.clone())).await;
    assert_eq!(status, StatusCode::CONFLICT, "one audit per site at a time: {conflict}");
    let first = finished(&app, audit["id"].as_i64().unwrap(), Duration::from_secs(20)).await;
    assert_eq!(first["audit"]["status"], "completed", "{first}");
    assert_eq!(first["audit"]["stop_reason"], "completed");
    assert_eq!(first["audit"]["pages"], 7, "/, /a, /b, /missing, /old, /to-private, /noindex");
    assert_eq!(first["previous_audit_id"], Value::Null);
    assert_eq!(
        findings(&first, &site),
        pairs(&[
            ("broken_link", "/missing"),
            ("broken_link", "/to-private"),
            ("redirect_chain", "/old"),
            ("description_missing", "/a"),
            ("canonical_missing", "/a"),
            ("noindex_in_sitemap", "/noindex"),
            ("sitemap_disallowed", "/private/listed"),
        ])
    );
    let groups = first["groups"].as_array().unwrap();
    assert_eq!(groups[0]["kind"], "broken_link", "errors come first");
    let missing = groups[0]["findings"].as_array().unwrap().iter().find(|f| f["url"] == site.url("/missing")).unwrap();
    assert_eq!(missing["detail"], format!("answers 404; linked from {}", site.url("/")));
    assert!(!missing["hint"].as_str().unwrap().is_empty());
    let private =
        groups[0]["findings"].as_array().unwrap().iter().find(|f| f["url"] == site.url("/to-private")).unwrap();
    assert!(private["detail"].as_str().unwrap().contains("private address"), "{private}");

    // Page detail and export.
    let old = format!("/audits/{}/page?url={}", first["audit"]["id"], site.url("/old"));
    let (status, detail) = app.call("GET", &old, Some("user"), None).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["page"]["redirects"].as_array().unwrap().len(), 2);
    assert_eq!(detail["page"]["final_url"], site.url("/a"));
    assert_eq!(detail["linked_from"], json!([site.url("/")]));
    let (status, export) =
        app.call("GET", &format!("/audits/{}/export", first["audit"]["id"]), Some("user"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((export["pages"].as_array().unwrap().len(), export["findings"].as_array().unwrap().len()), (7, 7));

    // The site changes: /missing is repaired, / now links to /gone.
    site.fix();
    let (_, audit) = app.call("POST", "/audits", Some("admin"), Some(body)).await;
    let second = finished(&app, audit["id"].as_i64().unwrap(), Duration::from_secs(20)).await;
    assert_eq!(second["previous_audit_id"], first["audit"]["id"]);
    let new: Vec<String> = second["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["findings"].as_array().unwrap().iter())
        .filter(|f| f["new"] == true)
        .map(|f| format!("{} {}", f["kind"].as_str().unwrap(), f["url"].as_str().unwrap().replace(&site.url(""), "")))
        .collect();
    assert_eq!(new, ["broken_link /gone"]);
    assert_eq!(second["new"], 1);
    let fixed: Vec<&str> = second["fixed"].as_array().unwrap().iter().map(|f| f["url"].as_str().unwrap()).collect();
    assert_eq!(fixed, [site.url("/missing")]);

    let (_, list) = app.call("GET", &format!("/audits?site={}", site.url("")), Some("user"), None).await;
    assert_eq!(list["audits"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_audit_is_cancelled_without_waiting_for_its_requests() {
    let app = member().await;
    let site = site::serve(Duration::from_secs(30)).await;
    let (_, audit) = app.call("POST", "/audits", Some("admin"), Some(json!({ "url": site.url("/") }))).await;
    let id = audit["id"].as_i64().unwrap();
    // Wait until it runs (and has reached the slow page).
    let started = Instant::now();
    while app.call("GET", &format!("/audits/{id}"), Some("user"), None).await.1["audit"]["pages"].as_i64() < Some(3) {
        assert!(started.elapsed() < Duration::from_secs(10), "the audit did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.call("POST", &format!("/audits/{id}/cancel"), Some("user"), None).await.0, StatusCode::FORBIDDEN);
    let cancelled_at = Instant::now();
    assert_eq!(app.call("POST", &format!("/audits/{id}/cancel"), Some("admin"), None).await.0, StatusCode::ACCEPTED);
    // The slow page answers after 30 s: an audit that waited for it would take that long; cancelled, it stops at
    // once (well under a second on an idle machine; the bound is generous for a loaded one).
    let report = finished(&app, id, Duration::from_secs(10)).await;
    assert!(cancelled_at.elapsed() < Duration::from_secs(10));
    assert_eq!(
        (report["audit"]["status"].as_str(), report["audit"]["stop_reason"].as_str()),
        (Some("cancelled"), Some("cancelled"))
    );
    let (status, again) = app.call("POST", &format!("/audits/{id}/cancel"), Some("admin"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
}

#[tokio::test]
async fn deployments_queue_audits_by_environment_once_per_event() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = temps_bundle_sdk::testing::context(&SiteAudit::default().manifest(), dir.path().to_owned());
    let state = crate::open(&ctx, OutboundPolicy::default()).await.unwrap();
    let event = |id: &str, env: &str, url: &str| PluginEvent {
        id: id.into(),
        event_type: "deployment.succeeded".into(),
        timestamp: "2026-03-01T10:00:00Z".into(),
        project_id: Some(7),
        data: json!({ "url": url, "environment_name": env, "deployment_id": 1 }).as_object().unwrap().clone(),
    };
    SiteAudit::default().on_event(&ctx, &state, event("e1", "preview", "https://preview.example/")).await;
    SiteAudit::default().on_event(&ctx, &state, event("e2", "Production", "https://www.example/")).await;
    SiteAudit::default().on_event(&ctx, &state, event("e2", "Production", "https://www.example/")).await;
    let audits = crate::report::list(state.db(), None, 10).await.unwrap();
    let seen: Vec<(&str, &str, Option<i64>)> =
        audits.iter().map(|a| (a.site.as_str(), a.trigger.as_str(), a.project_id)).collect();
    assert_eq!(seen, [("https://www.example", "deployment", Some(7))]);
    state.settings.patch(json!({ "on_deploy": "all" })).await.unwrap();
    SiteAudit::default().on_event(&ctx, &state, event("e3", "preview", "https://preview.example/")).await;
    assert_eq!(crate::report::list(state.db(), None, 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn audits_left_running_are_interrupted_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = temps_bundle_sdk::testing::context(&SiteAudit::default().manifest(), dir.path().to_owned());
    let state = crate::open(&ctx, OutboundPolicy::default()).await.unwrap();
    let row = crate::audits::queue(&state, "https://www.example/", Default::default()).await.unwrap();
    assert!(crate::audits::start(state.db(), row.id).await.unwrap());
    drop(state);
    let state = crate::open(&ctx, OutboundPolicy::default()).await.unwrap();
    let row = crate::audits::find(state.db(), row.id).await.unwrap();
    assert_eq!(row.status, "interrupted");
    assert!(
        crate::audits::queue(&state, "https://www.example/", Default::default()).await.is_ok(),
        "the site is free again"
    );
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
