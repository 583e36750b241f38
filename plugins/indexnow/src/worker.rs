//! The submission worker (one `ctx.spawn` task): runs queued submissions one at a time — key file check,
//! discovery, change detection, sending.

use std::time::Duration;

use temps_bundle_crawl::Url;
use temps_bundle_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::changes;
use crate::entity::{page, submission};
use crate::error::IndexNowError;
use crate::key;
use crate::state::IndexNowState;
use crate::submissions;
use crate::submit::{self, Outcome};

/// The longest the worker sleeps. Every submission this process queues wakes it (`state.wake`), so this only catches
/// what another process queued in the same file (Temps' candidate overlap). Kept long, so an idle member runs no
/// query, holds no SQLite connection and none of its code stays resident.
const IDLE_POLL: Duration = Duration::from_secs(5 * 60);
/// How soon the worker looks again after the store failed.
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(5);

/// Runs until the bundle shuts down.
pub async fn run(state: IndexNowState) {
    loop {
        let mut wait = IDLE_POLL;
        loop {
            match submissions::next_queued(state.db()).await {
                Ok(Some(mut row)) => {
                    if let Err(error) = process(&state, &mut row).await {
                        tracing::error!(submission = row.id, %error, "a submission failed");
                        let reason = error.to_string();
                        if let Err(error) = submissions::set_status(state.db(), row.id, "failed", Some(&reason)).await {
                            tracing::error!(submission = row.id, %error, "cannot mark the submission failed");
                        }
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    tracing::error!(%error, "cannot look for queued submissions; trying again shortly");
                    wait = RETRY_AFTER_ERROR;
                    break;
                }
            }
        }
        tokio::select! {
            () = state.wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// One submission, start to end.
pub async fn process(state: &IndexNowState, row: &mut submission::Model) -> Result<(), IndexNowError> {
    submissions::set_status(state.db(), row.id, "running", None).await?;
    let settings = state.settings.current();
    let site =
        Url::parse(&row.start_url).map_err(|e| IndexNowError::Corrupt { what: "start_url", reason: e.to_string() })?;
    let Some(key) = settings.key.clone() else {
        let reason = "no IndexNow key yet: generate one (POST /key), serve it at the key file URL, then submit again";
        return submissions::set_status(state.db(), row.id, "blocked", Some(reason)).await;
    };
    let key_url = key::file_url(&site, &key, settings.key_location.as_deref());
    if let Some(reason) = key::check(&state.client, &key_url, &key).await {
        return submissions::set_status(state.db(), row.id, "blocked", Some(&reason)).await;
    }
    let urls = match row.mode.as_str() {
        "urls" => serde_json::from_str::<Vec<String>>(row.requested_urls.as_deref().unwrap_or("[]"))
            .map_err(|e| IndexNowError::Corrupt { what: "requested_urls", reason: e.to_string() })?,
        mode => {
            let mut found = crate::discover::discover(state, &row.start_url).await?;
            // Pages arrive in completion order; submit them in a stable one.
            found.urls.sort();
            row.pages_found = i64::try_from(found.urls.len()).unwrap_or(i64::MAX);
            submissions::set_counts(state.db(), row).await?;
            if mode == "all" { found.urls } else { changed_only(state, &row.site, found.urls).await? }
        }
    };
    if urls.is_empty() {
        let reason = format!("{} page(s) found, none changed since the last submission", row.pages_found);
        return submissions::set_status(state.db(), row.id, "nothing_changed", Some(&reason)).await;
    }
    match submit::send(state, row, &key, &key_url, &urls).await? {
        Outcome::Submitted => submissions::set_status(state.db(), row.id, "submitted", None).await,
        Outcome::Failed(reason) => submissions::set_status(state.db(), row.id, "failed", Some(&reason)).await,
    }
}

async fn changed_only(state: &IndexNowState, site: &str, urls: Vec<String>) -> Result<Vec<String>, IndexNowError> {
    let pages = page::Entity::find()
        .filter(page::Column::Site.eq(site))
        .filter(page::Column::Url.is_in(urls.iter().cloned()))
        .all(state.db())
        .await
        .map_err(IndexNowError::db("read discovered pages"))?;
    // Keep crawl order.
    Ok(urls.into_iter().filter(|u| pages.iter().any(|p| p.url == *u && changes::changed(p))).collect())
}
