//! `cargo xtask bundle`: web dependencies → UIs → release binary → `manifest.json` → artifact folder, tarball,
//! GitHub-source launcher folder (and, with `--npm-scope`, the npm package) under `target/bundle/`.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::artifact::{self, ArtifactSpec};
use crate::plugins::{self, Plugin};
use crate::project::Project;
use crate::steps::Steps;
use crate::{platform, process, ui};

/// Arguments of `cargo xtask bundle`.
#[derive(Debug, clap::Args)]
pub struct BundleArgs {
    /// The plugins to include (comma-separated member names); default: every plugin under plugins/.
    #[arg(long, value_delimiter = ',')]
    pub plugins: Option<Vec<String>>,
    /// The bundle's plugin name (what Temps installs it as).
    #[arg(long, default_value = "temps-bundle")]
    pub name: String,
    /// The bundle's version; default: the workspace version.
    #[arg(long)]
    pub version: Option<String>,
    /// The name the console shows; default: "Temps Bundle" for the default name, else the name in title case.
    #[arg(long)]
    pub display_name: Option<String>,
    /// Build with the dev profile (faster, bigger, slower binary) instead of release.
    #[arg(long)]
    pub debug: bool,
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
    plugins::validate_name(&args.name).context("--name")?;
    let all = plugins::discover(project)?;
    let selected = plugins::select(&all, args.plugins.as_deref())?;
    if selected.is_empty() {
        bail!("no plugins selected");
    }
    let version = match &args.version {
        Some(version) => version.clone(),
        None => workspace_version(project)?,
    };
    check_version(&version)?;
    let display_name = args.display_name.clone().unwrap_or_else(|| default_display_name(&args.name));
    let names: Vec<&str> = selected.iter().map(|p| p.name.as_str()).collect();
    eprintln!("bundle {} {version} with {} plugin(s): {}", args.name, names.len(), names.join(", "));

    let mut steps = Steps::new("bundle");
    ui::install_and_build(&mut steps, project, &all, &selected, false)?;
    let binary = steps.run("build the binary", || build_binary(project, args, &selected, &version, &display_name))?;
    let manifest = steps.run("write manifest.json", || read_manifest(&binary, &args.name, &version))?;
    let platform = platform::platform_key();
    let artifact = steps.run("assemble the artifact", || {
        let spec = ArtifactSpec {
            name: &args.name,
            version: &version,
            platform: &platform,
            binary: &binary,
            manifest: &manifest,
            launcher_env: &args.launcher_env,
            npm_scope: args.npm_scope.as_deref(),
        };
        artifact::assemble(&spec, &project.target().join("bundle"))
    })?;
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
    eprintln!("sha256:         {}", artifact.binary_sha256);
    Ok(())
}

fn build_binary(
    project: &Project,
    args: &BundleArgs,
    selected: &[Plugin],
    version: &str,
    display_name: &str,
) -> anyhow::Result<PathBuf> {
    let features: Vec<&str> = selected.iter().map(|p| p.name.as_str()).collect();
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(project.root()).args(["build", "-p", "temps-bundle", "--no-default-features"]);
    cargo.args(["--features", &features.join(",")]);
    if !args.debug {
        cargo.arg("--release");
    }
    cargo
        .env("TEMPS_BUNDLE_NAME", &args.name)
        .env("TEMPS_BUNDLE_VERSION", version)
        .env("TEMPS_BUNDLE_DISPLAY_NAME", display_name)
        .env("TEMPS_BUNDLE_GIT_REV", git_rev(project));
    process::run(&mut cargo)?;
    let profile = if args.debug { "debug" } else { "release" };
    let binary = project.target().join(profile).join(format!("temps-bundle{}", std::env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        bail!("cargo succeeded but {} is missing", binary.display());
    }
    Ok(binary)
}

/// Runs `<binary> manifest` and checks the identity it reports.
fn read_manifest(binary: &std::path::Path, name: &str, version: &str) -> anyhow::Result<Value> {
    let text = process::stdout_of(Command::new(binary).arg("manifest"))?;
    let manifest: Value =
        serde_json::from_str(&text).with_context(|| format!("`{} manifest` did not print JSON", binary.display()))?;
    if manifest["name"] != name || manifest["version"] != version {
        bail!("the binary reports {} {} instead of {name} {version}", manifest["name"], manifest["version"]);
    }
    Ok(manifest)
}

/// `version = "…"` of `[workspace.package]` in the root `Cargo.toml`.
fn workspace_version(project: &Project) -> anyhow::Result<String> {
    let path = project.root().join("Cargo.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let table = text
        .split("[workspace.package]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .context("the root Cargo.toml has no [workspace.package]")?;
    table
        .lines()
        .find_map(|line| {
            let value = line.trim().strip_prefix("version")?.trim_start().strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_owned())
        })
        .context("[workspace.package] has no version")
}

/// The protocol's version rule (`temps_bundle_protocol::names::check_version`).
fn check_version(version: &str) -> anyhow::Result<()> {
    temps_bundle_protocol::names::check_version(version)
        .map_err(|why| anyhow::anyhow!("`{version}` is not a valid plugin version: it {why}"))
}

fn default_display_name(name: &str) -> String {
    if name == "temps-bundle" {
        return "Temps Bundle".to_owned();
    }
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_default_from_the_name() {
        assert_eq!(default_display_name("temps-bundle"), "Temps Bundle");
        assert_eq!(default_display_name("acme-tools"), "Acme Tools");
    }

    #[test]
    fn versions_follow_the_protocol() {
        for ok in ["0.1.0", "1.4.0-rc.1+build.5"] {
            assert!(check_version(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1.0 beta", "1/2", &"9".repeat(65)] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }
}
