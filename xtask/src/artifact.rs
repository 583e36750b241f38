//! The publishable artifacts under `target/bundle/`, one per way onto a Temps host (`temps-install.md`):
//! - `<name>-<version>-<platform>/` (executable, `manifest.json`, the bill of materials, `SHA256SUMS`) and its
//!   `.tar.gz`: the drop-in file of hosts A0–B1;
//! - `<name>-<version>-github/`: the GitHub-source launcher folder of the newest hosts (`temps-bundle-release`);
//! - with `--npm-scope`, `npm/`: the per-platform npm package and the registry-entry fields a publisher would
//!   submit to Temps' signed registry. Nothing here claims to be installable from a registry by itself.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::Value;
use temps_bundle_release::digest::sha256_hex;
use temps_bundle_release::{LauncherSpec, NpmPackage, NpmSpec, Platform};

use crate::staging::Staging;

/// What goes into the artifact.
#[derive(Debug)]
pub struct ArtifactSpec<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub platform: &'a str,
    /// The built `temps-bundle` executable.
    pub binary: &'a Path,
    /// The composite manifest, as the binary printed it.
    pub manifest: &'a Value,
    /// The bundle's environment under the GitHub-source launcher (`--launcher-env`).
    pub launcher_env: &'a [(String, String)],
    /// The npm scope of the per-platform package; `None` writes no npm package.
    pub npm_scope: Option<&'a str>,
    /// More files for the folder (name, contents), listed in `SHA256SUMS` too (the bill of materials).
    pub extra_files: &'a [(&'a str, String)],
}

/// The paths written.
#[derive(Debug)]
pub struct Artifact {
    pub folder: PathBuf,
    pub tarball: PathBuf,
    /// The GitHub-source launcher folder, or why there is none.
    pub github: Result<PathBuf, String>,
    pub npm: Option<NpmPackage>,
    pub binary_sha256: String,
}

/// Writes the folder, the tarball, the launcher folder and (with a scope) the npm package under `out_dir`,
/// replacing previous ones. Everything is written into a staging folder under `out_dir` first and moved into
/// place only when all of it is written: a failure on the way leaves the previous artifact intact.
pub fn assemble(spec: &ArtifactSpec<'_>, out_dir: &Path) -> anyhow::Result<Artifact> {
    let stem = format!("{}-{}-{}", spec.name, spec.version, spec.platform);
    let staging = Staging::new(out_dir, &stem)?;
    let staged = write_all(spec, &stem, staging.dir())?;
    let mut moves: Vec<PathBuf> = vec![staged.folder.clone(), staged.tarball.clone()];
    moves.extend(staged.github.iter().cloned());
    if let Some(npm) = &staged.npm {
        moves.extend([npm.folder.clone(), npm.tarball.clone(), npm.platform_entry.clone()]);
    }
    let moved = |path: &Path| staging.final_path(path);
    let artifact = Artifact {
        folder: moved(&staged.folder),
        tarball: moved(&staged.tarball),
        github: staged.github.as_ref().map(|folder| moved(folder)).map_err(Clone::clone),
        npm: staged.npm.map(|npm| NpmPackage {
            folder: moved(&npm.folder),
            tarball: moved(&npm.tarball),
            platform_entry: moved(&npm.platform_entry),
            ..npm
        }),
        binary_sha256: staged.binary_sha256,
    };
    staging.commit(&moves.iter().map(PathBuf::as_path).collect::<Vec<_>>())?;
    // Older releases wrote a registry entry in a format no host reads; leave no such file behind.
    let stale = out_dir.join(format!("{stem}.registry.json"));
    if stale.exists() {
        std::fs::remove_file(&stale).with_context(|| format!("removing the obsolete {}", stale.display()))?;
    }
    Ok(artifact)
}

