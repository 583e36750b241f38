//! What the simulated host knows about one running plugin: fixtures, manifest, grants and minted actor tokens.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use temps_bundle_protocol::{HostPermission, PluginManifest};

use crate::fixtures::Fixtures;

/// Shared by the channel task and the proxy.
#[derive(Debug)]
pub(crate) struct HostContext {
    pub(crate) fixtures: Fixtures,
    pub(crate) manifest: PluginManifest,
    /// `None`: an older host that checks no host permissions.
    pub(crate) granted_permissions: Option<Vec<String>>,
    actor_tokens: Mutex<HashSet<String>>,
}

impl HostContext {
    pub(crate) fn new(fixtures: Fixtures, manifest: PluginManifest, granted_permissions: Option<Vec<String>>) -> Self {
        Self { fixtures, manifest, granted_permissions, actor_tokens: Mutex::new(HashSet::new()) }
    }

    /// Whether a host permission is usable: always on older hosts; declared *and* granted on the newest.
    pub(crate) fn permits(&self, permission: HostPermission) -> bool {
        self.permits_name(permission.as_str())
    }

    /// [`Self::permits`] by wire name: a manifest may list permissions this protocol version does not define.
    fn permits_name(&self, permission: &str) -> bool {
        match &self.granted_permissions {
            None => true,
            Some(granted) => {
                self.manifest.host_permissions.iter().any(|p| p == permission)
                    && granted.iter().any(|p| p == permission)
            }
        }
    }

    /// The host permissions the plugin effectively holds.
    pub(crate) fn effective_permissions(&self) -> Vec<String> {
        self.manifest.host_permissions.iter().filter(|p| self.permits_name(p)).cloned().collect()
    }

    /// A fresh actor token, remembered so channel `api_call`s can be checked against it.
    pub(crate) fn mint_actor_token(&self) -> String {
        let token = format!("act_{}", uuid::Uuid::new_v4().simple());
        self.actor_tokens.lock().unwrap_or_else(PoisonError::into_inner).insert(token.clone());
        token
    }

    pub(crate) fn knows_actor_token(&self, token: &str) -> bool {
        self.actor_tokens.lock().unwrap_or_else(PoisonError::into_inner).contains(token)
    }
}
