//! Answers to the channel calls of §7, computed from the fixtures with the host's error codes. Results with a fixed
//! shape are the protocol crate's records (`ApiCallResult`, `GenerateAiResult`, the fixtures' platform records).

use serde::Deserialize;
use serde_json::{Value, json};
use temps_bundle_protocol::method::{UnknownMethod, api_call_needs};
use temps_bundle_protocol::{
    ApiCallParams, ApiCallResult, CallError, ChannelErrorCode, GenerateAiResult, HostPermission, Method,
};

use crate::host_context::HostContext;

/// The model name `generate_ai` reports.
pub const CANNED_AI_MODEL: &str = "devhost-canned-1";

const DEFAULT_DEPLOYMENT_LIMIT: u64 = 20;
const MAX_DEPLOYMENT_LIMIT: u64 = 100;

/// Answers one call the way a Temps host would.
pub(crate) fn answer(host: &HostContext, method: &str, raw_params: &Value) -> Result<Value, CallError> {
    let method: Method =
        method.parse().map_err(|e: UnknownMethod| error(ChannelErrorCode::MethodNotFound, e.to_string()))?;
    if let Some(permission) = method.required_permission().filter(|p| !host.permits(*p)) {
        return Err(permission_denied(permission));
    }
    let params = Params::new(raw_params)?;
    match method {
        Method::ListProjects => to_json(&host.fixtures.projects),
        Method::GetProject => {
            let id = params.required_i32("project_id")?;
            found(host.fixtures.project(id), "project", id)
        }
        Method::ListEnvironments => {
            let id = params.required_i32("project_id")?;
            found(host.fixtures.project(id), "project", id)?;
            to_json(&host.fixtures.environments.iter().filter(|e| e.project_id == id).collect::<Vec<_>>())
        }
        Method::GetEnvironment => {
            let id = params.required_i32("environment_id")?;
            found(host.fixtures.environment(id), "environment", id)
        }
        Method::GetDeployment => {
            let id = params.required_i32("deployment_id")?;
            found(host.fixtures.deployment(id), "deployment", id)
        }
        Method::GetLastDeployment => last_deployment(host, &params),
        Method::ListDeployments => list_deployments(host, &params),
        Method::ApiCall => api_call(host, raw_params),
        Method::GetHostCapabilities => Ok(host_capabilities(host)),
        Method::GenerateAi => generate_ai(&params),
    }
}

fn last_deployment(host: &HostContext, params: &Params<'_>) -> Result<Value, CallError> {
    let project_id = params.required_i32("project_id")?;
    let environment_id = params.optional_i32("environment_id")?;
    found(host.fixtures.project(project_id), "project", project_id)?;
    let newest = host.fixtures.deployments_newest_first(project_id, environment_id).into_iter().next();
    match newest {
        Some(deployment) => to_json(deployment),
        None => Err(error(ChannelErrorCode::NotFound, format!("project {project_id} has no deployments"))),
    }
}

fn list_deployments(host: &HostContext, params: &Params<'_>) -> Result<Value, CallError> {
    let project_id = params.required_i32("project_id")?;
    let environment_id = params.optional_i32("environment_id")?;
    let limit = params.optional_u64("limit")?.unwrap_or(DEFAULT_DEPLOYMENT_LIMIT).min(MAX_DEPLOYMENT_LIMIT);
    found(host.fixtures.project(project_id), "project", project_id)?;
    let deployments = host.fixtures.deployments_newest_first(project_id, environment_id);
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    to_json(&deployments.into_iter().take(limit).collect::<Vec<_>>())
}

/// A tiny slice of the Temps REST API: `GET /projects` and `GET /projects/{id}`.
fn api_call(host: &HostContext, params: &Value) -> Result<Value, CallError> {
    let params = ApiCallParams::deserialize(params).map_err(|e| invalid(format!("api_call params: {e}")))?;
    let method = params.method.to_ascii_uppercase();
    let (path, actor) = (params.path.as_str(), params.actor.as_deref());
    let (capability, permission) = api_call_needs(&method);
    if !host.manifest.capabilities.contains(&capability) {
        return Err(error(
            ChannelErrorCode::PermissionDenied,
            format!("api_call {method} needs the `{permission}` capability in the manifest"),
        ));
    }
    if !host.permits(permission) {
        return Err(permission_denied(permission));
    }
    if !actor.is_some_and(|token| host.knows_actor_token(token)) {
        return Err(error(ChannelErrorCode::Unauthenticated, "missing, unknown or expired actor token".into()));
    }
    let path = path.split('?').next().unwrap_or_default().trim_end_matches('/');
    let (status, body) = match (method.as_str(), path.strip_prefix("/projects")) {
        ("GET", Some("")) => (200, json!(host.fixtures.projects)),
        ("GET", Some(rest)) => match rest.strip_prefix('/').and_then(|id| id.parse::<i32>().ok()) {
            Some(id) => match host.fixtures.project(id) {
                Some(project) => (200, json!(project)),
                None => (404, json!({"error": format!("project {id} not found")})),
            },
            None => (404, json!({"error": "not found"})),
        },
        _ => (404, json!({"error": "not found"})),
    };
    to_json(&ApiCallResult { status, body: body.to_string() })
}

