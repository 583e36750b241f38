//! `GET /deliveries` (any signed-in caller) and `POST /deliveries/{id}/retry` (admin).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};

use crate::deliveries::{self, DeliveryView, LogQuery};
use crate::state::NotifyState;

/// The delivery log, newest first, filtered by `target`, `status` and `limit` (default 100, at most 500).
pub async fn log(
    caller: Caller,
    State(state): State<NotifyState>,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Json<Value>, Problem> {
    caller.user()?;
    let Query(query) = query.map_err(|rejection| Problem::bad_request(rejection.body_text()))?;
    let deliveries = deliveries::log(state.db(), &query).await?;
    Ok(Json(json!({ "deliveries": deliveries })))
}

/// Sends a delivered or dead delivery again, with a fresh attempt budget.
pub async fn retry(
    caller: Caller,
    State(state): State<NotifyState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<DeliveryView>), Problem> {
    caller.require_admin()?;
    let view = deliveries::retry(state.db(), &id).await?;
    state.wake.notify_one();
    Ok((StatusCode::ACCEPTED, Json(view)))
}
