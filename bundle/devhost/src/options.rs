//! How to spawn a plugin: a builder mirroring the knobs a Temps host (or a misbehaving one) has.

use std::path::PathBuf;
use std::time::Duration;

use temps_bundle_protocol::Generation;

use crate::fixtures::Fixtures;

/// What a Gen B host writes to the plugin's stdin after the `hello` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaunchConfigMode {
    /// The real launch config line, then stdin is closed.
    Normal,
    /// This text verbatim plus `"\n"`, then stdin is closed.
    Raw(String),
    /// These bytes verbatim (no newline added), then stdin is closed.
    RawNoNewline(Vec<u8>),
    /// Close stdin without writing anything.
    CloseWithoutLine,
    /// Never write and never close: tests the plugin's own launch-config timeout.
    KeepOpenSilent,
}

/// Options of [`crate::RunningPlugin::spawn`], builder style.
#[derive(Debug, Clone)]
pub struct SpawnOptions {
    pub(crate) program: PathBuf,
    pub(crate) generation: Generation,
    pub(crate) plugin_name: String,
    pub(crate) work_dir: Option<PathBuf>,
    pub(crate) extra_args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) clear_env: bool,
    pub(crate) launch_config: LaunchConfigMode,
    pub(crate) connect_channel: bool,
    pub(crate) fixtures: Fixtures,
    pub(crate) handshake_timeout: Duration,
    pub(crate) stop_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) granted_permissions: Option<Vec<String>>,
    pub(crate) auth_secret: Option<String>,
    pub(crate) database_url: Option<String>,
    pub(crate) host_api_url: Option<String>,
    pub(crate) installed_version: Option<String>,
    pub(crate) echo_stderr: bool,
    pub(crate) exec_through_fd: bool,
    pub(crate) socket_path: Option<PathBuf>,
    pub(crate) install_source: InstallSource,
}

/// Which install path a plugin came from (the console shows it).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InstallSource {
    /// An executable file, run as is (hosts A0–B1: dropped into `<data>/plugins/`).
    File { program: PathBuf },
    /// Built from a GitHub-source folder with Bun (hosts B2: `POST /x/plugins/install/repository`).
    Github(Box<crate::github::GithubBuild>),
}

/// The installed name used when none is given.
pub const DEFAULT_PLUGIN_NAME: &str = "temps-bundle";

impl SpawnOptions {
    /// Spawn `program` as an installed plugin of the given protocol generation, with Temps' defaults.
    pub fn new(program: impl Into<PathBuf>, generation: Generation) -> Self {
        let program = program.into();
        Self {
            program: program.clone(),
            generation,
            plugin_name: DEFAULT_PLUGIN_NAME.to_owned(),
            work_dir: None,
            extra_args: Vec::new(),
            env: Vec::new(),
            clear_env: false,
            launch_config: LaunchConfigMode::Normal,
            connect_channel: true,
            fixtures: Fixtures::builtin(),
            handshake_timeout: Duration::from_secs(30),
            stop_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(30),
            granted_permissions: None,
            auth_secret: None,
            database_url: None,
            host_api_url: None,
            installed_version: None,
            echo_stderr: std::env::var("TEMPS_DEVHOST_ECHO").is_ok_and(|v| v == "1"),
            exec_through_fd: false,
            socket_path: None,
            install_source: InstallSource::File { program: program.clone() },
        }
    }

    /// The installed plugin name: the data dir is `<work_dir>/plugin-data/<name>` and the socket `<name>.sock`.
    pub fn plugin_name(mut self, name: &str) -> Self {
        name.clone_into(&mut self.plugin_name);
        self
    }

    /// The Temps data directory holding `plugin-data/`; default: a fresh temporary directory owned by the handle.
    pub fn work_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.work_dir = Some(dir.into());
        self
    }

    /// An extra argv entry appended after the protocol argv (unknown flags, `--member`, …).
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.extra_args.push(arg.into());
        self
    }

    /// An environment variable for the child (set after clearing, when [`Self::clear_env`] is on).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Start the child with an empty environment, like the newest hosts.
    pub fn clear_env(mut self, yes: bool) -> Self {
        self.clear_env = yes;
        self
    }

    /// What to write to stdin after the `hello` line (Gen B only).
    pub fn launch_config(mut self, mode: LaunchConfigMode) -> Self {
        self.launch_config = mode;
        self
    }

    /// Whether to open the platform channel after `ready` (default true). A failed channel fails a Gen B spawn.
    pub fn connect_channel(mut self, yes: bool) -> Self {
        self.connect_channel = yes;
        self
    }

    /// The data channel calls are answered from.
    pub fn fixtures(mut self, fixtures: Fixtures) -> Self {
        self.fixtures = fixtures;
        self
    }

    /// How long to wait for each handshake line (Temps: 30 s).
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// How long [`crate::RunningPlugin::stop`] waits after SIGTERM before SIGKILL (default 2 s, like the CLI dev runner).
    pub fn stop_timeout(mut self, timeout: Duration) -> Self {
        self.stop_timeout = timeout;
        self
    }

    /// How long one HTTP request to the plugin may take, body included (default 30 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Behave like the newest hosts: a channel call or event delivery needs its host permission to be declared in the
    /// manifest *and* in this list (else `permission_denied` / no delivery). Without this, everything is allowed.
    pub fn granted_permissions<S: AsRef<str>>(mut self, permissions: &[S]) -> Self {
        self.granted_permissions = Some(permissions.iter().map(|p| p.as_ref().to_owned()).collect());
        self
    }

    /// Use this secret instead of a fresh UUIDv4 (e.g. to test the plugin's secret validation).
    pub fn auth_secret(mut self, secret: &str) -> Self {
        self.auth_secret = Some(secret.to_owned());
        self
    }

    /// The database URL handed to the plugin (Gen A argv; Gen B launch config when `requires_db`).
    /// Default: an SQLite file in the work dir.
    pub fn database_url(mut self, url: &str) -> Self {
        self.database_url = Some(url.to_owned());
        self
    }

    /// Pass `--host-api-url <url>` (Gen B only; hosts add it when they know their API address).
    pub fn host_api_url(mut self, url: &str) -> Self {
        self.host_api_url = Some(url.to_owned());
        self
    }

    /// Check the Gen B `hello` against the installed identity (name = plugin name, this version), as Temps does
    /// for installs; a mismatch fails the spawn at [`crate::HandshakeStep::Identity`].
    pub fn installed_version(mut self, version: &str) -> Self {
        self.installed_version = Some(version.to_owned());
        self
    }

    /// Execute the program through `/proc/self/fd/N` of an open descriptor, as the newest hosts run built plugins.
    pub fn exec_through_fd(mut self, yes: bool) -> Self {
        self.exec_through_fd = yes;
        self
    }

    /// Use this socket path (e.g. to restart on the same one, as a host does) instead of a fresh private directory.
    pub fn socket_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.socket_path = Some(path.into());
        self
    }

    /// Where the program came from, for the console (default: [`InstallSource::File`]).
    pub fn install_source(mut self, source: InstallSource) -> Self {
        self.install_source = source;
        self
    }

    /// Copy the child's stderr to ours as it arrives (default: when `TEMPS_DEVHOST_ECHO=1`).
    pub fn echo_stderr(mut self, yes: bool) -> Self {
        self.echo_stderr = yes;
        self
    }
}
