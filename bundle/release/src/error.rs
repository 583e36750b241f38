//! What can go wrong writing release outputs, each naming the file or value at fault.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "version `{version}` is not SemVer (Temps installs GitHub-source and npm releases only with a SemVer version): {reason}"
    )]
    NotSemver { version: String, reason: String },
    #[error("`{0}` is not a valid npm scope (lowercase letters, digits, `-`, `_`, `.`; without the `@`)")]
    BadScope(String),
    #[error("the launcher needs at least one platform binary")]
    NoBinaries,
    #[error("platform {0} is listed twice")]
    DuplicatePlatform(&'static str),
    #[error("environment variable name `{0}` is not [A-Za-z_][A-Za-z0-9_]*, or is the launcher's own")]
    BadEnvName(String),
}

impl ReleaseError {
    /// An I/O error on `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { action, path, source }
    }
}

/// Checks that `version` is SemVer 2.0.
pub fn check_semver(version: &str) -> Result<(), ReleaseError> {
    semver::Version::parse(version)
        .map(|_| ())
        .map_err(|e| ReleaseError::NotSemver { version: version.to_owned(), reason: e.to_string() })
}
