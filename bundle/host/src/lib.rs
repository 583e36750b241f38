//! The bundle this crate builds: which plugin crates are linked (one Cargo feature each) and the build-time
//! configuration. The `temps-bundle` binary (`main.rs`) hands it to the engine; everything else lives in
//! `temps-bundle-sdk`.

#[cfg(feature = "bench-members-1")]
use temps_bundle_bench_members as _;
#[cfg(feature = "test-members")]
use temps_bundle_test_members as _;
#[cfg(feature = "deploy-pulse")]
use temps_plugin_deploy_pulse as _;
#[cfg(feature = "hello")]
use temps_plugin_hello as _;
#[cfg(feature = "indexnow")]
use temps_plugin_indexnow as _;
#[cfg(feature = "notify")]
use temps_plugin_notify as _;
#[cfg(feature = "site-audit")]
use temps_plugin_site_audit as _;

use std::sync::LazyLock;

use temps_bundle_sdk::host::{BuildInfo, BundleConfig, MemberLimits, MemberSpec};

/// The members this binary was built to host; the engine refuses to start if what registered differs.
pub const EXPECTED_MEMBERS: &[&str] = &[
    #[cfg(feature = "deploy-pulse")]
    "deploy-pulse",
    #[cfg(feature = "hello")]
    "hello",
    #[cfg(feature = "notify")]
    "notify",
    #[cfg(feature = "site-audit")]
    "site-audit",
    #[cfg(feature = "indexnow")]
    "indexnow",
    #[cfg(feature = "test-members")]
    "boom",
    #[cfg(feature = "test-members")]
    "broken",
    #[cfg(feature = "test-members")]
    "slow",
    #[cfg(feature = "test-members")]
    "tally",
    #[cfg(feature = "test-members")]
    "sleepy",
    #[cfg(feature = "test-members")]
    "stuck",
    #[cfg(feature = "test-members")]
    "laggard",
    #[cfg(feature = "test-members")]
    "counter",
    // Synthetic members for `cargo xtask bench` (`bundle/bench-members`).
    #[cfg(feature = "bench-members-1")]
    "synth-000",
    #[cfg(feature = "bench-members-10")]
    "synth-001",
    #[cfg(feature = "bench-members-10")]
    "synth-002",
    #[cfg(feature = "bench-members-10")]
    "synth-003",
    #[cfg(feature = "bench-members-10")]
    "synth-004",
    #[cfg(feature = "bench-members-10")]
    "synth-005",
    #[cfg(feature = "bench-members-10")]
    "synth-006",
    #[cfg(feature = "bench-members-10")]
    "synth-007",
    #[cfg(feature = "bench-members-10")]
    "synth-008",
    #[cfg(feature = "bench-members-10")]
    "synth-009",
    #[cfg(feature = "bench-members-100")]
    "synth-010",
    #[cfg(feature = "bench-members-100")]
    "synth-011",
    #[cfg(feature = "bench-members-100")]
    "synth-012",
    #[cfg(feature = "bench-members-100")]
    "synth-013",
    #[cfg(feature = "bench-members-100")]
    "synth-014",
    #[cfg(feature = "bench-members-100")]
    "synth-015",
    #[cfg(feature = "bench-members-100")]
    "synth-016",
    #[cfg(feature = "bench-members-100")]
    "synth-017",
    #[cfg(feature = "bench-members-100")]
    "synth-018",
    #[cfg(feature = "bench-members-100")]
    "synth-019",
    #[cfg(feature = "bench-members-100")]
    "synth-020",
    #[cfg(feature = "bench-members-100")]
    "synth-021",
    #[cfg(feature = "bench-members-100")]
    "synth-022",
    #[cfg(feature = "bench-members-100")]
    "synth-023",
    #[cfg(feature = "bench-members-100")]
    "synth-024",
    #[cfg(feature = "bench-members-100")]
    "synth-025",
    #[cfg(feature = "bench-members-100")]
    "synth-026",
    #[cfg(feature = "bench-members-100")]
    "synth-027",
    #[cfg(feature = "bench-members-100")]
    "synth-028",
    #[cfg(feature = "bench-members-100")]
    "synth-029",
    #[cfg(feature = "bench-members-100")]
    "synth-030",
    #[cfg(feature = "bench-members-100")]
    "synth-031",
    #[cfg(feature = "bench-members-100")]
    "synth-032",
    #[cfg(feature = "bench-members-100")]
    "synth-033",
    #[cfg(feature = "bench-members-100")]
    "synth-034",
    #[cfg(feature = "bench-members-100")]
    "synth-035",
    #[cfg(feature = "bench-members-100")]
    "synth-036",
    #[cfg(feature = "bench-members-100")]
    "synth-037",
    #[cfg(feature = "bench-members-100")]
    "synth-038",
    #[cfg(feature = "bench-members-100")]
    "synth-039",
    #[cfg(feature = "bench-members-100")]
    "synth-040",
    #[cfg(feature = "bench-members-100")]
    "synth-041",
    #[cfg(feature = "bench-members-100")]
    "synth-042",
    #[cfg(feature = "bench-members-100")]
    "synth-043",
    #[cfg(feature = "bench-members-100")]
    "synth-044",
    #[cfg(feature = "bench-members-100")]
    "synth-045",
    #[cfg(feature = "bench-members-100")]
    "synth-046",
    #[cfg(feature = "bench-members-100")]
    "synth-047",
    #[cfg(feature = "bench-members-100")]
    "synth-048",
    #[cfg(feature = "bench-members-100")]
    "synth-049",
    #[cfg(feature = "bench-members-100")]
    "synth-050",
    #[cfg(feature = "bench-members-100")]
    "synth-051",
    #[cfg(feature = "bench-members-100")]
    "synth-052",
    #[cfg(feature = "bench-members-100")]
    "synth-053",
    #[cfg(feature = "bench-members-100")]
    "synth-054",
    #[cfg(feature = "bench-members-100")]
    "synth-055",
    #[cfg(feature = "bench-members-100")]
    "synth-056",
    #[cfg(feature = "bench-members-100")]
    "synth-057",
    #[cfg(feature = "bench-members-100")]
    "synth-058",
    #[cfg(feature = "bench-members-100")]
    "synth-059",
    #[cfg(feature = "bench-members-100")]
    "synth-060",
    #[cfg(feature = "bench-members-100")]
    "synth-061",
    #[cfg(feature = "bench-members-100")]
    "synth-062",
    #[cfg(feature = "bench-members-100")]
    "synth-063",
    #[cfg(feature = "bench-members-100")]
    "synth-064",
    #[cfg(feature = "bench-members-100")]
    "synth-065",
    #[cfg(feature = "bench-members-100")]
    "synth-066",
    #[cfg(feature = "bench-members-100")]
    "synth-067",
    #[cfg(feature = "bench-members-100")]
    "synth-068",
    #[cfg(feature = "bench-members-100")]
    "synth-069",
    #[cfg(feature = "bench-members-100")]
    "synth-070",
    #[cfg(feature = "bench-members-100")]
    "synth-071",
    #[cfg(feature = "bench-members-100")]
    "synth-072",
    #[cfg(feature = "bench-members-100")]
    "synth-073",
    #[cfg(feature = "bench-members-100")]
    "synth-074",
    #[cfg(feature = "bench-members-100")]
    "synth-075",
    #[cfg(feature = "bench-members-100")]
    "synth-076",
    #[cfg(feature = "bench-members-100")]
    "synth-077",
    #[cfg(feature = "bench-members-100")]
    "synth-078",
    #[cfg(feature = "bench-members-100")]
    "synth-079",
    #[cfg(feature = "bench-members-100")]
    "synth-080",
    #[cfg(feature = "bench-members-100")]
    "synth-081",
    #[cfg(feature = "bench-members-100")]
    "synth-082",
    #[cfg(feature = "bench-members-100")]
    "synth-083",
    #[cfg(feature = "bench-members-100")]
    "synth-084",
    #[cfg(feature = "bench-members-100")]
    "synth-085",
    #[cfg(feature = "bench-members-100")]
    "synth-086",
    #[cfg(feature = "bench-members-100")]
    "synth-087",
    #[cfg(feature = "bench-members-100")]
    "synth-088",
    #[cfg(feature = "bench-members-100")]
    "synth-089",
    #[cfg(feature = "bench-members-100")]
    "synth-090",
    #[cfg(feature = "bench-members-100")]
    "synth-091",
    #[cfg(feature = "bench-members-100")]
    "synth-092",
    #[cfg(feature = "bench-members-100")]
    "synth-093",
    #[cfg(feature = "bench-members-100")]
    "synth-094",
    #[cfg(feature = "bench-members-100")]
    "synth-095",
    #[cfg(feature = "bench-members-100")]
    "synth-096",
    #[cfg(feature = "bench-members-100")]
    "synth-097",
    #[cfg(feature = "bench-members-100")]
    "synth-098",
    #[cfg(feature = "bench-members-100")]
    "synth-099",
];

