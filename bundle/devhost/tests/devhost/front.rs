//! The HTTP front (`temps-devhost`): in process on port 0, and the real binary end to end.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;

use serde_json::json;
use temps_bundle_devhost::server::{self, FrontState};
use temps_bundle_devhost::{Caller, Generation};

use crate::support::{fake, fake_plugin, http_to, request, spawn_fake};

#[tokio::test]
async fn front_serves_manifests_console_and_proxied_requests() {
    let extra = json!({"bundle": {"members": [{"name": "alpha", "mount": "/alpha"}]}}).to_string();
    let plugin = Arc::new(spawn_fake(fake(Generation::B).env("FAKE_PLUGIN_EXTRA_MANIFEST", &extra)).await);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = FrontState::new(Arc::clone(&plugin), Caller::user("reader"));
    let server = tokio::spawn(server::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let plugins = http_to(address, request("GET", "/api/x/plugins", "")).await.json().unwrap();
    assert_eq!(plugins[0]["name"], "fake");
    assert_eq!(plugins[0]["bundle"]["members"][0]["name"], "alpha", "unknown manifest keys are kept");

    let proxied = http::Request::builder()
        .uri("/api/x/fake/items/7?sort=desc")
        .header("cookie", "temps_session=abc")
        .header("x-temps-user-role", "admin")
        .body(bytes::Bytes::new())
        .unwrap();
    let echo = http_to(address, proxied).await.json().unwrap();
    assert_eq!((echo["path"].as_str(), echo["query"].as_str()), (Some("/items/7"), Some("sort=desc")));
    let headers = &echo["headers"];
    assert_eq!(headers["x-temps-user-role"], "reader");
    assert_eq!(headers["x-temps-auth-signature"], plugin.secret());
    assert!(headers.get("cookie").is_none());

    for (path, status) in [("/api/x/fake/_events", 404), ("/api/x/fake/_temps/channel", 404), ("/api/x/other/x", 404)] {
        assert_eq!(http_to(address, request("GET", path, "")).await.status, status, "{path}");
    }

    let console = http_to(address, request("GET", "/", "")).await;
    assert_eq!(console.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(console.text().contains("<title>Temps dev host</title>"));

    let fired = http_to(
        address,
        request("POST", "/_devhost/events", r#"{"event_type":"deployment.failed","data":{"project_id":2}}"#),
    )
    .await;
    let fired = fired.json().unwrap();
    assert_eq!(fired["delivery"]["via"], "channel", "{fired}");
    assert_eq!(fired["event"]["project_id"], 2);

    let calls = http_to(address, request("GET", "/_devhost/calls", "")).await.json().unwrap();
    assert_eq!(calls["channel_connected"], true);
    let info = http_to(address, request("GET", "/_devhost/info", "")).await.json().unwrap();
    assert_eq!(info["samples"]["deployment.failed"]["environment_name"], "staging", "{info}");

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_binary_serves_the_plugin_and_stops_it_on_sigterm() {
    let mut devhost = Command::new(env!("CARGO_BIN_EXE_temps-devhost"))
        .args(["--port", "0", "--name", "fake", "--", fake_plugin().to_str().unwrap()])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(devhost.stderr.take().unwrap()).lines();
    let address: SocketAddr = loop {
        let line = lines.next().expect("devhost ended before printing its URL").unwrap();
        if let Some(rest) = line.split("open http://").nth(1) {
            break rest.trim_end_matches('/').parse().unwrap();
        }
    };
    let echo = http_to(address, request("GET", "/api/x/fake/hello", "")).await.json().unwrap();
    assert_eq!(echo["headers"]["x-temps-user-role"], "admin");

    let pid = nix::unistd::Pid::from_raw(i32::try_from(devhost.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(devhost.wait().unwrap().success());
    // The plugin's own stderr is echoed: it got SIGTERM and exited.
    assert!(rest.iter().any(|l| l.contains("SIGTERM, bye")), "{rest:#?}");
}
