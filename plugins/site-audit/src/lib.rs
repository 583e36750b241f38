//! `site-audit`: crawls a deployed site for broken links, redirect chains and missing SEO metadata.
//!
//! A `deployment.succeeded` event (production only, or every environment: [`settings`]) or `POST /audits`
//! queues an audit ([`audits`]); the worker ([`worker::run`], supervised by `ctx.spawn`) crawls the site with the
//! shared crawler (`temps-bundle-crawl`: same origin, robots.txt, sitemaps, bounded, through the guarded client)
//! and stores each page as it arrives, with the findings of [`checks`]. [`report`] compares an audit with the
//! previous completed one of the same site (what is new, what was fixed) and exports it as JSON. An audit a
//! stopped process left running is marked `interrupted` at the next start.

pub mod audits;
pub mod checks;
pub mod entity;
pub mod error;
pub mod openapi;
pub mod report;
pub mod routes;
pub mod schema;
pub mod settings;
pub mod state;
pub mod worker;

use include_dir::{Dir, include_dir};
use temps_bundle_crawl::OutboundPolicy;
use temps_bundle_sdk::prelude::*;
use temps_bundle_store::{Settings, Store};

use crate::settings::AuditSettings;
use crate::state::AuditState;

/// The built UI (`web/dist`, or the placeholder `build.rs` writes until `cargo xtask ui` has run).
static UI: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web/dist");

/// The plugin type registered with the bundle.
#[derive(Default)]
pub struct SiteAudit {
    /// Replaces the operator's outbound policy (tests allow exactly their local site).
    policy: Option<OutboundPolicy>,
}

impl SiteAudit {
    /// A member whose crawls use `policy` instead of the operator's `TEMPS_BUNDLE_ALLOW_*` policy.
    pub fn with_policy(policy: OutboundPolicy) -> Self {
        Self { policy: Some(policy) }
    }
}

impl Plugin for SiteAudit {
    type State = AuditState;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("site-audit", env!("CARGO_PKG_VERSION"))
            .display_name("Site Audit")
            .description("Crawls deployed sites for broken links, redirect chains and missing SEO metadata.")
            .nav("Site audit", "search", NavSection::Platform, "/", 60)
            .ui(&[("/", "Reports"), ("/settings", "Settings")])
            .event("deployment.succeeded")
            .host_permission(HostPermission::EventsRead)
            .build()
    }

    async fn on_start(&self, ctx: &Context) -> Result<AuditState, BoxError> {
        let state = open(ctx, self.policy.clone().unwrap_or_else(OutboundPolicy::from_env)).await?;
        let worker_state = state.clone();
        ctx.spawn("audits", move || worker::run(worker_state.clone()));
        Ok(state)
    }

    fn router(&self, _ctx: &Context, state: AuditState) -> Router {
        routes::router(state)
    }

    async fn on_event(&self, _ctx: &Context, state: &AuditState, event: PluginEvent) {
        match audits::queue_for_event(state, &event).await {
            Ok(Some(audit)) => {
                tracing::info!(event_id = %event.id, audit = audit.id, site = %audit.site, "audit queued")
            }
            Ok(None) => {}
            Err(error) => tracing::error!(event_id = %event.id, %error, "cannot queue an audit for a deployment"),
        }
    }

    fn ui(&self) -> Option<&'static Dir<'static>> {
        Some(&UI)
    }

    fn openapi(&self) -> Option<serde_json::Value> {
        Some(openapi::document())
    }
}

temps_bundle_sdk::register!(SiteAudit);

/// Opens the store, recovers interrupted audits and builds the state (the worker is started by `on_start`).
pub async fn open(ctx: &Context, policy: OutboundPolicy) -> Result<AuditState, BoxError> {
    let store = Store::open_for(ctx, "site-audit.sqlite3", schema::MIGRATIONS).await?;
    let settings = Settings::<AuditSettings>::load(&store).await?;
    let interrupted = audits::recover_interrupted(store.db()).await?;
    if interrupted > 0 {
        tracing::warn!(interrupted, "audits left running by the last process are marked interrupted");
    }
    Ok(AuditState::new(store, settings, policy, ctx.member()))
}

#[cfg(test)]
mod tests;
