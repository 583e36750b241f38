//! A Temps host simulator: spawns a plugin binary and speaks the host side of the external-plugin protocol.
//!
//! [`RunningPlugin::spawn`] does what a Temps server does (argv, handshake of either generation, launch config,
//! platform channel) and then lets a test or a person drive the plugin: proxied HTTP requests with a chosen caller
//! identity ([`Caller`]), events ([`RunningPlugin::fire_event`]), channel calls answered from [`Fixtures`], and
//! SIGTERM/SIGKILL shutdown. [`server`] puts an HTTP front (the `temps-devhost` binary) in front of it.
//!
//! **Invariant:** nothing here is trusted by the plugin side: the simulator only uses the wire types of
//! `temps-bundle-protocol`, so a plugin that passes against it speaks the protocol, not this crate's internals.

mod answers;
mod caller;
mod channel;
mod error;
mod events;
mod fixtures;
mod github;
mod handshake;
mod host_context;
mod launch;
mod options;
mod plugin;
mod proxy;
mod response;
pub mod server;
mod spawn;
mod stderr;
mod time;
mod unix_http;

pub use caller::Caller;
pub use channel::RecordedCall;
pub use error::{DevHostError, HandshakeStep};
pub use events::{Delivery, new_event, sample_event, sample_event_data};
pub use fixtures::{DeploymentInfo, EnvironmentInfo, Fixtures, ProjectInfo};
pub use github::{GithubBuild, GithubInstall, install_github};
pub use options::{InstallSource, LaunchConfigMode, SpawnOptions};
pub use plugin::{RunningPlugin, StopReport};
pub use response::Response;
pub use temps_bundle_protocol::{CallError, ChannelErrorCode, Generation, PluginEvent, PluginManifest};
pub use time::rfc3339_now;
pub use unix_http::{MAX_RESPONSE_BODY, send_over};
