//! The plugin socket file: bound with mode 0600 after a stale socket is cleared, removed at exit only if still ours.
//!
//! Only a socket nobody listens on is stale. A live socket belongs to another process (a second copy started by
//! mistake, another plugin given the same path) and anything else at the path is not ours to delete: both stop
//! the start with an error naming the path rather than taking the path over.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tokio::net::UnixListener;

use super::error::EngineError;

/// The socket file this process bound, identified by device and inode so shutdown never removes a socket a
/// newer process (a restart or an update's candidate) has since bound at the same path.
pub(crate) struct SocketFile {
    path: PathBuf,
    identity: Option<(u64, u64)>,
}

impl SocketFile {
    pub(crate) fn remove(&self) {
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

/// Clears a stale socket file, binds, and restricts the socket to its owner (0600).
pub(crate) fn bind_socket(path: &Path) -> Result<(UnixListener, SocketFile), EngineError> {
    clear_stale_socket(path)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| EngineError::BindSocket { path: path.to_owned(), source })?;
    }
    let listener =
        UnixListener::bind(path).map_err(|source| EngineError::BindSocket { path: path.to_owned(), source })?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|source| EngineError::ChmodSocket { path: path.to_owned(), source })?;
    Ok((listener, SocketFile { path: path.to_owned(), identity: file_identity(path) }))
}

/// Removes what is at `path` if it is a socket whose connect is refused; nothing there is fine too.
fn clear_stale_socket(path: &Path) -> Result<(), EngineError> {
    use std::os::unix::fs::FileTypeExt;
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(EngineError::RemoveStaleSocket { path: path.to_owned(), source }),
    };
    if !metadata.file_type().is_socket() {
        let kind = if metadata.is_dir() { "a directory" } else { "not a socket" };
        return Err(EngineError::SocketPathTaken { path: path.to_owned(), reason: format!("the path is {kind}") });
    }
    match std::os::unix::net::UnixStream::connect(path) {
        Ok(_) => {
            return Err(EngineError::SocketPathTaken {
                path: path.to_owned(),
                reason: "another process is listening on it".into(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
        Err(source) => return Err(EngineError::RemoveStaleSocket { path: path.to_owned(), source }),
    }
    std::fs::remove_file(path).map_err(|source| EngineError::RemoveStaleSocket { path: path.to_owned(), source })?;
    tracing::info!(socket = %path.display(), "removed a stale socket file");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_socket_nobody_listens_on_is_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join("stale.sock");
        drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
        clear_stale_socket(&stale).unwrap();
        assert!(!stale.exists());
        clear_stale_socket(&stale).unwrap();

        let live = dir.path().join("live.sock");
        let _listener = std::os::unix::net::UnixListener::bind(&live).unwrap();
        let error = clear_stale_socket(&live).unwrap_err().to_string();
        assert!(error.contains("live.sock") && error.contains("another process is listening"), "{error}");
        assert!(live.exists());

        let file = dir.path().join("file.sock");
        std::fs::write(&file, "mine").unwrap();
        let error = clear_stale_socket(&file).unwrap_err().to_string();
        assert!(error.contains("file.sock") && error.contains("not a socket"), "{error}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    }
}
