//! How the generated crate names this checkout's files: through a `checkout` symlink in its own folder, so that
//! the same bundle file gives the same binary wherever the checkout and the target folder live.
//!
//! Why: Cargo hashes a path dependency's location into its `-C metadata` (and so into every symbol name of the
//! binary) relative to the workspace root when the dependency lies under that root, and as an absolute path when
//! it does not. The generated crate is its own workspace under `target/bundles/<stem>/`; naming the SDK and the
//! in-repository members as `checkout/…` puts them under that root, and their hashes no longer contain where the
//! checkout is. rustc then also sees relative source paths (panic locations say `checkout/plugins/…/src/…`).
//!
//! Only when every path member is inside the checkout: a member crate elsewhere may depend on the SDK by its real
//! path (`{ path = "/…/temps-bundle/bundle/sdk" }`), which Cargo would take for a second copy of the SDK next to
//! `checkout/bundle/sdk`. Such bundles name everything by its real path (and are reproducible only when built
//! from the same folders).

use std::path::{Path, PathBuf};

use crate::error::BundleError;
use crate::generate::Workspace;
use crate::spec::{BundleFile, Source};

/// The symlink's name in the generated crate's folder (excluded from the crate's workspace).
pub const LINK: &str = "checkout";

/// How the generated files refer to paths.
#[derive(Debug, Clone)]
pub struct Names {
    root: PathBuf,
    via_link: bool,
}

impl Names {
    /// Through the link when the platform has symlinks and every path member is inside the checkout.
    pub fn for_bundle(ws: &Workspace, file: &BundleFile) -> Self {
        let inside = file.members.values().all(|m| match &m.source {
            Source::Path(dir) => dir.starts_with(&ws.root),
            Source::Git { .. } | Source::Registry { .. } => true,
        });
        Self { root: ws.root.clone(), via_link: cfg!(unix) && inside }
    }

    /// Whether paths inside the checkout go through the link.
    pub fn via_link(&self) -> bool {
        self.via_link
    }

    /// `path` as the generated crate writes it: `checkout/<relative>` for paths inside the checkout (with the
    /// link), else as it is.
    pub fn name(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(&self.root) {
            Ok(relative) if self.via_link => Path::new(LINK).join(relative),
            _ => path.to_path_buf(),
        }
    }

    /// Creates (or re-points) `<dir>/checkout` → the checkout root when the link is used.
    pub fn link(&self, dir: &Path) -> Result<(), BundleError> {
        if !self.via_link {
            return Ok(());
        }
        let link = dir.join(LINK);
        if std::fs::read_link(&link).is_ok_and(|target| target == self.root) {
            return Ok(());
        }
        let write = || {
            std::fs::create_dir_all(dir)?;
            if std::fs::symlink_metadata(&link).is_ok() {
                std::fs::remove_file(&link)?;
            }
            symlink(&self.root, &link)
        };
        write().map_err(|source| BundleError::Write { path: link.clone(), source })
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "no symlinks on this platform"))
}
