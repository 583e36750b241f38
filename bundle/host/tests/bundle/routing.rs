//! Requests routed to members: prefix stripping, the host signature, identities, public paths, health, isolation.

use bytes::Bytes;
use temps_bundle_devhost::{Caller, Generation, RunningPlugin};

use crate::support::{assert_problem, ok_json, spawn};

/// One route of every member (the failed one included).
const MEMBER_ROUTES: [&str; 5] =
    ["/hello/greeting", "/boom/ok", "/slow/sleep?ms=1", "/tally/events", "/broken/anything"];

#[tokio::test]
async fn requests_reach_the_right_member_with_the_prefix_stripped() {
    let plugin = spawn(Generation::B).await;
    let greeting = ok_json(&plugin.get("/hello/greeting?name=Ada", &Caller::admin()).await.unwrap());
    assert_eq!(greeting["message"], "Hello, Ada!");
    assert_eq!(greeting["caller"], "admin");
    assert_eq!(ok_json(&plugin.get("/boom/ok", &Caller::user("reader")).await.unwrap())["member"], "boom");
    // Each member's files live in its own data directory.
    assert_eq!(std::fs::read_to_string(plugin.data_dir().join("hello/visits.txt")).unwrap(), "1");
    let unknown = plugin.get("/nobody/x", &Caller::admin()).await.unwrap();
    assert!(assert_problem(&unknown, 404).contains("no member named \"nobody\""));
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn gen_b_refuses_every_member_route_without_the_right_signature_or_a_full_identity() {
    let plugin = spawn(Generation::B).await;
    for route in MEMBER_ROUTES {
        for (caller, needle) in [
            (Caller::NoSecret, "missing"),
            (Caller::WrongSecret, "wrong"),
            (Caller::Partial, "partial caller identity"),
            (Caller::Anonymous, "signed-in"),
        ] {
            let response = plugin.get(route, &caller).await.unwrap();
            let detail = assert_problem(&response, 401);
            assert!(detail.contains(needle), "{route} as {caller:?}: {detail}");
            let body = response.json().unwrap();
            assert_eq!(body["type"], "https://temps.sh/problems/plugin-authentication-required");
            assert_eq!(body["title"], "Authentication Required");
        }
    }
    let manifest = plugin.get("/_bundle/manifest", &Caller::NoSecret).await.unwrap();
    assert_problem(&manifest, 401);
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn health_needs_no_secret_and_reports_each_member() {
    let plugin = spawn(Generation::B).await;
    let health = ok_json(&raw_get(&plugin, "/health").await);
    assert_eq!(health["status"], "degraded");
    let statuses: Vec<(String, String)> = health["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap().to_owned(), m["status"].as_str().unwrap().to_owned()))
        .collect();
    assert!(statuses.contains(&("hello".into(), "running".into())), "{statuses:?}");
    assert!(statuses.contains(&("broken".into(), "failed".into())), "{statuses:?}");
    assert_eq!(ok_json(&raw_get(&plugin, "/hello/health").await)["member"], "hello");
    assert!(assert_problem(&raw_get(&plugin, "/broken/health").await, 503).contains("unreachable"));
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn public_paths_are_open_but_never_trust_unsigned_identities() {
    let plugin = spawn(Generation::B).await;
    assert_eq!(ok_json(&raw_get(&plugin, "/hello/public/ping").await)["pong"], true);
    let forged = plugin.get("/slow/open/ping", &Caller::WrongSecret).await.unwrap();
    assert_eq!(ok_json(&forged)["anonymous"], true, "a wrong signature must not carry an identity");
    let signed = plugin.get("/slow/open/ping", &Caller::admin()).await.unwrap();
    assert_eq!(ok_json(&signed)["anonymous"], false);
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn a_panicking_handler_gets_500_and_the_others_keep_serving() {
    let plugin = spawn(Generation::B).await;
    let panicked = plugin.get("/boom/panic", &Caller::admin()).await.unwrap();
    assert_problem(&panicked, 500);
    assert!(plugin.stderr().contains("deliberate panic"), "the panic is logged");
    assert_eq!(ok_json(&plugin.get("/boom/ok", &Caller::admin()).await.unwrap())["ok"], true);
    ok_json(&plugin.get("/hello/greeting", &Caller::admin()).await.unwrap());
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn a_failed_member_answers_503_naming_the_cause() {
    let plugin = spawn(Generation::B).await;
    let detail = assert_problem(&plugin.get("/broken/anything", &Caller::admin()).await.unwrap(), 503);
    assert!(detail.contains("on_start failed: the test database is unreachable"), "{detail}");
    let manifest = ok_json(&plugin.get("/_bundle/manifest", &Caller::admin()).await.unwrap());
    let broken =
        manifest["bundle"]["members"].as_array().unwrap().iter().find(|m| m["name"] == "broken").unwrap().clone();
    assert_eq!(broken["status"], "failed");
    assert!(broken["error"].as_str().unwrap().contains("unreachable"));
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn gen_a_needs_no_signature() {
    let plugin = spawn(Generation::A).await;
    let greeting = ok_json(&raw_get(&plugin, "/hello/greeting?name=A").await);
    assert_eq!(greeting["message"], "Hello, A!");
    assert_eq!(greeting["caller"], serde_json::Value::Null, "Gen A hosts send no identity");
    // Nothing says a Gen A host strips a client's x-temps-* headers, so an identity there is never trusted.
    let forged = http::Request::get("/hello/greeting")
        .header("x-temps-user-id", "1")
        .header("x-temps-user-email", "mallory@example.com")
        .header("x-temps-user-role", "admin")
        .body(Bytes::new())
        .unwrap();
    let greeting = ok_json(&plugin.send(forged).await.unwrap());
    assert_eq!(greeting["caller"], serde_json::Value::Null, "a forged Gen A identity is ignored: {greeting}");
    assert_eq!(greeting["message"], "Hello, stranger!");
    plugin.stop().await.unwrap();
}

/// A request with no headers at all, straight to the socket.
async fn raw_get(plugin: &RunningPlugin, path: &str) -> temps_bundle_devhost::Response {
    let request = http::Request::get(path).body(Bytes::new()).unwrap();
    plugin.send(request).await.unwrap()
}
