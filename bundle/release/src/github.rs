//! The GitHub-source launcher folder (`<name>-<version>-github/`): what an operator commits and pushes so that a
//! newest Temps host (B2) can install the bundle with `POST /x/plugins/install/repository` (`temps-install.md`).
//!
//! Layout: `package.json` (SemVer version, `temps.name`), `bun.lock`, `src/index.ts` (the launcher, a fixed
//! template), `src/bundle.ts` (generated: the embedded binaries, their SHA-256, the bundle's environment),
//! `bin/<platform>/temps-bundle` plus a one-line `package.json` per platform, `README.md` and `.gitignore`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::digest::sha256_file_hex;
use crate::error::{ReleaseError, check_semver};
use crate::platform::Platform;

/// The launcher, verbatim.
const INDEX_TS: &str = include_str!("../templates/index.ts");
/// The operator's instructions; `{{name}}`, `{{version}}` and `{{platforms}}` are filled in.
const README_TEMPLATE: &str = include_str!("../templates/README.md");

/// The variable that tells the bundle its parent is the launcher (the engine's `launcher_parent.rs`).
pub const LAUNCHER_PID_VAR: &str = "TEMPS_BUNDLE_LAUNCHER_PID";

/// The binary's file name inside `bin/<platform>/`.
pub const BINARY_FILE: &str = "temps-bundle";

