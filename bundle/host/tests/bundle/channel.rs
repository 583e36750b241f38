//! The platform channel: auth and single upgrade, scoped calls answered by the dev host, Gen A frames,
//! and malformed frames ignored.

use futures_util::SinkExt;
use http::StatusCode;
use serde_json::json;
use temps_bundle_devhost::{Caller, Generation, RunningPlugin};
use tokio::net::UnixStream;
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest};

use crate::support::{event_ids, eventually, ok_json, options, spawn, spawn_with};

/// Opens `/_temps/channel` on the plugin's socket, optionally with a signature.
async fn upgrade(
    plugin: &RunningPlugin,
    signature: Option<&str>,
) -> Result<tokio_tungstenite::WebSocketStream<UnixStream>, tungstenite::Error> {
    let stream = UnixStream::connect(plugin.socket_path()).await.unwrap();
    let mut request = "ws://localhost/_temps/channel".into_client_request().unwrap();
    if let Some(signature) = signature {
        request.headers_mut().insert("x-temps-auth-signature", signature.parse().unwrap());
    }
    tokio_tungstenite::client_async(request, stream).await.map(|(ws, _)| ws)
}

fn refused_with(result: Result<tokio_tungstenite::WebSocketStream<UnixStream>, tungstenite::Error>) -> StatusCode {
    match result {
        Err(tungstenite::Error::Http(response)) => response.status(),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("the upgrade was accepted"),
    }
}

#[tokio::test]
async fn only_one_signed_upgrade_is_accepted() {
    let plugin = spawn(Generation::B).await;
    assert!(plugin.channel_connected());
    assert_eq!(refused_with(upgrade(&plugin, None).await), StatusCode::UNAUTHORIZED);
    assert_eq!(refused_with(upgrade(&plugin, Some("wrong")).await), StatusCode::UNAUTHORIZED);
    assert_eq!(refused_with(upgrade(&plugin, Some(plugin.secret())).await), StatusCode::CONFLICT);
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn declared_calls_go_to_the_host_and_undeclared_ones_fail_locally() {
    for generation in [Generation::B, Generation::A] {
        let plugin = spawn(generation).await;
        let projects = ok_json(&plugin.get("/tally/projects", &Caller::admin()).await.unwrap());
        let expected = plugin.fixtures().projects.len();
        assert_eq!(projects["ok"].as_array().map(Vec::len), Some(expected), "{generation:?}: {projects}");
        let refused = ok_json(&plugin.get("/tally/environments", &Caller::admin()).await.unwrap());
        assert_eq!(refused["code"], "permission_denied", "{refused}");
        assert!(refused["error"].as_str().unwrap().contains("environments_read"), "{refused}");
        // deploy-pulse backfills over the same channel at start, so only tally's refused call is checked for.
        let methods: Vec<String> = plugin.channel_calls().iter().map(|c| c.method.clone()).collect();
        assert!(methods.iter().any(|m| m == "list_projects"), "{generation:?}: {methods:?}");
        assert!(
            !methods.iter().any(|m| m == "list_environments"),
            "{generation:?}: the refused call never reached the host"
        );
        plugin.stop().await.unwrap();
    }
}

#[tokio::test]
async fn host_errors_come_back_typed() {
    let plugin = spawn_with(options(Generation::B).granted_permissions(&["events_read"])).await;
    let refused = ok_json(&plugin.get("/tally/projects", &Caller::admin()).await.unwrap());
    assert_eq!(refused["code"], "permission_denied", "the host refused it this time: {refused}");
    assert!(refused["error"].as_str().unwrap().contains("failed on the host"), "{refused}");
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn malformed_frames_are_logged_and_ignored() {
    let plugin = spawn_with(options(Generation::B).connect_channel(false)).await;
    let mut ws = upgrade(&plugin, Some(plugin.secret())).await.unwrap();
    for garbage in [
        "not json",
        r#"{"type":"mystery"}"#,
        r#"{"type":"response","id":999,"outcome":{"ok":{"method":"x","result":1}}}"#,
    ] {
        ws.send(Message::text(garbage)).await.unwrap();
    }
    let event = json!({"type":"event","event":{"id":"evt-after-garbage","event_type":"project.created","timestamp":"2026-11-25T10:00:00Z","project_id":1,"data":{"project_id":1,"project_name":"web"}}});
    ws.send(Message::text(event.to_string())).await.unwrap();
    eventually(&plugin, "/tally/events", |b| event_ids(b).contains(&"evt-after-garbage".to_owned())).await;
    let stderr = plugin.stderr();
    assert!(stderr.contains("ignoring a malformed platform channel frame"), "{stderr}");
    assert!(stderr.contains("unknown or expired request id"), "{stderr}");
    plugin.stop().await.unwrap();
}
