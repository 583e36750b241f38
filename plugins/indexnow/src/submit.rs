//! Sending URLs to the IndexNow endpoint: batches of at most `batch_size` (the protocol allows 10 000), each
//! retried with exponential backoff on 429, 5xx and network errors; any other 4xx fails the submission at once.

use std::time::Duration;

use serde_json::json;
use temps_bundle_crawl::Url;
use temps_bundle_store::sea_orm::sea_query::Expr;
use temps_bundle_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use temps_bundle_store::timestamp;

use crate::entity::{page, submission, submitted_url};
use crate::error::IndexNowError;
use crate::settings::IndexNowSettings;
use crate::state::IndexNowState;
use crate::submissions;

/// How a submission's sending ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Submitted,
    /// The endpoint refused (a 4xx other than 429), or transient failures outlasted the attempts.
    Failed(String),
}

/// Sends `urls` for `row`'s site with `key`, batch by batch; progress is recorded on `row` as it goes.
pub async fn send(
    state: &IndexNowState,
    row: &mut submission::Model,
    key: &str,
    key_location: &str,
    urls: &[String],
) -> Result<Outcome, IndexNowError> {
    let settings = state.settings.current();
    let host = Url::parse(&row.site).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
    for (index, batch) in urls.chunks(settings.batch_size).enumerate() {
        let body = json!({ "host": host, "key": key, "keyLocation": key_location, "urlList": batch });
        let result = send_batch(state, &settings, row, &body.to_string()).await;
        submissions::set_counts(state.db(), row).await?;
        if let Err(reason) = result {
            return Ok(Outcome::Failed(reason));
        }
        record_batch(state, row.id, i64::try_from(index).unwrap_or(i64::MAX), batch).await?;
        row.batches += 1;
        row.urls_submitted += i64::try_from(batch.len()).unwrap_or(i64::MAX);
        submissions::set_counts(state.db(), row).await?;
    }
    Ok(Outcome::Submitted)
}

/// One batch with its retries; `Err` says why it was given up.
async fn send_batch(
    state: &IndexNowState,
    settings: &IndexNowSettings,
    row: &mut submission::Model,
    body: &str,
) -> Result<(), String> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        row.attempts += 1;
        let response = state
            .client
            .post(&settings.endpoint)
            .header("content-type", "application/json; charset=utf-8")
            .body(body.to_owned())
            .send()
            .await;
        let (transient, reason) = match response {
            Ok(response) => {
                row.last_status_code = Some(i64::from(response.status.as_u16()));
                if response.status.is_success() {
                    return Ok(());
                }
                let status = response.status.as_u16();
                (status == 429 || status >= 500, format!("the endpoint answered {status}{}", meaning(status)))
            }
            Err(error) => (error.is_transient(), error.to_string()),
        };
        if !transient || attempt >= settings.max_attempts {
            let tries = if attempt > 1 { format!(" (after {attempt} attempts)") } else { String::new() };
            return Err(format!("{reason}{tries}"));
        }
        tracing::info!(submission = row.id, attempt, %reason, "IndexNow batch failed; retrying");
        tokio::time::sleep(Duration::from_millis(settings.backoff_ms(attempt))).await;
    }
}

/// The protocol's meaning of an error status.
fn meaning(status: u16) -> &'static str {
    match status {
        400 => ": bad request (invalid format)",
        403 => ": the key is not valid (key file not found or not matching)",
        422 => ": the URLs do not belong to the host, or the key does not match the protocol",
        429 => ": too many requests",
        _ => "",
    }
}

/// The batch was accepted: remember what was sent and what the pages looked like.
async fn record_batch(state: &IndexNowState, id: i64, batch: i64, urls: &[String]) -> Result<(), IndexNowError> {
    let txn = state.db().begin().await.map_err(IndexNowError::db("begin recording a batch"))?;
    let rows = urls.iter().map(|url| submitted_url::ActiveModel {
        submission_id: Set(id),
        url: Set(url.clone()),
        batch: Set(batch),
        ..Default::default()
    });
    submitted_url::Entity::insert_many(rows).exec(&txn).await.map_err(IndexNowError::db("record submitted URLs"))?;
    let site = submission::Entity::find_by_id(id)
        .one(&txn)
        .await
        .map_err(IndexNowError::db("read a submission"))?
        .map(|s| s.site)
        .unwrap_or_default();
    page::Entity::update_many()
        .col_expr(page::Column::SubmittedHash, Expr::col(page::Column::ContentHash))
        .col_expr(page::Column::SubmittedEtag, Expr::col(page::Column::Etag))
        .col_expr(page::Column::SubmittedLastModified, Expr::col(page::Column::LastModified))
        .col_expr(page::Column::LastSubmittedAt, Expr::value(timestamp::now_ms()))
        .filter(page::Column::Site.eq(site))
        .filter(page::Column::Url.is_in(urls.iter().cloned()))
        .exec(&txn)
        .await
        .map_err(IndexNowError::db("mark pages submitted"))?;
    txn.commit().await.map_err(IndexNowError::db("commit a batch"))
}
