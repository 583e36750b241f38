//! site-audit's HTTP API. Reading needs a signed-in caller; queueing, cancelling and settings changes need admin.

pub mod audits;
pub mod pages;

use axum::Router;
use axum::routing::{get, post};
use temps_bundle_sdk::Problem;
use temps_bundle_store::settings_routes;

use crate::state::AuditState;

/// Every (method, path) the router serves; the OpenAPI document is checked against it.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/audits"),
    ("post", "/audits"),
    ("get", "/audits/{id}"),
    ("post", "/audits/{id}/cancel"),
    ("get", "/audits/{id}/export"),
    ("get", "/audits/{id}/pages"),
    ("get", "/audits/{id}/page"),
    ("get", "/kinds"),
    ("get", "/settings"),
    ("patch", "/settings"),
];

/// The member's router. Roles are checked in each handler before the body is read.
pub fn router(state: AuditState) -> Router {
    Router::new()
        .route("/audits", get(audits::list).post(audits::create))
        .route("/audits/{id}", get(audits::read))
        .route("/audits/{id}/cancel", post(audits::cancel))
        .route("/audits/{id}/export", get(audits::export))
        .route("/audits/{id}/pages", get(pages::list))
        .route("/audits/{id}/page", get(pages::detail))
        .route("/kinds", get(pages::kinds))
        .with_state(state.clone())
        // Any signed-in caller reads the settings; only admins change them.
        .merge(settings_routes(state.settings))
}

/// A numeric id from the path; anything else names no audit (404).
fn parse_id(id: &str) -> Result<i64, Problem> {
    id.parse().map_err(|_| Problem::not_found(format!("audit {id} does not exist")))
}
