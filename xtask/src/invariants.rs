//! Invariants checked by code (style.md, "Architecture you can see"):
//! - exactly one version of the plugin API crate (`temps-bundle-sdk`) in `Cargo.lock` — two would mean two
//!   invisible `inventory` registries;
//! - no plugin depends on another plugin (or on the host);
//! - the repository's bundle files (`bundle/default.toml`, the host tests' `bundle/host/tests/host-tests.toml`)
//!   parse and name only crates that exist, and the release bundle's lock (`bundle/default.lock`) still matches
//!   its members (a dependency added to a plugin without refreshing the lock would make every
//!   `cargo xtask bundle` refuse);
//! - every plugin has a UI that is a member of the web workspace and of its lockfile.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;
use temps_bundle_file::{BuildOptions, BundleFile, LockMode, Source, compile};

use crate::plugins::{self, Plugin};
use crate::process;
use crate::project::Project;

/// The plugin API crate.
const SDK: &str = "temps-bundle-sdk";
/// The host tests' crate (which no plugin may depend on either).
const HOST: &str = "temps-bundle";
/// The repository's bundle files, relative to the root.
const BUNDLE_FILES: &[&str] = &["bundle/default.toml", "bundle/host/tests/host-tests.toml"];

/// Runs every check and reports all violations together.
pub fn check(project: &Project) -> anyhow::Result<()> {
    let plugins = plugins::discover(project)?;
    let metadata = cargo_metadata(project)?;
    let mut problems = Vec::new();
    problems.extend(one_sdk_version(&read(project, "Cargo.lock")?));
    problems.extend(no_plugin_dependencies(&metadata, &plugins));
    for file in BUNDLE_FILES {
        problems.extend(bundle_file(&project.root().join(file)));
    }
    problems.extend(default_lock_current(project));
    let web_manifest: Value = serde_json::from_str(&read(project, "web/package.json")?).context("web/package.json")?;
    let web_lock: Value =
        serde_json::from_str(&read(project, "web/package-lock.json")?).context("web/package-lock.json")?;
    problems.extend(web_workspace(&web_manifest, &web_lock, &plugins));
    if !problems.is_empty() {
        bail!("{} invariant(s) violated:\n  - {}", problems.len(), problems.join("\n  - "));
    }
    eprintln!(
        "    {} plugins checked: {}",
        plugins.len(),
        plugins.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

fn one_sdk_version(lockfile: &str) -> Vec<String> {
    let needle = format!("name = \"{SDK}\"");
    let count = lockfile.split("[[package]]").filter(|block| block.lines().any(|l| l.trim() == needle)).count();
    match count {
        1 => vec![],
        n => vec![format!(
            "Cargo.lock has {n} versions of {SDK}; exactly one is allowed (each would be its own plugin registry)"
        )],
    }
}

fn no_plugin_dependencies(metadata: &Value, plugins: &[Plugin]) -> Vec<String> {
    let forbidden: Vec<&str> = plugins.iter().map(|p| p.package.as_str()).chain([HOST]).collect();
    let mut problems = Vec::new();
    for plugin in plugins {
        for dependency in dependencies_of(metadata, &plugin.package) {
            if dependency != plugin.package && forbidden.contains(&dependency.as_str()) {
                problems.push(format!(
                    "plugin {} depends on {dependency}: plugins depend only on bundle/ crates",
                    plugin.name
                ));
            }
        }
    }
    problems
}

/// A bundle file must parse and each path member must be a crate.
fn bundle_file(path: &Path) -> Vec<String> {
    let file = match BundleFile::load(path) {
        Ok(file) => file,
        Err(error) => return vec![error.to_string()],
    };
    file.members
        .iter()
        .filter_map(|(name, member)| match &member.source {
            Source::Path(dir) if !dir.join("Cargo.toml").is_file() => {
                Some(format!("{}: member `{name}`: {} has no Cargo.toml", path.display(), dir.display()))
            }
            _ => None,
        })
        .collect()
}

/// `cargo metadata --locked` on the release bundle's generated crate with `bundle/default.lock` (no compiling).
fn default_lock_current(project: &Project) -> Vec<String> {
    let Ok(file) = BundleFile::load(&project.default_bundle()) else {
        return vec![]; // `bundle_file` reports it
    };
    if !file.lock_path().is_file() {
        return vec![format!("{} is missing: `cargo xtask bundle` writes it", project.display(&file.lock_path()))];
    }
    let options = BuildOptions { release: true, lock: LockMode::File };
    match compile::prepare(&project.workspace(), &file, options) {
        Ok(_) => vec![],
        Err(error) => vec![error.to_string()],
    }
}

fn web_workspace(web_manifest: &Value, web_lock: &Value, plugins: &[Plugin]) -> Vec<String> {
    let globs: Vec<&str> =
        web_manifest["workspaces"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let mut problems = Vec::new();
    for plugin in plugins {
        let path = format!("../plugins/{}/web", plugin.name);
        if plugin.web().is_none() {
            problems.push(format!(
                "plugin {} has no web/package.json (every plugin has a UI; `cargo xtask new` scaffolds one)",
                plugin.name
            ));
        } else if !globs.iter().any(|glob| glob_matches(glob, &path)) {
            problems.push(format!("web/package.json workspaces do not include {path}"));
        } else if web_lock["packages"].get(&path).is_none() {
            problems.push(format!("web/package-lock.json does not know {path}: run `npm install` in web/"));
        }
    }
    problems
}

/// npm workspace globs as this project uses them: `*` matches one path segment.
fn glob_matches(glob: &str, path: &str) -> bool {
    let glob: Vec<&str> = glob.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    glob.len() == path.len() && glob.iter().zip(&path).all(|(g, p)| *g == "*" || g == p)
}

fn cargo_metadata(project: &Project) -> anyhow::Result<Value> {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.args(["metadata", "--format-version", "1", "--no-deps", "--offline"]).current_dir(project.root());
    let text = process::stdout_of(&mut cargo)?;
    serde_json::from_str(&text).context("cargo metadata printed something that is not JSON")
}

fn package<'a>(metadata: &'a Value, name: &str) -> Option<&'a Value> {
    metadata["packages"].as_array()?.iter().find(|p| p["name"] == name)
}

/// Names of every dependency `name` declares (normal, dev and build).
fn dependencies_of(metadata: &Value, name: &str) -> Vec<String> {
    package(metadata, name)
        .and_then(|p| p["dependencies"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|d| d["name"].as_str().map(str::to_owned))
        .collect()
}

fn read(project: &Project, path: &str) -> anyhow::Result<String> {
    let full = project.root().join(path);
    std::fs::read_to_string(&full).with_context(|| format!("reading {path}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plugin(name: &str) -> Plugin {
        Plugin { name: name.into(), package: format!("temps-plugin-{name}"), dir: format!("/nowhere/{name}").into() }
    }

    #[test]
    fn two_sdk_versions_are_refused() {
        let one = "[[package]]\nname = \"temps-bundle-sdk\"\nversion = \"0.1.0\"\n";
        assert!(one_sdk_version(one).is_empty());
        assert_eq!(one_sdk_version(&format!("{one}{}", one.replace("0.1.0", "0.2.0"))).len(), 1);
        assert_eq!(one_sdk_version("").len(), 1);
    }

    #[test]
    fn plugins_may_not_depend_on_plugins() {
        let metadata = json!({ "packages": [
            { "name": "temps-plugin-a", "dependencies": [{ "name": "temps-bundle-sdk" }, { "name": "temps-plugin-b" }] },
            { "name": "temps-plugin-b", "dependencies": [{ "name": "temps-bundle-sdk" }] },
        ]});
        let problems = no_plugin_dependencies(&metadata, &[plugin("a"), plugin("b")]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("plugin a depends on temps-plugin-b"), "{problems:?}");
    }

    #[test]
    fn bundle_files_must_parse_and_name_existing_crates() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::fs::write(dir.path().join("real/Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        let file = dir.path().join("b.toml");
        let head = "[bundle]\nname = \"b\"\nversion = \"1.0.0\"\n";
        std::fs::write(&file, format!("{head}[members.a]\npath = \"real\"\n")).unwrap();
        assert!(bundle_file(&file).is_empty());
        std::fs::write(&file, format!("{head}[members.a]\npath = \"gone\"\n")).unwrap();
        assert!(bundle_file(&file)[0].contains("member `a`"), "{:?}", bundle_file(&file));
        std::fs::write(&file, format!("{head}[members.a]\npaht = \"real\"\n")).unwrap();
        assert!(bundle_file(&file)[0].contains("unknown field `paht`"), "{:?}", bundle_file(&file));
    }

    #[test]
    fn workspace_globs_match_one_segment() {
        assert!(glob_matches("../plugins/*/web", "../plugins/hello/web"));
        assert!(!glob_matches("../plugins/*/web", "../plugins/a/b/web"));
        assert!(!glob_matches("kit", "../plugins/hello/web"));
    }
}
