//! Shared helpers: spawning the bundle under the dev host, and small assertions on problem documents.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use temps_bundle_devhost::{Generation, Response, RunningPlugin, SpawnOptions};
use temps_bundle_file::{BundleFile, Workspace};

/// The bundle file these tests run (test-only members next to hello and the production plugins).
pub fn bundle_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/host-tests.toml")
}

/// The members the test bundle was built to host, from its bundle file.
pub fn expected_members() -> Vec<String> {
    BundleFile::load(&bundle_file()).unwrap().members.into_keys().collect()
}

/// The test bundle's binary, built on first use (debug profile, the repository's lock, shared target folder).
///
/// nextest runs every test in its own process: the first one of a run builds under a file lock and records the
/// run's id beside the binary, the others find it and skip the (slow even when nothing changed) `cargo build`.
pub fn binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build_test_bundle).clone()
}

fn build_test_bundle() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap();
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let ws = Workspace { root, target };
    let bundles = ws.target.join("bundles");
    std::fs::create_dir_all(&bundles).unwrap();
    let lock = std::fs::File::create(bundles.join("host-tests.build-lock")).unwrap();
    lock.lock().unwrap();
    let stamp = bundles.join("host-tests.run-id");
    let run_id = std::env::var("NEXTEST_RUN_ID").ok();
    let built = ws.target.join("debug/temps-bundle-gen-host-tests");
    if run_id.is_some() && std::fs::read_to_string(&stamp).ok() == run_id && built.is_file() {
        return built;
    }
    let binary = match temps_bundle_file::build_debug(&ws, &bundle_file()) {
        Ok(binary) => binary,
        Err(error) => panic!("cannot build the test bundle: {error}"),
    };
    std::fs::write(&stamp, run_id.unwrap_or_default()).unwrap();
    binary
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

/// How long a poll waits for something the bundle does on its own tasks: far beyond what it takes on a loaded
/// machine, so only a bundle that never gets there fails.
pub const EVENTUALLY: std::time::Duration = std::time::Duration::from_secs(30);

/// Polls `GET path` as admin until `done` accepts the JSON body (deliveries run on their own tasks), up to
/// [`EVENTUALLY`].
pub async fn eventually(
    plugin: &RunningPlugin,
    path: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + EVENTUALLY;
    loop {
        let last = ok_json(&plugin.get(path, &temps_bundle_devhost::Caller::admin()).await.unwrap());
        if done(&last) {
            return last;
        }
        assert!(std::time::Instant::now() < deadline, "{path} never reached the expected state; last body: {last}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Waits until `member` has a request in flight, by the bundle's own gauge: a test that signals the bundle
/// "while a request is in flight" must not rely on a fixed pause, which a loaded machine outlasts.
pub async fn wait_in_flight(plugin: &RunningPlugin, member: &str) {
    let gauge = format!("temps_bundle_requests_in_flight{{member=\"{member}\"}} ");
    let deadline = std::time::Instant::now() + EVENTUALLY;
    loop {
        let metrics = plugin.get("/_bundle/metrics", &temps_bundle_devhost::Caller::admin()).await.unwrap();
        let text = metrics.text();
        let value = text.lines().find_map(|l| l.strip_prefix(&gauge)).and_then(|v| v.trim().parse::<f64>().ok());
        if value.is_some_and(|v| v >= 1.0) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "no request of {member} came in flight:\n{text}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The ids of the events a member's `/events` route lists.
pub fn event_ids(body: &serde_json::Value) -> Vec<String> {
    body["events"].as_array().unwrap().iter().filter_map(|e| e["id"].as_str().map(str::to_owned)).collect()
}