/// Every output, written under `dir` (the staging folder).
fn write_all(spec: &ArtifactSpec<'_>, stem: &str, dir: &Path) -> anyhow::Result<Artifact> {
    let folder = dir.join(stem);
    std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;

    let executable = folder.join(spec.name);
    std::fs::copy(spec.binary, &executable)
        .with_context(|| format!("copying {} to {}", spec.binary.display(), executable.display()))?;
    let manifest_text = serde_json::to_string_pretty(spec.manifest)? + "\n";
    std::fs::write(folder.join("manifest.json"), &manifest_text).context("writing manifest.json")?;

    let binary_sha256 = sha256_file(&executable)?;
    let mut sums = format!("{binary_sha256}  {}\n{}  manifest.json\n", spec.name, sha256_hex(manifest_text.as_bytes()));
    for (name, text) in spec.extra_files {
        std::fs::write(folder.join(name), text).with_context(|| format!("writing {name}"))?;
        sums += &format!("{}  {name}\n", sha256_hex(text.as_bytes()));
    }
    std::fs::write(folder.join("SHA256SUMS"), sums).context("writing SHA256SUMS")?;

    let tarball = dir.join(format!("{stem}.tar.gz"));
    write_tarball(&folder, stem, &tarball)?;

    let platform = Platform::find(spec.platform);
    let github = github_folder(spec, platform, dir)?;
    let npm = match (spec.npm_scope, platform) {
        (None, _) => None,
        (Some(_), None) => anyhow::bail!("Temps' registry has no platform `{}`: no npm package", spec.platform),
        (Some(scope), Some(platform)) => {
            let npm = NpmSpec { scope, name: spec.name, version: spec.version, platform, binary: spec.binary };
            Some(temps_bundle_release::write_npm_package(&npm, &dir.join("npm"))?)
        }
    };
    Ok(Artifact { folder, tarball, github, npm, binary_sha256 })
}

/// `<name>-<version>-github/`, unless the version is not SemVer or the platform is none Temps builds for (the
/// newest hosts would refuse it: the drop-in artifact is still written).
fn github_folder(
    spec: &ArtifactSpec<'_>,
    platform: Option<&'static Platform>,
    out_dir: &Path,
) -> anyhow::Result<Result<PathBuf, String>> {
    let folder = out_dir.join(format!("{}-{}-github", spec.name, spec.version));
    let Some(platform) = platform else {
        return Ok(Err(format!("no GitHub-source launcher: Temps builds for no platform `{}`", spec.platform)));
    };
    if let Err(error) = temps_bundle_release::error::check_semver(spec.version) {
        return Ok(Err(format!("no GitHub-source launcher: {error}")));
    }
    let launcher = LauncherSpec {
        name: spec.name,
        version: spec.version,
        binaries: vec![(platform, spec.binary)],
        env: spec.launcher_env.to_vec(),
    };
    Ok(Ok(temps_bundle_release::write_launcher(&launcher, &folder)?.folder))
}

/// The lowercase hex SHA-256 of a file.
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(sha256_hex(&bytes))
}

