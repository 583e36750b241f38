//! The notify member over the real binary: signed JSON deliveries a receiver can verify, retries with backoff,
//! nothing lost across SIGKILL, and the private-target guard. Receivers are axum servers on 127.0.0.1:0, so the
//! bundle runs with `TEMPS_BUNDLE_ALLOW_PRIVATE_TARGETS=1` except where the guard itself is tested.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use temps_bundle_devhost::{Caller, Generation, PluginEvent, Response, RunningPlugin, SpawnOptions, new_event};

use crate::support::{assert_problem, eventually, ok_json, options, spawn_with};

/// A webhook receiver: records what it accepted; can fail the next N requests or hang. (Also used by the
/// launcher tests.)
#[derive(Default)]
pub(crate) struct Receiver {
    pub(crate) calls: AtomicU32,
    failures_left: AtomicU32,
    pub(crate) hang: AtomicBool,
    accepted: Mutex<Vec<(HeaderMap, Bytes)>>,
}

impl Receiver {
    pub(crate) async fn start() -> (Arc<Self>, SocketAddr) {
        let receiver = Arc::new(Self::default());
        let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, addr)
    }

    fn accepted(&self) -> Vec<(HeaderMap, Bytes)> {
        self.accepted.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) until `n` requests were accepted.
    pub(crate) async fn wait_accepted(&self, n: usize) -> Vec<(HeaderMap, Bytes)> {
        for _ in 0..200 {
            if self.accepted().len() >= n {
                return self.accepted();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver accepted {} requests, expected {n}", self.accepted().len());
    }
}

async fn receive(State(receiver): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    receiver.calls.fetch_add(1, Ordering::SeqCst);
    if receiver.hang.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(60)).await;
        return StatusCode::GATEWAY_TIMEOUT;
    }
    if receiver.failures_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    receiver.accepted.lock().unwrap().push((headers, body));
    StatusCode::OK
}

/// The bundle, allowed to reach loopback receivers.
fn allowing_loopback() -> SpawnOptions {
    options(Generation::B).env("TEMPS_BUNDLE_ALLOW_PRIVATE_TARGETS", "1")
}

async fn send_json(plugin: &RunningPlugin, method: &str, path: &str, body: &Value) -> Response {
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .unwrap();
    plugin.proxy(request, &Caller::admin()).await.unwrap()
}

/// Creates a target; returns its id and the secret shown once.
pub(crate) async fn create_target(plugin: &RunningPlugin, body: Value) -> (i64, String) {
    let response = send_json(plugin, "POST", "/notify/targets", &body).await;
    assert_eq!(response.status.as_u16(), 201, "{}", response.text());
    let created = response.json().unwrap();
    (created["id"].as_i64().unwrap(), created["secret"].as_str().unwrap().to_owned())
}

pub(crate) async fn fast_retries(plugin: &RunningPlugin) {
    let patch = json!({ "base_backoff_ms": 50, "max_backoff_ms": 200 });
    ok_json(&send_json(plugin, "PATCH", "/notify/settings", &patch).await);
}

pub(crate) fn deployment_event(event_type: &str, deployment_id: i64) -> PluginEvent {
    let data = json!({ "deployment_id": deployment_id, "project_id": 1, "environment_id": 1,
                       "environment_name": "production", "error_message": "build failed" });
    new_event(event_type, Map::clone(data.as_object().unwrap()))
}

pub(crate) fn deliveries(body: &Value) -> &Vec<Value> {
    body["deliveries"].as_array().unwrap()
}

/// The status of the newest delivery in a log body.
fn first_status(body: &Value) -> Option<&str> {
    deliveries(body).first().and_then(|d| d["status"].as_str())
}

/// A receiver's check of `x-temps-notify-signature: t=<unix>,v1=<hex>`: HMAC-SHA256 over `<t>.<body>`.
fn verify_signature(secret: &str, header: &str, body: &[u8]) -> bool {
    let fields: Vec<(&str, &str)> = header.split(',').filter_map(|part| part.split_once('=')).collect();
    let timestamp = fields.iter().find(|(k, _)| *k == "t").map(|(_, v)| *v).unwrap();
    let signature = fields.iter().find(|(k, _)| *k == "v1").map(|(_, v)| *v).unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    assert!(now.abs_diff(timestamp.parse().unwrap()) < 300, "fresh timestamp");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    expected == signature
}

