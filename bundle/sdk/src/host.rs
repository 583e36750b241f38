//! What a bundle's `main` hands the engine: the bundle's identity, the members it was built to host (with where
//! each came from and its limits), the shell UI and build facts. A bundle binary is one line:
//! `temps_bundle_sdk::host::main(config)`. Generated bundle crates (`cargo xtask bundle --config`) write these
//! values as literals, so every type here is `const`-constructible.

pub use crate::engine::{BuildInfo, BundleConfig, main};

/// One member the bundle was built to host. The engine refuses to start if what registered differs.
#[derive(Debug, Clone, Copy)]
pub struct MemberSpec {
    /// The member name its manifest declares (the bundle file's `[members.<name>]` key).
    pub name: &'static str,
    /// Where the member's crate came from (reported in the manifest's `bundle.members[].source`).
    pub source: MemberSource,
    /// Per-member limits from the bundle file; `None` fields take the engine's defaults.
    pub limits: MemberLimits,
}

impl MemberSpec {
    /// A member built from a local path with default limits.
    pub const fn path(name: &'static str) -> Self {
        Self { name, source: MemberSource::Path, limits: MemberLimits::DEFAULT }
    }
}

/// Where a member's crate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum MemberSource {
    Path,
    /// A git dependency, with the commit Cargo resolved.
    Git {
        url: &'static str,
        commit: &'static str,
    },
    /// A crates registry dependency, with the resolved version.
    Registry {
        version: &'static str,
    },
}

/// Per-member limits (the bundle file's `[members.X]` keys of the same names). `None` = the engine's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct MemberLimits {
    pub request_timeout_ms: Option<u64>,
    pub max_concurrent_requests: Option<u32>,
    pub max_body_bytes: Option<u64>,
    pub event_timeout_ms: Option<u64>,
    pub event_backlog: Option<u32>,
}

impl MemberLimits {
    /// Every limit at the engine's default.
    pub const DEFAULT: Self = Self {
        request_timeout_ms: None,
        max_concurrent_requests: None,
        max_body_bytes: None,
        event_timeout_ms: None,
        event_backlog: None,
    };
}
