//! Host permissions (§4 `host_permissions`): what a plugin asks an admin to grant, and what channel calls and event
//! delivery need. The manifest carries them as strings (a newer host may know more); this enum names the ones this
//! protocol version defines, so code that asks for one cannot misspell it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A host permission this protocol version defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostPermission {
    ProjectsRead,
    EnvironmentsRead,
    DeploymentsRead,
    ApiRead,
    ApiWrite,
    AiGenerate,
    EventsRead,
}

impl HostPermission {
    /// Every permission, in the order the protocol document lists them.
    pub const ALL: [Self; 7] = [
        Self::ProjectsRead,
        Self::EnvironmentsRead,
        Self::DeploymentsRead,
        Self::ApiRead,
        Self::ApiWrite,
        Self::AiGenerate,
        Self::EventsRead,
    ];

    /// The wire spelling (`projects_read`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProjectsRead => "projects_read",
            Self::EnvironmentsRead => "environments_read",
            Self::DeploymentsRead => "deployments_read",
            Self::ApiRead => "api_read",
            Self::ApiWrite => "api_write",
            Self::AiGenerate => "ai_generate",
            Self::EventsRead => "events_read",
        }
    }

    /// The valid spellings, comma-separated, for messages.
    pub fn valid_list() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

impl fmt::Display for HostPermission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A permission name this protocol version does not define.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownHostPermission(pub String);

impl fmt::Display for UnknownHostPermission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown host permission {:?} (valid: {})", self.0, HostPermission::valid_list())
    }
}

impl std::error::Error for UnknownHostPermission {}

impl FromStr for HostPermission {
    type Err = UnknownHostPermission;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|p| p.as_str() == text).ok_or_else(|| UnknownHostPermission(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip_and_typos_name_the_valid_ones() {
        for permission in HostPermission::ALL {
            assert_eq!(permission.as_str().parse::<HostPermission>(), Ok(permission));
            assert_eq!(serde_json::to_value(permission).unwrap(), permission.as_str());
        }
        let typo = "project_read".parse::<HostPermission>().unwrap_err().to_string();
        assert_eq!(
            typo,
            "unknown host permission \"project_read\" (valid: projects_read, environments_read, deployments_read, \
             api_read, api_write, ai_generate, events_read)"
        );
    }
}
