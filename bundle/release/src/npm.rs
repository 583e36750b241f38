//! The per-platform npm package a publisher could submit to Temps' official signed registry (`temps-install.md`):
//! a folder (`package.json` with `os`/`cpu`/`libc`, `bin/<name>`), its tarball as `npm publish <tgz>` uploads it,
//! and the `platforms.<key>` fields of a registry entry computed from them (`sha256` of the executable,
//! `integrity` of the tarball, `binary_path`). Only Temps can list it: it signs its catalogue with its own keys.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::digest::{npm_integrity, sha256_file_hex};
use crate::error::{ReleaseError, check_semver};
use crate::platform::Platform;
use crate::tarball::write_tgz;

/// What goes into the package.
#[derive(Debug, Clone)]
pub struct NpmSpec<'a> {
    /// The npm scope, without `@` (the registry wants `@<scope>/<pkg>`).
    pub scope: &'a str,
    /// The bundle's plugin name.
    pub name: &'a str,
    pub version: &'a str,
    pub platform: &'static Platform,
    pub binary: &'a Path,
}

/// What was written, and the values a registry entry needs.
#[derive(Debug, Clone)]
pub struct NpmPackage {
    /// The package folder (what `npm pack` would pack).
    pub folder: PathBuf,
    /// `<pkg>-<version>.tgz`: publish exactly this file (`npm publish <tgz>`) so that `integrity` stays right.
    pub tarball: PathBuf,
    /// `<pkg>-<version>.platform.json`: the `platforms.<key>` object of a registry entry.
    pub platform_entry: PathBuf,
    /// `@<scope>/<name>-<platform>`.
    pub package_name: String,
    pub sha256: String,
    pub integrity: String,
}

/// Writes `<out_dir>/<pkg>-<version>/`, its tarball and the platform entry next to it.
pub fn write_npm_package(spec: &NpmSpec<'_>, out_dir: &Path) -> Result<NpmPackage, ReleaseError> {
    check_semver(spec.version)?;
    check_scope(spec.scope)?;
    let pkg = format!("{}-{}", spec.name, spec.platform.dir);
    let package_name = format!("@{}/{pkg}", spec.scope);
    let folder = out_dir.join(format!("{pkg}-{}", spec.version));
    if folder.exists() {
        std::fs::remove_dir_all(&folder).map_err(ReleaseError::io("removing the old", &folder))?;
    }
    let bin_dir = folder.join("bin");
    std::fs::create_dir_all(&bin_dir).map_err(ReleaseError::io("creating", &bin_dir))?;
    let executable = bin_dir.join(spec.name);
    std::fs::copy(spec.binary, &executable).map_err(ReleaseError::io("copying the binary to", &executable))?;
    crate::make_executable(&executable)?;
    let sha256 = sha256_file_hex(&executable).map_err(ReleaseError::io("reading", &executable))?;
    let manifest = folder.join("package.json");
    let text = serde_json::to_string_pretty(&package_json(spec, &package_name)).unwrap_or_default() + "\n";
    std::fs::write(&manifest, text).map_err(ReleaseError::io("writing", &manifest))?;

    let tarball = out_dir.join(format!("{pkg}-{}.tgz", spec.version));
    let binary_path = format!("package/bin/{}", spec.name);
    write_tgz(
        &[(manifest, PathBuf::from("package/package.json")), (executable, PathBuf::from(&binary_path))],
        &tarball,
    )?;
    let integrity = npm_integrity(&std::fs::read(&tarball).map_err(ReleaseError::io("reading", &tarball))?);

    let entry = json!({
        spec.platform.registry_key: {
            "url": format!("https://registry.npmjs.org/{package_name}/-/{pkg}-{}.tgz", spec.version),
            "sha256": sha256,
            "npm": { "name": package_name, "version": spec.version, "integrity": integrity, "binary_path": binary_path },
        }
    });
    let platform_entry = out_dir.join(format!("{pkg}-{}.platform.json", spec.version));
    let text = serde_json::to_string_pretty(&entry).unwrap_or_default() + "\n";
    std::fs::write(&platform_entry, text).map_err(ReleaseError::io("writing", &platform_entry))?;
    Ok(NpmPackage { folder, tarball, platform_entry, package_name, sha256, integrity })
}

