//! What site-audit's handlers, event hook and worker share.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::DatabaseConnection;
use temps_bundle_crawl::{CancelHandle, Crawler, OutboundPolicy};
use temps_bundle_store::{Settings, Store};
use tokio::sync::Notify;

use crate::settings::AuditSettings;

/// site-audit's state. Cheap to clone.
#[derive(Clone)]
pub struct AuditState {
    pub store: Store,
    pub settings: Settings<AuditSettings>,
    pub crawler: Crawler,
    /// Which non-public targets crawls may reach (the operator's policy; tests allow exactly their site).
    pub policy: OutboundPolicy,
    pub member: String,
    /// Cancel handles of the running audits, by audit id.
    pub running: Arc<Mutex<HashMap<i64, CancelHandle>>>,
    /// Wakes the worker when an audit is queued.
    pub wake: Arc<Notify>,
}

impl AuditState {
    pub fn new(store: Store, settings: Settings<AuditSettings>, policy: OutboundPolicy, member: &str) -> Self {
        Self {
            store,
            settings,
            crawler: Crawler::new(),
            policy,
            member: member.to_owned(),
            running: Arc::default(),
            wake: Arc::default(),
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        self.store.db()
    }

    /// Cancels the running audit `id`; `false` when it is not running in this process.
    pub fn cancel_running(&self, id: i64) -> bool {
        let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        running.get(&id).map(CancelHandle::cancel).is_some()
    }
}
