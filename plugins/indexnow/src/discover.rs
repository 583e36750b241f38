//! Page discovery with the shared crawler: the sitemap's pages, or (when there is no sitemap) the pages the
//! links reach. Each page's hash, `ETag` and `Last-Modified` are stored as it arrives.

use temps_bundle_crawl::{CrawlConfig, CrawlEvent, FollowLinks, PageReport, StopReason};
use temps_bundle_store::sea_orm::sea_query::OnConflict;
use temps_bundle_store::sea_orm::{ConnectionTrait, EntityTrait, Set};
use temps_bundle_store::timestamp;

use crate::entity::page;
use crate::error::IndexNowError;
use crate::state::IndexNowState;

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Indexable pages (2xx HTML, not noindex), in crawl order.
    pub urls: Vec<String>,
    /// Whether a sitemap listed pages (then only those count).
    pub from_sitemap: bool,
    pub stop: Option<StopReason>,
}

/// Discovers the pages of `start_url`'s site.
pub async fn discover(state: &IndexNowState, start_url: &str) -> Result<Discovered, IndexNowError> {
    let settings = state.settings.current();
    let mut config = CrawlConfig::new(&state.member, start_url)
        .map_err(|e| IndexNowError::Invalid { field: "url", message: e.to_string() })?;
    config.limits = settings.discovery.clone();
    config.follow_links = FollowLinks::UnlessSitemap;
    config.policy = state.policy.clone();
    let site = config.start.origin().ascii_serialization();
    let mut crawl = state.crawler.start(config).map_err(|e| IndexNowError::Conflict(e.to_string()))?;
    let mut found = Discovered::default();
    while let Some(event) = crawl.next().await {
        match event {
            CrawlEvent::Sitemap(read) if read.urls > 0 => found.from_sitemap = true,
            CrawlEvent::Page(report) if indexable(&report) && (report.in_sitemap || !found.from_sitemap) => {
                record(state.db(), &site, &report).await?;
                found.urls.push(report.url.clone());
            }
            CrawlEvent::Finished(summary) => found.stop = Some(summary.stop),
            _ => {}
        }
    }
    Ok(found)
}

/// Search engines should hear about pages that answer 2xx HTML and do not ask to stay out of the index.
fn indexable(report: &PageReport) -> bool {
    report.failure.is_none()
        && report.redirects.is_empty()
        && report.status.is_some_and(|s| (200..300).contains(&s))
        && report.content_hash.is_some()
        && !report.noindex()
}

async fn record(db: &impl ConnectionTrait, site: &str, report: &PageReport) -> Result<(), IndexNowError> {
    let row = page::ActiveModel {
        site: Set(site.to_owned()),
        url: Set(report.url.clone()),
        content_hash: Set(report.content_hash.clone()),
        etag: Set(report.etag.clone()),
        last_modified: Set(report.last_modified.clone()),
        last_seen_at: Set(timestamp::now_ms()),
        ..Default::default()
    };
    let upsert = OnConflict::columns([page::Column::Site, page::Column::Url])
        .update_columns([
            page::Column::ContentHash,
            page::Column::Etag,
            page::Column::LastModified,
            page::Column::LastSeenAt,
        ])
        .to_owned();
    page::Entity::insert(row).on_conflict(upsert).exec(db).await.map_err(IndexNowError::db("record a page"))?;
    Ok(())
}
