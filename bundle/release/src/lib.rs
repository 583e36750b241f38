//! Release outputs of a bundle besides the executable itself (`temps-install.md`):
//!
//! - [`github`]: the GitHub-source launcher folder, the only way onto the newest Temps hosts;
//! - [`npm`]: the per-platform npm package (and registry-entry fields) a publisher could submit to Temps' own
//!   signed registry;
//! - [`platform`]: the platform names each of those uses; [`digest`] and [`tarball`]: reproducible checksums and
//!   archives.
//!
//! Used by `cargo xtask bundle` and by the tests that install the launcher through the dev host.

pub mod digest;
pub mod error;
pub mod github;
pub mod npm;
pub mod platform;
pub mod tarball;

pub use error::ReleaseError;
pub use github::{LAUNCHER_PID_VAR, LauncherFolder, LauncherSpec, write_launcher};
pub use npm::{NpmPackage, NpmSpec, write_npm_package};
pub use platform::{PLATFORMS, Platform};

/// Mode 0755: released executables are runnable whatever the umask or the source file's mode was.
fn make_executable(path: &std::path::Path) -> Result<(), ReleaseError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(ReleaseError::io("making executable", path))
}
