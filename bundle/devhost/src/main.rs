//! `temps-devhost`: run a plugin binary under a simulated Temps host and open its UI in a browser.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use temps_bundle_devhost::server::{self, FrontState};
use temps_bundle_devhost::{Caller, Fixtures, Generation, GithubInstall, RunningPlugin, SpawnOptions, install_github};
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

/// Spawns a Temps plugin like a Temps server would and serves it on http://127.0.0.1:<port>/.
///
/// `temps-devhost [flags] -- PLUGIN [ARGS]` runs an executable (the drop-in install of older hosts);
/// `temps-devhost [flags] install-github DIR` builds a GitHub-source folder with Bun first, like the newest hosts.
#[derive(Debug, Parser)]
#[command(name = "temps-devhost", version)]
struct Args {
    #[command(subcommand)]
    install: Option<Install>,
    /// Protocol generation to speak: `a` (legacy, secret in argv) or `b` (v2, launch config on stdin).
    #[arg(long = "gen", value_enum, default_value = "b", global = true)]
    generation: GenArg,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080, global = true)]
    port: u16,
    /// Role of the dev user whose identity is injected into proxied requests.
    #[arg(long, default_value = "admin", global = true)]
    role: String,
    /// Fixtures (projects, environments, deployments) answering channel calls; default: the built-in set.
    #[arg(long, global = true)]
    fixtures: Option<PathBuf>,
    /// Installed plugin name (basename of the data dir); default: the program's file name.
    #[arg(long, global = true)]
    name: Option<String>,
    /// Temps data dir holding plugin-data/; default: a temporary directory removed on exit.
    #[arg(long, global = true)]
    work_dir: Option<PathBuf>,
    /// Grant only these host permissions (comma-separated), like the newest hosts; default: allow everything.
    #[arg(long, value_delimiter = ',', global = true)]
    grant: Option<Vec<String>>,
    /// Do not open the platform channel.
    #[arg(long, global = true)]
    no_channel: bool,
    /// Start the plugin with an empty environment, like the newest hosts.
    #[arg(long, global = true)]
    clear_env: bool,
    /// Do not copy the plugin's stderr to ours.
    #[arg(long, global = true)]
    quiet: bool,
    /// The plugin binary and any extra arguments, after `--`.
    #[arg(last = true, num_args = 1..)]
    command: Vec<String>,
}

#[derive(Debug, clap::Subcommand)]
enum Install {
    /// Build DIR like the newest Temps host (`bun install --frozen-lockfile --ignore-scripts`, then
    /// `bun build --compile --target=<t> src/index.ts --outfile plugin`), check its hello against package.json,
    /// and run it through /proc/self/fd/N with an empty environment (Gen B).
    InstallGithub {
        /// The GitHub-source folder (a launcher written by `cargo xtask bundle`, or any repository checkout).
        dir: PathBuf,
        /// The Bun to run; it must be the Bun build for the target. Default: $TEMPS_DEVHOST_BUN, else the web
        /// workspace's `web/node_modules/@oven/bun-linux-x64-baseline/bin/bun` under the current directory.
        #[arg(long)]
        bun: Option<PathBuf>,
        /// `bun build --target`; default: the target a Temps host on this machine uses.
        #[arg(long)]
        target: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum GenArg {
    A,
    B,
}

#[tokio::main]
async fn main() -> ExitCode {
    init_tracing();
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    // Holds the GitHub build (when there is no --work-dir) until the plugin has stopped.
    let mut _build_dir = None;
    let options = match &args.install {
        None => spawn_options(&args)?,
        Some(Install::InstallGithub { dir, bun, target }) => {
            let build_dir = match &args.work_dir {
                Some(work) => work.join("github-build"),
                None => _build_dir
                    .insert(tempfile::Builder::new().prefix("temps-devhost-build-").tempdir()?)
                    .path()
                    .join("build"),
            };
            let mut install = GithubInstall::new(default_bun(bun.as_deref())?, build_dir);
            install.target.clone_from(target);
            let built = install_github(dir, &install).await?;
            eprintln!(
                "  built {} {} for {} ({} bytes, sha256 {})",
                built.name, built.version, built.target, built.size, built.sha256
            );
            if matches!(args.generation, GenArg::A) {
                return Err("install-github is the newest hosts' install path: it speaks Gen B only".into());
            }
            host_options(&args, built.spawn_options())?
        }
    };
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port))).await?;
    let plugin = Arc::new(RunningPlugin::spawn(options).await?);
    let address = listener.local_addr()?;
    // Listening before the URL is printed: whoever reads it may send SIGTERM at once, and a signal that arrives
    // before the handler is installed would kill the dev host without stopping the plugin.
    let shutdown = shutdown_signal()?;
    eprintln!("\n  temps-devhost: {} is running — open http://{address}/\n", plugin.manifest().name);

    let (stop_server, server_stopped) = tokio::sync::oneshot::channel::<()>();
    let state = FrontState::new(Arc::clone(&plugin), Caller::user(&args.role));
    let mut server = tokio::spawn(server::serve(listener, state, async {
        let _ = server_stopped.await;
    }));
    tokio::select! {
        signal = shutdown => tracing::info!("{signal}: stopping"),
        served = &mut server => tracing::warn!(?served, "the HTTP server ended"),
    }
    let _ = stop_server.send(());
    if tokio::time::timeout(Duration::from_secs(3), &mut server).await.is_err() {
        server.abort();
        let _ = server.await;
    }
    stop_plugin(plugin).await;
    Ok(())
}

