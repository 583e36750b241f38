//! `notify`: deployment notifications to webhooks (Slack, Discord, signed JSON).
//!
//! Each matching event becomes a delivery row ([`deliveries`]) *before* any network call; the worker
//! ([`worker::run`], supervised by `ctx.spawn`) sends due rows through the guarded outbound client with retries and
//! exponential backoff, and marks them delivered or dead. `json` deliveries are signed ([`signature`]). Stored
//! fields are capped and finished deliveries are pruned after `retention_days` ([`settings`]).

pub mod deliveries;
pub mod dispatch;
pub mod entity;
pub mod error;
pub mod filter;
pub mod format;
pub mod openapi;
pub mod routes;
pub mod schema;
pub mod settings;
pub mod signature;
pub mod state;
pub mod targets;
pub mod worker;

use std::sync::Arc;

use include_dir::{Dir, include_dir};
use temps_bundle_http::OutboundClient;
use temps_bundle_sdk::prelude::*;
use temps_bundle_store::{Settings, Store};

use crate::settings::NotifySettings;
use crate::state::NotifyState;

/// The built UI (`web/dist`, or the placeholder `build.rs` writes until `cargo xtask ui` has run).
static UI: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web/dist");

/// The plugin type registered with the bundle.
#[derive(Default)]
pub struct Notify;

impl Plugin for Notify {
    type State = NotifyState;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("notify", env!("CARGO_PKG_VERSION"))
            .display_name("Notify")
            .description("Deployment notifications to Slack, Discord and signed JSON webhooks.")
            .nav("Notifications", "bell", NavSection::Platform, "/", 40)
            .ui(&[("/", "Targets"), ("/deliveries", "Delivery log"), ("/settings", "Settings")])
            .event("deployment.*")
            .host_permission(HostPermission::EventsRead)
            .build()
    }

    async fn on_start(&self, ctx: &Context) -> Result<NotifyState, BoxError> {
        let store = Store::open_for(ctx, "notify.sqlite3", schema::MIGRATIONS).await?;
        let settings = Settings::<NotifySettings>::load(&store).await?;
        let client = OutboundClient::for_member(ctx.member())?;
        let state = NotifyState { store, settings, client, wake: Arc::default() };
        let recovered = deliveries::recover_interrupted(state.db()).await?;
        if recovered > 0 {
            tracing::info!(recovered, "deliveries interrupted by the last shutdown will be sent again");
        }
        let worker_state = state.clone();
        ctx.spawn("deliveries", move || worker::run(worker_state.clone()));
        let pruner_state = state.clone();
        ctx.spawn("prune", move || worker::prune_forever(pruner_state.clone()));
        Ok(state)
    }

    fn router(&self, _ctx: &Context, state: NotifyState) -> Router {
        routes::router(state)
    }

    async fn on_event(&self, _ctx: &Context, state: &NotifyState, event: PluginEvent) {
        match dispatch::enqueue_event(state, &event).await {
            Ok(added) => tracing::debug!(event_id = %event.id, added, "event queued for delivery"),
            Err(error) => tracing::error!(event_id = %event.id, %error, "cannot queue an event for delivery"),
        }
    }

    fn ui(&self) -> Option<&'static Dir<'static>> {
        Some(&UI)
    }

    fn openapi(&self) -> Option<serde_json::Value> {
        Some(openapi::document())
    }
}

temps_bundle_sdk::register!(Notify);

#[cfg(test)]
mod tests;
