//! GitHub-source installs the way the newest Temps host does them (`temps-install.md`): take the source tree
//! (here a local folder instead of `git archive` of a commit), check `package.json` and `src/index.ts`, run exactly
//! `bun install --frozen-lockfile --ignore-scripts` and `bun build --compile --target=<t> src/index.ts --outfile
//! plugin`, and hand back the built `plugin` with the identity the hello must match.
//!
//! Differences from the host, on purpose: no container and no network cut for the build step. Instead Bun's
//! install cache is seeded with the runner itself under the target's name, so `bun build --compile` finds the
//! target runtime locally and never downloads it (Bun fetches the runtime of any target other than its own
//! build; the runner must therefore be the Bun build *for* the target, e.g. `@oven/bun-linux-x64-baseline`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::process::Command;

use crate::error::DevHostError;
use crate::options::SpawnOptions;

/// The host's limits on the source archive and `package.json`.
const MAX_ENTRIES: usize = 4096;
const MAX_SOURCE_BYTES: u64 = 128 * 1024 * 1024;
const MAX_PACKAGE_JSON: u64 = 64 * 1024;
/// The host's limit on the compiled plugin.
const MAX_PLUGIN_BYTES: u64 = 256 * 1024 * 1024;
/// Folders of a working copy that a `git archive` of the commit would not contain.
const NOT_IN_ARCHIVE: &[&str] = &[".git", "node_modules"];

/// How to build a GitHub-source folder.
#[derive(Debug, Clone)]
pub struct GithubInstall {
    /// The Bun executable to run (see the module docs: it must be the build for `target`).
    pub bun: PathBuf,
    /// `bun build --compile --target`; default: the one a host on this machine uses.
    pub target: Option<String>,
    /// Where the source copy, Bun's caches and the built `plugin` go (created; replaced when present).
    pub build_dir: PathBuf,
    /// Per step, like the host (300 s).
    pub step_timeout: Duration,
}

impl GithubInstall {
    pub fn new(bun: impl Into<PathBuf>, build_dir: impl Into<PathBuf>) -> Self {
        Self { bun: bun.into(), target: None, build_dir: build_dir.into(), step_timeout: Duration::from_secs(300) }
    }
}

/// A built GitHub-source plugin.
#[derive(Debug, Clone, Serialize)]
pub struct GithubBuild {
    /// `temps.name`, else `name`, of `package.json`.
    pub name: String,
    pub version: String,
    /// The compiled executable (mode 0500).
    pub plugin: PathBuf,
    pub sha256: String,
    pub size: u64,
    pub target: String,
    pub bun_version: String,
    /// The folder it was built from.
    pub source: PathBuf,
}

impl GithubBuild {
    /// Spawn options as the host starts such a plugin: by the installed identity (checked against the hello
    /// before the launch config is sent), through `/proc/self/fd/N`, with an empty environment.
    pub fn spawn_options(&self) -> SpawnOptions {
        SpawnOptions::new(&self.plugin, temps_bundle_protocol::Generation::B)
            .plugin_name(&self.name)
            .installed_version(&self.version)
            .clear_env(true)
            .exec_through_fd(true)
            .install_source(crate::InstallSource::Github(Box::new(self.clone())))
    }
}