#[tokio::test]
async fn a_matching_event_reaches_the_receiver_signed_and_others_do_not() {
    let (receiver, addr) = Receiver::start().await;
    let plugin = spawn_with(allowing_loopback()).await;
    let target = json!({ "name": "ci", "url": format!("http://{addr}/hook"), "format": "json",
                         "events": ["deployment.failed"] });
    let (target_id, secret) = create_target(&plugin, target).await;
    assert!(secret.len() >= 64, "32 random bytes: {secret}");
    let listed = ok_json(&plugin.get(&format!("/notify/targets/{target_id}"), &Caller::admin()).await.unwrap());
    assert!(listed.get("secret").is_none(), "the secret is shown once only: {listed}");

    let ignored = deployment_event("deployment.succeeded", 10);
    let failed = deployment_event("deployment.failed", 11);
    for event in [&ignored, &failed] {
        assert!(plugin.fire_event(event.clone()).await.unwrap().delivered());
    }
    let (headers, body) = receiver.wait_accepted(1).await.remove(0);
    let signature = headers["x-temps-notify-signature"].to_str().unwrap();
    assert!(verify_signature(&secret, signature, &body), "signature {signature} does not verify");
    assert!(!verify_signature("whsec_wrong", signature, &body));
    let payload: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(payload["event"]["id"], failed.id.as_str());
    assert_eq!(headers["x-temps-notify-event"], "deployment.failed");
    assert!(headers["user-agent"].to_str().unwrap().contains("(+member notify)"), "{headers:?}");

    let log =
        eventually(&plugin, "/notify/deliveries", |b| deliveries(b).iter().any(|d| d["status"] == "delivered")).await;
    let rows = deliveries(&log);
    assert_eq!(rows.len(), 1, "only the matching event became a delivery: {log}");
    assert_eq!(headers["x-temps-notify-delivery"].to_str().unwrap(), rows[0]["id"].as_str().unwrap());
    assert_eq!((rows[0]["attempts"].as_i64(), rows[0]["last_status_code"].as_i64()), (Some(1), Some(200)));
    let reader = plugin.get("/notify/deliveries", &Caller::user("reader")).await.unwrap();
    assert_eq!(deliveries(&ok_json(&reader)).len(), 1, "any signed-in caller reads the log");
    assert_problem(&plugin.get("/notify/targets", &Caller::user("reader")).await.unwrap(), 403);
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn a_failing_receiver_gets_the_delivery_on_the_third_attempt() {
    let (receiver, addr) = Receiver::start().await;
    receiver.failures_left.store(2, Ordering::SeqCst);
    let plugin = spawn_with(allowing_loopback()).await;
    fast_retries(&plugin).await;
    create_target(&plugin, json!({ "name": "chat", "url": format!("http://{addr}/hook"), "format": "slack" })).await;
    plugin.fire_event(deployment_event("deployment.failed", 12)).await.unwrap();
    let (_, body) = receiver.wait_accepted(1).await.remove(0);
    let slack: Value = serde_json::from_slice(&body).unwrap();
    assert!(slack["text"].as_str().unwrap().contains("Deployment #12"), "{slack}");
    assert_eq!(receiver.calls.load(Ordering::SeqCst), 3);
    let log = eventually(&plugin, "/notify/deliveries", |b| first_status(b) == Some("delivered")).await;
    assert_eq!(deliveries(&log)[0]["attempts"], 3, "{log}");
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn pending_deliveries_survive_sigkill_and_are_sent_after_a_restart() {
    let (receiver, addr) = Receiver::start().await;
    receiver.hang.store(true, Ordering::SeqCst);
    let work = tempfile::tempdir().unwrap();
    let plugin = spawn_with(allowing_loopback().work_dir(work.path())).await;
    fast_retries(&plugin).await;
    create_target(&plugin, json!({ "name": "slow", "url": format!("http://{addr}/hook"), "format": "json" })).await;
    let events: Vec<PluginEvent> = (20..23).map(|n| deployment_event("deployment.failed", n)).collect();
    for event in &events {
        plugin.fire_event(event.clone()).await.unwrap();
    }
    eventually(&plugin, "/notify/deliveries", |b| deliveries(b).len() == 3).await;
    while receiver.calls.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    plugin.kill().await.unwrap();

    receiver.hang.store(false, Ordering::SeqCst);
    let restarted = spawn_with(allowing_loopback().work_dir(work.path())).await;
    let accepted = receiver.wait_accepted(3).await;
    let event_ids: BTreeSet<String> = accepted
        .iter()
        .map(|(_, body)| serde_json::from_slice::<Value>(body).unwrap()["event"]["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(event_ids, expected, "every event was delivered after the restart");
    eventually(&restarted, "/notify/deliveries", |b| deliveries(b).iter().all(|d| d["status"] == "delivered")).await;
    restarted.stop().await.unwrap();
}

#[tokio::test]
async fn loopback_targets_are_refused_unless_the_operator_allows_them() {
    let (_receiver, addr) = Receiver::start().await;
    let plugin = spawn_with(options(Generation::B).clear_env(true)).await;
    for url in [format!("http://{addr}/hook"), format!("http://localhost:{}/hook", addr.port())] {
        let body = json!({ "name": "local", "url": url, "format": "json" });
        let detail = assert_problem(&send_json(&plugin, "POST", "/notify/targets", &body).await, 422);
        assert!(detail.starts_with("url: ") && detail.contains("loopback"), "{detail}");
    }
    let targets = ok_json(&plugin.get("/notify/targets", &Caller::admin()).await.unwrap());
    assert_eq!(targets["targets"], json!([]));
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn a_dead_delivery_can_be_retried_and_send_test_reports_its_outcome() {
    let (receiver, addr) = Receiver::start().await;
    receiver.failures_left.store(u32::MAX, Ordering::SeqCst);
    let plugin = spawn_with(allowing_loopback()).await;
    fast_retries(&plugin).await;
    ok_json(&send_json(&plugin, "PATCH", "/notify/settings", &json!({ "max_attempts": 2 })).await);
    let url = format!("http://{addr}/hook?token=credential-in-query");
    let (target_id, _) = create_target(&plugin, json!({ "name": "flaky", "url": url, "format": "discord" })).await;
    plugin.fire_event(deployment_event("deployment.failed", 30)).await.unwrap();
    let log = eventually(&plugin, "/notify/deliveries", |b| first_status(b) == Some("dead")).await;
    let dead = &deliveries(&log)[0];
    assert_eq!((dead["attempts"].as_i64(), dead["last_status_code"].as_i64()), (Some(2), Some(503)), "{log}");
    assert!(!dead["last_error"].as_str().unwrap().contains("credential-in-query"), "URLs are redacted: {dead}");

    receiver.failures_left.store(0, Ordering::SeqCst);
    let retry =
        send_json(&plugin, "POST", &format!("/notify/deliveries/{}/retry", dead["id"].as_str().unwrap()), &json!({}))
            .await;
    assert_eq!(retry.status.as_u16(), 202, "{}", retry.text());
    eventually(&plugin, "/notify/deliveries?status=delivered", |b| deliveries(b).len() == 1).await;
    let again =
        send_json(&plugin, "POST", &format!("/notify/deliveries/{}/retry", dead["id"].as_str().unwrap()), &json!({}))
            .await;
    assert_eq!(again.status.as_u16(), 202, "a delivered delivery may be sent again: {}", again.text());

    let tested = ok_json(&send_json(&plugin, "POST", &format!("/notify/targets/{target_id}/test"), &json!({})).await);
    assert_eq!((tested["status"].as_str(), tested["test"].as_bool()), (Some("delivered"), Some(true)), "{tested}");
    assert_eq!(tested["last_status_code"], 200);

    let disabled =
        send_json(&plugin, "PATCH", &format!("/notify/targets/{target_id}"), &json!({ "enabled": false })).await;
    assert_eq!(ok_json(&disabled)["enabled"], false);
    // A second, enabled target shows when the event has been dispatched.
    let (witness, _) = create_target(&plugin, json!({ "name": "witness", "url": url, "format": "json" })).await;
    plugin.fire_event(deployment_event("deployment.failed", 31)).await.unwrap();
    eventually(&plugin, &format!("/notify/deliveries?target={witness}"), |b| !deliveries(b).is_empty()).await;
    let bad_patch =
        send_json(&plugin, "PATCH", &format!("/notify/targets/{target_id}"), &json!({ "url": "ftp://x" })).await;
    assert!(assert_problem(&bad_patch, 422).starts_with("url: "));
    let log = ok_json(&plugin.get(&format!("/notify/deliveries?target={target_id}"), &Caller::admin()).await.unwrap());
    assert_eq!(deliveries(&log).len(), 2, "a disabled target gets no new deliveries: {log}");
    let deleted = send_json(&plugin, "DELETE", &format!("/notify/targets/{target_id}"), &json!({})).await;
    assert_eq!(deleted.status.as_u16(), 204);
    let rest = ok_json(&plugin.get("/notify/deliveries", &Caller::admin()).await.unwrap());
    assert!(deliveries(&rest).iter().all(|d| d["target_id"] == witness), "deleted with the target: {rest}");
    plugin.stop().await.unwrap();
}
