//! `cargo xtask dev`: builds the UIs and the dev bundle (debug), then runs it under the dev host
//! (`temps-devhost`), which plays Temps: it spawns the binary, proxies `http://127.0.0.1:<port>/api/x/<bundle>/…`
//! with a dev user's identity, and serves a console with the members' UIs, an event form and the channel calls.
//!
//! The dev bundle is `bundle/default.toml` plus every other plugin under `plugins/` (the `hello` example): an
//! example stays out of the release artifact but is always there to try.

use std::path::PathBuf;
use std::process::Command;

use anyhow::bail;
use temps_bundle_file::{BundleFile, Limits, Member, Source};

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
    /// Only these members of the dev bundle (comma-separated names); default: all of them.
    #[arg(long, value_delimiter = ',')]
    pub plugins: Option<Vec<String>>,
    /// Skip installing web dependencies and building the UIs.
    #[arg(long)]
    pub skip_ui: bool,
}

/// `cargo xtask dev`.
pub fn run(project: &Project, args: &DevArgs) -> anyhow::Result<()> {
    let file = dev_bundle(project, args.plugins.as_deref())?;
    let all = plugins::discover(project)?;
    let mut steps = Steps::new("dev");
    if !args.skip_ui {
        let selected: Vec<_> = all.iter().filter(|p| file.members.contains_key(&p.name)).cloned().collect();
        ui::install_and_build(&mut steps, project, &all, &selected, false)?;
    }
    let bundle = steps.run("build the dev bundle (debug) and the dev host", || build(project, &file))?;
    steps.finish();
    let devhost = project.target().join("debug").join(format!("temps-devhost{}", std::env::consts::EXE_SUFFIX));
    eprintln!("\nOpen http://127.0.0.1:{}/ (the dev host's console). Stop with Ctrl-C.\n", args.port);
    let mut command = Command::new(devhost);
    command
        .current_dir(project.root())
        .args(["--port", &args.port.to_string(), "--gen", &args.generation, "--role", &args.role, "--"])
        .arg(bundle);
    process::run(&mut command)
}

/// The dev bundle: `bundle/default.toml` plus every other plugin under `plugins/`, optionally narrowed to
/// `only`. Its generated crate is `target/bundles/dev/` (binary `temps-bundle-gen-dev`).
pub fn dev_bundle(project: &Project, only: Option<&[String]>) -> anyhow::Result<BundleFile> {
    let mut file = BundleFile::load(&project.default_bundle())?;
    file.stem = "dev".to_owned();
    for plugin in plugins::discover(project)? {
        let member = Member { source: Source::Path(plugin.dir.clone()), package: None, limits: Limits::default() };
        file.members.entry(plugin.name.clone()).or_insert(member);
    }
    if let Some(only) = only {
        let known: Vec<String> = file.members.keys().cloned().collect();
        if let Some(unknown) = only.iter().find(|name| !known.contains(name)) {
            bail!("no member named `{unknown}` in the dev bundle (members: {})", known.join(", "));
        }
        file.members.retain(|name, _| only.contains(name));
    }
    Ok(file)
}

/// Builds the dev bundle and the dev host (debug); returns the bundle binary.
pub fn build(project: &Project, file: &BundleFile) -> anyhow::Result<PathBuf> {
    let binary = temps_bundle_file::build_debug_file(&project.workspace(), file)?;
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(project.root()).args(["build", "-p", "temps-bundle-devhost"]);
    process::run(&mut cargo)?;
    Ok(binary)
}
