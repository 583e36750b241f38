//! Submissions, the domain: queueing (by a deployment or by hand), the status machine (`queued → running →
//! submitted | nothing_changed | blocked | failed`, `interrupted` for runs a stopped process left), and the views.

use serde::Serialize;
use temps_bundle_crawl::CrawlConfig;
use temps_bundle_sdk::PluginEvent;
use temps_bundle_store::sea_orm::sea_query::Expr;
use temps_bundle_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select, Set,
};
use temps_bundle_store::timestamp;
use utoipa::ToSchema;

use crate::entity::{page, submission, submitted_url};
use crate::error::IndexNowError;
use crate::state::IndexNowState;

/// What a queued submission sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Pages that changed since their last submission.
    Changed,
    /// Every page found.
    All,
    /// Exactly these URLs (no discovery).
    Urls(Vec<String>),
}

/// Who asked.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub event_id: Option<String>,
    pub requested_by: Option<String>,
}

/// Where a submission is (the values this module and the worker store; the API describes them with this enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    Queued,
    Running,
    Submitted,
    /// Discovery found no page changed since its last submission.
    NothingChanged,
    /// No key, or the key file is not reachable: nothing was sent.
    Blocked,
    Failed,
    /// The process running it stopped (a restart finds it so).
    Interrupted,
}

/// What started a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionTrigger {
    /// A `deployment.succeeded` event.
    Deployment,
    /// `POST /submissions`.
    Manual,
}

/// What a submission sends: the stored name of a [`Mode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionMode {
    /// Pages that changed since their last submission.
    Changed,
    /// Every page found.
    All,
    /// Exactly the URLs asked for.
    Urls,
}

/// A submission as the API shows it. Times are RFC 3339.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Submission)]
pub struct SubmissionView {
    pub id: i64,
    /// The origin, e.g. `https://example.com`.
    pub site: String,
    pub start_url: String,
    #[schema(value_type = SubmissionTrigger)]
    pub trigger: String,
    #[schema(value_type = SubmissionMode)]
    pub mode: String,
    #[schema(value_type = SubmissionStatus)]
    pub status: String,
    /// Why it is blocked, failed or had nothing to send.
    pub reason: Option<String>,
    pub pages_found: i64,
    pub urls_submitted: i64,
    pub batches: i64,
    pub attempts: i64,
    pub last_status_code: Option<i64>,
    pub requested_by: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

impl From<submission::Model> for SubmissionView {
    fn from(row: submission::Model) -> Self {
        Self {
            id: row.id,
            site: row.site,
            start_url: row.start_url,
            trigger: row.trigger,
            mode: row.mode,
            status: row.status,
            reason: row.reason,
            pages_found: row.pages_found,
            urls_submitted: row.urls_submitted,
            batches: row.batches,
            attempts: row.attempts,
            last_status_code: row.last_status_code,
            requested_by: row.requested_by,
            created_at: timestamp::format(row.created_at),
            finished_at: row.finished_at.map(timestamp::format),
        }
    }
}

/// The answer of `GET /submissions`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmissionList {
    pub submissions: Vec<SubmissionView>,
}

/// The answer of `GET /submissions/{id}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmissionDetail {
    pub submission: SubmissionView,
    /// The URLs it sent.
    pub urls: Vec<String>,
}

/// The answer of `GET /suggestions`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestionList {
    pub suggestions: Vec<Suggestion>,
    /// A page not submitted for this many days is suggested (the `stale_days` setting).
    pub stale_days: u32,
}

/// A page suggested for (re)submission.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Suggestion {
    pub url: String,
    pub last_seen_at: String,
    pub last_submitted_at: Option<String>,
    /// `never submitted`, `changed since its last submission` or `not submitted for N days`.
    pub reason: String,
}