/// A gzipped tar of `folder`, its entries under `<stem>/`, with fixed owner and time so that equal inputs give
/// equal archives.
fn write_tarball(folder: &Path, stem: &str, tarball: &Path) -> anyhow::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(folder)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    let entries: Vec<(PathBuf, PathBuf)> =
        entries.iter().map(|e| (e.path(), Path::new(stem).join(e.file_name()))).collect();
    Ok(temps_bundle_release::tarball::write_tgz(&entries, tarball)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn manifest() -> Value {
        json!({ "name": "acme-tools", "version": "1.4.0", "display_name": "Acme Tools" })
    }

    fn spec<'a>(binary: &'a Path, manifest: &'a Value, version: &'a str) -> ArtifactSpec<'a> {
        ArtifactSpec {
            name: "acme-tools",
            version,
            platform: "linux-amd64-gnu",
            binary,
            manifest,
            launcher_env: &[],
            npm_scope: Some("acme"),
            extra_files: &[],
        }
    }

    #[test]
    fn assembles_a_folder_that_sha256sum_accepts_a_tarball_the_launcher_and_the_npm_package() {
        let out = tempfile::tempdir().unwrap();
        let binary = out.path().join("temps-bundle");
        std::fs::write(&binary, b"#!/bin/sh\necho fake\n").unwrap();
        std::fs::write(out.path().join("acme-tools-1.4.0-linux-amd64-gnu.registry.json"), "{}").unwrap();
        let manifest = manifest();
        let artifact = assemble(&spec(&binary, &manifest, "1.4.0"), out.path()).unwrap();

        let sums = std::fs::read_to_string(artifact.folder.join("SHA256SUMS")).unwrap();
        assert!(sums.starts_with(&format!("{}  acme-tools\n", artifact.binary_sha256)), "{sums}");
        if std::process::Command::new("sha256sum").arg("--version").output().is_ok() {
            let check = std::process::Command::new("sha256sum")
                .args(["-c", "SHA256SUMS"])
                .current_dir(&artifact.folder)
                .output()
                .unwrap();
            assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
        }

        let listing = std::process::Command::new("tar").arg("tzf").arg(&artifact.tarball).output().unwrap();
        let listing = String::from_utf8_lossy(&listing.stdout);
        for file in ["acme-tools", "manifest.json", "SHA256SUMS"] {
            assert!(listing.contains(&format!("acme-tools-1.4.0-linux-amd64-gnu/{file}")), "{listing}");
        }
        let names: Vec<String> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names.iter().any(|n| n.ends_with(".registry.json")),
            "no registry entry in a format no host reads: {names:?}"
        );

        let github = artifact.github.unwrap();
        assert_eq!(github, out.path().join("acme-tools-1.4.0-github"));
        assert_eq!(std::fs::read(github.join("bin/linux-x64/temps-bundle")).unwrap(), std::fs::read(&binary).unwrap());
        let npm = artifact.npm.unwrap();
        assert_eq!(npm.package_name, "@acme/acme-tools-linux-x64");
        assert_eq!(npm.sha256, artifact.binary_sha256);
    }

    /// Every file under `dir` with its contents, and every folder.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.push((path.clone(), None));
                out.extend(snapshot(&path));
            } else {
                out.push((path.clone(), Some(std::fs::read(&path).unwrap())));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_failed_assembly_keeps_the_previous_artifact_and_leaves_no_partial_files() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("bundle");
        let old = tmp.path().join("old-binary");
        std::fs::write(&old, b"old binary").unwrap();
        let manifest = manifest();
        let first = assemble(&spec(&old, &manifest, "1.4.0"), &out).unwrap();
        let before = snapshot(&out);
        assert!(before.iter().any(|(p, _)| p.ends_with("npm")), "{before:?}");

        let new = tmp.path().join("new-binary");
        std::fs::write(&new, b"new binary").unwrap();
        // Fails after the executable and manifest.json are written: the extra file's folder does not exist.
        let late_file = [("missing-folder/bom.cdx.json", "{}".to_owned())];
        let late = ArtifactSpec { extra_files: &late_file, ..spec(&new, &manifest, "1.4.0") };
        // Fails after the folder, the tarball and the launcher folder are written: no such npm platform.
        let unknown = ArtifactSpec { platform: "plan9-mips", ..spec(&new, &manifest, "1.4.0") };
        for (what, failing) in [("a late file", late), ("an unknown npm platform", unknown)] {
            let error = assemble(&failing, &out).unwrap_err();
            assert_eq!(snapshot(&out), before, "{what} ({error:#}) changed the output folder");
        }
        assert_eq!(std::fs::read(first.folder.join("acme-tools")).unwrap(), b"old binary");

        let second = assemble(&spec(&new, &manifest, "1.4.0"), &out).unwrap();
        assert_eq!(second.folder, first.folder);
        assert_eq!(std::fs::read(second.folder.join("acme-tools")).unwrap(), b"new binary");
        let names: Vec<_> = snapshot(&out).into_iter().map(|(p, _)| p).collect();
        assert_eq!(names, before.into_iter().map(|(p, _)| p).collect::<Vec<_>>(), "the same files, replaced");
    }

    #[test]
    fn a_version_the_newest_hosts_refuse_gets_no_launcher_but_the_drop_in_artifact() {
        let out = tempfile::tempdir().unwrap();
        let binary = out.path().join("temps-bundle");
        std::fs::write(&binary, b"fake").unwrap();
        let manifest = manifest();
        let spec = ArtifactSpec { npm_scope: None, ..spec(&binary, &manifest, "2024.10") };
        let artifact = assemble(&spec, out.path()).unwrap();
        assert!(artifact.folder.join("acme-tools").is_file());
        let why = artifact.github.unwrap_err();
        assert!(why.contains("not SemVer"), "{why}");
        assert!(artifact.npm.is_none());
    }
}