fn spawn_options(args: &Args) -> Result<SpawnOptions, Box<dyn std::error::Error>> {
    let (program, extra) =
        args.command.split_first().ok_or("missing the plugin binary after -- (or install-github DIR)")?;
    let generation = match args.generation {
        GenArg::A => Generation::A,
        GenArg::B => Generation::B,
    };
    let name = args.name.clone().unwrap_or_else(|| default_name(program));
    let mut options = SpawnOptions::new(program, generation).plugin_name(&name).clear_env(args.clear_env);
    for arg in extra {
        options = options.arg(arg);
    }
    host_options(args, options)
}

/// The flags every install path shares: channel, stderr, work dir, fixtures, grants.
fn host_options(args: &Args, options: SpawnOptions) -> Result<SpawnOptions, Box<dyn std::error::Error>> {
    let mut options = options.connect_channel(!args.no_channel).echo_stderr(!args.quiet);
    if let Some(dir) = &args.work_dir {
        options = options.work_dir(dir);
    }
    if let Some(path) = &args.fixtures {
        options = options.fixtures(Fixtures::load(path)?);
    }
    if let Some(granted) = &args.grant {
        options = options.granted_permissions(granted);
    }
    Ok(options)
}

/// `--bun`, else `$TEMPS_DEVHOST_BUN`, else the web workspace's Bun under the current directory.
fn default_bun(flag: Option<&std::path::Path>) -> Result<PathBuf, String> {
    if let Some(bun) = flag {
        return Ok(bun.to_owned());
    }
    if let Some(bun) = std::env::var_os("TEMPS_DEVHOST_BUN") {
        return Ok(PathBuf::from(bun));
    }
    let workspace = PathBuf::from("web/node_modules/@oven/bun-linux-x64-baseline/bin/bun");
    if workspace.is_file() {
        return Ok(workspace);
    }
    Err(format!(
        "no Bun: pass --bun PATH, set TEMPS_DEVHOST_BUN, or run from the repository after `npm ci` in web/ ({} is missing)",
        workspace.display()
    ))
}

/// The program's file name when it is a valid plugin name, else `temps-bundle`.
fn default_name(program: &str) -> String {
    let file_name = std::path::Path::new(program).file_name().and_then(|n| n.to_str()).unwrap_or_default();
    match temps_bundle_protocol::names::check_name(file_name) {
        Ok(()) => file_name.to_owned(),
        Err(_) => "temps-bundle".to_owned(),
    }
}

/// How long a stop waits for the proxy's connections to let go of the plugin (a request that just ended may still
/// hold it for a moment) before leaving it to be killed at exit.
const RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

async fn stop_plugin(mut plugin: Arc<RunningPlugin>) {
    let deadline = tokio::time::Instant::now() + RELEASE_WAIT;
    let plugin = loop {
        match Arc::try_unwrap(plugin) {
            Ok(plugin) => break plugin,
            Err(shared) if tokio::time::Instant::now() < deadline => {
                plugin = shared;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Err(_) => {
                tracing::warn!("the plugin is still in use; it is killed when the process exits");
                return;
            }
        }
    };
    match plugin.stop().await {
        Ok(report) => tracing::info!(status = %report.status, graceful = report.graceful, "plugin stopped"),
        Err(error) => tracing::warn!(%error, "stopping the plugin failed"),
    }
}

/// Ctrl-C or SIGTERM; both handlers are installed when this returns, not when the future is first polled.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = &'static str>> {
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        }
    })
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