/// Copies `source`, checks it and builds it with Bun's two steps.
pub async fn install_github(source: &Path, opts: &GithubInstall) -> Result<GithubBuild, DevHostError> {
    let fail = |detail: String| DevHostError::GithubInstall { folder: source.to_owned(), detail };
    // Bun runs in the copy's folder: a relative path to it must not change meaning.
    let bun = std::path::absolute(&opts.bun).map_err(|e| fail(format!("Bun at {}: {e}", opts.bun.display())))?;
    let opts = &GithubInstall { bun, ..opts.clone() };
    let (name, version) = read_package(source).map_err(fail)?;
    if !source.join("src/index.ts").is_file() {
        return Err(fail("src/index.ts is missing (the host always builds src/index.ts)".into()));
    }
    let target = match &opts.target {
        Some(target) => target.clone(),
        None => temps_bundle_release::Platform::current()
            .map(|p| p.bun_target.to_owned())
            .ok_or_else(|| fail("this machine is no platform Temps builds for; pass a target".into()))?,
    };
    let build = &opts.build_dir;
    if build.exists() {
        std::fs::remove_dir_all(build).map_err(|e| fail(format!("cannot clear {}: {e}", build.display())))?;
    }
    let work = build.join("source");
    copy_source(source, &work).map_err(fail)?;
    let home = build.join("home");
    let cache = home.join("bun-cache");
    for dir in [&cache, &build.join("tmp")] {
        std::fs::create_dir_all(dir).map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    }
    let bun_version = run_bun(opts, build, &work, &["--version"]).await.map_err(fail)?.trim().to_owned();
    // Bun looks for a cross-compilation runtime at `<cache>/<target>-v<version>`.
    let runtime = cache.join(format!("{target}-v{bun_version}"));
    std::os::unix::fs::symlink(&opts.bun, &runtime)
        .map_err(|e| fail(format!("cannot seed Bun's cache at {}: {e}", runtime.display())))?;

    run_bun(opts, build, &work, &["install", "--frozen-lockfile", "--ignore-scripts"]).await.map_err(fail)?;
    let target_flag = format!("--target={target}");
    let compile = ["build", "--compile", target_flag.as_str(), "src/index.ts", "--outfile", "plugin"];
    run_bun(opts, build, &work, &compile).await.map_err(fail)?;

    let plugin = work.join("plugin");
    let bytes = std::fs::read(&plugin).map_err(|e| fail(format!("bun build wrote no plugin: {e}")))?;
    let size = bytes.len() as u64;
    if size > MAX_PLUGIN_BYTES {
        return Err(fail(format!(
            "the compiled plugin has {size} bytes; the host refuses more than {MAX_PLUGIN_BYTES}"
        )));
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o500))
        .map_err(|e| fail(format!("cannot make {} mode 0500: {e}", plugin.display())))?;
    let sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    tracing::info!(%name, %version, %target, size, "built the GitHub-source plugin");
    Ok(GithubBuild { name, version, plugin, sha256, size, target, bun_version, source: source.to_owned() })
}

/// `package.json`: at most 64 KiB, a SemVer `version`, the plugin name from `temps.name` or `name`.
fn read_package(source: &Path) -> Result<(String, String), String> {
    let path = source.join("package.json");
    let size = std::fs::metadata(&path).map_err(|e| format!("package.json: {e}"))?.len();
    if size > MAX_PACKAGE_JSON {
        return Err(format!("package.json has {size} bytes; the host reads at most {MAX_PACKAGE_JSON}"));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("package.json: {e}"))?;
    let package: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("package.json is not JSON: {e}"))?;
    let version = package["version"].as_str().ok_or("package.json has no string `version`")?;
    semver::Version::parse(version).map_err(|e| format!("package.json: version `{version}` is not SemVer: {e}"))?;
    let name = package["temps"]["name"].as_str().or(package["name"].as_str()).ok_or("package.json names no plugin")?;
    temps_bundle_protocol::names::check_name(name).map_err(|e| format!("package.json: plugin name `{name}`: {e}"))?;
    Ok((name.to_owned(), version.to_owned()))
}

