//! Event delivery (§8): on the channel when it is alive, else `POST /_events` with the secret.

use bytes::Bytes;
use temps_bundle_protocol::event::subscription_matches;
use temps_bundle_protocol::{Generation, HostPermission, PluginEvent, headers};

use super::RunningPlugin;
use crate::error::DevHostError;
use crate::events::Delivery;
use crate::response::Response;

impl RunningPlugin {
    /// Delivers an event like Temps: only if the manifest subscribes to its type (and, on a host with grants,
    /// `events_read` is declared and granted); pushed on the channel if connected, else posted to `/_events`.
    pub async fn fire_event(&self, event: PluginEvent) -> Result<Delivery, DevHostError> {
        if !self.manifest().events.iter().any(|pattern| subscription_matches(pattern, &event.event_type)) {
            let reason = format!("the plugin does not subscribe to {}", event.event_type);
            return Ok(Delivery::Skipped { reason });
        }
        if !self.host.permits(HostPermission::EventsRead) {
            return Ok(Delivery::Skipped {
                reason: "host permission `events_read` is not declared and granted".into(),
            });
        }
        if let Some(channel) = self.channel.as_ref().filter(|c| c.is_connected()) {
            if channel.push_event(&event).await {
                return Ok(Delivery::Channel);
            }
            tracing::warn!("pushing the event on the channel failed; falling back to POST /_events");
        }
        let body = serde_json::to_string(&event).map_err(|e| DevHostError::InvalidRequest(e.to_string()))?;
        let secret = (self.generation == Generation::B).then_some(self.secret.as_str());
        let response = self.post_event_http(&body, secret).await?;
        Ok(Delivery::Http { status: response.status })
    }

    /// `POST /_events` with this body and, when given, this `x-temps-auth-signature` (for tests of 400/401).
    pub async fn post_event_http(&self, event_json: &str, secret: Option<&str>) -> Result<Response, DevHostError> {
        let mut request = http::Request::new(Bytes::from(event_json.to_owned()));
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = http::Uri::from_static(headers::EVENTS_PATH);
        let request_headers = request.headers_mut();
        request_headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
        if let Some(secret) = secret {
            let value = http::HeaderValue::from_str(secret)
                .map_err(|_| DevHostError::InvalidRequest("the secret is not a valid header value".into()))?;
            request_headers.insert(headers::AUTH_SIGNATURE, value);
        }
        self.send(request).await
    }
}
