//! `ctx.temps()`: a member's typed client for the platform channel, limited to what its own manifest declares.
//!
//! The bundle as a whole is granted the union of every member's permissions; this scope keeps each member inside
//! its own, refusing other calls locally with `permission_denied` without asking the host.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use temps_bundle_protocol::method::api_call_needs;
use temps_bundle_protocol::{
    ApiBody, ApiCallParams, ApiCallResult, Capability, DeploymentInfo, EnvironmentInfo, GenerateAiParams,
    GenerateAiResult, HostPermission, Method, PluginManifest, ProjectInfo,
};

use super::error::ChannelError;
use super::hub::ChannelHub;
use crate::caller::User;

/// What one member declared, and so may call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Scope {
    pub(crate) host_permissions: Vec<String>,
    pub(crate) capabilities: Vec<Capability>,
}

impl Scope {
    /// The scope a manifest declares.
    pub(crate) fn of(manifest: &PluginManifest) -> Self {
        Self { host_permissions: manifest.host_permissions.clone(), capabilities: manifest.capabilities.clone() }
    }

    /// `Ok` if a call of `method` (with HTTP verb `verb` for `api_call`) is declared, else what it needs.
    /// Methods this protocol version does not define are the host's to refuse (it answers `method_not_found`).
    pub(crate) fn allows(&self, method: &str, verb: Option<&str>) -> Result<(), String> {
        let Ok(method) = method.parse::<Method>() else { return Ok(()) };
        if method == Method::ApiCall {
            let (capability, permission) = api_call_needs(verb.unwrap_or_default());
            let granted = self.capabilities.contains(&capability)
                || self.capabilities.contains(&Capability::ApiWrite)
                || self.has(permission);
            return if granted { Ok(()) } else { Err(format!("the {permission} capability")) };
        }
        match method.required_permission() {
            Some(needs) if !self.has(needs) => Err(format!("the {needs} host permission")),
            _ => Ok(()),
        }
    }

    fn has(&self, permission: HostPermission) -> bool {
        self.host_permissions.iter().any(|p| p == permission.as_str())
    }
}

/// The largest `api_call` body the protocol carries (§7: 32 MiB).
pub(super) const API_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// A request for `api_call`: the Temps API path, called on behalf of a user.
#[derive(Debug, Clone, Serialize)]
pub struct ApiRequest {
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<ApiBody>,
}

impl ApiRequest {
    /// `GET path`.
    pub fn get(path: &str) -> Self {
        Self { method: "GET".into(), path: path.into(), query: None, body: None }
    }

    /// `method path` with `body` sent as JSON text.
    pub fn with_json(method: &str, path: &str, body: &impl Serialize) -> Result<Self, ChannelError> {
        let text = serde_json::to_string(body).map_err(|e| decode_error("api_call", e))?;
        Ok(Self {
            method: method.into(),
            path: path.into(),
            query: None,
            body: Some(ApiBody { kind: "json".into(), body: text }),
        })
    }
}

/// One member's channel client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Temps {
    member: String,
    scope: Scope,
    hub: Arc<ChannelHub>,
}

impl Temps {
    /// A client for `member` with `scope` over `hub`.
    pub(crate) fn new(member: &str, scope: Scope, hub: Arc<ChannelHub>) -> Self {
        Self { member: member.to_owned(), scope, hub }
    }

    pub async fn list_projects(&self) -> Result<Vec<ProjectInfo>, ChannelError> {
        self.typed(Method::ListProjects, json!({})).await
    }

    pub async fn get_project(&self, project_id: i32) -> Result<ProjectInfo, ChannelError> {
        self.typed(Method::GetProject, json!({ "project_id": project_id })).await
    }

    pub async fn list_environments(&self, project_id: i32) -> Result<Vec<EnvironmentInfo>, ChannelError> {
        self.typed(Method::ListEnvironments, json!({ "project_id": project_id })).await
    }

    pub async fn get_environment(&self, environment_id: i32) -> Result<EnvironmentInfo, ChannelError> {
        self.typed(Method::GetEnvironment, json!({ "environment_id": environment_id })).await
    }