fn host_capabilities(host: &HostContext) -> Value {
    json!({
        "actor": {"kind": "plugin", "plugin": host.manifest.name, "capabilities": host.manifest.capabilities},
        "permissions": host.effective_permissions(),
        "ai": {"available": host.permits(HostPermission::AiGenerate), "model": CANNED_AI_MODEL},
    })
}

/// A deterministic answer, so tests can assert on it.
fn generate_ai(params: &Params<'_>) -> Result<Value, CallError> {
    let purpose = params.required_str("purpose")?;
    let prompt = params.required_str("prompt")?;
    params.optional_str("system")?;
    let max_words = params.optional_u64("max_tokens")?.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let words: Vec<&str> = prompt.split_whitespace().take(12).collect();
    let text = format!("[devhost canned answer for {purpose}] {}", words.join(" "));
    let text: Vec<&str> = text.split(' ').take(max_words.max(1)).collect();
    to_json(&GenerateAiResult { text: text.join(" "), model: CANNED_AI_MODEL.to_owned() })
}

/// The parameters object of a call, with typed accessors answering `invalid_params`.
struct Params<'a>(&'a serde_json::Map<String, Value>);

impl<'a> Params<'a> {
    fn new(params: &'a Value) -> Result<Self, CallError> {
        match params {
            Value::Object(map) => Ok(Self(map)),
            other => Err(invalid(format!("params must be an object, got {other}"))),
        }
    }

    fn present(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    fn required_i32(&self, key: &str) -> Result<i32, CallError> {
        self.optional_i32(key)?.ok_or_else(|| invalid(format!("`{key}` (an integer) is required")))
    }

    fn optional_i32(&self, key: &str) -> Result<Option<i32>, CallError> {
        self.present(key)
            .map(|v| {
                v.as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or_else(|| invalid(format!("`{key}` must be an i32, got {v}")))
            })
            .transpose()
    }

    fn optional_u64(&self, key: &str) -> Result<Option<u64>, CallError> {
        self.present(key)
            .map(|v| v.as_u64().ok_or_else(|| invalid(format!("`{key}` must be a u64, got {v}"))))
            .transpose()
    }

    fn required_str(&self, key: &str) -> Result<&'a str, CallError> {
        self.optional_str(key)?.ok_or_else(|| invalid(format!("`{key}` (a string) is required")))
    }

    fn optional_str(&self, key: &str) -> Result<Option<&'a str>, CallError> {
        self.present(key)
            .map(|v| v.as_str().ok_or_else(|| invalid(format!("`{key}` must be a string, got {v}"))))
            .transpose()
    }
}

