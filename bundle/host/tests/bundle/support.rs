//! Shared helpers: spawning the bundle under the dev host, and small assertions on problem documents.

use std::path::PathBuf;

use temps_bundle_devhost::{Generation, Response, RunningPlugin, SpawnOptions};

/// The bundle binary Cargo built for these tests.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_temps-bundle"))
}

/// Options for spawning the bundle; the channel is connected as a real host would.
pub fn options(generation: Generation) -> SpawnOptions {
    SpawnOptions::new(binary(), generation)
}

/// Spawns the bundle in composite mode and completes the handshake.
pub async fn spawn(generation: Generation) -> RunningPlugin {
    spawn_with(options(generation)).await
}

/// Spawns with the given options, failing the test with the dev host's explanation.
pub async fn spawn_with(options: SpawnOptions) -> RunningPlugin {
    match RunningPlugin::spawn(options).await {
        Ok(plugin) => plugin,
        Err(error) => panic!("the bundle did not start: {error}"),
    }
}

/// Asserts a problem+json answer with `status`, returning its `detail`.
pub fn assert_problem(response: &Response, status: u16) -> String {
    assert_eq!(response.status.as_u16(), status, "body: {}", response.text());
    assert_eq!(response.header("content-type"), Some("application/problem+json"), "body: {}", response.text());
    let body = response.json().unwrap();
    assert_eq!(body["status"], status);
    body["detail"].as_str().unwrap_or_default().to_owned()
}

/// The JSON body of a 200 answer.
pub fn ok_json(response: &Response) -> serde_json::Value {
    assert_eq!(response.status.as_u16(), 200, "body: {}", response.text());
    response.json().unwrap()
}

/// Polls `GET path` as admin until `done` accepts the JSON body (deliveries run on their own tasks), up to 5 s.
pub async fn eventually(
    plugin: &RunningPlugin,
    path: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let mut last = serde_json::Value::Null;
    for _ in 0..100 {
        last = ok_json(&plugin.get(path, &temps_bundle_devhost::Caller::admin()).await.unwrap());
        if done(&last) {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{path} never reached the expected state; last body: {last}");
}

/// The ids of the events a member's `/events` route lists.
pub fn event_ids(body: &serde_json::Value) -> Vec<String> {
    body["events"].as_array().unwrap().iter().filter_map(|e| e["id"].as_str().map(str::to_owned)).collect()
}
