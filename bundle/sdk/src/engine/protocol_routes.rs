//! The protocol's own routes on the plugin socket: the platform channel upgrade (`/_temps/channel`) and the events
//! fallback (`POST /_events`). Both need the host's signature (Gen B) and never a caller identity.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use serde_json::json;
use temps_bundle_protocol::PluginEvent;
use temps_bundle_protocol::headers::{CHANNEL_PATH, EVENTS_PATH};

use super::signature::HostSecret;
use crate::channel::ChannelHub;
use crate::events::EventBus;
use crate::problem::Problem;

/// The state of the protocol routes.
#[derive(Clone)]
struct Protocol {
    hub: Arc<ChannelHub>,
    bus: Arc<EventBus>,
    secret: HostSecret,
}

/// The channel upgrade and the events fallback, as one router.
pub(crate) fn protocol_routes(hub: Arc<ChannelHub>, bus: Arc<EventBus>, secret: HostSecret) -> Router {
    Router::new().route(CHANNEL_PATH, any(upgrade)).route(EVENTS_PATH, post(post_event)).with_state(Protocol {
        hub,
        bus,
        secret,
    })
}

/// `/_temps/channel`: accepts the host's WebSocket upgrade (Gen B: with the secret) once; later upgrades get 409.
async fn upgrade(
    State(route): State<Protocol>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if let Err(problem) = route.secret.verify(&headers) {
        tracing::warn!("refused a platform channel upgrade: {}", problem.detail);
        return problem.into_response();
    }
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            return Problem::bad_request(format!("/_temps/channel expects a WebSocket upgrade: {rejection}"))
                .into_response();
        }
    };
    if !route.hub.try_claim() {
        tracing::warn!("refused a second platform channel upgrade");
        return Problem::new(
            StatusCode::CONFLICT,
            "channel-taken",
            "Conflict",
            "the platform channel is already open; only the first upgrade is accepted",
        )
        .into_response();
    }
    let hub = route.hub.clone();
    upgrade.on_upgrade(move |socket| hub.run(socket))
}

/// `POST /_events`: the host's fallback when the channel is down. 401 on a bad secret, 400 on an invalid body,
/// 202 with the members it went to otherwise.
async fn post_event(
    State(route): State<Protocol>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(problem) = route.secret.verify(&headers) {
        return problem.into_response();
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let detail = format!("cannot read the event body: {}", rejection.body_text());
            return Problem::new(rejection.status(), "invalid-body", "Invalid Request Body", detail).into_response();
        }
    };
    let event: PluginEvent = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(e) => return Problem::bad_request(format!("the body is not a valid PluginEvent: {e}")).into_response(),
    };
    let members = route.bus.dispatch(event);
    (StatusCode::ACCEPTED, axum::Json(json!({ "accepted": true, "members": members }))).into_response()
}
