//! notify's background work, supervised by `ctx.spawn`: the delivery worker claims due deliveries, sends them
//! through the guarded client, and records the outcome (delivered, retry later with exponential backoff, or dead
//! after the last attempt); the pruner deletes finished deliveries past the retention setting.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use temps_bundle_http::HttpError;
use tokio::task::JoinSet;

use crate::deliveries::{self, AttemptRecord, Claimed, Status};
use crate::error::NotifyError;
use crate::format::Format;
use crate::signature::{DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature_header};
use crate::state::NotifyState;
use temps_bundle_store::timestamp;

/// The longest the worker sleeps. Every delivery this process queues wakes it ([`NotifyState::wake`]) and the next
/// retry's time is known, so this only catches what another process queued in the same file (Temps' candidate
/// overlap) and a wall clock that jumped. Kept long, so an idle notify runs no query, holds no SQLite connection
/// and none of its code stays resident.
pub const IDLE_POLL: Duration = Duration::from_secs(5 * 60);
/// How soon the worker tries again after the store failed.
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(2);
/// How often the pruner runs (it also runs once right after start).
pub const PRUNE_INTERVAL: Duration = Duration::from_secs(60 * 60);
/// How many deliveries are sent at once.
const BATCH: u32 = 16;

/// Runs until the bundle shuts down (the supervisor cancels it).
pub async fn run(state: NotifyState) {
    loop {
        let wait = match send_due(&state).await {
            Ok(Some(next_due)) => Duration::from_millis(u64::try_from(next_due - timestamp::now_ms()).unwrap_or(0)),
            Ok(None) => IDLE_POLL,
            Err(error) => {
                tracing::error!(%error, "the delivery worker failed; trying again shortly");
                RETRY_AFTER_ERROR
            }
        };
        tokio::select! {
            () = state.wake.notified() => {}
            () = tokio::time::sleep(wait.min(IDLE_POLL)) => {}
        }
    }
}

/// Prunes now and every [`PRUNE_INTERVAL`] until the bundle shuts down (the supervisor cancels it).
pub async fn prune_forever(state: NotifyState) {
    loop {
        match prune_once(&state, timestamp::now_ms()).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "pruned deliveries past retention"),
            Err(error) => tracing::warn!(%error, "pruning failed; trying again at the next interval"),
        }
        tokio::time::sleep(PRUNE_INTERVAL).await;
    }
}

/// Deletes finished deliveries older than the retention setting, as of `now`; returns how many.
pub async fn prune_once(state: &NotifyState, now: i64) -> Result<u64, NotifyError> {
    let cutoff = timestamp::days_before(now, state.settings.current().retention_days);
    deliveries::prune(state.db(), cutoff).await
}

/// Sends every due delivery (in batches); returns when the next pending one is due.
async fn send_due(state: &NotifyState) -> Result<Option<i64>, NotifyError> {
    loop {
        let ids = deliveries::due(state.db(), BATCH).await?;
        if ids.is_empty() {
            return deliveries::next_due_at(state.db()).await;
        }
        let mut batch = JoinSet::new();
        for id in ids {
            // A failed claim is logged, not returned: returning would drop (abort) the attempts already started.
            match deliveries::claim(state.db(), &id).await {
                Ok(Some(claimed)) => {
                    let state = state.clone();
                    batch.spawn(async move { attempt(&state, claimed).await });
                }
                Ok(None) => {}
                Err(error) => tracing::error!(delivery = %id, %error, "cannot claim a delivery"),
            }
        }
        if batch.is_empty() {
            // Nothing could be claimed (another process took them, or the store fails): look again shortly instead
            // of spinning on the same rows.
            let retry_ms = i64::try_from(RETRY_AFTER_ERROR.as_millis()).unwrap_or(i64::MAX);
            return Ok(Some(timestamp::now_ms().saturating_add(retry_ms)));
        }
        while let Some(done) = batch.join_next().await {
            match done {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::error!(%error, "cannot record a delivery attempt"),
                Err(join) => tracing::error!(error = %join, "a delivery attempt panicked"),
            }
        }
    }
}

/// Sends one claimed delivery and records the outcome.
pub async fn attempt(state: &NotifyState, delivery: Claimed) -> Result<AttemptRecord, NotifyError> {
    let settings = state.settings.current();
    let attempts = delivery.attempts.saturating_add(1);
    let record = if !delivery.target.input.enabled && !delivery.test {
        AttemptRecord {
            status: Status::Dead,
            attempts: delivery.attempts,
            status_code: None,
            error: Some("the target was disabled before this delivery was sent".to_owned()),
            latency_ms: 0,
            next_attempt_at: timestamp::now_ms(),
        }
    } else {
        let started = Instant::now();
        let result = send(state, &delivery).await;
        let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        match result {
            Ok(code) => AttemptRecord {
                status: Status::Delivered,
                attempts,
                status_code: Some(code),
                error: None,
                latency_ms,
                next_attempt_at: timestamp::now_ms(),
            },
            Err(error) => {
                let give_up = !error.is_transient() || attempts >= settings.max_attempts;
                let backoff = i64::try_from(settings.backoff_ms(attempts)).unwrap_or(i64::MAX);
                tracing::warn!(delivery = %delivery.id, target = delivery.target.id, attempts, give_up, %error, "delivery attempt failed");
                AttemptRecord {
                    status: if give_up { Status::Dead } else { Status::Pending },
                    attempts,
                    status_code: error.status(),
                    error: Some(error.to_string()),
                    latency_ms,
                    next_attempt_at: timestamp::now_ms().saturating_add(backoff),
                }
            }
        }
    };
    deliveries::record(state.db(), &delivery.id, &record).await?;
    if record.status == Status::Pending {
        // The worker sleeps until the next retry it knows of; this one may be sooner (a test delivery's attempt
        // runs outside the worker).
        state.wake.notify_one();
    }
    Ok(record)
}

/// One HTTP request; `Ok` carries the 2xx status.
async fn send(state: &NotifyState, delivery: &Claimed) -> Result<u16, HttpError> {
    let target = &delivery.target;
    let mut request = state
        .client
        .post(&target.input.url)
        .header("content-type", "application/json")
        .header(DELIVERY_HEADER, &delivery.id)
        .header(EVENT_HEADER, &delivery.event_type);
    if target.input.format == Format::Json {
        let timestamp = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        request =
            request.header(SIGNATURE_HEADER, &signature_header(&target.secret, timestamp, delivery.body.as_bytes()));
    }
    let response = request.body(delivery.body.clone()).send().await?.error_for_status()?;
    Ok(response.status.as_u16())
}
