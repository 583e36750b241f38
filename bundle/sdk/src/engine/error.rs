//! The engine's errors: one variant per failing step, each naming the value or path that failed.

use std::path::PathBuf;

/// Why the bundle could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
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
    LaunchConfig(String),
    #[error("cannot create data directory {path}: {source}")]
    CreateDataDir { path: PathBuf, source: std::io::Error },
    #[error("cannot remove stale socket {path}: {source}")]
    RemoveStaleSocket { path: PathBuf, source: std::io::Error },
    #[error("cannot bind socket {path}: {source}")]
    BindSocket { path: PathBuf, source: std::io::Error },
    #[error("cannot set mode 0600 on socket {path}: {source}")]
    ChmodSocket { path: PathBuf, source: std::io::Error },
    #[error("cannot listen for signals: {0}")]
    Signals(std::io::Error),
    #[error("server failed: {0}")]
    Serve(std::io::Error),
}
