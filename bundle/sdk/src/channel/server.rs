//! `/_temps/channel`: accepts the host's WebSocket upgrade (Gen B: with the secret) once; later upgrades get 409.

use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::engine::signature::HostSecret;
use crate::problem::Problem;

use super::hub::ChannelHub;

/// The state of the channel route.
#[derive(Clone)]
pub struct ChannelRoute {
    pub hub: Arc<ChannelHub>,
    pub secret: HostSecret,
}

/// The upgrade handler.
pub async fn upgrade(
    State(route): State<ChannelRoute>,
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
