//! The host's view of the start-up handshake (§2): which first line each generation accepts, the ready line,
//! and the Gen B launch config.

pub(crate) mod reader;

use serde_json::Value;
use temps_bundle_protocol::names::{check_name, check_version};
use temps_bundle_protocol::{Generation, HelloMessage, LaunchConfig, PROTOCOL_VERSION, PluginManifest, ReadyMessage};

use reader::shorten;

/// A first line a host accepted.
#[derive(Debug, Clone)]
pub(crate) struct AcceptedFirstLine {
    pub(crate) manifest: PluginManifest,
    /// The manifest exactly as sent, unknown keys (e.g. `bundle`) included.
    pub(crate) manifest_json: Value,
}

/// Names reserved by the host's own routes.
const RESERVED_NAMES: &[&str] = &["plugins"];

/// Checks the first stdout line; the error says why the host rejects it.
pub(crate) fn parse_first_line(generation: Generation, line: &str) -> Result<AcceptedFirstLine, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| {
        format!("the first line is not JSON ({e}); stdout is only for the handshake, log to stderr: {}", shorten(line))
    })?;
    let kind = value.get("type").and_then(Value::as_str);
    let manifest_json = match (generation, kind) {
        (Generation::B, Some("hello")) => hello_manifest(value)?,
        (Generation::B, Some("manifest")) => {
            return Err("the plugin uses the legacy startup handshake (a Gen A `manifest` line) but this is a Gen B \
                        host (no --auth-secret in argv): it must send `hello`"
                .into());
        }
        (Generation::A, Some("manifest")) => gen_a_manifest(&value),
        (Generation::A, Some("hello")) => {
            return Err("the plugin sent a Gen B `hello` line to a Gen A host (--auth-secret was in argv): it must \
                        send a `manifest` line"
                .into());
        }
        (_, Some(other)) => return Err(format!("expected a handshake message, got type `{other}`: {}", shorten(line))),
        (_, None) => return Err(format!("the first line has no \"type\" key (a log line?): {}", shorten(line))),
    };
    let manifest: PluginManifest =
        serde_json::from_value(manifest_json.clone()).map_err(|e| format!("invalid manifest: {e}"))?;
    check_identity_shape(&manifest)?;
    Ok(AcceptedFirstLine { manifest, manifest_json })
}

/// Checks the `ready` line.
pub(crate) fn parse_ready_line(generation: Generation, line: &str) -> Result<ReadyMessage, String> {
    let ready: ReadyMessage = serde_json::from_str(line)
        .map_err(|e| format!("expected {{\"type\":\"ready\",...}} ({e}): {}", shorten(line)))?;
    if !ready.ready {
        return Err(format!("the plugin reported \"ready\": false: {}", shorten(line)));
    }
    if generation == Generation::B && ready.protocol_version != Some(PROTOCOL_VERSION) {
        return Err(format!(
            "a Gen B ready line needs \"protocol_version\": {PROTOCOL_VERSION}, got {:?}",
            ready.protocol_version
        ));
    }
    Ok(ready)
}

/// The launch config a Gen B host writes: database URL and host data dir only when the manifest asks for them.
pub(crate) fn launch_config(
    manifest: &PluginManifest,
    secret: &str,
    database_url: &str,
    host_data_dir: &str,
) -> LaunchConfig {
    LaunchConfig {
        protocol_version: PROTOCOL_VERSION,
        auth_secret: secret.to_owned(),
        database_url: manifest.requires_db.then(|| database_url.to_owned()),
        host_data_dir: manifest.requires_host_data_access.then(|| host_data_dir.to_owned()),
    }
}

/// The manifest of a hello line (the protocol's `HelloMessage`, with the manifest kept as sent).
fn hello_manifest(value: Value) -> Result<Value, String> {
    let hello: HelloMessage<Value> = serde_json::from_value(value).map_err(|e| format!("invalid hello line: {e}"))?;
    if hello.protocol_version != PROTOCOL_VERSION {
        return Err(format!(
            "the hello line has protocol_version {}, this host speaks {PROTOCOL_VERSION}",
            hello.protocol_version
        ));
    }
    Ok(hello.manifest)
}

