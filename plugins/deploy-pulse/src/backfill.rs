//! Backfill: pull `list_projects` and each project's recent `list_deployments` over the platform channel and
//! merge them into the store, so the dashboard is useful on day one. Idempotent: a second run over the same host
//! data changes nothing (every row merges to itself).

use serde::Serialize;
use temps_bundle_sdk::channel::Temps;
use temps_bundle_store::Store;
use utoipa::ToSchema;

use crate::error::PulseError;
use crate::repository::{self, Change, Project};
use crate::{caps, lifecycle};

/// What one backfill did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct BackfillReport {
    pub projects: u32,
    pub deployments_seen: u32,
    pub inserted: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// Projects whose deployments could not be listed; the others were still backfilled.
    pub errors: Vec<ProjectFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProjectFailure {
    pub project_id: i64,
    pub message: String,
}

/// Runs one backfill asking for up to `limit` deployments per project.
pub async fn backfill(temps: &Temps, store: &Store, limit: u32) -> Result<BackfillReport, PulseError> {
    let projects = temps.list_projects().await.map_err(PulseError::ListProjects)?;
    let mut report = BackfillReport::default();
    for project in &projects {
        report.projects += 1;
        let row = Project {
            project_id: i64::from(project.id),
            name: caps::text(&project.name),
            slug: caps::text(&project.slug),
        };
        repository::record_project(store, &row).await?;
        let deployments = match temps.list_deployments(project.id, None, Some(u64::from(limit))).await {
            Ok(deployments) => deployments,
            Err(error) => {
                tracing::warn!(project_id = project.id, %error, "backfill: cannot list deployments");
                report.errors.push(ProjectFailure { project_id: i64::from(project.id), message: error.to_string() });
                continue;
            }
        };
        for deployment in &deployments {
            report.deployments_seen += 1;
            match repository::record_observation(store, &lifecycle::from_info(deployment)).await? {
                Change::Inserted => report.inserted += 1,
                Change::Updated => report.updated += 1,
                Change::Unchanged => report.unchanged += 1,
            }
        }
    }
    tracing::info!(?report, "backfill finished");
    Ok(report)
}
