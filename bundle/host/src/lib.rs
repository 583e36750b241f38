//! The bundle this crate builds: which plugin crates are linked (one Cargo feature each) and the build-time
//! configuration. The `temps-bundle` binary (`main.rs`) hands it to the engine; everything else lives in
//! `temps-bundle-sdk`.

#[cfg(feature = "test-members")]
use temps_bundle_test_members as _;
#[cfg(feature = "hello")]
use temps_plugin_hello as _;

use temps_bundle_sdk::engine::{BuildInfo, BundleConfig};

/// The members this binary was built to host; the engine refuses to start if what registered differs.
pub const EXPECTED_MEMBERS: &[&str] = &[
    #[cfg(feature = "hello")]
    "hello",
    #[cfg(feature = "test-members")]
    "boom",
    #[cfg(feature = "test-members")]
    "broken",
    #[cfg(feature = "test-members")]
    "slow",
    #[cfg(feature = "test-members")]
    "tally",
];

/// The bundle's shell UI (`web/shell/dist`, or the placeholder `build.rs` writes until `cargo xtask ui` has run).
static SHELL_UI: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/../../web/shell/dist");

/// The bundle's configuration: name, version and display name come from `TEMPS_BUNDLE_*` variables at build time
/// (`cargo xtask bundle --name/--version` sets them) and default to the workspace's.
pub fn config() -> BundleConfig {
    BundleConfig {
        name: option_env!("TEMPS_BUNDLE_NAME").unwrap_or("temps-bundle"),
        version: option_env!("TEMPS_BUNDLE_VERSION").unwrap_or(env!("CARGO_PKG_VERSION")),
        display_name: option_env!("TEMPS_BUNDLE_DISPLAY_NAME").unwrap_or("Temps Bundle"),
        expected_members: EXPECTED_MEMBERS,
        shell_ui: Some(&SHELL_UI),
        build: BuildInfo {
            git_rev: option_env!("TEMPS_BUNDLE_GIT_REV").unwrap_or("unknown"),
            target: env!("TEMPS_BUNDLE_BUILD_TARGET"),
            profile: env!("TEMPS_BUNDLE_BUILD_PROFILE"),
        },
    }
}
