//! `cargo xtask dev`: builds the UIs and a debug bundle, then runs it under the dev host (`temps-devhost`), which
//! plays Temps: it spawns the binary, proxies `http://127.0.0.1:<port>/api/x/<bundle>/…` with a dev user's
//! identity, and serves a console with the members' UIs, an event form and the channel calls.

use std::process::Command;

use crate::project::Project;
use crate::steps::Steps;
use crate::{plugins, process, ui};

/// Arguments of `cargo xtask dev`.
#[derive(Debug, clap::Args)]
pub struct DevArgs {
    /// Port of the dev host's console and proxy on 127.0.0.1.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Protocol generation the dev host speaks: `b` (v2, current Temps) or `a` (older hosts).
    #[arg(long = "gen", default_value = "b")]
    pub generation: String,
    /// Role of the dev user the proxy injects (`admin`, `user`, `reader`, …).
    #[arg(long, default_value = "admin")]
    pub role: String,
    /// Only these plugins (comma-separated member names); default: the host's default features.
    #[arg(long, value_delimiter = ',')]
    pub plugins: Option<Vec<String>>,
    /// Skip installing web dependencies and building the UIs.
    #[arg(long)]
    pub skip_ui: bool,
}

/// `cargo xtask dev`.
pub fn run(project: &Project, args: &DevArgs) -> anyhow::Result<()> {
    let all = plugins::discover(project)?;
    let selected = plugins::select(&all, args.plugins.as_deref())?;
    let mut steps = Steps::new("dev");
    if !args.skip_ui {
        ui::install_and_build(&mut steps, project, &all, &selected, false)?;
    }
    steps.run("build the bundle (debug) and the dev host", || {
        let mut bundle = cargo(project);
        bundle.args(["build", "-p", "temps-bundle"]);
        if args.plugins.is_some() {
            let features: Vec<&str> = selected.iter().map(|p| p.name.as_str()).collect();
            bundle.args(["--no-default-features", "--features", &features.join(",")]);
        }
        process::run(&mut bundle)?;
        process::run(cargo(project).args(["build", "-p", "temps-bundle-devhost"]))
    })?;
    steps.finish();
    let debug = project.target().join("debug");
    let devhost = debug.join(format!("temps-devhost{}", std::env::consts::EXE_SUFFIX));
    let bundle = debug.join(format!("temps-bundle{}", std::env::consts::EXE_SUFFIX));
    eprintln!("\nOpen http://127.0.0.1:{}/ (the dev host's console). Stop with Ctrl-C.\n", args.port);
    let mut command = Command::new(devhost);
    command
        .current_dir(project.root())
        .args(["--port", &args.port.to_string(), "--gen", &args.generation, "--role", &args.role, "--"])
        .arg(bundle);
    process::run(&mut command)
}

fn cargo(project: &Project) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(project.root());
    command
}