    pub async fn get_deployment(&self, deployment_id: i32) -> Result<DeploymentInfo, ChannelError> {
        self.typed(Method::GetDeployment, json!({ "deployment_id": deployment_id })).await
    }

    pub async fn get_last_deployment(
        &self,
        project_id: i32,
        environment_id: Option<i32>,
    ) -> Result<DeploymentInfo, ChannelError> {
        let mut params = json!({ "project_id": project_id });
        insert_some(&mut params, "environment_id", environment_id);
        self.typed(Method::GetLastDeployment, params).await
    }

    /// Newest first; the host defaults `limit` to 20 and caps it at 100.
    pub async fn list_deployments(
        &self,
        project_id: i32,
        environment_id: Option<i32>,
        limit: Option<u64>,
    ) -> Result<Vec<DeploymentInfo>, ChannelError> {
        let mut params = json!({ "project_id": project_id });
        insert_some(&mut params, "environment_id", environment_id);
        insert_some(&mut params, "limit", limit);
        self.typed(Method::ListDeployments, params).await
    }

    /// Calls the Temps API as `user` (with the actor token the host sent on the user's request).
    pub async fn api_call(&self, user: &User, request: ApiRequest) -> Result<ApiCallResult, ChannelError> {
        let actor = user.actor_token.clone().ok_or(ChannelError::NoActorToken)?;
        self.check("api_call", Some(&request.method))?;
        if let Some(body) = request.body.as_ref().filter(|b| b.body.len() > API_BODY_LIMIT) {
            return Err(ChannelError::TooLarge {
                method: "api_call".into(),
                what: "the body",
                size: body.body.len(),
                limit: API_BODY_LIMIT,
            });
        }
        let ApiRequest { method, path, query, body } = request;
        let params = ApiCallParams { method, path, query, body, actor: Some(actor) };
        let params = serde_json::to_value(&params).map_err(|e| decode_error("api_call", e))?;
        let result = self.hub.call("api_call", params).await;
        self.count("api_call", &result);
        decode("api_call", result?)
    }

    /// What the host granted (newest hosts).
    pub async fn get_host_capabilities(&self) -> Result<Value, ChannelError> {
        self.raw_call(Method::GetHostCapabilities.as_str(), json!({})).await
    }

    /// Text generation through the host's AI provider (newest hosts).
    pub async fn generate_ai(&self, params: GenerateAiParams) -> Result<GenerateAiResult, ChannelError> {
        let params = serde_json::to_value(&params).map_err(|e| decode_error("generate_ai", e))?;
        self.typed(Method::GenerateAi, params).await
    }

    /// Any method, untyped, still scoped by the manifest.
    pub async fn raw_call(&self, method: &str, params: Value) -> Result<Value, ChannelError> {
        let result = match self.check(method, None) {
            Ok(()) => self.hub.call(method, params).await,
            Err(refused) => Err(refused),
        };
        self.count(method, &result);
        result
    }

    /// Counts the call in `temps_bundle_channel_calls_total`.
    fn count(&self, method: &str, result: &Result<Value, ChannelError>) {
        let outcome = result.as_ref().map_or_else(ChannelError::kind, |_| "ok");
        crate::isolation::metrics::channel_call(&self.member, method, outcome);
    }

    async fn typed<T: DeserializeOwned>(&self, method: Method, params: Value) -> Result<T, ChannelError> {
        decode(method.as_str(), self.raw_call(method.as_str(), params).await?)
    }

    fn check(&self, method: &str, verb: Option<&str>) -> Result<(), ChannelError> {
        self.scope.allows(method, verb).map_err(|needs| ChannelError::PermissionDenied {
            member: self.member.clone(),
            method: method.to_owned(),
            needs,
        })
    }
}

fn insert_some<T: Into<Value>>(params: &mut Value, key: &str, value: Option<T>) {
    if let (Some(map), Some(value)) = (params.as_object_mut(), value) {
        map.insert(key.to_owned(), value.into());
    }
}

