//! The plugin manifest (§4): what a plugin tells the host about itself in its first handshake line.

use serde::{Deserialize, Serialize};

/// A plugin's manifest. Keys are snake_case; `Option` fields serialize as `null` and lists as `[]`, never omitted,
/// and `requires_db` is always explicit because Gen A hosts default it to `true`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginManifest {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub nav: Vec<NavEntry>,
    #[serde(default)]
    pub ui: Option<UiManifest>,
    #[serde(default)]
    pub requires_db: bool,
    #[serde(default)]
    pub requires_host_data_access: bool,
    #[serde(default = "default_health_path")]
    pub health_path: String,
    #[serde(default)]
    pub hide_header: bool,
    #[serde(default)]
    pub public_paths: Vec<String>,
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    #[serde(default)]
    pub host_permissions: Vec<String>,
    #[serde(default)]
    pub events: Vec<String>,
}

/// The default health path of every plugin.
pub const DEFAULT_HEALTH_PATH: &str = "/health";

fn default_health_path() -> String {
    DEFAULT_HEALTH_PATH.to_owned()
}

impl PluginManifest {
    /// A manifest with the given identity and every other key at its default.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            display_name: None,
            description: None,
            nav: Vec::new(),
            ui: None,
            requires_db: false,
            requires_host_data_access: false,
            health_path: default_health_path(),
            hide_header: false,
            public_paths: Vec::new(),
            capabilities: Vec::new(),
            host_permissions: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Whether `path` (as the plugin sees it, prefix stripped) is under one of the declared public paths.
    /// Matching is by path segment: `/hook` covers `/hook` and `/hook/x` but not `/hooks`; a trailing `/` is ignored.
    pub fn is_public_path(&self, path: &str) -> bool {
        self.public_paths.iter().any(|prefix| path_has_prefix(path, prefix))
    }
}

/// Segment-boundary prefix match, ignoring a trailing `/` on the prefix.
pub fn path_has_prefix(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        return true;
    }
    match path.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// One console sidebar entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavEntry {
    pub label: String,
    /// A Lucide icon name.
    pub icon: String,
    pub section: NavSection,
    pub path: String,
    /// Lower comes first.
    pub order: u32,
}

/// Where in the console sidebar a [`NavEntry`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NavSection {
    Platform,
    Settings,
    Project,
}

/// The plugin's UI, served by the plugin itself under `/ui/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiManifest {
    pub entry_js: String,
    #[serde(default)]
    pub css: Vec<String>,
    #[serde(default)]
    pub routes: Vec<UiRoute>,
}

/// One route of a plugin UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiRoute {
    pub path: String,
    pub title: String,
}

/// What a plugin may do through the channel's `api_call`. Non-empty ⇒ the host mints actor tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    ApiRead,
    ApiWrite,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serialize_explicitly() {
        let json = serde_json::to_value(PluginManifest::new("a", "1")).unwrap();
        assert_eq!(json["requires_db"], false);
        assert_eq!(json["display_name"], serde_json::Value::Null);
        assert_eq!(json["ui"], serde_json::Value::Null);
        assert_eq!(json["nav"], serde_json::json!([]));
        assert_eq!(json["health_path"], "/health");
    }

    #[test]
    fn public_path_matching() {
        let mut m = PluginManifest::new("a", "1");
        m.public_paths = vec!["/hook/".into(), "/badge".into()];
        for (path, want) in
            [("/hook", true), ("/hook/x", true), ("/hooks", false), ("/badge/1.svg", true), ("/", false)]
        {
            assert_eq!(m.is_public_path(path), want, "{path}");
        }
    }
}
