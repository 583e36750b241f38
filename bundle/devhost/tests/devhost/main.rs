//! Integration tests of the dev host: broken and well-behaved plugins, the proxy, the channel, events, shutdown
//! and the HTTP front. Children are bash scripts written into temp dirs and the crate's fake plugin binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "clippy.toml only covers #[test] fns; in test helpers too a failed unwrap is a failed test"
)]

mod channel;
mod events;
mod front;
mod handshake;
mod lifecycle;
mod proxy;
mod support;
