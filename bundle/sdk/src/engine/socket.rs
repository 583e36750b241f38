//! The plugin socket file: bound with mode 0600 after a stale file is cleared, removed at exit only if still ours.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tokio::net::UnixListener;

use super::error::EngineError;

/// The socket file this process bound, identified by device and inode so shutdown never removes a socket a
/// newer process (a restart or an update's candidate) has since bound at the same path.
pub struct SocketFile {
    path: PathBuf,
    identity: Option<(u64, u64)>,
}

impl SocketFile {
    pub fn remove(&self) {
        if file_identity(&self.path) != self.identity {
            tracing::info!(socket = %self.path.display(), "the socket path now belongs to another process; left alone");
            return;
        }
        if let Err(error) = std::fs::remove_file(&self.path) {
            tracing::warn!(socket = %self.path.display(), %error, "could not remove the socket file");
        }
    }
}

fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Removes a stale socket file, binds, and restricts the socket to its owner (0600).
pub fn bind_socket(path: &Path) -> Result<(UnixListener, SocketFile), EngineError> {
    match std::fs::remove_file(path) {
        Ok(()) => tracing::info!(socket = %path.display(), "removed a stale socket file"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => return Err(EngineError::RemoveStaleSocket { path: path.to_owned(), source }),
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| EngineError::BindSocket { path: path.to_owned(), source })?;
    }
    let listener =
        UnixListener::bind(path).map_err(|source| EngineError::BindSocket { path: path.to_owned(), source })?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|source| EngineError::ChmodSocket { path: path.to_owned(), source })?;
    Ok((listener, SocketFile { path: path.to_owned(), identity: file_identity(path) }))
}
