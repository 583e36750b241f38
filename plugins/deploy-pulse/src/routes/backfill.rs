//! `POST /backfill` (admin): pull projects and recent deployments over the platform channel now.

use axum::extract::State;
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};

use crate::backfill::BackfillReport;
use crate::state::PulseState;

pub async fn run(State(state): State<PulseState>, caller: Caller) -> Result<Json<BackfillReport>, Problem> {
    caller.require_admin()?;
    Ok(Json(state.run_backfill().await?))
}
