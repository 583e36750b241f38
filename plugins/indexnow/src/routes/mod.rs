//! indexnow's HTTP API. Reading needs a signed-in caller; submitting, key changes and settings changes need admin.

pub mod key;
pub mod submissions;

use axum::Router;
use axum::routing::{get, post};
use temps_bundle_store::settings_routes;

use crate::state::IndexNowState;

/// Every (method, path) the router serves; the OpenAPI document is checked against it.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/submissions"),
    ("post", "/submissions"),
    ("get", "/submissions/{id}"),
    ("get", "/suggestions"),
    ("get", "/key"),
    ("post", "/key"),
    ("post", "/key/check"),
    ("get", "/settings"),
    ("patch", "/settings"),
];

/// The member's router. Roles are checked in each handler before the body is read.
pub fn router(state: IndexNowState) -> Router {
    Router::new()
        .route("/submissions", get(submissions::list).post(submissions::create))
        .route("/submissions/{id}", get(submissions::read))
        .route("/suggestions", get(submissions::suggestions))
        .route("/key", get(key::read).post(key::generate))
        .route("/key/check", post(key::check))
        .with_state(state.clone())
        .merge(settings_routes(state.settings))
}
