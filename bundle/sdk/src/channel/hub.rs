//! The one channel connection, shared by every member: request ids, pending calls, pushed events.
//!
//! The host handles requests one at a time, in order; we still multiplex by id so a slow call of one member never
//! mixes up the answer of another.
//!
//! The hub owns no policy of its own: its waits and bounds come in as a [`ChannelConfig`] (the engine reads the
//! operator's knobs), and the events the host pushes are handed to whoever serves the socket ([`ChannelHub::run`]
//! takes the sink), so the hub knows nothing of the event bus.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use temps_bundle_protocol::{CallError, ChannelFrame, ChannelRequest, GenAFrame, Generation, Outcome, PluginEvent};
use tokio::sync::{mpsc, oneshot, watch};

use super::config::ChannelConfig;
use super::error::ChannelError;

/// The largest WebSocket frame and message the channel carries either way: an `api_call` body may be 32 MiB of
/// JSON text, which grows when escaped into the frame's JSON string, plus the envelope.
pub(crate) const FRAME_LIMIT: usize = 48 * 1024 * 1024;

type Answer = Result<Value, CallError>;

/// The channel's state. Cheap to share (`Arc`).
pub(crate) struct ChannelHub {
    config: ChannelConfig,
    next_id: AtomicU64,
    claimed: AtomicBool,
    /// `ready` was written: from now on the host may open the channel.
    ready_sent: AtomicBool,
    /// The channel was open and closed; hosts never reopen it.
    closed: AtomicBool,
    /// The host did not open the channel soon after `ready` (normal for some Gen A hosts).
    absent: AtomicBool,
    outgoing: watch::Sender<Option<mpsc::UnboundedSender<String>>>,
    pending: Mutex<HashMap<u64, oneshot::Sender<Answer>>>,
}

impl std::fmt::Debug for ChannelHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelHub")
            .field("generation", &self.config.generation)
            .field("connected", &self.is_connected())
            .finish()
    }
}

