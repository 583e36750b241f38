//! What deploy-pulse's handlers, event hook and background tasks share.

use std::sync::Arc;

use temps_bundle_sdk::channel::Temps;
use temps_bundle_store::{Settings, Store};
use tokio::sync::Mutex;

use crate::backfill::{BackfillReport, backfill};
use crate::error::PulseError;
use crate::settings::PulseSettings;

/// deploy-pulse's state. Cheap to clone.
#[derive(Clone)]
pub struct PulseState {
    pub store: Store,
    pub settings: Settings<PulseSettings>,
    pub temps: Temps,
    /// One backfill at a time: a second request waits for the running one, then finds nothing to change.
    pub backfill_lock: Arc<Mutex<()>>,
}

impl PulseState {
    /// Runs a backfill with the current settings, after any running one.
    pub async fn run_backfill(&self) -> Result<BackfillReport, PulseError> {
        let _running = self.backfill_lock.lock().await;
        backfill(&self.temps, &self.store, self.settings.current().backfill_limit).await
    }
}
