//! Running the plugin: handshake, start members, bind the socket, serve until a signal, shut down in order.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use temps_bundle_protocol::{Generation, PROTOCOL_VERSION, PluginManifest, ReadyMessage};
use tokio::net::UnixListener;
use tokio::sync::watch;

use super::BundleConfig;
use super::args::LaunchArgs;
use super::assemble::{Assembly, Parts, assemble};
use super::compose::{Composition, MemberEntry};
use super::composite::composite_manifest;
use super::error::EngineError;
use super::handshake::{self, Requested};
use super::openapi::{composite_openapi, openapi_json};
use super::server::{self, ServerLimits};
use super::service::BundleService;
use super::shutdown;
use super::signature::HostSecret;
use super::socket::bind_socket;
use super::start::{MemberSlot, start_members};
use crate::channel::ChannelHub;
use crate::context::LaunchFacts;
use crate::isolation::switch::SwitchStore;
use crate::isolation::{EffectiveLimits, MemberIsolation, stats, watchdog};

/// Whether this process serves the whole bundle or one member alone.
pub(crate) enum Mode {
    Composite,
    /// Split mode: one member, exactly like a standalone plugin.
    Split(Box<MemberEntry>),
}

/// Picks the mode: `--member m`, or a data dir whose basename names a member (and is not the bundle's name).
pub(crate) fn select_mode(config: &BundleConfig, set: &Composition, args: &LaunchArgs) -> Result<Mode, EngineError> {
    if let Some(name) = &args.member {
        return set
            .get(name)
            .cloned()
            .map(|entry| Mode::Split(Box::new(entry)))
            .ok_or_else(|| EngineError::UnknownMember { name: name.clone(), members: set.names() });
    }
    let basename = args.data_dir.as_deref().and_then(Path::file_name).and_then(|n| n.to_str());
    match basename.filter(|b| *b != config.name).and_then(|b| set.get(b)) {
        Some(entry) => Ok(Mode::Split(Box::new(entry.clone()))),
        None => Ok(Mode::Composite),
    }
}

/// The whole life of the plugin process after argv was recognised as a launch.
pub(crate) async fn run(config: BundleConfig, argv: &[String]) -> Result<(), EngineError> {
    let args = LaunchArgs::parse(argv)?;
    if !args.unknown.is_empty() {
        tracing::info!(flags = ?args.unknown, "ignoring unknown command-line flags");
    }
    let socket_path = args.require_socket_path()?.clone();
    let data_dir = args.require_data_dir()?.clone();
    let set = Composition::from_inventory(&config.expected_names())?;
    let mode = select_mode(&config, &set, &args)?;
    let generation = args.generation();
    let composite = composite_manifest(&config, &set);
    let (own_manifest, members) = match &mode {
        Mode::Composite => (composite.manifest.clone(), set.members.clone()),
        Mode::Split(entry) => (entry.manifest.clone(), vec![(**entry).clone()]),
    };
    match (&mode, generation) {
        (Mode::Composite, Generation::B) => handshake::write_hello(&composite)?,
        (Mode::Composite, Generation::A) => handshake::write_manifest_line(&composite)?,
        (Mode::Split(entry), Generation::B) => handshake::write_hello(&entry.manifest)?,
        (Mode::Split(entry), Generation::A) => handshake::write_manifest_line(&entry.manifest)?,
    }
    let launch = launch_facts(&args, &own_manifest).await?;

    create_dir(&data_dir).await?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let channel = Arc::new(ChannelHub::new(super::knobs::channel_config(generation)));
    let facts = LaunchFacts {
        generation,
        database_url: launch.database_url,
        host_data_dir: launch.host_data_dir,
        shutdown: shutdown_rx,
        channel: channel.clone(),
    };
    let split = matches!(mode, Mode::Split(_));
    let data_dir_of = |name: &str| if split { data_dir.clone() } else { data_dir.join(name) };
    // The kill switch is the bundle's (split mode has no `/_bundle` routes to flip it).
    let switch_store = (!split).then(|| SwitchStore::in_data_dir(&data_dir));
    let disabled = disabled_members(switch_store.as_ref());
    let isolation_of = |name: &str| {
        MemberIsolation::new(name, EffectiveLimits::resolve(&config.limits_of(name)), disabled.contains(name))
    };
    watchdog::start();
    let slots = start_members(&members, data_dir_of, isolation_of, &facts).await;
    stats::spawn_sampler(slots.iter().map(|slot| slot.isolation.clone()).collect());
    let ready = ReadyMessage {
        ready: true,
        has_ui: slots.iter().any(|s| s.ui.is_some()) || (!split && config.shell_ui.is_some()),
        protocol_version: (generation == Generation::B).then_some(PROTOCOL_VERSION),
        openapi: match &mode {
            Mode::Split(entry) => entry.member.openapi(),
            // One member's document at a time (see `composite_openapi`).
            Mode::Composite => composite_openapi(
                config.display_name,
                config.version,
                members.iter().filter_map(|m| Some((m.name.clone(), m.member.openapi()?))),
            ),
        },
    };
    let shell_ui = config.shell_ui.filter(|_| !split).map(crate::ui::ui_router);
    let Assembly { app, service, .. } = assemble(Parts {
        slots,
        secret: launch.secret,
        channel: channel.clone(),
        composite: (!split).then_some(composite),
        shell_ui,
        openapi: ready.openapi.as_ref().map(openapi_json),
        switch_store,
    });

    // Signal handlers go in before `ready`: a host may stop us the moment it reads that line.
    let signal = shutdown::termination()?;
    let limits = ServerLimits::from_env().fitted_to(server::limits::raise_descriptor_limit());
    let (listener, socket_file) = bind_socket(&socket_path)?;
    handshake::write_ready(&ready)?;
    // Its OpenAPI tree is kept as bytes by the app; the tree itself is not needed for the life of the process.
    drop(ready);
    // The start-up peak (that tree above all) is freed now: give its pages back, and the code that only ran to
    // start; from then on, periodically, whatever ran and stopped.
    super::resident::spawn_periodic_release();
    channel.mark_ready();
    tracing::info!(socket = %socket_path.display(), ?generation, members = app.dispatch.members().len(), split, "ready");
    watch_channel(channel, generation);

    serve_until_signal(listener, service, limits, signal, &shutdown_tx).await;
    shutdown_members(app.dispatch.members()).await;
    socket_file.remove();
    Ok(())
}

