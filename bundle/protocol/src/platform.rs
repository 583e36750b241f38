//! The platform records channel calls return (§7): projects, environments, deployments, and the call payloads
//! that have a fixed shape. Optional values are `null` on the wire; timestamps are RFC 3339 UTC strings.

use serde::{Deserialize, Serialize};

/// A Temps project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectInfo {
    pub id: i32,
    pub name: String,
    pub slug: String,
    #[serde(default)]
    pub repo_name: Option<String>,
    #[serde(default)]
    pub repo_owner: Option<String>,
    #[serde(default)]
    pub main_branch: Option<String>,
    #[serde(default)]
    pub preset: Option<String>,
    #[serde(default)]
    pub source_type: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The host's summary of the newest deployment (shape varies by host version), or `null`.
    #[serde(default)]
    pub last_deployment: Option<serde_json::Value>,
    #[serde(default)]
    pub enable_preview_environments: bool,
}

/// An environment of a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentInfo {
    pub id: i32,
    pub project_id: i32,
    pub name: String,
    pub slug: String,
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub is_preview: bool,
    #[serde(default)]
    pub current_deployment_id: Option<i32>,
    pub created_at: String,
    pub updated_at: String,
}

/// A deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeploymentInfo {
    pub id: i32,
    pub project_id: i32,
    pub environment_id: i32,
    pub state: String,
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub commit_sha: Option<String>,
    #[serde(default)]
    pub commit_message: Option<String>,
    #[serde(default)]
    pub commit_author: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub finished_at: Option<String>,
}

/// The parameters of `api_call`: one request to the Temps API, made as the user whose actor token it carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiCallParams {
    /// The HTTP method (`GET`, `POST`, …); reads need `api_read`, anything else `api_write`.
    pub method: String,
    /// The API path, e.g. `/projects/7`.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<ApiBody>,
    /// The actor token the host sent with the user's request (`x-temps-actor-token`); the host checks it.
    #[serde(default)]
    pub actor: Option<String>,
}

/// An `api_call` body: `{"kind":"json","body":"<JSON text>"}` (at most 32 MiB of text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiBody {
    pub kind: String,
    pub body: String,
}

/// The result of `api_call`: the Temps API's status and its JSON body as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCallResult {
    pub status: u16,
    pub body: String,
}

/// The parameters of `generate_ai`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateAiParams {
    pub purpose: String,
    pub prompt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
}

/// The result of `generate_ai`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerateAiResult {
    pub text: String,
    pub model: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn api_call_params_shape() {
        let params = ApiCallParams {
            method: "POST".into(),
            path: "/projects".into(),
            query: None,
            body: Some(ApiBody { kind: "json".into(), body: r#"{"name":"web"}"#.into() }),
            actor: Some("tok".into()),
        };
        let wire = json!({"method": "POST", "path": "/projects", "body": {"kind": "json", "body": "{\"name\":\"web\"}"}, "actor": "tok"});
        assert_eq!(serde_json::to_value(&params).unwrap(), wire);
        assert_eq!(serde_json::from_value::<ApiCallParams>(wire).unwrap(), params);
        let bare: ApiCallParams = serde_json::from_value(json!({"method": "GET", "path": "/projects"})).unwrap();
        assert_eq!((bare.query, bare.body, bare.actor), (None, None, None));
        assert!(serde_json::from_value::<ApiCallParams>(json!({"method": "GET"})).is_err());
    }
}
