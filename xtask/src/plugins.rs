//! Plugin discovery (`plugins/*/Cargo.toml`) and member-name rules.
//!
//! A plugin's directory name is its member name, its `[members.<name>]` key and the key of its UI build.

use std::path::PathBuf;

use anyhow::{Context, bail};
use temps_bundle_protocol::names::check_member_name;

use crate::project::Project;

/// One plugin crate of the workspace.
#[derive(Debug, Clone)]
pub struct Plugin {
    /// Member name = directory name.
    pub name: String,
    /// The Cargo package name (`temps-plugin-<name>`).
    pub package: String,
    /// `plugins/<name>/`.
    pub dir: PathBuf,
}

impl Plugin {
    /// The plugin's UI folder (`plugins/<name>/web/`), if it has one.
    pub fn web(&self) -> Option<PathBuf> {
        let web = self.dir.join("web");
        web.join("package.json").is_file().then_some(web)
    }
}

/// Every plugin under `plugins/`, sorted by name.
pub fn discover(project: &Project) -> anyhow::Result<Vec<Plugin>> {
    let plugins_dir = project.root().join("plugins");
    let entries = std::fs::read_dir(&plugins_dir).with_context(|| format!("reading {}", plugins_dir.display()))?;
    let mut plugins = Vec::new();
    for entry in entries {
        let dir = entry?.path();
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
        let package = package_name(&text).with_context(|| format!("{} has no package name", manifest.display()))?;
        plugins.push(Plugin { name, package, dir });
    }
    plugins.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(plugins)
}

/// The plugins named in `selection` (all when `None`); unknown names are an error listing the known ones.
pub fn select(all: &[Plugin], selection: Option<&[String]>) -> anyhow::Result<Vec<Plugin>> {
    let Some(names) = selection else {
        return Ok(all.to_vec());
    };
    let mut selected = Vec::new();
    for name in names {
        let Some(plugin) = all.iter().find(|p| &p.name == name) else {
            let known: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
            bail!("no plugin named `{name}` (plugins: {})", known.join(", "));
        };
        if !selected.iter().any(|p: &Plugin| p.name == plugin.name) {
            selected.push(plugin.clone());
        }
    }
    selected.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(selected)
}

/// Checks a member name with the engine's own rule (`temps_bundle_protocol::names::check_member_name`).
pub fn validate_name(name: &str) -> anyhow::Result<()> {
    match check_member_name(name) {
        Ok(()) => Ok(()),
        Err(why) => bail!("`{name}` is not a valid member name: it {why}"),
    }
}

/// The `name = "…"` of the `[package]` table, read without a TOML parser (our manifests keep it on one line).
pub fn package_name(cargo_toml: &str) -> Option<String> {
    let package = cargo_toml.split("[package]").nth(1)?;
    let table = package.split("\n[").next()?;
    table.lines().find_map(|line| {
        let value = line.trim().strip_prefix("name")?.trim_start().strip_prefix('=')?;
        Some(value.trim().trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_follow_the_engine_rules() {
        let cases = [
            ("hello", true),
            ("deploy-pulse", true),
            ("a1-b2-c3", true),
            ("Hello", false),
            ("-hello", false),
            ("hello-", false),
            ("hel--lo", false),
            ("hel_lo", false),
            ("", false),
            ("ui", false),
            ("health", false),
            ("api", false),
            ("assets", false),
            ("plugins", false),
            ("_private", false),
        ];
        for (name, valid) in cases {
            assert_eq!(validate_name(name).is_ok(), valid, "{name}");
        }
        assert!(validate_name(&"a".repeat(65)).is_err());
    }

    #[test]
    fn reads_the_package_name() {
        let toml = "[package]\nname = \"temps-plugin-hello\"\nversion.workspace = true\n\n[dependencies]\nname = 1\n";
        assert_eq!(package_name(toml).as_deref(), Some("temps-plugin-hello"));
        assert_eq!(package_name("[workspace]\n"), None);
    }
}