impl ChannelHub {
    /// A hub for the host `config` describes; nothing is connected yet.
    pub(crate) fn new(config: ChannelConfig) -> Self {
        Self {
            config,
            next_id: AtomicU64::new(1),
            claimed: AtomicBool::new(false),
            ready_sent: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            absent: AtomicBool::new(false),
            outgoing: watch::channel(None).0,
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// A hub with explicit waits and the default event size cap (tests, the `testing` harness).
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn with_timeouts(generation: Generation, connect_wait: Duration, call_timeout: Duration) -> Self {
        Self::new(ChannelConfig { connect_wait, call_timeout, ..ChannelConfig::defaults(generation) })
    }

    /// Connects a host living in this process (the `testing` harness): requests arrive on the returned queue
    /// as the text frames a socket would carry; answers go back through [`Self::handle_frame`].
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn connect_in_process(&self) -> mpsc::UnboundedReceiver<String> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.claimed.store(true, Ordering::SeqCst);
        self.outgoing.send_replace(Some(tx));
        rx
    }

    /// Whether a host is connected right now.
    pub(crate) fn is_connected(&self) -> bool {
        self.outgoing.borrow().is_some()
    }

    /// Records that `ready` was written: calls waiting before this point were made during start-up.
    pub(crate) fn mark_ready(&self) {
        self.ready_sent.store(true, Ordering::SeqCst);
    }

    /// Records that the host did not open the channel soon after `ready`: later calls fail at once.
    pub(crate) fn mark_absent(&self) {
        self.absent.store(true, Ordering::SeqCst);
    }

    /// Reserves the channel for an upgrade; while reserved or open, every other upgrade is refused (protocol §7).
    /// The reservation becomes the claim when the upgrade completes, or is released if it fails.
    pub(crate) fn try_claim(&self) -> bool {
        !self.claimed.swap(true, Ordering::SeqCst)
    }

    /// Releases a reservation whose upgrade never completed (the client went away before the switch), so the
    /// host's real upgrade is still accepted.
    pub(crate) fn release_claim(&self) {
        if !self.is_connected() && !self.closed.load(Ordering::SeqCst) {
            self.claimed.store(false, Ordering::SeqCst);
        }
    }

    /// Sends one call and waits for its answer.
    pub(crate) async fn call(&self, method: &str, params: Value) -> Result<Value, ChannelError> {
        let sender = self.wait_connected(method).await?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let text = self.request_text(id, method, params);
        if text.len() > FRAME_LIMIT {
            let size = text.len();
            return Err(ChannelError::TooLarge {
                method: method.to_owned(),
                what: "the request",
                size,
                limit: FRAME_LIMIT,
            });
        }
        let (tx, rx) = oneshot::channel();
        self.pending_map().insert(id, tx);
        // Removes the entry however this call ends, including when the caller's future is dropped.
        let _pending = PendingGuard { hub: self, id };
        if sender.send(text).is_err() {
            return Err(ChannelError::Closed { method: method.to_owned() });
        }
        let call_timeout = self.config.call_timeout;
        match tokio::time::timeout(call_timeout, rx).await {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(error))) => {
                Err(ChannelError::Host { method: method.to_owned(), code: error.code, message: error.message })
            }
            Ok(Err(_)) => Err(ChannelError::Closed { method: method.to_owned() }),
            Err(_) => Err(ChannelError::Timeout { method: method.to_owned(), after: call_timeout }),
        }
    }

    /// Serves one accepted WebSocket until it closes: writes queued requests, reads answers, and hands every
    /// event the host pushes to `deliver` (the engine's event bus), in the order they arrived.
    pub(crate) async fn run(self: Arc<Self>, socket: WebSocket, deliver: impl Fn(PluginEvent) + Send) {
        let (mut sink, mut stream) = socket.split();
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        self.outgoing.send_replace(Some(tx));
        tracing::info!("platform channel connected");
        // Whether the host ever spoke: a socket that ends before that was an abandoned upgrade, not the channel.
        let mut heard_from_host = false;
        loop {
            tokio::select! {
                outgoing = rx.recv() => match outgoing {
                    Some(text) => {
                        if let Err(error) = sink.send(Message::Text(text.into())).await {
                            tracing::warn!(%error, "cannot write to the platform channel");
                            break;
                        }
                    }
                    None => break,
                },
                incoming = stream.next() => {
                    heard_from_host |= matches!(incoming, Some(Ok(_)));
                    match incoming {
                        Some(Ok(Message::Text(text))) => {
                            if let Some(event) = self.handle_frame(text.as_str()) {
                                deliver(event);
                            }
                        }
                        Some(Ok(Message::Close(_))) | None => break,
                        // The WebSocket layer answers pings itself; keep-alives are no news.
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                        Some(Ok(Message::Binary(_))) => tracing::warn!("ignoring a binary frame on the platform channel"),
                        Some(Err(error)) => {
                            tracing::warn!(%error, "platform channel read failed");
                            break;
                        }
                    }
                },
            }
        }
        self.outgoing.send_replace(None);
        // No sender is handed out any more; closing the queue makes late sends fail, and dropping the waiters
        // answers every pending call with `Closed`.
        rx.close();
        self.pending_map().clear();
        if heard_from_host {
            self.closed.store(true, Ordering::SeqCst);
            tracing::warn!("platform channel closed; channel calls now fail until the host restarts the plugin");
        } else {
            self.claimed.store(false, Ordering::SeqCst);
            tracing::info!("the channel socket ended before the host sent anything; a new upgrade is accepted");
        }
    }

    /// Handles one text frame from the host: an answer goes to its waiting call; an event within the size cap is
    /// returned for the caller to deliver. Malformed and oversized frames are logged and ignored, never fatal.
    pub(crate) fn handle_frame(&self, text: &str) -> Option<PluginEvent> {
        match self.parse_frame(text) {
            Some(Incoming::Answer { id, answer }) => {
                match self.pending_map().remove(&id) {
                    Some(waiter) => {
                        let _ = waiter.send(answer);
                    }
                    None => tracing::warn!(id, "ignoring an answer to an unknown or expired request id"),
                }
                None
            }
            Some(Incoming::Event(event)) if text.len() > self.config.max_event_bytes => {
                tracing::warn!(
                    event_id = %event.id,
                    bytes = text.len(),
                    limit = self.config.max_event_bytes,
                    "dropped an event larger than the event size cap"
                );
                None
            }
            Some(Incoming::Event(event)) => Some(event),
            None => {
                let preview: String = text.chars().take(200).collect();
                tracing::warn!(frame = %preview, "ignoring a malformed platform channel frame");
                None
            }
        }
    }

    /// Parses a host frame. The typed (Gen B) and untyped (Gen A) forms are told apart by their keys
    /// (`outcome`/`call` only exist in the typed form), whatever generation the host announced.
    fn parse_frame(&self, text: &str) -> Option<Incoming> {
        let value: Value = serde_json::from_str(text).ok()?;
        let typed = value.get("outcome").is_some() || value.get("call").is_some();
        if typed {
            return match serde_json::from_value::<ChannelFrame>(value).ok()? {
                ChannelFrame::Response { id, outcome: Outcome::Ok { result, .. } } => {
                    Some(Incoming::Answer { id, answer: Ok(result) })
                }
                ChannelFrame::Response { id, outcome: Outcome::Err(error) } => {
                    Some(Incoming::Answer { id, answer: Err(error) })
                }
                ChannelFrame::Event { event } => Some(Incoming::Event(event)),
                ChannelFrame::Request { .. } => None,
            };
        }
        match serde_json::from_value::<GenAFrame>(value).ok()? {
            GenAFrame::Response { id, error: Some(error), .. } => Some(Incoming::Answer { id, answer: Err(error) }),
            GenAFrame::Response { id, result, error: None } => {
                Some(Incoming::Answer { id, answer: Ok(result.unwrap_or(Value::Null)) })
            }
            GenAFrame::Event { event } => Some(Incoming::Event(event)),
            GenAFrame::Request { .. } => None,
        }
    }

    fn request_text(&self, id: u64, method: &str, params: Value) -> String {
        let method = method.to_owned();
        let frame = match self.config.generation {
            Generation::B => {
                serde_json::to_string(&ChannelFrame::Request { id, call: ChannelRequest { method, params } })
            }
            Generation::A => serde_json::to_string(&GenAFrame::Request { id, method, params }),
        };
        // Serializing these plain structs cannot fail; an empty string would be ignored by the host anyway.
        frame.unwrap_or_default()
    }

    async fn wait_connected(&self, method: &str) -> Result<mpsc::UnboundedSender<String>, ChannelError> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(ChannelError::Closed { method: method.to_owned() });
        }
        if let Some(sender) = self.outgoing.borrow().clone() {
            return Ok(sender);
        }
        if self.absent.load(Ordering::SeqCst) {
            return Err(ChannelError::NotConnected { waited: Duration::ZERO });
        }
        let before_ready = !self.ready_sent.load(Ordering::SeqCst);
        let mut rx = self.outgoing.subscribe();
        let wait = self.config.connect_wait;
        let waited = tokio::time::timeout(wait, rx.wait_for(Option::is_some)).await;
        match waited {
            Ok(Ok(sender)) => sender.clone().ok_or(ChannelError::NotConnected { waited: wait }),
            _ if before_ready && !self.ready_sent.load(Ordering::SeqCst) => Err(ChannelError::BeforeReady),
            _ => Err(ChannelError::NotConnected { waited: wait }),
        }
    }

    fn pending_map(&self) -> std::sync::MutexGuard<'_, HashMap<u64, oneshot::Sender<Answer>>> {
        // A poisoned lock only means another call panicked while holding it; the map itself is still usable.
        self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Removes a pending call's entry when the call ends, however it ends.
