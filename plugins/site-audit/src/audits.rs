//! Audits, the write side: queueing (by hand or by a deployment), the status machine
//! (`queued → running → completed | cancelled | failed`, and `interrupted` for audits a stopped process left
//! running), and recording what the crawler reports as it reports it.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use temps_bundle_crawl::{CrawlConfig, PageReport};
use temps_bundle_sdk::PluginEvent;
use temps_bundle_store::timestamp;

use crate::checks::{self, Finding};
use crate::entity::{audit, finding, link, page};
use crate::error::AuditError;
use crate::state::AuditState;

/// Statuses in which an audit holds its site.
pub const ACTIVE: [&str; 2] = ["queued", "running"];

/// What started an audit.
#[derive(Debug, Clone, Default)]
pub struct Trigger {
    pub event_id: Option<String>,
    pub project_id: Option<i64>,
    pub environment: Option<String>,
    pub requested_by: Option<String>,
}

/// Queues an audit of `url`. Refused (409) while an audit of the same site is queued or running.
pub async fn queue(state: &AuditState, url: &str, trigger: Trigger) -> Result<audit::Model, AuditError> {
    let config = CrawlConfig::new(&state.member, url)
        .map_err(|e| AuditError::Invalid { field: "url", message: e.to_string() })?;
    let site = config.start.origin().ascii_serialization();
    let txn = state.store.begin_write().await.map_err(AuditError::db("begin queueing an audit"))?;
    let active = audit::Entity::find()
        .filter(audit::Column::Site.eq(&site))
        .filter(audit::Column::Status.is_in(ACTIVE))
        .one(&txn)
        .await
        .map_err(AuditError::db("find active audits"))?;
    if let Some(active) = active {
        return Err(AuditError::Conflict(format!(
            "audit {} of {site} is {}; one audit per site at a time (cancel it first)",
            active.id, active.status
        )));
    }
    let row = audit::ActiveModel {
        site: Set(site),
        start_url: Set(config.start.to_string()),
        trigger: Set(if trigger.event_id.is_some() { "deployment" } else { "manual" }.to_owned()),
        event_id: Set(trigger.event_id),
        project_id: Set(trigger.project_id),
        environment: Set(trigger.environment),
        status: Set("queued".to_owned()),
        requested_by: Set(trigger.requested_by),
        created_at: Set(timestamp::now_ms()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(AuditError::db("queue an audit"))?;
    txn.commit().await.map_err(AuditError::db("commit a queued audit"))?;
    state.wake.notify_one();
    Ok(row)
}

/// Queues an audit for a `deployment.succeeded` event the settings select; `None` when the event is not one, the
/// environment is not audited, the event was seen before, or its site is already being audited.
pub async fn queue_for_event(state: &AuditState, event: &PluginEvent) -> Result<Option<audit::Model>, AuditError> {
    if event.event_type != "deployment.succeeded" {
        return Ok(None);
    }
    let text = |key: &str| event.data.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let (url, environment) = (text("url"), text("environment_name"));
    let Some(url) = url.filter(|u| !u.trim().is_empty()) else { return Ok(None) };
    if !state.settings.current().audits_environment(environment.as_deref()) {
        return Ok(None);
    }
    let seen = audit::Entity::find()
        .filter(audit::Column::EventId.eq(&event.id))
        .count(state.db())
        .await
        .map_err(AuditError::db("find an event's audit"))?;
    if seen > 0 {
        return Ok(None);
    }
    let project_id = event.project_id.or_else(|| event.data.get("project_id").and_then(|v| v.as_i64()));
    let trigger = Trigger { event_id: Some(event.id.clone()), project_id, environment, requested_by: None };
    match queue(state, &url, trigger).await {
        Ok(row) => Ok(Some(row)),
        Err(AuditError::Conflict(reason)) => {
            tracing::info!(event_id = %event.id, %reason, "not auditing this deployment");
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// Marks audits a stopped process left `running` as `interrupted`; returns how many.
pub async fn recover_interrupted(db: &impl ConnectionTrait) -> Result<u64, AuditError> {
    let result = audit::Entity::update_many()
        .col_expr(audit::Column::Status, Expr::value("interrupted"))
        .col_expr(audit::Column::Error, Expr::value("the bundle stopped while this audit was running"))
        .col_expr(audit::Column::FinishedAt, Expr::value(timestamp::now_ms()))
        .filter(audit::Column::Status.eq("running"))
        .exec(db)
        .await
        .map_err(AuditError::db("mark interrupted audits"))?;
    Ok(result.rows_affected)
}

/// Cancels a queued or running audit.
pub async fn cancel(state: &AuditState, id: i64) -> Result<audit::Model, AuditError> {
    let row = find(state.db(), id).await?;
    match row.status.as_str() {
        "queued" => {
            set_status(state.db(), id, "cancelled", Some("cancelled before it started"), None).await?;
        }
        "running" if state.cancel_running(id) => {}
        // Running in no process (the one that ran it is gone): it is interrupted, not running.
        "running" => set_status(state.db(), id, "interrupted", Some("no process is running this audit"), None).await?,
        other => {
            return Err(AuditError::Conflict(format!(
                "audit {id} is {other}; only queued or running audits can be cancelled"
            )));
        }
    }
    find(state.db(), id).await
}

/// The oldest queued audit whose site is not in `busy`.
pub async fn next_queued(db: &impl ConnectionTrait, busy: &[String]) -> Result<Option<audit::Model>, AuditError> {
    audit::Entity::find()
        .filter(audit::Column::Status.eq("queued"))
        .filter(audit::Column::Site.is_not_in(busy.iter().cloned()))
        .order_by_asc(audit::Column::Id)
        .one(db)
        .await
        .map_err(AuditError::db("find the next queued audit"))
}

/// `queued → running`; `false` when the audit was cancelled in between.
pub async fn start(db: &impl ConnectionTrait, id: i64) -> Result<bool, AuditError> {
    let result = audit::Entity::update_many()
        .col_expr(audit::Column::Status, Expr::value("running"))
        .col_expr(audit::Column::StartedAt, Expr::value(timestamp::now_ms()))
        .filter(audit::Column::Id.eq(id))
        .filter(audit::Column::Status.eq("queued"))
        .exec(db)
        .await
        .map_err(AuditError::db("start an audit"))?;
    Ok(result.rows_affected == 1)
}

/// Records one crawled page: the page, its internal links and its own findings, in one transaction.
pub async fn record_page(state: &AuditState, id: i64, report: &PageReport, https_site: bool) -> Result<(), AuditError> {
    let txn = state.db().begin().await.map_err(AuditError::db("begin recording a page"))?;
    let html = report.html.as_ref();
    let redirects = serde_json::to_string(&report.redirects)
        .map_err(|e| AuditError::Corrupt { what: "redirects", reason: e.to_string() })?;
    let row = page::ActiveModel {
        audit_id: Set(id),
        url: Set(report.url.clone()),
        depth: Set(i64::from(report.depth)),
        found_on: Set(report.found_on.clone()),
        in_sitemap: Set(report.in_sitemap),
        status: Set(report.status.map(i64::from)),
        failure: Set(report.failure.as_ref().map(|f| f.message.clone())),
        final_url: Set(report.final_url.clone()),
        redirects: Set(redirects),
        content_type: Set(report.content_type.clone()),
        bytes: Set(i64::try_from(report.bytes).unwrap_or(i64::MAX)),
        truncated: Set(report.truncated),
        elapsed_ms: Set(i64::try_from(report.elapsed_ms).unwrap_or(i64::MAX)),
        title: Set(html.and_then(|h| h.title.clone())),
        description: Set(html.and_then(|h| h.description.clone())),
        h1_count: Set(html.map(|h| i64::try_from(h.h1.len()).unwrap_or(i64::MAX))),
        canonical: Set(html.and_then(|h| h.canonical.clone())),
        lang: Set(html.and_then(|h| h.lang.clone())),
        noindex: Set(report.noindex()),
        ..Default::default()
    };
    page::Entity::insert(row)
        .on_conflict_do_nothing_on([page::Column::AuditId, page::Column::Url])
        .exec(&txn)
        .await
        .map_err(AuditError::db("record a page"))?;
    let links: Vec<link::ActiveModel> = report
        .internal_links
        .iter()
        .map(|to| link::ActiveModel {
            audit_id: Set(id),
            from_url: Set(report.url.clone()),
            to_url: Set(to.clone()),
            ..Default::default()
        })
        .collect();
    if !links.is_empty() {
        link::Entity::insert_many(links).exec(&txn).await.map_err(AuditError::db("record links"))?;
    }
    insert_findings(&txn, id, checks::page_findings(report, https_site)).await?;
    audit::Entity::update_many()
        .col_expr(audit::Column::Pages, Expr::col(audit::Column::Pages).add(1))
        .filter(audit::Column::Id.eq(id))
        .exec(&txn)
        .await
        .map_err(AuditError::db("count a page"))?;
    txn.commit().await.map_err(AuditError::db("commit a page"))
}

/// Records a URL robots.txt disallows; it is a finding only when the sitemap lists it.
pub async fn record_disallowed(state: &AuditState, id: i64, url: &str, in_sitemap: bool) -> Result<(), AuditError> {
    let Some(kind) = checks::kind("sitemap_disallowed").filter(|_| in_sitemap) else { return Ok(()) };
    let detail = "listed in the sitemap, disallowed by robots.txt (not crawled)".to_owned();
    insert_findings(state.db(), id, vec![Finding { kind, url: url.to_owned(), detail }]).await
}

/// Ends an audit: broken-link findings (now that every referrer is known), the finding count, the final status.
pub async fn finish(state: &AuditState, id: i64, status: &str, stop_reason: &str) -> Result<(), AuditError> {
    let failed = page::Entity::find()
        .filter(page::Column::AuditId.eq(id))
        .filter(Condition::any().add(page::Column::Status.gte(400)).add(page::Column::Failure.is_not_null()))
        .all(state.db())
        .await
        .map_err(AuditError::db("find failed pages"))?;
    let mut found = Vec::new();
    for page in failed {
        let referrers: Vec<String> = link::Entity::find()
            .select_only()
            .column(link::Column::FromUrl)
            .distinct()
            .filter(link::Column::AuditId.eq(id))
            .filter(link::Column::ToUrl.eq(&page.url))
            .order_by_asc(link::Column::FromUrl)
            .into_tuple()
            .all(state.db())
            .await
            .map_err(AuditError::db("find referrers"))?;
        found.extend(checks::broken_link(&page.url, page.status, page.failure.as_deref(), &referrers));
    }
    insert_findings(state.db(), id, found).await?;
    let findings = finding::Entity::find()
        .filter(finding::Column::AuditId.eq(id))
        .count(state.db())
        .await
        .map_err(AuditError::db("count findings"))?;
    audit::Entity::update_many()
        .col_expr(audit::Column::Findings, Expr::value(i64::try_from(findings).unwrap_or(i64::MAX)))
        .filter(audit::Column::Id.eq(id))
        .exec(state.db())
        .await
        .map_err(AuditError::db("count findings"))?;
    set_status(state.db(), id, status, None, Some(stop_reason)).await
}

/// Marks an audit failed with `error`.
pub async fn fail(db: &impl ConnectionTrait, id: i64, error: &str) -> Result<(), AuditError> {
    set_status(db, id, "failed", Some(error), None).await
}

/// Deletes the oldest finished audits of `site` beyond `keep`.
pub async fn prune(db: &impl ConnectionTrait, site: &str, keep: u32) -> Result<u64, AuditError> {
    let finished: Vec<i64> = audit::Entity::find()
        .select_only()
        .column(audit::Column::Id)
        .filter(audit::Column::Site.eq(site))
        .filter(audit::Column::Status.is_not_in(ACTIVE))
        .order_by_desc(audit::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .map_err(AuditError::db("find old audits"))?;
    // SQLite has no OFFSET without LIMIT; a site has few finished audits, so skip the kept ones here.
    let old: Vec<i64> = finished.into_iter().skip(usize::try_from(keep).unwrap_or(usize::MAX)).collect();
    if old.is_empty() {
        return Ok(0);
    }
    let result = audit::Entity::delete_many()
        .filter(audit::Column::Id.is_in(old))
        .exec(db)
        .await
        .map_err(AuditError::db("delete old audits"))?;
    Ok(result.rows_affected)
}

pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<audit::Model, AuditError> {
    audit::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(AuditError::db("read an audit"))?
        .ok_or_else(|| AuditError::NotFound { what: "audit", id: id.to_string() })
}

async fn insert_findings(db: &impl ConnectionTrait, id: i64, found: Vec<Finding>) -> Result<(), AuditError> {
    if found.is_empty() {
        return Ok(());
    }
    let rows = found.into_iter().map(|f| finding::ActiveModel {
        audit_id: Set(id),
        kind: Set(f.kind.kind.to_owned()),
        severity: Set(f.kind.severity.as_str().to_owned()),
        url: Set(f.url),
        detail: Set(f.detail),
        hint: Set(f.kind.hint.to_owned()),
        ..Default::default()
    });
    finding::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([finding::Column::AuditId, finding::Column::Kind, finding::Column::Url])
        .exec(db)
        .await
        .map_err(AuditError::db("record findings"))?;
    Ok(())
}

async fn set_status(
    db: &impl ConnectionTrait,
    id: i64,
    status: &str,
    error: Option<&str>,
    stop_reason: Option<&str>,
) -> Result<(), AuditError> {
    let mut update = audit::Entity::update_many()
        .col_expr(audit::Column::Status, Expr::value(status))
        .col_expr(audit::Column::FinishedAt, Expr::value(timestamp::now_ms()))
        .filter(audit::Column::Id.eq(id));
    if let Some(error) = error {
        update = update.col_expr(audit::Column::Error, Expr::value(error));
    }
    if let Some(stop_reason) = stop_reason {
        update = update.col_expr(audit::Column::StopReason, Expr::value(stop_reason));
    }
    update.exec(db).await.map_err(AuditError::db("set an audit's status"))?;
    Ok(())
}
