//! A plugin process that completed the handshake, and what the host knows about it.

mod events;
mod http;
mod lifecycle;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use temps_bundle_protocol::{Generation, PluginManifest, ReadyMessage};
use tokio::process::{Child, ChildStdin};

use crate::channel::{Channel, ChannelLog, RecordedCall};
use crate::error::DevHostError;
use crate::fixtures::Fixtures;
use crate::host_context::HostContext;
use crate::launch::Paths;
use crate::options::SpawnOptions;
use crate::stderr::StderrBuffer;

pub use lifecycle::StopReport;

/// A running plugin, driven like Temps drives it. Dropping the handle SIGKILLs the child.
#[derive(Debug)]
pub struct RunningPlugin {
    // Declared first so they drop first: the child dies before its socket dir and work dir are removed.
    pub(crate) child: Child,
    pub(crate) channel: Option<Channel>,
    /// Held open for [`crate::LaunchConfigMode::KeepOpenSilent`].
    pub(crate) _stdin: Option<ChildStdin>,
    pub(crate) generation: Generation,
    pub(crate) first_line: String,
    pub(crate) ready_line: String,
    pub(crate) ready: ReadyMessage,
    pub(crate) manifest_json: Value,
    pub(crate) host: Arc<HostContext>,
    pub(crate) secret: String,
    pub(crate) database_url: String,
    pub(crate) plugin_name: String,
    pub(crate) install_source: crate::options::InstallSource,
    pub(crate) stderr: StderrBuffer,
    pub(crate) channel_log: Arc<ChannelLog>,
    pub(crate) stop_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) paths: Paths,
}

impl RunningPlugin {
    /// Spawns the plugin and completes the handshake (and, unless disabled, the channel).
    pub async fn spawn(opts: SpawnOptions) -> Result<RunningPlugin, DevHostError> {
        crate::spawn::spawn(opts).await
    }

    pub fn generation(&self) -> Generation {
        self.generation
    }

    /// The manifest from the first handshake line.
    pub fn manifest(&self) -> &PluginManifest {
        &self.host.manifest
    }

    /// The manifest exactly as the plugin sent it, unknown keys (such as `bundle`) included.
    pub fn manifest_json(&self) -> &Value {
        &self.manifest_json
    }

    /// The exact first stdout line (without its `\n`).
    pub fn first_line(&self) -> &str {
        &self.first_line
    }

    /// The exact ready line (without its `\n`).
    pub fn ready_line(&self) -> &str {
        &self.ready_line
    }

    /// The parsed ready line (`openapi` included when sent).
    pub fn ready(&self) -> &ReadyMessage {
        &self.ready
    }

    /// The auth secret (Gen A: argv `--auth-secret`; Gen B: the launch config's).
    pub fn secret(&self) -> &str {
        &self.secret
    }

    pub fn socket_path(&self) -> &Path {
        &self.paths.socket_path
    }

    /// `<work_dir>/plugin-data/<name>` (the host creates `plugin-data/`, the plugin its own directory).
    pub fn data_dir(&self) -> &Path {
        &self.paths.data_dir
    }

    /// The Temps data directory (also the Gen B `host_data_dir`).
    pub fn work_dir(&self) -> &Path {
        &self.paths.work_dir
    }

    /// The installed name (basename of the data dir).
    pub fn plugin_name(&self) -> &str {
        &self.plugin_name
    }

    /// Which install path the plugin came from.
    pub fn install_source(&self) -> &crate::options::InstallSource {
        &self.install_source
    }

    /// The database URL handed to the plugin (Gen B: only when the manifest has `requires_db`).
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// The fixtures channel calls are answered from.
    pub fn fixtures(&self) -> &Fixtures {
        &self.host.fixtures
    }

    /// The process id, while the child runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Everything the child wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.text()
    }

    /// Whether the platform channel is open.
    pub fn channel_connected(&self) -> bool {
        self.channel.as_ref().is_some_and(Channel::is_connected)
    }

    /// Every call the plugin made on the channel, in order, with the host's answer.
    pub fn channel_calls(&self) -> Vec<RecordedCall> {
        self.channel_log.calls()
    }

    /// Frames the host could not accept (wrong generation, missing `params`, binary frames, …).
    pub fn channel_protocol_errors(&self) -> Vec<String> {
        self.channel_log.protocol_errors()
    }

    /// The socket file's permission bits (the protocol wants `0o600`).
    pub fn socket_mode(&self) -> std::io::Result<u32> {
        use std::os::unix::fs::PermissionsExt;
        Ok(std::fs::metadata(&self.paths.socket_path)?.permissions().mode() & 0o777)
    }
}