fn package_json(spec: &NpmSpec<'_>, package_name: &str) -> Value {
    let platform = spec.platform;
    let mut package = json!({
        "name": package_name,
        "version": spec.version,
        "description": format!("The {} temps-bundle executable for {} (a Temps plugin)", spec.name, platform.registry_key),
        "os": [platform.os],
        "cpu": [platform.cpu],
        "files": ["bin/"],
        "preferUnplugged": true,
    });
    if let Some(libc) = platform.libc {
        package["libc"] = json!([libc]);
    }
    package
}

/// npm scopes follow package-name rules: lowercase, URL-safe, not starting with `.` or `_`.
fn check_scope(scope: &str) -> Result<(), ReleaseError> {
    let ok = !scope.is_empty()
        && scope.len() <= 100
        && !scope.starts_with(['.', '_'])
        && scope.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
    if ok { Ok(()) } else { Err(ReleaseError::BadScope(scope.to_owned())) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::sha256_hex;

    #[test]
    fn the_package_its_tarball_and_the_entry_fields_agree() {
        let out = tempfile::tempdir().unwrap();
        let binary = out.path().join("temps-bundle");
        std::fs::write(&binary, b"\x7fELF fake executable").unwrap();
        let platform = Platform::find("linux-x64").unwrap();
        let spec = NpmSpec { scope: "acme", name: "acme-tools", version: "1.4.0", platform, binary: &binary };
        let package = write_npm_package(&spec, out.path()).unwrap();

        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(package.folder.join("package.json")).unwrap()).unwrap();
        assert_eq!(manifest["name"], "@acme/acme-tools-linux-x64");
        assert_eq!(
            (&manifest["os"], &manifest["cpu"], &manifest["libc"]),
            (&json!(["linux"]), &json!(["x64"]), &json!(["glibc"]))
        );

        let entry: Value = serde_json::from_str(&std::fs::read_to_string(&package.platform_entry).unwrap()).unwrap();
        let fields = &entry["linux-amd64-gnu"];
        assert_eq!(
            fields["url"],
            "https://registry.npmjs.org/@acme/acme-tools-linux-x64/-/acme-tools-linux-x64-1.4.0.tgz"
        );
        assert_eq!(fields["sha256"], sha256_hex(b"\x7fELF fake executable"));
        assert_eq!(fields["npm"]["integrity"], npm_integrity(&std::fs::read(&package.tarball).unwrap()));
        assert_eq!(fields["npm"]["binary_path"], "package/bin/acme-tools");
        assert!(fields.get("size").is_none() && fields.get("kind").is_none(), "no fields the registry does not have");

        // The tarball holds exactly what the entry says, under `package/`, and is reproducible.
        let listing = std::process::Command::new("tar").arg("tzvf").arg(&package.tarball).output().unwrap();
        let listing = String::from_utf8_lossy(&listing.stdout);
        assert!(listing.contains("package/package.json") && listing.contains("package/bin/acme-tools"), "{listing}");
        assert!(listing.lines().any(|l| l.starts_with("-rwx") && l.ends_with("package/bin/acme-tools")), "{listing}");
        let first = std::fs::read(&package.tarball).unwrap();
        write_npm_package(&spec, out.path()).unwrap();
        assert_eq!(first, std::fs::read(&package.tarball).unwrap(), "equal inputs, equal tarball");
    }

    #[test]
    fn bad_scopes_and_versions_are_refused() {
        let platform = Platform::find("darwin-arm64").unwrap();
        let binary = Path::new("/nonexistent");
        for (scope, version) in [("@acme", "1.0.0"), ("Acme", "1.0.0"), ("acme", "1.0"), ("acme", "v1.0.0")] {
            let spec = NpmSpec { scope, name: "x", version, platform, binary };
            let error = write_npm_package(&spec, Path::new("/nonexistent")).unwrap_err().to_string();
            assert!(error.contains(scope) || error.contains(version), "{error}");
        }
    }
}
