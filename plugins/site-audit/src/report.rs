//! Reports, the read side: audits as the API shows them, findings grouped by kind with what is new and what was
//! fixed since the previous completed audit of the same site, pages, one page's detail, the JSON export.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use temps_bundle_crawl::{RedirectHop, StopReason};
use temps_bundle_store::timestamp;
use utoipa::ToSchema;

use crate::audits::find;
use crate::checks::{self, Severity};
use crate::entity::{audit, finding, link, page};
use crate::error::AuditError;

/// Where an audit is in its life (the values `audits` stores; the API describes them with this enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditStatus {
    Queued,
    Running,
    Completed,
    Cancelled,
    Failed,
    /// The process running it stopped (a restart finds it so).
    Interrupted,
}

/// What started an audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditTrigger {
    /// `POST /audits`.
    Manual,
    /// A `deployment.succeeded` event.
    Deployment,
}

/// An audit as the API shows it. Times are RFC 3339.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Audit)]
pub struct AuditView {
    pub id: i64,
    /// The origin audited, e.g. `https://example.com`.
    pub site: String,
    pub start_url: String,
    #[schema(value_type = AuditTrigger)]
    pub trigger: String,
    pub project_id: Option<i64>,
    pub environment: Option<String>,
    #[schema(value_type = AuditStatus)]
    pub status: String,
    /// Why the crawl ended, once it has.
    #[schema(value_type = Option<StopReason>)]
    pub stop_reason: Option<String>,
    pub error: Option<String>,
    pub pages: i64,
    pub findings: i64,
    pub requested_by: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

/// The answer of `GET /audits`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditList {
    pub audits: Vec<AuditView>,
}

impl From<audit::Model> for AuditView {
    fn from(row: audit::Model) -> Self {
        Self {
            id: row.id,
            site: row.site,
            start_url: row.start_url,
            trigger: row.trigger,
            project_id: row.project_id,
            environment: row.environment,
            status: row.status,
            stop_reason: row.stop_reason,
            error: row.error,
            pages: row.pages,
            findings: row.findings,
            requested_by: row.requested_by,
            created_at: timestamp::format(row.created_at),
            started_at: row.started_at.map(timestamp::format),
            finished_at: row.finished_at.map(timestamp::format),
        }
    }
}

/// One finding; `new` when the previous completed audit of the site did not have it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Finding)]
pub struct FindingView {
    pub kind: String,
    #[schema(value_type = Severity)]
    pub severity: String,
    pub url: String,
    pub detail: String,
    pub hint: String,
    pub new: bool,
}

/// The findings of one kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindGroup {
    pub kind: String,
    #[schema(value_type = Severity)]
    pub severity: String,
    pub hint: String,
    pub count: usize,
    pub new: usize,
    pub findings: Vec<FindingView>,
}

/// An audit's report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub audit: AuditView,
    /// The completed audit of the same site this one is compared with; `None` for a site's first audit.
    pub previous_audit_id: Option<i64>,
    pub groups: Vec<KindGroup>,
    pub new: usize,
    /// Findings of the previous audit that this one no longer has.
    pub fixed: Vec<FindingView>,
}

/// A page as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Page)]
pub struct PageView {
    pub url: String,
    pub depth: i64,
    pub found_on: Option<String>,
    pub in_sitemap: bool,
    pub status: Option<i64>,
    pub failure: Option<String>,
    pub final_url: String,
    /// The redirect hops followed to reach `final_url`, in order.
    pub redirects: Vec<RedirectHop>,
    pub content_type: Option<String>,
    pub bytes: i64,
    pub truncated: bool,
    pub elapsed_ms: i64,
    pub title: Option<String>,
    pub description: Option<String>,
    pub h1_count: Option<i64>,
    pub canonical: Option<String>,
    pub lang: Option<String>,
    pub noindex: bool,
}

impl From<page::Model> for PageView {
    fn from(row: page::Model) -> Self {
        Self {
            // Written by `audits` from the crawler's hops; a row that does not parse shows none.
            redirects: serde_json::from_str(&row.redirects).unwrap_or_default(),
            url: row.url,
            depth: row.depth,
            found_on: row.found_on,
            in_sitemap: row.in_sitemap,
            status: row.status,
            failure: row.failure,
            final_url: row.final_url,
            content_type: row.content_type,
            bytes: row.bytes,
            truncated: row.truncated,
            elapsed_ms: row.elapsed_ms,
            title: row.title,
            description: row.description,
            h1_count: row.h1_count,
            canonical: row.canonical,
            lang: row.lang,
            noindex: row.noindex,
        }
    }
}

/// The answer of `GET /audits/{id}/pages`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageList {
    pub pages: Vec<PageView>,
}

/// One page with its findings and its links in and out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageDetail {
    pub page: PageView,
    pub findings: Vec<FindingView>,
    pub linked_from: Vec<String>,
    pub links_to: Vec<String>,
}

/// Audits, newest first, optionally of one site.
pub async fn list(db: &impl ConnectionTrait, site: Option<&str>, limit: u64) -> Result<Vec<AuditView>, AuditError> {
    let mut query = audit::Entity::find().order_by_desc(audit::Column::Id).limit(limit);
    if let Some(site) = site {
        query = query.filter(audit::Column::Site.eq(site.trim_end_matches('/')));
    }
    let rows = query.all(db).await.map_err(AuditError::db("list audits"))?;
    Ok(rows.into_iter().map(AuditView::from).collect())
}

