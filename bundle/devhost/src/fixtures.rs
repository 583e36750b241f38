//! The platform data channel calls are answered from: projects, environments and deployments, as the protocol
//! crate's records (§7), so the dev host answers with exactly the shapes the SDK decodes.

use std::path::Path;

use serde::{Deserialize, Serialize};
pub use temps_bundle_protocol::{DeploymentInfo, EnvironmentInfo, ProjectInfo};

use crate::error::DevHostError;

/// The fixtures shipped with the crate: 3 projects, 2 environments each, 20 deployments.
const DEFAULT_FIXTURES: &str = include_str!("../fixtures/default.json");

/// Everything the simulated host knows about the platform.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fixtures {
    pub projects: Vec<ProjectInfo>,
    pub environments: Vec<EnvironmentInfo>,
    pub deployments: Vec<DeploymentInfo>,
}

impl Fixtures {
    /// The fixtures shipped in `fixtures/default.json`.
    pub fn builtin() -> Self {
        // The embedded file is checked by the `builtin_fixtures_parse` test, so the empty fallback is never used.
        Self::from_json(DEFAULT_FIXTURES).unwrap_or_default()
    }

    /// Parses fixtures from JSON text.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Reads fixtures from a JSON file.
    pub fn load(path: &Path) -> Result<Self, DevHostError> {
        let fail = |detail: String| DevHostError::Fixtures { path: path.to_owned(), detail };
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        Self::from_json(&text).map_err(|e| fail(e.to_string()))
    }

    pub fn project(&self, id: i32) -> Option<&ProjectInfo> {
        self.projects.iter().find(|p| p.id == id)
    }

    pub fn environment(&self, id: i32) -> Option<&EnvironmentInfo> {
        self.environments.iter().find(|e| e.id == id)
    }

    pub fn deployment(&self, id: i32) -> Option<&DeploymentInfo> {
        self.deployments.iter().find(|d| d.id == id)
    }

    /// The deployments of a project (optionally one environment), newest first.
    pub fn deployments_newest_first(&self, project_id: i32, environment_id: Option<i32>) -> Vec<&DeploymentInfo> {
        let mut found: Vec<&DeploymentInfo> = self
            .deployments
            .iter()
            .filter(|d| d.project_id == project_id && environment_id.is_none_or(|e| d.environment_id == e))
            .collect();
        // RFC 3339 UTC timestamps of one format sort lexicographically; the id breaks ties.
        found.sort_by(|a, b| (&b.created_at, b.id).cmp(&(&a.created_at, a.id)));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_fixtures_parse() {
        let fixtures = Fixtures::from_json(DEFAULT_FIXTURES).unwrap();
        assert_eq!(fixtures.projects.len(), 3);
        assert_eq!(fixtures.environments.len(), 6);
        assert_eq!(fixtures.deployments.len(), 20);
        for d in &fixtures.deployments {
            assert!(fixtures.environment(d.environment_id).is_some_and(|e| e.project_id == d.project_id), "{d:?}");
        }
        assert!(fixtures.deployments.iter().any(|d| d.state == "failed"));
    }

    #[test]
    fn newest_first() {
        let fixtures = Fixtures::builtin();
        let ids: Vec<i32> = fixtures.deployments_newest_first(1, Some(1)).iter().map(|d| d.id).collect();
        assert_eq!(ids, [107, 104, 103, 101]);
    }
}
