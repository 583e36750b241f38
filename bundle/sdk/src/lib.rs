//! The temps-bundle SDK: what a plugin author uses, and the engine that hosts many plugins in one Temps plugin process.
//!
//! A member implements [`Plugin`] and calls [`register!`]; the host binary links the member crates and calls
//! [`engine::main`]. Everything protocol-shaped lives in [`protocol`] (re-exported from `temps-bundle-protocol`).

pub mod builder;
pub mod caller;
pub mod channel;
pub mod context;
mod engine;
pub mod events;
pub mod extract;
pub mod host;
mod isolation;
mod panic;
pub mod plugin;
pub mod problem;
pub mod registry;
pub mod tasks;
#[cfg(feature = "testing")]
pub mod testing;
pub mod ui;

pub use builder::ManifestBuilder;
pub use caller::{Caller, User};
pub use context::Context;
pub use plugin::{BoxError, Plugin};
pub use problem::Problem;
pub use registry::Registration;

pub use temps_bundle_protocol as protocol;
pub use temps_bundle_protocol::{Capability, HostPermission, NavEntry, NavSection, PluginEvent, PluginManifest};

#[doc(hidden)]
pub use inventory;

pub use include_dir;

/// What a plugin module usually needs, in one `use`.
pub mod prelude {
    pub use crate::{
        BoxError, Caller, Capability, Context, HostPermission, ManifestBuilder, NavEntry, NavSection, Plugin,
        PluginEvent, PluginManifest, Problem, User, register,
    };
    pub use axum::Router;
}