/// The members an administrator disabled, as stored; a file that cannot be read leaves every member enabled
/// (and says so), since refusing to start would take every member down for one switch.
fn disabled_members(store: Option<&SwitchStore>) -> BTreeSet<String> {
    let Some(store) = store else { return BTreeSet::new() };
    match store.load() {
        Ok(disabled) => {
            if !disabled.is_empty() {
                tracing::info!(members = ?disabled, "members disabled by an administrator stay disabled");
            }
            disabled
        }
        Err(error) => {
            tracing::error!(%error, "cannot read the kill-switch state; every member starts enabled");
            BTreeSet::new()
        }
    }
}

/// What the host handed over at launch: the secret, and the access the manifest asked for.
struct Launch {
    secret: HostSecret,
    database_url: Option<String>,
    host_data_dir: Option<PathBuf>,
}

/// Gen B: read and validate the launch config on stdin. Gen A: everything came in argv.
async fn launch_facts(args: &LaunchArgs, manifest: &PluginManifest) -> Result<Launch, EngineError> {
    match args.generation() {
        Generation::B => {
            let requested = Requested { database: manifest.requires_db, host_data: manifest.requires_host_data_access };
            let config = handshake::read_launch_config(handshake::launch_timeout(), requested).await?;
            Ok(Launch {
                secret: HostSecret::required(&config.auth_secret),
                database_url: config.database_url,
                host_data_dir: config.host_data_dir.map(PathBuf::from),
            })
        }
        Generation::A => {
            Ok(Launch { secret: HostSecret::none(), database_url: args.database_url.clone(), host_data_dir: None })
        }
    }
}

/// How soon after `ready` a host is expected to open the channel.
const CHANNEL_EXPECTED_WITHIN: Duration = Duration::from_secs(10);

/// A Gen B host opens the channel right after `ready` and kills the plugin if that fails; say so in the log when
/// it does not happen, since the kill itself leaves no trace on our side. Gen A hosts may never open it.
fn watch_channel(hub: Arc<ChannelHub>, generation: Generation) {
    tokio::spawn(async move {
        tokio::time::sleep(CHANNEL_EXPECTED_WITHIN).await;
        if hub.is_connected() {
            return;
        }
        hub.mark_absent();
        match generation {
            Generation::B => tracing::warn!(
                "the host has not opened the platform channel {} s after ready; a Gen B host kills plugins whose channel fails",
                CHANNEL_EXPECTED_WITHIN.as_secs()
            ),
            Generation::A => tracing::info!("no platform channel (normal for some Gen A hosts); serving without it"),
        }
    });
}

/// Serves until a signal (or the server's own end), then gives in-flight requests the grace period.
async fn serve_until_signal(
    listener: UnixListener,
    service: BundleService,
    limits: ServerLimits,
    signal: impl Future<Output = &'static str>,
    shutdown_tx: &watch::Sender<bool>,
) {
    let mut stopping = shutdown_tx.subscribe();
    let graceful = async move {
        let _ = stopping.wait_for(|s| *s).await;
    };
    let mut server = tokio::spawn(server::serve(listener, service, limits, graceful));
    tokio::select! {
        name = signal => {
            tracing::info!(signal = name, "shutting down: no new connections, waiting for in-flight requests");
            let _ = shutdown_tx.send(true);
            let grace = shutdown::grace();
            if tokio::time::timeout(grace, &mut server).await.is_err() {
                tracing::warn!(grace_ms = grace.as_millis() as u64, "in-flight requests did not finish in time; closing them");
                server.abort();
            }
        }
        _ = &mut server => {
            let _ = shutdown_tx.send(true);
        }
    }
}

async fn shutdown_members(members: &[Arc<MemberSlot>]) {
    let hooks = members.iter().filter_map(|slot| {
        let started = slot.started()?.clone();
        let name = slot.name.clone();
        Some(async move {
            let task = tokio::spawn(started.on_shutdown());
            match tokio::time::timeout(shutdown::MEMBER_SHUTDOWN_TIMEOUT, task).await {
                Ok(Ok(())) => tracing::info!(member = %name, "member shut down"),
                Ok(Err(join)) => {
                    tracing::error!(member = %name, error = %join, "on_shutdown panicked")
                }
                Err(_) => tracing::warn!(member = %name, "on_shutdown did not finish in time"),
            }
        })
    });
    futures_util::future::join_all(hooks).await;
}

async fn create_dir(path: &Path) -> Result<(), EngineError> {
    tokio::fs::create_dir_all(path).await.map_err(|source| EngineError::CreateDataDir { path: path.to_owned(), source })
}
