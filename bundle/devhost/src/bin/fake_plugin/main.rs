//! A tiny plugin speaking both protocol generations, for the dev host's own tests (and to try the console).
//!
//! It echoes proxied requests back as JSON, records events, and makes channel calls on demand (`POST /_fake/call`).
//! Extra flags: `--fake-ignore-sigterm`; env `FAKE_PLUGIN_EXTRA_MANIFEST` (a JSON object merged into the manifest).

mod channel;
mod routes;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Value, json};
use temps_bundle_protocol::{Generation, HelloMessage, LaunchConfig, ManifestLine, PROTOCOL_VERSION, ReadyMessage};
use tokio::io::AsyncBufReadExt;

/// What the fake learned from argv and stdin.
#[derive(Debug, Clone)]
pub(crate) struct Launch {
    pub(crate) generation: Generation,
    pub(crate) secret: String,
    pub(crate) name: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("fake plugin: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let socket = PathBuf::from(flag("--socket-path").ok_or("--socket-path is required")?);
    let data_dir = PathBuf::from(flag("--data-dir").ok_or("--data-dir is required")?);
    let name = data_dir.file_name().and_then(|n| n.to_str()).ok_or("bad --data-dir")?.to_owned();
    let generation = if flag("--auth-secret").is_some() { Generation::A } else { Generation::B };
    let manifest = manifest(&name)?;
    eprintln!("fake plugin: starting {name} ({generation:?}), args {args:?}");
    let secret = match generation {
        Generation::A => {
            say(&ManifestLine { manifest })?;
            flag("--auth-secret").unwrap_or_default()
        }
        Generation::B => {
            say(&HelloMessage { protocol_version: PROTOCOL_VERSION, manifest })?;
            read_launch_config().await?.auth_secret
        }
    };
    let listener = bind(&socket, &data_dir)?;
    let protocol_version = (generation == Generation::B).then_some(PROTOCOL_VERSION);
    say(&ReadyMessage { ready: true, has_ui: true, protocol_version, openapi: None })?;
    let launch = Launch { generation, secret, name };
    let app = routes::router(routes::FakeState::new(launch));
    let ignore_sigterm = args.iter().any(|a| a == "--fake-ignore-sigterm");
    axum::serve(listener, app).with_graceful_shutdown(terminated(ignore_sigterm)).await.map_err(|e| e.to_string())?;
    eprintln!("fake plugin: SIGTERM, bye");
    Ok(())
}

fn manifest(name: &str) -> Result<Value, String> {
    let mut manifest = json!({
        "name": name, "version": "0.1.0", "display_name": "Fake plugin", "description": null,
        "nav": [{"label": "Overview", "icon": "activity", "section": "platform", "path": "/", "order": 1}],
        "ui": null, "requires_db": false, "requires_host_data_access": false, "health_path": "/health",
        "hide_header": false, "public_paths": ["/public"], "capabilities": ["api_read"],
        "host_permissions": ["projects_read", "deployments_read", "events_read"], "events": ["deployment.*"],
    });
    if let Ok(extra) = std::env::var("FAKE_PLUGIN_EXTRA_MANIFEST") {
        merge(&mut manifest, serde_json::from_str(&extra).map_err(|e| format!("FAKE_PLUGIN_EXTRA_MANIFEST: {e}"))?);
    }
    Ok(manifest)
}

fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(target), Value::Object(extra)) = (target, extra) {
        target.extend(extra);
    }
}

/// One handshake line on stdout (the manifest stays a JSON value: tests merge arbitrary keys into it).
fn say(line: &impl serde::Serialize) -> Result<(), String> {
    let line = serde_json::to_string(line).map_err(|e| format!("handshake line: {e}"))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}").and_then(|()| stdout.flush()).map_err(|e| format!("stdout: {e}"))
}

async fn read_launch_config() -> Result<LaunchConfig, String> {
    let mut line = String::new();
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin());
    let read = tokio::time::timeout(Duration::from_secs(30), stdin.read_line(&mut line))
        .await
        .map_err(|_| "launch config: no line on stdin within 30s")?
        .map_err(|e| format!("launch config: {e}"))?;
    if read == 0 || !line.ends_with('\n') {
        return Err("launch config: stdin closed before a complete line".into());
    }
    let config: LaunchConfig = serde_json::from_str(&line).map_err(|e| format!("launch config: invalid JSON: {e}"))?;
    if config.protocol_version != PROTOCOL_VERSION {
        return Err(format!("launch config: protocol_version {} is not {PROTOCOL_VERSION}", config.protocol_version));
    }
    if config.auth_secret.trim().is_empty() {
        return Err("launch config: empty auth_secret".into());
    }
    Ok(config)
}

fn bind(socket: &Path, data_dir: &Path) -> Result<tokio::net::UnixListener, String> {
    std::fs::create_dir_all(data_dir).map_err(|e| format!("data dir: {e}"))?;
    let _ = std::fs::remove_file(socket);
    let listener = tokio::net::UnixListener::bind(socket).map_err(|e| format!("bind {}: {e}", socket.display()))?;
    std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o600)).map_err(|e| format!("chmod: {e}"))?;
    Ok(listener)
}

async fn terminated(ignore_sigterm: bool) {
    let Ok(mut sigterm) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
        return std::future::pending().await;
    };
    loop {
        sigterm.recv().await;
        if !ignore_sigterm {
            return;
        }
        eprintln!("fake plugin: ignoring SIGTERM");
    }
}