/// Copies regular files and folders as the host's archive would hold them: no symlinks, at most 4096 entries and
/// 128 MiB; a working copy's `.git` and `node_modules` are left out.
fn copy_source(from: &Path, to: &Path) -> Result<(), String> {
    let mut entries = 0usize;
    let mut bytes = 0u64;
    let mut pending = vec![(from.to_owned(), to.to_owned())];
    while let Some((src, dst)) = pending.pop() {
        std::fs::create_dir_all(&dst).map_err(|e| format!("cannot create {}: {e}", dst.display()))?;
        let listing = std::fs::read_dir(&src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
        for entry in listing {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", src.display()))?;
            let path = entry.path();
            if src == from && NOT_IN_ARCHIVE.iter().any(|skip| entry.file_name() == *skip) {
                continue;
            }
            entries += 1;
            if entries > MAX_ENTRIES {
                return Err(format!("more than {MAX_ENTRIES} entries; the host refuses the archive"));
            }
            let kind = entry.file_type().map_err(|e| format!("{}: {e}", path.display()))?;
            if kind.is_dir() {
                pending.push((path, dst.join(entry.file_name())));
            } else if kind.is_file() {
                bytes += std::fs::copy(&path, dst.join(entry.file_name()))
                    .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
                if bytes > MAX_SOURCE_BYTES {
                    return Err(format!("the source exceeds {MAX_SOURCE_BYTES} bytes; the host refuses the archive"));
                }
            } else {
                return Err(format!(
                    "{} is not a regular file or folder (the host's archive allows no others)",
                    path.display()
                ));
            }
        }
    }
    Ok(())
}

/// Runs Bun in `work` with an environment of its own (nothing inherited), returning stdout.
async fn run_bun(opts: &GithubInstall, build: &Path, work: &Path, args: &[&str]) -> Result<String, String> {
    let home = build.join("home");
    let mut command = Command::new(&opts.bun);
    command
        .args(args)
        .current_dir(work)
        .env_clear()
        .env("HOME", &home)
        .env("BUN_INSTALL_CACHE_DIR", home.join("bun-cache"))
        .env("TMPDIR", build.join("tmp"))
        .env("DO_NOT_TRACK", "1")
        .kill_on_drop(true);
    let shown = format!("bun {}", args.join(" "));
    let output = tokio::time::timeout(opts.step_timeout, command.output())
        .await
        .map_err(|_| format!("`{shown}` took longer than {:?}", opts.step_timeout))?
        .map_err(|e| format!("cannot run {}: {e}", opts.bun.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        return Err(format!("`{shown}` failed ({}): {}{}", output.status, stderr.trim(), stdout.trim()));
    }
    tracing::debug!(step = %shown, "done");
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(package: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/index.ts"), "export {};\n").unwrap();
        std::fs::write(dir.path().join("package.json"), package).unwrap();
        dir
    }

    async fn refusal(source: &Path) -> String {
        let build = tempfile::tempdir().unwrap();
        let opts = GithubInstall::new("/nonexistent/bun", build.path().join("b"));
        install_github(source, &opts).await.unwrap_err().to_string()
    }

    #[test]
    fn the_plugin_name_is_temps_name_else_name() {
        let dir = folder(r#"{"name":"pkg","version":"1.2.3","temps":{"name":"acme-tools"}}"#);
        assert_eq!(read_package(dir.path()).unwrap(), ("acme-tools".to_owned(), "1.2.3".to_owned()));
        let dir = folder(r#"{"name":"pkg","version":"1.2.3-rc.1"}"#);
        assert_eq!(read_package(dir.path()).unwrap().0, "pkg");
    }

    #[tokio::test]
    async fn what_the_host_refuses_is_refused_before_bun_runs() {
        let dir = folder(r#"{"name":"pkg","version":"1.2"}"#);
        assert!(refusal(dir.path()).await.contains("version `1.2` is not SemVer"));
        let dir = folder(r#"{"name":"Not A Name","version":"1.0.0"}"#);
        assert!(refusal(dir.path()).await.contains("plugin name `Not A Name`"));
        let dir = folder(r#"{"name":"pkg","version":"1.0.0"}"#);
        std::fs::remove_file(dir.path().join("src/index.ts")).unwrap();
        assert!(refusal(dir.path()).await.contains("src/index.ts is missing"));
        let dir = folder(r#"{"name":"pkg","version":"1.0.0"}"#);
        std::fs::write(dir.path().join("package.json"), format!("{{\"pad\":\"{}\"}}", "x".repeat(70_000))).unwrap();
        assert!(refusal(dir.path()).await.contains("at most 65536"));
    }

    #[test]
    fn the_copy_refuses_symlinks_and_leaves_out_git_and_node_modules() {
        let dir = folder(r#"{"name":"pkg","version":"1.0.0"}"#);
        for skipped in [".git", "node_modules"] {
            std::fs::create_dir_all(dir.path().join(skipped)).unwrap();
            std::fs::write(dir.path().join(skipped).join("x"), "x").unwrap();
        }
        let out = tempfile::tempdir().unwrap();
        copy_source(dir.path(), &out.path().join("a")).unwrap();
        assert!(out.path().join("a/src/index.ts").is_file() && out.path().join("a/package.json").is_file());
        assert!(!out.path().join("a/.git").exists() && !out.path().join("a/node_modules").exists());
        std::os::unix::fs::symlink("package.json", dir.path().join("src/link")).unwrap();
        let error = copy_source(dir.path(), &out.path().join("b")).unwrap_err();
        assert!(error.contains("src/link is not a regular file or folder"), "{error}");
    }
}
