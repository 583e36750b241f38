//! Shared helpers of the dev host's integration tests: the fake plugin, broken child scripts, small HTTP clients.

#![allow(dead_code, reason = "each test module uses a different subset")]

use std::future::Future;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::Value;
use temps_bundle_devhost::{DevHostError, Generation, RunningPlugin, SpawnOptions};

/// The fake plugin binary built with this crate.
pub fn fake_plugin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_temps-devhost-fake-plugin"))
}

/// Spawn options for the fake plugin, installed as `fake`.
pub fn fake(generation: Generation) -> SpawnOptions {
    SpawnOptions::new(fake_plugin(), generation).plugin_name("fake").handshake_timeout(Duration::from_secs(20))
}

/// Spawns the fake plugin or fails the test with the handshake error.
pub async fn spawn_fake(options: SpawnOptions) -> RunningPlugin {
    RunningPlugin::spawn(options).await.unwrap()
}

/// Writes an executable bash script into `dir`.
pub fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/bash\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A Gen B hello line with a minimal manifest named `name`.
pub fn hello_line(name: &str) -> String {
    format!(
        r#"{{"type":"hello","protocol_version":2,"manifest":{{"name":"{name}","version":"1.0.0","requires_db":false}}}}"#
    )
}

pub const READY_B: &str = r#"{"type":"ready","ready":true,"has_ui":true,"protocol_version":2}"#;
pub const READY_A: &str = r#"{"type":"ready","ready":true,"has_ui":true}"#;

/// Spawns and expects a failure.
pub async fn spawn_error(options: SpawnOptions) -> DevHostError {
    match RunningPlugin::spawn(options).await {
        Ok(plugin) => panic!("spawn unexpectedly succeeded: first line {:?}", plugin.first_line()),
        Err(error) => error,
    }
}

/// A request with a JSON (or empty) body.
pub fn request(method: &str, path: &str, body: &str) -> http::Request<Bytes> {
    http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

/// Asks the fake plugin to make a channel call; returns the host's response frame.
pub async fn fake_call(plugin: &RunningPlugin, method: &str, params: Value) -> Value {
    let body = serde_json::json!({"method": method, "params": params}).to_string();
    let response = plugin.send(request("POST", "/_fake/call", &body)).await.unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    response.json().unwrap()
}

/// The events the fake plugin received, as `{"via", "event"}` objects.
pub async fn fake_events(plugin: &RunningPlugin) -> Vec<Value> {
    let response = plugin.send(request("GET", "/_fake/events", "")).await.unwrap();
    response.json().unwrap().as_array().cloned().unwrap_or_default()
}

/// Polls `check` until it returns true (up to 5 s); the value a user would wait for, not a timing assertion.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One HTTP request to a TCP address (the dev host's front).
pub async fn http_to(address: std::net::SocketAddr, request: http::Request<Bytes>) -> temps_bundle_devhost::Response {
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    temps_bundle_devhost::send_over(stream, request, Duration::from_secs(10)).await.unwrap()
}
