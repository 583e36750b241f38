//! `cargo xtask new <name>`: scaffold `plugins/<name>/` from `xtask/templates/plugin/` and add its UI to the web
//! workspace's lockfile. Nothing else is wired by hand: the workspace takes `plugins/*`, `cargo xtask dev` bundles
//! every plugin, and shipping it in the release bundle is one `[members.<name>]` table in `bundle/default.toml`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::plugins;
use crate::project::Project;
use crate::{npm, process};

/// The template files, by their path inside `plugins/<name>/`.
const TEMPLATES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../templates/plugin/Cargo.toml.tmpl")),
    ("build.rs", include_str!("../templates/plugin/build.rs.tmpl")),
    ("src/lib.rs", include_str!("../templates/plugin/src/lib.rs.tmpl")),
    ("src/state.rs", include_str!("../templates/plugin/src/state.rs.tmpl")),
    ("src/error.rs", include_str!("../templates/plugin/src/error.rs.tmpl")),
    ("src/routes/mod.rs", include_str!("../templates/plugin/src/routes/mod.rs.tmpl")),
    ("src/routes/status.rs", include_str!("../templates/plugin/src/routes/status.rs.tmpl")),
    ("src/tests.rs", include_str!("../templates/plugin/src/tests.rs.tmpl")),
    ("web/package.json", include_str!("../templates/plugin/web/package.json.tmpl")),
    ("web/tsconfig.json", include_str!("../templates/plugin/web/tsconfig.json.tmpl")),
    ("web/vite.config.ts", include_str!("../templates/plugin/web/vite.config.ts.tmpl")),
    ("web/index.html", include_str!("../templates/plugin/web/index.html.tmpl")),
    ("web/src/main.tsx", include_str!("../templates/plugin/web/src/main.tsx.tmpl")),
    ("web/src/App.tsx", include_str!("../templates/plugin/web/src/App.tsx.tmpl")),
];

/// `cargo xtask new <name>`.
pub fn run(project: &Project, name: &str) -> anyhow::Result<()> {
    plugins::validate_name(name)?;
    let dir = project.root().join("plugins").join(name);
    if dir.exists() {
        bail!("{} already exists", project.display(&dir));
    }
    let names = Names::new(name);
    for (path, template) in TEMPLATES {
        write_new(&dir.join(path), &names.fill(template))?;
    }
    eprintln!("created {}", project.display(&dir));

    let mut fmt = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    fmt.args(["fmt", "-p", &names.package]).current_dir(project.root());
    process::run(&mut fmt)?;
    let mut npm_install = Command::new("npm");
    npm_install.args(["install", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(project.web());
    process::run_quiet(&mut npm_install).context("adding the UI to web/package-lock.json")?;
    npm::link_node_modules(&dir.join("web"), &project.web())?;
    eprintln!("next: cargo test -p {} && cargo xtask dev (it bundles every plugin)", names.package);
    eprintln!("to ship it: add [members.{name}] with path = \"../plugins/{name}\" to bundle/default.toml");
    Ok(())
}

/// The spellings of one plugin name the templates and wiring need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// `deploy-pulse`
    pub name: String,
    /// `Deploy Pulse`
    title: String,
    /// `DeployPulse`
    type_name: String,
    /// `temps-plugin-deploy-pulse`
    pub package: String,
    /// `temps_plugin_deploy_pulse`
    crate_name: String,
}

impl Names {
    pub fn new(name: &str) -> Self {
        let words: Vec<String> = name.split('-').map(capitalize).collect();
        let package = format!("temps-plugin-{name}");
        Self {
            name: name.to_owned(),
            title: words.join(" "),
            type_name: words.concat(),
            crate_name: package.replace('-', "_"),
            package,
        }
    }

    pub fn fill(&self, template: &str) -> String {
        template.replace("{{name}}", &self.name).replace("{{title}}", &self.title).replace("{{Type}}", &self.type_name)
    }
}

fn write_new(path: &Path, content: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, content).with_context(|| format!("writing {}", path.display()))
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_spelled_for_each_use() {
        let names = Names::new("deploy-pulse");
        assert_eq!(names.title, "Deploy Pulse");
        assert_eq!(names.type_name, "DeployPulse");
        assert_eq!(names.package, "temps-plugin-deploy-pulse");
        assert_eq!(names.crate_name, "temps_plugin_deploy_pulse");
        assert_eq!(names.fill("{{Type}} {{name}} {{title}}"), "DeployPulse deploy-pulse Deploy Pulse");
    }

    #[test]
    fn every_template_is_filled() {
        let names = Names::new("deploy-pulse");
        for (path, template) in TEMPLATES {
            assert!(!names.fill(template).contains("{{"), "{path} has an unknown placeholder");
        }
    }
}
