//! The engine's errors: one variant per failing step, each naming the value or path that failed.

use std::path::PathBuf;
use std::time::Duration;

use crate::plugin::BoxError;

/// Why the bundle could not start or run.
#[derive(Debug, thiserror::Error)]
pub(crate) enum EngineError {
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("bad command line: {0}")]
    Args(String),
    #[error("invalid member set: {}", .0.join("; "))]
    Composition(Vec<String>),
    #[error("--member {name:?} is not a member of this bundle (members: {members})")]
    UnknownMember { name: String, members: String },
    #[error("cannot write the handshake line to stdout: {0}")]
    WriteHandshake(std::io::Error),
    #[error("launch config: {0}")]
    LaunchConfig(#[from] LaunchConfigError),
    #[error("cannot create data directory {path}: {source}")]
    CreateDataDir { path: PathBuf, source: std::io::Error },
    #[error("cannot remove stale socket {path}: {source}")]
    RemoveStaleSocket { path: PathBuf, source: std::io::Error },
    #[error("refusing to take over socket path {path}: {reason}")]
    SocketPathTaken { path: PathBuf, reason: String },
    #[error("cannot bind socket {path}: {source}")]
    BindSocket { path: PathBuf, source: std::io::Error },
    #[error("cannot set mode 0600 on socket {path}: {source}")]
    ChmodSocket { path: PathBuf, source: std::io::Error },
    #[error("cannot listen for signals: {0}")]
    Signals(std::io::Error),
}

/// Why the Gen B launch config on stdin was refused (protocol §2.2 step 4). The plugin exits 1 with this message.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LaunchConfigError {
    #[error("no launch config on stdin within {} ms", .after.as_millis())]
    Timeout { after: Duration },
    #[error("the stdin reader stopped unexpectedly")]
    ReaderStopped,
    #[error("cannot read stdin: {0}")]
    Read(std::io::Error),
    #[error("stdin was closed before a launch config line arrived")]
    Closed,
    #[error("the launch config line is longer than {limit} bytes")]
    TooLong { limit: usize },
    #[error("the launch config line is not UTF-8")]
    NotUtf8,
    #[error("the launch config line is empty")]
    Empty,
    #[error("the launch config is not valid JSON of the expected shape: {0}")]
    Json(serde_json::Error),
    #[error("protocol_version is {given}, this plugin speaks {speaks}")]
    ProtocolVersion { given: u32, speaks: u32 },
    #[error("auth_secret {0}")]
    Secret(&'static str),
    #[error("the manifest sets {flag} but {key} is null")]
    Withheld { key: &'static str, flag: &'static str },
    #[error("{key} was given but the manifest does not set {flag}")]
    Unrequested { key: &'static str, flag: &'static str },
}

/// Why one member failed to start. Its `Display` is the cause shown in the member's 503s, in `/health` and in the
/// live manifest; the other members serve regardless.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StartError {
    #[error("cannot create data directory {}: {source}", .path.display())]
    CreateDataDir { path: PathBuf, source: std::io::Error },
    #[error("on_start did not finish within {} ms", .after.as_millis())]
    Timeout { after: Duration },
    #[error("on_start panicked: {message}")]
    Panicked { message: String },
    #[error("on_start was cancelled: {detail}")]
    Cancelled { detail: String },
    #[error("on_start failed: {0}")]
    Failed(BoxError),
    #[error("building its router panicked: {message}")]
    RouterPanicked { message: String },
}
