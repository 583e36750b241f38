//! Where things are: the workspace root and the folders every command works in.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The checked-out workspace.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
    target: PathBuf,
}

impl Project {
    /// Finds the workspace root: the parent of this crate's folder (`cargo run` sets `CARGO_MANIFEST_DIR`; the
    /// compile-time value is the fallback when the binary is run directly).
    pub fn locate() -> anyhow::Result<Self> {
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir.parent().context("xtask's folder has no parent")?.to_path_buf();
        if !root.join("Cargo.toml").is_file() || !root.join("web").is_dir() {
            bail!("{} does not look like the temps-bundle workspace", root.display());
        }
        let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
        Ok(Self { root, target })
    }

    /// The workspace root (where the root `Cargo.toml` is).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Cargo's target folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The npm workspace root (`web/`).
    pub fn web(&self) -> PathBuf {
        self.root.join("web")
    }

    /// The UI kit's folder (`web/kit/`).
    pub fn kit(&self) -> PathBuf {
        self.web().join("kit")
    }

    /// The shell UI's folder (`web/shell/`).
    pub fn shell(&self) -> PathBuf {
        self.web().join("shell")
    }

    /// The repository's release bundle file (`bundle/default.toml`).
    pub fn default_bundle(&self) -> PathBuf {
        self.root.join("bundle/default.toml")
    }

    /// What generated bundle crates share: this checkout (SDK, shell UI, profiles) and the target folder.
    pub fn workspace(&self) -> temps_bundle_file::Workspace {
        temps_bundle_file::Workspace { root: self.root.clone(), target: self.target.clone() }
    }

    /// Where the xtask keeps its stamps (hashes of inputs already processed).
    pub fn stamps(&self) -> PathBuf {
        self.target.join("xtask")
    }

    /// `path` relative to the root, for messages.
    pub fn display(&self, path: &Path) -> String {
        path.strip_prefix(&self.root).unwrap_or(path).display().to_string()
    }
}
