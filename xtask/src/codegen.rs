//! `cargo xtask codegen [--check]`: the files generated from Rust types, regenerated or checked for drift.
//!
//! 1. Each plugin's OpenAPI document is derived from its handlers and types (`utoipa`); the plugin's test
//!    `the_committed_openapi_json_is_current` compares it with the committed `plugins/<p>/openapi.json`, and
//!    rewrites it when this command runs it with `TEMPS_BUNDLE_CODEGEN=write`.
//! 2. Each plugin UI's `web/src/api.gen.ts` is rendered from that `openapi.json` ([`typescript`]), and the UI's
//!    `api.ts` names its types from there, so a renamed field fails `tsc`, not the browser.
//!
//! `--check` (a step of `cargo xtask ci`) writes nothing and fails naming the first file that differs.

mod typescript;

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::plugins::{self, Plugin};
use crate::process;
use crate::project::Project;

/// The plugin test that compares (or, in write mode, rewrites) `openapi.json`.
const OPENAPI_TEST: &str = "the_committed_openapi_json_is_current";
/// The generated TypeScript module inside a plugin UI.
pub const GENERATED_TS: &str = "src/api.gen.ts";

/// `cargo xtask codegen [--check]`.
pub fn run(project: &Project, check: bool) -> anyhow::Result<()> {
    let plugins: Vec<Plugin> = plugins::discover(project)?;
    refresh_openapi(project, &plugins, check)?;
    for plugin in &plugins {
        let (Some(web), openapi) = (plugin.web(), plugin.dir.join("openapi.json")) else { continue };
        if !openapi.is_file() {
            bail!("{} is missing: run `cargo xtask codegen` and commit the result", project.display(&openapi));
        }
        let text = std::fs::read_to_string(&openapi).with_context(|| format!("reading {}", openapi.display()))?;
        let document = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", openapi.display()))?;
        let source = format!("plugins/{}/openapi.json", plugin.name);
        let generated = web.join(GENERATED_TS);
        sync(&generated, &project.display(&generated), &typescript::render(&document, &source), check)?;
    }
    eprintln!("codegen: {}", if check { "every generated file is current" } else { "generated files written" });
    Ok(())
}

/// Runs every plugin's OpenAPI test: in write mode it rewrites `openapi.json`; in check mode a drift fails it with
/// a message naming the file.
fn refresh_openapi(project: &Project, plugins: &[Plugin], check: bool) -> anyhow::Result<()> {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.arg("test").arg("--quiet").current_dir(project.root());
    for plugin in plugins {
        cargo.args(["-p", &plugin.package]);
    }
    cargo.args(["--lib", "--", OPENAPI_TEST]);
    if !check {
        cargo.env("TEMPS_BUNDLE_CODEGEN", "write");
    }
    process::run(&mut cargo).context("an OpenAPI document differs from its committed openapi.json (see above)")
}

/// Makes `path` (shown as `shown`) hold `contents` (write mode) or fails naming it when it does not (check mode).
fn sync(path: &Path, shown: &str, contents: &str, check: bool) -> anyhow::Result<()> {
    let current = std::fs::read_to_string(path).ok();
    if current.as_deref() == Some(contents) {
        return Ok(());
    }
    if check {
        let state = if current.is_some() { "is out of date" } else { "is missing" };
        bail!("{shown} {state}: run `cargo xtask codegen` and commit the result");
    }
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("codegen: wrote {shown}");
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    /// hello's committed document, rendered and committed; then a field is renamed on the Rust side (here: in the
    /// document it derives) and `--check` must fail naming the generated file.
    #[test]
    fn check_fails_on_a_drifted_type_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let generated = dir.path().join("api.gen.ts");
        let shown = "plugins/hello/web/src/api.gen.ts";
        let mut document: serde_json::Value =
            serde_json::from_str(include_str!("../../plugins/hello/openapi.json")).unwrap();
        sync(&generated, shown, &typescript::render(&document, "hello"), false).unwrap();
        sync(&generated, shown, &typescript::render(&document, "hello"), true).unwrap();
        let greeting = document.pointer_mut("/components/schemas/Greeting/properties").unwrap();
        let visits = greeting.as_object_mut().unwrap().remove("visits").unwrap();
        greeting.as_object_mut().unwrap().insert("visit_count".into(), visits);
        let error = sync(&generated, shown, &typescript::render(&document, "hello"), true).unwrap_err();
        assert!(error.to_string().starts_with("plugins/hello/web/src/api.gen.ts is out of date"), "{error}");
        assert!(std::fs::read_to_string(&generated).unwrap().contains("  visits: number;"), "check wrote nothing");
    }
}