fn decode<T: DeserializeOwned>(method: &str, value: Value) -> Result<T, ChannelError> {
    serde_json::from_value(value).map_err(|e| decode_error(method, e))
}

fn decode_error(method: &str, error: serde_json::Error) -> ChannelError {
    ChannelError::Decode { method: method.to_owned(), detail: error.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use temps_bundle_protocol::Generation;

    fn scope(permissions: &[&str], capabilities: &[Capability]) -> Scope {
        Scope {
            host_permissions: permissions.iter().map(|p| p.to_string()).collect(),
            capabilities: capabilities.to_vec(),
        }
    }

    #[test]
    fn api_call_bodies_are_json_text() {
        let request = ApiRequest::with_json("POST", "/projects", &json!({ "name": "web" })).unwrap();
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({ "method": "POST", "path": "/projects", "body": { "kind": "json", "body": "{\"name\":\"web\"}" } })
        );
    }

    #[test]
    fn scoping_table() {
        let check =
            |s: &Scope, method, verb, ok: bool| assert_eq!(s.allows(method, verb).is_ok(), ok, "{method} {verb:?}");
        let deploys = scope(&["deployments_read"], &[]);
        check(&deploys, "list_deployments", None, true);
        check(&deploys, "list_projects", None, false);
        check(&deploys, "get_host_capabilities", None, true);
        check(&deploys, "api_call", Some("GET"), false);
        let reader = scope(&[], &[Capability::ApiRead]);
        check(&reader, "api_call", Some("get"), true);
        check(&reader, "api_call", Some("POST"), false);
        check(&scope(&[], &[Capability::ApiWrite]), "api_call", Some("DELETE"), true);
        check(&scope(&["ai_generate"], &[]), "generate_ai", None, true);
    }

    #[tokio::test]
    async fn undeclared_call_fails_locally_and_unconnected_calls_fail_clearly() {
        let hub = Arc::new(ChannelHub::with_timeouts(Generation::B, Duration::from_millis(20), Duration::from_secs(1)));
        let temps = Temps::new("pulse", scope(&["deployments_read"], &[]), hub.clone());
        let denied = temps.list_projects().await.unwrap_err();
        assert!(matches!(denied, ChannelError::PermissionDenied { .. }), "{denied}");
        assert!(denied.to_string().contains("projects_read"), "{denied}");
        let during_start = temps.list_deployments(1, None, Some(5)).await.unwrap_err();
        assert_eq!(during_start, ChannelError::BeforeReady, "awaited before ready, i.e. inside on_start");
        hub.mark_ready();
        let waited = temps.list_deployments(1, None, Some(5)).await.unwrap_err();
        assert_eq!(waited, ChannelError::NotConnected { waited: Duration::from_millis(20) });
        hub.mark_absent();
        let at_once = temps.list_deployments(1, None, Some(5)).await.unwrap_err();
        assert_eq!(at_once, ChannelError::NotConnected { waited: Duration::ZERO }, "no more waiting once absent");
    }

    #[tokio::test]
    async fn an_api_call_body_over_the_protocol_limit_is_refused_locally() {
        let hub = Arc::new(ChannelHub::with_timeouts(Generation::B, Duration::from_secs(5), Duration::from_secs(5)));
        let temps = Temps::new("big", scope(&[], &[Capability::ApiWrite]), hub);
        let user = User {
            id: 1,
            email: "a@b.c".into(),
            role: "admin".into(),
            permissions: vec![],
            actor_token: Some("t".into()),
        };
        let body = ApiBody { kind: "json".into(), body: "x".repeat(API_BODY_LIMIT + 1) };
        let request = ApiRequest { method: "POST".into(), path: "/p".into(), query: None, body: Some(body) };
        // Refused at once, without waiting for a channel that is not even connected.
        let refused = tokio::time::timeout(Duration::from_millis(500), temps.api_call(&user, request)).await.unwrap();
        let error = refused.unwrap_err();
        assert!(matches!(error, ChannelError::TooLarge { .. }), "{error}");
        assert!(error.to_string().contains("at most 33554432 bytes"), "{error}");
    }
}