struct PendingGuard<'a> {
    hub: &'a ChannelHub,
    id: u64,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        self.hub.pending_map().remove(&self.id);
    }
}

enum Incoming {
    Answer { id: u64, answer: Answer },
    Event(PluginEvent),
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]
mod tests {
    use serde_json::json;

    use super::*;

    fn hub(generation: Generation) -> ChannelHub {
        ChannelHub::with_timeouts(generation, Duration::from_millis(10), Duration::from_millis(10))
    }

    #[test]
    fn frames_are_told_apart_by_their_keys_in_either_generation() {
        for generation in [Generation::A, Generation::B] {
            let hub = hub(generation);
            let typed_err = r#"{"type":"response","id":1,"outcome":{"err":{"code":"not_found","message":"gone"}}}"#;
            assert!(matches!(hub.parse_frame(typed_err), Some(Incoming::Answer { id: 1, answer: Err(_) })));
            let untyped_ok = r#"{"type":"response","id":2,"result":{"id":7}}"#;
            assert!(matches!(hub.parse_frame(untyped_ok), Some(Incoming::Answer { id: 2, answer: Ok(_) })));
            let untyped_err = r#"{"type":"response","id":3,"error":{"code":"internal","message":"x"}}"#;
            assert!(matches!(hub.parse_frame(untyped_err), Some(Incoming::Answer { id: 3, answer: Err(_) })));
            assert!(hub.parse_frame("not json").is_none());
            assert!(hub.parse_frame(r#"{"type":"mystery"}"#).is_none());
        }
    }

    fn event_frame(id: &str, note: &str) -> String {
        json!({"type": "event", "event": {
            "id": id, "event_type": "deployment.succeeded", "timestamp": "2026-01-01T00:00:00Z",
            "data": {"note": note}
        }})
        .to_string()
    }

    /// The request the hub wrote for a call: its id and method, as the host reads them.
    fn request_of(text: &str) -> (u64, String) {
        match serde_json::from_str::<ChannelFrame>(text).expect("a typed request frame") {
            ChannelFrame::Request { id, call } => (id, call.method),
            other => panic!("not a request: {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_answer_reaches_its_call_and_an_event_is_handed_back_not_dispatched() {
        // Waits far above any scheduling delay: the answer must arrive before the call gives up.
        let hub = Arc::new(ChannelHub::with_timeouts(Generation::B, Duration::from_secs(30), Duration::from_secs(30)));
        let mut host = hub.connect_in_process();
        let call = tokio::spawn({
            let hub = hub.clone();
            async move { hub.call("list_projects", json!({})).await }
        });
        let (id, method) = request_of(&host.recv().await.expect("the call's request"));
        assert_eq!(method, "list_projects");
        let answer = json!({"type": "response", "id": id, "outcome": {"ok": {"method": method, "result": [1, 2]}}});
        assert!(hub.handle_frame(&answer.to_string()).is_none(), "an answer is not an event");
        assert_eq!(call.await.expect("the call task").expect("the answer"), json!([1, 2]));

        let event = hub.handle_frame(&event_frame("e-1", "hi")).expect("an event within the cap");
        assert_eq!((event.id.as_str(), event.event_type.as_str()), ("e-1", "deployment.succeeded"));
    }

    #[test]
    fn the_event_size_cap_comes_from_the_config() {
        let small = event_frame("e-1", "x");
        let large = event_frame("e-2", &"x".repeat(200));
        let hub =
            ChannelHub::new(ChannelConfig { max_event_bytes: small.len(), ..ChannelConfig::defaults(Generation::B) });
        assert!(hub.handle_frame(&small).is_some(), "an event exactly at the cap is handed on");
        assert!(hub.handle_frame(&large).is_none(), "an event over the cap is dropped");
        let roomy = ChannelHub::new(ChannelConfig::defaults(Generation::B));
        assert!(roomy.handle_frame(&large).is_some(), "the default cap is far above 200 bytes");
    }

    #[tokio::test]
    async fn the_waits_come_from_the_config() {
        let config = ChannelConfig {
            connect_wait: Duration::from_millis(30),
            call_timeout: Duration::from_millis(40),
            ..ChannelConfig::defaults(Generation::B)
        };
        let hub = Arc::new(ChannelHub::new(config));
        hub.mark_ready();
        match hub.call("list_projects", json!({})).await {
            Err(ChannelError::NotConnected { waited }) => assert_eq!(waited, config.connect_wait),
            other => panic!("expected NotConnected, got {other:?}"),
        }
        let _host = hub.connect_in_process();
        match hub.call("list_projects", json!({})).await {
            Err(ChannelError::Timeout { after, .. }) => assert_eq!(after, config.call_timeout),
            other => panic!("expected Timeout, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_generation_in_the_config_picks_the_request_form() {
        let hub = Arc::new(ChannelHub::new(ChannelConfig::defaults(Generation::A)));
        let mut host = hub.connect_in_process();
        let _call = tokio::spawn({
            let hub = hub.clone();
            async move { hub.call("get_project", json!({"project_id": 7})).await }
        });
        let text = host.recv().await.expect("the call's request");
        match serde_json::from_str::<GenAFrame>(&text).expect("an untyped Gen A frame") {
            GenAFrame::Request { method, params, .. } => {
                assert_eq!((method.as_str(), params), ("get_project", json!({"project_id": 7})));
            }
            other => panic!("not a request: {other:?}"),
        }
        assert!(!text.contains("\"call\""), "Gen A frames carry no typed `call`: {text}");
    }

    #[tokio::test]
    async fn a_dropped_call_leaves_no_pending_entry() {
        let hub = hub(Generation::B);
        let (tx, _rx) = mpsc::unbounded_channel();
        hub.outgoing.send_replace(Some(tx));
        let call = hub.call("list_projects", serde_json::json!({}));
        let _ = tokio::time::timeout(Duration::from_millis(1), call).await;
        assert!(hub.pending_map().is_empty());
    }
}
