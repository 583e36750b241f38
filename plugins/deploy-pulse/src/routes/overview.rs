//! `GET /overview?window=&until=`: every project's metrics over the window, failing projects first.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};
use temps_bundle_store::timestamp;

use crate::error::PulseError;
use crate::params::{self, Params};
use crate::repository;
use crate::state::PulseState;
use crate::views::{self, Overview};

pub async fn read(
    State(state): State<PulseState>,
    caller: Caller,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Overview>, Problem> {
    caller.user()?;
    let query = params::query(query)?;
    let window = params::window(&query, timestamp::now_ms())?;
    let projects = repository::projects(&state.store).await.map_err(PulseError::from)?;
    let deployments = repository::all_deployments(&state.store).await.map_err(PulseError::from)?;
    Ok(Json(views::overview(&projects, &deployments, &window, &state.settings.current())))
}
