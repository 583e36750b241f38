//! deploy-pulse's HTTP API (relative to the member's mount point), one file per resource. Reads need a
//! signed-in caller; backfill and settings changes need an admin (`temps_bundle_store::settings_routes`).

pub mod backfill;
pub mod overview;
pub mod projects;

use axum::Router;
use axum::routing::{get, post};

use crate::state::PulseState;

/// Every (method, path) the router serves; the OpenAPI document is checked against it.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/overview"),
    ("get", "/projects/{id}"),
    ("get", "/projects/{id}/deployments"),
    ("post", "/backfill"),
    ("get", "/settings"),
    ("patch", "/settings"),
];

/// The member's router.
pub fn router(state: PulseState) -> Router {
    let settings = state.settings.clone();
    Router::new()
        .route("/overview", get(overview::show))
        .route("/projects/{id}", get(projects::detail))
        .route("/projects/{id}/deployments", get(projects::deployments))
        .route("/backfill", post(backfill::run))
        .with_state(state)
        .merge(temps_bundle_store::settings_routes(settings))
}
