//! `GET /projects/{id}` (one project's metrics, per-day counts, lead times, timeline) and
//! `GET /projects/{id}/deployments?limit=&before=` (its deployments, newest first, paged by id).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use temps_bundle_sdk::extract::Json;
use temps_bundle_sdk::{Caller, Problem};
use temps_bundle_store::timestamp;

use crate::error::PulseError;
use crate::lifecycle::Deployment;
use crate::params::{self, Params};
use crate::repository::{self, Project};
use crate::state::PulseState;
use crate::views::{self, DeploymentPage, ProjectDetail};

/// One project's metrics with per-day counts, lead times and the deployment timeline
#[utoipa::path(
    get, path = "/projects/{id}",
    params(
        ("id" = i64, Path, description = "A project id", minimum = 1),
        ("window" = Option<String>, Query, description = "7d, 30d or 90d (default 30d)"),
        ("until" = Option<String>, Query, description = "End of the window, RFC 3339 (default now)")
    ),
    responses(
        (status = 200, description = "The project over the window", body = ProjectDetail),
        (status = 400, description = "A parameter is not valid (problem+json naming it)"),
        (status = 404, description = "No event or backfill mentioned this project (problem+json)")
    )
)]
pub async fn detail(
    State(state): State<PulseState>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Json<ProjectDetail>, Problem> {
    caller.user()?;
    let query = params::query(query)?;
    let project_id = params::project_id(&id)?;
    let window = params::window(&query, timestamp::now_ms())?;
    let project = find(&state, project_id).await?;
    let history = repository::project_history(&state.store, project_id).await.map_err(PulseError::from)?;
    let own: Vec<&Deployment> = history.iter().collect();
    Ok(Json(views::project_detail(&project, &own, &window, &state.settings.current())))
}

/// One project's deployments, newest first, paged by id
#[utoipa::path(
    get, path = "/projects/{id}/deployments",
    params(
        ("id" = i64, Path, description = "A project id", minimum = 1),
        ("limit" = Option<u32>, Query, description = "Page size, 1–200 (default 50)"),
        ("before" = Option<i64>, Query, description = "Only deployments with smaller ids (the previous page's next_before)")
    ),
    responses(
        (status = 200, description = "One page", body = DeploymentPage),
        (status = 400, description = "A parameter is not valid (problem+json naming it)"),
        (status = 404, description = "No event or backfill mentioned this project (problem+json)")
    )
)]
pub async fn deployments(
    State(state): State<PulseState>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Json<DeploymentPage>, Problem> {
    caller.user()?;
    let query = params::query(query)?;
    let project_id = params::project_id(&id)?;
    let (limit, before) = (params::limit(&query)?, params::before(&query)?);
    find(&state, project_id).await?;
    let listed =
        repository::project_deployments(&state.store, project_id, limit, before).await.map_err(PulseError::from)?;
    Ok(Json(views::page(&listed, limit)))
}

async fn find(state: &PulseState, project_id: i64) -> Result<Project, PulseError> {
    repository::project(&state.store, project_id).await?.ok_or(PulseError::UnknownProject(project_id))
}
