//! The platform channel: one WebSocket from Temps serves every member. [`Temps`] (from `ctx.temps()`) is a
//! member's scoped, typed view of it: each call is refused locally unless the member's manifest declares what it
//! needs, and fails with a [`ChannelError`] that says why. The engine owns the connection itself (the hub).

mod client;
mod config;
mod error;
pub(crate) mod hub;

pub(crate) use client::Scope;
pub use client::{ApiRequest, Temps};
pub(crate) use config::ChannelConfig;
pub use error::ChannelError;
pub(crate) use hub::ChannelHub;
/// An `api_call` body (the protocol's record): build one with [`ApiRequest::with_json`].
pub use temps_bundle_protocol::ApiBody;
