//! A builder for member manifests covering every key of the Temps manifest.

use temps_bundle_protocol::{Capability, HostPermission, NavEntry, NavSection, PluginManifest, UiManifest, UiRoute};

/// Builds a [`PluginManifest`]; start with [`ManifestBuilder::new`] (usually with `env!("CARGO_PKG_VERSION")`).
#[derive(Debug, Clone)]
pub struct ManifestBuilder {
    manifest: PluginManifest,
}

impl ManifestBuilder {
    pub fn new(name: &str, version: &str) -> Self {
        Self { manifest: PluginManifest::new(name, version) }
    }

    pub fn display_name(mut self, display_name: &str) -> Self {
        self.manifest.display_name = Some(display_name.to_owned());
        self
    }

    pub fn description(mut self, description: &str) -> Self {
        self.manifest.description = Some(description.to_owned());
        self
    }

    /// Adds a sidebar entry. `path` is relative to the member (the bundle nests it under `/<member>`).
    pub fn nav(mut self, label: &str, icon: &str, section: NavSection, path: &str, order: u32) -> Self {
        self.manifest.nav.push(NavEntry {
            label: label.to_owned(),
            icon: icon.to_owned(),
            section,
            path: path.to_owned(),
            order,
        });
        self
    }

    /// Declares a UI served from `/ui/` with the given routes (`(path, title)`).
    pub fn ui(mut self, routes: &[(&str, &str)]) -> Self {
        self.manifest.ui = Some(UiManifest {
            entry_js: "ui/index.html".to_owned(),
            css: Vec::new(),
            routes: routes
                .iter()
                .map(|(path, title)| UiRoute { path: (*path).to_owned(), title: (*title).to_owned() })
                .collect(),
        });
        self
    }

    pub fn requires_db(mut self, yes: bool) -> Self {
        self.manifest.requires_db = yes;
        self
    }

    pub fn requires_host_data_access(mut self, yes: bool) -> Self {
        self.manifest.requires_host_data_access = yes;
        self
    }

    pub fn health_path(mut self, path: &str) -> Self {
        self.manifest.health_path = path.to_owned();
        self
    }

    pub fn hide_header(mut self, yes: bool) -> Self {
        self.manifest.hide_header = yes;
        self
    }

    /// A route prefix reachable without a Temps login (segment-boundary match).
    pub fn public_path(mut self, prefix: &str) -> Self {
        self.manifest.public_paths.push(prefix.to_owned());
        self
    }

    pub fn capability(mut self, capability: Capability) -> Self {
        if !self.manifest.capabilities.contains(&capability) {
            self.manifest.capabilities.push(capability);
        }
        self
    }

    /// A host permission the member needs (`HostPermission::EventsRead` to receive events, the `*_read` ones for
    /// the channel calls of the same names, …). Typed, so a misspelled permission does not compile.
    pub fn host_permission(mut self, permission: HostPermission) -> Self {
        push_unique(&mut self.manifest.host_permissions, permission.as_str());
        self
    }

    /// An event subscription: an exact type, `prefix.*`, or `*`.
    pub fn event(mut self, pattern: &str) -> Self {
        push_unique(&mut self.manifest.events, pattern);
        self
    }

    pub fn build(self) -> PluginManifest {
        self.manifest
    }
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_every_key() {
        let manifest = ManifestBuilder::new("hello", "1.0.0")
            .display_name("Hello")
            .description("Says hello")
            .nav("Hello", "hand", NavSection::Platform, "/", 10)
            .ui(&[("/", "Home")])
            .requires_db(true)
            .requires_host_data_access(true)
            .health_path("/healthz")
            .hide_header(true)
            .public_path("/hook")
            .capability(Capability::ApiRead)
            .capability(Capability::ApiRead)
            .host_permission(HostPermission::ProjectsRead)
            .event("deployment.*")
            .build();
        assert_eq!(manifest.capabilities, [Capability::ApiRead]);
        assert_eq!(manifest.events, ["deployment.*"]);
        assert!(manifest.requires_db && manifest.requires_host_data_access && manifest.hide_header);
        assert_eq!(manifest.nav[0].section, NavSection::Platform);
        assert_eq!(manifest.ui.map(|ui| ui.routes.len()), Some(1));
    }
}
