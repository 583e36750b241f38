//! Build-script support: makes sure the `dist` folder a crate embeds with `include_dir!` exists.
//!
//! UIs are built by `cargo xtask ui` / `cargo xtask bundle`, never by `build.rs` (no npm in build scripts).
//! Until they are, `include_dir!` still needs a folder: [`ensure_ui_dist`] creates it with a placeholder page
//! that tells the reader how to build the real UI, and tells Cargo to rebuild the crate when the folder changes.
//!
//! ```text
//! // plugins/<name>/build.rs
//! fn main() {
//!     temps_bundle_build::ensure_ui_dist();
//! }
//! ```

pub mod codegen;
mod placeholder;

use std::path::{Path, PathBuf};

pub use placeholder::PLACEHOLDER_HTML;

/// The marker the placeholder page carries (a `<meta name>`): a `dist` holding it was never really built.
pub const PLACEHOLDER_MARKER: &str = "temps-bundle-placeholder";

/// For a plugin's `build.rs`: ensures `<crate>/web/dist` (see [`ensure_ui_dist_at`]).
pub fn ensure_ui_dist() {
    ensure_ui_dist_at("web/dist");
}

/// Ensures `dist` (relative to the crate being built) exists and has an `index.html`, writing the placeholder
/// page if it has none, and emits `cargo:rerun-if-changed` for it so that a later UI build re-embeds the files.
///
/// Build scripts report failure by panicking; this one only warns, because a missing UI must never stop the
/// Rust build (the placeholder is there precisely so that it does not).
#[allow(clippy::print_stdout, reason = "build scripts talk to Cargo on stdout")]
pub fn ensure_ui_dist_at(dist: impl AsRef<Path>) {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let dist = manifest_dir.join(dist);
    if let Err(error) = placeholder::ensure(&dist) {
        println!("cargo:warning=cannot prepare the UI folder {}: {error}", dist.display());
    }
    println!("cargo:rerun-if-changed={}", dist.display());
}

/// For tools (not build scripts): ensures `dist` exists with an `index.html`, writing the placeholder page if it has
/// none. Prints nothing.
pub fn ensure_placeholder(dist: &Path) -> std::io::Result<()> {
    placeholder::ensure(dist)
}
