//! `deploy-pulse`: deployment health and delivery metrics across every Temps project.
//!
//! It subscribes to `deployment.*`, stores every event once (deduplicated by event id, capped in size:
//! [`caps`]) and folds them into one row per deployment with its lifecycle timestamps ([`lifecycle`]); a
//! backfill over the platform channel ([`backfill`]) fills the history on start and on demand, and a pruner
//! ([`worker`]) deletes what is older than the retention setting. [`metrics`] turns rows into delivery metrics
//! (frequency, change failure rate, time to restore, lead time, current state, streaks) that the API
//! ([`routes`], shapes in [`views`]) and the UI (`web/`) show.
//!
//! **Invariant:** the metrics are pure functions of the stored rows and a window: no clock, no I/O in [`metrics`].

pub mod backfill;
pub mod caps;
pub mod entity;
pub mod error;
pub mod lifecycle;
pub mod metrics;
pub mod openapi;
pub mod params;
pub mod repository;
pub mod routes;
pub mod schema;
pub mod settings;
pub mod state;
pub mod views;
pub mod worker;

use include_dir::{Dir, include_dir};
use temps_bundle_sdk::prelude::*;
use temps_bundle_store::{Settings, Store, timestamp};

use crate::repository::Recorded;
use crate::settings::PulseSettings;
use crate::state::PulseState;

/// The built UI (`web/dist`, or the placeholder `build.rs` writes until `cargo xtask ui` has run).
static UI: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web/dist");

/// The member's name (its mount point).
pub const NAME: &str = "deploy-pulse";

/// The plugin type registered with the bundle.
#[derive(Default)]
pub struct DeployPulse;

impl Plugin for DeployPulse {
    type State = PulseState;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new(NAME, env!("CARGO_PKG_VERSION"))
            .display_name("Deploy Pulse")
            .description(
                "Deployment health and delivery metrics: what is deploying, what is failing, how delivery is trending.",
            )
            .nav("Deploy Pulse", "activity", NavSection::Platform, "/", 20)
            .ui(&[("/", "Overview")])
            .event("deployment.*")
            .host_permission(HostPermission::EventsRead)
            .host_permission(HostPermission::ProjectsRead)
            .host_permission(HostPermission::DeploymentsRead)
            .build()
    }

    async fn on_start(&self, ctx: &Context) -> Result<PulseState, BoxError> {
        let store = Store::open_for(ctx, schema::DB_FILE, schema::MIGRATIONS).await?;
        let settings = Settings::<PulseSettings>::load(&store).await?;
        let state = PulseState { store, settings, temps: ctx.temps().clone(), backfill_lock: Default::default() };
        if state.settings.current().backfill_on_start {
            let task_state = state.clone();
            ctx.spawn("backfill", move || worker::backfill_on_start(task_state.clone()));
        }
        // The first pass runs before the member serves, so it never answers with rows past retention (and a
        // test's rows, written after start, are not pruned by a pass still in flight); then one every hour.
        worker::prune_logged(&state).await;
        let task_state = state.clone();
        ctx.spawn("prune", move || worker::prune_forever(task_state.clone()));
        Ok(state)
    }

    fn router(&self, _ctx: &Context, state: PulseState) -> Router {
        routes::router(state)
    }

    async fn on_event(&self, _ctx: &Context, state: &PulseState, event: PluginEvent) {
        match repository::record_event(&state.store, &event, timestamp::now_ms()).await {
            Ok(Recorded::Stored) => {
                tracing::debug!(event_id = %event.id, event_type = %event.event_type, "event stored")
            }
            Ok(Recorded::Duplicate) => tracing::debug!(event_id = %event.id, "duplicate event ignored"),
            Err(error) => tracing::error!(event_id = %event.id, %error, "cannot store event"),
        }
    }

    fn ui(&self) -> Option<&'static Dir<'static>> {
        Some(&UI)
    }

    fn openapi(&self) -> Option<serde_json::Value> {
        Some(openapi::document())
    }
}

temps_bundle_sdk::register!(DeployPulse);

#[cfg(test)]
mod tests;
