//! The platform channel (§7), host side: a WebSocket client on the plugin's socket that answers calls in order
//! and pushes events.

mod frames;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use temps_bundle_protocol::{CallError, Generation, PluginEvent, headers};
use tokio::net::UnixStream;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::answers;
use crate::host_context::HostContext;

/// One call the plugin made on the channel, and what the host answered.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedCall {
    pub id: u64,
    pub method: String,
    pub params: Value,
    pub answered: Result<Value, CallError>,
}

/// What happened on the channel, shared between the channel task and the handle.
#[derive(Debug, Default)]
pub(crate) struct ChannelLog {
    calls: Mutex<Vec<RecordedCall>>,
    protocol_errors: Mutex<Vec<String>>,
}

impl ChannelLog {
    pub(crate) fn calls(&self) -> Vec<RecordedCall> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(crate) fn protocol_errors(&self) -> Vec<String> {
        self.protocol_errors.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn record_call(&self, call: RecordedCall) {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner).push(call);
    }

    fn record_protocol_error(&self, error: String) {
        tracing::warn!(%error, "channel protocol error");
        self.protocol_errors.lock().unwrap_or_else(PoisonError::into_inner).push(error);
    }
}

/// An open channel; dropping it closes the connection.
#[derive(Debug)]
pub(crate) struct Channel {
    generation: Generation,
    outgoing: mpsc::UnboundedSender<(String, oneshot::Sender<bool>)>,
    connected: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

/// How long the WebSocket upgrade may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens `ws://localhost/_temps/channel` on the socket (with the secret in Gen B) and starts answering calls.
pub(crate) async fn connect(
    socket: &Path,
    generation: Generation,
    secret: Option<&str>,
    host: Arc<HostContext>,
    log: Arc<ChannelLog>,
) -> Result<Channel, String> {
    let ws = tokio::time::timeout(CONNECT_TIMEOUT, upgrade(socket, secret))
        .await
        .map_err(|_| format!("the WebSocket upgrade did not complete within {CONNECT_TIMEOUT:?}"))??;
    let (outgoing, incoming_pushes) = mpsc::unbounded_channel();
    let connected = Arc::new(AtomicBool::new(true));
    let task = tokio::spawn(run(ws, generation, host, log, incoming_pushes, Arc::clone(&connected)));
    Ok(Channel { generation, outgoing, connected, task })
}

impl Channel {
    /// Whether the connection is still open.
    pub(crate) fn is_connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }

    /// Pushes an event frame; true once it was written to the socket.
    pub(crate) async fn push_event(&self, event: &PluginEvent) -> bool {
        let Ok(text) = frames::encode_event(self.generation, event) else { return false };
        let (done, written) = oneshot::channel();
        if self.outgoing.send((text, done)).is_err() {
            return false;
        }
        written.await.unwrap_or(false)
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Socket = tokio_tungstenite::WebSocketStream<UnixStream>;

async fn upgrade(socket: &Path, secret: Option<&str>) -> Result<Socket, String> {
    let stream =
        UnixStream::connect(socket).await.map_err(|e| format!("cannot connect to {}: {e}", socket.display()))?;
    let uri = format!("ws://localhost{}", headers::CHANNEL_PATH);
    let mut request = uri.into_client_request().map_err(|e| e.to_string())?;
    if let Some(secret) = secret {
        let value = http::HeaderValue::from_str(secret).map_err(|e| format!("secret is not a header value: {e}"))?;
        request.headers_mut().insert(headers::AUTH_SIGNATURE, value);
    }
    match tokio_tungstenite::client_async(request, stream).await {
        Ok((ws, _response)) => Ok(ws),
        Err(tungstenite::Error::Http(response)) => {
            let body = response.body().as_deref().map(String::from_utf8_lossy).unwrap_or_default();
            Err(format!("the plugin answered {} to the channel upgrade: {body}", response.status()))
        }
        Err(e) => Err(format!("the WebSocket upgrade failed: {e}")),
    }
}

/// Serves the connection until either side closes it: requests are answered one at a time, in order.
async fn run(
    mut ws: Socket,
    generation: Generation,
    host: Arc<HostContext>,
    log: Arc<ChannelLog>,
    mut pushes: mpsc::UnboundedReceiver<(String, oneshot::Sender<bool>)>,
    connected: Arc<AtomicBool>,
) {
    loop {
        tokio::select! {
            message = ws.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    if let Some(reply) = handle_text(generation, &host, &log, text.as_str())
                        && ws.send(Message::text(reply)).await.is_err()
                    {
                        break;
                    }
                }
                Some(Ok(Message::Binary(_))) => log.record_protocol_error("binary frame on the channel".into()),
                Some(Ok(Message::Close(_))) | None => break,
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "channel read failed");
                    break;
                }
            },
            push = pushes.recv() => {
                let Some((text, done)) = push else { break };
                let written = ws.send(Message::text(text)).await.is_ok();
                let _ = done.send(written);
                if !written {
                    break;
                }
            }
        }
    }
    connected.store(false, Ordering::SeqCst);
    tracing::info!("platform channel closed");
}

/// Answers one text frame; `None` when it was not a request we can answer.
fn handle_text(generation: Generation, host: &HostContext, log: &ChannelLog, text: &str) -> Option<String> {
    let request = match frames::decode_request(generation, text) {
        Ok(request) => request,
        Err(error) => {
            log.record_protocol_error(error);
            return None;
        }
    };
    let answered = answers::answer(host, &request.method, &request.params);
    tracing::debug!(method = %request.method, ok = answered.is_ok(), "channel call");
    let reply = frames::encode_response(generation, request.id, &request.method, &answered);
    log.record_call(RecordedCall { id: request.id, method: request.method, params: request.params, answered });
    match reply {
        Ok(reply) => Some(reply),
        Err(e) => {
            log.record_protocol_error(format!("cannot encode the response: {e}"));
            None
        }
    }
}
