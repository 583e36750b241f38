//! Driving Cargo on the generated crate: the lock beside the bundle file, `cargo metadata` (resolution and the
//! SDK check, before compiling), and `cargo build` into the shared target folder.
//!
//! Release builds are reproducible: the paths that would end up in the binary (this checkout, the target
//! folder, the generated crate, Cargo's home, outside member folders) are remapped to fixed names, and nothing
//! time-dependent is written. Debug builds skip the remapping, because changed `RUSTFLAGS` would make Cargo
//! rebuild every dependency instead of reusing the repository's own debug build.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::BundleError;
use crate::generate::{self, BuildFacts, Resolved, Workspace};
use crate::metadata::{MemberPackage, Metadata};
use crate::spec::{BundleFile, MemberOptimization, Source};

/// How the generated crate's `Cargo.lock` is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    /// `<stem>.lock` beside the bundle file: reused as is (`--locked`) when it exists, else written by this build.
    File,
    /// Like `File`, but every dependency is re-resolved to its newest compatible version first (`--update`).
    Update,
    /// No lock of its own: the repository's `Cargo.lock` seeds every build (the repository's dev, test and bench
    /// bundles, whose members are the repository's crates).
    Workspace,
}

/// How to build.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    pub release: bool,
    pub lock: LockMode,
}

/// A generated crate Cargo has resolved and the SDK check has accepted.
#[derive(Debug)]
pub struct Prepared {
    pub dir: PathBuf,
    pub metadata: Metadata,
    pub members: Vec<MemberPackage>,
    locked: bool,
}

/// Generates the crate, sets up its lock and resolves it; refuses a second SDK before anything compiles.
pub fn prepare(ws: &Workspace, file: &BundleFile, options: BuildOptions) -> Result<Prepared, BundleError> {
    let dir = generate::write(ws, file, None)?;
    let lock = dir.join("Cargo.lock");
    let kept = file.lock_path();
    let locked = match options.lock {
        LockMode::File if kept.is_file() => copy(&kept, &lock).map(|()| true)?,
        LockMode::Update if kept.is_file() => copy(&kept, &lock).map(|()| false)?,
        LockMode::File | LockMode::Update | LockMode::Workspace => {
            copy(&ws.root.join("Cargo.lock"), &lock).map(|()| false)?
        }
    };
    if options.lock == LockMode::Update {
        run(cargo(ws, &dir).arg("update"))?;
    }
    let mut command = cargo(ws, &dir);
    // Only what is compiled for this machine (the bill of materials lists what is in the binary).
    command.args(["metadata", "--format-version", "1", "--filter-platform", &host_target()?]);
    if locked {
        command.arg("--locked");
    }
    let json =
        run(&mut command).map_err(|error| stale_lock(error, file, locked)).map_err(|e| sdk_collision(e, ws, file))?;
    let metadata = Metadata::parse(&json)?;
    let members = metadata.members(file)?;
    metadata.check_one_sdk(file, &members)?;
    Ok(Prepared { dir, metadata, members, locked })
}

/// Writes the resolved sources into `main.rs` and builds; returns the binary in the shared target folder.
pub fn build(
    ws: &Workspace,
    file: &BundleFile,
    prepared: &Prepared,
    options: BuildOptions,
    build: BuildFacts,
) -> Result<PathBuf, BundleError> {
    let sources = prepared.members.iter().map(|m| m.source.clone()).collect();
    let size_optimized = match file.optimize_members {
        MemberOptimization::Size => prepared.metadata.member_only_packages(&prepared.members),
        MemberOptimization::Speed => Vec::new(),
    };
    generate::write(ws, file, Some(&Resolved { sources, build, size_optimized }))?;
    let mut command = cargo(ws, &prepared.dir);
    command.arg("build");
    if options.release {
        command.arg("--release");
        command.env("CARGO_ENCODED_RUSTFLAGS", remap_flags(ws, file, &prepared.dir));
    }
    if prepared.locked {
        command.arg("--locked");
    }
    run_visible(&mut command).map_err(|error| stale_lock(error, file, prepared.locked))?;
    let profile = if options.release { "release" } else { "debug" };
    let binary =
        ws.target.join(profile).join(format!("{}{}", generate::package_name(file), std::env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        return Err(BundleError::Output {
            what: "cargo build".into(),
            message: format!("{} is missing", binary.display()),
        });
    }
    Ok(binary)
}

/// Keeps the generated crate's lock as `<stem>.lock` beside the bundle file (File and Update modes), rewriting it
/// only when it changed. Called once the bundle was accepted, so a refused build leaves no new lock behind.
pub fn save_lock(file: &BundleFile, prepared: &Prepared, mode: LockMode) -> Result<Option<PathBuf>, BundleError> {
    if mode == LockMode::Workspace {
        return Ok(None);
    }
    let text = read(&prepared.dir.join("Cargo.lock"))?;
    let kept = file.lock_path();
    if std::fs::read_to_string(&kept).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&kept, text).map_err(|source| BundleError::Write { path: kept.clone(), source })?;
    }
    Ok(Some(kept))
}

/// The host's target triple (`rustc -vV`).
pub fn host_target() -> Result<String, BundleError> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let text = run(Command::new(rustc).arg("-vV"))?;
    Ok(text.lines().find_map(|l| l.strip_prefix("host: ")).unwrap_or("unknown").trim().to_owned())
}

