//! `GET|POST /targets`, `GET|PATCH|DELETE /targets/{id}`, `POST /targets/{id}/test`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};

use super::parse_id;
use crate::deliveries;
use crate::dispatch::test_event;
use crate::state::NotifyState;
use crate::targets::{self, Target, TargetInput};
use crate::worker;

pub async fn list(caller: Caller, State(state): State<NotifyState>) -> Result<Json<Value>, Problem> {
    caller.require_admin()?;
    let targets = targets::list(state.db()).await?;
    Ok(Json(json!({ "targets": targets })))
}

/// Creates a target; the answer is the only time its signing secret is shown.
pub async fn create(
    caller: Caller,
    State(state): State<NotifyState>,
    Json(input): Json<TargetInput>,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let user = caller.require_admin()?;
    let input = input.validate(&state.client).await?;
    let target = targets::create(state.db(), &input).await?;
    tracing::info!(target = target.id, user = %user.email, "notify target created");
    Ok((StatusCode::CREATED, Json(with_secret(&target))))
}

pub async fn read(
    caller: Caller,
    State(state): State<NotifyState>,
    Path(id): Path<String>,
) -> Result<Json<Target>, Problem> {
    caller.require_admin()?;
    Ok(Json(targets::get(state.db(), parse_id("target", &id)?).await?))
}

/// Applies a JSON merge patch to the target's fields (the secret cannot be changed).
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

pub async fn remove(
    caller: Caller,
    State(state): State<NotifyState>,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    caller.require_admin()?;
    targets::delete(state.db(), parse_id("target", &id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a test delivery now and answers with its outcome. The delivery is persisted first, so if this attempt
/// fails it is retried like any other.
pub async fn send_test(
    caller: Caller,
    State(state): State<NotifyState>,
    Path(id): Path<String>,
) -> Result<Json<deliveries::DeliveryView>, Problem> {
    caller.require_admin()?;
    let target = targets::get(state.db(), parse_id("target", &id)?).await?;
    let event = test_event(&target);
    let body = target.input.format.render(&event, true);
    let claimed = deliveries::enqueue_claimed_test(state.db(), &target, &event, &body).await?;
    let delivery_id = claimed.id.clone();
    worker::attempt(&state, claimed).await?;
    Ok(Json(deliveries::get(state.db(), &delivery_id).await?))
}

fn with_secret(target: &Target) -> Value {
    let mut body = serde_json::to_value(target).unwrap_or_else(|_| json!({}));
    if let Some(map) = body.as_object_mut() {
        map.insert("secret".to_owned(), Value::String(target.secret.clone()));
    }
    body
}
