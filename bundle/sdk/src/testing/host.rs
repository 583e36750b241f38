//! The scripted host on the other end of the channel: it reads the request frames the member's calls produce,
//! answers each from the test's script, and records what was asked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;
use temps_bundle_protocol::{CallError, ChannelErrorCode, ChannelFrame, Outcome};

use crate::channel::ChannelHub;

/// How the host answers one method.
pub(super) type Responder = Arc<dyn Fn(&Value) -> Result<Value, CallError> + Send + Sync>;

/// One call a member made through the channel, as the host received it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelCall {
    pub method: String,
    pub params: Value,
}

/// The host side of an in-process channel.
pub(super) struct ScriptedHost {
    answers: HashMap<String, Responder>,
    calls: Mutex<Vec<ChannelCall>>,
}

impl ScriptedHost {
    /// Connects to `hub` and answers its requests until the hub goes away.
    pub(super) fn connect(hub: Arc<ChannelHub>, answers: Vec<(String, Responder)>) -> Arc<Self> {
        let host = Arc::new(Self { answers: answers.into_iter().collect(), calls: Mutex::new(Vec::new()) });
        let mut requests = hub.connect_in_process();
        let serving = host.clone();
        tokio::spawn(async move {
            while let Some(text) = requests.recv().await {
                if let Some(answer) = serving.answer(&text) {
                    hub.handle_frame(&answer);
                }
            }
        });
        host
    }

    pub(super) fn calls(&self) -> Vec<ChannelCall> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The response frame to one request frame (the hub always writes typed Gen B frames here).
    fn answer(&self, text: &str) -> Option<String> {
        let Ok(ChannelFrame::Request { id, call }) = serde_json::from_str::<ChannelFrame>(text) else {
            tracing::warn!(frame = %text, "the scripted host got a frame that is not a request");
            return None;
        };
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(ChannelCall { method: call.method.clone(), params: call.params.clone() });
        let outcome = match self.answers.get(&call.method) {
            Some(respond) => match respond(&call.params) {
                Ok(result) => Outcome::Ok { method: call.method, result },
                Err(error) => Outcome::Err(error),
            },
            None => Outcome::Err(CallError {
                code: ChannelErrorCode::MethodNotFound,
                message: format!("the test's scripted host has no answer for {}", call.method),
            }),
        };
        serde_json::to_string(&ChannelFrame::Response { id, outcome }).ok()
    }
}
