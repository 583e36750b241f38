//! `GET /public/ping`: liveness without a login.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The answer of `GET /public/ping`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pong {
    pub pong: bool,
}

/// Liveness without a login
#[utoipa::path(get, path = "/public/ping", responses((status = 200, description = "Always `{\"pong\": true}`", body = Pong)))]
pub async fn pong() -> Json<Pong> {
    Json(Pong { pong: true })
}
