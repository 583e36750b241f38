//! The audit worker (one `ctx.spawn` task): runs queued audits, at most [`MAX_RUNNING`] at once and one per site,
//! persisting each page as the crawler reports it.

use std::time::Duration;

use temps_bundle_crawl::{CrawlConfig, CrawlEvent, StopReason};
use tokio::task::JoinSet;

use crate::audits;
use crate::entity::audit;
use crate::error::AuditError;
use crate::state::AuditState;

/// Audits crawled at the same time (of different sites).
pub const MAX_RUNNING: usize = 2;
/// The longest the worker sleeps. Every audit this process queues wakes it (`state.wake`), so this only catches
/// what another process queued in the same file (Temps' candidate overlap). Kept long, so an idle member runs no
/// query, holds no SQLite connection and none of its code stays resident.
const IDLE_POLL: Duration = Duration::from_secs(5 * 60);
/// How soon the worker looks again after the store failed.
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(5);

/// Runs until the bundle shuts down (the supervisor stops it; running crawls are dropped, which aborts them, and
/// the next start marks their audits interrupted).
pub async fn run(state: AuditState) {
    let mut running: JoinSet<String> = JoinSet::new();
    let mut busy: Vec<String> = Vec::new();
    loop {
        let mut wait = IDLE_POLL;
        while running.len() < MAX_RUNNING {
            match audits::next_queued(state.db(), &busy).await {
                Ok(Some(row)) => {
                    busy.push(row.site.clone());
                    let state = state.clone();
                    running.spawn(async move {
                        let site = row.site.clone();
                        if let Err(error) = run_audit(&state, &row).await {
                            tracing::error!(audit = row.id, %error, "an audit failed");
                            if let Err(error) = audits::fail(state.db(), row.id, &error.to_string()).await {
                                tracing::error!(audit = row.id, %error, "cannot mark the audit failed");
                            }
                        }
                        site
                    });
                }
                Ok(None) => break,
                Err(error) => {
                    tracing::error!(%error, "cannot look for queued audits; trying again shortly");
                    wait = RETRY_AFTER_ERROR;
                    break;
                }
            }
        }
        tokio::select! {
            () = state.wake.notified() => {}
            Some(done) = running.join_next() => {
                if let Ok(site) = done {
                    busy.retain(|s| *s != site);
                }
            }
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// Crawls one audit's site and records everything; the audit ends completed, cancelled or failed.
async fn run_audit(state: &AuditState, row: &audit::Model) -> Result<(), AuditError> {
    let settings = state.settings.current();
    let mut config = CrawlConfig::new(&state.member, &row.start_url)
        .map_err(|e| AuditError::Invalid { field: "url", message: e.to_string() })?;
    config.limits = settings.limits.clone();
    config.urls = settings.url_policy;
    config.respect_robots = settings.respect_robots;
    config.policy = state.policy.clone();
    let https_site = config.start.scheme() == "https";
    let mut crawl = match state.crawler.start(config) {
        Ok(crawl) => crawl,
        Err(error) => return audits::fail(state.db(), row.id, &error.to_string()).await,
    };
    if !audits::start(state.db(), row.id).await? {
        return Ok(()); // Cancelled while it was queued.
    }
    state.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(row.id, crawl.cancel_handle());
    let result = record_crawl(state, row, &mut crawl, https_site).await;
    state.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&row.id);
    result?;
    let removed = audits::prune(state.db(), &row.site, settings.keep_audits).await?;
    if removed > 0 {
        tracing::info!(site = %row.site, removed, "old audits deleted");
    }
    Ok(())
}

async fn record_crawl(
    state: &AuditState,
    row: &audit::Model,
    crawl: &mut temps_bundle_crawl::Crawl,
    https_site: bool,
) -> Result<(), AuditError> {
    while let Some(event) = crawl.next().await {
        match event {
            CrawlEvent::Page(page) => audits::record_page(state, row.id, &page, https_site).await?,
            CrawlEvent::Disallowed { url, in_sitemap, .. } => {
                audits::record_disallowed(state, row.id, &url, in_sitemap).await?;
            }
            CrawlEvent::Finished(summary) => {
                let status = if summary.stop == StopReason::Cancelled { "cancelled" } else { "completed" };
                let reason = serde_json::to_value(summary.stop).ok().and_then(|v| v.as_str().map(str::to_owned));
                audits::finish(state, row.id, status, reason.as_deref().unwrap_or("completed")).await?;
                tracing::info!(audit = row.id, site = %row.site, pages = summary.pages, stop = ?summary.stop, "audit done");
            }
            CrawlEvent::Robots(status) => tracing::debug!(audit = row.id, ?status, "robots.txt"),
            CrawlEvent::Sitemap(read) => tracing::debug!(audit = row.id, ?read, "sitemap"),
        }
    }
    Ok(())
}
