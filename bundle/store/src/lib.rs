//! Shared storage for bundle members: one SQLite file per member (through sea-orm), versioned migrations, and
//! typed settings with a ready-made `GET|PATCH /settings` router.
//!
//! Every member that keeps state needs the same few things: a database file inside its own data directory that
//! survives `SIGKILL` and tolerates a second process (Temps starts a *candidate* process on the same data dir
//! during an update), a schema that evolves with the code, and a settings object admins can change. This crate
//! is that code, written once.
//!
//! ```no_run
//! use serde::{Deserialize, Serialize};
//! use temps_bundle_store::{FieldError, Migration, Settings, SettingsModel, Store, settings_routes};
//!
//! static MIGRATIONS: &[Migration] = &[Migration {
//!     version: 1,
//!     name: "create visits",
//!     sql: "CREATE TABLE visits (id INTEGER PRIMARY KEY, at TEXT NOT NULL);",
//! }];
//!
//! #[derive(Clone, Serialize, Deserialize)]
//! #[serde(default)]
//! struct GreeterSettings {
//!     greeting: String,
//! }
//!
//! impl Default for GreeterSettings {
//!     fn default() -> Self {
//!         Self { greeting: "Hello".into() }
//!     }
//! }
//!
//! impl SettingsModel for GreeterSettings {
//!     const KEY: &'static str = "greeter";
//!
//!     fn validate(&self) -> Result<(), Vec<FieldError>> {
//!         if self.greeting.trim().is_empty() {
//!             return Err(vec![FieldError::new("greeting", "must not be empty")]);
//!         }
//!         Ok(())
//!     }
//! }
//!
//! # async fn start(ctx: &temps_bundle_sdk::Context) -> Result<axum::Router, temps_bundle_store::StoreError> {
//! // In `Plugin::on_start`: open `<data-dir>/greeter.sqlite3`, migrate it, load the settings.
//! let store = Store::open_for(ctx, "greeter.sqlite3", MIGRATIONS).await?;
//! let settings = Settings::<GreeterSettings>::load(&store).await?;
//! let greeting = settings.current().greeting;
//! // In `Plugin::router`: mount `GET|PATCH /settings` next to the member's own routes.
//! Ok(axum::Router::new().merge(settings_routes(settings)))
//! # }
//! ```
//!
//! A member with an OpenAPI document describes those two routes with [`describe_settings_routes!`] rather than
//! writing them out again.
//!
//! **Invariant:** only the SQLite backend is compiled in (no TLS, no network database drivers); a member that
//! must share state across Temps nodes declares `requires_db` and brings its own PostgreSQL connection.

pub mod cap;
mod error;
mod merge_patch;
mod migrate;
mod openapi;
mod routes;
mod settings;
mod store;
pub mod timestamp;

pub use error::{SettingsError, StoreError};
pub use merge_patch::merge_patch;
pub use migrate::Migration;
pub use routes::settings_routes;
pub use settings::{FieldError, Settings, SettingsModel};
pub use store::{BUSY_TIMEOUT, Store};

/// sea-orm, re-exported so members use exactly the version the store was built with.
pub use sea_orm;