/// `--remap-path-prefix` for every machine-specific path; later flags win, so the most specific come last.
fn remap_flags(ws: &Workspace, file: &BundleFile, dir: &Path) -> OsString {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let cargo_home =
        std::env::var_os("CARGO_HOME").map(PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(".cargo")));
    let mut pairs: Vec<(PathBuf, String)> = Vec::new();
    pairs.extend(home.map(|h| (h, "/home".to_owned())));
    pairs.extend(cargo_home.map(|c| (c, "/cargo".to_owned())));
    pairs.push((ws.root.clone(), "/temps-bundle".to_owned()));
    pairs.push((ws.target.clone(), "/target".to_owned()));
    pairs.push((dir.to_path_buf(), "/bundle".to_owned()));
    for (name, member) in &file.members {
        if let Source::Path(path) = &member.source
            && !path.starts_with(&ws.root)
        {
            pairs.push((path.clone(), format!("/members/{name}")));
        }
    }
    let flags: Vec<OsString> = pairs
        .into_iter()
        .map(|(from, to)| {
            let mut flag = OsString::from("--remap-path-prefix=");
            flag.push(from.as_os_str());
            flag.push("=");
            flag.push(to);
            flag
        })
        .collect();
    flags.join(std::ffi::OsStr::new("\u{1f}"))
}

fn stale_lock(error: BundleError, file: &BundleFile, locked: bool) -> BundleError {
    match &error {
        BundleError::Command { output, .. } if locked && output.contains("--locked") => BundleError::Lock(format!(
            "{lock} no longer matches {} (a member or source changed since it was written): run again with --update \
             to re-resolve the dependencies to their newest compatible versions and rewrite the lock (or delete \
             {lock} to write a new one seeded from this checkout's Cargo.lock)",
            file.path.display(),
            lock = file.lock_path().display(),
        )),
        _ => error,
    }
}

/// Cargo itself refuses two path copies of one package with the same version ("package collision in the
/// lockfile") before `cargo metadata` can show who wants which: say it in the bundle's terms.
fn sdk_collision(error: BundleError, ws: &Workspace, file: &BundleFile) -> BundleError {
    match &error {
        BundleError::Command { output, .. }
            if output.contains("package collision in the lockfile")
                && output.contains(crate::metadata::SDK_PACKAGE) =>
        {
            let cargo_says = output.lines().find(|l| l.contains("package collision")).unwrap_or_default().trim();
            BundleError::SdkCopies(format!(
                "{}: the members resolve to 2 copies of {sdk} with the same version; each copy keeps its own registry \
                 of members, so the engine would silently miss some. The bundle uses {sdk} at {}. Cargo: {cargo_says}\n\
                 Make every member depend on the bundle's {sdk} (this checkout's bundle/sdk).",
                file.path.display(),
                ws.sdk().display(),
                sdk = crate::metadata::SDK_PACKAGE,
            ))
        }
        _ => error,
    }
}

fn cargo(ws: &Workspace, dir: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.arg("--quiet").current_dir(dir).env("CARGO_TARGET_DIR", &ws.target);
    // The checkout's Cargo configuration (its `[env]`: how the bundled SQLite is compiled) applies to every
    // bundle, also when the generated crate lies outside the checkout, where Cargo would not find it by itself.
    let config = ws.root.join(".cargo").join("config.toml");
    if config.is_file() {
        command.arg("--config").arg(config);
    }
    command.env_remove("CARGO_ENCODED_RUSTFLAGS").env_remove("RUSTFLAGS");
    command
}

/// Runs with captured output; returns stdout, or the command and everything it printed.
fn run(command: &mut Command) -> Result<String, BundleError> {
    let what = describe(command);
    let output =
        command.stdin(Stdio::null()).output().map_err(|source| BundleError::Spawn { command: what.clone(), source })?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr).into_owned() + &String::from_utf8_lossy(&output.stdout);
        return Err(BundleError::Command { command: what, output: text.trim_end().to_owned() });
    }
    String::from_utf8(output.stdout).map_err(|e| BundleError::Output { what, message: e.to_string() })
}

/// Runs with stderr passed through (compiler progress), capturing only stderr's last lines for the error.
fn run_visible(command: &mut Command) -> Result<(), BundleError> {
    let what = describe(command);
    let output = command
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .output()
        .map_err(|source| BundleError::Spawn { command: what.clone(), source })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(BundleError::Command { command: what, output: stderr.trim_end().to_owned() });
    }
    if !stderr.trim().is_empty() {
        eprint!("{stderr}");
    }
    Ok(())
}

fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    match command.get_current_dir() {
        Some(dir) => format!("`{}` (in {})", words.join(" "), dir.display()),
        None => format!("`{}`", words.join(" ")),
    }
}

fn copy(from: &Path, to: &Path) -> Result<(), BundleError> {
    let text = read(from)?;
    if std::fs::read_to_string(to).ok().as_deref() == Some(text.as_str()) {
        return Ok(());
    }
    std::fs::write(to, text).map_err(|source| BundleError::Write { path: to.to_path_buf(), source })
}

fn read(path: &Path) -> Result<String, BundleError> {
    std::fs::read_to_string(path).map_err(|source| BundleError::Read { path: path.to_path_buf(), source })
}
