//! `temps-bundle`: the binary Temps runs. It links the selected plugin crates (one Cargo feature each) and hands
//! over to the engine; everything else lives in `temps-bundle-sdk`.

#[cfg(feature = "test-members")]
use temps_bundle_test_members as _;
#[cfg(feature = "hello")]
use temps_plugin_hello as _;

use std::process::ExitCode;

use temps_bundle_sdk::engine::{self, BuildInfo, BundleConfig};

/// The members this binary was built to host; the engine refuses to start if what registered differs.
const EXPECTED_MEMBERS: &[&str] = &[
    #[cfg(feature = "hello")]
    "hello",
    #[cfg(feature = "test-members")]
    "boom",
    #[cfg(feature = "test-members")]
    "broken",
    #[cfg(feature = "test-members")]
    "slow",
];

fn main() -> ExitCode {
    engine::main(BundleConfig {
        name: option_env!("TEMPS_BUNDLE_NAME").unwrap_or("temps-bundle"),
        version: option_env!("TEMPS_BUNDLE_VERSION").unwrap_or(env!("CARGO_PKG_VERSION")),
        display_name: option_env!("TEMPS_BUNDLE_DISPLAY_NAME").unwrap_or("Temps Bundle"),
        expected_members: EXPECTED_MEMBERS,
        shell_ui: None,
        build: BuildInfo {
            git_rev: option_env!("TEMPS_BUNDLE_GIT_REV").unwrap_or("unknown"),
            target: env!("TEMPS_BUNDLE_BUILD_TARGET"),
            profile: env!("TEMPS_BUNDLE_BUILD_PROFILE"),
        },
    })
}
