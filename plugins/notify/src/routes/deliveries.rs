//! `GET /deliveries` (any signed-in caller) and `POST /deliveries/{id}/retry` (admin).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};

use crate::deliveries::{self, DeliveryLog, DeliveryView, LogQuery};
use crate::state::NotifyState;

/// The delivery log, newest first
#[utoipa::path(
    get, path = "/deliveries", params(LogQuery),
    responses(
        (status = 200, description = "Newest first, filtered by target, status and limit", body = DeliveryLog),
        (status = 400, description = "A query parameter is not valid (problem+json)"),
        (status = 401, description = "Not signed in (problem+json)")
    )
)]
pub async fn log(
    caller: Caller,
    State(state): State<NotifyState>,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Json<DeliveryLog>, Problem> {
    caller.user()?;
    let Query(query) = query.map_err(|rejection| Problem::bad_request(rejection.body_text()))?;
    Ok(Json(DeliveryLog { deliveries: deliveries::log(state.db(), &query).await? }))
}

/// Send a delivered or dead delivery again
#[utoipa::path(
    post, path = "/deliveries/{id}/retry", params(("id" = String, Path, description = "The delivery id")),
    responses(
        (status = 202, description = "Pending again, with a fresh attempt budget", body = DeliveryView),
        (status = 404, description = "No such delivery (problem+json)"),
        (status = 409, description = "The delivery is still pending or sending (problem+json)")
    )
)]
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