/// The inline manifest of a Gen A line; a missing `requires_db` means `true` to Gen A hosts.
fn gen_a_manifest(value: &Value) -> Value {
    let mut manifest = value.clone();
    if let Value::Object(map) = &mut manifest {
        map.remove("type");
        if !map.contains_key("requires_db") {
            tracing::warn!("the manifest omits requires_db: Gen A hosts default it to true");
            map.insert("requires_db".into(), Value::Bool(true));
        }
    }
    manifest
}

fn check_identity_shape(manifest: &PluginManifest) -> Result<(), String> {
    check_name(&manifest.name).map_err(|why| format!("manifest name `{}` {why}", manifest.name))?;
    check_version(&manifest.version).map_err(|why| format!("manifest version `{}` {why}", manifest.version))?;
    if RESERVED_NAMES.contains(&manifest.name.as_str()) {
        return Err(format!("manifest name `{}` is reserved by the host", manifest.name));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_line_error(generation: Generation, line: &str) -> String {
        parse_first_line(generation, line).unwrap_err()
    }

    #[test]
    fn each_host_rejects_the_other_generation() {
        let manifest_line = r#"{"type":"manifest","name":"p","version":"1","requires_db":false}"#;
        assert!(first_line_error(Generation::B, manifest_line).contains("uses the legacy startup handshake"));
        let hello = r#"{"type":"hello","protocol_version":2,"manifest":{"name":"p","version":"1"}}"#;
        assert!(first_line_error(Generation::A, hello).contains("Gen B `hello`"));
        assert!(parse_first_line(Generation::A, manifest_line).is_ok());
        assert!(parse_first_line(Generation::B, hello).is_ok());
    }

    #[test]
    fn rejected_first_lines() {
        assert!(first_line_error(Generation::B, "INFO starting").contains("not JSON"));
        assert!(first_line_error(Generation::B, r#"{"level":"INFO"}"#).contains("no \"type\""));
        let v3 = r#"{"type":"hello","protocol_version":3,"manifest":{"name":"p","version":"1"}}"#;
        assert!(first_line_error(Generation::B, v3).contains("protocol_version 3"));
        let no_manifest = r#"{"type":"hello","protocol_version":2}"#;
        assert!(first_line_error(Generation::B, no_manifest).contains("missing field `manifest`"));
        let bad_name = r#"{"type":"hello","protocol_version":2,"manifest":{"name":"Bad_Name","version":"1"}}"#;
        assert!(first_line_error(Generation::B, bad_name).contains("manifest name `Bad_Name`"));
    }

    #[test]
    fn gen_a_defaults_requires_db_to_true_and_keeps_unknown_keys() {
        let accepted =
            parse_first_line(Generation::A, r#"{"type":"manifest","name":"p","version":"1","bundle":{"members":[]}}"#)
                .unwrap();
        assert!(accepted.manifest.requires_db);
        assert_eq!(accepted.manifest_json["bundle"]["members"], serde_json::json!([]));
        assert!(accepted.manifest_json.get("type").is_none());
    }

    #[test]
    fn ready_lines() {
        assert!(
            parse_ready_line(Generation::B, r#"{"type":"ready","ready":true,"has_ui":true,"protocol_version":2}"#)
                .is_ok()
        );
        assert!(parse_ready_line(Generation::B, r#"{"type":"ready","ready":true,"has_ui":true}"#).is_err());
        assert!(parse_ready_line(Generation::A, r#"{"type":"ready","ready":true,"has_ui":true}"#).is_ok());
        assert!(parse_ready_line(Generation::A, r#"{"type":"ready","ready":false,"has_ui":true}"#).is_err());
    }

    #[test]
    fn launch_config_discloses_only_what_was_asked_for() {
        let mut manifest = PluginManifest::new("p", "1");
        let config = launch_config(&manifest, "s", "sqlite://x", "/data");
        assert_eq!((config.database_url, config.host_data_dir), (None, None));
        manifest.requires_db = true;
        manifest.requires_host_data_access = true;
        let config = launch_config(&manifest, "s", "sqlite://x", "/data");
        assert_eq!(config.database_url.as_deref(), Some("sqlite://x"));
        assert_eq!(config.host_data_dir.as_deref(), Some("/data"));
    }
}
