//! `GET|POST /targets`, `GET|PATCH|DELETE /targets/{id}`, `POST /targets/{id}/test`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};

use super::parse_id;
use crate::deliveries::{self, DeliveryView};
use crate::dispatch::test_event;
use crate::state::NotifyState;
use crate::targets::{self, CreatedTarget, Target, TargetInput, TargetList};
use crate::worker;

/// List targets
#[utoipa::path(get, path = "/targets", responses((status = 200, description = "Oldest first, never with their secrets", body = TargetList)))]
pub async fn list(caller: Caller, State(state): State<NotifyState>) -> Result<Json<TargetList>, Problem> {
    caller.require_admin()?;
    Ok(Json(TargetList { targets: targets::list(state.db()).await? }))
}

/// Create a target (the answer shows its signing secret, once)
#[utoipa::path(
    post, path = "/targets", request_body = TargetInput,
    responses(
        (status = 201, description = "Created", body = CreatedTarget),
        (status = 422, description = "A field is not valid; `detail` starts with its name (problem+json)")
    )
)]
pub async fn create(
    caller: Caller,
    State(state): State<NotifyState>,
    Json(input): Json<TargetInput>,
) -> Result<(StatusCode, Json<CreatedTarget>), Problem> {
    let user = caller.require_admin()?;
    let input = input.validate(&state.client).await?;
    let target = targets::create(state.db(), &input).await?;
    tracing::info!(target = target.id, user = %user.email, "notify target created");
    let secret = target.secret.clone();
    Ok((StatusCode::CREATED, Json(CreatedTarget { target, secret })))
}

/// Read a target
#[utoipa::path(
    get, path = "/targets/{id}", params(("id" = String, Path, description = "The target id")),
    responses((status = 200, description = "The target", body = Target), (status = 404, description = "No such target (problem+json)"))
)]
pub async fn read(
    caller: Caller,
    State(state): State<NotifyState>,
    Path(id): Path<String>,
) -> Result<Json<Target>, Problem> {
    caller.require_admin()?;
    Ok(Json(targets::get(state.db(), parse_id("target", &id)?).await?))
}

/// Change a target (JSON merge patch of TargetInput; the secret cannot be changed)
#[utoipa::path(
    patch, path = "/targets/{id}", params(("id" = String, Path, description = "The target id")),
    request_body(content = Object, description = "A JSON merge patch of TargetInput's fields"),
    responses(
        (status = 200, description = "The changed target", body = Target),
        (status = 404, description = "No such target (problem+json)"),
        (status = 422, description = "A field is not valid (problem+json)")
    )
)]
pub async fn update(
    caller: Caller,
    State(state): State<NotifyState>,
    Path(id): Path<String>,
    Json(patch): Json<Value>,
) -> Result<Json<Target>, Problem> {
    caller.require_admin()?;
    let id = parse_id("target", &id)?;
    let current = targets::get(state.db(), id).await?;
    let input = current.input.patched(&patch)?.validate(&state.client).await?;
    Ok(Json(targets::update(state.db(), id, &input).await?))
}

/// Delete a target and its deliveries
#[utoipa::path(
    delete, path = "/targets/{id}", params(("id" = String, Path, description = "The target id")),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such target (problem+json)"))
)]
pub async fn remove(
    caller: Caller,
    State(state): State<NotifyState>,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    caller.require_admin()?;
    targets::delete(state.db(), parse_id("target", &id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Send a test delivery now and return its outcome
///
/// The delivery is persisted first, so if this attempt fails it is retried like any other.
#[utoipa::path(
    post, path = "/targets/{id}/test", params(("id" = String, Path, description = "The target id")),
    responses((status = 200, description = "The test delivery after its first attempt", body = DeliveryView), (status = 404, description = "No such target (problem+json)"))
)]
pub async fn send_test(
    caller: Caller,
    State(state): State<NotifyState>,
    Path(id): Path<String>,
) -> Result<Json<DeliveryView>, Problem> {
    caller.require_admin()?;
    let target = targets::get(state.db(), parse_id("target", &id)?).await?;
    let event = test_event(&target);
    let body = target.input.format.render(&event, true);
    let claimed = deliveries::enqueue_claimed_test(state.db(), &target, &event, &body).await?;
    let delivery_id = claimed.id.clone();
    worker::attempt(&state, claimed).await?;
    Ok(Json(deliveries::get(state.db(), &delivery_id).await?))
}
