//! `cargo xtask new <name> --out DIR`: a member crate in its own folder, outside this repository (its own
//! `[workspace]`, the SDK by git), plus a bundle file that bundles it — the start of "Bundling plugins from other
//! repositories" in the README.
//!
//! The SDK's git URL is not known here (the repository may be hosted anywhere): the scaffold writes `--sdk-git`,
//! default a clearly marked `CHANGE-ME` URL, in both the crate's `Cargo.toml` and the bundle file's `[sdk] git`.
//! Dependency versions are the ones this workspace builds the SDK with, so the crate compiles against it.

use std::path::Path;

use anyhow::{Context, bail};

use crate::new_plugin::Names;
use crate::plugins;
use crate::project::Project;

/// The URL written when `--sdk-git` is not given; the author replaces it.
pub const SDK_GIT_PLACEHOLDER: &str = "https://github.com/CHANGE-ME/temps-bundle";

/// The template files, by their path inside DIR.
const TEMPLATES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../templates/outside/Cargo.toml.tmpl")),
    ("src/lib.rs", include_str!("../templates/outside/src/lib.rs.tmpl")),
    ("{{name}}-bundle.toml", include_str!("../templates/outside/bundle.toml.tmpl")),
    (".gitignore", include_str!("../templates/outside/gitignore.tmpl")),
];

/// The workspace dependencies the scaffold uses, copied with their versions and features.
const DEPENDENCIES: &[&str] = &["axum", "serde_json"];
const DEV_DEPENDENCIES: &[&str] = &["tokio"];

/// `cargo xtask new <name> --out DIR [--sdk-git URL]`.
pub fn run(project: &Project, name: &str, out: &Path, sdk_git: Option<&str>) -> anyhow::Result<()> {
    plugins::validate_name(name)?;
    if out.exists() && std::fs::read_dir(out).with_context(|| format!("reading {}", out.display()))?.next().is_some() {
        bail!("{} is not empty: `--out` takes a new or empty folder", out.display());
    }
    let names = Names::new(name);
    let workspace = workspace_dependencies(project)?;
    let sdk_git = sdk_git.unwrap_or(SDK_GIT_PLACEHOLDER);
    let bundle_file = out.join(format!("{name}-bundle.toml"));
    let fill = |template: &str| -> anyhow::Result<String> {
        Ok(names
            .fill(template)
            .replace("{{sdk_git}}", sdk_git)
            .replace("{{bundle_file}}", &bundle_file.display().to_string())
            .replace("{{dependencies}}", &dependency_lines(&workspace, DEPENDENCIES)?)
            .replace("{{dev_dependencies}}", &dependency_lines(&workspace, DEV_DEPENDENCIES)?))
    };
    for (path, template) in TEMPLATES {
        let path = out.join(names.fill(path));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, fill(template)?).with_context(|| format!("writing {}", path.display()))?;
    }
    eprintln!("created {} (crate {}) and {}", out.display(), names.package, bundle_file.display());
    if sdk_git == SDK_GIT_PLACEHOLDER {
        eprintln!("next: set the temps-bundle git URL in Cargo.toml and in [sdk] git of the bundle file (CHANGE-ME)");
    }
    eprintln!(
        "then: cargo test (in {}), and here: cargo xtask bundle --config {}",
        out.display(),
        bundle_file.display()
    );
    Ok(())
}

/// `[workspace.dependencies]` of the root `Cargo.toml`.
fn workspace_dependencies(project: &Project) -> anyhow::Result<toml::Table> {
    let path = project.root().join("Cargo.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let root: toml::Table = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    root.get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(toml::Value::as_table)
        .cloned()
        .context("the root Cargo.toml has no [workspace.dependencies]")
}

/// `name = <spec>` lines with each dependency's workspace spec as an inline table.
fn dependency_lines(workspace: &toml::Table, names: &[&str]) -> anyhow::Result<String> {
    let mut lines = Vec::new();
    for name in names {
        let spec = workspace.get(*name).with_context(|| format!("no workspace dependency `{name}`"))?;
        let inline = match spec {
            toml::Value::Table(table) => {
                let fields: Vec<String> = table.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", fields.join(", "))
            }
            other => other.to_string(),
        };
        lines.push(format!("{name} = {inline}"));
    }
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_are_copied_as_inline_tables() {
        let workspace: toml::Table =
            toml::from_str("a = \"1\"\nb = { version = \"0.8\", default-features = false, features = [\"x\"] }\n")
                .unwrap();
        let lines = dependency_lines(&workspace, &["a", "b"]).unwrap();
        assert_eq!(lines, "a = \"1\"\nb = { default-features = false, features = [\"x\"], version = \"0.8\" }");
        assert!(dependency_lines(&workspace, &["c"]).is_err());
    }

    #[test]
    fn every_template_is_filled() {
        for (path, template) in TEMPLATES {
            let names = Names::new("deploy-pulse");
            let text = names.fill(template).replace("{{sdk_git}}", "u").replace("{{bundle_file}}", "f");
            let text = text.replace("{{dependencies}}", "").replace("{{dev_dependencies}}", "");
            assert!(!text.contains("{{"), "{path} has an unknown placeholder");
        }
    }
}
