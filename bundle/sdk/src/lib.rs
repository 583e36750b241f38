//! The temps-bundle SDK: write a Temps plugin once, and it runs as a member of any bundle — many plugins served
//! by one executable that Temps installs as one ordinary external plugin.
//!
//! # What you implement
//!
//! A member is a library crate with one type implementing [`Plugin`], registered with [`register!`]:
//!
//! - [`Plugin::manifest`]: who the member is and what it asks of the host, built with [`ManifestBuilder`] (name,
//!   nav entries, public paths, event subscriptions, [`HostPermission`]s, [`Capability`]s);
//! - [`Plugin::on_start`] (async): open storage, load settings; what it returns is the member's `State`;
//! - [`Plugin::router`]: the member's axum routes, relative to its mount point;
//! - optionally [`Plugin::on_event`], [`Plugin::on_shutdown`], [`Plugin::ui`] (an embedded `web/dist`) and
//!   [`Plugin::openapi`].
//!
//! ```
//! use axum::routing::get;
//! use temps_bundle_sdk::prelude::*;
//!
//! #[derive(Default)]
//! pub struct Greeter;
//!
//! impl Plugin for Greeter {
//!     type State = ();
//!
//!     fn manifest(&self) -> PluginManifest {
//!         ManifestBuilder::new("greeter", "1.0.0")
//!             .nav("Greeter", "hand", NavSection::Platform, "/", 50)
//!             .event("deployment.succeeded")
//!             .host_permission(HostPermission::EventsRead)
//!             .build()
//!     }
//!
//!     async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {
//!         Ok(())
//!     }
//!
//!     fn router(&self, _ctx: &Context, _state: ()) -> Router {
//!         Router::new().route("/hello", get(|caller: Caller| async move {
//!             let user = caller.require_role(&["admin", "user"])?; // 401/403 problem+json otherwise
//!             Ok::<_, Problem>(format!("hello {}", user.email))
//!         }))
//!     }
//! }
//!
//! temps_bundle_sdk::register!(Greeter);
//! ```
//!
//! # What you get
//!
//! - **Requests that are already checked**: the host's signature and the caller's identity are verified before
//!   your handler runs; extract [`Caller`] or [`User`] and call [`Caller::require_role`] / [`Caller::require_admin`].
//!   `/health` and `/ui/` are the SDK's (your router cannot collide with them); a panicking handler answers 500.
//! - **Errors as problem+json**: return [`Problem`] (or your own error converted into it); [`extract::Json`]
//!   rejects bad bodies with a problem naming the field.
//! - **A [`Context`]**: your own data directory, the platform channel ([`Context::temps`], limited to what your
//!   manifest declares: [`channel`]), supervised background tasks ([`Context::spawn`]), the shutdown signal.
//! - **Events**: each subscribed platform event reaches [`Plugin::on_event`] once, on its own task.
//! - **Tests**: `temps_bundle_sdk::testing` (feature `testing`, for `[dev-dependencies]`) starts your member
//!   in-process exactly as a bundle serves it and calls it as a given caller.
//! - **Helper crates**: `temps-bundle-store` (SQLite through sea-orm, migrations, typed settings) and
//!   `temps-bundle-http` (the guarded outbound HTTP client).
//!
//! # The boundary
//!
//! A member uses [`prelude`], [`extract`], [`channel`], `testing`, the root items re-exported here, [`protocol`]
//! (the wire types) and [`include_dir`]; a kit that holds idle resources (the store's connections) hooks into
//! [`memory`]. Nothing else is public. A bundle's `main` uses [`host`] only.

#![warn(unreachable_pub)]

mod builder;
mod caller;
pub mod channel;
mod context;
mod engine;
mod events;
pub mod extract;
mod header_names;
pub mod host;
mod host_headers;
mod isolation;
pub mod memory;
mod panic;
mod plugin;
mod problem;
mod registry;
#[cfg_attr(not(feature = "testing"), allow(unreachable_pub, reason = "task statuses are public through testing"))]
mod tasks;
#[cfg(feature = "testing")]
pub mod testing;
mod ui;

pub use builder::ManifestBuilder;
pub use caller::{ADMIN_ROLES, Caller, User};
pub use context::Context;
pub use plugin::{BoxError, Plugin};
pub use problem::{PROBLEM_JSON, Problem};

pub use temps_bundle_protocol as protocol;
pub use temps_bundle_protocol::{Capability, HostPermission, NavEntry, NavSection, PluginEvent, PluginManifest};

pub use include_dir;

/// What a plugin module usually needs, in one `use`.
pub mod prelude {
    pub use crate::{
        BoxError, Caller, Capability, Context, HostPermission, ManifestBuilder, NavEntry, NavSection, Plugin,
        PluginEvent, PluginManifest, Problem, User, register,
    };
    pub use axum::Router;
}

/// What [`register!`] expands to. Not part of the API: names here may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::registry::{Registration, construct};
    pub use inventory;
}
