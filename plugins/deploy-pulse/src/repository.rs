//! deploy-pulse's queries: recording events and observations, and reading deployments and projects back.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};
use temps_bundle_sdk::PluginEvent;
use temps_bundle_store::{Store, sea_orm};

use crate::lifecycle::{self, Deployment, Observation};
use crate::timestamp;

/// What recording one event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored (and merged into its deployment, if it names one).
    Stored,
    /// This event id was stored before: nothing changed.
    Duplicate,
}

/// What merging one observation (or project) did to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Inserted,
    Updated,
    Unchanged,
}

/// A row of the `projects` table.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Project {
    pub project_id: i64,
    pub name: String,
    pub slug: String,
}

/// A deployment with how many events were stored for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub deployment: Deployment,
    pub event_count: i64,
}

const DEPLOYMENT_COLUMNS: &str = "deployment_id, project_id, environment_id, environment_name, state, host_state, \
    branch, commit_sha, commit_message, commit_author, url, error_message, created_at, started_at, succeeded_at, \
    failed_at, cancelled_at, ready_at";

/// [`DEPLOYMENT_COLUMNS`] for display: a row without an environment name (backfill knows only ids) borrows the
/// name an event gave another deployment of the same environment. Never used for merging: stored rows stay as
/// observed, so a backfill does not rewrite them.
fn display_columns() -> String {
    DEPLOYMENT_COLUMNS.replace(
        "environment_name,",
        "COALESCE(d.environment_name, (SELECT n.environment_name FROM deployments n
             WHERE n.environment_id = d.environment_id AND n.environment_name IS NOT NULL LIMIT 1)) AS environment_name,",
    )
}

/// Stores `event` unless its id was stored before, and merges it into its deployment; one transaction.
pub async fn record_event(store: &Store, event: &PluginEvent, received_at: i64) -> Result<Recorded, DbErr> {
    let txn = store.begin_write().await?;
    let observation = lifecycle::from_event(event);
    let payload = serde_json::to_string(event).map_err(|e| DbErr::Custom(format!("cannot encode event: {e}")))?;
    let insert = statement(
        "INSERT INTO events (event_id, event_type, deployment_id, project_id, occurred_at, received_at, payload)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
        vec![
            event.id.clone().into(),
            event.event_type.clone().into(),
            observation.as_ref().map(|o| o.deployment_id).into(),
            observation.as_ref().map(|o| o.project_id).or(event.project_id).into(),
            timestamp::parse(&event.timestamp).into(),
            received_at.into(),
            payload.into(),
        ],
    );
    if txn.execute_raw(insert).await?.rows_affected() == 0 {
        txn.rollback().await?;
        return Ok(Recorded::Duplicate);
    }
    if let Some(observation) = observation {
        merge_observation(&txn, &observation).await?;
    }
    txn.commit().await?;
    Ok(Recorded::Stored)
}

/// Merges one backfilled observation into its deployment row, in its own write transaction.
pub async fn record_observation(store: &Store, observation: &Observation) -> Result<Change, DbErr> {
    let txn = store.begin_write().await?;
    let change = merge_observation(&txn, observation).await?;
    txn.commit().await?;
    Ok(change)
}

/// Inserts or renames a project.
pub async fn record_project(store: &Store, project: &Project) -> Result<Change, DbErr> {
    let existing = Project::find_by_statement(statement(
        "SELECT project_id, name, slug FROM projects WHERE project_id = ?",
        vec![project.project_id.into()],
    ))
    .one(store.db())
    .await?;
    if existing.as_ref() == Some(project) {
        return Ok(Change::Unchanged);
    }
    let upsert = statement(
        "INSERT INTO projects (project_id, name, slug) VALUES (?, ?, ?)
         ON CONFLICT (project_id) DO UPDATE SET name = excluded.name, slug = excluded.slug",
        vec![project.project_id.into(), project.name.clone().into(), project.slug.clone().into()],
    );
    store.db().execute_raw(upsert).await?;
    Ok(if existing.is_some() { Change::Updated } else { Change::Inserted })
}

/// Every known project: backfilled ones with their names, plus ids only seen in events.
pub async fn projects(store: &Store) -> Result<Vec<Project>, DbErr> {
    Project::find_by_statement(statement(
        "SELECT project_id, name, slug FROM projects
         UNION ALL
         SELECT DISTINCT project_id, 'Project #' || project_id, '' FROM deployments
         WHERE project_id NOT IN (SELECT project_id FROM projects)
         ORDER BY project_id",
        vec![],
    ))
    .all(store.db())
    .await
}

/// Every deployment (the metrics look at whole histories; a dashboard's history is thousands of rows, not millions).
pub async fn all_deployments(store: &Store) -> Result<Vec<Deployment>, DbErr> {
    Deployment::find_by_statement(statement(&format!("SELECT {} FROM deployments d", display_columns()), vec![]))
        .all(store.db())
        .await
}

/// One project's deployments, newest (highest id) first, with ids below `before` when given.
pub async fn project_deployments(
    store: &Store,
    project_id: i64,
    limit: u32,
    before: Option<i64>,
) -> Result<Vec<Listed>, DbErr> {
    let sql = format!(
        "SELECT {}, (SELECT COUNT(*) FROM events e WHERE e.deployment_id = d.deployment_id) AS event_count
         FROM deployments d WHERE d.project_id = ? AND d.deployment_id < ? ORDER BY d.deployment_id DESC LIMIT ?",
        display_columns()
    );
    let values = vec![project_id.into(), before.unwrap_or(i64::MAX).into(), i64::from(limit).into()];
    let rows = store.db().query_all_raw(statement(&sql, values)).await?;
    rows.iter()
        .map(|row| {
            Ok(Listed {
                deployment: Deployment::from_query_result(row, "")?,
                event_count: row.try_get("", "event_count")?,
            })
        })
        .collect()
}

