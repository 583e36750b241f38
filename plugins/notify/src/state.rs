//! What notify's handlers, event hook and worker share.

use std::sync::Arc;

use temps_bundle_http::OutboundClient;
use temps_bundle_store::sea_orm::DatabaseConnection;
use temps_bundle_store::{Settings, Store};
use tokio::sync::Notify;

use crate::settings::NotifySettings;

/// notify's state. Cheap to clone.
#[derive(Clone)]
pub struct NotifyState {
    pub store: Store,
    pub settings: Settings<NotifySettings>,
    pub client: OutboundClient,
    /// Wakes the delivery worker when a delivery becomes due now (a new event, a retry).
    pub wake: Arc<Notify>,
}

impl NotifyState {
    /// The store's sea-orm connection.
    pub fn db(&self) -> &DatabaseConnection {
        self.store.db()
    }
}
