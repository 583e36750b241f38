//! Generated files checked in next to the code they come from (`cargo xtask codegen`): a plugin's test renders
//! its OpenAPI document and calls [`ensure_current`] (through `temps_bundle_sdk::testing::assert_openapi_current`),
//! which fails when the committed file differs, and rewrites it when `cargo xtask codegen` asks for that
//! (`TEMPS_BUNDLE_CODEGEN=write`).

use std::path::Path;

/// The environment variable `cargo xtask codegen` sets to `write` so that [`ensure_current`] updates files.
pub const MODE_VAR: &str = "TEMPS_BUNDLE_CODEGEN";

/// Makes sure the file at `path` holds exactly `contents`: in write mode (see [`MODE_VAR`]) by writing it,
/// otherwise by comparing; the error names the file and the command that regenerates it.
pub fn ensure_current(path: &Path, contents: &str) -> Result<(), String> {
    let committed = std::fs::read_to_string(path).ok();
    if committed.as_deref() == Some(contents) {
        return Ok(());
    }
    if std::env::var(MODE_VAR).as_deref() == Ok("write") {
        return std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()));
    }
    let state = if committed.is_some() { "is out of date" } else { "is missing" };
    Err(format!("{} {state}: the code it is generated from changed; run `cargo xtask codegen`", path.display()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn a_differing_or_missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("openapi.json");
        let missing = ensure_current(&path, "{}\n").unwrap_err();
        assert!(missing.contains("openapi.json is missing") && missing.contains("cargo xtask codegen"), "{missing}");
        std::fs::write(&path, "{}\n").unwrap();
        ensure_current(&path, "{}\n").unwrap();
        let drifted = ensure_current(&path, "{\"a\":1}\n").unwrap_err();
        assert!(drifted.contains("openapi.json is out of date"), "{drifted}");
    }
}
