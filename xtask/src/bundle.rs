//! `cargo xtask bundle [--config FILE]`: bundle file → member UIs → generated host crate (resolved, SDK checked)
//! → binary → registration and UI checks → `manifest.json` → artifact folder (with the bill of materials),
//! tarball, GitHub-source launcher folder (and, with `--npm-scope`, the npm package) under `target/bundle/`.
//! Without `--config` it builds the repository's release bundle, `bundle/default.toml`.
//!
//! Every refusal happens before the first file is written under `target/bundle/`, so a refused bundle leaves
//! nothing half-written there (nor a new lock beside the bundle file); the artifact itself is written through a
//! staging folder and moved into place whole (`staging.rs`), so a failure while writing it keeps the previous one.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;
use temps_bundle_file::{BuildFacts, BuildOptions, BundleFile, LockMode, compile, registered, sbom};

use crate::artifact::{self, ArtifactSpec};
use crate::project::Project;
use crate::steps::Steps;
use crate::{member_ui, platform, process};

/// Arguments of `cargo xtask bundle`.
#[derive(Debug, clap::Args)]
pub struct BundleArgs {
    /// The bundle file to build (README "Bundle file reference"); default: bundle/default.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Build with the dev profile (faster, bigger, slower binary) instead of release.
    #[arg(long)]
    pub debug: bool,
    /// Re-resolve every dependency to its newest compatible version and rewrite the lock beside the bundle file.
    #[arg(long)]
    pub update: bool,
    /// Accept members whose embedded UI is the "UI not built" placeholder in a release bundle.
    #[arg(long)]
    pub allow_placeholder_ui: bool,
    /// `KEY=VALUE` for the bundle's environment under the GitHub-source launcher (repeatable). The launcher
    /// forwards nothing else: the newest hosts start it with an empty environment.
    #[arg(long = "launcher-env", value_name = "KEY=VALUE", value_parser = parse_env)]
    pub launcher_env: Vec<(String, String)>,
    /// Also write the per-platform npm package `@<scope>/<name>-<platform>` and its registry-entry fields (for a
    /// publisher whose plugin Temps lists in its signed registry); default: none.
    #[arg(long)]
    pub npm_scope: Option<String>,
}

fn parse_env(text: &str) -> Result<(String, String), String> {
    let (key, value) = text.split_once('=').ok_or_else(|| format!("`{text}` is not KEY=VALUE"))?;
    Ok((key.to_owned(), value.to_owned()))
}

/// `cargo xtask bundle`.
pub fn run(project: &Project, args: &BundleArgs) -> anyhow::Result<()> {
    let path = args.config.clone().unwrap_or_else(|| project.default_bundle());
    let file = BundleFile::load(&path)?;
    let names: Vec<&str> = file.members.keys().map(String::as_str).collect();
    eprintln!(
        "bundle {} {} from {} with {} member(s): {}",
        file.name,
        file.version,
        path.display(),
        names.len(),
        names.join(", ")
    );
    let lock = if args.update { LockMode::Update } else { LockMode::File };
    let options = BuildOptions { release: !args.debug, lock };
    let ws = project.workspace();

    let mut steps = Steps::new("bundle");
    member_ui::build(&mut steps, project, &file)?;
    let prepared = steps.run("resolve members and check the SDK", || Ok(compile::prepare(&ws, &file, options)?))?;
    let facts = build_facts(project, args.debug)?;
    let binary = steps.run("build the binary", || Ok(compile::build(&ws, &file, &prepared, options, facts)?))?;
    steps.run("check what the members register", || {
        Ok(registered::check(&prepared.members, &registered::read(&binary)?)?)
    })?;
    let manifest = steps.run("read the manifest", || read_manifest(&binary, &file.name, &file.version))?;
    if !args.debug && !args.allow_placeholder_ui {
        steps.run("check the member UIs", || member_ui::refuse_placeholders(&prepared.members))?;
    }
    let bom = steps.run("write the bill of materials", || Ok(sbom::cyclonedx(&file, &prepared)))?;
    let platform = platform::platform_key();
    let artifact = steps.run("assemble the artifact", || {
        let sbom_text = serde_json::to_string_pretty(&bom)? + "\n";
        let extra = [(sbom::FILE_NAME, sbom_text)];
        let spec = ArtifactSpec {
            name: &file.name,
            version: &file.version,
            platform: &platform,
            binary: &binary,
            manifest: &manifest,
            launcher_env: &args.launcher_env,
            npm_scope: args.npm_scope.as_deref(),
            extra_files: &extra,
        };
        artifact::assemble(&spec, &project.target().join("bundle"))
    })?;
    let lock = compile::save_lock(&file, &prepared, lock)?;
    steps.finish();
    eprintln!("artifact:       {}", project.display(&artifact.folder));
    eprintln!("tarball:        {}", project.display(&artifact.tarball));
    match &artifact.github {
        Ok(folder) => eprintln!("GitHub source:  {}", project.display(folder)),
        Err(why) => eprintln!("GitHub source:  none ({why})"),
    }
    if let Some(npm) = &artifact.npm {
        eprintln!("npm package:    {} ({})", npm.package_name, project.display(&npm.tarball));
        eprintln!("registry platform fields: {}", project.display(&npm.platform_entry));
    }
    if let Some(lock) = lock {
        eprintln!("lock:           {}", project.display(&lock));
    }
    eprintln!("sha256:         {}", artifact.binary_sha256);
    Ok(())
}

/// `bundle.build` of the manifest: this checkout's commit, the host target and the profile.
pub fn build_facts(project: &Project, debug: bool) -> anyhow::Result<BuildFacts> {
    let profile = if debug { "debug" } else { "release" };
    Ok(BuildFacts { git_rev: git_rev(project), target: compile::host_target()?, profile: profile.to_owned() })
}

/// Runs `<binary> manifest` and checks the identity it reports.
fn read_manifest(binary: &Path, name: &str, version: &str) -> anyhow::Result<Value> {
    let text = process::stdout_of(Command::new(binary).arg("manifest"))?;
    let manifest: Value =
        serde_json::from_str(&text).with_context(|| format!("`{} manifest` did not print JSON", binary.display()))?;
    if manifest["name"] != name || manifest["version"] != version {
        bail!("the binary reports {} {} instead of {name} {version}", manifest["name"], manifest["version"]);
    }
    Ok(manifest)
}

/// The short commit hash, with `-dirty` when the tree has uncommitted changes; `unknown` outside git.
/// Read-only: `GIT_OPTIONAL_LOCKS=0` keeps `git status` from rewriting the index.
fn git_rev(project: &Project) -> String {
    let git = |args: &[&str]| {
        let mut command = Command::new("git");
        command.args(args).current_dir(project.root()).env("GIT_OPTIONAL_LOCKS", "0");
        process::stdout_of(&mut command).ok()
    };
    let Some(rev) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return "unknown".to_owned();
    };
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.trim().is_empty());
    format!("{}{}", rev.trim(), if dirty { "-dirty" } else { "" })
}
