//! What indexnow's handlers, event hook and worker share.

use std::sync::Arc;

use temps_bundle_crawl::{Crawler, OutboundPolicy};
use temps_bundle_http::{ClientConfig, HttpError, OutboundClient};
use temps_bundle_store::sea_orm::DatabaseConnection;
use temps_bundle_store::{Settings, Store};
use tokio::sync::Notify;

use crate::settings::IndexNowSettings;

/// indexnow's state. Cheap to clone.
#[derive(Clone)]
pub struct IndexNowState {
    pub store: Store,
    pub settings: Settings<IndexNowSettings>,
    pub crawler: Crawler,
    /// For the key file check and the submissions (guarded like every outbound request).
    pub client: OutboundClient,
    pub policy: OutboundPolicy,
    pub member: String,
    /// Wakes the worker when a submission is queued.
    pub wake: Arc<Notify>,
}

impl IndexNowState {
    pub fn new(
        store: Store,
        settings: Settings<IndexNowSettings>,
        policy: OutboundPolicy,
        member: &str,
    ) -> Result<Self, HttpError> {
        let client = OutboundClient::new(ClientConfig { policy: policy.clone(), ..ClientConfig::for_member(member) })?;
        Ok(Self {
            store,
            settings,
            crawler: Crawler::new(),
            client,
            policy,
            member: member.to_owned(),
            wake: Arc::default(),
        })
    }

    pub fn db(&self) -> &DatabaseConnection {
        self.store.db()
    }
}
