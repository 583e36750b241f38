//! `POST /backfill` (admin): pull projects and recent deployments over the platform channel now.

use axum::extract::State;
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};

use crate::backfill::BackfillReport;
use crate::state::PulseState;

/// Pull projects and recent deployments over the platform channel now (admin; idempotent)
#[utoipa::path(
    post, path = "/backfill",
    responses(
        (status = 200, description = "What the backfill did", body = BackfillReport),
        (status = 403, description = "Not an admin (problem+json)"),
        (status = 502, description = "The platform channel failed (problem+json)")
    )
)]
pub async fn run(State(state): State<PulseState>, caller: Caller) -> Result<Json<BackfillReport>, Problem> {
    caller.require_admin()?;
    Ok(Json(state.run_backfill().await?))
}
