//! Composition: read the inventory once, validate the member set, sort it by name.
//!
//! **Invariant:** validation happens before any router is built, so a bad set fails start-up with one message
//! naming every offending plugin instead of an axum panic.

use std::collections::BTreeMap;
use std::sync::Arc;

use temps_bundle_protocol::names::{check_member_name, check_version};
use temps_bundle_protocol::{HostPermission, PluginManifest};

use super::error::EngineError;
use crate::plugin::Member;
use crate::registry::registrations;

/// One validated member.
#[derive(Clone)]
pub(crate) struct MemberEntry {
    pub name: String,
    /// The Cargo package that registered it.
    pub package: &'static str,
    pub manifest: PluginManifest,
    pub member: Arc<dyn Member>,
}

/// The validated member set, sorted by name.
#[derive(Clone)]
pub(crate) struct Composition {
    pub members: Vec<MemberEntry>,
}

impl Composition {
    /// Reads every registration linked into the binary and validates it against `expected`.
    pub(crate) fn from_inventory(expected: &[&str]) -> Result<Self, EngineError> {
        let found = registrations().map(|r| (r.package, r.construct())).collect();
        Self::validate(found, expected)
    }

    /// Validates a member set: names, versions and paths well-formed, names unique and not reserved, and exactly
    /// the expected names registered. Collects every problem before failing.
    pub(crate) fn validate(
        found: Vec<(&'static str, Arc<dyn Member>)>,
        expected: &[&str],
    ) -> Result<Self, EngineError> {
        let mut problems = Vec::new();
        let mut by_name: BTreeMap<String, Vec<MemberEntry>> = BTreeMap::new();
        for (package, member) in found {
            let manifest = member.manifest();
            let name = manifest.name.clone();
            problems.extend(manifest_problems(package, &manifest));
            by_name.entry(name.clone()).or_default().push(MemberEntry { name, package, manifest, member });
        }
        for (name, entries) in &by_name {
            if entries.len() > 1 {
                let packages: Vec<&str> = entries.iter().map(|e| e.package).collect();
                problems
                    .push(format!("member name {name:?} is registered more than once (by {})", packages.join(", ")));
            }
        }
        for name in expected {
            if !by_name.contains_key(*name) {
                problems.push(format!(
                    "member {name:?} was expected but did not register (is its crate linked with `use <crate> as _;` and does it call register!?)"
                ));
            }
        }
        for (name, entries) in &by_name {
            if !expected.contains(&name.as_str()) {
                let package = entries.first().map_or("?", |e| e.package);
                problems.push(format!(
                    "member {name:?} (package {package}) registered but is not in the host's expected list"
                ));
            }
        }
        if !problems.is_empty() {
            return Err(EngineError::Composition(problems));
        }
        let members = by_name.into_values().flatten().collect();
        Ok(Self { members })
    }

    /// The member called `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&MemberEntry> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The member names, comma-separated, for messages.
    pub(crate) fn names(&self) -> String {
        self.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

fn manifest_problems(package: &str, manifest: &PluginManifest) -> Vec<String> {
    let name = &manifest.name;
    let mut problems = Vec::new();
    if let Err(why) = check_member_name(name) {
        problems.push(format!("member name {name:?} (package {package}) {why}"));
    }
    if let Err(why) = check_version(&manifest.version) {
        problems.push(format!("member {name:?} version {:?} {why}", manifest.version));
    }
    // The builder only takes `HostPermission`s; a manifest written by hand can still carry a typo.
    for permission in &manifest.host_permissions {
        if let Err(unknown) = permission.parse::<HostPermission>() {
            problems.push(format!("member {name:?} (package {package}): {unknown}"));
        }
    }
    let paths = manifest.public_paths.iter().map(|p| ("public path", p));
    let nav = manifest.nav.iter().map(|n| ("nav path", &n.path));
    let health = std::iter::once(("health path", &manifest.health_path));
    for (what, path) in paths.chain(nav).chain(health) {
        if !path.starts_with('/') {
            problems.push(format!("member {name:?} {what} {path:?} must start with '/'"));
        }
    }
    problems
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::builder::ManifestBuilder;
    use crate::context::Context;
    use crate::plugin::{BoxError, Erased, Plugin};
    use axum::Router;

    /// A member with a fixed manifest, for composition tests.
    pub(crate) struct Fixed(pub PluginManifest);

    impl Plugin for Fixed {
        type State = ();
        fn manifest(&self) -> PluginManifest {
            self.0.clone()
        }
        async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {
            Ok(())
        }
        fn router(&self, _ctx: &Context, _state: ()) -> Router {
            Router::new()
        }
    }

    pub(crate) fn member(manifest: PluginManifest) -> (&'static str, Arc<dyn Member>) {
        ("test-package", Arc::new(Erased(Fixed(manifest))))
    }

    fn named(name: &str) -> (&'static str, Arc<dyn Member>) {
        member(ManifestBuilder::new(name, "1.0.0").build())
    }

    fn problems(found: Vec<(&'static str, Arc<dyn Member>)>, expected: &[&str]) -> String {
        match Composition::validate(found, expected) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn valid_set_is_sorted_by_name() {
        let set = Composition::validate(vec![named("zeta"), named("alpha")], &["alpha", "zeta"]).unwrap();
        assert_eq!(set.names(), "alpha, zeta");
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let text =
            problems(vec![named("Bad_Name"), named("ui"), named("_x"), named("dup"), named("dup")], &["dup", "gone"]);
        for needle in [
            "\"Bad_Name\" (package test-package) may only contain",
            "\"ui\" (package test-package) is reserved",
            "\"_x\" (package test-package) may only contain",
            "\"dup\" is registered more than once",
            "\"gone\" was expected but did not register",
            "\"ui\" (package test-package) registered but is not in the host's expected list",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in {text}");
        }
    }

    #[test]
    fn a_misspelled_host_permission_is_refused_with_the_valid_ones() {
        let mut manifest = ManifestBuilder::new("a", "1").build();
        manifest.host_permissions.push("project_read".into());
        let text = problems(vec![member(manifest)], &["a"]);
        assert!(
            text.contains("member \"a\" (package test-package): unknown host permission \"project_read\" (valid: projects_read, environments_read, deployments_read, api_read, api_write, ai_generate, events_read)"),
            "{text}"
        );
    }

    #[test]
    fn paths_must_be_absolute() {
        let manifest = ManifestBuilder::new("a", "1").public_path("hook").build();
        assert!(problems(vec![member(manifest)], &["a"]).contains("public path \"hook\" must start with '/'"));
    }
}
