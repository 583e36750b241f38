//! The platform channel: one WebSocket from Temps serves every member. [`hub`] owns the connection and
//! multiplexes request ids; [`client`] is each member's scoped, typed view of it ([`Temps`]); [`server`] accepts
//! the host's upgrade at `/_temps/channel`.

pub mod client;
pub mod error;
pub mod hub;
pub mod server;

pub use client::{ApiRequest, Scope, Temps};
pub use error::ChannelError;
pub use hub::ChannelHub;
