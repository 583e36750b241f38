//! The members' UIs around a bundle build: which ones are built (path members with a `web/package.json`), and
//! the release check that no member embeds the "UI not built" placeholder.
//!
//! In-repository plugins are built through the web workspace (`cargo xtask ui`'s code: shared `node_modules`,
//! input-hash stamps). A path member outside the repository is built in its own `web/` folder with its own npm
//! project (`npm ci`, or `npm install` without a lockfile, then `npm run build`). Git and registry members are
//! never built here: their crate must ship a built `web/dist` (README "Packaging a member's UI").

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use temps_bundle_build::PLACEHOLDER_MARKER;
use temps_bundle_file::metadata::MemberPackage;
use temps_bundle_file::{BundleFile, ResolvedSource, Source};

use crate::plugins::{self, Plugin};
use crate::project::Project;
use crate::steps::Steps;
use crate::{process, ui};

/// Installs web dependencies and builds the shell's and every path member's UI.
pub fn build(steps: &mut Steps, project: &Project, file: &BundleFile) -> anyhow::Result<()> {
    let all = plugins::discover(project)?;
    let (in_repo, outside) = path_members(project, &all, file);
    ui::install_and_build(steps, project, &all, &in_repo, false)?;
    for (name, web) in outside {
        steps.run(&format!("build the UI of {name} ({})", web.display()), || build_outside(&web))?;
    }
    Ok(())
}

/// Refuses members whose embedded `web/dist/index.html` is the placeholder page, naming each and its fix.
pub fn refuse_placeholders(members: &[MemberPackage]) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    for member in members {
        let dir = member.package.manifest_path.parent().unwrap_or(Path::new("."));
        let index = dir.join("web/dist/index.html");
        if !std::fs::read_to_string(&index).is_ok_and(|html| html.contains(PLACEHOLDER_MARKER)) {
            continue;
        }
        let fix = match &member.source {
            ResolvedSource::Path => format!(
                "build it (`npm run build` in {}/web, or `cargo xtask ui` for a plugin of this repository)",
                dir.display()
            ),
            ResolvedSource::Git { .. } | ResolvedSource::Registry { .. } => format!(
                "its crate must ship a built web/dist: the author builds the UI before tagging/publishing and lists \
                 web/dist in Cargo.toml `include` (`cargo package --list` shows web/dist/index.html); {} has none",
                member.package.name
            ),
        };
        problems.push(format!("member `{}` embeds the \"UI not built\" placeholder: {fix}", member.member));
    }
    if problems.is_empty() {
        return Ok(());
    }
    bail!(
        "a release bundle refuses placeholder UIs (pass --allow-placeholder-ui to accept them):\n  - {}",
        problems.join("\n  - ")
    )
}

/// The file's path members with a UI: in-repository plugins, and `(name, web folder)` of the others.
fn path_members(project: &Project, all: &[Plugin], file: &BundleFile) -> (Vec<Plugin>, Vec<(String, PathBuf)>) {
    let mut in_repo = Vec::new();
    let mut outside = Vec::new();
    for (name, member) in &file.members {
        let Source::Path(dir) = &member.source else { continue };
        if let Some(plugin) = all.iter().find(|p| same_dir(&p.dir, dir)) {
            if !in_repo.iter().any(|p: &Plugin| p.name == plugin.name) {
                in_repo.push(plugin.clone());
            }
        } else if !dir.starts_with(project.root()) && dir.join("web/package.json").is_file() {
            outside.push((name.clone(), dir.join("web")));
        }
    }
    (in_repo, outside)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `npm ci` (or `npm install` without a lockfile) and `npm run build` in an outside member's `web/`.
fn build_outside(web: &Path) -> anyhow::Result<()> {
    let install = if web.join("package-lock.json").is_file() { "ci" } else { "install" };
    let mut npm = Command::new("npm");
    npm.args([install, "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(web);
    process::run_quiet(&mut npm).with_context(|| format!("installing the UI dependencies in {}", web.display()))?;
    let mut build = Command::new("npm");
    build.args(["run", "build"]).current_dir(web).env("NO_COLOR", "1");
    process::run_quiet(&mut build).with_context(|| format!("building the UI in {}", web.display()))?;
    if !web.join("dist/index.html").is_file() {
        bail!("`npm run build` in {} succeeded but wrote no dist/index.html", web.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use temps_bundle_file::metadata::Package;

    fn member(dir: &Path, name: &str, source: ResolvedSource) -> MemberPackage {
        let package = Package {
            id: format!("{name}-id"),
            name: format!("temps-plugin-{name}"),
            version: "0.1.0".into(),
            source: None,
            manifest_path: dir.join("Cargo.toml"),
            license: None,
            description: None,
            repository: None,
        };
        MemberPackage { member: name.into(), package, source }
    }

    #[test]
    fn placeholder_uis_are_refused_naming_the_member_and_the_fix() {
        let tmp = tempfile::tempdir().unwrap();
        let (built, placeholder, none) = (tmp.path().join("built"), tmp.path().join("ph"), tmp.path().join("none"));
        std::fs::create_dir_all(built.join("web/dist")).unwrap();
        std::fs::write(built.join("web/dist/index.html"), "<!doctype html><title>real</title>").unwrap();
        temps_bundle_build::ensure_placeholder(&placeholder.join("web/dist")).unwrap();
        std::fs::create_dir_all(&none).unwrap();
        let ok = [member(&built, "built", ResolvedSource::Path), member(&none, "none", ResolvedSource::Path)];
        assert!(refuse_placeholders(&ok).is_ok());

        let git = ResolvedSource::Git { url: "file:///x".into(), commit: "abc".into() };
        let error = refuse_placeholders(&[member(&placeholder, "seo", git)]).unwrap_err().to_string();
        assert!(error.contains("member `seo` embeds the \"UI not built\" placeholder"), "{error}");
        assert!(error.contains("must ship a built web/dist"), "{error}");
        assert!(error.contains("`cargo package --list` shows web/dist/index.html"), "{error}");
        assert!(error.contains("--allow-placeholder-ui"), "{error}");
        let error =
            refuse_placeholders(&[member(&placeholder, "local", ResolvedSource::Path)]).unwrap_err().to_string();
        assert!(error.contains(&format!("`npm run build` in {}/web", placeholder.display())), "{error}");
    }
}
