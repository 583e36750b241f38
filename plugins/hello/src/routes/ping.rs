//! `GET /public/ping`: liveness without a login.

use axum::Json;
use serde::Serialize;

/// The answer of `GET /public/ping`.
#[derive(Debug, Serialize)]
pub struct Pong {
    pub pong: bool,
}

pub async fn pong() -> Json<Pong> {
    Json(Pong { pong: true })
}
