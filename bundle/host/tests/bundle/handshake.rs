//! The start-up handshake of both generations: exact first-line shapes and ready lines.

use serde_json::Value;
use temps_bundle_devhost::Generation;

use crate::support::spawn;

/// Every member of the test bundle file, sorted as the engine sorts them (the file's tables come sorted).
fn members() -> Vec<String> {
    crate::support::expected_members()
}

#[tokio::test]
async fn gen_b_says_hello_then_ready_with_protocol_version() {
    let plugin = spawn(Generation::B).await;
    let first = plugin.first_line();
    assert!(first.starts_with(r#"{"type":"hello","protocol_version":2,"manifest":{"name":"temps-bundle","#), "{first}");
    let hello: Value = serde_json::from_str(first).unwrap();
    let manifest = &hello["manifest"];
    assert_eq!(manifest["requires_db"], false, "requires_db must be explicit");
    assert_eq!(manifest["health_path"], "/health");
    let names: Vec<&str> =
        manifest["bundle"]["members"].as_array().unwrap().iter().filter_map(|m| m["name"].as_str()).collect();
    assert_eq!(names, members());
    let ready: Value = serde_json::from_str(plugin.ready_line()).unwrap();
    assert_eq!(ready["type"], "ready");
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["protocol_version"], 2);
    let openapi = &ready["openapi"];
    assert_eq!(openapi["paths"]["/hello/greeting"]["get"]["tags"], serde_json::json!(["hello"]), "{openapi}");
    let served = crate::support::ok_json(
        &plugin.get("/_bundle/openapi.json", &temps_bundle_devhost::Caller::admin()).await.unwrap(),
    );
    assert_eq!(&served, openapi);
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn gen_a_sends_the_manifest_inline_and_a_ready_line_without_version() {
    let plugin = spawn(Generation::A).await;
    let first = plugin.first_line();
    assert!(first.starts_with(r#"{"type":"manifest","name":"temps-bundle","version":""#), "{first}");
    let line: Value = serde_json::from_str(first).unwrap();
    assert_eq!(line["requires_db"], false);
    assert!(line.get("manifest").is_none(), "Gen A has the manifest inline");
    let ready: Value = serde_json::from_str(plugin.ready_line()).unwrap();
    assert_eq!(ready["ready"], true);
    assert!(ready.get("protocol_version").is_none(), "{}", plugin.ready_line());
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_flags_and_an_empty_environment_are_fine() {
    let options = crate::support::options(Generation::B)
        .arg("--flag-from-the-future")
        .arg("s3cr3t-flag-value")
        .arg("--bare")
        .clear_env(true);
    let plugin = crate::support::spawn_with(options).await;
    let stderr = plugin.stderr();
    assert!(stderr.contains("ignoring unknown command-line flags"), "info logs are on by default: {stderr}");
    assert!(!stderr.contains("s3cr3t-flag-value"), "only flag names are logged, never their values: {stderr}");
    assert!(stderr.lines().all(|l| l.starts_with('{')), "logs are JSON lines: {stderr}");
    assert_eq!(plugin.socket_mode().unwrap() & 0o777, 0o600);
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn split_mode_by_member_flag_and_by_data_dir_name() {
    for options in [
        crate::support::options(Generation::B).arg("--member").arg("hello"),
        crate::support::options(Generation::B).plugin_name("hello"),
    ] {
        let plugin = crate::support::spawn_with(options).await;
        let hello: Value = serde_json::from_str(plugin.first_line()).unwrap();
        assert_eq!(hello["manifest"]["name"], "hello");
        assert!(hello["manifest"].get("bundle").is_none());
        let greeting = crate::support::ok_json(
            &plugin.get("/greeting?name=split", &temps_bundle_devhost::Caller::admin()).await.unwrap(),
        );
        assert_eq!(greeting["message"], "Hello, split!");
        let other = plugin.get("/boom/ok", &temps_bundle_devhost::Caller::admin()).await.unwrap();
        assert_eq!(other.status.as_u16(), 404, "only hello is served: {}", other.text());
        plugin.stop().await.unwrap();
    }
}