/// [`EXPECTED_MEMBERS`] as the engine takes them: built from local paths, default limits (the test-only members
/// get small ones, so the isolation tests reach them quickly).
static MEMBERS: LazyLock<Vec<MemberSpec>> = LazyLock::new(|| {
    EXPECTED_MEMBERS.iter().map(|name| MemberSpec { limits: limits_of(name), ..MemberSpec::path(name) }).collect()
});

fn limits_of(name: &str) -> MemberLimits {
    match name {
        #[cfg(feature = "test-members")]
        "sleepy" => MemberLimits {
            request_timeout_ms: Some(4_000),
            max_concurrent_requests: Some(32),
            max_body_bytes: Some(64 * 1024),
            ..MemberLimits::DEFAULT
        },
        #[cfg(feature = "test-members")]
        "stuck" => MemberLimits { event_timeout_ms: Some(60_000), event_backlog: Some(100), ..MemberLimits::DEFAULT },
        #[cfg(feature = "test-members")]
        "laggard" => MemberLimits { event_backlog: Some(50), ..MemberLimits::DEFAULT },
        _ => MemberLimits::DEFAULT,
    }
}

/// The bundle's shell UI (`web/shell/dist`, or the placeholder `build.rs` writes until `cargo xtask ui` has run).
static SHELL_UI: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/../../web/shell/dist");

/// The bundle's configuration: name, version and display name come from `TEMPS_BUNDLE_*` variables at build time
/// (`cargo xtask bundle --name/--version` sets them) and default to the workspace's.
pub fn config() -> BundleConfig {
    BundleConfig {
        name: option_env!("TEMPS_BUNDLE_NAME").unwrap_or("temps-bundle"),
        version: option_env!("TEMPS_BUNDLE_VERSION").unwrap_or(env!("CARGO_PKG_VERSION")),
        display_name: option_env!("TEMPS_BUNDLE_DISPLAY_NAME").unwrap_or("Temps Bundle"),
        members: MEMBERS.as_slice(),
        shell_ui: Some(&SHELL_UI),
        build: BuildInfo {
            git_rev: option_env!("TEMPS_BUNDLE_GIT_REV").unwrap_or("unknown"),
            target: env!("TEMPS_BUNDLE_BUILD_TARGET"),
            profile: env!("TEMPS_BUNDLE_BUILD_PROFILE"),
        },
    }
}
