//! The composite manifest: the one `PluginManifest` Temps sees for the whole bundle, plus the extra `bundle` key
//! describing each member (hosts ignore unknown keys).

use serde::Serialize;
use temps_bundle_protocol::{Capability, NavEntry, PluginManifest, UiManifest, UiRoute};

use super::compose::{Composition, MemberEntry};
use super::{BuildInfo, BundleConfig};
use crate::host::MemberSource;
use crate::isolation::EffectiveLimits;

/// The format version of the `bundle` key.
pub(crate) const BUNDLE_FORMAT: u32 = 1;

/// A plugin manifest with the bundle's extra key.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CompositeManifest {
    #[serde(flatten)]
    pub manifest: PluginManifest,
    pub bundle: BundleSection,
}

/// The `bundle` key: what is inside and how it was built.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BundleSection {
    pub format: u32,
    pub members: Vec<MemberSummary>,
    pub build: BuildInfo,
}

/// One member as the composite describes it. `status`/`error` are filled only in the live view.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MemberSummary {
    pub name: String,
    pub version: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub mount: String,
    pub ui: Option<String>,
    pub events: Vec<String>,
    pub capabilities: Vec<Capability>,
    pub host_permissions: Vec<String>,
    pub public_paths: Vec<String>,
    pub nav: Vec<NavEntry>,
    /// The limits the member runs under (the bundle file's values, defaults filled in).
    pub limits: EffectiveLimits,
    /// Where the member's crate came from (the bundle file's source, with the resolved git commit).
    pub source: MemberSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Builds the composite manifest: the bundle's identity; nav, public paths nested under `/<member>`; sorted unions
/// of events, capabilities and host permissions; `requires_*` if any member requires it; the shell as the UI.
pub(crate) fn composite_manifest(config: &BundleConfig, set: &Composition) -> CompositeManifest {
    let members = &set.members;
    let mut manifest = PluginManifest::new(config.name, config.version);
    manifest.display_name = Some(config.display_name.to_owned());
    manifest.description = Some(format!("A bundle of {} Temps plugins: {}", members.len(), set.names()));
    manifest.nav = members.iter().flat_map(|m| m.manifest.nav.iter().map(|n| nested_nav(&m.name, n))).collect();
    manifest.ui = config.shell_ui.map(|_| UiManifest {
        entry_js: "ui/index.html".to_owned(),
        css: Vec::new(),
        routes: vec![UiRoute { path: "/".to_owned(), title: config.display_name.to_owned() }],
    });
    manifest.requires_db = members.iter().any(|m| m.manifest.requires_db);
    manifest.requires_host_data_access = members.iter().any(|m| m.manifest.requires_host_data_access);
    manifest.public_paths =
        members.iter().flat_map(|m| m.manifest.public_paths.iter().map(|p| nested_path(&m.name, p))).collect();
    manifest.capabilities = sorted_union(members.iter().map(|m| m.manifest.capabilities.iter().copied()));
    manifest.host_permissions = sorted_union(members.iter().map(|m| m.manifest.host_permissions.iter().cloned()));
    manifest.events = sorted_union(members.iter().map(|m| m.manifest.events.iter().cloned()));
    CompositeManifest {
        manifest,
        bundle: BundleSection {
            format: BUNDLE_FORMAT,
            members: members
                .iter()
                .map(|m| {
                    member_summary(m, EffectiveLimits::resolve(&config.limits_of(&m.name)), source_of(config, &m.name))
                })
                .collect(),
            build: config.build,
        },
    }
}

/// `/<member>` followed by `path` (a member-relative path; `/` maps to `/<member>`).
pub(crate) fn nested_path(member: &str, path: &str) -> String {
    let rest = path.trim_end_matches('/');
    format!("/{member}{rest}")
}

fn nested_nav(member: &str, entry: &NavEntry) -> NavEntry {
    NavEntry { path: nested_path(member, &entry.path), ..entry.clone() }
}

/// The source the bundle was built with for `name` (every composed member is in `config.members`).
fn source_of(config: &BundleConfig, name: &str) -> MemberSource {
    config.members.iter().find(|spec| spec.name == name).map_or(MemberSource::Path, |spec| spec.source)
}

fn member_summary(entry: &MemberEntry, limits: EffectiveLimits, source: MemberSource) -> MemberSummary {
    let m = &entry.manifest;
    let has_ui = entry.member.ui().is_some() || m.ui.is_some();
    MemberSummary {
        name: entry.name.clone(),
        version: m.version.clone(),
        display_name: m.display_name.clone(),
        description: m.description.clone(),
        mount: format!("/{}", entry.name),
        ui: has_ui.then(|| format!("/{}/ui/", entry.name)),
        events: m.events.clone(),
        capabilities: m.capabilities.clone(),
        host_permissions: m.host_permissions.clone(),
        public_paths: m.public_paths.iter().map(|p| nested_path(&entry.name, p)).collect(),
        nav: m.nav.iter().map(|n| nested_nav(&entry.name, n)).collect(),
        limits,
        source,
        status: None,
        error: None,
    }
}

fn sorted_union<T: Ord, I: Iterator<Item = T>>(lists: impl Iterator<Item = I>) -> Vec<T> {
    let mut all: Vec<T> = lists.flatten().collect();
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::ManifestBuilder;
    use crate::engine::compose::tests::member;
    use crate::host::{MemberLimits, MemberSpec};
    use expect_test::expect_file;
    use temps_bundle_protocol::{HostPermission, NavSection};

    fn config() -> BundleConfig {
        const ALPHA_LIMITS: MemberLimits =
            MemberLimits { request_timeout_ms: Some(5_000), event_backlog: Some(50), ..MemberLimits::DEFAULT };
        const MEMBERS: &[MemberSpec] = &[
            MemberSpec { limits: ALPHA_LIMITS, ..MemberSpec::path("alpha") },
            MemberSpec {
                name: "beta",
                source: MemberSource::Git { url: "https://example.test/acme/beta", commit: "0123456789abcdef" },
                limits: MemberLimits::DEFAULT,
            },
        ];
        BundleConfig {
            name: "acme-tools",
            version: "1.4.0",
            display_name: "Acme Tools",
            members: MEMBERS,
            shell_ui: None,
            build: BuildInfo { git_rev: "abc1234", target: "x86_64-unknown-linux-gnu", profile: "release" },
        }
    }

    #[test]
    fn composite_snapshot() {
        let alpha = ManifestBuilder::new("alpha", "0.3.0")
            .display_name("Alpha")
            .nav("Alpha", "activity", NavSection::Platform, "/", 20)
            .nav("Alpha settings", "settings", NavSection::Settings, "/settings", 5)
            .public_path("/hooks/")
            .event("deployment.*")
            .capability(Capability::ApiWrite)
            .host_permission(HostPermission::EventsRead)
            .host_permission(HostPermission::DeploymentsRead)
            .build();
        let beta = ManifestBuilder::new("beta", "2.0.0")
            .description("Second")
            .requires_db(true)
            .event("project.created")
            .event("deployment.*")
            .capability(Capability::ApiRead)
            .host_permission(HostPermission::EventsRead)
            .build();
        let set = Composition::validate(vec![member(beta), member(alpha)], &["alpha", "beta"]).unwrap();
        let json = serde_json::to_string_pretty(&composite_manifest(&config(), &set)).unwrap();
        expect_file!["../../tests/snapshots/composite_manifest.json"].assert_eq(&json);
    }

    #[test]
    fn nesting() {
        assert_eq!(nested_path("m", "/"), "/m");
        assert_eq!(nested_path("m", "/a/b/"), "/m/a/b");
    }
}
