//! Starting a plugin the way Temps does: spawn (§1), the handshake (§2) and the channel (§7).

use std::sync::Arc;
use std::time::Duration;

use temps_bundle_protocol::Generation;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin};

use crate::channel::{self, ChannelLog};
use crate::error::{DevHostError, HandshakeStep};
use crate::handshake::reader::{self, read_line};
use crate::handshake::{self as hs, AcceptedFirstLine};
use crate::host_context::HostContext;
use crate::launch::{Paths, command, prepare_paths};
use crate::options::{LaunchConfigMode, SpawnOptions};
use crate::plugin::RunningPlugin;
use crate::stderr::StderrBuffer;

/// How long a failing child gets to exit by itself before it is killed.
const EXIT_GRACE: Duration = Duration::from_millis(200);

/// Spawns the plugin and completes the handshake; on failure the child is killed and the error says which step failed.
pub(crate) async fn spawn(opts: SpawnOptions) -> Result<RunningPlugin, DevHostError> {
    let paths = prepare_paths(&opts)?;
    let secret = opts.auth_secret.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let database_url = opts
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", paths.work_dir.join("temps.db").display()));
    let spawn_error = |e: std::io::Error| DevHostError::Handshake {
        step: HandshakeStep::Spawn,
        detail: format!("cannot execute {}: {e}", opts.program.display()),
        exit_status: None,
        stderr: String::new(),
    };
    let (mut command, held_program) = command(&opts, &paths, &secret, &database_url).map_err(spawn_error)?;
    let mut child = command.spawn().map_err(spawn_error)?;
    drop(held_program);
    let stderr = StderrBuffer::start(child.stderr.take(), opts.echo_stderr);
    // Taken out first: `Child::wait` closes a stdin it still holds, which would look like an empty launch config.
    let stdin = child.stdin.take();
    let mut starting = Starting { child, stderr };
    let handshake = starting.handshake(&opts, &paths, &secret, &database_url, stdin).await;
    let (accepted, first_line, ready_line, ready, stdin) = match handshake {
        Ok(done) => done,
        Err((step, detail)) => return Err(starting.fail(step, detail).await),
    };
    let host = Arc::new(HostContext::new(opts.fixtures.clone(), accepted.manifest, opts.granted_permissions.clone()));
    let channel_log = Arc::new(ChannelLog::default());
    let channel = match opts.connect_channel {
        false => None,
        true => {
            let secret = (opts.generation == Generation::B).then_some(secret.as_str());
            let connected = channel::connect(
                &paths.socket_path,
                opts.generation,
                secret,
                Arc::clone(&host),
                Arc::clone(&channel_log),
            )
            .await;
            match (connected, opts.generation) {
                (Ok(channel), _) => Some(channel),
                (Err(detail), Generation::B) => return Err(starting.fail(HandshakeStep::Channel, detail).await),
                (Err(detail), Generation::A) => {
                    tracing::warn!(%detail, "no platform channel (a Gen A plugin must keep serving without it)");
                    None
                }
            }
        }
    };
    tracing::info!(name = %host.manifest.name, version = %host.manifest.version, generation = ?opts.generation, "plugin ready");
    Ok(RunningPlugin {
        child: starting.child,
        channel,
        _stdin: stdin,
        generation: opts.generation,
        first_line,
        ready_line,
        ready,
        manifest_json: accepted.manifest_json,
        host,
        secret,
        database_url,
        plugin_name: opts.plugin_name,
        install_source: opts.install_source,
        stderr: starting.stderr,
        channel_log,
        stop_timeout: opts.stop_timeout,
        request_timeout: opts.request_timeout,
        paths,
    })
}

type Handshaken = (AcceptedFirstLine, String, String, temps_bundle_protocol::ReadyMessage, Option<ChildStdin>);

/// A child between spawn and ready.
struct Starting {
    child: Child,
    stderr: StderrBuffer,
}