/// Queues a submission for `url`'s site.
pub async fn queue(
    state: &IndexNowState,
    url: &str,
    mode: Mode,
    origin: Origin,
) -> Result<submission::Model, IndexNowError> {
    let config = CrawlConfig::new(&state.member, url)
        .map_err(|e| IndexNowError::Invalid { field: "url", message: e.to_string() })?;
    let site = config.start.origin().ascii_serialization();
    let (mode_name, requested) = match &mode {
        Mode::Changed => ("changed", None),
        Mode::All => ("all", None),
        Mode::Urls(urls) => {
            validate_urls(&config.start, urls)?;
            (
                "urls",
                Some(
                    serde_json::to_string(urls)
                        .map_err(|e| IndexNowError::Corrupt { what: "urls", reason: e.to_string() })?,
                ),
            )
        }
    };
    let row = submission::ActiveModel {
        site: Set(site),
        start_url: Set(config.start.to_string()),
        trigger: Set(if origin.event_id.is_some() { "deployment" } else { "manual" }.to_owned()),
        event_id: Set(origin.event_id),
        mode: Set(mode_name.to_owned()),
        requested_urls: Set(requested),
        status: Set("queued".to_owned()),
        requested_by: Set(origin.requested_by),
        created_at: Set(timestamp::now_ms()),
        ..Default::default()
    }
    .insert(state.db())
    .await
    .map_err(IndexNowError::db("queue a submission"))?;
    state.wake.notify_one();
    Ok(row)
}

/// Queues a submission for a `deployment.succeeded` event the settings select (once per event id).
pub async fn queue_for_event(
    state: &IndexNowState,
    event: &PluginEvent,
) -> Result<Option<submission::Model>, IndexNowError> {
    if event.event_type != "deployment.succeeded" {
        return Ok(None);
    }
    let text = |key: &str| event.data.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let Some(url) = text("url").filter(|u| !u.trim().is_empty()) else { return Ok(None) };
    if !state.settings.current().submits_for(text("environment_name").as_deref()) {
        return Ok(None);
    }
    let seen = submission::Entity::find()
        .filter(submission::Column::EventId.eq(&event.id))
        .count(state.db())
        .await
        .map_err(IndexNowError::db("find an event's submission"))?;
    if seen > 0 {
        return Ok(None);
    }
    let origin = Origin { event_id: Some(event.id.clone()), requested_by: None };
    queue(state, &url, Mode::Changed, origin).await.map(Some)
}

/// Marks submissions a stopped process left `running` as `interrupted`.
pub async fn recover_interrupted(db: &impl ConnectionTrait) -> Result<u64, IndexNowError> {
    let result = submission::Entity::update_many()
        .col_expr(submission::Column::Status, Expr::value("interrupted"))
        .col_expr(submission::Column::Reason, Expr::value("the bundle stopped while this submission was running"))
        .col_expr(submission::Column::FinishedAt, Expr::value(timestamp::now_ms()))
        .filter(submission::Column::Status.eq("running"))
        .exec(db)
        .await
        .map_err(IndexNowError::db("mark interrupted submissions"))?;
    Ok(result.rows_affected)
}

/// The oldest queued submission (found through the `submissions_status` index, whatever the history).
pub async fn next_queued(db: &impl ConnectionTrait) -> Result<Option<submission::Model>, IndexNowError> {
    next_queued_query().one(db).await.map_err(IndexNowError::db("find the next queued submission"))
}

fn next_queued_query() -> Select<submission::Entity> {
    submission::Entity::find().filter(submission::Column::Status.eq("queued")).order_by_asc(submission::Column::Id)
}

/// Sets the status (and, for final ones, the reason and the finish time).
pub async fn set_status(
    db: &impl ConnectionTrait,
    id: i64,
    status: &str,
    reason: Option<&str>,
) -> Result<(), IndexNowError> {
    let mut update = submission::Entity::update_many()
        .col_expr(submission::Column::Status, Expr::value(status))
        .filter(submission::Column::Id.eq(id));
    if status != "running" {
        update = update.col_expr(submission::Column::FinishedAt, Expr::value(timestamp::now_ms()));
    }
    if let Some(reason) = reason {
        update = update.col_expr(submission::Column::Reason, Expr::value(reason));
    }
    update.exec(db).await.map_err(IndexNowError::db("set a submission's status"))?;
    Ok(())
}

/// Records counters as the run goes.
pub async fn set_counts(db: &impl ConnectionTrait, row: &submission::Model) -> Result<(), IndexNowError> {
    submission::Entity::update_many()
        .col_expr(submission::Column::PagesFound, Expr::value(row.pages_found))
        .col_expr(submission::Column::UrlsSubmitted, Expr::value(row.urls_submitted))
        .col_expr(submission::Column::Batches, Expr::value(row.batches))
        .col_expr(submission::Column::Attempts, Expr::value(row.attempts))
        .col_expr(submission::Column::LastStatusCode, Expr::value(row.last_status_code))
        .filter(submission::Column::Id.eq(row.id))
        .exec(db)
        .await
        .map_err(IndexNowError::db("count a submission"))?;
    Ok(())
}

