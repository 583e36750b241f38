//! The Temps external-plugin wire types, shared by the bundle runtime and the dev host.
//!
//! Everything here mirrors `shared/docs/temps-protocol.md`: the manifest (§4), the start-up handshake of both
//! protocol generations (§2), the channel frames (§7), events (§8) and the header names of the HTTP proxy (§5).
//! **Invariant:** this crate does no I/O; it is serde types and pure validation only.

pub mod channel;
pub mod event;
pub mod handshake;
pub mod headers;
pub mod manifest;
pub mod method;
pub mod names;
pub mod permission;
pub mod platform;

pub use channel::{CallError, ChannelErrorCode, ChannelFrame, ChannelRequest, GenAFrame, Outcome};
pub use event::PluginEvent;
pub use handshake::{Generation, HandshakeLine, HelloMessage, LaunchConfig, ManifestLine, ReadyMessage};
pub use manifest::{Capability, NavEntry, NavSection, PluginManifest, UiManifest, UiRoute};
pub use method::Method;
pub use permission::HostPermission;
pub use platform::{
    ApiBody, ApiCallParams, ApiCallResult, DeploymentInfo, EnvironmentInfo, GenerateAiParams, GenerateAiResult,
    ProjectInfo,
};

/// The protocol version a Gen B plugin announces and expects in its launch config.
pub const PROTOCOL_VERSION: u32 = 2;

/// The largest handshake line a host accepts on stdout (§2).
pub const MAX_HANDSHAKE_LINE: usize = 2 * 1024 * 1024;

/// The largest launch-config line the plugin accepts on stdin (the official SDK's bound, §2.2).
pub const MAX_LAUNCH_CONFIG_LINE: usize = 64 * 1024;
