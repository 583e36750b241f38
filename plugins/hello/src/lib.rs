//! `hello`: the example member. It greets the caller, counts visits in a file inside its own data dir
//! ([`visits`]), and keeps the last deployment events it received ([`recent`]), so every part of the runtime has
//! something small to exercise.
//!
//! The layout every member follows (`cargo xtask new` emits it): this file is the table of contents plus the
//! [`Plugin`] impl; [`state`] is what handlers share; [`error`] is the member's one error enum and its one
//! conversion to [`Problem`]; [`routes`] holds one file per resource; the rest are domain modules.

pub mod error;
pub mod openapi;
pub mod recent;
pub mod routes;
pub mod state;
pub mod visits;

use include_dir::{Dir, include_dir};
use temps_bundle_sdk::prelude::*;

use crate::state::HelloState;
use crate::visits::VisitCounter;

/// The built UI (`web/dist`, or the placeholder `build.rs` writes until `cargo xtask ui` has run).
static UI: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web/dist");

/// The plugin type registered with the bundle.
#[derive(Default)]
pub struct Hello;

impl Plugin for Hello {
    type State = HelloState;

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new("hello", env!("CARGO_PKG_VERSION"))
            .display_name("Hello")
            .description("Example member: greets you and shows the deployment events it received.")
            .nav("Hello", "hand", NavSection::Platform, "/", 90)
            .ui(&[("/", "Hello")])
            .public_path("/public")
            .event("deployment.*")
            .host_permission(HostPermission::EventsRead)
            .build()
    }

    async fn on_start(&self, ctx: &Context) -> Result<HelloState, BoxError> {
        let visits = VisitCounter::open(ctx.data_dir().join("visits.txt")).await?;
        Ok(HelloState { visits, recent: Default::default() })
    }

    fn router(&self, _ctx: &Context, state: HelloState) -> Router {
        routes::router(state)
    }

    async fn on_event(&self, _ctx: &Context, state: &HelloState, event: PluginEvent) {
        tracing::info!(event_id = %event.id, event_type = %event.event_type, "hello received an event");
        state.recent.push(event);
    }

    fn openapi(&self) -> Option<serde_json::Value> {
        Some(openapi::document())
    }

    fn ui(&self) -> Option<&'static Dir<'static>> {
        Some(&UI)
    }
}

temps_bundle_sdk::register!(Hello);