async fn merge_observation(txn: &impl ConnectionTrait, observation: &Observation) -> Result<Change, DbErr> {
    let existing = Deployment::find_by_statement(statement(
        &format!("SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE deployment_id = ?"),
        vec![observation.deployment_id.into()],
    ))
    .one(txn)
    .await?;
    let merged = lifecycle::merge(existing.as_ref(), observation);
    if existing.as_ref() == Some(&merged) {
        return Ok(Change::Unchanged);
    }
    let d = merged;
    let upsert = statement(
        &format!(
            "INSERT OR REPLACE INTO deployments ({DEPLOYMENT_COLUMNS})
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ),
        vec![
            d.deployment_id.into(),
            d.project_id.into(),
            d.environment_id.into(),
            d.environment_name.into(),
            d.state.into(),
            d.host_state.into(),
            d.branch.into(),
            d.commit_sha.into(),
            d.commit_message.into(),
            d.commit_author.into(),
            d.url.into(),
            d.error_message.into(),
            d.created_at.into(),
            d.started_at.into(),
            d.succeeded_at.into(),
            d.failed_at.into(),
            d.cancelled_at.into(),
            d.ready_at.into(),
        ],
    );
    txn.execute_raw(upsert).await?;
    Ok(if existing.is_some() { Change::Updated } else { Change::Inserted })
}

fn statement(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use serde_json::json;
    use temps_bundle_sdk::protocol::DeploymentInfo;

    use super::*;
    use crate::schema::MIGRATIONS;

    pub(crate) async fn store(dir: &tempfile::TempDir) -> Store {
        Store::open(&dir.path().join("pulse.sqlite3"), MIGRATIONS).await.unwrap()
    }

    pub(crate) fn event(id: &str, event_type: &str, deployment_id: i64, data: serde_json::Value) -> PluginEvent {
        let mut map = json!({"deployment_id": deployment_id, "project_id": 1, "environment_id": 1, "environment_name": "production"});
        map.as_object_mut().unwrap().extend(data.as_object().unwrap().clone());
        PluginEvent {
            id: id.into(),
            event_type: event_type.into(),
            timestamp: "2026-03-04T16:05:00Z".into(),
            project_id: Some(1),
            data: map.as_object().unwrap().clone(),
        }
    }

    #[tokio::test]
    async fn events_are_stored_once_and_build_the_deployment() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let created = event("e1", "deployment.created", 7, json!({"branch": "main", "commit_sha": "abc"}));
        let failed = event("e2", "deployment.failed", 7, json!({"error_message": "boom"}));
        assert_eq!(record_event(&store, &created, 1).await.unwrap(), Recorded::Stored);
        assert_eq!(record_event(&store, &failed, 2).await.unwrap(), Recorded::Stored);
        assert_eq!(record_event(&store, &failed, 3).await.unwrap(), Recorded::Duplicate);
        let listed = project_deployments(&store, 1, 10, None).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].event_count, 2, "the duplicate was not stored");
        let d = &listed[0].deployment;
        assert_eq!(
            (d.state.as_str(), d.error_message.as_deref(), d.branch.as_deref()),
            ("failed", Some("boom"), Some("main"))
        );
        let count =
            store.db().query_one_raw(statement("SELECT COUNT(*) AS n FROM events", vec![])).await.unwrap().unwrap();
        assert_eq!(count.try_get::<i64>("", "n").unwrap(), 2);
    }

    #[tokio::test]
    async fn observations_report_what_changed_and_pages_go_backwards() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let info = |id: i32| DeploymentInfo {
            id,
            project_id: 1,
            environment_id: 1,
            state: "succeeded".into(),
            branch: None,
            tag: None,
            commit_sha: None,
            commit_message: None,
            commit_author: None,
            created_at: "2026-03-01T10:00:00Z".into(),
            started_at: None,
            finished_at: Some("2026-03-01T10:05:00Z".into()),
        };
        for id in 1..=5 {
            assert_eq!(record_observation(&store, &lifecycle::from_info(&info(id))).await.unwrap(), Change::Inserted);
        }
        assert_eq!(record_observation(&store, &lifecycle::from_info(&info(3))).await.unwrap(), Change::Unchanged);
        let first = project_deployments(&store, 1, 2, None).await.unwrap();
        assert_eq!(first.iter().map(|l| l.deployment.deployment_id).collect::<Vec<_>>(), [5, 4]);
        let next = project_deployments(&store, 1, 2, Some(4)).await.unwrap();
        assert_eq!(next.iter().map(|l| l.deployment.deployment_id).collect::<Vec<_>>(), [3, 2]);
        let project = Project { project_id: 1, name: "web".into(), slug: "web".into() };
        assert_eq!(record_project(&store, &project).await.unwrap(), Change::Inserted);
        assert_eq!(record_project(&store, &project).await.unwrap(), Change::Unchanged);
        record_event(&store, &event("x", "deployment.created", 50, json!({"project_id": 9})), 1).await.unwrap();
        let names: Vec<String> = projects(&store).await.unwrap().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["web", "Project #9"]);
        assert_eq!(all_deployments(&store).await.unwrap().len(), 6);
        record_event(&store, &event("named", "deployment.created", 60, json!({})), 1).await.unwrap();
        let listed = project_deployments(&store, 1, 10, None).await.unwrap();
        let backfilled = listed.iter().find(|l| l.deployment.deployment_id == 5).unwrap();
        assert_eq!(
            backfilled.deployment.environment_name.as_deref(),
            Some("production"),
            "borrowed from deployment 60"
        );
        assert_eq!(record_observation(&store, &lifecycle::from_info(&info(5))).await.unwrap(), Change::Unchanged);
    }
}
