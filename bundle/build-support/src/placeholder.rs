//! The placeholder page written into a UI's `dist` folder before the UI is built.

use std::io;
use std::path::Path;

/// The page served at `/ui/` when the real UI was never built. Self-contained: no scripts, no external assets.
pub const PLACEHOLDER_HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="temps-bundle-placeholder" content="true">
<link rel="icon" href="data:,">
<title>UI not built</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; padding: 3rem 1.5rem; color: #161a21; background: #f6f7f9; }
  main { max-width: 36rem; margin: 0 auto; background: #fff; border: 1px solid #e3e6eb; border-radius: 8px; padding: 1.5rem 2rem; }
  h1 { font-size: 1.25rem; margin: 0 0 .5rem; }
  code { background: #f1f3f5; padding: .1rem .3rem; border-radius: 4px; }
</style>
</head>
<body>
<main>
  <h1>UI not built</h1>
  <p>This binary was compiled before its web UI was built, so it embeds this placeholder instead.</p>
  <p>Run <code>cargo xtask bundle</code> (release artifact) or <code>cargo xtask ui</code> (UIs only), then rebuild.</p>
</main>
</body>
</html>
"#;

/// Creates `dist` if needed and writes the placeholder as `index.html` unless one is already there.
pub(crate) fn ensure(dist: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dist)?;
    let index = dist.join("index.html");
    if !index.exists() {
        std::fs::write(index, PLACEHOLDER_HTML)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_placeholder_into_a_missing_folder() {
        let root = tempfile::tempdir().unwrap();
        let dist = root.path().join("web/dist");
        ensure(&dist).unwrap();
        let page = std::fs::read_to_string(dist.join("index.html")).unwrap();
        assert!(page.contains("cargo xtask ui"));
        assert!(page.contains("cargo xtask bundle"));
    }

    #[test]
    fn keeps_a_built_ui() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("index.html"), "<p>real UI</p>").unwrap();
        ensure(root.path()).unwrap();
        assert_eq!(std::fs::read_to_string(root.path().join("index.html")).unwrap(), "<p>real UI</p>");
    }

    #[test]
    fn the_sdk_fixture_is_this_placeholder() {
        // The SDK's UI-server tests serve a copy of the placeholder; this keeps the copy from drifting.
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/tests-fixtures/placeholder/index.html");
        assert_eq!(std::fs::read_to_string(fixture).unwrap(), PLACEHOLDER_HTML);
    }
}