/// The report of audit `id`, grouped by kind (the order of [`checks::KINDS`]: errors first).
pub async fn report(db: &impl ConnectionTrait, id: i64) -> Result<Report, AuditError> {
    let audit = find(db, id).await?;
    let previous = previous_completed(db, &audit).await?;
    let previous_findings = match previous {
        Some(previous) => findings_of(db, previous).await?,
        None => Vec::new(),
    };
    let current = findings_of(db, id).await?;
    let before: HashSet<(&str, &str)> = previous_findings.iter().map(|f| (f.kind.as_str(), f.url.as_str())).collect();
    let now: HashSet<(&str, &str)> = current.iter().map(|f| (f.kind.as_str(), f.url.as_str())).collect();
    let view = |f: &finding::Model, new: bool| FindingView {
        kind: f.kind.clone(),
        severity: f.severity.clone(),
        url: f.url.clone(),
        detail: f.detail.clone(),
        hint: f.hint.clone(),
        new,
    };
    let is_new = |f: &finding::Model| previous.is_some() && !before.contains(&(f.kind.as_str(), f.url.as_str()));
    let groups: Vec<KindGroup> = checks::KINDS
        .iter()
        .filter_map(|kind| {
            let findings: Vec<FindingView> =
                current.iter().filter(|f| f.kind == kind.kind).map(|f| view(f, is_new(f))).collect();
            (!findings.is_empty()).then(|| KindGroup {
                kind: kind.kind.to_owned(),
                severity: kind.severity.as_str().to_owned(),
                hint: kind.hint.to_owned(),
                count: findings.len(),
                new: findings.iter().filter(|f| f.new).count(),
                findings,
            })
        })
        .collect();
    let fixed = previous_findings
        .iter()
        .filter(|f| !now.contains(&(f.kind.as_str(), f.url.as_str())))
        .map(|f| view(f, false))
        .collect();
    Ok(Report {
        new: groups.iter().map(|g| g.new).sum(),
        audit: audit.into(),
        previous_audit_id: previous,
        groups,
        fixed,
    })
}

/// The pages of audit `id` in crawl order.
pub async fn pages(db: &impl ConnectionTrait, id: i64) -> Result<Vec<PageView>, AuditError> {
    find(db, id).await?;
    let rows = page::Entity::find()
        .filter(page::Column::AuditId.eq(id))
        .order_by_asc(page::Column::Id)
        .all(db)
        .await
        .map_err(AuditError::db("list pages"))?;
    Ok(rows.into_iter().map(PageView::from).collect())
}

/// One page of audit `id`.
pub async fn page_detail(db: &impl ConnectionTrait, id: i64, url: &str) -> Result<PageDetail, AuditError> {
    let row = page::Entity::find()
        .filter(page::Column::AuditId.eq(id))
        .filter(page::Column::Url.eq(url))
        .one(db)
        .await
        .map_err(AuditError::db("read a page"))?
        .ok_or_else(|| AuditError::NotFound { what: "page", id: url.to_owned() })?;
    let report = report(db, id).await?;
    let findings = report.groups.into_iter().flat_map(|g| g.findings).filter(|f| f.url == url).collect();
    let links = |column: link::Column, filter: link::Column| {
        link::Entity::find()
            .select_only()
            .column(column)
            .distinct()
            .filter(link::Column::AuditId.eq(id))
            .filter(filter.eq(url))
            .order_by_asc(column)
            .into_tuple::<String>()
            .all(db)
    };
    let linked_from = links(link::Column::FromUrl, link::Column::ToUrl).await.map_err(AuditError::db("read links"))?;
    let links_to = links(link::Column::ToUrl, link::Column::FromUrl).await.map_err(AuditError::db("read links"))?;
    Ok(PageDetail { page: row.into(), findings, linked_from, links_to })
}

/// The `format` of an [`Export`].
pub const EXPORT_FORMAT: &str = "temps-site-audit/1";

/// Everything about one audit in one JSON document (`GET /audits/{id}/export`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Export {
    /// Always `temps-site-audit/1`.
    pub format: &'static str,
    pub audit: AuditView,
    pub previous_audit_id: Option<i64>,
    pub pages: Vec<PageView>,
    pub findings: Vec<FindingView>,
    pub fixed: Vec<FindingView>,
}

/// Everything about audit `id` in one JSON document.
pub async fn export(db: &impl ConnectionTrait, id: i64) -> Result<Export, AuditError> {
    let report = report(db, id).await?;
    let pages = pages(db, id).await?;
    Ok(Export {
        format: EXPORT_FORMAT,
        audit: report.audit,
        previous_audit_id: report.previous_audit_id,
        pages,
        findings: report.groups.into_iter().flat_map(|g| g.findings).collect(),
        fixed: report.fixed,
    })
}

async fn previous_completed(db: &impl ConnectionTrait, audit: &audit::Model) -> Result<Option<i64>, AuditError> {
    audit::Entity::find()
        .select_only()
        .column(audit::Column::Id)
        .filter(audit::Column::Site.eq(&audit.site))
        .filter(audit::Column::Id.lt(audit.id))
        .filter(audit::Column::Status.eq("completed"))
        .order_by_desc(audit::Column::Id)
        .into_tuple()
        .one(db)
        .await
        .map_err(AuditError::db("find the previous audit"))
}

async fn findings_of(db: &impl ConnectionTrait, id: i64) -> Result<Vec<finding::Model>, AuditError> {
    finding::Entity::find()
        .filter(finding::Column::AuditId.eq(id))
        .order_by_asc(finding::Column::Url)
        .all(db)
        .await
        .map_err(AuditError::db("read findings"))
}