/// Submissions, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    site: Option<&str>,
    limit: u64,
) -> Result<Vec<SubmissionView>, IndexNowError> {
    let mut query = submission::Entity::find().order_by_desc(submission::Column::Id).limit(limit);
    if let Some(site) = site {
        query = query.filter(submission::Column::Site.eq(site.trim_end_matches('/')));
    }
    let rows = query.all(db).await.map_err(IndexNowError::db("list submissions"))?;
    Ok(rows.into_iter().map(SubmissionView::from).collect())
}

/// One submission and the URLs it sent.
pub async fn detail(db: &impl ConnectionTrait, id: i64) -> Result<(SubmissionView, Vec<String>), IndexNowError> {
    let row = submission::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(IndexNowError::db("read a submission"))?
        .ok_or_else(|| IndexNowError::NotFound { what: "submission", id: id.to_string() })?;
    let urls = submitted_url::Entity::find()
        .select_only()
        .column(submitted_url::Column::Url)
        .filter(submitted_url::Column::SubmissionId.eq(id))
        .order_by_asc(submitted_url::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(IndexNowError::db("read submitted URLs"))?;
    Ok((row.into(), urls))
}

/// Pages worth submitting: never submitted, changed since, or not submitted for `stale_days`.
pub async fn suggestions(
    db: &impl ConnectionTrait,
    site: Option<&str>,
    stale_days: u32,
) -> Result<Vec<Suggestion>, IndexNowError> {
    let mut query = page::Entity::find().order_by_asc(page::Column::Url);
    if let Some(site) = site {
        query = query.filter(page::Column::Site.eq(site.trim_end_matches('/')));
    }
    let pages = query.all(db).await.map_err(IndexNowError::db("read pages"))?;
    let stale_before = timestamp::now_ms() - i64::from(stale_days) * timestamp::DAY_MS;
    Ok(pages
        .into_iter()
        .filter_map(|p| {
            let reason = match p.last_submitted_at {
                None => "never submitted".to_owned(),
                Some(_) if crate::changes::changed(&p) => "changed since its last submission".to_owned(),
                Some(at) if at < stale_before => format!("not submitted for more than {stale_days} days"),
                Some(_) => return None,
            };
            Some(Suggestion {
                url: p.url,
                last_seen_at: timestamp::format(p.last_seen_at),
                last_submitted_at: p.last_submitted_at.map(timestamp::format),
                reason,
            })
        })
        .collect())
}

fn validate_urls(start: &temps_bundle_crawl::Url, urls: &[String]) -> Result<(), IndexNowError> {
    if urls.is_empty() {
        return Err(IndexNowError::Invalid { field: "urls", message: "name at least one URL".into() });
    }
    for (i, url) in urls.iter().enumerate() {
        let parsed = temps_bundle_crawl::Url::parse(url)
            .map_err(|e| IndexNowError::Invalid { field: "urls", message: format!("urls[{i}] {url:?}: {e}") })?;
        if !temps_bundle_crawl::same_origin(&parsed, start) {
            let message = format!("urls[{i}] {url:?} is not on {}", start.origin().ascii_serialization());
            return Err(IndexNowError::Invalid { field: "urls", message });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use temps_bundle_store::Store;
    use temps_bundle_store::sea_orm::{DbBackend, QueryTrait, Statement};

    use super::*;

    #[tokio::test]
    async fn the_next_queued_submission_is_found_through_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("indexnow.sqlite3"), crate::schema::MIGRATIONS).await.unwrap();
        let query = next_queued_query().limit(1).build(DbBackend::Sqlite);
        let explain = Statement::from_sql_and_values(
            DbBackend::Sqlite,
            format!("EXPLAIN QUERY PLAN {}", query.sql),
            query.values.map(|v| v.0).unwrap_or_default(),
        );
        let plan: Vec<String> = store
            .db()
            .query_all_raw(explain)
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get::<String>("", "detail").unwrap())
            .collect();
        assert_eq!(plan, ["SEARCH submissions USING INDEX submissions_status (status=?)"], "{plan:?}");
    }
}
