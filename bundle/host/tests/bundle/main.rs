//! Integration tests of the real `temps-bundle` binary, driven over its Unix socket by the dev host the way Temps
//! drives it. The binary is built from `tests/host-tests.toml` (a bundle file): the test-only members (`boom`, `broken`,
//! `slow`, `tally`, `sleepy`, `stuck`, `laggard`) next to `hello` and the production plugins.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail the test loudly")]

mod bundle_files;
mod channel;
mod channel_limits;
mod cli;
mod connections;
mod deploy_pulse;
mod event_backlog;
mod events;
mod handshake;
mod headers;
mod isolation;
mod kill_switch;
mod launch_config;
// The web workspace installs Bun for linux x64 only (`@oven/bun-linux-x64-baseline`).
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod launcher;
mod lifecycle;
mod local_registry;
mod metrics;
mod notify;
mod routing;
mod site_audit;
mod support;