/// What goes into the launcher folder.
#[derive(Debug, Clone)]
pub struct LauncherSpec<'a> {
    /// The plugin name Temps installs it as (`temps.name` and the package name).
    pub name: &'a str,
    /// The bundle's version; must be SemVer (the host refuses anything else).
    pub version: &'a str,
    /// One built executable per platform.
    pub binaries: Vec<(&'static Platform, &'a Path)>,
    /// The bundle's whole environment besides [`LAUNCHER_PID_VAR`]: the launcher forwards none of its own.
    pub env: Vec<(String, String)>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct LauncherFolder {
    pub folder: PathBuf,
    /// `(platform dir, SHA-256 of its binary)`, in the order given.
    pub binaries: Vec<(&'static str, String)>,
}

/// Writes the folder at `folder`, replacing a previous one.
pub fn write_launcher(spec: &LauncherSpec<'_>, folder: &Path) -> Result<LauncherFolder, ReleaseError> {
    check_semver(spec.version)?;
    check_spec(spec)?;
    if folder.exists() {
        std::fs::remove_dir_all(folder).map_err(ReleaseError::io("removing the old", folder))?;
    }
    let mut binaries = Vec::new();
    for (platform, binary) in &spec.binaries {
        let dir = folder.join("bin").join(platform.dir);
        create_dir(&dir)?;
        let copy = dir.join(BINARY_FILE);
        std::fs::copy(binary, &copy).map_err(ReleaseError::io("copying the binary to", &copy))?;
        crate::make_executable(&copy)?;
        let sha256 = sha256_file_hex(&copy).map_err(ReleaseError::io("reading", &copy))?;
        write(&dir.join("package.json"), &pretty(&platform_package_json(spec, platform)))?;
        binaries.push((platform.dir, sha256));
    }
    create_dir(&folder.join("src"))?;
    write(&folder.join("package.json"), &pretty(&package_json(spec)))?;
    write(&folder.join("bun.lock"), &bun_lock(spec))?;
    write(&folder.join("src/index.ts"), INDEX_TS)?;
    write(&folder.join("src/bundle.ts"), &bundle_ts(spec, &binaries))?;
    write(&folder.join("README.md"), &readme(spec))?;
    write(&folder.join(".gitignore"), "node_modules/\n/plugin\n")?;
    Ok(LauncherFolder { folder: folder.to_owned(), binaries })
}

fn check_spec(spec: &LauncherSpec<'_>) -> Result<(), ReleaseError> {
    if spec.binaries.is_empty() {
        return Err(ReleaseError::NoBinaries);
    }
    for (i, (platform, _)) in spec.binaries.iter().enumerate() {
        if spec.binaries[..i].iter().any(|(seen, _)| seen.dir == platform.dir) {
            return Err(ReleaseError::DuplicatePlatform(platform.dir));
        }
    }
    for (key, _) in &spec.env {
        let mut chars = key.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid || key == LAUNCHER_PID_VAR {
            return Err(ReleaseError::BadEnvName(key.clone()));
        }
    }
    Ok(())
}

fn package_json(spec: &LauncherSpec<'_>) -> Value {
    json!({
        "name": spec.name,
        "version": spec.version,
        "private": true,
        "description": format!("GitHub-source Temps launcher of the {} bundle: embeds the bundle binaries and runs the one for the host", spec.name),
        "type": "module",
        // The platform folders are workspaces only so that Bun keeps a lockfile: it deletes the lockfile of a
        // package without dependencies, and `bun install --frozen-lockfile` then refuses any committed one.
        "workspaces": ["bin/*"],
        "temps": { "name": spec.name },
    })
}

fn platform_package_name(spec: &LauncherSpec<'_>, platform: &Platform) -> String {
    format!("{}-bin-{}", spec.name, platform.dir)
}

fn platform_package_json(spec: &LauncherSpec<'_>, platform: &Platform) -> Value {
    json!({ "name": platform_package_name(spec, platform), "version": spec.version, "private": true })
}

/// The text lockfile exactly as Bun writes it for this package (format 1, which Bun 1.2 and later read): the root
/// workspace and the platform workspaces, no registry packages. Platforms sorted by folder, as Bun sorts them.
fn bun_lock(spec: &LauncherSpec<'_>) -> String {
    let quote = |text: &str| Value::from(text).to_string();
    let mut platforms: Vec<&Platform> = spec.binaries.iter().map(|(p, _)| *p).collect();
    platforms.sort_by_key(|p| p.dir);
    let mut workspaces = format!("    \"\": {{\n      \"name\": {},\n    }},\n", quote(spec.name));
    let mut packages = String::new();
    for platform in &platforms {
        let name = platform_package_name(spec, platform);
        let path = format!("bin/{}", platform.dir);
        workspaces += &format!(
            "    {}: {{\n      \"name\": {},\n      \"version\": {},\n    }},\n",
            quote(&path),
            quote(&name),
            quote(spec.version)
        );
        packages += &format!("    {}: [{}],\n", quote(&name), quote(&format!("{name}@workspace:{path}")));
    }
    format!(
        "{{\n  \"lockfileVersion\": 1,\n  \"workspaces\": {{\n{workspaces}  }},\n  \"packages\": {{\n{packages}  }}\n}}\n"
    )
}

/// `src/bundle.ts`: one `with { type: "file" }` import per binary (what makes `bun build --compile` embed it).
fn bundle_ts(spec: &LauncherSpec<'_>, binaries: &[(&str, String)]) -> String {
    let quote = |text: &str| Value::from(text).to_string();
    let mut imports = String::new();
    let mut entries = String::new();
    for ((platform, _), (_, sha256)) in spec.binaries.iter().zip(binaries) {
        let ident = format!("bin_{}", platform.dir.replace('-', "_"));
        imports += &format!(
            "import {ident} from {} with {{ type: \"file\" }};\n",
            quote(&format!("../bin/{}/{BINARY_FILE}", platform.dir))
        );
        let libc = platform.libc.map(|l| format!(" libc: {},", quote(l))).unwrap_or_default();
        entries += &format!(
            "  {{ dir: {}, os: {}, cpu: {},{libc} path: {ident}, sha256: {} }},\n",
            quote(platform.dir),
            quote(platform.os),
            quote(platform.cpu),
            quote(sha256)
        );
    }
    let env: serde_json::Map<String, Value> =
        spec.env.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
    format!(
        "// Generated by `cargo xtask bundle` for {name} {version}: the embedded bundle binaries and the bundle's environment.\n\
         {imports}\n\
         export interface Binary {{\n  dir: string;\n  os: string;\n  cpu: string;\n  libc?: string;\n  path: string;\n  sha256: string;\n}}\n\n\
         export const NAME = {qname};\nexport const VERSION = {qversion};\n\n\
         export const BINARIES: Binary[] = [\n{entries}];\n\n\
         // The bundle's whole environment besides TEMPS_BUNDLE_LAUNCHER_PID (`cargo xtask bundle --launcher-env K=V`);\n\
         // nothing from the launcher's own environment is forwarded.\n\
         export const CHILD_ENV: Record<string, string> = {env};\n",
        name = spec.name,
        version = spec.version,
        qname = quote(spec.name),
        qversion = quote(spec.version),
        env = Value::Object(env),
    )
}

fn readme(spec: &LauncherSpec<'_>) -> String {
    let platforms: Vec<String> = spec
        .binaries
        .iter()
        .map(|(p, _)| format!("`bin/{}/` (Temps `{}`, Bun `{}`)", p.dir, p.registry_key, p.bun_target))
        .collect();
    README_TEMPLATE
        .replace("{{name}}", spec.name)
        .replace("{{version}}", spec.version)
        .replace("{{platforms}}", &platforms.join(", "))
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

fn create_dir(dir: &Path) -> Result<(), ReleaseError> {
    std::fs::create_dir_all(dir).map_err(ReleaseError::io("creating", dir))
}

fn write(path: &Path, text: &str) -> Result<(), ReleaseError> {
    std::fs::write(path, text).map_err(ReleaseError::io("writing", path))
}

#[cfg(test)]
mod tests;
