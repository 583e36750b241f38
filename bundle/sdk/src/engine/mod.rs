//! The engine: composes the registered members into one Temps plugin and runs it.
//!
//! Flow of [`main`]: parse argv ([`args`]) → compose and validate the members ([`compose`]) → handshake with the
//! host ([`handshake`]) → start members and bind the socket ([`serve`]) → route requests ([`service`]: members through [`dispatch`], the rest through [`router`]) until a
//! signal arrives ([`shutdown`]).

pub(crate) mod admin;
pub(crate) mod args;
pub(crate) mod assemble;
pub(crate) mod cli;
pub(crate) mod code_pages;
pub(crate) mod compose;
pub(crate) mod composite;
pub(crate) mod dispatch;
pub(crate) mod error;
pub(crate) mod handshake;
pub(crate) mod heap;
pub(crate) mod knobs;
pub(crate) mod launcher_parent;
pub(crate) mod logging;
pub(crate) mod openapi;
pub(crate) mod protocol_routes;
pub(crate) mod resident;
pub(crate) mod router;
pub(crate) mod serve;
pub(crate) mod served;
pub(crate) mod server;
pub(crate) mod service;
pub(crate) mod shutdown;
pub(crate) mod signature;
pub(crate) mod socket;
pub(crate) mod start;

use std::process::ExitCode;

use error::EngineError;

/// What the host binary tells the engine about the bundle it was built as.
#[derive(Debug, Clone, Copy)]
pub struct BundleConfig {
    /// The bundle's plugin name (what Temps installs it as).
    pub name: &'static str,
    pub version: &'static str,
    pub display_name: &'static str,
    /// The members the binary was built to host, with their sources and limits.
    pub members: &'static [crate::host::MemberSpec],
    /// The bundle's shell UI, served at `/ui/`.
    pub shell_ui: Option<&'static include_dir::Dir<'static>>,
    pub build: BuildInfo,
}

impl BundleConfig {
    /// The names of the members the binary was built to host.
    pub fn expected_names(&self) -> Vec<&'static str> {
        self.members.iter().map(|member| member.name).collect()
    }

    /// The limits the bundle file sets for `member` (all defaults for a member it does not list).
    pub fn limits_of(&self, member: &str) -> crate::host::MemberLimits {
        self.members.iter().find(|spec| spec.name == member).map(|spec| spec.limits).unwrap_or_default()
    }
}

/// Where the binary came from, reported in the composite manifest's `bundle.build`.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct BuildInfo {
    pub git_rev: &'static str,
    pub target: &'static str,
    pub profile: &'static str,
}

/// How long the runtime waits for blocking threads at exit.
const BLOCKING_THREADS_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// Runs the bundle binary: a CLI command (`manifest`, `list`, `--help`, `--version`) or, given the protocol's
/// argv, the plugin itself. Returns the process exit status; every failure has been logged to stderr.
pub fn main(config: BundleConfig) -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if cli::is_cli_invocation(&argv) {
        return cli::run(&config, &argv);
    }
    logging::init();
    launcher_parent::bind_to_launcher();
    let result =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(EngineError::Runtime).and_then(
            |runtime| {
                let result = runtime.block_on(serve::run(config, &argv));
                // Blocking threads still running (a getaddrinfo waiting on a slow DNS server) are not waited for: the
                // process is exiting, and shutdown must stay within the grace period whatever they do.
                runtime.shutdown_timeout(BLOCKING_THREADS_WAIT);
                result
            },
        );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "temps-bundle cannot run: {error}");
            ExitCode::FAILURE
        }
    }
}
