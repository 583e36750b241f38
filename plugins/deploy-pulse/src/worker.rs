//! deploy-pulse's background work, each supervised by `ctx.spawn`: the backfill on start and the pruner that
//! keeps the store within the retention window (its first pass runs in `on_start`, before the member serves).

use std::time::Duration;

use temps_bundle_store::timestamp;

use crate::error::PulseError;
use crate::repository::{self, Pruned};
use crate::state::PulseState;

/// How often the pruner runs (it also runs once right after start).
pub const PRUNE_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// One backfill; a failure is logged, and `POST /backfill` retries it.
pub async fn backfill_on_start(state: PulseState) {
    if let Err(error) = state.run_backfill().await {
        tracing::warn!(%error, "backfill on start failed; POST /backfill retries it");
    }
}

/// Prunes every [`PRUNE_INTERVAL`] until the bundle shuts down (the supervisor cancels it); `on_start` ran the
/// first pass.
pub async fn prune_forever(state: PulseState) {
    loop {
        tokio::time::sleep(PRUNE_INTERVAL).await;
        prune_logged(&state).await;
    }
}

/// One pruning pass as of now; a failure is logged and left to the next pass.
pub async fn prune_logged(state: &PulseState) {
    match prune_once(state, timestamp::now_ms()).await {
        Ok(pruned) if pruned != Pruned::default() => tracing::info!(?pruned, "pruned rows past retention"),
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "pruning failed; trying again at the next interval"),
    }
}

/// Deletes what is older than the retention setting, as of `now`.
pub async fn prune_once(state: &PulseState, now: i64) -> Result<Pruned, PulseError> {
    let cutoff = timestamp::days_before(now, state.settings.current().retention_days);
    Ok(repository::prune(&state.store, cutoff).await?)
}
