//! Integration tests of the dev host: broken and well-behaved plugins, the proxy, the channel, events, shutdown
//! and the HTTP front. Children are bash scripts written into temp dirs and the crate's fake plugin binary.

mod channel;
mod events;
mod front;
mod handshake;
mod lifecycle;
mod proxy;
mod support;
