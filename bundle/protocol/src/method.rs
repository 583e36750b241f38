//! The methods of the platform channel (§7) and what each needs from the manifest. The SDK refuses an undeclared
//! call locally with this rule and the dev host refuses it the way a Temps host does, from the same table.

use std::fmt;
use std::str::FromStr;

use crate::manifest::Capability;
use crate::permission::HostPermission;

/// A channel method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    ListProjects,
    GetProject,
    ListEnvironments,
    GetEnvironment,
    GetDeployment,
    GetLastDeployment,
    ListDeployments,
    ApiCall,
    GetHostCapabilities,
    GenerateAi,
}

impl Method {
    /// Every method the channel offers.
    pub const ALL: [Self; 10] = [
        Self::ListProjects,
        Self::GetProject,
        Self::ListEnvironments,
        Self::GetEnvironment,
        Self::GetDeployment,
        Self::GetLastDeployment,
        Self::ListDeployments,
        Self::ApiCall,
        Self::GetHostCapabilities,
        Self::GenerateAi,
    ];

    /// The wire name (`list_projects`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ListProjects => "list_projects",
            Self::GetProject => "get_project",
            Self::ListEnvironments => "list_environments",
            Self::GetEnvironment => "get_environment",
            Self::GetDeployment => "get_deployment",
            Self::GetLastDeployment => "get_last_deployment",
            Self::ListDeployments => "list_deployments",
            Self::ApiCall => "api_call",
            Self::GetHostCapabilities => "get_host_capabilities",
            Self::GenerateAi => "generate_ai",
        }
    }

    /// The host permission newest hosts require for this method. `None` for `get_host_capabilities` (always
    /// allowed) and `api_call` (its need depends on the HTTP verb: [`api_call_needs`]).
    pub const fn required_permission(self) -> Option<HostPermission> {
        match self {
            Self::ListProjects | Self::GetProject => Some(HostPermission::ProjectsRead),
            Self::ListEnvironments | Self::GetEnvironment => Some(HostPermission::EnvironmentsRead),
            Self::GetDeployment | Self::GetLastDeployment | Self::ListDeployments => {
                Some(HostPermission::DeploymentsRead)
            }
            Self::GenerateAi => Some(HostPermission::AiGenerate),
            Self::ApiCall | Self::GetHostCapabilities => None,
        }
    }
}

/// What an `api_call` with HTTP verb `verb` needs: reads (`GET`, `HEAD`) the `api_read` capability and permission,
/// anything else `api_write`.
pub fn api_call_needs(verb: &str) -> (Capability, HostPermission) {
    if verb.eq_ignore_ascii_case("GET") || verb.eq_ignore_ascii_case("HEAD") {
        (Capability::ApiRead, HostPermission::ApiRead)
    } else {
        (Capability::ApiWrite, HostPermission::ApiWrite)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A method name the channel does not offer (hosts answer it with `method_not_found`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMethod(pub String);

impl fmt::Display for UnknownMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown method `{}`", self.0)
    }
}

impl std::error::Error for UnknownMethod {}

impl FromStr for Method {
    type Err = UnknownMethod;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|m| m.as_str() == text).ok_or_else(|| UnknownMethod(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for method in Method::ALL {
            assert_eq!(method.as_str().parse::<Method>(), Ok(method));
        }
        assert_eq!("list_project".parse::<Method>().unwrap_err().to_string(), "unknown method `list_project`");
    }

    #[test]
    fn what_each_call_needs() {
        assert_eq!(Method::ListDeployments.required_permission(), Some(HostPermission::DeploymentsRead));
        assert_eq!(Method::GetHostCapabilities.required_permission(), None);
        assert_eq!(api_call_needs("get"), (Capability::ApiRead, HostPermission::ApiRead));
        assert_eq!(api_call_needs("HEAD"), (Capability::ApiRead, HostPermission::ApiRead));
        assert_eq!(api_call_needs("DELETE"), (Capability::ApiWrite, HostPermission::ApiWrite));
    }
}
