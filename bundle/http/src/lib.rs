//! `temps-bundle-http`: the one outbound HTTP client members use (webhooks, crawlers).
//!
//! [`OutboundClient`] wraps reqwest (rustls, no system proxy) with a connect and a total timeout, a response size
//! cap enforced while streaming, a redirect limit, a `temps-bundle/<version> (+member <name>)` user agent, and a
//! guard ([`guard::forbidden_reason`]) that refuses private, loopback, link-local, unique-local, unspecified,
//! multicast, broadcast and CGNAT targets. The guard runs on the *resolved* addresses, inside the client's own DNS
//! resolver ([`resolver::GuardedResolver`]), so a name that resolves to a private address, a DNS answer that changes
//! between check and connect (rebinding) and a redirect to a private host are all refused; IP-literal URLs (which
//! skip DNS) are checked before sending and on every redirect hop.
//!
//! The operator can open the guard with [`OutboundPolicy`] (`TEMPS_BUNDLE_ALLOW_PRIVATE_TARGETS=1`,
//! `TEMPS_BUNDLE_ALLOW_HOSTS=a,b`) for self-hosted receivers and tests.
//!
//! **Invariant:** no request leaves this client without its target address having passed the guard.

mod client;
mod error;
pub mod guard;
mod policy;
pub mod resolver;
mod response;
mod shared;

pub use client::{ClientConfig, OutboundClient, OutboundRequest, redact, user_agent};
pub use error::HttpError;
pub use policy::{ALLOW_HOSTS_ENV, ALLOW_PRIVATE_ENV, OutboundPolicy};
pub use response::{OutboundResponse, OutboundStream};

pub use reqwest::Method;

#[cfg(test)]
mod tests;
