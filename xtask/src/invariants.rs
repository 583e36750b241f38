//! Invariants checked by code (style.md, "Architecture you can see"):
//! - exactly one version of the plugin API crate (`temps-bundle-sdk`) in `Cargo.lock` — two would mean two
//!   invisible `inventory` registries;
//! - no plugin depends on another plugin (or on the host);
//! - every plugin is wired into the host (a Cargo feature enabling it, its `use … as _;` and its
//!   `EXPECTED_MEMBERS` entry) and has a UI that is a member of the web workspace and of its lockfile.

use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::plugins::{self, Plugin};
use crate::process;
use crate::project::Project;

/// The plugin API crate.
const SDK: &str = "temps-bundle-sdk";
/// The host crate.
const HOST: &str = "temps-bundle";
/// The host file that links the plugin crates and lists `EXPECTED_MEMBERS`.
pub const HOST_MEMBERS_FILE: &str = "bundle/host/src/lib.rs";

/// Runs every check and reports all violations together.
pub fn check(project: &Project) -> anyhow::Result<()> {
    let plugins = plugins::discover(project)?;
    let metadata = cargo_metadata(project)?;
    let mut problems = Vec::new();
    problems.extend(one_sdk_version(&read(project, "Cargo.lock")?));
    problems.extend(no_plugin_dependencies(&metadata, &plugins));
    problems.extend(host_features(&metadata, &plugins));
    problems.extend(host_links(&read(project, HOST_MEMBERS_FILE)?, &plugins));
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

fn host_features(metadata: &Value, plugins: &[Plugin]) -> Vec<String> {
    let features = package(metadata, HOST).map(|p| p["features"].clone()).unwrap_or(Value::Null);
    plugins
        .iter()
        .filter_map(|plugin| {
            let enables = features[&plugin.name]
                .as_array()
                .is_some_and(|list| list.iter().any(|f| f.as_str() == Some(&format!("dep:{}", plugin.package))));
            (!enables).then(|| {
                format!(
                    "bundle/host/Cargo.toml has no feature `{0} = [\"dep:{1}\"]` (and optional dependency {1})",
                    plugin.name, plugin.package
                )
            })
        })
        .collect()
}

fn host_links(members_rs: &str, plugins: &[Plugin]) -> Vec<String> {
    let mut problems = Vec::new();
    for plugin in plugins {
        let crate_name = plugin.package.replace('-', "_");
        if !members_rs.contains(&format!("use {crate_name} as _;")) {
            problems.push(format!("{HOST_MEMBERS_FILE} does not link {crate_name} (`use {crate_name} as _;`)"));
        }
        if !members_rs.contains(&format!("\"{}\",", plugin.name)) {
            problems.push(format!("{HOST_MEMBERS_FILE}: EXPECTED_MEMBERS lacks \"{}\"", plugin.name));
        }
    }
    problems
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
    fn every_plugin_needs_a_host_feature_and_link() {
        let metadata = json!({ "packages": [
            { "name": "temps-bundle", "features": { "a": ["dep:temps-plugin-a"], "b": [] } },
        ]});
        let problems = host_features(&metadata, &[plugin("a"), plugin("b")]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("`b = [\"dep:temps-plugin-b\"]`"), "{problems:?}");

        let main =
            "#[cfg(feature = \"a\")]\nuse temps_plugin_a as _;\nconst EXPECTED_MEMBERS: &[&str] = &[\n    \"a\",\n];";
        assert!(host_links(main, &[plugin("a")]).is_empty());
        assert_eq!(host_links(main, &[plugin("b")]).len(), 2);
    }

    #[test]
    fn workspace_globs_match_one_segment() {
        assert!(glob_matches("../plugins/*/web", "../plugins/hello/web"));
        assert!(!glob_matches("../plugins/*/web", "../plugins/a/b/web"));
        assert!(!glob_matches("kit", "../plugins/hello/web"));
    }
}
