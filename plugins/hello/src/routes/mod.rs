//! hello's HTTP API, one file per resource. `/public/*` needs no login (declared in the manifest).

pub mod events;
pub mod greeting;
pub mod ping;

use axum::Router;
use axum::routing::get;

use crate::state::HelloState;

/// The member's router, relative to its mount point.
pub fn router(state: HelloState) -> Router {
    Router::new()
        .route("/greeting", get(greeting::greet))
        .route("/events", get(events::list))
        .route("/public/ping", get(ping::pong))
        .with_state(state)
}
