//! The protocol's own routes on the plugin socket: the platform channel upgrade (`/_temps/channel`) and the events
//! fallback (`POST /_events`). Both need the host's signature (Gen B) and never a caller identity.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use serde_json::json;
use temps_bundle_protocol::PluginEvent;
use temps_bundle_protocol::headers::{CHANNEL_PATH, EVENTS_PATH};

use super::signature::HostSecret;
use crate::channel::ChannelHub;
use crate::channel::hub::FRAME_LIMIT;
use crate::events::{EventBus, max_event_bytes};
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
/// An upgrade the client abandons before the switch does not use up the claim.
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
    let (hub, released, bus) = (route.hub.clone(), route.hub.clone(), route.bus.clone());
    upgrade
        .max_frame_size(FRAME_LIMIT)
        .max_message_size(FRAME_LIMIT)
        .on_failed_upgrade(move |error| {
            tracing::info!(%error, "a platform channel upgrade did not complete; the channel stays available");
            released.release_claim();
        })
        .on_upgrade(move |socket| {
            hub.run(socket, move |event| {
                bus.dispatch(event);
            })
        })
}

/// `POST /_events`: the host's fallback when the channel is down. 401 on a bad secret, 413 over the event size cap,
/// 400 on an invalid body, 202 with the members it went to otherwise.
async fn post_event(State(route): State<Protocol>, headers: HeaderMap, body: Body) -> Response {
    if let Err(problem) = route.secret.verify(&headers) {
        return problem.into_response();
    }
    let limit = max_event_bytes();
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return event_too_large(limit).into_response();
    }
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(body) => body,
        Err(error) if is_length_limit(&error) => return event_too_large(limit).into_response(),
        Err(error) => {
            let detail = format!("cannot read the event body: {error}");
            return Problem::new(StatusCode::BAD_REQUEST, "invalid-body", "Invalid Request Body", detail)
                .into_response();
        }
    };
    let event: PluginEvent = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(e) => return Problem::bad_request(format!("the body is not a valid PluginEvent: {e}")).into_response(),
    };
    let members = route.bus.dispatch(event);
    (StatusCode::ACCEPTED, axum::Json(json!({ "accepted": true, "members": members }))).into_response()
}

fn event_too_large(limit: usize) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "event-too-large",
        "Event Too Large",
        format!("an event may be at most {limit} bytes of JSON (TEMPS_BUNDLE_MAX_EVENT_BYTES)"),
    )
}

/// Whether reading the body failed because it exceeded the limit (rather than, say, the client going away).
fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if current.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = current.source();
    }
    false
}
