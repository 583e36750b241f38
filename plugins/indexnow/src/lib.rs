//! `indexnow`: tells search engines (the IndexNow protocol) which pages changed after each deployment.
//!
//! A `deployment.succeeded` event ([`settings`]: production only, every environment, or off) or
//! `POST /submissions` queues a submission ([`submissions`]). The worker ([`worker::run`], supervised by
//! `ctx.spawn`) checks that the site serves the key file ([`key`]) — nothing is sent while it does not — then
//! discovers pages with the shared crawler ([`discover`]: the sitemap, else the links), keeps the ones that changed
//! since their last submission ([`changes`]: `ETag`, `Last-Modified`, else the content hash) and sends them in
//! batches with retries ([`submit`]). Pages never, not recently or no longer accurately submitted are offered as
//! suggestions.

pub mod changes;
pub mod discover;
pub mod entity;
pub mod error;
pub mod key;
pub mod openapi;
pub mod routes;
pub mod schema;
pub mod settings;
pub mod state;
pub mod submissions;
pub mod submit;
pub mod worker;

use include_dir::{Dir, include_dir};
use temps_bundle_crawl::OutboundPolicy;
use temps_bundle_sdk::prelude::*;
use temps_bundle_store::{Settings, Store};

use crate::settings::IndexNowSettings;
use crate::state::IndexNowState;

/// The built UI (`web/dist`, or the placeholder `build.rs` writes until `cargo xtask ui` has run).
static UI: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web/dist");

/// The plugin type registered with the bundle.
#[derive(Default)]
pub struct IndexNow {
    /// Replaces the operator's outbound policy (tests allow exactly their local site and receiver).
    policy: Option<OutboundPolicy>,
}

impl IndexNow {
    /// A member whose requests use `policy` instead of the operator's `TEMPS_BUNDLE_ALLOW_*` policy.
    pub fn with_policy(policy: OutboundPolicy) -> Self {
        Self { policy: Some(policy) }
    }
}

impl Plugin for IndexNow {
    type State = IndexNowState;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("indexnow", env!("CARGO_PKG_VERSION"))
            .display_name("IndexNow")
            .description("Tells search engines which pages changed after each deployment.")
            .nav("IndexNow", "send", NavSection::Platform, "/", 70)
            .ui(&[("/", "Submissions"), ("/suggestions", "Suggestions"), ("/settings", "Settings")])
            .event("deployment.succeeded")
            .host_permission(HostPermission::EventsRead)
            .build()
    }

    async fn on_start(&self, ctx: &Context) -> Result<IndexNowState, BoxError> {
        let state = open(ctx, self.policy.clone().unwrap_or_else(OutboundPolicy::from_env)).await?;
        let worker_state = state.clone();
        ctx.spawn("submissions", move || worker::run(worker_state.clone()));
        Ok(state)
    }

    fn router(&self, _ctx: &Context, state: IndexNowState) -> Router {
        routes::router(state)
    }

    async fn on_event(&self, _ctx: &Context, state: &IndexNowState, event: PluginEvent) {
        match submissions::queue_for_event(state, &event).await {
            Ok(Some(row)) => {
                tracing::info!(event_id = %event.id, submission = row.id, site = %row.site, "submission queued")
            }
            Ok(None) => {}
            Err(error) => tracing::error!(event_id = %event.id, %error, "cannot queue a submission for a deployment"),
        }
    }

    fn ui(&self) -> Option<&'static Dir<'static>> {
        Some(&UI)
    }

    fn openapi(&self) -> Option<serde_json::Value> {
        Some(openapi::document())
    }
}

temps_bundle_sdk::register!(IndexNow);

/// Opens the store, recovers interrupted submissions and builds the state (the worker is started by `on_start`).
pub async fn open(ctx: &Context, policy: OutboundPolicy) -> Result<IndexNowState, BoxError> {
    let store = Store::open_for(ctx, "indexnow.sqlite3", schema::MIGRATIONS).await?;
    let settings = Settings::<IndexNowSettings>::load(&store).await?;
    let interrupted = submissions::recover_interrupted(store.db()).await?;
    if interrupted > 0 {
        tracing::warn!(interrupted, "submissions left running by the last process are marked interrupted");
    }
    Ok(IndexNowState::new(store, settings, policy, ctx.member())?)
}

#[cfg(test)]
mod tests;
