//! notify's HTTP API. Every route is admin-only except reading the delivery log (any signed-in caller).

pub mod deliveries;
pub mod targets;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use temps_bundle_sdk::{Caller, Problem};
use temps_bundle_store::settings_routes;

use crate::state::NotifyState;

/// Every (method, path) the router serves; the OpenAPI document is checked against it.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/targets"),
    ("post", "/targets"),
    ("get", "/targets/{id}"),
    ("patch", "/targets/{id}"),
    ("delete", "/targets/{id}"),
    ("post", "/targets/{id}/test"),
    ("get", "/deliveries"),
    ("post", "/deliveries/{id}/retry"),
    ("get", "/settings"),
    ("patch", "/settings"),
];

/// The member's router. Admin-only routes check the role in a layer, before the body is even read, so an
/// anonymous caller gets 401 rather than a validation error.
pub fn router(state: NotifyState) -> Router {
    let admin = Router::new()
        .route("/targets", get(targets::list).post(targets::create))
        .route("/targets/{id}", get(targets::read).patch(targets::update).delete(targets::remove))
        .route("/targets/{id}/test", post(targets::send_test))
        .route("/deliveries/{id}/retry", post(deliveries::retry))
        .with_state(state.clone())
        // The shared settings router lets any signed-in caller read; notify's settings are admin-only like the rest.
        .merge(settings_routes(state.settings.clone()))
        .route_layer(middleware::from_fn(admin_only));
    Router::new().route("/deliveries", get(deliveries::log)).with_state(state).merge(admin)
}

async fn admin_only(caller: Caller, request: Request, next: Next) -> Response {
    match caller.require_admin() {
        Ok(_) => next.run(request).await,
        Err(problem) => problem.into_response(),
    }
}

/// A numeric id from the path; anything else names no row (404).
fn parse_id(what: &'static str, id: &str) -> Result<i64, Problem> {
    id.parse().map_err(|_| Problem::not_found(format!("{what} {id} does not exist")))
}
