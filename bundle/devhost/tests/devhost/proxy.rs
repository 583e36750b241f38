//! The simulated Temps proxy: what is stripped, what is injected per generation and caller.

use serde_json::Value;
use temps_bundle_devhost::{Caller, Generation, RunningPlugin};

use crate::support::{fake, spawn_fake};

/// Proxies `GET /echo?x=1` with hostile client headers; returns the headers the plugin saw.
async fn echoed_headers(plugin: &RunningPlugin, caller: &Caller) -> serde_json::Map<String, Value> {
    let request = http::Request::builder()
        .uri("/echo?x=1")
        .header("cookie", "temps_session=abc")
        .header("authorization", "Bearer leaked")
        .header("proxy-authorization", "Basic x")
        .header("x-temps-user-role", "admin")
        .header("x-temps-auth-signature", "forged")
        .header("accept", "application/json")
        .body(bytes::Bytes::new())
        .unwrap();
    let response = plugin.proxy(request, caller).await.unwrap();
    assert_eq!(response.status, 200, "{}", response.text());
    let echo = response.json().unwrap();
    assert_eq!((echo["path"].as_str(), echo["query"].as_str()), (Some("/echo"), Some("x=1")));
    echo["headers"].as_object().unwrap().clone()
}

fn temps_headers(headers: &serde_json::Map<String, Value>) -> Vec<&str> {
    let mut names: Vec<&str> = headers.keys().map(String::as_str).filter(|k| k.starts_with("x-temps-")).collect();
    names.sort_unstable();
    names
}

#[tokio::test]
async fn gen_b_strips_client_headers_and_injects_secret_and_identity() {
    let plugin = spawn_fake(fake(Generation::B)).await;
    let headers = echoed_headers(&plugin, &Caller::user("reader")).await;
    for stripped in ["cookie", "authorization", "proxy-authorization"] {
        assert!(!headers.contains_key(stripped), "{stripped} reached the plugin");
    }
    assert_eq!(headers["accept"], "application/json");
    assert_eq!(headers["host"], "localhost");
    assert_eq!(headers["x-temps-plugin"], "fake");
    assert_eq!(headers["x-temps-auth-signature"], plugin.secret());
    assert_eq!(headers["x-temps-user-role"], "reader");
    assert_eq!(headers["x-temps-user-id"], "1");
    assert_eq!(headers["x-temps-user-email"], "dev@localhost");
    assert_eq!(headers["x-temps-user-permissions"], "projects:read,deployments:read,environments:read");
    assert!(uuid::Uuid::parse_str(headers["x-temps-request-id"].as_str().unwrap()).is_ok());
    // The fake declares capabilities, so user callers carry an actor token.
    assert!(headers["x-temps-actor-token"].as_str().unwrap().starts_with("act_"));
}

#[tokio::test]
async fn gen_b_caller_variants() {
    let plugin = spawn_fake(fake(Generation::B)).await;
    let base = ["x-temps-plugin", "x-temps-request-id"];
    let identity = ["x-temps-user-email", "x-temps-user-id", "x-temps-user-permissions", "x-temps-user-role"];
    let sig = ["x-temps-auth-signature"];
    let cases: [(Caller, Vec<&str>); 4] = [
        (Caller::Anonymous, [&base[..], &sig].concat()),
        (Caller::WrongSecret, [&base[..], &sig, &identity].concat()),
        (Caller::NoSecret, [&base[..], &identity].concat()),
        (Caller::Partial, [&base[..], &sig, &["x-temps-user-role"]].concat()),
    ];
    for (caller, mut want) in cases {
        let headers = echoed_headers(&plugin, &caller).await;
        want.sort_unstable();
        assert_eq!(temps_headers(&headers), want, "{caller:?}");
        let signature = headers.get("x-temps-auth-signature").and_then(Value::as_str);
        assert_eq!(
            signature == Some(plugin.secret()),
            matches!(caller, Caller::Anonymous | Caller::Partial),
            "{caller:?}"
        );
    }
}

#[tokio::test]
async fn gen_a_sends_only_plugin_and_request_id() {
    let plugin = spawn_fake(fake(Generation::A)).await;
    let headers = echoed_headers(&plugin, &Caller::admin()).await;
    assert_eq!(temps_headers(&headers), ["x-temps-plugin", "x-temps-request-id"]);
    assert!(!headers.contains_key("cookie"));
}

#[tokio::test]
async fn events_and_channel_paths_are_never_forwarded() {
    let plugin = spawn_fake(fake(Generation::B)).await;
    for path in ["/_events", "/_temps/channel"] {
        let response = plugin.get(path, &Caller::admin()).await.unwrap();
        assert_eq!(response.status, 404, "{path}");
        assert_eq!(response.header("content-type"), Some("application/problem+json"));
    }
    // The same path sent raw does reach the plugin (its /_events wants a POST).
    let raw = plugin.send(crate::support::request("GET", "/_events", "")).await.unwrap();
    assert_eq!(raw.status, 405);
}

#[tokio::test]
async fn a_dead_plugin_is_a_bad_gateway() {
    let mut plugin = spawn_fake(fake(Generation::B).connect_channel(false)).await;
    std::fs::remove_file(plugin.socket_path()).unwrap();
    let error = plugin.get("/echo", &Caller::admin()).await.unwrap_err();
    assert!(error.is_bad_gateway(), "{error}");
    assert!(plugin.wait_exit(std::time::Duration::from_millis(50)).await.is_err());
}
