//! site-audit over the real binary: an audit killed with SIGKILL mid-crawl shows as interrupted after the
//! restart (not running forever), and a new audit of the same site runs to completion. The site is an axum
//! server on 127.0.0.1; the bundle may reach exactly that address (`TEMPS_BUNDLE_ALLOW_HOSTS=127.0.0.1`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::Html;
use bytes::Bytes;
use serde_json::{Value, json};
use temps_bundle_devhost::{Caller, Generation, RunningPlugin, SpawnOptions};

use crate::support::{eventually, ok_json, options, spawn_with};

/// Within the default `max_depth` of 10.
const PAGES: usize = 10;

/// `PAGES` pages linking to the next; each answers after 300 ms while `slow` is set.
async fn site(slow: Arc<AtomicBool>) -> SocketAddr {
    let app = axum::Router::new()
        .route(
            "/p/{n}",
            axum::routing::get(|State(slow): State<Arc<AtomicBool>>, Path(n): Path<usize>| async move {
                if slow.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                let next = if n + 1 < PAGES { format!("<a href=\"/p/{}\">next</a>", n + 1) } else { String::new() };
                Html(format!("<html lang=\"en\"><head><title>Page {n} of the test site</title></head><body><h1>{n}</h1>{next}</body></html>"))
            }),
        )
        .with_state(slow);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn allowing_the_site(work: &std::path::Path) -> SpawnOptions {
    options(Generation::B).env("TEMPS_BUNDLE_ALLOW_HOSTS", "127.0.0.1").work_dir(work)
}

async fn post(plugin: &RunningPlugin, path: &str, body: &Value) -> Value {
    let request = http::Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .unwrap();
    let response = plugin.proxy(request, &Caller::admin()).await.unwrap();
    assert_eq!(response.status.as_u16(), 202, "{}", response.text());
    response.json().unwrap()
}

#[tokio::test]
async fn an_audit_killed_mid_crawl_is_interrupted_after_the_restart_and_a_new_one_completes() {
    let slow = Arc::new(AtomicBool::new(true));
    let addr = site(slow.clone()).await;
    let work = tempfile::tempdir().unwrap();
    let plugin = spawn_with(allowing_the_site(work.path())).await;
    let start = json!({ "url": format!("http://{addr}/p/0") });
    let audit = post(&plugin, "/site-audit/audits", &start).await;
    let path = format!("/site-audit/audits/{}", audit["id"]);
    // Killed once a few pages are stored: the crawl is mid-way (10 pages at 300 ms each, one after the other).
    eventually(&plugin, &path, |r| r["audit"]["status"] == "running" && r["audit"]["pages"].as_i64() >= Some(2)).await;
    plugin.kill().await.unwrap();

    slow.store(false, Ordering::SeqCst);
    let restarted = spawn_with(allowing_the_site(work.path())).await;
    let report = ok_json(&restarted.get(&path, &Caller::admin()).await.unwrap());
    assert_eq!(report["audit"]["status"], "interrupted", "{report}");
    let kept = report["audit"]["pages"].as_i64().unwrap();
    assert!((2..PAGES as i64).contains(&kept), "the pages stored before the kill are kept: {kept}");

    let again = post(&restarted, "/site-audit/audits", &start).await;
    let path = format!("/site-audit/audits/{}", again["id"]);
    let done = eventually(&restarted, &path, |r| r["audit"]["status"] == "completed").await;
    assert_eq!(done["audit"]["pages"], PAGES, "{done}");
    assert_eq!(done["previous_audit_id"], Value::Null, "an interrupted audit is not a baseline");
    restarted.stop().await.unwrap();
}
