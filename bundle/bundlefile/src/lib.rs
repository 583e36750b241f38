//! Bundle files: a TOML description of one bundle (its identity and members from anywhere: local folders, git,
//! a crates registry) turned into a generated host crate under `target/bundles/<stem>/` and built.
//!
//! [`BundleFile::load`] reads and validates the file; [`compile::prepare`] generates the crate, keeps its lock
//! beside the file and refuses a second SDK copy before compiling; [`compile::build`] builds it;
//! [`registered::check`] compares what the binary registers with the file. The xtask (`cargo xtask bundle
//! --config`) adds UIs and the artifact around these steps; the host's tests build their test bundle with
//! [`build_debug`].

mod checkout;
pub mod compile;
mod error;
pub mod generate;
pub mod metadata;
pub mod registered;
pub mod sbom;
mod spec;

use std::path::{Path, PathBuf};

pub use compile::{BuildOptions, LockMode, Prepared};
pub use error::BundleError;
pub use generate::{BuildFacts, ResolvedSource, Workspace};
pub use spec::{BundleFile, GitRef, Limits, Member, RESERVED_NAMES, Source};

/// Builds the bundle file at `path` with the dev profile and the repository's lock, checks what registered, and
/// returns the binary: the repository's own bundles (tests) in one call.
pub fn build_debug(ws: &Workspace, path: &Path) -> Result<PathBuf, BundleError> {
    build_debug_file(ws, &BundleFile::load(path)?)
}

/// [`build_debug`] for a bundle file assembled in code (the dev host's: the default bundle plus the examples).
pub fn build_debug_file(ws: &Workspace, file: &BundleFile) -> Result<PathBuf, BundleError> {
    build_with_workspace_lock(ws, file, false)
}

/// Generates, resolves (SDK check), builds and checks `file` with the repository's `Cargo.lock` and no lock of
/// its own: the repository's dev, test and bench bundles.
pub fn build_with_workspace_lock(ws: &Workspace, file: &BundleFile, release: bool) -> Result<PathBuf, BundleError> {
    let options = BuildOptions { release, lock: LockMode::Workspace };
    let prepared = compile::prepare(ws, file, options)?;
    let profile = if release { "release" } else { "debug" };
    let facts = BuildFacts { git_rev: "unknown".into(), target: compile::host_target()?, profile: profile.into() };
    let binary = compile::build(ws, file, &prepared, options, facts)?;
    registered::check(&prepared.members, &registered::read(&binary)?)?;
    Ok(binary)
}
