//! Web dependencies: one `npm ci` for the whole web workspace, skipped while `package-lock.json` (and the Node
//! version) are unchanged, plus the `node_modules` links that let plugin UIs outside `web/` resolve packages.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::plugins::Plugin;
use crate::process;
use crate::project::Project;
use crate::stamp::{InputHash, Stamp};
use crate::steps::seconds;

/// Runs `npm ci` in `web/` unless the lockfile's hash matches the last successful install, then links every
/// plugin UI's `node_modules` to `web/node_modules`.
pub fn install(project: &Project, plugins: &[Plugin]) -> anyhow::Result<()> {
    let web = project.web();
    let lockfile = web.join("package-lock.json");
    if !lockfile.is_file() {
        bail!("{} is missing: run `npm install` in web/ and commit the lockfile", project.display(&lockfile));
    }
    let node = node_version()?;
    let hash = InputHash::new()
        .text("node", &node)
        .file(project.root(), &lockfile)?
        .file(project.root(), &web.join("package.json"))?
        .finish();
    let stamp = Stamp::new(&project.stamps(), "npm-ci");
    let _installing = stamp.lock()?;
    if stamp.matches(&hash) && web.join("node_modules").is_dir() {
        eprintln!("    npm ci: skipped (package-lock.json unchanged)");
    } else {
        let started = Instant::now();
        stamp.clear();
        let mut npm = Command::new("npm");
        npm.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(&web);
        process::run_quiet(&mut npm).context(
            "installing web dependencies failed; if package.json changed, run `npm install` in web/ to update the lockfile",
        )?;
        stamp.write(&hash)?;
        eprintln!("    npm ci: installed in {} (node {node})", seconds(started.elapsed()));
    }
    for plugin in plugins {
        if let Some(ui) = plugin.web() {
            link_node_modules(&ui, &web)?;
        }
    }
    Ok(())
}

/// `<web>/node_modules/.bin/<tool>`.
pub fn bin(project: &Project, tool: &str) -> PathBuf {
    project.web().join("node_modules/.bin").join(tool)
}

/// Makes `<ui>/node_modules` a symlink to `web/node_modules`.
///
/// npm installs a workspace's packages in `web/node_modules`, but a plugin UI lives in `plugins/<name>/web/`,
/// outside `web/`: Node's and Vite's resolution walk up from the importing file and would never look there.
/// The link (ignored by git, like every `node_modules`) makes `react`, `vite` and `@temps-bundle/kit` resolve
/// to the one shared install, for Vite, `tsc` and editors alike.
pub fn link_node_modules(ui: &Path, web: &Path) -> anyhow::Result<()> {
    let link = ui.join("node_modules");
    let target = relative_path(ui, &web.join("node_modules"));
    if std::fs::read_link(&link).is_ok_and(|current| current == target) {
        return Ok(());
    }
    if link.is_symlink() || link.is_file() {
        std::fs::remove_file(&link).with_context(|| format!("removing {}", link.display()))?;
    } else if link.is_dir() {
        // A real folder here is a stray `npm install` run inside the plugin's UI: the shared install wins.
        std::fs::remove_dir_all(&link).with_context(|| format!("removing {}", link.display()))?;
    }
    symlink_dir(&target, &link).with_context(|| format!("linking {} to {}", link.display(), target.display()))
}

fn node_version() -> anyhow::Result<String> {
    let version = process::stdout_of(Command::new("node").arg("--version"))
        .context("Node.js is needed to build the UIs (node 20.19 or newer, with npm)")?;
    Ok(version.trim().to_owned())
}

/// `to` relative to the folder `from` (both under the workspace root).
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut path = PathBuf::new();
    for _ in common..from.len() {
        path.push("..");
    }
    for part in to.iter().skip(common) {
        path.push(part);
    }
    path
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_dir(target, link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_uis_link_to_the_shared_install() {
        let from = Path::new("/repo/plugins/hello/web");
        let to = Path::new("/repo/web/node_modules");
        assert_eq!(relative_path(from, to), PathBuf::from("../../../web/node_modules"));
    }

    #[test]
    fn linking_is_idempotent_and_replaces_stray_installs() {
        let root = tempfile::tempdir().unwrap();
        let web = root.path().join("web");
        let ui = root.path().join("plugins/x/web");
        std::fs::create_dir_all(web.join("node_modules/react")).unwrap();
        std::fs::create_dir_all(ui.join("node_modules/stray")).unwrap();
        link_node_modules(&ui, &web).unwrap();
        link_node_modules(&ui, &web).unwrap();
        assert!(ui.join("node_modules/react").is_dir());
        assert!(!ui.join("node_modules/stray").exists());
    }
}
