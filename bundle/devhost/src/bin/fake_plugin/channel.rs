//! The fake plugin's side of the platform channel: one connection, calls matched to responses by id.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use temps_bundle_protocol::{ChannelFrame, ChannelRequest, GenAFrame, Generation};
use tokio::sync::{mpsc, oneshot};

use crate::routes::FakeState;

/// The one channel connection, once the host opened it.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChannelSlot {
    claimed: Arc<AtomicBool>,
    next_id: Arc<AtomicU64>,
    outgoing: Arc<Mutex<Option<mpsc::UnboundedSender<String>>>>,
    pending: Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>,
}

impl ChannelSlot {
    /// True for the first upgrade only.
    pub(crate) fn claim(&self) -> bool {
        !self.claimed.swap(true, Ordering::SeqCst)
    }

    pub(crate) fn send_raw(&self, text: String) -> bool {
        let outgoing = self.outgoing.lock().unwrap_or_else(PoisonError::into_inner);
        outgoing.as_ref().is_some_and(|tx| tx.send(text).is_ok())
    }

    /// Sends a request frame of the generation and waits for its response frame.
    pub(crate) async fn call(&self, generation: Generation, method: &str, params: Value) -> Result<Value, String> {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let method = method.to_owned();
        let frame = match generation {
            Generation::B => {
                serde_json::to_string(&ChannelFrame::Request { id, call: ChannelRequest { method, params } })
            }
            Generation::A => serde_json::to_string(&GenAFrame::Request { id, method, params }),
        }
        .map_err(|e| format!("request frame: {e}"))?;
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap_or_else(PoisonError::into_inner).insert(id, tx);
        if !self.send_raw(frame) {
            return Err("no channel".into());
        }
        tokio::time::timeout(Duration::from_secs(5), rx)
            .await
            .map_err(|_| "no response within 5s")?
            .map_err(|e| e.to_string())
    }
}

/// Pumps frames until the host closes the connection.
pub(crate) async fn serve(socket: WebSocket, state: FakeState) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    *state.channel.outgoing.lock().unwrap_or_else(PoisonError::into_inner) = Some(tx);
    let writer = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
    });
    while let Some(Ok(message)) = stream.next().await {
        let Message::Text(text) = message else { continue };
        let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else { continue };
        match frame["type"].as_str() {
            Some("response") => {
                let id = frame["id"].as_u64().unwrap_or_default();
                let waiter = state.channel.pending.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
                if let Some(waiter) = waiter {
                    let _ = waiter.send(frame);
                }
            }
            Some("event") => state.record_event("channel", frame["event"].clone()),
            _ => eprintln!("fake plugin: unexpected frame {frame}"),
        }
    }
    writer.abort();
    eprintln!("fake plugin: channel closed");
}
