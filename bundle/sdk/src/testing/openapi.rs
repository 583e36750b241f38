//! [`assert_openapi_current`]: a member's test that its committed `openapi.json` is the document its code derives.

use std::path::Path;

use serde_json::Value;

/// Panics unless `<manifest_dir>/openapi.json` holds `document` exactly (pretty-printed, one final newline); under
/// `cargo xtask codegen` (`TEMPS_BUNDLE_CODEGEN=write`) it writes the file instead. The message names the file
/// and the command that regenerates it. Every member's `the_committed_openapi_json_is_current` test is this line:
///
/// ```text
/// temps_bundle_sdk::testing::assert_openapi_current(env!("CARGO_MANIFEST_DIR"), &document());
/// ```
#[track_caller]
#[allow(clippy::panic, reason = "a test assertion")]
pub fn assert_openapi_current(manifest_dir: &str, document: &Value) {
    let path = Path::new(manifest_dir).join("openapi.json");
    let text = match serde_json::to_string_pretty(document) {
        Ok(text) => format!("{text}\n"),
        Err(error) => panic!("cannot render the OpenAPI document for {}: {error}", path.display()),
    };
    if let Err(drift) = temps_bundle_build::codegen::ensure_current(&path, &text) {
        panic!("{drift}");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use serde_json::json;

    use super::*;

    #[test]
    fn the_committed_file_passes_and_any_drift_fails_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let manifest_dir = dir.path().to_str().unwrap();
        let document = json!({"openapi": "3.1.0", "paths": {"/a": {}}});
        std::fs::write(
            dir.path().join("openapi.json"),
            "{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {\n    \"/a\": {}\n  }\n}\n",
        )
        .unwrap();
        assert_openapi_current(manifest_dir, &document);
        let drifted = json!({"openapi": "3.1.0", "paths": {"/b": {}}});
        let panic = std::panic::catch_unwind(|| assert_openapi_current(manifest_dir, &drifted)).unwrap_err();
        let message = panic.downcast_ref::<String>().unwrap();
        assert!(
            message.ends_with(
                "openapi.json is out of date: the code it is generated from changed; run `cargo xtask codegen`"
            ),
            "{message}"
        );
        std::fs::remove_file(dir.path().join("openapi.json")).unwrap();
        let panic = std::panic::catch_unwind(|| assert_openapi_current(manifest_dir, &document)).unwrap_err();
        assert!(panic.downcast_ref::<String>().unwrap().contains("openapi.json is missing"));
    }
}
