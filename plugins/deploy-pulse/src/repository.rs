//! deploy-pulse's queries, through its sea-orm entities: recording events and observations, reading deployments
//! and projects back, and pruning what is older than the retention window.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait, TryInsertResult,
};
use temps_bundle_sdk::PluginEvent;
use temps_bundle_store::{Store, sea_orm, timestamp};

use crate::caps;
use crate::entity::{deployment, event, project};
use crate::lifecycle::{self, Deployment, Observation};

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
pub type Project = project::Model;

/// A deployment with how many events were stored for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub deployment: Deployment,
    pub event_count: i64,
}

/// What one pruning pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub events: u64,
    pub deployments: u64,
}

/// Stores `event` unless its id was stored before, and merges it into its deployment; one transaction.
pub async fn record_event(store: &Store, event: &PluginEvent, received_at: i64) -> Result<Recorded, DbErr> {
    let txn = store.begin_write().await?;
    let observation = lifecycle::from_event(event);
    let row = event::ActiveModel {
        event_id: Set(event.id.clone()),
        event_type: Set(caps::text(&event.event_type)),
        deployment_id: Set(observation.as_ref().map(|o| o.deployment_id)),
        project_id: Set(observation.as_ref().map(|o| o.project_id).or(event.project_id)),
        occurred_at: Set(timestamp::parse(&event.timestamp)),
        received_at: Set(received_at),
        payload: Set(caps::payload(event)),
        ..Default::default()
    };
    let inserted = event::Entity::insert(row)
        .on_conflict_do_nothing_on([event::Column::EventId])
        .exec_without_returning(&txn)
        .await?;
    if !matches!(inserted, TryInsertResult::Inserted(1..)) {
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
    let txn = store.begin_write().await?;
    let existing = project::Entity::find_by_id(project.project_id).one(&txn).await?;
    let change = upsert::<project::Entity>(&txn, existing.as_ref(), project.clone()).await?;
    txn.commit().await?;
    Ok(change)
}

/// Every known project: backfilled ones with their names, plus ids only seen in events, by id.
pub async fn projects(store: &Store) -> Result<Vec<Project>, DbErr> {
    let mut known = project::Entity::find().all(store.db()).await?;
    let seen: Vec<i64> = deployment::Entity::find()
        .select_only()
        .column(deployment::Column::ProjectId)
        .distinct()
        .into_tuple()
        .all(store.db())
        .await?;
    for project_id in seen {
        if !known.iter().any(|p| p.project_id == project_id) {
            known.push(unnamed(project_id));
        }
    }
    known.sort_by_key(|p| p.project_id);
    Ok(known)
}

/// One project as [`projects`] lists it (its backfilled row, else its id if a deployment names it), `None` when
/// nothing mentioned it; two primary-key/index lookups instead of the whole list.
pub async fn project(store: &Store, project_id: i64) -> Result<Option<Project>, DbErr> {
    if let Some(known) = project::Entity::find_by_id(project_id).one(store.db()).await? {
        return Ok(Some(known));
    }
    let seen: Option<i64> = deployment::Entity::find()
        .select_only()
        .column(deployment::Column::ProjectId)
        .filter(deployment::Column::ProjectId.eq(project_id))
        .into_tuple()
        .one(store.db())
        .await?;
    Ok(seen.map(unnamed))
}

/// A project only events mentioned (backfill gives the names).
fn unnamed(project_id: i64) -> Project {
    Project { project_id, name: format!("Project #{project_id}"), slug: String::new() }
}

/// Every deployment (the metrics look at whole histories; a dashboard's history is thousands of rows, not
/// millions), with environment names borrowed for display (see [`borrow_environment_names`]).
pub async fn all_deployments(store: &Store) -> Result<Vec<Deployment>, DbErr> {
    deployments_where(store, None).await
}

/// One project's deployments, whole history, by id (what [`all_deployments`] holds of it, read through the
/// `(project_id, deployment_id)` index).
pub async fn project_history(store: &Store, project_id: i64) -> Result<Vec<Deployment>, DbErr> {
    deployments_where(store, Some(project_id)).await
}

async fn deployments_where(store: &Store, project_id: Option<i64>) -> Result<Vec<Deployment>, DbErr> {
    let txn = store.db().begin().await?;
    let mut query = deployment::Entity::find().order_by_asc(deployment::Column::DeploymentId);
    if let Some(project_id) = project_id {
        query = query.filter(deployment::Column::ProjectId.eq(project_id));
    }
    let mut deployments = query.all(&txn).await?;
    borrow_environment_names(&txn, &mut deployments).await?;
    txn.commit().await?;
    Ok(deployments)
}

/// One project's deployments, newest (highest id) first, with ids below `before` when given. The rows and
/// their event counts are read in one transaction, so they come from the same snapshot of the file.
pub async fn project_deployments(
    store: &Store,
    project_id: i64,
    limit: u32,
    before: Option<i64>,
) -> Result<Vec<Listed>, DbErr> {
    let txn = store.db().begin().await?;
    let mut deployments = deployment::Entity::find()
        .filter(deployment::Column::ProjectId.eq(project_id))
        .filter(deployment::Column::DeploymentId.lt(before.unwrap_or(i64::MAX)))
        .order_by_desc(deployment::Column::DeploymentId)
        .limit(u64::from(limit))
        .all(&txn)
        .await?;
    borrow_environment_names(&txn, &mut deployments).await?;
    let ids: Vec<i64> = deployments.iter().map(|d| d.deployment_id).collect();
    let counts: HashMap<i64, i64> = event::Entity::find()
        .select_only()
        .column(event::Column::DeploymentId)
        .column_as(event::Column::Id.count(), "n")
        .filter(event::Column::DeploymentId.is_in(ids))
        .group_by(event::Column::DeploymentId)
        .into_tuple::<(i64, i64)>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    txn.commit().await?;
    Ok(deployments
        .into_iter()
        .map(|d| Listed { event_count: counts.get(&d.deployment_id).copied().unwrap_or(0), deployment: d })
        .collect())
}

/// Deletes events received before `cutoff` and deployments that happened before it (their creation, else
/// their first known lifecycle moment; see [`Deployment::at`]). Projects stay: they are names, not history.
pub async fn prune(store: &Store, cutoff: i64) -> Result<Pruned, DbErr> {
    let events = event::Entity::delete_many().filter(event::Column::ReceivedAt.lt(cutoff)).exec(store.db()).await?;
    let moments = [
        deployment::Column::CreatedAt,
        deployment::Column::SucceededAt,
        deployment::Column::FailedAt,
        deployment::Column::CancelledAt,
        deployment::Column::ReadyAt,
        deployment::Column::StartedAt,
    ]
    .map(Expr::col);
    let deployments = deployment::Entity::delete_many()
        .filter(Expr::expr(Func::coalesce(moments)).lt(cutoff))
        .exec(store.db())
        .await?;
    Ok(Pruned { events: events.rows_affected, deployments: deployments.rows_affected })
}

async fn merge_observation(txn: &impl ConnectionTrait, observation: &Observation) -> Result<Change, DbErr> {
    let existing = deployment::Entity::find_by_id(observation.deployment_id).one(txn).await?;
    let merged = lifecycle::merge(existing.as_ref(), observation);
    upsert::<deployment::Entity>(txn, existing.as_ref(), merged).await
}

/// Writes `row` over `existing` (its stored version, if any) unless they are equal.
async fn upsert<E>(txn: &impl ConnectionTrait, existing: Option<&E::Model>, row: E::Model) -> Result<Change, DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + PartialEq,
    E::ActiveModel: ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send,
{
    match existing {
        Some(stored) if *stored == row => Ok(Change::Unchanged),
        Some(_) => {
            row.into_active_model().reset_all().update(txn).await?;
            Ok(Change::Updated)
        }
        None => {
            row.into_active_model().reset_all().insert(txn).await?;
            Ok(Change::Inserted)
        }
    }
}

/// Rows without an environment name (backfill knows only ids) borrow the name an event gave another deployment
/// of the same environment. Display only: stored rows stay as observed, so a backfill does not rewrite them.
async fn borrow_environment_names(db: &impl ConnectionTrait, deployments: &mut [Deployment]) -> Result<(), DbErr> {
    let unnamed: Vec<i64> =
        deployments.iter().filter(|d| d.environment_name.is_none()).filter_map(|d| d.environment_id).collect();
    if unnamed.is_empty() {
        return Ok(());
    }
    let names: HashMap<i64, String> = deployment::Entity::find()
        .select_only()
        .column(deployment::Column::EnvironmentId)
        .column(deployment::Column::EnvironmentName)
        .filter(deployment::Column::EnvironmentId.is_in(unnamed))
        .filter(deployment::Column::EnvironmentName.is_not_null())
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for d in deployments.iter_mut().filter(|d| d.environment_name.is_none()) {
        d.environment_name = d.environment_id.and_then(|id| names.get(&id).cloned());
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use serde_json::json;
    use temps_bundle_sdk::protocol::DeploymentInfo;

    use sea_orm::PaginatorTrait;
    use sea_orm::QueryFilter;

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
        assert_eq!(event::Entity::find().count(store.db()).await.unwrap(), 2);
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

    /// `GET /projects/{id}` reads one project and its history instead of filtering the whole lists: the same rows.
    #[tokio::test]
    async fn one_project_and_its_history_are_what_the_whole_lists_hold_of_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        for (project_id, name) in [(1, "web"), (3, "docs")] {
            record_project(&store, &Project { project_id, name: name.into(), slug: name.into() }).await.unwrap();
        }
        // Project 2 is known from events only; deployment 21 (backfilled, unnamed) borrows "production" from
        // project 1's deployment 10 in environment 1; deployment 12's environment 2 has no name anywhere.
        record_event(&store, &event("a", "deployment.created", 10, json!({})), 1).await.unwrap();
        record_event(&store, &event("b", "deployment.failed", 11, json!({"project_id": 2})), 1).await.unwrap();
        let unnamed = |deployment_id, project_id, environment_id| Observation {
            deployment_id,
            project_id,
            environment_id: Some(environment_id),
            created_at: Some(deployment_id),
            ..Observation::default()
        };
        for observation in [unnamed(21, 2, 1), unnamed(12, 1, 2), unnamed(5, 1, 1)] {
            record_observation(&store, &observation).await.unwrap();
        }
        let (listed, all) = (projects(&store).await.unwrap(), all_deployments(&store).await.unwrap());
        for id in [1, 2, 3, 4] {
            let expected = listed.iter().find(|p| p.project_id == id).cloned();
            assert_eq!(project(&store, id).await.unwrap(), expected, "project {id}");
            let expected: Vec<Deployment> = all.iter().filter(|d| d.project_id == id).cloned().collect();
            assert_eq!(project_history(&store, id).await.unwrap(), expected, "project {id}'s history");
        }
        assert_eq!(project(&store, 2).await.unwrap().map(|p| p.name), Some("Project #2".into()));
        assert_eq!(project(&store, 4).await.unwrap(), None);
        let history = project_history(&store, 2).await.unwrap();
        let names: Vec<(i64, Option<&str>)> =
            history.iter().map(|d| (d.deployment_id, d.environment_name.as_deref())).collect();
        assert_eq!(names, [(11, Some("production")), (21, Some("production"))]);
        let ids: Vec<i64> = project_history(&store, 1).await.unwrap().iter().map(|d| d.deployment_id).collect();
        assert_eq!(ids, [5, 10, 12]);
    }

    #[tokio::test]
    async fn a_huge_event_is_stored_capped() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let huge = "x".repeat(4 << 20);
        let failed = event("big", "deployment.failed", 8, json!({"error_message": huge, "logs": huge}));
        assert_eq!(record_event(&store, &failed, 1).await.unwrap(), Recorded::Stored);
        let stored = event::Entity::find().one(store.db()).await.unwrap().unwrap();
        assert!(stored.payload.len() <= caps::MAX_PAYLOAD_BYTES, "payload of {} bytes", stored.payload.len());
        let payload: serde_json::Value = serde_json::from_str(&stored.payload).unwrap();
        assert_eq!((payload["id"].as_str(), payload["data"]["truncated"].as_bool()), (Some("big"), Some(true)));
        assert!(payload["data"]["bytes"].as_u64().unwrap() > 8 << 20, "{payload}");
        let row = deployment::Entity::find_by_id(8).one(store.db()).await.unwrap().unwrap();
        let message = row.error_message.unwrap();
        assert!(message.len() <= caps::MAX_TEXT_BYTES && message.starts_with("xxx"), "{} bytes", message.len());
        let small = event("small", "deployment.created", 8, json!({}));
        record_event(&store, &small, 1).await.unwrap();
        let stored = event::Entity::find().filter(event::Column::EventId.eq("small")).one(store.db()).await.unwrap();
        let payload: PluginEvent = serde_json::from_str(&stored.unwrap().payload).unwrap();
        assert_eq!(payload, small, "an event that fits is stored whole");
    }

    #[tokio::test]
    async fn rows_older_than_the_cutoff_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let day = timestamp::DAY_MS;
        let now = timestamp::parse("2026-06-01T00:00:00Z").unwrap();
        let at = |days_ago: i64| PluginEvent {
            timestamp: timestamp::format(now - days_ago * day),
            ..event(&format!("e{days_ago}"), "deployment.created", days_ago, json!({}))
        };
        for days_ago in [200, 91, 89, 1] {
            record_event(&store, &at(days_ago), now - days_ago * day).await.unwrap();
        }
        // A backfilled deployment known only by its outcome is dated by it.
        let finished = Observation {
            deployment_id: 500,
            project_id: 1,
            failed_at: Some(now - 120 * day),
            ..Observation::default()
        };
        record_observation(&store, &finished).await.unwrap();
        let pruned = prune(&store, timestamp::days_before(now, 90)).await.unwrap();
        assert_eq!(pruned, Pruned { events: 2, deployments: 3 });
        let left: Vec<i64> = all_deployments(&store).await.unwrap().iter().map(|d| d.deployment_id).collect();
        assert_eq!(left, [1, 89]);
        assert_eq!(event::Entity::find().count(store.db()).await.unwrap(), 2);
        assert_eq!(prune(&store, timestamp::days_before(now, 90)).await.unwrap(), Pruned::default());
    }
}
