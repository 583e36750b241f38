//! The one error type of the dev host: every failing operation is a variant that names what failed.

use std::path::PathBuf;
use std::time::Duration;

/// Which step of the start-up handshake (temps-protocol.md §1–§2, §7) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandshakeStep {
    /// Starting the process (missing file, not executable, …).
    Spawn,
    /// No first stdout line arrived: the plugin exited, closed stdout, timed out or wrote an over-long line.
    FirstLine,
    /// A first line arrived but it is not the handshake message this generation expects.
    WrongFirstLine,
    /// The manifest does not match the installed identity (Gen B, opt-in via [`crate::SpawnOptions::installed_version`]).
    Identity,
    /// Writing the Gen B launch config to the plugin's stdin failed.
    LaunchConfig,
    /// The `ready` line did not arrive or is not valid.
    ReadyLine,
    /// The platform channel could not be opened (fatal in Gen B, like Temps).
    Channel,
}

impl std::fmt::Display for HandshakeStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Spawn => "spawn",
            Self::FirstLine => "first line",
            Self::WrongFirstLine => "wrong first line",
            Self::Identity => "identity",
            Self::LaunchConfig => "launch config",
            Self::ReadyLine => "ready line",
            Self::Channel => "channel",
        })
    }
}

/// Everything that can go wrong while simulating the host.
#[derive(Debug, thiserror::Error)]
pub enum DevHostError {
    /// The plugin did not complete the start-up handshake; the child has been killed (unless it exited by itself).
    #[error(
        "plugin handshake failed at step `{step}`: {detail}{}{}",
        exit_suffix(*exit_status),
        stderr_suffix(stderr)
    )]
    Handshake { step: HandshakeStep, detail: String, exit_status: Option<i32>, stderr: String },

    /// A directory or file the host prepares before spawning could not be created.
    #[error("cannot prepare {what} at {}: {source}", path.display())]
    Prepare { what: &'static str, path: PathBuf, source: std::io::Error },

    /// The fixtures file could not be read or parsed.
    #[error("cannot load fixtures from {}: {detail}", path.display())]
    Fixtures { path: PathBuf, detail: String },

    /// Nothing accepts connections on the plugin's socket (Temps answers 502 then).
    #[error("plugin socket {} is unreachable: {source}", path.display())]
    Unreachable { path: PathBuf, source: std::io::Error },

    /// The HTTP exchange with the plugin failed after connecting.
    #[error("HTTP {method} {path} to the plugin failed: {source}")]
    Http { method: http::Method, path: String, source: hyper::Error },

    /// The plugin did not answer within the request timeout.
    #[error("HTTP {method} {path} to the plugin timed out after {timeout:?}")]
    RequestTimeout { method: http::Method, path: String, timeout: Duration },

    /// The plugin's response body exceeds what the dev host buffers.
    #[error("the plugin's response to {path} exceeds {limit} bytes")]
    ResponseTooLarge { path: String, limit: usize },

    /// The request handed to the dev host cannot be sent as given.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// A response body expected to be JSON is not.
    #[error("response body is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),

    /// Sending a signal to the child or waiting for it failed.
    #[error("cannot {action} the plugin process: {detail}")]
    Process { action: &'static str, detail: String },

    /// A GitHub-source folder could not be installed (what the host would refuse, or a failed Bun step).
    #[error("cannot install {} as a GitHub-source plugin: {detail}", folder.display())]
    GithubInstall { folder: PathBuf, detail: String },

    /// The child did not exit within the given time.
    #[error("the plugin did not exit within {0:?}")]
    ExitTimeout(Duration),
}

impl DevHostError {
    /// The failed handshake step, if this is a handshake failure.
    pub fn handshake_step(&self) -> Option<HandshakeStep> {
        match self {
            Self::Handshake { step, .. } => Some(*step),
            _ => None,
        }
    }

    /// Whether the plugin could not be reached or did not answer (the host would answer 502).
    pub fn is_bad_gateway(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. } | Self::Http { .. } | Self::RequestTimeout { .. } | Self::ResponseTooLarge { .. }
        )
    }
}

fn exit_suffix(exit_status: Option<i32>) -> String {
    exit_status.map(|code| format!(" (plugin exited with status {code})")).unwrap_or_default()
}

/// The last lines of the child's stderr, so a failed test shows why the plugin gave up.
fn stderr_suffix(stderr: &str) -> String {
    const TAIL_LINES: usize = 20;
    let lines: Vec<&str> = stderr.lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let tail = &lines[lines.len().saturating_sub(TAIL_LINES)..];
    format!("\n--- plugin stderr (last {} lines) ---\n{}", tail.len(), tail.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_message_names_step_status_and_stderr() {
        let err = DevHostError::Handshake {
            step: HandshakeStep::ReadyLine,
            detail: "the plugin exited before sending its ready line".into(),
            exit_status: Some(1),
            stderr: "launch config: protocol_version 3 is not 2\n".into(),
        };
        let text = err.to_string();
        assert!(text.starts_with("plugin handshake failed at step `ready line`: the plugin exited"), "{text}");
        assert!(text.contains("(plugin exited with status 1)"), "{text}");
        assert!(text.ends_with("protocol_version 3 is not 2"), "{text}");
        assert_eq!(err.handshake_step(), Some(HandshakeStep::ReadyLine));
    }
}
