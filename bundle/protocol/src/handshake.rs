//! The start-up handshake (§2): stdout lines from plugin to host and the Gen B launch config on stdin.

use serde::{Deserialize, Serialize};

use crate::manifest::PluginManifest;

/// The two protocol generations. `--auth-secret` in argv means Gen A; otherwise Gen B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Generation {
    /// The older protocol: manifest line, secret in argv, no launch config, no request signatures.
    A,
    /// Protocol v2: hello line, launch config on stdin, signed requests.
    B,
}

/// Gen A's first line (generic so a bundle can add its extra `bundle` key to the manifest): `{"type":"manifest", ...manifest fields inline...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "manifest")]
pub struct ManifestLine<M = PluginManifest> {
    #[serde(flatten)]
    pub manifest: M,
}

/// Gen B's first line: `{"type":"hello","protocol_version":2,"manifest":{...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "hello")]
pub struct HelloMessage<M = PluginManifest> {
    pub protocol_version: u32,
    pub manifest: M,
}

/// The last handshake line: `{"type":"ready","ready":true,"has_ui":true,...}`.
/// `protocol_version` is required in Gen B and absent in Gen A; `openapi` is omitted when absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "ready")]
pub struct ReadyMessage {
    pub ready: bool,
    pub has_ui: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openapi: Option<serde_json::Value>,
}

/// The one line a Gen B host writes to the plugin's stdin before closing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchConfig {
    pub protocol_version: u32,
    pub auth_secret: String,
    pub database_url: Option<String>,
    pub host_data_dir: Option<String>,
}

/// Any handshake line, as a host reads it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum HandshakeLine {
    Hello(HelloMessage),
    Manifest(ManifestLine),
    Ready(ReadyMessage),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_shapes() {
        let hello = HelloMessage { protocol_version: 2, manifest: PluginManifest::new("a", "1") };
        let text = serde_json::to_string(&hello).unwrap();
        assert!(text.starts_with(r#"{"type":"hello","protocol_version":2,"manifest":{"name":"a","#), "{text}");

        let line = ManifestLine { manifest: PluginManifest::new("a", "1") };
        let text = serde_json::to_string(&line).unwrap();
        assert!(text.starts_with(r#"{"type":"manifest","name":"a","version":"1","#), "{text}");

        let ready = ReadyMessage { ready: true, has_ui: true, protocol_version: Some(2), openapi: None };
        assert_eq!(
            serde_json::to_string(&ready).unwrap(),
            r#"{"type":"ready","ready":true,"has_ui":true,"protocol_version":2}"#
        );
        let ready_a = ReadyMessage { protocol_version: None, ..ready };
        assert_eq!(serde_json::to_string(&ready_a).unwrap(), r#"{"type":"ready","ready":true,"has_ui":true}"#);
    }

    #[test]
    fn launch_config_parses() {
        let text = r#"{"protocol_version":2,"auth_secret":"s","database_url":null,"host_data_dir":null}"#;
        let config: LaunchConfig = serde_json::from_str(text).unwrap();
        assert_eq!(config.auth_secret, "s");
        assert_eq!(serde_json::to_string(&config).unwrap(), text);
    }
}
