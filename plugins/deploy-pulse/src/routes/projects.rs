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

pub async fn read(
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
    let deployments = repository::all_deployments(&state.store).await.map_err(PulseError::from)?;
    let own: Vec<&Deployment> = deployments.iter().filter(|d| d.project_id == project_id).collect();
    Ok(Json(views::project_detail(&project, &own, &window, &state.settings.current())))
}

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
    let projects = repository::projects(&state.store).await?;
    projects.into_iter().find(|p| p.project_id == project_id).ok_or(PulseError::UnknownProject(project_id))
}
