//! The channel and the events route under odd or hostile traffic: pings, frames near the protocol's size limits,
//! abandoned upgrades, and events over the size cap.

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::json;
use temps_bundle_devhost::{Generation, RunningPlugin};
use tokio::io::AsyncWriteExt;
use tokio::net::UnixStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use crate::support::{assert_problem, event_ids, eventually, options, spawn_with};

/// The host side of the channel, opened by the test (the dev host's own channel is not connected).
async fn open_channel(plugin: &RunningPlugin) -> WebSocketStream<UnixStream> {
    let stream = UnixStream::connect(plugin.socket_path()).await.unwrap();
    let mut request = "ws://localhost/_temps/channel".into_client_request().unwrap();
    request.headers_mut().insert("x-temps-auth-signature", plugin.secret().parse().unwrap());
    let config = WebSocketConfig::default().max_frame_size(Some(64 << 20)).max_message_size(Some(64 << 20));
    tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await.unwrap().0
}

/// A `project.created` event frame (tally subscribes to `project.*`) whose data carries `padding` bytes.
fn event_frame(id: &str, padding: usize) -> String {
    json!({"type":"event","event":{"id":id,"event_type":"project.created","timestamp":"2026-11-25T10:00:00Z",
        "project_id":1,"data":{"project_id":1,"project_name":"web","padding":"x".repeat(padding)}}})
    .to_string()
}

fn without_channel() -> temps_bundle_devhost::SpawnOptions {
    options(Generation::B).connect_channel(false)
}

#[tokio::test]
async fn pings_are_answered_silently() {
    let plugin = spawn_with(without_channel()).await;
    let mut ws = open_channel(&plugin).await;
    for _ in 0..200 {
        ws.send(Message::Ping(vec![1, 2, 3].into())).await.unwrap();
    }
    ws.send(Message::text(event_frame("evt-after-pings", 0))).await.unwrap();
    eventually(&plugin, "/tally/events", |b| event_ids(b).contains(&"evt-after-pings".to_owned())).await;
    let stderr = plugin.stderr();
    assert!(!stderr.contains("non-text frame") && !stderr.contains("binary frame"), "{stderr}");
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn a_frame_larger_than_16_mib_keeps_the_channel_open() {
    let plugin = spawn_with(without_channel()).await;
    let mut ws = open_channel(&plugin).await;
    // An answer to an unknown request id, as large as an api_call result may be: ignored, not fatal.
    let big = json!({"type":"response","id":4242,"outcome":{"ok":{"method":"api_call","result":{"status":200,"body":"x".repeat(33 << 20)}}}});
    ws.send(Message::text(big.to_string())).await.unwrap();
    ws.send(Message::text(event_frame("evt-after-big-frame", 0))).await.unwrap();
    eventually(&plugin, "/tally/events", |b| event_ids(b).contains(&"evt-after-big-frame".to_owned())).await;
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn an_abandoned_upgrade_does_not_take_the_channel() {
    let plugin = spawn_with(without_channel()).await;
    for _ in 0..3 {
        let mut stream = UnixStream::connect(plugin.socket_path()).await.unwrap();
        let request = format!(
            "GET /_temps/channel HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nx-temps-auth-signature: {}\r\n\r\n",
            plugin.secret()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        drop(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut ws = open_channel(&plugin).await;
    ws.send(Message::text(event_frame("evt-after-abandoned", 0))).await.unwrap();
    eventually(&plugin, "/tally/events", |b| event_ids(b).contains(&"evt-after-abandoned".to_owned())).await;
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn events_over_the_size_cap_are_refused_on_both_paths() {
    let plugin = spawn_with(without_channel().env("TEMPS_BUNDLE_MAX_EVENT_BYTES", "65536")).await;
    let big = serde_json::from_str::<serde_json::Value>(&event_frame("evt-big-http", 100_000)).unwrap();
    let refused = plugin.post_event_http(&big["event"].to_string(), Some(plugin.secret())).await.unwrap();
    assert!(assert_problem(&refused, 413).contains("at most 65536 bytes"));
    let mut ws = open_channel(&plugin).await;
    ws.send(Message::text(event_frame("evt-big-channel", 100_000))).await.unwrap();
    ws.send(Message::text(event_frame("evt-small", 10))).await.unwrap();
    let tally = eventually(&plugin, "/tally/events", |b| event_ids(b).contains(&"evt-small".to_owned())).await;
    let ids = event_ids(&tally);
    assert!(!ids.contains(&"evt-big-channel".to_owned()) && !ids.contains(&"evt-big-http".to_owned()), "{ids:?}");
    assert!(plugin.stderr().contains("dropped an event larger than the event size cap"));
    plugin.stop().await.unwrap();
}
