//! The one error type: every refusal names what is wrong, where, and (when there is one) the fix.

use std::path::PathBuf;

/// Why a bundle could not be described, checked or built.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Invalid { path: PathBuf, line: Option<usize>, message: String },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot run {command}: {source}")]
    Spawn { command: String, source: std::io::Error },
    #[error("{command} failed:\n{output}")]
    Command { command: String, output: String },
    #[error("{what} printed output that cannot be read: {message}")]
    Output { what: String, message: String },
    /// Members resolve to more than one `temps-bundle-sdk`: refused before compiling.
    #[error("{0}")]
    SdkCopies(String),
    /// What the built binary registers does not match the bundle file.
    #[error("the members do not match the bundle file:\n  - {}", .0.join("\n  - "))]
    Members(Vec<String>),
    #[error("{0}")]
    Lock(String),
}
