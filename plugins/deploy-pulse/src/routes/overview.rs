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

/// Every project's metrics over the window, failing projects first
#[utoipa::path(
    get, path = "/overview",
    params(
        ("window" = Option<String>, Query, description = "7d, 30d or 90d (default 30d)"),
        ("until" = Option<String>, Query, description = "End of the window, RFC 3339 (default now)")
    ),
    responses(
        (status = 200, description = "The overview", body = Overview),
        (status = 400, description = "A query parameter is not valid (problem+json naming it)"),
        (status = 401, description = "Not signed in (problem+json)")
    )
)]
pub async fn show(
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