fn found<T: serde::Serialize>(item: Option<&T>, what: &str, id: i32) -> Result<Value, CallError> {
    match item {
        Some(item) => to_json(item),
        None => Err(error(ChannelErrorCode::NotFound, format!("{what} {id} not found"))),
    }
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Value, CallError> {
    serde_json::to_value(value).map_err(|e| error(ChannelErrorCode::Internal, e.to_string()))
}

fn permission_denied(permission: HostPermission) -> CallError {
    error(ChannelErrorCode::PermissionDenied, format!("host permission `{permission}` is not declared and granted"))
}

fn invalid(message: String) -> CallError {
    error(ChannelErrorCode::InvalidParams, message)
}

fn error(code: ChannelErrorCode, message: String) -> CallError {
    CallError { code, message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;
    use temps_bundle_protocol::{Capability, PluginManifest};

    fn host(granted: Option<Vec<String>>) -> HostContext {
        let mut manifest = PluginManifest::new("p", "1");
        manifest.host_permissions = vec!["projects_read".into(), "deployments_read".into()];
        manifest.capabilities = vec![Capability::ApiRead];
        HostContext::new(Fixtures::builtin(), manifest, granted)
    }

    fn code(result: Result<Value, CallError>) -> String {
        match result {
            Ok(value) => format!("ok {}", value.as_array().map_or(String::new(), |a| format!("len {}", a.len()))),
            Err(e) => e.code.as_str().to_owned(),
        }
    }

    #[test]
    fn calls_and_error_codes() {
        let host = host(None);
        let check = |method: &str, params: Value, want: &str| {
            assert_eq!(code(answer(&host, method, &params)), want, "{method} {params}");
        };
        check("list_projects", json!({}), "ok len 3");
        check("get_project", json!({"project_id": 2}), "ok ");
        check("get_project", json!({"project_id": 99}), "not_found");
        check("get_project", json!({"project_id": "2"}), "invalid_params");
        check("get_project", json!({}), "invalid_params");
        check("get_project", json!([]), "invalid_params");
        check("list_environments", json!({"project_id": 1}), "ok len 2");
        check("get_environment", json!({"environment_id": 6}), "ok ");
        check("get_deployment", json!({"deployment_id": 1}), "not_found");
        check("list_deployments", json!({"project_id": 2}), "ok len 8");
        check("list_deployments", json!({"project_id": 2, "environment_id": 4, "limit": 2}), "ok len 2");
        check("list_deployments", json!({"project_id": 2, "limit": -1}), "invalid_params");
        check("get_last_deployment", json!({"project_id": 3}), "ok ");
        check("generate_ai", json!({"purpose": "summary"}), "invalid_params");
        check("api_call", json!({"method": "GET", "path": "/projects", "actor": "forged"}), "unauthenticated");
        check("api_call", json!({"method": "GET", "actor": "forged"}), "invalid_params");
        check("api_call", json!({"method": "GET", "path": "/projects", "body": "raw"}), "invalid_params");
        check("drop_tables", json!({}), "method_not_found");
    }

    #[test]
    fn newest_hosts_check_declared_and_granted_permissions() {
        let host = host(Some(vec!["projects_read".into(), "environments_read".into()]));
        assert!(answer(&host, "list_projects", &json!({})).is_ok());
        // Granted but not declared, and declared but not granted: both denied.
        for method in ["get_environment", "list_deployments"] {
            let err = answer(&host, method, &json!({"environment_id": 1, "project_id": 1})).unwrap_err();
            assert_eq!(err.code, ChannelErrorCode::PermissionDenied, "{method}");
        }
    }

    #[test]
    fn api_call_with_a_minted_actor() {
        let host = host(None);
        let actor = host.mint_actor_token();
        let result =
            answer(&host, "api_call", &json!({"method": "GET", "path": "/projects/3", "actor": actor})).unwrap();
        assert_eq!(result["status"], 200);
        let body: Value = serde_json::from_str(result["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["name"], "docs-site");
        let missing =
            answer(&host, "api_call", &json!({"method": "GET", "path": "/deployments", "actor": actor})).unwrap();
        assert_eq!(missing["status"], 404);
        let write =
            answer(&host, "api_call", &json!({"method": "POST", "path": "/projects", "actor": actor})).unwrap_err();
        assert_eq!(write.code, ChannelErrorCode::PermissionDenied);
    }

    #[test]
    fn answers_decode_as_the_protocol_records_the_sdk_reads() {
        use temps_bundle_protocol::{DeploymentInfo, EnvironmentInfo, ProjectInfo};
        let host = host(None);
        let call = |method: &str, params: Value| answer(&host, method, &params).unwrap();
        let projects: Vec<ProjectInfo> = serde_json::from_value(call("list_projects", json!({}))).unwrap();
        assert_eq!(projects.len(), 3);
        let _: EnvironmentInfo = serde_json::from_value(call("get_environment", json!({"environment_id": 6}))).unwrap();
        let _: Vec<DeploymentInfo> =
            serde_json::from_value(call("list_deployments", json!({"project_id": 2}))).unwrap();
        let actor = host.mint_actor_token();
        let api = call("api_call", json!({"method": "GET", "path": "/projects", "actor": actor}));
        let api: ApiCallResult = serde_json::from_value(api).unwrap();
        assert_eq!(api.status, 200);
        let ai = call("generate_ai", json!({"purpose": "p", "prompt": "hello there"}));
        let ai: GenerateAiResult = serde_json::from_value(ai).unwrap();
        assert_eq!(ai.model, CANNED_AI_MODEL);
    }

    #[test]
    fn generate_ai_is_deterministic() {
        let params =
            json!({"purpose": "release-notes", "prompt": "Summarize the last three deployments", "max_tokens": 6});
        let first = answer(&host(None), "generate_ai", &params).unwrap();
        assert_eq!(first, answer(&host(None), "generate_ai", &params).unwrap());
        assert_eq!(first["text"], "[devhost canned answer for release-notes] Summarize");
        assert_eq!(first["model"], CANNED_AI_MODEL);
    }
}