impl Starting {
    async fn handshake(
        &mut self,
        opts: &SpawnOptions,
        paths: &Paths,
        secret: &str,
        database_url: &str,
        stdin: Option<ChildStdin>,
    ) -> Result<Handshaken, (HandshakeStep, String)> {
        let stdout = self.child.stdout.take().ok_or((HandshakeStep::Spawn, "stdout is not a pipe".to_owned()))?;
        let mut stdout = BufReader::new(stdout);
        let timeout = opts.handshake_timeout;
        let first_line = read_line(&mut stdout, &mut self.child, timeout)
            .await
            .map_err(|e| (HandshakeStep::FirstLine, e.describe("its first handshake line")))?;
        let accepted =
            hs::parse_first_line(opts.generation, &first_line).map_err(|d| (HandshakeStep::WrongFirstLine, d))?;
        check_installed_identity(opts, &accepted).map_err(|d| (HandshakeStep::Identity, d))?;
        let stdin = match opts.generation {
            Generation::A => None,
            Generation::B => {
                let config =
                    hs::launch_config(&accepted.manifest, secret, database_url, &paths.work_dir.to_string_lossy());
                let line = serde_json::to_string(&config).map_err(|e| (HandshakeStep::LaunchConfig, e.to_string()))?;
                // Bounded: a plugin that never reads stdin must not hang the host once the pipe buffer is full.
                let written = tokio::time::timeout(timeout, write_launch_config(stdin, &opts.launch_config, &line))
                    .await
                    .unwrap_or_else(|_| {
                        Err(std::io::Error::other(format!("the plugin did not read it within {timeout:?}")))
                    });
                written.map_err(|e| {
                    (HandshakeStep::LaunchConfig, format!("cannot write the launch config to stdin: {e}"))
                })?
            }
        };
        let ready_line = read_line(&mut stdout, &mut self.child, timeout)
            .await
            .map_err(|e| (HandshakeStep::ReadyLine, e.describe("its ready line")))?;
        let ready = hs::parse_ready_line(opts.generation, &ready_line).map_err(|d| (HandshakeStep::ReadyLine, d))?;
        // After `ready` Temps stops reading stdout; closing our end makes stray writes fail visibly in the plugin.
        drop(stdout);
        Ok((accepted, first_line, ready_line, ready, stdin))
    }

    /// Kills the child unless it already exited, and builds the error with its exit status and stderr.
    async fn fail(&mut self, step: HandshakeStep, detail: String) -> DevHostError {
        // A child that closed stdout is usually about to exit: give it a moment so its status can be reported.
        let exited = match tokio::time::timeout(EXIT_GRACE, self.child.wait()).await {
            Ok(Ok(status)) => Some(status),
            _ => None,
        };
        if exited.is_none() {
            let _ = self.child.start_kill();
            let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        }
        self.stderr.wait_finished(Duration::from_millis(500)).await;
        let exit_status = exited.and_then(|status| status.code());
        let detail = match exited {
            Some(status) if !detail.contains(&reader::describe_exit(status)) => {
                format!("{detail}; the plugin {}", reader::describe_exit(status))
            }
            _ => detail,
        };
        DevHostError::Handshake { step, detail, exit_status, stderr: self.stderr.text() }
    }
}

fn check_installed_identity(opts: &SpawnOptions, accepted: &AcceptedFirstLine) -> Result<(), String> {
    let Some(version) = &opts.installed_version else { return Ok(()) };
    let manifest = &accepted.manifest;
    if opts.generation == Generation::B && (manifest.name != opts.plugin_name || &manifest.version != version) {
        return Err(format!(
            "the plugin says it is `{}` {}, but `{}` {version} is installed",
            manifest.name, manifest.version, opts.plugin_name
        ));
    }
    Ok(())
}

/// Writes stdin as the mode says; returns stdin when it must stay open.
async fn write_launch_config(
    stdin: Option<ChildStdin>,
    mode: &LaunchConfigMode,
    line: &str,
) -> std::io::Result<Option<ChildStdin>> {
    let Some(mut stdin) = stdin else { return Err(std::io::Error::other("stdin is not a pipe")) };
    let bytes: Vec<u8> = match mode {
        LaunchConfigMode::Normal => format!("{line}\n").into_bytes(),
        LaunchConfigMode::Raw(text) => format!("{text}\n").into_bytes(),
        LaunchConfigMode::RawNoNewline(bytes) => bytes.clone(),
        LaunchConfigMode::CloseWithoutLine => Vec::new(),
        LaunchConfigMode::KeepOpenSilent => return Ok(Some(stdin)),
    };
    stdin.write_all(&bytes).await?;
    stdin.flush().await?;
    Ok(None)
}
